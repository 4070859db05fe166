"""The persistent cache in `.jobzone-cache/` (git-ignored): what was computed, keyed by what it came from.

Two things are kept:
- each report's analysis (parsed, scored, verified on its own), keyed by the report's
  bytes and path, the methodology and jobzone's own code, so any change to any of
  them misses the cache;
- a stamp of the last build of each output folder: the digest of every input and of
  the output it wrote, so a build with nothing changed can stop at once.

Anything unreadable in the cache is treated as missing and recomputed: a corrupted
cache costs time, never correctness. `--clean` deletes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from builder import __version__

CACHE_DIR = ".jobzone-cache"
FORMAT = "1"
_CODE_SUFFIXES = (".py", ".toml", ".json", ".html", ".xml", ".css", ".js", ".svg")


def _ignore_in_git(folder: Path) -> None:
    """The cache folder ignores itself, so it never shows up in the git status of a project
    that runs jobzone (for example as a pre-commit hook) without ignoring it."""
    root = next((p for p in (folder, *folder.parents) if p.name == CACHE_DIR), None)
    if root is not None and not (root / ".gitignore").exists():
        try:
            (root / ".gitignore").write_text("# written by jobzone: everything here is a cache\n*\n",
                                             encoding="utf-8")
        except OSError:
            pass


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """jobzone's version, cache format, Python version and the bytes of its own package files."""
    digest = hashlib.blake2b(f"{__version__}\0{FORMAT}\0{sys.version}".encode(), digest_size=16)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _ignore_in_git(path.parent)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Cache:
    """One project's cache folder; every method copes with it being absent, corrupt or read-only."""

    def __init__(self, root: Path, salt: str) -> None:
        self.folder = root / CACHE_DIR
        self.salt = f"{code_fingerprint()}\0{salt}"

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    @contextmanager
    def lock(self, waiting: Callable[[], None]) -> Iterator[None]:
        """One build of a project at a time: a second waits (calling `waiting` once) instead of
        racing the first for the output folder and the cache. The lock dies with its process."""
        import fcntl

        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "build.lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waiting()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def key(self, data: bytes, name: str) -> str:
        return hashlib.blake2b(f"{self.salt}\0{name}\0".encode() + data, digest_size=20).hexdigest()

    def _analysis_path(self, key: str) -> Path:
        return self.folder / "analysis" / key[:2] / f"{key}.pickle"

    def load(self, key: str) -> Any | None:
        path = self._analysis_path(key)
        try:
            with path.open("rb") as stream:
                return pickle.load(stream)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, and is dropped
            path.unlink(missing_ok=True)
            return None

    def store(self, key: str, value: Any) -> None:
        try:
            _write_atomically(self._analysis_path(key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError, RecursionError):
            pass  # a cache that cannot be written only costs time

    # -- build stamps --------------------------------------------------------------------------
    def _stamp_path(self, out: Path) -> Path:
        name = hashlib.blake2b(str(out).encode(), digest_size=8).hexdigest()
        return self.folder / "builds" / f"{name}.json"

    def stamp(self, out: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(self._stamp_path(out).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save_stamp(self, out: Path, stamp: dict[str, Any]) -> None:
        try:
            _write_atomically(self._stamp_path(out), json.dumps(stamp, sort_keys=True).encode("utf-8"))
        except OSError:
            pass

    def forget_stamp(self, out: Path) -> None:
        self._stamp_path(out).unlink(missing_ok=True)


def tree_digest(folder: Path, with_content: bool) -> str:
    """A digest of every file under `folder`: names and bytes, or names, sizes and modification times."""
    digest = hashlib.blake2b(digest_size=16)
    if not folder.is_dir():
        return "absent"
    pending = [str(folder)]
    base = len(str(folder)) + 1
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError:
            digest.update(f"{current[base:]}\0unreadable\0".encode())
            continue
        for entry in entries:
            relative = entry.path[base:]
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif with_content:
                    with open(entry.path, "rb") as stream:
                        digest.update(relative.encode() + b"\0" + stream.read() + b"\0")
                else:
                    info = entry.stat(follow_symlinks=False)
                    digest.update(f"{relative}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
            except OSError:
                digest.update(f"{relative}\0unreadable\0".encode())
    return digest.hexdigest()
