"""The persistent cache in `.jobzone-cache/` (git-ignored): what was computed, keyed by what it came from.

Two things are kept:
- each report's analysis (parsed, scored, verified on its own), keyed by the report's
  bytes and path, the methodology and jobzone's own code, so any change to any of
  them misses the cache;
- what the last build of each output folder left for the next (`builder.state`), so a
  rebuild reads, analyses and writes only what changed.

Anything unreadable in the cache is treated as missing and recomputed: a corrupted
cache costs time, never correctness. `--clean` deletes it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from builder import __version__

CACHE_DIR = ".jobzone-cache"
FORMAT = "2"
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


# The libraries whose behaviour shapes an analysis or a page: a different version of any of them
# may parse, escape or render differently, so it must miss the cache like a new jobzone would.
_LIBRARIES = ("markdown_it", "mdurl", "jinja2", "markupsafe", "yaml", "jsonschema")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """jobzone's version, cache format, Python version, the bytes of its own package files, and where
    and when the libraries it renders with were installed (without importing them)."""
    from importlib.util import find_spec

    digest = hashlib.blake2b(f"{__version__}\0{FORMAT}\0{sys.version}".encode(), digest_size=16)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in _LIBRARIES:
        try:
            origin = getattr(find_spec(name), "origin", None) or ""
            info = os.stat(origin) if origin else None
        except (ImportError, ValueError, OSError):
            origin, info = "", None
        digest.update(f"{name}\0{origin}\0{info.st_size if info else ''}\0{info.st_mtime_ns if info else ''}\0".encode())
    return digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _ignore_in_git(path.parent)
    import tempfile

    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_pickle(path: Path) -> Any | None:
    """What `_write_pickle` stored at `path`; None when it is absent or cannot be read back."""
    try:
        with path.open("rb") as stream:
            return pickle.load(stream)
    except Exception:  # noqa: BLE001 - a damaged entry is only a miss
        return None


def _write_pickle(path: Path, value: Any) -> None:
    try:
        _write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # a cache that cannot be written only costs time


class Cache:
    """One project's cache folder; every method copes with it being absent, corrupt or read-only."""

    def __init__(self, root: Path, salt: str) -> None:
        self.folder = root / CACHE_DIR
        self.salt = f"{code_fingerprint()}\0{salt}"
        self.verdicts = Memo(self, "verdicts")

    def clear(self) -> None:
        """Empty the cache; the lock file stays, so a build holding or waiting for it keeps its place."""
        import shutil

        if not self.folder.is_dir():
            return
        for item in self.folder.iterdir():
            if item.name == "build.lock":
                continue
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item, ignore_errors=True)
            else:
                item.unlink(missing_ok=True)

    @contextmanager
    def lock(self, waiting: Callable[[], None]) -> Iterator[None]:
        """One build of a project at a time: a second waits (calling `waiting` once) instead of
        racing the first for the output folder and the cache. The lock dies with its process: it is a
        POSIX record lock, which belongs to the process and is not shared with worker processes it
        forks (an flock would be, and live on in a worker of a killed build)."""
        import errno
        import fcntl

        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "build.lock", "a+b") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                waiting()
                fcntl.lockf(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(handle, fcntl.LOCK_UN)

    def key(self, data: bytes, name: str) -> str:
        return hashlib.blake2b(f"{self.salt}\0{name}\0".encode() + data, digest_size=20).hexdigest()

    def _analysis_path(self, key: str) -> Path:
        return self.folder / "analysis" / key[:2] / f"{key}.pickle"

    def load(self, key: str) -> Any | None:
        return _read_pickle(self._analysis_path(key))

    def store(self, key: str, value: Any) -> None:
        _write_pickle(self._analysis_path(key), value)

    # -- what the last build of each output folder left (see builder.state) -------------------------
    def _record_path(self, out: Path, kind: str) -> Path:
        name = hashlib.blake2b(str(out).encode(), digest_size=8).hexdigest()
        return self.folder / "builds" / f"{name}.{kind}.pickle"

    def record(self, out: Path, kind: str) -> Any | None:
        """The `kind` record of the last build into `out`, or None when absent or unreadable (a full build)."""
        return _read_pickle(self._record_path(out, kind))

    def save_record(self, out: Path, kind: str, value: Any) -> None:
        _write_pickle(self._record_path(out, kind), value)

    def forget_record(self, out: Path, kind: str) -> None:
        self._record_path(out, kind).unlink(missing_ok=True)


class Memo:
    """Results of a pure function kept in the cache, one small file each, keyed by a digest of the
    argument and of jobzone's code (so a new version never reads an old verdict)."""

    def __init__(self, cache: Cache, kind: str) -> None:
        self.cache, self.kind = cache, kind

    def _path(self, key: str) -> Path:
        name = self.cache.key(key.encode("utf-8"), self.kind)
        return self.cache.folder / self.kind / name[:2] / f"{name}.pickle"

    def get(self, key: str) -> Any | None:
        return _read_pickle(self._path(key))

    def __setitem__(self, key: str, value: Any) -> None:
        _write_pickle(self._path(key), value)


def scan_tree(folder: Path, with_folders: bool = False, follow_links: bool = False) -> dict[str, tuple[int, int]]:
    """Every file under `folder` (symbolic links to folders not followed): POSIX relative path -> (size,
    modification time in ns). One stat per file and no reads, so it is cheap enough to run on every
    build. With `follow_links`, a link to a file is stated as the file it points to (so editing that
    file changes the link's entry too). With `with_folders`, every folder too, as "sub/" ("" for
    `folder` itself): a folder's time changes whenever a file is added to it, removed or renamed."""
    found: dict[str, tuple[int, int]] = {}
    pending = [str(folder)]
    base = len(str(folder)) + 1
    while pending:
        current = pending.pop()
        try:
            entries = os.scandir(current)
            if with_folders:
                info = os.stat(current, follow_symlinks=False)
                found[current[base:] + "/" if len(current) >= base else ""] = (info.st_size, info.st_mtime_ns)
        except OSError:
            if current != str(folder):
                found[current[base:] + "/"] = (-1, -1)  # an unreadable folder differs from any readable one
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    else:
                        info = entry.stat(follow_symlinks=follow_links)
                        found[entry.path[base:]] = (info.st_size, info.st_mtime_ns)
                except OSError:
                    found[entry.path[base:]] = (-1, -1)
    return found


def unchanged_tree(folder: Path, seen: dict[str, tuple[int, int]]) -> bool:
    """Whether `folder` is as `scan_tree(folder, with_folders=True)` saw it, by one stat per entry and no
    listing: a changed file shows in its own stat, an added, removed or renamed one in its folder's."""
    if not seen:
        return False
    base = f"{folder}{os.sep}"
    for relative, before in seen.items():
        try:
            info = os.stat(base + relative, follow_symlinks=False)
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns) != before:
            return False
    return True


def tree_digest(folder: Path) -> str:
    """A digest of every file under `folder`, names and bytes (for templates: few and small). Links
    to folders are followed, as Jinja follows them when a template includes another; each real
    folder is read once, so a link cycle ends."""
    digest = hashlib.blake2b(digest_size=16)
    if not folder.is_dir():
        return "absent"
    seen: set[str] = set()
    for here, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        folders.sort()
        for name in sorted(files):
            path = Path(here) / name
            try:
                data = path.read_bytes() if path.is_file() else b"\0not a file"
            except OSError:
                data = b"\0unreadable"
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + data + b"\0")
    return digest.hexdigest()
