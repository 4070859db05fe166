"""URL slugs made from titles: one rule for report slugs, page anchors and chart ids."""

from __future__ import annotations

import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """URL slug: ASCII-transliterated, lowercase, single hyphens ("ML/AI Engineer" -> "ml-ai-engineer")."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if not slug:
        raise ValueError(f"title {title!r} has no letters or digits to make a slug from")
    return slug
