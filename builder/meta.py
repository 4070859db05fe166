"""Frontmatter fields: validated into `Meta`, every problem located at its key's line."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from builder.diagnostics import Diagnostic, Location, error
from builder.model import Meta, Override
from builder.numbers import Stated
from builder.source import SourceText

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KNOWN_FIELDS = ("title", "slug", "seniority", "job_family", "aliases", "updated", "assessor_override")


def _optional_text(source: SourceText, key: str, problems: list[Diagnostic], at) -> str | None:
    value = source.meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(error("JZ102", f"frontmatter '{key}' must be text, found {type(value).__name__} {value!r}", at(key)))
        return None
    return value.strip() or None


def read_meta(source: SourceText) -> tuple[Meta | None, list[Diagnostic]]:
    """Check each known field's type; unknown fields are kept as `extra` for templates."""
    problems: list[Diagnostic] = []

    def at(key: str) -> Location:
        return Location(source.path, source.meta_lines.get(key, 1), 1)

    title = source.meta.get("title")
    if not isinstance(title, str) or not title.strip():
        found = "nothing" if title is None else f"{type(title).__name__} {title!r}"
        problems.append(error("JZ102", f"frontmatter 'title' is required and must be text, found {found}", at("title")))
        title = None

    stem = PurePath(source.path).stem
    slug = source.meta.get("slug")
    if slug is None:
        if not SLUG_RE.fullmatch(stem):
            problems.append(error("JZ103", f"file name {stem!r} is not a valid slug: rename the file or set 'slug:' "
                                  "(lowercase a-z, 0-9 and single hyphens)", Location(source.path, 1, 1)))
        slug = stem
    elif not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        problems.append(error("JZ103", f"frontmatter 'slug' {slug!r} is not valid: expected lowercase a-z, 0-9 and "
                              "single hyphens, e.g. 'data-scientist'", at("slug")))
        slug = None

    aliases_value = source.meta.get("aliases") or []
    if isinstance(aliases_value, str):
        aliases_value = [aliases_value]
    aliases: list[str] = []
    if not isinstance(aliases_value, list) or not all(isinstance(a, str) and a.strip() for a in aliases_value):
        problems.append(error("JZ102", "frontmatter 'aliases' must be a list of role titles", at("aliases")))
    else:
        aliases = [a.strip() for a in aliases_value]

    updated_value = source.meta.get("updated")
    updated: date | None = None
    if isinstance(updated_value, datetime):
        updated = updated_value.date()
    elif isinstance(updated_value, date):
        updated = updated_value
    elif isinstance(updated_value, str):
        try:
            updated = date.fromisoformat(updated_value.strip())
        except ValueError:
            problems.append(error("JZ102", f"frontmatter 'updated' {updated_value!r} is not a date: expected YYYY-MM-DD",
                                  at("updated")))
    elif updated_value is not None:
        problems.append(error("JZ102", f"frontmatter 'updated' must be a date YYYY-MM-DD, found {updated_value!r}",
                              at("updated")))

    override = _read_override(source, problems, at("assessor_override"))
    seniority = _optional_text(source, "seniority", problems, at)
    job_family = _optional_text(source, "job_family", problems, at)
    if title is None or slug is None or any(p.is_error for p in problems):
        return None, problems
    extra = {k: v for k, v in source.meta.items() if k not in KNOWN_FIELDS}
    return Meta(title.strip(), slug, seniority, job_family, tuple(aliases), updated, override, extra,
                at("title"), at("slug") if "slug" in source.meta else Location(source.path, 1, 1)), problems


def _read_override(source: SourceText, problems: list[Diagnostic], where: Location) -> Override | None:
    """`assessor_override: {score: 45.0, reason: "…"}`; absent, null or "none" means no override."""
    value = source.meta.get("assessor_override")
    if value is None or (isinstance(value, str) and value.strip().casefold() in ("", "none")):
        return None
    if not isinstance(value, dict):
        problems.append(error("JZ306", "frontmatter 'assessor_override' must be a mapping with 'score' and 'reason'",
                              where))
        return None
    score, reason = value.get("score"), value.get("reason")
    parsed: Decimal | None = None
    if not isinstance(score, bool) and isinstance(score, (int, float, str)):
        try:
            parsed = Decimal(str(score).strip())
        except InvalidOperation:
            parsed = None
    if parsed is None or not parsed.is_finite():
        problems.append(error("JZ306", f"assessor_override.score must be a number, found {score!r}", where))
        return None
    if not isinstance(reason, str) or not reason.strip():
        problems.append(error("JZ306", "assessor_override.reason is required: say why the formula score is overridden",
                              where))
        return None
    return Override(Stated(parsed, str(score), where), reason.strip())


def as_plain(value: Any) -> Any:
    """Frontmatter values made JSON-friendly (dates as ISO text)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    return value
