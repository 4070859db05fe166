"""The reader: locations, stated values and diagnostics while walking one report's document.

Shared by the section extractors (`parse`) and the prose extractor (`prose`).
"""

from __future__ import annotations

import re
from decimal import Decimal

from builder import sections as S
from builder.diagnostics import Diagnostic, Location, error
from builder.document import Cell, Document, Section, Table, TextBlock
from builder.methodology import Methodology
from builder.model import Chain, Claim
from builder.numbers import Stated, StatedText, parse_plain, to_decimal, too_long
from builder.statements import Patterns, patterns


class Reader:
    """Collects claims and diagnostics while walking one report."""

    def __init__(self, path: str, document: Document, methodology: Methodology) -> None:
        self.path = path
        self.document = document
        self.methodology = methodology
        self.p: Patterns = patterns(tuple(zone.name for zone in methodology.zones))
        self.diagnostics: list[Diagnostic] = []
        self.claims: list[Claim] = []
        self.chains: list[Chain] = []
        self.tables: dict[str, Table] = {}
        self._sections_seen: set[str] = set()  # sections already looked for (a second copy is told once)

    # -- locations and values -------------------------------------------------
    def loc(self, line: int, col: int = 1) -> Location:
        return Location(self.path, line, col)

    def fail(self, code: str, message: str, line: int, col: int = 1) -> None:
        self.diagnostics.append(error(code, message, self.loc(line, col)))

    def stated_in(self, block: TextBlock, match: re.Match[str], group: str, negate: bool = False) -> Stated:
        line, col = block.locate(match.start(group))
        text = match.group(group)
        value = to_decimal(text)
        return self._stated(-value if negate else value, text, line, col)

    def _stated(self, value: Decimal, text: str, line: int, col: int) -> Stated:
        """A number as written there; one too long to be computed with exactly is an error there too."""
        problem = too_long(value)
        if problem is not None:
            self.fail("JZ114", f"{text[:40]}{'…' if len(text) > 40 else ''}: {problem}", line, col)
        return Stated(value, text, self.loc(line, col))

    def text_in(self, block: TextBlock, match: re.Match[str], group: str) -> StatedText:
        line, col = block.locate(match.start(group))
        return StatedText(match.group(group).strip(), self.loc(line, col))

    def claim(self, key: str, stated: Stated | StatedText, context: str) -> None:
        self.claims.append(Claim(key, stated, context))

    def claim_range(self, key: str, block: TextBlock, match: re.Match[str], context: str) -> None:
        """A range written "low-high" (groups `low` and `high`): `key`.min and `key`.max."""
        for bound, group in (("min", "low"), ("max", "high")):
            self.claim(f"{key}.{bound}", self.stated_in(block, match, group), context)

    def cell_number(self, cell: Cell | None, what: str, example: str = "a number") -> Stated | None:
        if cell is None:
            return None
        value = parse_plain(cell.text)
        if value is None:
            found = f"{cell.text!r}" if cell.text else "an empty cell"
            self.fail("JZ114", f"{what}: expected {example}, found {found}", cell.line, cell.col)
            return None
        return self._stated(value, cell.text.strip(), cell.line, cell.col)

    def cell_fraction(self, cell: Cell | None, what: str, total_key: str, max_key: str | None, example: str) -> None:
        """A total cell: "2/9" states the total and its maximum; a plain number only the total."""
        if cell is None:
            return
        match = self.p.out_of.fullmatch(cell.text) if max_key else None
        if match is None:
            value = parse_plain(cell.text)
            if value is None:
                self.fail("JZ114", f"{what}: expected {example}, found {cell.text!r}", cell.line, cell.col)
                return
            self.claim(total_key, self._stated(value, cell.text.strip(), cell.line, cell.col), what)
            return
        block = TextBlock.of_cell(cell)
        self.claim(total_key, self.stated_in(block, match, "value"), what)
        self.claim(max_key, self.stated_in(block, match, "max"), what)

    # -- structure ----------------------------------------------------------------
    def section(self, title: str) -> Section | None:
        same = self.document.sections_titled(title)
        marks = "###" if title in S.SUBSECTION_TITLES else "##"
        if not same:
            self.fail("JZ111", f"missing section '{marks} {title}'", self.document.body_line)
            return None
        if title not in self._sections_seen:
            self._sections_seen.add(title)
            for other in same[1:]:  # only the first is read: a second would be published unchecked
                self.fail("JZ116", f"section '{marks} {title}' is given twice (first on line {same[0].line}); keep one",
                          other.line)
        return same[0]

    def table(self, section: Section | None, key: str, columns: dict[str, tuple[str, ...]]) -> tuple[Table, dict[str, int]] | None:
        if section is None:
            return None
        tables = section.tables()
        if not tables:
            self.fail("JZ112", f"section '{section.title}' has no table: expected a pipe table with columns "
                      f"{', '.join(names[0] for names in columns.values())}", section.line)
            return None
        table = tables[0]
        self.tables[key] = table
        found: dict[str, int] = {}
        for name, prefixes in columns.items():
            index = table.column(*prefixes)
            if index is None:
                header = " | ".join(cell.text for cell in table.header)
                self.fail("JZ112", f"table in '{section.title}' has no '{prefixes[0]}' column (header is '{header}')",
                          table.line)
                return None
            found[name] = index
        return table, found

    def statement(self, section: Section | None, pattern: re.Pattern[str], expected: str) -> tuple[TextBlock, re.Match[str]] | None:
        if section is None:
            return None
        blocks = list(section.texts())
        for index, block in enumerate(blocks):
            match = pattern.search(block.text)
            if match:
                self._once(blocks, index, match, pattern, expected)
                return block, match
        # A line that starts like the statement but does not read like it is pointed at directly.
        lead = expected.split(":")[0] + ":" if ":" in expected else ""
        near = next((b for b in section.texts() if lead and b.text.lstrip("-* ").startswith(lead)), None)
        if near is not None:
            self.fail("JZ115", f"statement not in the expected form '{expected}'", near.line, near.col)
        else:
            self.fail("JZ115", f"section '{section.title}' has no statement of the form '{expected}'", section.line)
        return None

    def _once(self, blocks: list[TextBlock], index: int, match: re.Match[str], pattern: re.Pattern[str],
              expected: str) -> None:
        """A statement is read where it is first given; one given again would be published unchecked."""
        first = blocks[index]
        again = pattern.search(first.text, match.end())
        where = (first, again) if again else next(((b, m) for b in blocks[index + 1:] for m in [pattern.search(b.text)] if m),
                                                  None)
        if where is not None:
            line, col = where[0].locate(where[1].start())
            shown = expected.split(":")[0] if ":" in expected else expected
            self.fail("JZ116", f"statement '{shown}' is given twice (first on line {first.locate(match.start())[0]}); "
                      "keep one", line, col)

    @staticmethod
    def cell(row: tuple[Cell, ...], index: int) -> Cell | None:
        return row[index] if index < len(row) else None

    def check_ragged(self) -> None:
        for section in self.document.sections:
            for table in section.tables():
                for row in table.rows:
                    if len(row) == table.width:
                        continue
                    line = row[0].line if row else table.line
                    col = row[table.width].col if len(row) > table.width else (row[-1].col_at(len(row[-1].text)) if row else 1)
                    hint = " (a line right after a table belongs to it: separate them with a blank line)" \
                        if len(row) == 1 and "|" not in row[0].text else ""
                    self.fail("JZ113", f"table row has {len(row)} cells, expected {table.width} like its header "
                              f"'{' | '.join(c.text for c in table.header)}'{hint}", line, col)



class Shifted:
    """A match inside a substring, with positions moved back into the whole text."""

    def __init__(self, match: re.Match[str], offset: int) -> None:
        self.match, self.offset = match, offset

    def start(self, group: str) -> int:
        return self.match.start(group) + self.offset

    def group(self, group: str) -> str:
        return self.match.group(group)


