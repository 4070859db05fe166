"""Diagnostics to text: plain (`path:line:col: error: …`), JSON, or GitHub workflow commands."""

from __future__ import annotations

import json
from collections.abc import Iterable

from builder.diagnostics import Diagnostic

FORMATS = ("text", "json", "github")


def _github_escape(text: str, is_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_text(d: Diagnostic) -> str:
    return f"{d.location}: {d.severity.value}: {d.message} [{d.code}]"


def format_github(d: Diagnostic) -> str:
    loc = d.location
    props = f"file={_github_escape(loc.path, True)},line={loc.line},col={loc.col},title={d.code}"
    return f"::{d.severity.value} {props}::{_github_escape(d.message)}"


def summary(reports: int, errors: int, warnings: int) -> str:
    noun = "report" if reports == 1 else "reports"
    if not errors and not warnings:
        return f"Checked {reports} {noun}: no problems."
    return (f"Checked {reports} {noun}: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}.")


def render(diagnostics: Iterable[Diagnostic], fmt: str, reports: int) -> str:
    """The whole output of `jobzone check` in one of FORMATS."""
    items = list(diagnostics)
    errors = sum(d.is_error for d in items)
    warnings = len(items) - errors
    if fmt == "json":
        return json.dumps({
            "diagnostics": [
                {"path": d.location.path, "line": d.location.line, "col": d.location.col,
                 "severity": d.severity.value, "code": d.code, "message": d.message}
                for d in items
            ],
            "summary": {"reports": reports, "errors": errors, "warnings": warnings},
        }, indent=2, ensure_ascii=False)
    lines = [format_github(d) if fmt == "github" else format_text(d) for d in items]
    lines.append(summary(reports, errors, warnings))
    return "\n".join(lines)
