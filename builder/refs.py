"""The links a report writes: to other reports (`x.md`), to files beside it, and which are unsafe.

Pure and done once per report, while it is parsed: later stages (the check, the link
graph, rendering) look at these refs instead of walking the token stream again.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from builder.diagnostics import Location
from builder.document import Document, Table, TextBlock


@dataclass(frozen=True)
class LinkRef:
    """One relative link or image source: to a report ("report") or to another file ("file")."""

    kind: str
    href: str
    path: str  # the href's path, unquoted, relative to the report's folder
    location: Location


def is_md_link(href: str) -> bool:
    """A relative link to a Markdown file ("data-scientist.md", "./x.md#evidence")."""
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and not href.startswith("/") and unquote(parts.path).endswith(".md")



UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


def unsafe_url(url: str) -> bool:
    """True for javascript:, vbscript: and data: URLs, in any case and with any whitespace or controls."""
    squashed = "".join(ch for ch in unquote(url) if not ch.isspace() and ord(ch) >= 0x20 and ord(ch) != 0x7F)
    return squashed.casefold().startswith(UNSAFE_SCHEMES)


def is_local_file_link(href: str) -> bool:
    """A relative link to a file beside the reports (an image, a PDF), not a page, an anchor or a
    script URL in disguise (those are dropped when rendering)."""
    parts = urlsplit(href)
    return bool(parts.path) and not parts.scheme and not parts.netloc and not href.startswith(("/", "#")) \
        and not is_md_link(href) and not unsafe_url(href)


def link_refs(document: Document, path: str) -> tuple[LinkRef, ...]:
    """Every distinct relative link to a report or a file, in document order, with where it is written.
    Whether the target exists is for later stages to say."""
    found: dict[str, LinkRef] = {}
    for token in document.tokens:
        for child in token.children or ():
            attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
            href = str(child.attrGet(attr) or "") if attr else ""
            if not href or href in found:
                continue
            kind = "report" if attr == "href" and is_md_link(href) else "file" if is_local_file_link(href) else None
            if kind:
                found[href] = LinkRef(kind, href, unquote(urlsplit(href).path), _locate(document, path, token, href))
    return tuple(found.values())


def _locate(document: Document, path: str, token: Token, href: str) -> Location:
    """Where a link's href is written: the block's line, refined to the column when found."""
    start = document.body_line + (token.map[0] if token.map else 0)
    end = document.body_line + (token.map[1] if token.map else 1)
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, TextBlock) and start <= block.line < end:
                at = block.text.find(f"({href}")
                if at != -1:
                    line, col = block.locate(at + 1)
                    return Location(path, line, col)
            elif isinstance(block, Table):
                for cell in (c for row in block.rows for c in row if start <= c.line < end):
                    at = cell.text.find(f"({href}")
                    if at != -1:
                        return Location(path, cell.line, cell.col + at + 1)
    return Location(path, start, 1)
