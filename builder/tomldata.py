"""TOML files (site config, methodology) read with errors that name file, line and column."""

from __future__ import annotations

import re
import tomllib
from typing import Any


class LocatedError(ValueError):
    """A malformed data file: which file, where in it, and what was expected."""

    def __init__(self, path: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(f"{path}:{line}:{col}: {message}")
        self.path, self.line, self.col, self.message = path, line, col, message


def read_toml(text: str, path: str, error: type[LocatedError]) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into `error` at the line and column tomllib reports."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        raise error(path, f"invalid TOML: {exc}", line, col) from exc
