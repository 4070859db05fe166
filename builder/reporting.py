"""Diagnostics to text: plain (`path:line:col: error: …`), JSON, GitHub workflow commands, or SARIF."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from builder import __version__
from builder.diagnostics import CODES, Diagnostic, Severity

FORMATS = ("text", "json", "github", "sarif")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
# Relative URIs are resolved against the checked-out source root (what GitHub code scanning expects).
SRCROOT = "%SRCROOT%"
# Codes only ever reported as warnings: CODES marks them "(warning)". Every other code is an error.
WARNING_CODES = frozenset(code for code, meaning in CODES.items() if "(warning)" in meaning)


def _github_escape(text: str, is_property: bool = False) -> str:
    """Escape as @actions/core does, so a path or message cannot end or split the workflow command."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_text(d: Diagnostic) -> str:
    return f"{d.location}: {d.severity.value}: {d.message} [{d.code}]"


def format_github(d: Diagnostic) -> str:
    loc = d.location
    props = (f"file={_github_escape(loc.path, True)},line={loc.line},col={loc.col},"
             f"title={_github_escape(d.code, True)}")
    return f"::{d.severity.value} {props}::{_github_escape(d.message)}"


def summary(reports: int, errors: int, warnings: int) -> str:
    noun = "report" if reports == 1 else "reports"
    if not errors and not warnings:
        return f"Checked {reports} {noun}: no problems."
    return (f"Checked {reports} {noun}: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}.")


def _sarif_rule(code: str) -> dict[str, Any]:
    level = Severity.WARNING.value if code in WARNING_CODES else Severity.ERROR.value
    return {
        "id": code,
        "shortDescription": {"text": CODES.get(code, f"jobzone diagnostic {code}.")},
        "defaultConfiguration": {"level": level},
    }


def _artifact_location(path: str) -> dict[str, Any]:
    """A relative path as printed becomes a percent-encoded POSIX URI under %SRCROOT%; an absolute one a file: URI."""
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(os.fsencode(pure.as_posix()), safe="/"), "uriBaseId": SRCROOT}  # the name's bytes


def sarif_log(diagnostics: Iterable[Diagnostic]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run, in the shape GitHub code scanning accepts.

    Every code in CODES is a rule, so an alert's rule text is there even in a clean run;
    ruleIndex points into that list, and lines and columns are clamped to >= 1 as SARIF requires.
    """
    items = list(diagnostics)
    codes = list(CODES)
    codes += sorted({d.code for d in items} - set(codes))  # a code missing from CODES still gets a rule
    index = {code: i for i, code in enumerate(codes)}
    results = [{
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": d.severity.value,
        "message": {"text": d.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": _artifact_location(d.location.path),
                "region": {"startLine": max(1, d.location.line), "startColumn": max(1, d.location.col)},
            },
        }],
    } for d in items]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "jobzone",
                "version": __version__,
                "rules": [_sarif_rule(code) for code in codes],
            }},
            # Columns count characters of the decoded text, not UTF-16 code units (SARIF's default).
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(diagnostics: Iterable[Diagnostic], fmt: str, reports: int) -> str:
    """The whole output of `jobzone check` in one of FORMATS."""
    import json  # not for a build with nothing to do, which imports this module too

    items = list(diagnostics)
    errors = sum(d.is_error for d in items)
    warnings = len(items) - errors
    # JSON and SARIF are ASCII-only, so the file is valid UTF-8 whatever encoding stdout has when redirected,
    # and a file name that is not UTF-8 is an escape ("\udce9") that decodes back to its bytes (os.fsencode).
    if fmt == "sarif":
        return json.dumps(sarif_log(items), indent=2, ensure_ascii=True)
    if fmt == "json":
        return json.dumps({
            "diagnostics": [
                {"path": d.location.path, "line": d.location.line, "col": d.location.col,
                 "severity": d.severity.value, "code": d.code, "message": d.message}
                for d in items
            ],
            "summary": {"reports": reports, "errors": errors, "warnings": warnings},
        }, indent=2, ensure_ascii=True)
    lines = [format_github(d) if fmt == "github" else format_text(d) for d in items]
    lines.append(summary(reports, errors, warnings))
    return "\n".join(lines)
