"""Assessor override: the override is published, the formula score is still checked."""

from __future__ import annotations

from pathlib import Path

from builder.check import analyse
from builder.methodology import load_methodology

SEED = (Path(__file__).resolve().parent.parent / "content" / "roles" / "recommendation-systems-engineer.md").read_text()
OVERRIDE = "assessor_override:\n  score: 45.0\n  reason: Market evidence since the assessment.\n"


def _check(text: str):
    return analyse(text.encode(), "r.md", load_methodology())


def _line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def _with_override(text: str) -> str:
    return text.replace("aliases: []\n", "aliases: []\n" + OVERRIDE, 1).replace(
        "Assessor override: None -- formula score accepted.", "Assessor override: 45.0 -- formula score overridden.", 1)


def test_override_is_published_and_formula_still_checked() -> None:
    text = _with_override(SEED)
    checked = _check(text)
    card = checked.entry.card
    assert card.number("score") == 45
    assert str(round(card.number("score.formula"), 1)) == "40.8"
    errors = [d for d in checked.diagnostics if d.is_error]
    lines = {d.location.line for d in errors}
    # The formula line still states the formula score and is not flagged ...
    assert _line_of(text, "JobZone Score: (3.7785") not in lines
    # ... while every restatement of the published score now must say 45.0.
    assert _line_of(text, "The Yellow (Urgent) label at 40.8") in lines
    assert any("stated 40.8, computed 45.0" in d.message for d in errors)


def test_fully_restated_override_is_clean() -> None:
    text = _with_override(SEED).replace("label at 40.8", "label at 45.0").replace(
        "The 40.8 sits", "The 45.0 sits").replace("identical to Conversational AI Engineer (40.8)",
                                                  "above Conversational AI Engineer (40.8)").replace(
        "The 27.4-point gap", "The 23.2-point gap")
    errors = [d for d in _check(text).diagnostics if d.is_error]
    assert errors == []


def test_formula_line_wrong_under_override_is_still_an_error() -> None:
    text = _with_override(SEED).replace("× 100 = 40.8/100", "× 100 = 45.0/100")
    errors = [d for d in _check(text).diagnostics if d.is_error and d.code == "JZ301"]
    assert any(d.location.line == _line_of(text, "JobZone Score: (3.7785") for d in errors)


def test_override_without_reason_is_an_error() -> None:
    text = SEED.replace("aliases: []\n", "aliases: []\nassessor_override:\n  score: 45.0\n", 1)
    checked = _check(text)
    assert [d.code for d in checked.diagnostics] == ["JZ306"]
    assert checked.diagnostics[0].location.line == _line_of(text, "assessor_override:")


def test_text_override_without_frontmatter_is_an_error() -> None:
    text = SEED.replace("Assessor override: None", "Assessor override: 45.0", 1)
    errors = [d for d in _check(text).diagnostics if d.is_error]
    assert [d.code for d in errors] == ["JZ306"]
    assert errors[0].location.line == _line_of(text, "Assessor override: 45.0")


def test_frontmatter_override_with_text_none_is_an_error() -> None:
    text = SEED.replace("aliases: []\n", "aliases: []\n" + OVERRIDE, 1)
    errors = [d for d in _check(text).diagnostics if d.code == "JZ306"]
    assert errors and errors[0].location.line == _line_of(text, "Assessor override: None")
