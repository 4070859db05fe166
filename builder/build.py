"""`jobzone build`: check, link, render, then swap the new site in whole.

The I/O edge of the site generator. Nothing is written unless every report checks
clean, and the output folder is replaced only once the new site is complete: it is
built in a temporary folder beside the output (same file system, so renames are
cheap), then the old site is renamed away, the new one renamed in, the old removed.
The output folder is checked before anything else, because it is deleted on swap.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from builder.config import SiteConfig
from builder.export import exports
from builder.gitdates import last_commit_dates
from builder.corpus import Entry
from builder.links import SiteLinks, link_site
from builder.methodology import Methodology
from builder.render import SiteInfo, environment, render_site, robots_txt
from builder.project import (EXIT_ERRORS, EXIT_OK, UsageError, load_project, local_files, print_diagnostics, run_check,
                             shown_path)

MARKER = ".jobzone-site"
MARKER_TEXT = "This folder is written by `jobzone build` and replaced on every build.\n"


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


def swap_in(new: Path, out: Path) -> None:
    """Replace `out` by `new`: rename the old site away, the new one in, then delete the old."""
    if not out.exists():
        new.rename(out)
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


def write_site(out: Path, files: dict[str, bytes]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
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


# -- the whole site ---------------------------------------------------------------------------
def static_files() -> dict[str, bytes]:
    folder = resources.files("builder").joinpath("static")
    return {f"static/{item.name}": item.read_bytes() for item in sorted(folder.iterdir(), key=lambda i: i.name)
            if item.is_file() and not item.name.startswith(".")}


def copy_local_files(config: SiteConfig, entries: list[Entry], links: SiteLinks) -> dict[str, bytes]:
    """Files the reports link to (images, PDFs) go to `assets/`, mirroring the content folder;
    their links are rewritten to match. The check has already made sure each one exists."""
    content = config.content_path.resolve()
    copied: dict[str, bytes] = {}
    for entry in entries:
        rewrites = links.md_links.setdefault(entry.report.meta.slug, {})
        for href, path in local_files(entry, config).items():
            if path is not None:
                site_path = "assets/" + path.relative_to(content).as_posix()
                rewrites[href] = site_path
                copied[site_path] = path.read_bytes()
    return copied


@dataclass
class Built:
    files: dict[str, bytes]
    pages: int
    reports: int


def assemble(config: SiteConfig, m: Methodology, site: SiteInfo, entries: list[Entry], links: SiteLinks) -> Built:
    """Every file of the site, as bytes by site path."""
    env = environment(config.root / config.templates_dir)
    assets = copy_local_files(config, entries, links)
    git = last_commit_dates(config.content_path)
    dates = {e.report.meta.slug: git[Path(e.report.path).resolve()] for e in entries
             if Path(e.report.path).resolve() in git}
    pages, views = render_site(env, site, entries, links, m, dates)
    texts = {**pages, **exports(views, m, site.base_url), "robots.txt": robots_txt(site), ".nojekyll": "",
             MARKER: MARKER_TEXT}
    files = {path: text.encode("utf-8") for path, text in texts.items()}
    files.update(static_files())
    files.update(assets)
    return Built(files, sum(1 for p in pages if p.endswith(".html")), len(views))


def cmd_build(args: argparse.Namespace) -> int:
    config, methodology = load_project(args.config)
    base_url = normalise_base_url(args.base_url if args.base_url is not None else config.base_url)
    out = check_out(Path(args.out) if args.out else config.root / config.output_dir, config)
    result, wanted = run_check(config, methodology, [])
    print_diagnostics(result.diagnostics, "text", len(wanted))
    if result.index is None or result.errors:
        print(f"jobzone: build stopped: fix the errors above; {shown_path(out)} was not changed", file=sys.stderr)
        return EXIT_ERRORS
    links = link_site(result.entries, result.index)
    site = SiteInfo(config.title, config.description, base_url)
    built = assemble(config, methodology, site, result.entries, links)
    write_site(out, built.files)
    print(f"Built {built.pages} pages for {built.reports} report{'s' if built.reports != 1 else ''} "
          f"into {shown_path(out)}")
    return EXIT_OK
