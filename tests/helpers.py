"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations


def renamed(text: str, title: str, slug: str) -> str:
    """The shipped report under another title and slug, so two copies can share a site."""
    old_title = "Recommendation Systems Engineer"
    for before, after in ((f"title: {old_title}\n", f"title: {title}\n"),
                          ("slug: recommendation-systems-engineer\n", f"slug: {slug}\n"),
                          (f"| Job Title | {old_title} |", f"| Job Title | {title} |")):
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    return text
