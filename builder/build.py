"""`jobzone build`: check, link, render, then swap the new site in whole.

The I/O edge of the site generator. Nothing is written unless every report checks
clean, and the output folder is replaced only once the new site is complete: it is
built in a temporary folder beside the output (same file system, so renames are
cheap), then the old site is renamed away, the new one renamed in, the old removed.
The output folder is checked before anything else, because it is deleted on swap.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from builder.cache import Cache, code_fingerprint, tree_digest
from builder.config import SiteConfig
from builder.gitdates import git_head
from builder.methodology import Methodology
from builder.project import (EXIT_ERRORS, EXIT_OK, MARKER, UsageError, format_diagnostics, load_project, open_cache,
                             run_check, shown_path)



# -- where the site may go --------------------------------------------------------------------
def normalise_base_url(raw: str) -> str:
    """"" or an absolute http(s) URL ending in "/", so page paths can be appended."""
    raw = raw.strip()
    if not raw:
        return ""
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
    """The resolved output folder, or a UsageError when replacing it could destroy sources."""
    target = out.resolve()
    root = config.root.resolve()
    sources = {
        "the project root": root,
        "the content folder": (root / "content").resolve(),
        "the reports folder": config.content_path.resolve(),
        "the templates folder": (root / config.templates_dir).resolve(),
    }
    for what, path in sources.items():
        if target == path or target in path.parents:
            raise UsageError(f"--out {out} is {what} or contains it; choose a separate folder such as 'site'")
        if what != "the project root" and path in target.parents:
            raise UsageError(f"--out {out} is inside {what}; choose a separate folder such as 'site'")
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise UsageError(f"--out {out} exists and is not a folder")
        found = _has_markdown(target)
        if found is not None:
            raise UsageError(f"--out {out} contains {found.name} ({shown_path(found)}); a site folder is replaced "
                             "whole on every build, so it must not hold sources")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise UsageError(f"--out {out} is a non-empty folder that jobzone did not build; empty it or "
                             "choose another folder")
    return target


# -- writing ----------------------------------------------------------------------------------
def inside(root: Path, relative: str) -> Path:
    """`root/relative`, refusing any path that could leave `root` whatever a slug says."""
    parts = PurePosixPath(relative).parts
    if not parts or str(PurePosixPath(relative)) != relative or relative.startswith("/") or "\\" in relative \
            or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"refusing to write {relative!r}: not a plain relative path")
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()):
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
    for stale in sorted(out.parent.glob(f".{out.name}.jobzone-new-*")):
        shutil.rmtree(stale, ignore_errors=True)
    for old in sorted(out.parent.glob(f".{out.name}.jobzone-old-*")):
        if not out.exists() and (old / MARKER).is_file():
            old.rename(out)
        else:
            shutil.rmtree(old, ignore_errors=True)


def write_site(out: Path, files: dict[str, bytes]) -> None:
    """Write the whole site beside `out`, then swap it in: readers see the old site or the new one."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _recover(out)
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}.jobzone-new-", dir=out.parent))
    try:
        for relative, data in sorted(files.items()):
            path = inside(new, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        new.chmod(0o755)  # mkdtemp makes it private; a site folder is read like any other
        swap_in(new, out)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


# -- nothing changed, nothing to do ----------------------------------------------------------
def inputs_digest(config: SiteConfig, out: Path, base_url: str) -> str:
    """Everything a build reads: jobzone itself, the options, the config, the methodology override,
    the templates, every content file and the git commit. Equal digests, equal sites."""
    digest = hashlib.blake2b(digest_size=16)
    parts = [code_fingerprint(), str(out), base_url, str(os.environ.get("GITHUB_ACTIONS") == "true"),
             repr(config), tree_digest(config.content_path, with_content=True),
             tree_digest(config.root / config.templates_dir, with_content=True),
             git_head(config.content_path) if config.content_path.is_dir() else ""]
    for path in (config.config_path, config.methodology_path):
        try:
            parts.append(path.read_bytes().hex() if path is not None and path.is_file() else "absent")
        except OSError:
            parts.append("unreadable")
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _unchanged(cache: Cache, out: Path, inputs: str) -> str | None:
    """What the last build printed, when its inputs and its output are both exactly as they were."""
    stamp = cache.stamp(out)
    if not stamp or stamp.get("inputs") != inputs or not isinstance(stamp.get("printed"), str):
        return None
    if stamp.get("output") != tree_digest(out, with_content=False):
        return None
    return stamp["printed"]


def cmd_build(args: argparse.Namespace) -> int:
    config, methodology = load_project(args.config)
    base_url = normalise_base_url(args.base_url if args.base_url is not None else config.base_url)
    out = check_out(Path(args.out) if args.out else config.root / config.output_dir, config)
    cache = open_cache(config, methodology, args.clean)
    with cache.lock(lambda: print("jobzone: waiting for another build of this project to finish", file=sys.stderr,
                                  flush=True)):
        return _build(config, methodology, cache, out, base_url)


def _build(config: SiteConfig, methodology: Methodology, cache: Cache, out: Path, base_url: str) -> int:
    inputs = inputs_digest(config, out, base_url)
    printed = _unchanged(cache, out, inputs)
    if printed is not None:
        print(printed)
        print(f"{shown_path(out)} is up to date")
        return EXIT_OK
    cache.forget_stamp(out)
    result, wanted = run_check(config, methodology, [], cache)
    printed = format_diagnostics(result.diagnostics, "text", len(wanted))
    print(printed)
    if result.index is None or result.errors:
        print(f"jobzone: build stopped: fix the errors above; {shown_path(out)} was not changed", file=sys.stderr)
        return EXIT_ERRORS
    from builder.links import link_site
    from builder.render import SiteInfo
    from builder.site import assemble

    links = link_site(result.entries, result.index)
    built = assemble(config, methodology, SiteInfo(config.title, config.description, base_url), result.entries, links)
    write_site(out, built.files)
    cache.save_stamp(out, {"inputs": inputs, "output": tree_digest(out, with_content=False), "printed": printed})
    print(f"Built {built.pages} pages for {built.reports} report{'s' if built.reports != 1 else ''} "
          f"into {shown_path(out)}")
    return EXIT_OK
