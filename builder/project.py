"""The project on disk: config, methodology and reports found, checked and reported.

The I/O edge shared by every command (check, build): where the pure pipeline meets
the working directory, the file system and the terminal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from builder.cache import Cache
from builder.config import ConfigError, SiteConfig, load_config
from builder.diagnostics import Diagnostic, Location, error, warning
from builder.freshness import Stat, content_stat
from builder.freshness import file_identity as identity_of

if TYPE_CHECKING:  # the checker's modules are imported when a check runs, not for a build with nothing to do
    from builder.methodology import Methodology
    from builder.check import Checked, CheckResult
    from builder.corpus import Entry

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
# Marks an output folder as written by `jobzone build`, so a later build may replace it whole.
MARKER = ".jobzone-site"
MARKER_TEXT = "This folder is written by `jobzone build` and replaced on every build.\n"


class UsageError(Exception):
    """A problem with how jobzone was called or configured: exit status 2. Its message may hold several
    problems, one a line (a settings file's, each at its place)."""

    @classmethod
    def of_settings(cls, exc: Exception) -> UsageError:
        """A settings file's problems (`tomldata.LocatedError`), each line with the code of their kind."""
        return cls("\n".join(f"{line} [JZ901]" for line in str(exc).splitlines()))

    def told(self) -> str:
        """As printed: `jobzone: error:` before each problem."""
        return "\n".join(f"jobzone: error: {line}" for line in str(self).splitlines() or [""])


def shown_path(path: Path) -> str:
    """Paths as the user would type them: relative to the working directory when inside it.
    A symbolic link is shown where it is, not where it points."""
    cwd = os.getcwd()
    inside = cwd.rstrip(os.sep) + os.sep
    absolute = os.path.abspath(path)
    for candidate in (absolute, None):
        candidate = candidate or os.path.realpath(path)
        if candidate == cwd:
            return "."
        if candidate.startswith(inside):
            return candidate[len(inside):]
    return str(path)


def markdown_files(folder: Path, skipped: list[Diagnostic] | None = None) -> list[tuple[str, Stat]]:
    """The reports under a folder with their stat as `freshness.content_stat` tells it, sorted
    by path: `*.md` files, hidden files and folders skipped, symlinked folders not followed, and a
    symlinked file only when it points inside the folder. What is left out for a reason goes to
    `skipped`. Cheap enough for every save."""
    found: list[tuple[str, Stat]] = []
    root = os.path.realpath(folder)
    pending = [str(folder)]
    note = skipped.append if skipped is not None else (lambda diagnostic: None)
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError as exc:
            note(error("JZ001", f"cannot read folder: {exc.strerror or exc}", Location(shown_path(Path(current)))))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.name.endswith(".md"):
                    if entry.is_symlink() and os.path.commonpath([root, os.path.realpath(entry.path)]) != root:
                        note(warning("JZ005", "symbolic link to a file outside the content folder: not read",
                                     Location(shown_path(Path(entry.path)))))
                        continue
                    found.append((entry.path, content_stat(entry)))
            except OSError as exc:
                if entry.is_symlink():  # a report's name leading nowhere (or to itself) is told, not skipped
                    note(error("JZ001", f"cannot read file: {exc.strerror or exc}",  # as when read (`check.read_bytes`)
                               Location(shown_path(Path(entry.path)))))
                continue  # else it vanished since the folder was listed
    return sorted(found, key=lambda item: item[0])


def report_files(root: Path, skipped: list[Diagnostic] | None = None) -> list[Path]:
    """Markdown files under a folder, sorted (see `markdown_files`)."""
    return [Path(path) for path, _ in markdown_files(root, skipped)]


def _expand(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(report_files(path))
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            raise UsageError(f"no such file or folder: {raw}")
    return files


def load_project(config_file: str | None) -> tuple[SiteConfig, Methodology]:
    """The site config and methodology; a broken one is a usage error (exit 2)."""
    config = load_site_config(config_file)
    return config, load_site_methodology(config)


def load_site_config(config_file: str | None) -> SiteConfig:
    try:
        return load_config(Path.cwd(), Path(config_file) if config_file else None)
    except ConfigError as exc:
        raise UsageError.of_settings(exc) from exc


def load_site_methodology(config: SiteConfig) -> Methodology:
    from builder.methodology import MethodologyError, load_methodology_file

    try:
        return load_methodology_file(config.methodology_path, config.methodology)  # named as in jobzone.toml
    except MethodologyError as exc:
        raise UsageError.of_settings(exc) from exc


def open_cache(config: SiteConfig, methodology: Methodology | None, clean: bool = False) -> Cache:
    """The project's cache for this methodology; `clean` empties it first."""
    cache = Cache(config.root, repr(methodology))
    if clean:
        cache.clear()
    return cache


def run_check(config: SiteConfig, methodology: Methodology, paths: Sequence[str],
              cache: Cache | None = None, known: Mapping[str, Checked] | None = None,
              summaries: bool = False) -> tuple[CheckResult, list[str]]:
    """Check the given reports against the whole site, so citations of other reports resolve.

    `known`: analyses of files whose bytes are known to be unchanged, by shown path (not re-read);
    `summaries`: keep only each report's summary (see `check_files`)."""
    from builder.check import check_files

    if not paths and not config.content_path.is_dir():
        raise UsageError(f"no content folder {config.content_dir}/ in {config.root}: run jobzone in the project root, "
                         "or name the reports to check")
    skipped: list[Diagnostic] = []
    site = report_files(config.content_path, skipped) if config.content_path.is_dir() else []
    wanted = _expand(paths) if paths else list(site)
    by_file = one_name_each(site)  # a link to a report inside the folder is the report once
    if paths:
        by_file.update({file_identity(p): p for p in wanted})  # a report named is read by that name
    files = [(p, shown_path(p)) for p in by_file.values()]
    from builder.progress import progress

    with progress("Checking", len(files)) as advance:
        result = check_files(files, methodology, cache, advance, known, summaries)
    return with_missing_files(with_skipped(result, skipped), config), [shown_path(p) for p in wanted]


def one_name_each(paths: Sequence[Path]) -> dict[tuple[int, int] | str, Path]:
    """The files among `paths`, each under one name (the last in order) however many links name it."""
    return {file_identity(p): p for p in paths}


def with_skipped(result: CheckResult, skipped: list[Diagnostic]) -> CheckResult:
    """Add what the content folder's listing told of files it could not take as reports (`markdown_files`)."""
    result.diagnostics = sorted(dict.fromkeys([*result.diagnostics, *skipped]), key=Diagnostic.sort_key)
    return result


def file_identity(path: Path) -> tuple[int, int] | str:
    """What makes two paths one file (`freshness.file_identity`), or its resolved path if it cannot be read."""
    return identity_of(path) or os.path.realpath(path)  # never raises, even for a link to itself


def with_missing_files(result: CheckResult, config: SiteConfig) -> CheckResult:
    """Add the check that needs the disk: every file a report links to exists under the content folder."""
    result.diagnostics = sorted([*result.diagnostics, *_missing_files(result, config)], key=Diagnostic.sort_key)
    return result


def format_diagnostics(diagnostics: list[Diagnostic], fmt: str, reports: int) -> str:
    """The chosen format; under GitHub Actions, text output also carries workflow annotations."""
    from builder.reporting import render

    text = render(diagnostics, fmt, reports)
    if fmt == "text" and os.environ.get("GITHUB_ACTIONS") == "true":
        return render(diagnostics, "github", reports).rsplit("\n", 1)[0] + "\n" + text
    return text


def print_diagnostics(diagnostics: list[Diagnostic], fmt: str, reports: int) -> None:
    print(format_diagnostics(diagnostics, fmt, reports))


def local_files(entry: Entry, config: SiteConfig) -> dict[str, Path | None]:
    """Each relative file link of a report -> the file under the content folder, or None if there is none."""
    if not any(ref.kind == "file" for ref in entry.report.links):
        return {}
    content = Path(os.path.realpath(config.content_path))  # realpath, not resolve: a link loop is no error here
    folder = Path(os.path.realpath(entry.report.path)).parent
    found: dict[str, Path | None] = {}
    for ref in entry.report.links:
        if ref.kind == "file":
            target = Path(os.path.realpath(folder / ref.path))
            found[ref.href] = target if target.is_relative_to(content) and target.is_file() else None
    return found


def _missing_files(result: CheckResult, config: SiteConfig) -> list[Diagnostic]:
    problems = []
    for entry in result.entries:
        files = local_files(entry, config)
        for ref in entry.report.links:
            if ref.kind == "file" and files[ref.href] is None:
                problems.append(error("JZ409", f"link to {ref.href!r}: no such file in {config.content_dir}/; put "
                                      "the file beside the reports or link to it by absolute URL", ref.location))
    return problems
