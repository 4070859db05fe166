"""The frontmatter's JSON Schema: the one place its field rules are written.

Editors read `builder/data/frontmatter.schema.json` (via `jobzone schema`) to check the
frontmatter as it is typed; the checker validates against the same file and turns each
validation error into a `FieldProblem` naming the field, the value found and what is
expected (the schema's `errorMessage`), with the diagnostic code the field's
`x-jobzone-code` gives (JZ102 when it gives none). jsonschema is imported only when a
frontmatter is validated, so start-up stays fast.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

SCHEMA_FILE = "data/frontmatter.schema.json"
DEFAULT_CODE = "JZ102"


@dataclass(frozen=True)
class FieldProblem:
    """One frontmatter field that breaks the schema: `key` is its top-level key (for the line)."""

    key: str
    field: str  # dotted path: 'assessor_override.reason', 'aliases[1]'
    code: str
    message: str


def schema_text() -> str:
    return resources.files("builder").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(schema_text())


def load_schema() -> dict[str, Any]:
    """The frontmatter schema as data (a fresh copy: callers may change it)."""
    return json.loads(json.dumps(_schema()))


@lru_cache(maxsize=1)
def field_names() -> frozenset[str]:
    """The fields the checker reads; any other field is kept for templates and not checked."""
    return frozenset(_schema()["properties"])


@lru_cache(maxsize=1)
def slug_pattern() -> re.Pattern[str]:
    """The schema's slug rule, its pattern and its length (use with `fullmatch`); also applied to file
    names when a report sets no slug."""
    return re.compile(rf"(?=.{{1,{slug_max_length()}}}\Z){_schema()['properties']['slug']['pattern']}")


def slug_max_length() -> int:
    """The longest slug: a page's folder and a report's file are named after it, and must fit a file name."""
    return int(_schema()["properties"]["slug"]["maxLength"])


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator  # heavy: imported only when a frontmatter is validated

    return Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def as_json(value: Any) -> Any:
    """YAML values as JSON would hold them: dates as YYYY-MM-DD text, keys as text."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def describe(value: Any, missing: bool = False) -> str:
    """A value as an author would recognise it in their YAML."""
    if missing:
        return "nothing"
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"{shown!r}" if value.strip() else "empty text"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    kind = {list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return f"{kind} {shown if len(shown) <= 60 else shown[:57] + '...'}"


def _dotted(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _field_schema(key: str) -> dict[str, Any]:
    return _schema().get("properties", {}).get(key, {})


def _expected(subschema: dict[str, Any], key: str) -> str:
    """The schema's `errorMessage` ("Expected …." for editors), as the tail of a checker message."""
    text = subschema.get("errorMessage") or _field_schema(key).get("errorMessage") or "Expected a value the schema allows."
    return text[:1].lower() + text[1:].rstrip(".")


def _leaf_errors(error: Any) -> Iterator[Any]:
    """For anyOf: the errors of the one alternative of the value's own type; else the error itself.

    "Not valid under any of the given schemas" says nothing; the alternative whose type the
    value has (the mapping form of an override, the list form of aliases) says what is wrong.
    """
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    by_branch: dict[int, list[Any]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [subs for subs in by_branch.values()
               if not any(s.validator == "type" and not s.relative_path for s in subs)]
    if len(fitting) != 1:
        yield error
        return
    for sub in fitting[0]:
        yield from _leaf_errors(sub)


def _problem(error: Any) -> list[FieldProblem]:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = [name for name in error.validator_value
                   if isinstance(error.instance, dict) and name not in error.instance]
        problems = []
        for name in missing:
            key = str(path[0]) if path else name
            field = _dotted([*path, name])
            expected = _expected(error.schema.get("properties", {}).get(name, {}), key)
            problems.append(FieldProblem(key, field, _code(key), f"frontmatter '{field}' is required: {expected}"))
        return problems
    if not path:
        return [FieldProblem("", "", DEFAULT_CODE, f"frontmatter: {error.message}")]
    key = str(path[0])
    field = _dotted(path)
    expected = _expected(error.schema if isinstance(error.schema, dict) else {}, key)
    return [FieldProblem(key, field, _code(key), f"frontmatter '{field}': found {describe(error.instance)}; "
                         f"{expected}")]


def _code(key: str) -> str:
    return str(_field_schema(key).get("x-jobzone-code", DEFAULT_CODE))


class Verdicts(Protocol):
    """Verdicts already reached, by the frontmatter as JSON text (a dict will do): validation is a pure
    function of it, so a cache may remember verdicts across runs and spare a run importing jsonschema."""

    def get(self, key: str) -> tuple[FieldProblem, ...] | None: ...

    def __setitem__(self, key: str, value: tuple[FieldProblem, ...]) -> None: ...


def validate_frontmatter(meta: dict[str, Any], verdicts: Verdicts | None = None) -> list[FieldProblem]:
    """Every field that breaks the schema, once per field path (a field breaking two rules, such as an
    empty title's minLength and pattern, is one problem), in the frontmatter's key order."""
    if verdicts is None:
        return _validate(meta)
    key = json.dumps(as_json(meta), ensure_ascii=False, default=repr)
    known = verdicts.get(key)
    if known is None:
        known = verdicts[key] = tuple(_validate(meta))
    return list(known)


def _validate(meta: dict[str, Any]) -> list[FieldProblem]:
    seen: set[str] = set()
    problems: list[FieldProblem] = []
    for error in _validator().iter_errors(as_json(meta)):
        for leaf in _leaf_errors(error):
            for problem in _problem(leaf):
                if problem.field not in seen:
                    seen.add(problem.field)
                    problems.append(problem)
    order = {key: index for index, key in enumerate(meta)}
    return sorted(problems, key=lambda p: order.get(p.key, -1))


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the schema, pretty, for `jobzone schema > frontmatter.schema.json`."""
    print(json.dumps(_schema(), indent=2, ensure_ascii=False))
    return 0
