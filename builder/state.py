"""What one build of a site leaves for the next, so a rebuild reads, analyses, renders and
writes only what changed.

Two records per output folder, kept in the cache:
- `Stamp` (`builder.freshness`), small, read by every build: the settings, the stat of
  every content file and output file, and what the build printed. Same settings, same
  sources and an output folder nobody touched: there is nothing to do.
- `SiteModel`, read when something changed: each report's summary and own diagnostics
  (unchanged reports are neither read nor analysed again), what each role page and the
  listings were rendered from (only pages whose inputs changed are rendered), the git
  dates, and a digest of every file written (only files whose bytes changed are written).
  An edit that leaves the edited reports' summaries byte for byte as they were cannot
  change any other page, listing or cross-check (they read nothing else of a report): the
  edited pages are rendered with the kept `render` context, and no other report is read.

Content files are known by size and time, and read only when those changed or are racy
(see `builder.freshness`).
"""

from __future__ import annotations

import hashlib
import os
import stat as statmode
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from builder.freshness import SourceFile, Stat, stat_tuple, trusted


@dataclass
class SiteModel:
    """What a build leaves for the next to be incremental: summaries, what each page was rendered from."""

    checked: dict[str, bytes]  # every report's summary (`Checked.summary`), pickled on its own, by shown path:
    # a rebuild unpickles them all but pickles again only the reports it analysed
    role_pages: dict[str, tuple[str, tuple[str, ...]]]  # slug -> (what the page shows besides its report, files)
    listings: tuple[str, tuple[str, ...], dict[str, str]]  # what the listing pages show, their files, and what
    # each listing page was rendered from (`site.listings_record`)
    dates: dict[Path, date]  # from git, for the commit in the settings
    written: dict[str, str] = field(default_factory=dict)  # output file -> digest of its bytes
    render: bytes = b""  # what every role page is rendered with (`site.RenderContext`), pickled
    counts: tuple[int, int] = (0, 0)  # HTML pages and reports built, for the closing line
    one_name_each: bool = False  # no report was found under two names (a link, a hard link) and read once


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _read_digest(path: Path) -> str:
    """The digest of a regular file's bytes; anything else (a folder, a fifo, a device, a dangling
    link) is named by what it is, never read. A symbolic link's also names where it leads, so
    pointing it elsewhere is a change even when the bytes there are the same."""
    try:
        info = path.stat()
        what = digest_bytes(path.read_bytes()) if statmode.S_ISREG(info.st_mode) \
            else f"special:{statmode.S_IFMT(info.st_mode)}"
        return f"{what}@{os.path.realpath(path)}" if path.is_symlink() else what
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def refresh_sources(now: Mapping[str, Stat], previous: Mapping[str, SourceFile], previous_scan_ns: int,
                    path_of: Callable[[str], Path]) -> tuple[dict[str, SourceFile], set[str]]:
    """The files as they are now (`now`: name -> stat, taken after `previous` was scanned at
    `previous_scan_ns`), and the names whose bytes changed, appeared or disappeared. Only files whose
    stat changed, or is racy, are read (at `path_of(name)`). Both `build` and `serve` tell changes so."""
    sources: dict[str, SourceFile] = {}
    changed = set(previous) - set(now)
    for name, stat in now.items():
        known = previous.get(name)
        if known is not None and trusted(known[:3], stat, previous_scan_ns):
            sources[name] = known
            continue
        digest = _read_digest(path_of(name))
        sources[name] = (*stat, digest)
        if known is None or known[3] != digest:
            changed.add(name)
    return sources, changed


def file_stats(out: Path, relatives: list[str], manifest: dict[str, Stat]) -> None:
    """Record the size and time of files (and folders, "sub/") just written into `manifest`; what is
    gone is dropped from it."""
    for relative in relatives:
        try:
            info = os.stat(out / relative, follow_symlinks=False)
        except OSError:
            manifest.pop(relative, None)
            continue
        manifest[relative] = stat_tuple(info)
