"""Re-rendering only what changed gives exactly the site a full render gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.config import load_config
from builder.links import link_site
from builder.methodology import load_methodology
from builder.project import run_check
from builder.render import SiteInfo
from builder.site import assemble
from test_build import FIXTURE

NLP = "content/roles/nlp-engineer.md"


def _site(project: Path, previous=None, changed=()):
    config = load_config(project)
    m = load_methodology()
    result, _ = run_check(config, m, [])
    assert result.errors == 0, [d.message for d in result.diagnostics if d.is_error]
    links = link_site(result.entries, result.index)
    return assemble(config, m, SiteInfo("t", "d", ""), result.entries, links, previous, changed)


@pytest.mark.parametrize("edit", ["prose", "cited-score", "new-citation", "retitled"])
def test_reused_pages_equal_a_full_render(tmp_path: Path, monkeypatch, edit: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns(".jobzone-cache"))
    monkeypatch.chdir(project)
    first = _site(project)
    path = project / NLP
    text = path.read_text(encoding="utf-8")
    if edit == "prose":
        text = text.replace("Timeline:", "Timeline (revised):", 1)
    elif edit == "cited-score":  # the other reports cite NLP Engineer at 36.3: publish 36.3 by override
        text = text.replace("aliases:", "assessor_override:\n  score: 36.3\n  reason: test\naliases:", 1)
        text = text.replace("Assessor override: None", "Assessor override: 36.3", 1)
    elif edit == "new-citation":
        text = text.replace("Survival strategy:", "See [the other](conversational-ai-engineer.md).\n\n"
                            "Survival strategy:", 1)
    else:  # the others cite "NLP Engineer": under a new title it has no report, and their pages change
        text = text.replace("title: NLP Engineer", "title: NLP Engineer II", 1).replace(
            "| Job Title | NLP Engineer |", "| Job Title | NLP Engineer II |", 1).replace(
            "aliases: [Natural Language Processing Engineer]", "aliases: []", 1)
    path.write_text(text, encoding="utf-8")
    incremental = _site(project, first, {"nlp-engineer"})
    full = _site(project)
    assert incremental.files == full.files
    reused = [slug for slug, page in incremental.role_pages.items() if page is first.role_pages.get(slug)]
    if edit == "prose":
        assert sorted(reused) == ["conversational-ai-engineer", "recommendation-systems-engineer"]
        assert incremental.listings is first.listings  # no row, number or citation changed
    if edit == "retitled":
        assert reused == []
