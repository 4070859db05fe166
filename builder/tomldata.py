"""TOML files (site config, methodology) read with errors that name file, line and column."""

from __future__ import annotations

import re
import tomllib
from typing import Any


class LocatedError(ValueError):
    """A malformed data file: which file, where in it, and what was expected; `more` holds the problems
    found after the first, so all of them are told at once (one line each in `str`)."""

    def __init__(self, path: str, message: str, line: int = 1, col: int = 1,
                 more: tuple[LocatedError, ...] = ()) -> None:
        super().__init__(f"{path}:{line}:{col}: {message}")
        self.path, self.line, self.col, self.message, self.more = path, line, col, message, more

    def __str__(self) -> str:
        return "\n".join(f"{p.path}:{p.line}:{p.col}: {p.message}" for p in (self, *self.more))

    @classmethod
    def of(cls, problems: list[LocatedError]) -> LocatedError:
        """One error telling all of `problems` (at least one)."""
        first = problems[0]
        return cls(first.path, first.message, first.line, first.col, tuple(problems[1:]))


def read_toml(text: str, path: str, error: type[LocatedError]) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into `error` at the line and column tomllib reports."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        raise error(path, f"invalid TOML: {exc}", line, col) from exc


_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]#]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")
_INDEXED = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _parts(dotted: str) -> list[str]:
    """'sublabels[2].when.score' -> ['sublabels', '2', 'when', 'score'] (quotes dropped)."""
    return [name.strip().strip("\"'") or index for name, index in _INDEXED.findall(dotted)]


def key_position(text: str, where: str) -> tuple[int, int]:
    """Line and column of the value `where` names ("coefficients.evidence", "zones[1].min",
    "sublabels[0].when"), or of the nearest table or key on its way that the text shows: tomllib
    keeps no positions, so the lines are read as TOML lays them out. (1, 1) when nothing matches."""
    target = _parts(where)
    best, position = 0, (1, 1)
    table: list[str] = []
    arrays: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group(2))
            if header.group(1) == "[[":
                arrays[tuple(table)] = arrays.get(tuple(table), -1) + 1
                table = [*table, str(arrays[tuple(table)])]
            path, col = table, line.index("[") + 1
        else:
            key = _KEY.match(line)
            if key is None:
                continue
            path, col = [*table, *_parts(key.group(1))], key.start(1) + 1
        if len(path) > best and path == target[:len(path)]:
            best, position = len(path), (number, col)
            if best == len(target):
                break
    return position
