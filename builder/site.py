"""Every file of the site, as bytes: link, render, export. Pure apart from reading the
package's static files and the files reports link to; `build` writes the result."""

from __future__ import annotations

import os
import stat as statmode
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from jinja2 import Environment

from builder.config import SiteConfig
from builder.corpus import Entry
from builder.export import exports, role_json
from builder.gitdates import last_commit_dates
from builder.links import SiteLinks, page_file
from builder.methodology import Methodology
from builder.state import digest_bytes
from builder.project import MARKER, MARKER_TEXT, local_files
from builder.render import (Pages, RoleRow, SiteInfo, ZoneView, environment, render_listings, render_role, robots_txt,
                            role_context, role_row, role_view, site_pages)

if TYPE_CHECKING:
    from builder.check import Checked


def static_files() -> dict[str, bytes]:
    folder = resources.files("builder").joinpath("static")
    return {f"static/{item.name}": item.read_bytes() for item in sorted(folder.iterdir(), key=lambda i: i.name)
            if item.is_file() and not item.name.startswith(".")}


ASSETS = "assets/"  # where the files reports link to are copied, mirroring the content folder


def asset_path(content: Path, path: Path) -> str:
    """The site path a file under the (resolved) content folder is copied to; ValueError if outside."""
    return ASSETS + path.relative_to(content).as_posix()


def copy_local_files(config: SiteConfig, entries: list[Entry], links: SiteLinks) -> dict[str, bytes]:
    """Files the reports link to (images, PDFs) go to `assets/`, mirroring the content folder;
    their links are rewritten to match. The check has already made sure each one exists."""
    content = Path(os.path.realpath(config.content_path))  # as `project.local_files` resolves the links
    copied: dict[str, bytes] = {}
    for entry in entries:
        rewrites = links.md_links.setdefault(entry.report.meta.slug, {})
        for href, path in local_files(entry, config).items():
            if path is not None:
                site_path = asset_path(content, path)
                rewrites[href] = site_path
                copied[site_path] = path.read_bytes()
    return copied


# A file's bytes, or None: the file as the previous build wrote it, still in the output folder.
FileData = bytes | None


@dataclass(frozen=True)
class RolePage:
    """A rendered role page and its JSON, with a digest of what they show besides the report."""

    context: str
    files: dict[str, FileData]


@dataclass(frozen=True)
class Listings:
    """Every page that lists roles (index, zones, sub-labels, feed, sitemap, …) and the downloads,
    with a digest of what they were rendered from."""

    key: str
    files: dict[str, FileData]
    pages: dict[str, str] = field(default_factory=dict)  # listing page file -> what it was rendered from


@dataclass(frozen=True)
class RenderContext:
    """What every role page is rendered with besides its own report: the same for all of them, and
    derived from the reports' summaries only. Kept with the build's record, so an edit that leaves
    every summary as it was renders the edited page with it, reading no other report."""

    site: SiteInfo
    zones: list[ZoneView]
    links: SiteLinks
    dates: Mapping[str, date]

    def pages(self, env: Environment) -> Pages:
        return Pages(env, self.site, self.zones)

    def copies(self, slug: str | None = None) -> set[str]:
        """Site paths of the files copied beside the pages: those one report links to, or all."""
        rewrites = self.links.md_links.values() if slug is None else [self.links.md_links.get(slug, {})]
        return {path for found in rewrites for path in found.values() if path.startswith(ASSETS)}


@dataclass
class Built:
    """The rendered site, file by file, and what the build record keeps of it."""

    files: dict[str, FileData]
    pages: int
    reports: int
    role_pages: dict[str, RolePage] = field(default_factory=dict)
    listings: Listings | None = None
    context: RenderContext | None = None


def kept_site(role_pages: Mapping[str, tuple[str, tuple[str, ...]]],
              listings: tuple[str, tuple[str, ...], dict[str, str]]) -> Built:
    """The previous build as a later process knows it: what each page was rendered from and which
    files it wrote, the bytes left in the output folder (None)."""
    pages = {slug: RolePage(context, dict.fromkeys(files)) for slug, (context, files) in role_pages.items()}
    key, files, rendered_from = listings
    return Built({}, 0, 0, pages, Listings(key, dict.fromkeys(files), dict(rendered_from)))


def listings_record(listings: Listings) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """What a build's record keeps of its listings (`kept_site` reads it back)."""
    return listings.key, tuple(listings.files), dict(listings.pages)


def git_dates(config: SiteConfig, entries: list[Entry], by_path: Mapping[Path, date] | None = None) -> dict[str, date]:
    """Slug -> date of the last commit that changed its report (`by_path`: from `last_commit_dates`)."""
    git = last_commit_dates(config.content_path) if by_path is None else by_path
    if not git:
        return {}
    found = {e.report.meta.slug: git.get(Path(os.path.realpath(e.report.path))) for e in entries}
    return {slug: day for slug, day in found.items() if day is not None}


EXPORTED = ("trs", "modifier.evidence", "modifier.barrier", "modifier.growth", "raw")


def listings_key(rows: Mapping[str, RoleRow], entries: list[Entry], links: SiteLinks) -> str:
    """What the listing pages and downloads show: every role's row and exported numbers, and
    the roles cited without a report. A prose edit leaves it unchanged."""
    numbers = [(e.report.meta.slug, *(e.card.number(key) for key in EXPORTED)) for e in entries]
    unassessed = sorted(links.unassessed.items())
    text = repr((sorted(rows.items()), sorted(numbers, key=lambda n: n[0]), unassessed))
    return digest_bytes(text.encode("utf-8"))


def role_page_files(pages: Pages, entry: Entry, links: SiteLinks, m: Methodology,
                    dates: Mapping[str, date]) -> dict[str, FileData]:
    """One role's page and its JSON, as bytes by site path."""
    view = role_view(entry, links, m, dates)
    return {page_file(view.row.path): render_role(pages, view).encode("utf-8"),
            view.json_path: role_json(view, pages.site.base_url).encode("utf-8")}


def shows_only_itself(now: Checked, before: Checked, context: RenderContext) -> bool:
    """Whether an edit that turned report `before` into `now` can change no page but its own: what
    every other page, listing, download and check across reports reads of it (its summary, own
    diagnostics included) is as it was, field by field and digit by digit (`repr`: equal Decimals
    may be written differently), and it links no files copied beside its page (where such a link
    leads is resolved from disk)."""
    return now.entry is not None and before.entry is not None \
        and not context.copies(now.entry.report.meta.slug) and repr(now.summary()) == repr(before.summary())


def maybe_copied(path: Path, content: Path, context: RenderContext) -> bool:
    """Whether a report's file is, or may be, also a file copied beside a page, so its page alone
    is not all an edit of it changes: itself linked as a file, or a symbolic or hard link (another
    name for it may be). Reads the file's stat."""
    try:
        info = os.lstat(path)
        copied_as = asset_path(content.resolve(), Path(os.path.realpath(path)))
    except (OSError, ValueError):
        return True
    return not statmode.S_ISREG(info.st_mode) or info.st_nlink != 1 or copied_as in context.copies()


def render_edited(context: RenderContext, pages: Pages, built: Built, edited: list[Entry],
                  m: Methodology) -> dict[str, bytes] | None:
    """The pages of reports `shows_only_itself` passed, rendered with the context of `built` (the
    build they were last rendered in), which is updated to hold them; None, with `built` untouched,
    if a page would not be the files it was."""
    rendered: dict[str, dict[str, bytes]] = {}
    for entry in edited:
        slug = entry.report.meta.slug
        files = role_page_files(pages, entry, context.links, m, context.dates)
        if slug not in built.role_pages or files.keys() != built.role_pages[slug].files.keys():
            return None
        rendered[slug] = files
    for slug, files in rendered.items():
        built.role_pages[slug] = RolePage(built.role_pages[slug].context, dict(files))
        built.files.update(files)
    return {path: data for files in rendered.values() for path, data in files.items()}


class RoleRenderer(Protocol):
    """Renders the role pages of `entries` (each a whole entry or a summary), in order."""

    def __call__(self, entries: list[Entry], pages: Pages, links: SiteLinks, m: Methodology,
                 dates: Mapping[str, date]) -> Iterable[dict[str, FileData]]: ...


def render_here(whole: Callable[[Entry], Entry] | None = None) -> RoleRenderer:
    """Role pages rendered in this process; `whole` turns a summary into its whole entry."""
    def render(entries: list[Entry], pages: Pages, links: SiteLinks, m: Methodology,
               dates: Mapping[str, date]) -> Iterator[dict[str, FileData]]:
        for entry in entries:
            yield role_page_files(pages, whole(entry) if whole is not None else entry, links, m, dates)
    return render


def assemble(config: SiteConfig, m: Methodology, site: SiteInfo, entries: list[Entry], links: SiteLinks,
             previous: Built | None = None, changed: Collection[str] = (),
             dates: Mapping[str, date] | None = None, env: Environment | None = None,
             renderer: RoleRenderer | None = None, sink: Callable[[str, bytes], None] | None = None) -> Built:
    """Every file of the site, as bytes by site path.

    With `previous` (the last build with the same templates, methodology and settings), a role
    page is reused when its report is not in `changed` and nothing else it shows (links,
    backlinks, cited scores, date) differs, and the listing pages and downloads are reused
    when no role's row, exported numbers or citations changed: the result equals a full render.
    `entries` may be summaries (`Entry.summary`) when `renderer` renders from the whole entries.
    With `sink`, each role page's files are handed to it as soon as they are rendered and kept
    as None (written), so a large site is never held in memory whole."""
    env = env or environment(config.root / config.templates_dir)
    assets = copy_local_files(config, entries, links)
    dates = git_dates(config, entries) if dates is None else dates
    rows = {e.report.meta.slug: role_row(e, dates) for e in entries}
    before = previous.listings if previous is not None and previous.listings is not None else Listings("", {})
    pages = site_pages(env, site, list(rows.values()), m, before.pages)  # a listing page shown as it was is kept
    role_pages: dict[str, RolePage] = {}
    kept_pages = previous.role_pages if previous is not None else {}

    def render_roles() -> None:
        todo: list[tuple[Entry, str]] = []
        for entry in sorted(entries, key=lambda e: e.report.meta.slug):
            row = rows[entry.report.meta.slug]
            context = role_context(row, links)
            kept = kept_pages.get(row.slug)
            if kept is not None and row.slug not in changed and kept.context == context:
                role_pages[row.slug] = kept
            else:
                todo.append((entry, context))
            pages.reuse(row.path, row.updated)
        rendered = (renderer or render_here())([entry for entry, _ in todo], pages, links, m, dates)
        for (entry, context), files in zip(todo, rendered, strict=True):
            if sink is not None:
                for path, data in files.items():
                    if data is not None:
                        sink(path, data)
                files = dict.fromkeys(files)
            role_pages[entry.report.meta.slug] = RolePage(context, files)

    key = listings_key(rows, entries, links)
    if before.key == key:
        listings = before
        render_roles()
    else:
        render_listings(pages, list(rows.values()), links, m, render_roles)
        texts = {**pages.files,
                 **exports([(rows[e.report.meta.slug], e.card) for e in entries], m, site.base_url),
                 "robots.txt": robots_txt(site), ".nojekyll": "", MARKER: MARKER_TEXT}
        listings = Listings(key, {path: before.files[path] if text is None else text.encode("utf-8")
                                  for path, text in texts.items()}, pages.keys)
    files = dict(listings.files)
    for page in role_pages.values():
        files.update(page.files)
    files.update(static_files())
    files.update(assets)
    html_pages = sum(1 for p in files if p.endswith(".html"))
    return Built(files, html_pages, len(entries), role_pages, listings, RenderContext(site, pages.zones, links, dates))
