"""Markdown body -> sections of located blocks, through markdown-it-py's token stream.

markdown-it gives each block token a source map (`Token.map`, 0-based line range);
this module turns that into file line numbers and, for table cells and prose, into
columns, so every number a report states can be pointed at exactly.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Union

from markdown_it import MarkdownIt
from markdown_it.token import Token

if TYPE_CHECKING:
    import pandas as pd


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """CommonMark plus GFM tables and strikethrough; raw HTML is never passed through."""
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class Cell:
    """A table cell as written, where it starts in the file, so a wrong number can be pointed at."""

    text: str  # stripped, with each escaped pipe `\\|` read as `|`
    line: int
    col: int  # of the first character of `text`
    escapes: tuple[int, ...] = ()  # where in `text` a `|` was written `\\|`

    def col_at(self, index: int) -> int:
        """File column of character `index` of `text` (a written `\\|` takes two columns)."""
        return self.col + index + _escaped_before(self.escapes, index)


def _escaped_before(escapes: tuple[int, ...], index: int) -> int:
    return sum(1 for at in escapes if at < index)


@dataclass(frozen=True)
class Table:
    """A Markdown table: header and rows of located cells, and the line it starts on."""

    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    line: int

    @property
    def width(self) -> int:
        return len(self.header)

    def column(self, *prefixes: str) -> int | None:
        """Index of the first header cell starting with one of the prefixes (any case)."""
        wanted = tuple(p.casefold() for p in prefixes)
        for index, cell in enumerate(self.header):
            if cell.text.casefold().startswith(wanted):
                return index
        return None

    def frame(self) -> pd.DataFrame:
        """The table as a pandas DataFrame of strings, header as columns, padded to width."""
        import pandas as pd

        names = [cell.text for cell in self.header]
        body = [[cell.text for cell in row[: self.width]] + [""] * (self.width - len(row)) for row in self.rows]
        frame = pd.DataFrame(body, columns=pd.Index(names, dtype=object), dtype=object)
        frame.index = pd.Index([row[0].line if row else self.line for row in self.rows], name="line")
        return frame


@dataclass(frozen=True)
class TextBlock:
    """A paragraph, list item or heading: its raw source lines and where they start."""

    kind: str  # "paragraph" | "item" | "cell"
    text: str
    line: int
    list_id: int | None = None
    col: int = 1  # column of the first character (table cells start mid-line)
    escapes: tuple[int, ...] = ()  # a cell's escaped pipes (`Cell.escapes`)

    @classmethod
    def of_cell(cls, cell: Cell) -> TextBlock:
        return cls("cell", cell.text, cell.line, col=cell.col, escapes=cell.escapes)

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0, *(match.end() for match in re.finditer("\n", self.text))]

    def locate(self, index: int) -> tuple[int, int]:
        """File (line, col) of a character offset into `text`."""
        row = bisect_right(self._line_starts, index) - 1
        if row == 0:
            return self.line, self.col + index + _escaped_before(self.escapes, index)
        return self.line + row, index - self._line_starts[row] + 1


Block = Union[Table, TextBlock]


@dataclass
class Section:
    """The blocks under one heading, in order: reports are read section by section."""

    title: str
    level: int
    line: int
    blocks: list[Block] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]

    def texts(self) -> list[TextBlock]:
        return [block for block in self.blocks if isinstance(block, TextBlock)]


@dataclass(frozen=True)
class PreparedBody:
    """The body rendered to HTML but for what the rest of the site decides (`builder.body`)."""

    html: str  # with "\x00T<n>\x00" for prose pieces and "\x00H<n>\x00" for link and image targets
    prose: tuple[tuple[int, str], ...]  # per prose mark: its section (headings before it), its text
    targets: tuple[str, ...]  # per target mark: the href or src as written (normalised by the parser)


@dataclass
class Document:
    """A report body parsed once: its sections, and what was rendered while the tokens were at hand."""

    sections: list[Section]  # the first, level 0, holds anything before the first heading
    body: str  # the Markdown after the frontmatter
    body_line: int
    parsed: list[Token] | None = field(default=None, repr=False, compare=False)
    # The body rendered but for what the site decides (`body.prepare_body`), made while the tokens are
    # at hand and kept with the analysis, so a page needs no second parse.
    prepared: PreparedBody | None = field(default=None, repr=False, compare=False)

    @property
    def tokens(self) -> list[Token]:
        """markdown-it's tokens for the body: parsed once, and parsed again after unpickling rather
        than stored (they are most of an analysis's size, and re-parsing is as fast as reading them)."""
        if self.parsed is None:
            self.parsed = markdown_parser().parse(self.body)
        return self.parsed

    def __getstate__(self) -> dict[str, object]:
        state = {**self.__dict__, "parsed": None}
        state.pop("_titled", None)
        return state

    def sections_titled(self, title: str) -> list[Section]:
        """Every section with this title (any case and spacing), in order; titles are normalised
        once per document, not once per lookup."""
        titled: dict[str, list[Section]] | None = self.__dict__.get("_titled")
        if titled is None:
            titled = self.__dict__["_titled"] = {}
            for section in self.sections:
                titled.setdefault(normalise_title(section.title), []).append(section)
        return titled.get(normalise_title(title), [])

    def section(self, title: str) -> Section | None:
        found = self.sections_titled(title)
        return found[0] if found else None


def normalise_title(title: str) -> str:
    """A heading or row name as it is matched: any case and spacing, Unicode compatibility forms as one."""
    return " ".join(unicodedata.normalize("NFKC", title).replace("\u2019", "'").casefold().split())


def split_row(line: str) -> list[tuple[int, str, tuple[int, ...]]]:
    """Split a raw table row at unescaped pipes: per cell, the 0-based column of its stripped text, that
    text with `\\|` read as `|`, and where in it those pipes are (`Cell.escapes`)."""
    cells: list[tuple[int, str, tuple[int, ...]]] = []
    start = len(line) - len(line.lstrip())
    end = len(line.rstrip())
    if start < end and line[start] == "|":
        start += 1
    if end > start and line[end - 1] == "|" and (end < 2 or line[end - 2] != "\\"):
        end -= 1
    cell_start = start
    while cell_start <= end:
        index = line.find("|", cell_start, end)
        while index > 0 and line[index - 1] == "\\":  # an escaped pipe is part of the cell
            index = line.find("|", index + 1, end)
        index = end if index == -1 else index
        raw = line[cell_start:index]
        stripped = raw.strip()
        offset = cell_start + (len(raw) - len(raw.lstrip())) if stripped else cell_start
        pieces = stripped.split("\\|")
        escapes = tuple(sum(len(piece) + 1 for piece in pieces[:n + 1]) - 1 for n in range(len(pieces) - 1))
        cells.append((offset, "|".join(pieces), escapes))
        cell_start = index + 1
    return cells


def _table(tokens: list[Token], start: int, lines: list[str], first_line: int) -> tuple[Table, int]:
    header: tuple[Cell, ...] = ()
    rows: list[tuple[Cell, ...]] = []
    index = start
    in_head = False
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and token.map:
            row_line = token.map[0]
            cells = tuple(Cell(text, first_line + row_line, col + 1, escapes)
                          for col, text, escapes in split_row(lines[row_line]))
            if in_head:
                header = cells
            else:
                rows.append(cells)
        index += 1
    table_map = tokens[start].map or [0, 0]
    return Table(header, tuple(rows), first_line + table_map[0]), index


def parse_document(body: str, body_line: int = 1) -> Document:
    """Group the body's top-level blocks under the heading that precedes them."""
    tokens = markdown_parser().parse(body)
    lines = body.split("\n")
    first = body_line
    sections = [Section("", 0, body_line)]
    list_counter = 0
    current_list: int | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.map:
            inline = tokens[index + 1]
            sections.append(Section(inline.content.strip(), int(token.tag[1:]), first + token.map[0]))
        elif token.type == "table_open" and token.level == 0:
            table, index = _table(tokens, index, lines, first)
            sections[-1].blocks.append(table)
        elif token.type in ("bullet_list_open", "ordered_list_open") and token.level == 0:
            list_counter += 1
            current_list = list_counter
        elif token.type in ("bullet_list_close", "ordered_list_close") and token.level == 0:
            current_list = None
        elif token.type == "list_item_open" and token.level == 1 and token.map:
            text = "\n".join(lines[token.map[0]:token.map[1]]).rstrip()
            sections[-1].blocks.append(TextBlock("item", text, first + token.map[0], current_list))
        elif token.type == "paragraph_open" and token.level == 0 and token.map:
            text = "\n".join(lines[token.map[0]:token.map[1]]).rstrip()
            sections[-1].blocks.append(TextBlock("paragraph", text, first + token.map[0]))
        index += 1
    return Document(sections, body, body_line, tokens)
