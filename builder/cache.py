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
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from builder import __version__
from builder.freshness import Stamp, watch
from builder.state import digest_bytes

CACHE_DIR = ".jobzone-cache"
FORMAT = "3"
SWEEP_GRACE_S = 3600  # a sweep never deletes anything younger: a build or `serve` beside it may have just made it
SWEEP_EVERY_S = 86400  # after incremental builds; a full build always sweeps
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


def _package_files(folder: str) -> Iterator[str]:
    """jobzone's own folders and its source, data, template and static files. Imported from a zip
    archive, there is no folder to list: the archive itself is what changes."""
    try:
        listing = os.scandir(folder)
    except OSError:
        archive = folder
        while archive and not os.path.isfile(archive) and os.path.dirname(archive) != archive:
            archive = os.path.dirname(archive)
        yield archive
        return
    yield folder
    with listing as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    yield from _package_files(entry.path)
            elif entry.name.endswith(_CODE_SUFFIXES):
                yield entry.path


@lru_cache(maxsize=1)
def code_files() -> tuple[str, ...]:
    """The files that are jobzone's code: its own package, and the files the libraries it renders
    with are imported from (found without importing them)."""
    from importlib.util import find_spec

    origins = []
    for name in _LIBRARIES:
        try:
            origins.append(getattr(find_spec(name), "origin", None) or f"<{name} not found>")
        except (ImportError, ValueError):
            origins.append(f"<{name} not found>")
    return (*_package_files(os.path.dirname(os.path.abspath(__file__))), *origins)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """jobzone's version, cache format and Python version, and the size and time of every file of
    its code (`code_files`): any edit to jobzone, upgrade or reinstall misses the cache. Stat, not
    bytes, as for the content (`builder.freshness`): every build pays for this."""
    parts = [__version__, FORMAT, sys.version]
    parts += (f"{path}\0" + "\0".join(map(str, stat)) for path, stat in watch(code_files()).items())
    return hashlib.blake2b("\0\0".join(parts).encode(), digest_size=16).hexdigest()


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


def _write_pickle(path: Path, value: Any) -> bool:
    """Store `value` at `path`; False if it could not be (a cache that cannot be written only costs time)."""
    try:
        _write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, RecursionError):
        return False
    return True


class CacheUnusable(OSError):
    """The cache folder cannot be made or opened (a file or a dangling link has its name): a build,
    which must hold the cache's lock, cannot run until it is moved away."""

    def __init__(self, folder: Path, cause: OSError) -> None:
        super().__init__(f"cannot use the cache folder {folder}: {cause.strerror or cause}; it must be a folder "
                         "jobzone can write (move away whatever has its name)")


class Cache:
    """One project's cache folder; every method copes with it being absent, corrupt or read-only."""

    def __init__(self, root: Path, salt: str) -> None:
        self.folder = root / CACHE_DIR
        self.salt = f"{code_fingerprint()}\0{salt}"
        # Entries made by this code with this methodology live in a folder of their own, so those
        # of another version or methodology (which can never be hit) go in one sweep.
        self.generation = hashlib.blake2b(self.salt.encode(), digest_size=8).hexdigest()
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

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.folder / "build.lock", "a+b")  # noqa: SIM115 - closed below, after the build
        except OSError as exc:
            raise CacheUnusable(self.folder, exc) from None
        with handle:
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
        return self.key_of(digest_bytes(data), name)

    def key_of(self, digest: str, name: str) -> str:
        """The key of the analysis of a file shown as `name` whose bytes have `digest`
        (`state.digest_bytes`): a build's record holds every report's digest, so a sweep can tell
        the entries still needed without reading a report."""
        text = f"{self.salt}\0{name}\0{digest}".encode("utf-8", "surrogateescape")  # names need not be UTF-8
        return hashlib.blake2b(text, digest_size=20).hexdigest()

    def _analysis_path(self, key: str) -> Path:
        return self.folder / "analysis" / self.generation / key[:2] / f"{key}.pickle"

    def sweep_due(self, now: float) -> bool:
        """Whether the last sweep is more than `SWEEP_EVERY_S` old (or there was none)."""
        try:
            return now - (self.folder / "builds" / "swept").stat().st_mtime >= SWEEP_EVERY_S
        except OSError:
            return True

    def sweep(self, live: set[str], now: float) -> None:
        """Delete what no current report needs, so the cache does not grow with every edit and every
        upgrade: analyses whose key is not in `live` (earlier versions of a report, reports since
        deleted or renamed), and every analysis and verdict another version of jobzone or another
        methodology made. Nothing used within `SWEEP_GRACE_S` is deleted, nor anything not named as
        the cache names its entries, nor anything reached through a symbolic link (a linked folder
        may hold more than the cache); a cache that cannot be swept only takes room."""
        import shutil

        old = now - SWEEP_GRACE_S
        for kind in ("analysis", "verdicts"):
            for folder in _folders(self.folder / kind):
                if folder.name != self.generation and _OURS.fullmatch(folder.name) and _last_used(folder) < old:
                    shutil.rmtree(folder, ignore_errors=True)
        linked = os.path.islink(self.folder / "analysis")
        for folder in [] if linked else _folders(self.folder / "analysis" / self.generation):
            for entry in _files(folder):
                if _ENTRY.fullmatch(entry.name) and entry.name[:-7] not in live and _mtime(entry) < old:
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        pass
        marker = self.folder / "builds" / "swept"
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
            os.utime(marker, (now, now))
        except OSError:
            pass

    def load(self, key: str) -> Any | None:
        return _read_pickle(self._analysis_path(key))

    def store(self, key: str, value: Any) -> None:
        _write_pickle(self._analysis_path(key), value)

    # -- what the last build of each output folder left (see builder.state) -------------------------
    def _record_path(self, out: Path, kind: str, suffix: str = "pickle") -> Path:
        name = hashlib.blake2b(str(out).encode(), digest_size=8).hexdigest()
        return self.folder / "builds" / f"{name}.{kind}.{suffix}"

    def stamp_path(self, out: Path) -> Path:
        return self._record_path(out, "stamp", "marshal")

    def stamp(self, out: Path) -> Stamp | None:
        """The stamp of the last build into `out`, or None when absent or unreadable (a full build)."""
        try:
            return Stamp.from_bytes(self.stamp_path(out).read_bytes())
        except OSError:
            return None

    def save_stamp(self, out: Path, stamp: Stamp) -> None:
        try:
            _write_atomically(self.stamp_path(out), stamp.to_bytes())
        except OSError:
            pass  # a cache that cannot be written only costs time

    def forget_stamp(self, out: Path) -> None:
        self.stamp_path(out).unlink(missing_ok=True)

    def record(self, out: Path, kind: str) -> Any | None:
        """The `kind` record of the last build into `out`, or None when absent or unreadable (a full build)."""
        return _read_pickle(self._record_path(out, kind))

    def save_record(self, out: Path, kind: str, value: Any) -> bool:
        return _write_pickle(self._record_path(out, kind), value)


_OURS = re.compile(r"[0-9a-f]{2}|[0-9a-f]{16}")  # a generation's folder (or, before those, a key's)
_ENTRY = re.compile(r"[0-9a-f]{40}\.pickle|\.tmp-\w+")  # an entry, or one whose writer was killed


def _folders(folder: Path) -> list[Path]:
    """The real folders in `folder`; none if `folder` is itself a link (see `Cache.sweep`)."""
    if os.path.islink(folder):
        return []
    try:
        with os.scandir(folder) as entries:
            return [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _files(folder: Path) -> list[os.DirEntry[str]]:
    if os.path.islink(folder):
        return []
    try:
        with os.scandir(folder) as entries:
            return [e for e in entries if e.is_file(follow_symlinks=False)]
    except OSError:
        return []


def _mtime(entry: os.DirEntry[str]) -> float:
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return 0.0


def _last_used(folder: Path) -> float:
    """When anything was last added to a generation's folder (or its subfolders, where entries go)."""
    try:
        return max([folder.stat().st_mtime, *(sub.stat().st_mtime for sub in _folders(folder))])
    except OSError:
        return 0.0


class Memo:
    """Results of a pure function kept in the cache, one small file each, keyed by a digest of the
    argument and of jobzone's code (so a new version never reads an old verdict)."""

    def __init__(self, cache: Cache, kind: str) -> None:
        self.cache, self.kind = cache, kind

    def _path(self, key: str) -> Path:
        name = self.cache.key(key.encode("utf-8"), self.kind)
        return self.cache.folder / self.kind / self.cache.generation / name[:2] / f"{name}.pickle"

    def get(self, key: str) -> Any | None:
        return _read_pickle(self._path(key))

    def __setitem__(self, key: str, value: Any) -> None:
        _write_pickle(self._path(key), value)


def tree_files(folder: Path) -> Iterator[tuple[Path, bool]]:
    """Every folder and file under `folder` (and `folder` itself), each with whether it is a folder,
    in a stable order. Links to folders are followed, as Jinja follows them when a template includes
    another; each real folder is read once, so a link cycle ends."""
    if not folder.is_dir():
        return
    seen: set[str] = set()
    for here, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        folders.sort()
        yield Path(here), True
        for name in sorted(files):
            yield Path(here) / name, False


def tree_digest(folder: Path) -> str:
    """A digest of every file under `folder`, names and bytes (for templates: few and small)."""
    if not folder.is_dir():
        return "absent"
    digest = hashlib.blake2b(digest_size=16)
    for path, is_folder in tree_files(folder):
        if is_folder:
            continue
        try:
            data = path.read_bytes() if path.is_file() else b"\0not a file"
        except OSError:
            data = b"\0unreadable"
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + data + b"\0")
    return digest.hexdigest()
