"""The check pipeline: read -> split -> meta -> parse -> score -> verify, then across reports.

`analyse` is pure (bytes in, data and diagnostics out); `check_files` is the I/O edge
that reads files. A report that fails early still yields its diagnostics, and never
stops the others from being checked.
"""

from __future__ import annotations

import os
import stat as statmode
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from builder.body import prepare_body
from builder.cache import Cache
from builder.corpus import Entry, RoleIndex, verify_corpus
from builder.diagnostics import Diagnostic, Location, error
from builder.links import markdown_links
from builder.meta import read_meta
from builder.schema import Verdicts
from builder.methodology import Methodology
from builder.parse import parse_report
from builder.processes import die_with_parent
from builder.score import score_report
from builder.source import decode, split_frontmatter
from builder.state import digest_bytes
from builder.verify import verify_report


@dataclass
class Checked:
    """One report as checked on its own: its entry (None if it could not be read) and its diagnostics."""

    path: str
    entry: Entry | None
    diagnostics: list[Diagnostic]
    # Of the bytes analysed (`state.digest_bytes`), so a page is rendered from exactly those; not part of
    # what other pages read (`site.shows_only_itself` compares reprs).
    digest: str = field(default="", repr=False, compare=False)

    def summary(self) -> Checked:
        """The report's own diagnostics and what other pages read of it (see `Entry.summary`)."""
        return Checked(self.path, self.entry.summary() if self.entry is not None else None, self.diagnostics,
                       self.digest)


@dataclass
class CheckResult:
    """Every report checked, on its own and against the others, with the index citations resolve in."""

    checked: list[Checked]
    index: RoleIndex | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def entries(self) -> list[Entry]:
        return [c.entry for c in self.checked if c.entry is not None]

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(not d.is_error for d in self.diagnostics)


def analyse(data: bytes, path: str, m: Methodology, verdicts: Verdicts | None = None) -> Checked:
    """One report from bytes to a scored entry and its own diagnostics (`verdicts`: frontmatter
    validations already made, see `schema.validate_frontmatter`)."""
    text, problems = decode(data, path)
    if text is None:
        return Checked(path, None, problems)
    source, problems = split_frontmatter(text, path)
    if source is None:
        return Checked(path, None, problems)
    meta, problems = read_meta(source, verdicts)
    if meta is None:
        return Checked(path, None, problems)
    report = parse_report(source, meta, m)
    report.document.prepared = prepare_body(report.document.tokens)
    card = score_report(report.inputs, meta, m)
    return Checked(path, Entry(report, card), [*problems, *verify_report(report, card, m)])


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, Diagnostic | None]:
    """A report's bytes, or why they cannot be had. Only a regular file is read: a fifo or a device
    named like a report would block or never end."""
    try:
        with open(path, "rb", opener=_nonblocking) as stream:
            if not statmode.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return None, error("JZ001", "cannot read file: not a regular file", Location(shown))
            return stream.read(), None
    except OSError as exc:
        return None, error("JZ001", f"cannot read file: {exc.strerror or exc}", Location(shown))


def _nonblocking(path: str, flags: int) -> int:
    """Open without waiting for a writer (a fifo); the file is checked to be regular before reading."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def analyse_bytes(data: bytes, shown: str, m: Methodology, cache: Cache | None = None) -> Checked:
    """One report's own analysis, from the cache when its bytes, path, methodology and jobzone's
    code are unchanged; a failure inside jobzone becomes a located diagnostic, never an exception."""
    digest = digest_bytes(data)
    key = cache.key_of(digest, shown) if cache is not None else ""
    hit = cache.load(key) if cache is not None else None
    if isinstance(hit, Checked) and hit.path == shown:
        return hit
    try:
        result = analyse(data, shown, m, cache.verdicts if cache is not None else None)
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the others
        return Checked(shown, None, [error("JZ000", f"internal error while checking: {type(exc).__name__}: {exc}",
                                           Location(shown))], digest)
    result.digest = digest
    if cache is not None:
        cache.store(key, result)
    return result


class ChangedWhileBuilding(RuntimeError):
    """A report's bytes are not those its summary was made from: it changed during the build."""


def whole_entry(shown: str, m: Methodology, cache: Cache | None, digest: str | None = None) -> Entry:
    """A report's whole analysis again (for rendering the page of a report the build so far held only
    a summary of): with `digest`, that of the bytes the summary was made from, exactly that analysis
    from the cache, or the file read again if it still has those bytes; else the file as it is now."""
    if digest and cache is not None:
        hit = cache.load(cache.key_of(digest, shown))
        if isinstance(hit, Checked) and hit.path == shown and hit.entry is not None:
            return hit.entry
    data, problem = read_bytes(Path(shown), shown)
    if data is not None and digest and digest_bytes(data) != digest:
        data = None
    checked = analyse_bytes(data, shown, m, cache) if data is not None else None
    if checked is None or checked.entry is None:
        raise ChangedWhileBuilding(f"{shown} changed while the site was being built")
    return checked.entry


# Below this many reports to analyse, starting worker processes costs more than it saves.
PARALLEL_FROM = 200

_Job = tuple[bytes, str, Methodology, "Cache | None", bool]


def _analyse_in_worker(job: _Job) -> Checked:
    data, shown, m, cache, summary = job
    checked = analyse_bytes(data, shown, m, cache)
    return checked.summary() if summary else checked


def check_files(files: list[tuple[Path, str]], m: Methodology, cache: Cache | None = None,
                progress: Callable[[], None] | None = None, known: Mapping[str, Checked] | None = None,
                summaries: bool = False) -> CheckResult:
    """Check each (path, shown name) and then the reports against each other.

    `known` holds analyses (or their summaries) of files whose bytes are known to be unchanged;
    those are not read at all. Reports found in the cache are taken from it; when many others
    remain, they are analysed in worker processes, one per core (the result is the same, only sooner).
    With `summaries`, each report is kept only as its summary (`Checked.summary`): what a build
    needs of reports whose pages it renders from the cache."""
    checked: list[Checked | None] = []
    misses: list[tuple[int, _Job]] = []
    known = known or {}
    for path, shown in files:
        data, problem = (None, None) if shown in known else read_bytes(path, shown)
        if shown in known:
            checked.append(known[shown])
        elif data is None:
            checked.append(Checked(shown, None, [problem]))
        else:
            hit = cache.load(cache.key(data, shown)) if cache is not None else None
            if isinstance(hit, Checked) and hit.path == shown:
                checked.append(hit.summary() if summaries else hit)
            else:
                checked.append(None)
                misses.append((len(checked) - 1, (data, shown, m, cache, summaries)))
        if progress is not None and checked[-1] is not None:
            progress()
    for index, result in zip((i for i, _ in misses), _analyse_all([job for _, job in misses], progress)):
        checked[index] = result
    return cross_check([c for c in checked if c is not None], m)


def analyse_many(reads: list[tuple[bytes, str]], m: Methodology, cache: Cache | None,
                 summaries: bool) -> list[Checked]:
    """Each report's (bytes, shown name) analysed, or taken from the cache, in order; in worker
    processes when there are many. With `summaries`, each is kept only as its summary."""
    return list(_analyse_all([(data, shown, m, cache, summaries) for data, shown in reads], None))


def _analyse_all(jobs: list[_Job],
                 progress: Callable[[], None] | None) -> Iterator[Checked]:
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) >= PARALLEL_FROM and workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        try:
            with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
                results = list(pool.map(_analyse_in_worker, jobs, chunksize=16))
        except (OSError, RuntimeError):
            results = None  # no processes to be had here: analyse in this one
        if results is not None:
            for result in results:
                if progress is not None:
                    progress()
                yield result
            return
    for job in jobs:
        if progress is not None:
            progress()
        yield _analyse_in_worker(job)


def cross_check(checked: list[Checked], m: Methodology) -> CheckResult:
    """The checks that need the whole site (citations, duplicates, links), over reports analysed one by one."""
    entries = [c.entry for c in checked if c.entry is not None]
    index, cross = verify_corpus(entries, m)
    for entry in entries:
        cross.extend(markdown_links(entry.report, index)[1])
    unique = dict.fromkeys([*(d for c in checked for d in c.diagnostics), *cross])
    diagnostics = sorted(unique, key=Diagnostic.sort_key)
    return CheckResult(checked, index, diagnostics)
