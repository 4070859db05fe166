"""Plain-text role assessment report -> this project's Markdown format.

Pure: takes the report's text, returns the Markdown document and warnings. The output
is a contract for the parser (headings, pipe tables, one blank line between blocks),
and importing an import's output gives it back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from builder.sections import COMMENTARY, ROLE_DEFINITION, SECTION_TITLES, SUBSECTION_TITLES
from builder.slugs import slugify

__all__ = ["SECTION_TITLES", "SUBSECTION_TITLES", "ImportResult", "ImportFormatError", "slugify", "import_text"]

_LEVELS = {t.casefold(): (2, t) for t in SECTION_TITLES} | {t.casefold(): (3, t) for t in SUBSECTION_TITLES}
_HEADING_RE = re.compile(r"#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?")
_SEPARATOR_RE = re.compile(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?")
# Starts of a line that Markdown would read as something other than paragraph text.
_ESCAPE_FIRST = re.compile(r"[#>|]|[-+*=](?:\s|$)|```|~~~|\[[^\]]*\]:|[-=*_ \t]+$")
_ORDERED = re.compile(r"\d{1,9}(?=[.)](?:\s|$))")
_NUMBER_RE = re.compile(r"[-+\u2212]?\d+(?:\.\d+)?%?")


@dataclass(frozen=True)
class ImportResult:
    """The converted document plus what the frontmatter was built from."""

    markdown: str
    slug: str
    title: str
    warnings: tuple[str, ...]


class ImportFormatError(ValueError):
    """The report can't be converted; `line`/`col` (1-based) point into the input text."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(f"line {line}, col {col}: {message}")
        self.line, self.col, self.message = line, col, message


@dataclass
class _Table:
    line: int
    rows: list[list[str]]  # header first; the separator row is not kept


def _escape(text: str) -> str:
    """Backslash the marker that would make this line a heading, list, quote, fence, rule..."""
    if _ESCAPE_FIRST.match(text):
        return "\\" + text
    ordered = _ORDERED.match(text)
    return f"{text[:ordered.end()]}\\{text[ordered.end():]}" if ordered else text


def _heading(text: str) -> tuple[int, str] | None:
    """(level, canonical title) for a bare title line or an already-converted `##` heading."""
    match = _HEADING_RE.fullmatch(text)
    return _LEVELS.get((match.group(1) if match else text).strip().casefold())


def _cells(raw: str, line_no: int, width: int | None) -> list[str]:
    """Split a `| a | b |` row; with `width`, a cell past it is an error located at its column."""
    lead = len(raw) - len(raw.lstrip())
    body = raw.rstrip()[lead + 1:]
    if body.endswith("|"):
        body = body[:-1]
    cells, start = [], lead + 1
    for piece in body.split("|"):
        if width is not None and len(cells) == width:
            col = start + len(piece) - len(piece.lstrip()) + 1
            raise ImportFormatError(line_no, col, f"table row has more than the header's {width} cells")
        cells.append(piece.strip())
        start += len(piece) + 1
    return cells


def _fit(row: list[str], header: list[str]) -> list[str]:
    """Pad a short row to the header's width; in the task table a `%` goes under Time, a number under Weighted."""
    width = len(header)
    if len(row) >= width:
        return row
    folded = [h.casefold() for h in header]
    weighted = next((i for i, h in enumerate(folded) if h.startswith("weighted")), None)
    if weighted is None or not row:
        return row + [""] * (width - len(row))
    time = next((i for i, h in enumerate(folded) if h.startswith("time")), None)
    out = [row[0]] + [""] * (width - 1)
    for value in row[1:]:
        wanted = (time if value.endswith("%") else weighted) if _NUMBER_RE.fullmatch(value) else None
        slot = wanted if wanted is not None and not out[wanted] else next(i for i in range(1, width) if not out[i])
        out[slot] = value
    return out


def _frontmatter(lines: list[str]) -> tuple[dict[str, Any] | None, int]:
    """An existing `---` YAML mapping at the top (a previous import) and the index just after it."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return None, 0
    for end in range(first + 1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[first + 1:end]))
            except yaml.YAMLError:
                return None, 0
            data = {} if data is None else data
            return (data, end + 1) if isinstance(data, dict) else (None, 0)
    return None, 0


def _blocks(lines: list[str], start: int, warnings: list[str]) -> list[tuple[str, Any, int]]:
    """Group the body into (kind, value, line) blocks: heading, table, para and list."""
    blocks: list[tuple[str, Any, int]] = []
    i = start
    while i < len(lines):
        text, line_no = lines[i].strip(), i + 1
        if not text:
            i += 1
        elif (heading := _heading(text)) is not None:
            blocks.append(("heading", heading, line_no))
            i += 1
        elif text.startswith("|"):
            end = i
            while end < len(lines) and lines[end].strip().startswith("|"):
                end += 1
            if end - i >= 2 and _SEPARATOR_RE.fullmatch(lines[i + 1].strip()):
                header = _cells(lines[i], line_no, None)
                rows = [header] + [_fit(_cells(lines[n], n + 1, len(header)), header) for n in range(i + 2, end)]
                blocks.append(("table", _Table(line_no, rows), line_no))
            else:
                warnings.append(f"line {line_no}: '|' lines without a '|---|' separator row kept as text")
                blocks.extend(("para", _escape(lines[n].strip()), n + 1) for n in range(i, end))
            i = end
        elif text.startswith("- "):
            item = _escape(text[2:].strip())
            if blocks and blocks[-1][0] == "list":
                blocks[-1][1].append(item)
            else:
                blocks.append(("list", [item], line_no))
            i += 1
        else:
            blocks.append(("para", _escape(text), line_no))
            i += 1
    return blocks


def _role_fields(blocks: list[tuple[str, Any, int]]) -> tuple[_Table | None, dict[str, tuple[str, int]]]:
    """The Role Definition section's first table, and its rows as field -> (value, line)."""
    section = None
    for kind, value, _line in blocks:
        if kind == "heading" and value[0] == 2:
            section = value[1]
        elif kind == "table" and section == ROLE_DEFINITION:
            fields: dict[str, tuple[str, int]] = {}
            for n, row in enumerate(value.rows[1:]):
                fields.setdefault(row[0].casefold(), (row[1] if len(row) > 1 else "", value.line + 2 + n))
            return value, fields
    return None, {}


def _render(kind: str, value: Any) -> str:
    if kind == "heading":
        return "#" * value[0] + " " + value[1]
    if kind == "table":
        width = len(value.rows[0])
        lines = ["| " + " | ".join(row) + " |" for row in value.rows]
        return "\n".join([lines[0], "|" + "---|" * width] + lines[1:])
    if kind == "list":
        return "\n".join("- " + item for item in value)
    return value


def _fill(meta: dict[str, Any], key: str, value: Any) -> None:
    """Existing frontmatter wins; only a missing (or null) key takes the table's value."""
    if meta.get(key) is None:
        meta[key] = value


def _structure_warnings(blocks: list[tuple[str, Any, int]]) -> list[str]:
    """Sections repeated, missing, or a subsection outside Assessor Commentary: worth a look, not fatal."""
    warnings: list[str] = []
    seen: set[str] = set()
    section = None
    for _kind, (level, title), line_no in (b for b in blocks if b[0] == "heading"):
        if title in seen:
            warnings.append(f"line {line_no}: section '{title}' appears again")
        seen.add(title)
        if level == 2:
            section = title
        elif section != COMMENTARY:
            warnings.append(f"line {line_no}: '{title}' is outside '{COMMENTARY}'")
    return warnings + [f"missing section '{t}'" for t in SECTION_TITLES + SUBSECTION_TITLES if t not in seen]


def import_text(text: str) -> ImportResult:
    """Convert a plain-text (or previously imported) report into the Markdown document format."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportFormatError(1, 1, "empty report")
    lines = text.split("\n")
    warnings: list[str] = []
    existing, body_start = _frontmatter(lines)
    blocks = _blocks(lines, body_start, warnings)

    table, fields = _role_fields(blocks)
    if table is None or "job title" not in fields:
        raise ImportFormatError(1, 1, "no 'Job Title' row in the Role Definition table")
    meta: dict[str, Any] = dict(existing or {})
    title_value, title_line = fields["job title"]
    if "seniority level" not in fields:
        warnings.append(f"line {table.line}: no 'Seniority Level' in Role Definition table")
    _fill(meta, "title", title_value)
    title = str(meta["title"])
    if meta.get("slug") is None:
        try:
            meta["slug"] = slugify(title)
        except ValueError as exc:
            raise ImportFormatError(title_line, 1, str(exc)) from None
    if fields.get("seniority level", ("", 0))[0]:
        _fill(meta, "seniority", fields["seniority level"][0])
    _fill(meta, "aliases", [])

    warnings.extend(_structure_warnings(blocks))

    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    body = "\n\n".join(_render(kind, value) for kind, value, _ in blocks)
    return ImportResult(f"---\n{front}---\n\n{body}\n", str(meta["slug"]), title, tuple(warnings))
