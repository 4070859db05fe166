"""Checked reports -> HTML pages, through Jinja2 templates with autoescaping.

Report bodies come from `builder.body`: prepared while the report was analysed,
filled in here with what the site decides (role names linked to their pages, links to
other `.md` reports rewritten; links with script-capable schemes were dropped). Raw HTML in a report is never
passed through (the parser's `html` option is off), and every template value is
escaped unless it is markup made here. Pure apart from reading templates: returns
{site path: text}; `build` does the writing.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, PackageLoader,
                    StrictUndefined)
from markupsafe import Markup

from builder import charts
from builder.body import defuse_text, fill_body, prepare_body, render_markdown
from builder.corpus import Entry
from builder.links import (Backlink, Linker, Peer, SiteLinks, Unassessed, page_file, role_json_path, role_path,
                           sublabel_path, zone_path)
from builder.methodology import Methodology, SubLabelRule, Zone
from builder.refs import unsafe_url
from builder.slugs import slugify
from builder.state import digest_bytes
from builder.steps import Step, worked_steps
from builder.numbers import format_number

# -- view models ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteInfo:
    """What every page says of the site: its title, description and base URL."""

    title: str
    description: str
    base_url: str  # "" or an absolute URL ending in "/"


@dataclass(frozen=True)
class RoleRow:
    """A role as the listings show it: one row of the index, zone and sub-label tables and the feed."""

    slug: str
    title: str
    path: str
    score: Decimal
    score_text: str
    zone: str
    sublabel: str
    seniority: str
    updated: date | None


@dataclass(frozen=True)
class RoleView:
    """Everything a role page shows: its row, report, steps of the score, peers, backlinks and charts."""

    row: RoleRow
    entry: Entry
    json_path: str
    steps: tuple[Step, ...]
    peers: tuple[Peer, ...]
    backlinks: tuple[Backlink, ...]
    body: Markup
    position_svg: Markup
    tasks_svg: Markup

    @property
    def description(self) -> str:
        return f"{self.row.title}: {self.row.score_text}/100, {self.row.sublabel or self.row.zone} zone."


def _number(entry: Entry, key: str, places: int | None = None) -> str:
    value = entry.card.number(key)
    return "" if value is None else format_number(value, places)


def role_row(entry: Entry, dates: Mapping[str, date] | None = None) -> RoleRow:
    """A role's listing row; its date is the frontmatter's `updated`, else the one given (from git)."""
    meta, card = entry.report.meta, entry.card
    score = card.number("score") or Decimal(0)
    updated = meta.updated or (dates or {}).get(meta.slug)
    return RoleRow(meta.slug, meta.title, role_path(meta.slug), score, format_number(score),
                   card.text("zone") or "", card.text("sublabel") or "", meta.seniority or "", updated)


def role_view(entry: Entry, links: SiteLinks, m: Methodology, dates: Mapping[str, date] | None = None) -> RoleView:
    row = role_row(entry, dates)
    page = page_file(row.path)
    linker = Linker(page)
    peers = links.peers.get(row.slug, ())
    unassessed = links.unassessed_paths
    document = entry.report.document
    body = fill_body(document.prepared or prepare_body(document.tokens), linker.url, links.names.get(row.slug),
                     links.md_links.get(row.slug), unassessed)
    scored = [(p.name, p.score, m.zone_of(p.score)) for p in peers if p.score is not None]
    label = f"{row.sublabel or row.zone}"
    position = charts.score_position(f"pos-{row.slug}", row.title, row.score, label, m.zones, scored)
    tasks = entry.report.inputs.tasks
    by_score = [(s, sum((t.time.value for t in tasks if t.time and t.score and t.score.value == s), Decimal(0)))
                for s in range(1, 6)]
    splits = [(name, entry.card.number(f"split.{name}") or Decimal(0)) for name in dict.fromkeys(m.labels.values())]
    breakdown = charts.task_breakdown(f"tasks-{row.slug}", row.title, by_score, splits)
    return RoleView(row, entry, role_json_path(row.slug), tuple(worked_steps(entry, m)), peers,
                    links.backlinks.get(row.slug, ()), body, Markup(position), Markup(breakdown))


def sort_rows(rows: list[RoleRow]) -> list[RoleRow]:
    return sorted(rows, key=lambda r: (-r.score, r.title.casefold(), r.slug))


# Atom requires a date on every entry; a role with no date from frontmatter or git
# takes the site's newest date, and a site with no dates at all this fixed one.
UNDATED = date(1970, 1, 1)


def feed_order(rows: list[RoleRow]) -> list[RoleRow]:
    """Newest `updated` first; reports without a date after them, by title. Never the clock."""
    dated = sorted((r for r in rows if r.updated), key=lambda r: (-(r.updated or date.min).toordinal(),
                                                                   r.title.casefold(), r.slug))
    undated = sorted((r for r in rows if not r.updated), key=lambda r: (r.title.casefold(), r.slug))
    return [*dated, *undated]


# -- methodology page -------------------------------------------------------------------------
COEFFICIENT_NOTES = {
    "trs_base": "Task Resistance Score = trs_base \u2212 \u03a3 (Time % \u00d7 Score)",
    "trs_max": "the Task Resistance Score is out of this",
    "modifier_base": "each modifier = base + (input \u00d7 coefficient)",
    "evidence": "Evidence Modifier coefficient (per point of evidence total)",
    "barrier": "Barrier Modifier coefficient (per point of barrier total)",
    "growth": "Growth Modifier coefficient (per point of AI Growth Correlation)",
    "raw_floor": "the lowest possible Raw, subtracted before scaling",
    "raw_span": "the range of Raw, dividing before scaling",
    "score_scale": "JobZone Score = (Raw \u2212 raw_floor) / raw_span \u00d7 score_scale",
}


@dataclass(frozen=True)
class RuleView:
    """A sub-label as its page and the methodology page show it."""

    rule: SubLabelRule
    path: str
    conditions: str
    count: int


def rule_views(m: Methodology, rows: list[RoleRow]) -> list[RuleView]:
    views = []
    for rule in m.sublabels:
        conditions = " and ".join(b.describe(metric) for metric, b in rule.when.items()) or "otherwise"
        views.append(RuleView(rule, sublabel_path(rule.label), conditions,
                              sum(1 for r in rows if r.sublabel == rule.label)))
    return views


@dataclass(frozen=True)
class NavZone:
    """A zone as the navigation of every page shows it: name, page and band, not its roles."""

    zone: Zone
    path: str
    band: str


@dataclass(frozen=True)
class ZoneView:
    """A zone as its own page and the listings show it, with its roles and sub-labels."""

    zone: Zone
    path: str
    band: str
    rows: tuple[RoleRow, ...]
    rules: tuple[RuleView, ...] = field(default=())


# -- pages ------------------------------------------------------------------------------------
def environment(templates_dir: Path | None, compiled_dir: Path | None = None) -> Environment:
    """The site's templates first, file by file, then the package defaults. With `compiled_dir`,
    compiled templates are kept there between runs (Jinja checks each against its source)."""
    loaders = [FileSystemLoader(str(templates_dir))] if templates_dir is not None else []
    compiled = None
    if compiled_dir is not None:
        try:
            compiled_dir.mkdir(parents=True, exist_ok=True)
            compiled = FileSystemBytecodeCache(str(compiled_dir))
        except OSError:
            compiled = None  # a cache that cannot be written only costs time
    env = Environment(loader=ChoiceLoader([*loaders, PackageLoader("builder", "templates")]), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=compiled)
    env.filters["slug"] = css_slug
    env.globals.update(zone_path=zone_path, sublabel_path=sublabel_path, role_path=role_path)
    return env


def css_slug(text: str) -> str:
    """A class-name-safe slug ("Yellow (Urgent)" -> "yellow-urgent"); "other" when nothing is left."""
    try:
        return slugify(str(text))
    except ValueError:
        return "other"


class TemplateProblem(Exception):
    """A template that cannot be rendered, with its file, line and why: a user's template is input,
    so its mistakes are reported like any other, never as a traceback."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path, self.line, self.message = path, line, message


def _template_file(env: Environment, name: str) -> str:
    """Where the site's template `name` lies, or `name` itself for a package template."""
    for loader in getattr(env.loader, "loaders", ()):
        for folder in getattr(loader, "searchpath", ()):
            if (Path(folder) / name).is_file():
                return str(Path(folder) / name)
    return name


def _undecodable(env: Environment, data: bytes) -> str:
    """The file of the site's templates that holds `data`, the bytes that could not be decoded ("" if
    none): Jinja's loader does not say which file it was reading when it failed."""
    for loader in getattr(env.loader, "loaders", ()):
        for folder in getattr(loader, "searchpath", ()):
            for path in sorted(Path(folder).rglob("*")):
                try:
                    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
                        return str(path)
                except OSError:
                    continue
    return ""


def template_location(exc: BaseException) -> tuple[str, int]:
    """The template file and line of the innermost template frame involved ("", 0 when none is known)."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename and line:
        return filename, line
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".html", ".xml"))]
    return (frames[-1].filename, frames[-1].lineno or 0) if frames else ("", 0)


@dataclass
class Pages:
    """Renders pages with the common context; collects {site path: text}."""

    env: Environment
    site: SiteInfo
    zones: list[ZoneView]
    files: dict[str, str | None] = field(default_factory=dict)  # None: as `kept` says it was rendered before
    listed: list[tuple[str, date | None]] = field(default_factory=list)  # pages for the sitemap
    kept: Mapping[str, str] = field(default_factory=dict)  # page file -> what the last build rendered it from
    keys: dict[str, str] = field(default_factory=dict)  # page file -> what it is rendered from now

    def reuse(self, path: str, updated: date | None) -> None:
        """A page rendered elsewhere (kept from the previous build, or by a worker process): listed
        (for the sitemap) as if rendered here."""
        self.listed.append((path, updated))

    def text(self, template: str, path: str, title: str, description: str = "", sitemap: bool = True,
             absolute: bool = False, **context: object) -> str:
        """One page, rendered with the common context; nothing recorded."""
        out = page_file(path)
        linker = Linker(out, self.site.base_url, absolute)
        canonical = linker.abs(path) if self.site.base_url and sitemap else ""
        try:
            return self.env.get_template(template).render(
                site=self.site, page_path=out, page_title=title, description=description or self.site.description,
                canonical=canonical, url=linker.url, abs_url=linker.abs, nav=self.nav, **context)
        except UnicodeDecodeError as exc:  # a template file that is not text
            raise TemplateProblem(_undecodable(self.env, exc.object) or _template_file(self.env, template), 1,
                                  f"template is not valid UTF-8 ({exc.reason} at byte {exc.start}; "
                                  f"rendering {out})") from None
        except RecursionError:
            raise TemplateProblem(_template_file(self.env, template), 1, "templates extend or include each other "
                                  f"in a loop (rendering {out})") from None
        except Exception as exc:  # noqa: BLE001 - a template is input: whatever it calls wrongly is its error
            where, line = template_location(exc)
            raise TemplateProblem(where or template, line, f"{type(exc).__name__}: {exc} (rendering {out})") from None

    @property
    def nav(self) -> tuple[NavZone, ...]:
        """What every page is given of the zones: names, paths and bands, not their roles, so a role
        page depends only on its own report and links (a page listing roles gets them as `zones`)."""
        return tuple(NavZone(z.zone, z.path, z.band) for z in self.zones)

    def render(self, template: str, path: str, title: str, description: str = "", sitemap: bool = True,
               absolute: bool = False, **context: object) -> None:
        """Render and record a page, unless the last build rendered it from exactly the same
        template arguments (`kept`): then it is recorded as None, the page as it was."""
        out = page_file(path)
        given = sorted((name, value) for name, value in context.items() if not callable(value))  # code: in the settings
        key = self.keys[out] = digest_bytes(repr((template, path, title, description, sitemap, absolute,
                                                  given)).encode("utf-8"))
        same = self.kept.get(out) == key
        self.files[out] = None if same else self.text(template, path, title, description, sitemap, absolute,
                                                       **context)
        if sitemap:
            self.listed.append((path, context.get("updated")))  # type: ignore[arg-type]


def role_context(row: RoleRow, links: SiteLinks) -> str:
    """A digest of everything a role page shows besides its own report: if this and the report are
    unchanged, the page is too (given the same templates, methodology and site settings)."""
    names = links.names.get(row.slug, {})
    unassessed = links.unassessed_paths
    shown = (row, links.peers.get(row.slug, ()), tuple(sorted(names.items())),
             tuple(sorted(links.md_links.get(row.slug, {}).items())), links.backlinks.get(row.slug, ()),
             tuple(sorted(path for path in names.values() if path in unassessed)))
    return digest_bytes(repr(shown).encode("utf-8"))


def render_role(pages: Pages, view: RoleView) -> str:
    """A role page's HTML (not recorded: role pages are collected by the caller, maybe from workers)."""
    return pages.text("role.html", view.row.path, view.row.title, view.description, role=view,
                      updated=view.row.updated)


def render_listings(pages: Pages, rows: list[RoleRow], links: SiteLinks, m: Methodology,
                    role_pages: Callable[[], None]) -> None:
    """Every page but the role pages, which `role_pages` renders (or reuses) in sitemap order."""
    site = pages.site
    rows = sort_rows(rows)
    rules = rule_views(m, rows)
    scores = [(r.title, r.score, r.zone) for r in rows]
    pages.render("index.html", "", site.title, rows=rows, zones=pages.zones, rules=rules,
                 distribution=Markup(charts.distribution("dist", scores, m.zones)))
    role_pages()
    by_path = {r.path: r for r in rows}
    for item in sorted(links.unassessed.values(), key=lambda u: u.slug):
        pages.render("unassessed.html", item.path, f"{item.name} (not assessed)",
                     f"{item.name} has no assessment yet; cited by {len(item.cited_by)} report(s).",
                     role=item, citing={c.path: by_path.get(c.path) for c in item.cited_by},
                     zone_of=m.zone_of, fmt=format_number)
    for zone_view in pages.zones:
        pages.render("zone.html", zone_view.path, f"{zone_view.zone.name} zone", zone_view.zone.description,
                     zone=zone_view)
    for rule in rules:
        pages.render("sublabel.html", rule.path, rule.rule.label, rule.rule.rule, rule=rule,
                     rows=[r for r in rows if r.sublabel == rule.rule.label])
    coefficients = [(name, format_number(value), COEFFICIENT_NOTES.get(name, "")) for name, value in
                    m.coefficients.items()]
    pages.render("methodology.html", "methodology/", "Methodology", f"How {site.title} scores a role.",
                 m=m, coefficients=coefficients, zones=pages.zones, rules=rules)
    pages.render("404.html", "404.html", "Page not found", sitemap=False, absolute=True)
    listed = list(pages.listed)
    pages.render("sitemap.xml", "sitemap.xml", "Sitemap", sitemap=False, pages=listed)
    latest = max((r.updated for r in rows if r.updated), default=UNDATED)
    pages.render("feed.xml", "feed.xml", site.title, sitemap=False, rows=feed_order(rows), updated=latest)


def site_pages(env: Environment, site: SiteInfo, rows: list[RoleRow], m: Methodology,
               kept: Mapping[str, str] | None = None) -> Pages:
    """The page collector, with the zone navigation every page carries (`kept`: see `Pages`)."""
    rows = sort_rows(rows)
    rules = rule_views(m, rows)
    zones = [ZoneView(zone, zone_path(zone.name), band.text, tuple(r for r in rows if r.zone == zone.name),
                      tuple(r for r in rules if r.rule.zone == zone.name))
             for band, zone in zip(charts.bands(m.zones), m.zones, strict=True)]
    return Pages(env, site, zones, kept=kept or {})


def robots_txt(site: SiteInfo) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if site.base_url:
        lines.append(f"Sitemap: {site.base_url}sitemap.xml")
    return "\n".join(lines) + "\n"


__all__ = ["Pages", "RoleView", "SiteInfo", "Unassessed", "defuse_text", "environment", "render_listings",
           "render_markdown", "render_role", "robots_txt", "role_context", "site_pages", "unsafe_url"]
