"""Frontmatter fields: validated against the schema into `Meta`, every problem located at its key's line."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

from builder.diagnostics import Diagnostic, Location, error
from builder.model import Meta, Override
from builder.numbers import Stated
from builder.schema import Verdicts, field_names, slug_max_length, slug_pattern, validate_frontmatter
from builder.source import SourceText

SLUG_RE = slug_pattern()  # the schema's slug rule, for callers that make slugs (benchmarks/generate.py)

def read_meta(source: SourceText, verdicts: Verdicts | None = None) -> tuple[Meta | None, list[Diagnostic]]:
    """Validate against the frontmatter schema (the one source of the field rules), then build `Meta`.

    Each schema problem is located at its key's line; unknown fields are kept as `extra` for templates.
    `verdicts` remembers validations already made (see `schema.validate_frontmatter`).
    """
    def at(key: str) -> Location:
        return Location(source.path, source.meta_lines.get(key, 1), 1)

    problems = [error(p.code, p.message, at(p.key)) for p in validate_frontmatter(source.meta, verdicts)]
    stem = PurePath(source.path).stem
    if source.meta.get("slug") is None and not SLUG_RE.fullmatch(stem):
        problems.append(error("JZ103", f"file name {stem!r} is not a valid slug: rename the file or set 'slug:' "
                              f"(lowercase a-z, 0-9 and single hyphens, at most {slug_max_length()} characters)",
                              Location(source.path, 1, 1)))
    if problems:
        return None, problems
    override = _read_override(source, problems, at("assessor_override"))
    if problems:
        return None, problems
    meta = source.meta
    aliases = meta.get("aliases") or []
    aliases = [aliases] if isinstance(aliases, str) else aliases
    updated = meta.get("updated")
    if isinstance(updated, datetime):
        updated = updated.date()
    elif isinstance(updated, str):
        updated = date.fromisoformat(updated)
    known = field_names()
    extra = {k: v for k, v in meta.items() if k not in known}
    slug = meta.get("slug") or stem
    return Meta(meta["title"].strip(), slug, _text(meta.get("seniority")), _text(meta.get("job_family")),
                tuple(a.strip() for a in aliases), updated, override, extra,
                at("title"), at("slug") if "slug" in meta else Location(source.path, 1, 1)), problems


def _text(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def _read_override(source: SourceText, problems: list[Diagnostic], where: Location) -> Override | None:
    """The schema has checked the shape; absent, null or "none" means no override.

    JSON has no NaN or infinity, so the schema cannot refuse YAML's `.nan` and `.inf`: refused here.
    """
    value = source.meta.get("assessor_override")
    if not isinstance(value, dict):
        return None
    score = value["score"]
    parsed = Decimal(str(score))
    if not parsed.is_finite():
        problems.append(error("JZ306", f"frontmatter 'assessor_override.score': found {score!r}; expected a finite "
                              "number, e.g. 45.0", where))
        return None
    return Override(Stated(parsed, str(score), where), value["reason"].strip())
