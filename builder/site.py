"""Every file of the site, as bytes: link, render, export. Pure apart from reading the
package's static files and the files reports link to; `build` writes the result."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from builder.build import MARKER  # the folder marker `build` checks for
from builder.config import SiteConfig
from builder.corpus import Entry
from builder.export import exports
from builder.gitdates import last_commit_dates
from builder.links import SiteLinks
from builder.methodology import Methodology
from builder.project import local_files
from builder.render import SiteInfo, environment, render_site, robots_txt

MARKER_TEXT = "This folder is written by `jobzone build` and replaced on every build.\n"


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
