"""Whether the site the last build left is still current, told before anything heavy is imported.

A build with nothing to do should cost little more than starting Python. Every build
leaves a `Stamp` of its output folder: the size and time of every file it read its
settings from (jobzone's own code, the libraries it renders with, the config, the
methodology, the templates, the git files that name the commit), of every content file
and of every file and folder it wrote. Then it leaves a `Run` for the exact command line
it answered (same working directory, arguments, interpreter and git environment), which
points at that stamp and holds what to print.

`answer` is what `jobzone build` tries first: when the run's stamp is still the stamp of
its folder and no file it names changed, the build is done, and what the last build
printed is printed again. Anything else (a change, a missing or damaged record, a file
changed within `RACY_NS` of being looked at) leaves the question to the full build,
which checks settings by their bytes. This module imports only what Python starts with.

A file's size, modification time and change time stand for its bytes, as in git, except for
a file changed within `RACY_NS` before it was looked at: a second write in the same clock
tick could leave them as they were (git's "racily clean" entries). The change time (ctime)
is the system's own and no tool sets it back, so an edit that restores a file's size and
modification time (`cp -p`, `touch -r`, `rsync -t`, unpacking an archive) is still seen.
"""

from __future__ import annotations

import marshal
import os
import stat as statmode
import sys
import zlib
from collections.abc import Iterable, Sequence

RACY_NS = 2_000_000_000  # coarser than any file system's timestamps (FAT: 2 s)
FORMAT = 2  # of both records; anything else reads as absent

Stat = tuple[int, int, int]  # (size, modification time, change time), times in ns
SourceFile = tuple[int, int, int, str]  # a Stat and the digest of the bytes
ABSENT: Stat = (-2, -2, -2)  # a watched path that was not there
UNREADABLE: Stat = (-1, -1, -1)  # one that could not be stated


class Stamp:
    """What one build of an output folder left. A plain class, not a dataclass, and stored with
    marshal, not pickle: both of those imports would cost more than reading it."""

    __slots__ = ("settings", "watched", "present", "watched_ns", "sources", "scanned_ns", "output", "printed")

    def __init__(self, settings: str, watched: dict[str, Stat], present: dict[str, bool], watched_ns: int,
                 sources: dict[str, SourceFile], scanned_ns: int, output: dict[str, Stat], printed: str) -> None:
        self.settings = settings  # digest of everything besides the content a build reads (build.settings_digest)
        self.watched = watched  # the files and folders those settings were read from, stated before reading
        self.present = present  # paths whose existence alone matters (a `.git` above the content)
        self.watched_ns = watched_ns  # when they were stated
        self.sources = sources  # by POSIX path relative to the content folder
        self.scanned_ns = scanned_ns  # when the sources were stated
        self.output = output  # the output folder's files and folders ("sub/") as the build left them
        self.printed = printed  # the diagnostics the build printed, printed again when nothing changed

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stamp) and self._fields() == other._fields()

    def to_bytes(self) -> bytes:
        return _seal((FORMAT, *self._fields()))

    @classmethod
    def from_bytes(cls, data: bytes | None) -> Stamp | None:
        """The stamp `to_bytes` wrote, or None for anything else (damaged, older format)."""
        fields = _unseal(data, len(cls.__slots__) + 1)
        if fields is None or not all(isinstance(value, kind) for value, kind in zip(fields[1:], _STAMP_TYPES)):
            return None
        return cls(*fields[1:])


_STAMP_TYPES = (str, dict, dict, int, dict, int, dict, str)
_MAGIC = b"jobzone\0"


def _seal(record: tuple) -> bytes:
    """A record as marshal writes it, behind its length and checksum: marshal may crash or run out
    of memory on damaged bytes, so nothing is unmarshalled that is not exactly what was written."""
    payload = marshal.dumps(record)
    return _MAGIC + len(payload).to_bytes(8, "little") + zlib.crc32(payload).to_bytes(4, "little") + payload


def _unseal(data: bytes | None, size: int) -> tuple | None:
    """The record `_seal` wrote, if `data` is whole and of this format with `size` fields; else None."""
    head = len(_MAGIC) + 12
    if not data or len(data) < head or not data.startswith(_MAGIC):
        return None
    length = int.from_bytes(data[len(_MAGIC):len(_MAGIC) + 8], "little")
    payload = data[head:]
    if length != len(payload) or zlib.crc32(payload) != int.from_bytes(data[head - 4:head], "little"):
        return None
    try:
        record = marshal.loads(payload)
    except Exception:  # noqa: BLE001 - only if someone wrote a well-sealed wrong record
        return None
    if not isinstance(record, tuple) or len(record) != size or record[0] != FORMAT:
        return None
    return record


# -- looking at files -----------------------------------------------------------------------------
def stat_tuple(info: os.stat_result) -> Stat:
    """The part of a file's stat that stands for its bytes (see the module's docstring)."""
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns


def stat_of(path: str) -> Stat:
    """Size and times of what `path` names (through links), ABSENT when nothing is there."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return ABSENT
    except OSError:
        return UNREADABLE
    return stat_tuple(info)


def file_identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """What makes two names one file: the device and inode of what `path` names (through links); None
    when it cannot be stated."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def trusted(known: Stat, now: Stat, looked_ns: int) -> bool:
    """Whether a file's stat `now` stands for the bytes it had when it was `known` at `looked_ns`:
    the same size and times, and written far enough before that look (else the file is racy)."""
    return known == now and now[1] < looked_ns - RACY_NS


def watch(paths: Iterable[str]) -> dict[str, Stat]:
    return {path: stat_of(path) for path in paths}


def unchanged(watched: dict[str, Stat], present: dict[str, bool], since_ns: int) -> bool:
    """Whether every watched path has the stat it had when looked at `since_ns` (and had it long
    enough before then to be trusted), and every `present` path still exists or not as it did."""
    if not all(trusted(before, stat_of(path), since_ns) for path, before in watched.items()):
        return False
    return all(os.path.lexists(path) == there for path, there in present.items())


def content_stat(entry: os.DirEntry[str]) -> Stat:
    """A content file's (size, time), as changes to it are told by: a link is stated as what it
    points to, its time the later of that and the link's own (so making it anew, pointed elsewhere,
    is a change too)."""
    info = entry.stat()
    latest = info.st_mtime_ns
    if entry.is_symlink():
        latest = max(latest, _links_changed_ns(entry.path))
    return info.st_size, latest, info.st_ctime_ns


def _links_changed_ns(path: str) -> int:
    """The latest change of the links a path leads through (a link to a link re-pointed is a change
    of every file read through it)."""
    latest = 0
    for _hop in range(40):  # as the kernel gives up on a loop
        try:
            info = os.lstat(path)
            if not statmode.S_ISLNK(info.st_mode):
                break
            latest = max(latest, info.st_mtime_ns)
            path = os.path.join(os.path.dirname(path), os.readlink(path))
        except OSError:
            break
    return latest


def scan_tree(folder: str | os.PathLike[str], with_folders: bool = False,
              follow_links: bool = False) -> dict[str, Stat]:
    """Every file under `folder` (symbolic links to folders not followed): POSIX relative path -> (size,
    modification time in ns). One stat per file and no reads, so it is cheap enough to run on every
    build. With `follow_links`, a link is stated as what it points to (so editing that file changes
    the link's entry too), its time the later of that and the link's own (so does making the link anew). With `with_folders`, every folder too, as "sub/" ("" for
    `folder` itself): a folder's time changes whenever a file is added to it, removed or renamed."""
    found: dict[str, Stat] = {}
    top = os.fspath(folder)
    pending = [top]
    base = len(top) + 1
    while pending:
        current = pending.pop()
        try:
            entries = os.scandir(current)
            if with_folders:
                info = os.stat(current, follow_symlinks=False)
                found[current[base:] + "/" if len(current) >= base else ""] = stat_tuple(info)
        except OSError:
            if current != top:
                found[current[base:] + "/"] = UNREADABLE  # an unreadable folder differs from any readable one
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif follow_links:
                        found[entry.path[base:]] = content_stat(entry)
                    else:
                        found[entry.path[base:]] = stat_tuple(entry.stat(follow_symlinks=False))
                except OSError:
                    found[entry.path[base:]] = UNREADABLE
    return found


def unchanged_tree(folder: str | os.PathLike[str], seen: dict[str, Stat]) -> bool:
    """Whether `folder` is as `scan_tree(folder, with_folders=True)` saw it, by one stat per entry and no
    listing: a changed file shows in its own stat, an added, removed or renamed one in its folder's."""
    if not seen:
        return False
    base = f"{os.fspath(folder)}{os.sep}"
    for relative, before in seen.items():
        try:
            info = os.stat(base + relative, follow_symlinks=False)
        except OSError:
            return False
        if stat_tuple(info) != before:
            return False
    return True


def sources_unchanged(folder: str, sources: dict[str, SourceFile], scanned_ns: int) -> bool:
    """Whether the content folder holds exactly the files of the last build, each with the stat it
    had and had long enough before the last scan to be trusted (no file needs reading)."""
    if not os.path.isdir(folder):
        return False
    now = scan_tree(folder, follow_links=True)
    if now.keys() != sources.keys():
        return False
    return all(trusted(sources[relative][:3], stat, scanned_ns) for relative, stat in now.items())


# -- one command line's answer --------------------------------------------------------------------
CACHE_DIR = ".jobzone-cache"


def run_key(argv: Sequence[str], cwd: str) -> str:
    """What, besides files, decides what `jobzone build` does and prints: where and how it was called."""
    environment = sorted((name, value) for name, value in os.environ.items()
                         if name == "GITHUB_ACTIONS" or name.startswith("GIT_"))
    return repr((cwd, list(argv), sys.executable, sys.path, os.path.dirname(os.path.abspath(__file__)), environment))


def run_path(cache_folder: str, key: str) -> str:
    return os.path.join(cache_folder, "builds", f"run-{zlib.crc32(key.encode()):08x}.marshal")


def save_run(cache_folder: str, key: str, stamp_path: str, stamp: Stamp, content: str, out: str, out_given: str,
             message: str) -> None:
    """Remember, for the command line `key`, that it found `stamp` current and printed `message`
    (`out_given`: the output folder as named, before links were followed to `out`)."""
    path = run_path(cache_folder, key)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as stream:
            stream.write(_seal((FORMAT, key, stamp_path, stamp.scanned_ns, content, out, out_given, message)))
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return None


_RUN_TYPES = (str, str, int, str, str, str, str)


def answer(argv: Sequence[str], cwd: str) -> str | None:
    """What `jobzone build` with these arguments prints when its last build here is still current,
    or None when a full build must look. Never raises: any doubt is a None. (A build asked to clean,
    however `--clean` is spelt, leaves no run to find.)"""
    if "--clean" in argv:
        return None
    key = run_key(argv, cwd)
    run = _unseal(_read(run_path(os.path.join(cwd, CACHE_DIR), key)), len(_RUN_TYPES) + 1)
    if run is None or not all(isinstance(value, kind) for value, kind in zip(run[1:], _RUN_TYPES)) or run[1] != key:
        return None
    _, _, stamp_path, scanned_ns, content, out, out_given, message = run
    if os.path.realpath(out_given) != out:
        return None  # the output folder is named through a link that now points elsewhere
    stamp = Stamp.from_bytes(_read(stamp_path))
    if stamp is None or stamp.scanned_ns != scanned_ns:
        return None  # another build has been (or is being) made since
    if not unchanged(stamp.watched, stamp.present, stamp.watched_ns):
        return None
    # The content first: an edited report is the usual change, and the output folder has 3 times the files.
    if not sources_unchanged(content, stamp.sources, stamp.scanned_ns) or not unchanged_tree(out, stamp.output):
        return None
    return message
