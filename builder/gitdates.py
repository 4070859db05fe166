"""Dates from git: the last commit that touched each report, for reports without `updated`.

I/O edge. One `git log` over the content folder, so a site of any size costs one
process; outside a git work tree (or without git) there are simply no dates. The
date is the committer date of the newest commit, so the same history always gives
the same site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path


def last_commit_dates(folder: Path) -> dict[Path, date]:
    """Resolved file path -> date of the newest commit that changed it."""
    import subprocess

    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True,
                             timeout=30, check=False)
        if top.returncode != 0:
            return {}
        log = subprocess.run(["git", "log", "--format=%x00%cs", "--name-only", "--no-renames", "--", "."],
                             cwd=folder, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError):
        return {}
    if log.returncode != 0:
        return {}
    root = Path(top.stdout.strip())
    dates: dict[Path, date] = {}
    current: date | None = None
    for line in log.stdout.splitlines():
        if line.startswith("\x00"):
            try:
                current = date.fromisoformat(line[1:].strip())
            except ValueError:
                current = None
        elif line and current is not None:
            dates.setdefault((root / line).resolve(), current)
    return dates


def _git_markers(folder: Path) -> tuple[str, ...]:
    """The `.git` paths in the folder and above it: one of them existing is what makes it a work tree."""
    here = folder.resolve()
    return tuple(str(parent / ".git") for parent in (here, *here.parents))


@dataclass(frozen=True)
class GitHead:
    """The commit the content is at, and what it was read from, so a later build can tell by a few
    stats that it is the same (`builder.freshness`)."""

    commit: str  # "" outside git, or before the first commit
    files: tuple[str, ...] | None  # the files git read it from; None when not known (never trusted unread)
    markers: tuple[str, ...]  # the `.git` paths whose existence decides whether there is a repository
    shallow: str = ""  # the commits a shallow clone's history stops at: a fetch that deepens it adds dates

    @property
    def identity(self) -> str:
        """What the dates depend on: the commit, and how much of its history is there."""
        return f"{self.commit}\0{self.shallow}"


def git_head(folder: Path) -> GitHead:
    """The commit the content is at: page dates come from history, so it is an input. Git is not
    started outside a work tree (a build with nothing to do should not pay for a process)."""
    markers = _git_markers(folder)
    if os.environ.get("GIT_DIR") is None and not any(os.path.lexists(marker) for marker in markers):
        return GitHead("", (), markers)
    import subprocess

    try:
        found = subprocess.run(["git", "rev-parse", "--absolute-git-dir", "--git-common-dir", "HEAD",
                                "--symbolic-full-name", "HEAD"], cwd=folder, capture_output=True, text=True,
                               timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return GitHead("", None, markers)
    lines = found.stdout.splitlines()
    if found.returncode != 0 or len(lines) != 4:
        return GitHead("", None, markers)  # not a repository after all, or no commit yet
    git_dir, common = Path(lines[0]), folder / lines[1]
    files = [git_dir / "HEAD", git_dir / "shallow", common / "shallow", common / "packed-refs",
             common / "reftable" / "tables.list"]  # where refs live in a repository of the newer format
    if lines[3].startswith("refs/"):
        files.append(common / lines[3])
    shallow = ""
    for path in sorted({files[1], files[2]}):
        try:
            shallow += path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            pass
    return GitHead(lines[2], tuple(os.path.abspath(path) for path in files), markers, shallow)
