"""Dates from git: the last commit that touched each report, for reports without `updated`.

I/O edge. One `git log` over the content folder, so a site of any size costs one
process; outside a git work tree (or without git) there are simply no dates. The
date is the committer date of the newest commit, so the same history always gives
the same site.
"""

from __future__ import annotations

import os
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


def _in_git_work_tree(folder: Path) -> bool:
    """Whether git could find a repository here, without starting git (a build with nothing to do
    should not pay for a process): a `.git` in the folder or above it, or GIT_DIR set."""
    if os.environ.get("GIT_DIR"):
        return True
    here = folder.resolve()
    return any((parent / ".git").exists() for parent in (here, *here.parents))


def git_head(folder: Path) -> str:
    """The commit the content is at ("" outside git): page dates come from history, so it is an input."""
    if not _in_git_work_tree(folder):
        return ""
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return head.stdout.strip() if head.returncode == 0 else ""
