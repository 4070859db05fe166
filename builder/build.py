"""`jobzone build`: check, link, render, then swap the new site in whole, or update it in place.

The I/O edge of the site generator. Nothing is written unless every report checks
clean, and the output folder is replaced only once the new site is complete: it is
built in a temporary folder beside the output (same file system, so renames are
cheap), then the old site is renamed away, the new one renamed in, the old removed.
The output folder is checked before anything else, because it is deleted on swap
(`builder.output` does both the checking and the writing).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from builder.cache import Cache, code_files, code_fingerprint, tree_digest, tree_files
from builder.config import CONFIG_NAME, SiteConfig
from builder.freshness import CACHE_DIR, Stamp, Stat, run_key, save_run, scan_tree, unchanged_tree, watch
from builder.gitdates import GitHead, git_head, last_commit_dates
from builder.project import (EXIT_ERRORS, EXIT_OK, UsageError, format_diagnostics, load_site_config,
                             load_site_methodology, open_cache, run_check, shown_path)
from builder.output import StagedSite, check_contents, check_out, normalise_base_url, write_changes
from builder.state import SiteModel, refresh_sources

if TYPE_CHECKING:
    from builder.check import Checked, CheckResult
    from builder.methodology import Methodology
    from builder.site import Built, RenderContext

T = TypeVar("T")


# -- what a build depends on --------------------------------------------------------------------
def settings_digest(config: SiteConfig, out: Path, base_url: str, history: str) -> str:
    """Everything a build reads besides the content folder: jobzone itself, the options, the config,
    the methodology override, the templates and the git history (page dates come from it), and the
    working directory (reports are named relative to it in what a build prints and records)."""
    digest = hashlib.blake2b(digest_size=16)
    parts = [code_fingerprint(), str(out), base_url, str(os.environ.get("GITHUB_ACTIONS") == "true"), os.getcwd(),
             repr(config), tree_digest(config.root / config.templates_dir), history]
    for path in (config.config_path, config.methodology_path):
        try:
            parts.append(path.read_bytes().hex() if path is not None and path.is_file() else "absent")
        except OSError:
            parts.append("unreadable")
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


# What a folder on Python's path inside the project could hold to take the place of a library a
# build imports (a `yaml.py` beside the reports, say): its existence is watched, not the folder's time,
# which every build changes.
_SHADOWING = ("builder", "markdown_it", "mdurl", "jinja2", "markupsafe", "yaml", "jsonschema", "frontmatter", "rich")


def settings_files(config: SiteConfig, head: GitHead) -> tuple[list[str], list[str]] | None:
    """The files and folders the settings are read from, for `builder.freshness` to watch by size and
    time: jobzone's code, the folders Python finds libraries in (an install changes them; one that
    does not exist yet is watched for appearing), the config (or where it would be), the methodology
    override, the templates, and the files git named the commit from. Then the paths whose existence
    alone matters: a `.git` above the content, a library's name in a folder of Python's path inside
    the project. None when git could not say which files those are."""
    if head.files is None:
        return None
    templates = config.root / config.templates_dir
    project = f"{config.root.resolve()}{os.sep}"
    libraries, shadows = [], []
    for entry in dict.fromkeys(map(os.path.abspath, filter(None, sys.path))):
        if f"{os.path.realpath(entry)}{os.sep}".startswith(project):  # builds write there
            shadows += [os.path.join(entry, name + suffix) for name in _SHADOWING for suffix in ("", ".py")]
        else:
            libraries.append(entry)
    paths = [*code_files(), *libraries, str(config.config_path or config.root / CONFIG_NAME), str(templates),
             *(str(path) for path, _ in tree_files(templates)), *head.files]
    if config.methodology_path is not None:
        paths.append(str(config.methodology_path))
    return [os.path.abspath(path) for path in paths], [*head.markers, *shadows]


@dataclass(frozen=True)
class Settings:
    """What a build was asked to do and with what, as found before anything else was read."""

    digest: str  # `settings_digest`
    watched: dict[str, Stat] | None  # `settings_files` with their stat (None: not watchable)
    present: dict[str, bool]  # whether each of `settings_files`'s second list exists
    watched_ns: int  # when the stat was taken: files changed after it are not trusted by their stat
    argv: list[str] | None  # the command line, to answer it again quickly (`builder.freshness.answer`);
    # None for `--clean`, however spelt, which is never answered so
    out_given: str  # the output folder as named, before any link in it was followed


def cmd_build(args: argparse.Namespace) -> int:
    watched_ns = time.time_ns()  # before anything is read: whatever changes later counts as racy
    config = load_site_config(args.config)
    base_url = normalise_base_url(args.base_url if args.base_url is not None else config.base_url)
    given = Path(args.out) if args.out else config.root / config.output_dir
    out = check_out(given, config)
    cache = open_cache(config, None)  # for the records; the methodology is read once it is needed
    head = git_head(config.content_path) if config.content_path.is_dir() else GitHead("", (), ())
    inputs = settings_files(config, head)
    watched, present = (watch(inputs[0]), {path: os.path.lexists(path) for path in inputs[1]}) if inputs else (None, {})
    settings = Settings(settings_digest(config, out, base_url, head.identity), watched, present, watched_ns,
                        None if args.clean else getattr(args, "argv", None), os.path.abspath(given))
    last = None if args.clean else _last_build(cache, out, settings.digest)  # looked at before anything is written
    if last is None:
        check_contents(out)
    from builder.cache import CacheUnusable

    try:
        with cache.lock(lambda: print("jobzone: waiting for another build of this project to finish",
                                      file=sys.stderr, flush=True)):
            if args.clean:
                cache.clear()  # under the lock, and keeping it: a build still running is never pulled from under
            elif last is not None and cache.stamp(out) != last:
                last = _last_build(cache, out, settings.digest)  # another build finished while this one waited
                if last is None:
                    check_contents(out)
            return _build(config, cache, out, base_url, settings, last)
    except CacheUnusable as exc:
        raise UsageError(f"{exc} [JZ901]") from None


def _last_build(cache: Cache, out: Path, settings: str) -> Stamp | None:
    """The record of the last build into `out`, if it had these settings and its output folder is
    exactly as it left it: no file changed, removed or added since."""
    stamp = cache.stamp(out)
    if stamp is None or stamp.settings != settings or not unchanged_tree(out, stamp.output):
        return None
    return stamp


def _finish(cache: Cache, out: Path, settings: Settings, stamp: Stamp, content: Path) -> None:
    """Record the build `stamp` describes, and that its command line, run again unchanged, only
    needs to print that the site is up to date."""
    cache.save_stamp(out, stamp)
    if settings.argv is None or settings.watched is None or cache.folder.resolve() != Path.cwd().resolve() / CACHE_DIR:
        return  # `answer` looks in the working directory's cache only
    save_run(str(cache.folder), run_key(settings.argv, os.getcwd()), str(cache.stamp_path(out)), stamp,
             str(content.absolute()), str(out), settings.out_given, up_to_date(stamp, out))


def up_to_date(stamp: Stamp, out: Path) -> str:
    """What a build prints when there is nothing to do: the last build's diagnostics, and so."""
    return f"{stamp.printed}\n{shown_path(out)} is up to date\n"


def _render_and_write(config: SiteConfig, methodology: Methodology, cache: Cache, out: Path, base_url: str,
                      result: CheckResult, model: SiteModel | None, analysed: set[str], dates_by_path: dict,
                      output: dict[str, Stat]) -> tuple[Built, dict[str, str], dict[str, Stat]]:
    """Link and render the checked site and write it: in full into a staged folder swapped in at the
    end (no `model`), or in place, only what changed since the build `model` records. Returns the
    site, the digest of every file written and the output folder's files and folders as left."""
    from builder.check import ChangedWhileBuilding
    from builder.links import link_site
    from builder.render import SiteInfo, TemplateProblem, environment
    from builder.site import assemble, git_dates, kept_site
    from builder.workers import RenderInWorkers

    entries = result.entries
    links = link_site(entries, result.index)
    templates, compiled = config.root / config.templates_dir, cache.folder / "templates"
    previous = kept_site(model.role_pages, model.listings) if model is not None else None
    changed = {c.entry.report.meta.slug for c in result.checked if c.path in analysed and c.entry is not None}
    staged = StagedSite(out) if model is None else None  # a full build: pages go to disk as they come
    try:
        built = assemble(config, methodology, SiteInfo(config.title, config.description, base_url), entries, links,
                         previous, changed, git_dates(config, entries, dates_by_path),
                         environment(templates, compiled), RenderInWorkers(templates, compiled, cache, digests={c.path: c.digest for c in result.checked}),
                         staged.put if staged is not None else None)
        if staged is not None:
            for relative, data in built.files.items():
                if data is not None:
                    staged.put(relative, data)
            staged.commit()
    except BaseException as exc:
        if staged is not None:
            staged.discard()
        if isinstance(exc, TemplateProblem):
            raise UsageError(f"{shown_path(Path(exc.path))}:{exc.line}: template error: {exc.message}; "
                             f"{shown_path(out)} was not changed [JZ902]") from None
        if isinstance(exc, ChangedWhileBuilding):
            raise UsageError(f"{exc}; {shown_path(out)} was not changed: build again") from None
        raise
    if staged is not None:
        return built, staged.digests, scan_tree(out, with_folders=True)
    output = dict(output)
    return built, write_changes(out, built.files, model.written if model is not None else {}, output), output


def _build(config: SiteConfig, records: Cache, out: Path, base_url: str, settings: Settings,
           stamp: Stamp | None) -> int:
    """Build in full, or, when the last build of `out` left its record and its files as they were,
    only what changed since: the same site either way (tested)."""
    scanned_ns = time.time_ns()
    stats = scan_tree(config.content_path, follow_links=True) if config.content_path.is_dir() else {}
    sources, changed = refresh_sources(stats, stamp.sources if stamp else {}, stamp.scanned_ns if stamp else 0,
                                       config.content_path.joinpath)
    if stamp is not None and not changed and config.content_path.is_dir():
        _finish(records, out, settings, _stamp(settings, sources, scanned_ns, stamp.output, stamp.printed),
                config.content_path)  # the same, but with the times of files touched since
        print(up_to_date(stamp, out), end="")
        return EXIT_OK
    methodology = load_site_methodology(config)
    cache = open_cache(config, methodology)
    model = cache.record(out, "model") if stamp is not None else None
    if not isinstance(model, SiteModel):
        model = None
        if stamp is not None:
            check_contents(out)  # a full build replaces the folder: make sure nothing was added to it by hand
    cache.forget_stamp(out)  # until this build is whole on disk, the next one starts from scratch
    if model is not None and stamp is not None and changed:
        try:
            output = _edit_in_place(config, methodology, cache, out, model, changed, stamp.output)
        except OSError:
            output = None  # the site could not be updated in place: build it whole, below
            model = None
        if output is not None:
            print(stamp.printed)  # the diagnostics are all as the last build found them
            return _done(cache, out, settings, model, _stamp(settings, sources, scanned_ns, output, stamp.printed),
                         config.content_path)
    stale = {shown_path(config.content_path / relative) for relative in changed}
    kept = {shown: blob for shown, blob in model.checked.items() if shown not in stale} if model is not None else {}
    known = {shown: pickle.loads(blob) for shown, blob in kept.items()}
    result, wanted = run_check(config, methodology, [], cache, known, summaries=True)
    printed = format_diagnostics(result.diagnostics, "text", len(wanted))
    print(printed)
    if result.index is None or result.errors:
        if stamp is not None and model is not None:  # nothing was written (with a model, not even in place):
            cache.save_stamp(out, stamp)  # the last build's record still holds, so the fixed build is incremental
        print(f"jobzone: build stopped: fix the errors above; {shown_path(out)} was not changed", file=sys.stderr)
        return EXIT_ERRORS
    dates_by_path = model.dates if model is not None else last_commit_dates(config.content_path)
    analysed = {c.path for c in result.checked if c.path not in known}
    full = model is None
    try:
        built, written, output = _render_and_write(config, methodology, cache, out, base_url, result, model,
                                                   analysed, dates_by_path, stamp.output if stamp is not None else {})
    except OSError:
        if full:
            raise
        # The site could not be updated in place (a file became a folder, or the reverse): build it whole.
        full = True
        built, written, output = _render_and_write(config, methodology, cache, out, base_url, result, None,
                                                   analysed, dates_by_path, {})
    from builder.site import listings_record

    assert built.listings is not None
    return _done(cache, out, settings, SiteModel(
        {c.path: kept[c.path] if known.get(c.path) is c else pickle.dumps(c, pickle.HIGHEST_PROTOCOL)
         for c in result.checked},
        {slug: (page.context, tuple(page.files)) for slug, page in built.role_pages.items()},
        listings_record(built.listings), dates_by_path, written, _pickled(built.context),
        (built.pages, built.reports), one_name_each=len(result.checked) == len(wanted)),
        _stamp(settings, sources, scanned_ns, output, printed), config.content_path, full)


def _report_digests(content: Path, sources: dict) -> dict[str, str]:
    """Each report's shown path -> the digest of the bytes this build read it as (a link's: of the
    file it leads to), as the build record keeps them (`state.refresh_sources`)."""
    return {shown_path(content / name): digest.partition("@")[0]
            for name, (*_, digest) in sources.items() if name.endswith(".md")}


def _pickled(value: object) -> bytes:
    """`value` pickled, or nothing if it cannot be (then the next edit takes the whole way)."""
    try:
        return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError):
        return b""


def _done(cache: Cache, out: Path, settings: Settings, model: SiteModel, stamp: Stamp, content: Path,
          full: bool = False) -> int:
    """Record a finished build, sweep the cache (after a full build, else daily) and say what it
    built. The build's stamp is saved only beside its model: a stamp paired with an older model
    would pass stale summaries off as current."""
    if cache.save_record(out, "model", model):
        _finish(cache, out, settings, stamp, content)
    now = time.time()
    if full or cache.sweep_due(now):
        cache.sweep({cache.key_of(digest, shown) for shown, digest in _report_digests(content, stamp.sources).items()},
                    now)
    pages, reports = model.counts
    print(f"Built {pages} pages for {reports} report{'s' if reports != 1 else ''} into {shown_path(out)}")
    return EXIT_OK


def _edit_in_place(config: SiteConfig, methodology: Methodology, cache: Cache, out: Path, model: SiteModel,
                   changed: set[str], output: dict[str, Stat]) -> dict[str, Stat] | None:
    """When only the edited reports' own pages can differ (see `_edited_only`), render those pages
    with the render context the last build kept and write what changed; `model` is updated and
    the output folder's new stats returned. None, with nothing written, for any other change."""
    from builder.render import TemplateProblem, environment
    from builder.site import kept_site, render_edited

    context = _render_context(model)
    edited = _edited_only(config, methodology, cache, model, context, changed) if context is not None else None
    if context is None or edited is None:
        return None
    try:
        pages = context.pages(environment(config.root / config.templates_dir, cache.folder / "templates"))
        rendered = render_edited(context, pages, kept_site(model.role_pages, model.listings),
                                 [checked.entry for checked in edited if checked.entry is not None], methodology)
    except TemplateProblem:
        return None  # the whole way round, the diagnostics are printed before the error, as always
    if rendered is None:
        return None
    output = dict(output)
    model.written = write_changes(out, {**dict.fromkeys(model.written), **rendered}, model.written, output)
    for checked in edited:  # the summaries as they are now, digests included: the next build that renders
        # these pages again (another report's edit may) renders them from these bytes, not the last build's
        model.checked[checked.path] = pickle.dumps(checked.summary(), pickle.HIGHEST_PROTOCOL)
    return output


def _edited_only(config: SiteConfig, methodology: Methodology, cache: Cache, model: SiteModel,
                 context: RenderContext, changed: set[str]) -> list[Checked] | None:
    """The changed content files analysed again, when each is a report of the last build that
    `site.shows_only_itself`: then nothing but their own pages needs reading or rendering. None when
    anything else changed, or might have unseen: a report was found under two names (reports are
    told apart by inode), an edited one is a symbolic or hard link now (which files are one report
    may have changed), or is itself a file copied beside a page."""
    from builder.check import analyse_bytes, read_bytes
    from builder.site import maybe_copied, shows_only_itself

    if not model.one_name_each:
        return None
    edited = []
    for relative in sorted(changed):
        path = config.content_path / relative
        shown = shown_path(path)
        before = _recorded(model.checked.get(shown))
        if before is None or maybe_copied(path, config.content_path, context):
            return None  # not a report the last build read (added, removed, not Markdown), or see above
        data = read_bytes(path, shown)[0]
        checked = analyse_bytes(data, shown, methodology, cache) if data is not None else None
        if checked is None or not shows_only_itself(checked, before, context):
            return None
        edited.append(checked)
    return edited


def _recorded(blob: bytes | None) -> Checked | None:
    """A report's summary as the build record keeps it; None if absent or unreadable."""
    from builder.check import Checked

    return _unpickled(blob, Checked)


def _render_context(model: SiteModel) -> RenderContext | None:
    """What the last build rendered every role page with; None if it cannot be read back."""
    from builder.site import RenderContext

    return _unpickled(model.render, RenderContext)


def _unpickled(blob: bytes | None, kind: type[T]) -> T | None:
    """A `kind` pickled into a build record; None if absent, damaged or of another kind (a damaged
    record only costs time)."""
    try:
        found = pickle.loads(blob) if blob else None
    except Exception:  # noqa: BLE001
        return None
    return found if isinstance(found, kind) else None


def _stamp(settings: Settings, sources: dict, scanned_ns: int, output: dict, printed: str) -> Stamp:
    return Stamp(settings.digest, settings.watched or {}, settings.present, settings.watched_ns, sources, scanned_ns,
                 output, printed)
