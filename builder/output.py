"""The output folder: where a site may go, and how it is written — staged beside the output
and swapped in whole, or brought up to date in place, file by file.

I/O edge. Nothing outside the output folder is ever written or deleted: every path a
site names is checked to stay inside it (`inside`), and a folder that may hold
sources is refused before anything is built.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path, PurePosixPath

from builder.config import SiteConfig
from builder.freshness import Stat
from builder.project import MARKER, UsageError, shown_path
from builder.state import digest_bytes, file_stats


# -- where the site may go --------------------------------------------------------------------
def normalise_base_url(raw: str) -> str:
    """"" or an absolute http(s) URL ending in "/", so page paths can be appended."""
    raw = raw.strip()
    if not raw:
        return ""
    from urllib.parse import urlsplit

    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or any(ch in raw for ch in "\"'<>\\ \t\n"):
        raise UsageError(f"--base-url {raw!r} is not an absolute http(s) URL without query or fragment, "
                         "e.g. https://user.github.io/repo/")
    return raw if raw.endswith("/") else raw + "/"


def _has_markdown(folder: Path) -> Path | None:
    for here, _dirs, files in os.walk(folder):
        for name in files:
            if name.endswith(".md") or name == "jobzone.toml":
                return Path(here) / name
    return None


def check_out(out: Path, config: SiteConfig) -> Path:
    """The resolved output folder, or a UsageError when replacing it could destroy sources.
    What is inside the folder is looked at by `check_contents`, once the last build's record is known."""
    real = os.path.realpath  # not Path.resolve: a link to itself is an answer here, not an exception
    target = Path(real(out))
    root = Path(real(config.root))
    sources = {
        "the project root": root,
        "the content folder": Path(real(root / "content")),
        "the reports folder": Path(real(config.content_path)),
        "the templates folder": Path(real(root / config.templates_dir)),
    }
    for what, path in sources.items():
        if target == path or target in path.parents:
            raise UsageError(f"--out {out} is {what} or contains it; choose a separate folder such as 'site'")
        if what != "the project root" and path in target.parents:
            raise UsageError(f"--out {out} is inside {what}; choose a separate folder such as 'site'")
    if (target.exists() or target.is_symlink()) and not target.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    return target


def check_contents(target: Path) -> None:
    """A UsageError unless the output folder is absent, empty, or a site jobzone wrote that holds no sources."""
    if target.is_dir():
        found = _has_markdown(target)
        if found is not None:
            raise UsageError(f"--out {shown_path(target)} contains {found.name} ({shown_path(found)}); a site "
                             "folder is replaced whole on every build, so it must not hold sources")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise UsageError(f"--out {shown_path(target)} is a non-empty folder that jobzone did not build; empty it "
                             "or choose another folder")


# -- writing ----------------------------------------------------------------------------------
def plain(root: Path, relative: str) -> Path:
    """`root/relative`, refusing any path that is not a plain relative one ("..", absolute, empty parts)."""
    parts = PurePosixPath(relative).parts
    if not parts or str(PurePosixPath(relative)) != relative or relative.startswith("/") or "\\" in relative \
            or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"refusing to write {relative!r}: not a plain relative path")
    return root.joinpath(*parts)


def inside(root: Path, relative: str) -> Path:
    """`root/relative`, refusing any path that could leave `root` whatever a slug says, symbolic links included."""
    path = plain(root, relative)
    if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root)):
        raise ValueError(f"refusing to write {relative!r}: outside the output folder")
    return path


_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2), so a kill at any moment leaves one
    whole site at `second`; False where the system cannot."""
    if sys.platform != "linux":
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), _RENAME_EXCHANGE) == 0


def swap_in(new: Path, out: Path) -> None:
    """Replace `out` by `new`: exchanged atomically where the system allows, else renamed aside and in."""
    import shutil
    import tempfile

    if not out.exists():
        new.rename(out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the previous site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.jobzone-old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        new.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _recover(out: Path) -> None:
    """Tidy up after a build that was killed: drop its half-written folder, and if it died between
    the two renames of the fallback swap, put the previous site back."""
    import shutil

    for stale in sorted(out.parent.glob(f".{out.name}.jobzone-new-*")):
        shutil.rmtree(stale, ignore_errors=True)
    for old in sorted(out.parent.glob(f".{out.name}.jobzone-old-*")):
        if not out.exists() and (old / MARKER).is_file():
            old.rename(out)
        else:
            shutil.rmtree(old, ignore_errors=True)


class StagedSite:
    """A whole new site written beside `out` file by file as it is rendered, then swapped in:
    readers see the old site or the new one, and the files need not all be held in memory."""

    def __init__(self, out: Path) -> None:
        import tempfile

        out.parent.mkdir(parents=True, exist_ok=True)
        _recover(out)
        self.out = out
        self.folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.jobzone-new-", dir=out.parent))
        self.digests: dict[str, str] = {}

    def put(self, relative: str, data: bytes) -> None:
        path = plain(self.folder, relative)  # a fresh folder holding only what is written here: no links
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.digests[relative] = digest_bytes(data)

    def commit(self) -> None:
        self.folder.chmod(0o755)  # mkdtemp makes it private; a site folder is read like any other
        swap_in(self.folder, self.out)

    def discard(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


def write_changes(out: Path, files: dict[str, bytes | None], written: dict[str, str],
                  manifest: dict[str, Stat]) -> dict[str, str]:
    """Bring a site the last build wrote up to date in place: write the files whose bytes changed
    (each replaced atomically, so no reader sees half a file), delete the files no longer part of
    it. None means "as written last time". Returns the digest of every file; `manifest` is updated."""
    digests: dict[str, str] = {}
    touched: list[str] = []
    for relative, data in sorted(files.items()):
        if data is None:
            digests[relative] = written[relative]
            continue
        digests[relative] = digest_bytes(data)
        if written.get(relative) == digests[relative]:
            continue
        path = inside(out, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.jobzone-new")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        touched.append(relative)
    removed = sorted(written.keys() - files.keys())
    for relative in removed:
        path = inside(out, relative)
        path.unlink(missing_ok=True)
        manifest.pop(relative, None)
        for folder in path.parents:
            if folder == out or any(folder.iterdir()):
                break
            folder.rmdir()
    folders = {"/".join(parts[:depth]) + "/" if depth else ""
               for parts in (relative.split("/") for relative in (*touched, *removed)) for depth in range(len(parts))}
    file_stats(out, [*touched, *sorted(folders)], manifest)  # a folder's time changes with what is in it
    return digests
