"""The site's link graph: which page each cited or mentioned role goes to, and every URL.

Pure: checked entries in, link data out. Runs after the check, so every cited name
has already been resolved once by `RoleIndex`; this module only turns those names
into page paths. Page paths are site-relative POSIX paths ("roles/x/", "index.html");
every link a page writes goes through `relative_url` (or `Linker`), so the site works
from any folder, under a GitHub Pages project prefix and from the file system.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from urllib.parse import urlsplit


from builder.corpus import Entry, RoleIndex, file_key, role_key
from builder.diagnostics import Diagnostic, error
from builder.freshness import file_identity
from builder.model import Report
from builder.slugs import slugify


# -- paths and URLs ---------------------------------------------------------------------------
def role_path(slug: str) -> str:
    return f"roles/{slug}/"


def role_json_path(slug: str) -> str:
    return f"roles/{slug}/index.json"


def _listing_path(kind: str, name: str) -> str:
    """A zone's or sub-label's page; a role without one (it could not be scored) links home."""
    try:
        return f"{kind}/{slugify(name)}/"
    except ValueError:
        return ""


def zone_path(zone: str) -> str:
    return _listing_path("zones", zone)


def sublabel_path(label: str) -> str:
    return _listing_path("sublabels", label)


def page_file(path: str) -> str:
    """The file a page path is written to: folders get their index.html."""
    return f"{path}index.html" if path == "" or path.endswith("/") else path


def _relative_path(base: str, target: str) -> str:
    """posixpath.relpath for site paths (no "..", no absolute paths), without touching the disk."""
    start = [part for part in base.split("/") if part and part != "."]
    parts = [part for part in target.split("/") if part and part != "."]
    common = 0
    while common < min(len(start), len(parts)) and start[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:]) or "."


@lru_cache(maxsize=1 << 16)
def relative_url(from_page: str, to: str) -> str:
    """Link from one site path to another, relative, so no prefix is ever written by hand.

    `from_page` is the page's own path (a file, or a folder ending in "/"); `to` is a
    site-relative path, optionally with a "#fragment". Folder targets keep their "/".
    """
    if to.startswith("/") or from_page.startswith("/") or urlsplit(to).scheme:
        raise ValueError(f"site paths must be relative: {from_page!r} -> {to!r}")
    target, hash_, fragment = to.partition("#")
    base = posixpath.dirname(from_page) or "."
    rel = _relative_path(base, target.rstrip("/") or ".")
    if target == "" or target.endswith("/"):
        rel = "./" if rel == "." else f"{rel}/"
    return rel + (f"#{fragment}" if hash_ else "")


@dataclass(frozen=True)
class Linker:
    """URLs as one page writes them: relative, or absolute under `base_url` (the 404 page)."""

    page: str
    base_url: str = ""
    absolute: bool = False

    def url(self, to: str) -> str:
        if self.absolute and self.base_url:
            return self.abs(to)
        if self.absolute:  # no base URL known: relative to the site root is the best guess
            return relative_url("index.html", to)
        return relative_url(self.page, to)

    def abs(self, to: str) -> str:
        """Absolute URL under the base URL ("" when there is none)."""
        if not self.base_url:
            return ""
        relative_url("index.html", to)  # validates `to`
        return self.base_url + to


# -- the link graph ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Peer:
    """A role one report cites or mentions, once per target."""

    name: str  # as written in the report
    path: str | None  # its page, when it has one
    assessed: bool
    score: Decimal | None = None  # the score this report cites (None for a bare mention)
    score_text: str = ""


@dataclass(frozen=True)
class Backlink:
    """A page that links to a role: shown under "Referenced by" on the role's page."""

    slug: str
    title: str
    path: str


@dataclass(frozen=True)
class CitedBy:
    """One report's citation of a role without a report."""

    slug: str
    title: str
    path: str
    score: Decimal
    score_text: str
    line: int


@dataclass(frozen=True)
class Unassessed:
    """A role cited without a report of its own: it gets a "not yet assessed" page."""

    slug: str
    name: str
    names: tuple[str, ...]  # every way it is written across reports
    cited_by: tuple[CitedBy, ...]

    @property
    def path(self) -> str:
        return role_path(self.slug)


@dataclass
class SiteLinks:
    """The link graph of the site, from the summaries: what each page links and is linked from."""

    peers: dict[str, tuple[Peer, ...]] = field(default_factory=dict)  # by report slug
    backlinks: dict[str, tuple[Backlink, ...]] = field(default_factory=dict)  # by page slug
    unassessed: dict[str, Unassessed] = field(default_factory=dict)  # by slug
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # report slug -> {name as written: page path}
    md_links: dict[str, dict[str, str]] = field(default_factory=dict)  # report slug -> {href: page path}

    @cached_property
    def unassessed_paths(self) -> frozenset[str]:
        """The pages of roles cited without a report (read once per page: computed once)."""
        return frozenset(u.path for u in self.unassessed.values())


def _unassessed(entries: list[Entry], index: RoleIndex, taken: set[str]) -> dict[str, Unassessed]:
    """Group citations of roles without a report by matching key; give each a free slug."""
    groups: dict[str, list[tuple[Entry, str, Decimal, str, int]]] = {}
    for entry in entries:
        for citation in entry.report.citations:
            if index.find(citation.role) is None:
                key = role_key(citation.role)
                if key:
                    groups.setdefault(key, []).append((entry, citation.role, citation.score.value,
                                                       citation.score.text, citation.location.line))
    found: dict[str, Unassessed] = {}
    by_key: dict[str, str] = {}
    for key in sorted(groups):
        items = groups[key]
        counts = Counter(name for _, name, *_ in items)
        name = sorted(counts, key=lambda n: (-counts[n], n))[0]
        try:
            base = slugify(name)
        except ValueError:
            continue
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        by_key[key] = slug
        seen: dict[tuple[str, str], CitedBy] = {}
        for entry, _, score, text, line in items:
            meta = entry.report.meta
            seen.setdefault((meta.slug, text), CitedBy(meta.slug, meta.title, role_path(meta.slug), score, text, line))
        cited_by = tuple(sorted(seen.values(), key=lambda c: (c.title.casefold(), c.slug, c.line)))
        found[slug] = Unassessed(slug, name, tuple(sorted(counts)), cited_by)
    return found


def _target(name: str, index: RoleIndex, unassessed_by_key: dict[str, Unassessed]) -> tuple[str | None, bool]:
    entry = index.find(name)
    if entry is not None:
        return role_path(entry.report.meta.slug), True
    found = unassessed_by_key.get(role_key(name))
    return (found.path, False) if found else (None, False)


def link_site(entries: list[Entry], index: RoleIndex) -> SiteLinks:
    """Resolve every citation, mention and `.md` link of every report to a page."""
    entries = sorted(entries, key=lambda e: e.report.meta.slug)
    links = SiteLinks()
    links.unassessed = _unassessed(entries, index, {e.report.meta.slug for e in entries})
    unassessed_by_key = {role_key(n): u for u in links.unassessed.values() for n in u.names}
    back: dict[str, dict[str, Backlink]] = {}
    for entry in entries:
        meta = entry.report.meta
        own = role_path(meta.slug)
        peers: dict[str, Peer] = {}
        names: dict[str, str] = {}
        for name, score, text in [*((c.role, c.score.value, c.score.text) for c in entry.report.citations),
                                  *((m.role, None, "") for m in entry.report.mentions)]:
            path, assessed = _target(name, index, unassessed_by_key)
            if path == own:
                continue
            if path is not None:
                names.setdefault(name, path)
                back.setdefault(path, {})[meta.slug] = Backlink(meta.slug, meta.title, own)
            key = path or f"?{role_key(name)}"
            if key not in peers or (peers[key].score is None and score is not None):
                peers[key] = Peer(name, path, assessed, score, text)
        links.peers[meta.slug] = tuple(peers.values())
        links.names[meta.slug] = names
        md, _ = markdown_links(entry.report, index)  # their problems are reported by the check
        links.md_links[meta.slug] = md
        for path in set(md.values()):
            target = path.partition("#")[0]
            if target != own:
                back.setdefault(target, {})[meta.slug] = Backlink(meta.slug, meta.title, own)
    for path, items in back.items():
        slug = path.removeprefix("roles/").rstrip("/")
        links.backlinks[slug] = tuple(sorted(items.values(), key=lambda b: (b.title.casefold(), b.slug)))
    return links


# -- links to other .md reports ---------------------------------------------------------------

def markdown_links(report: Report, index: RoleIndex) -> tuple[dict[str, str], list[Diagnostic]]:
    """Map each `[x](other.md)` href to that report's page; a missing report is JZ408."""
    found: dict[str, str] = {}
    problems: list[Diagnostic] = []
    if not any(ref.kind == "report" for ref in report.links):
        return found, problems
    by_file = index.by_file
    shown_folder = posixpath.dirname(report.path.replace("\\", "/"))
    folder = posixpath.dirname(file_key(report.path))
    for ref in report.links:
        href = ref.href
        if ref.kind != "report" or href in found:
            continue
        parts = urlsplit(href)
        key = posixpath.normpath(posixpath.join(folder, ref.path))
        target = by_file.get(key)
        if target is None and (identity := file_identity(key)) is not None:
            target = index.by_identity.get(identity)  # another name of a report's file
        if target is None:
            wanted = posixpath.normpath(posixpath.join(shown_folder, ref.path))
            problems.append(error("JZ408", f"link to {href!r}: no report {wanted} in the site; link to an "
                                  "existing report's .md file or remove the link", ref.location))
            continue
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        found[href] = role_path(target.report.meta.slug) + fragment
    return found, problems
