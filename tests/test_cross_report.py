"""Checks across reports: a cited score must equal the cited role's own report, names are unique.

Each test builds a small content folder in tmp_path from the shipped report and copies of it,
then checks it both through `builder.check.check_files` and through the `jobzone check` CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from builder.check import CheckResult, check_files
from builder.methodology import load_methodology

ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = "recommendation-systems-engineer.md"
SEED = (ROOT / "content" / "roles" / SEED_NAME).read_text(encoding="utf-8")
SEED_SHOWN = f"content/roles/{SEED_NAME}"
TITLE = "title: Recommendation Systems Engineer"
SLUG = "slug: recommendation-systems-engineer"
ALIASES = "aliases: []"
JOB_TITLE = "| Job Title | Recommendation Systems Engineer |"
OVERRIDE_NONE = "Assessor override: None -- formula score accepted."
M = load_methodology()


# --- helpers -----------------------------------------------------------------------------------

def positions(text: str, needle: str) -> list[tuple[int, int]]:
    """Every 1-based (line, col) where `needle` starts."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        start = line.find(needle)
        while start != -1:
            found.append((number, start + 1))
            start = line.find(needle, start + 1)
    return found


def first_line(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


def copy_as(title: str, slug: str, aliases: list[str] | None = None, override: tuple[str, str] | None = None,
            text: str = SEED) -> str:
    """The shipped report under another title/slug (frontmatter and Job Title row), same numbers."""
    assert TITLE in text and SLUG in text and ALIASES in text and JOB_TITLE in text
    front = [f"title: {title}", f"slug: {slug}"]
    if aliases is not None:
        front.append("aliases: [" + ", ".join(json.dumps(a) for a in aliases) + "]")
    else:
        front.append(ALIASES)
    if override is not None:
        score, reason = override
        front.append(f"assessor_override: {{score: {score}, reason: {json.dumps(reason)}}}")
    out = text.replace(f"{TITLE}\n{SLUG}\n", "", 1).replace(ALIASES, "\n".join(front), 1)
    out = out.replace(JOB_TITLE, f"| Job Title | {title} |", 1)
    if override is not None:
        out = out.replace(OVERRIDE_NONE, f"Assessor override: {override[0]} -- {override[1]}.", 1)
    return out


def build_site(tmp_path: Path, files: dict[str, str]) -> list[tuple[Path, str]]:
    """Write reports under tmp_path/content/roles; return (path, shown name) pairs, shown as the CLI shows them."""
    folder = tmp_path / "content" / "roles"
    folder.mkdir(parents=True, exist_ok=True)
    pairs = []
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        pairs.append((folder / name, f"content/roles/{name}"))
    return pairs


def check_site(tmp_path: Path, files: dict[str, str]) -> CheckResult:
    return check_files(build_site(tmp_path, files), M)


def run_cli(cwd: Path, *args: str) -> tuple[int, list[dict]]:
    proc = subprocess.run([sys.executable, "-m", "builder", "check", "--format", "json", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc.returncode, json.loads(proc.stdout)["diagnostics"]


def of(result: CheckResult, path: str, code: str | None = None) -> list:
    return [d for d in result.diagnostics if d.location.path == path and (code is None or d.code == code)]


def where(diagnostics) -> set[tuple[int, int]]:
    return {(d.location.line, d.location.col) for d in diagnostics}


def brief(diagnostics) -> list[tuple[str, str, int, int, str]]:
    return [(d.location.path, d.code, d.location.line, d.location.col, d.message) for d in diagnostics]


def cited_68_2() -> set[tuple[int, int]]:
    """Where the shipped report states ML/AI Engineer's score (every '68.2' in it)."""
    found = set(positions(SEED, "68.2"))
    assert {line for line, _ in found} == {first_line(SEED, "scored Green at 68.2"),
                                           first_line(SEED, "well below ML/AI Engineer (68.2)"),
                                           first_line(SEED, "Comparison to ML/AI Engineer (68.2"),
                                           first_line(SEED, "The ML/AI Engineer (AIJRI 68.2) role"),
                                           first_line(SEED, "- ML/AI Engineer (AIJRI 68.2)")}
    return found


# --- the shipped report alone ------------------------------------------------------------------

CITED_ROLES = ("ML/AI Engineer", "Data Scientist", "Conversational AI Engineer", "NLP Engineer",
               "Applied AI Engineer", "AI Solutions Architect")


def test_cited_roles_without_reports_are_warnings(tmp_path: Path) -> None:
    result = check_site(tmp_path, {SEED_NAME: SEED})
    assert result.errors == 0, brief(result.diagnostics)
    unassessed = of(result, SEED_SHOWN, "JZ405")
    assert all(not d.is_error for d in unassessed)
    named = {role: [d for d in unassessed if role in d.message] for role in CITED_ROLES}
    assert {role: len(found) for role, found in named.items()} == {role: 1 for role in CITED_ROLES}, \
        brief(unassessed)
    assert len(unassessed) == len(CITED_ROLES)
    for role, (diagnostic,) in named.items():
        assert diagnostic.location.line == first_line(SEED, role), (role, diagnostic)
    code, diagnostics = run_cli(tmp_path, SEED_SHOWN)
    assert code == 0
    assert sorted((d["severity"], d["code"]) for d in diagnostics) == [("warning", "JZ405")] * len(CITED_ROLES)


# --- a cited role's report disagrees --------------------------------------------------------------

def test_cited_score_must_equal_the_cited_report(tmp_path: Path) -> None:
    other = copy_as("ML/AI Engineer", "ml-ai-engineer")  # same numbers: it scores 40.8, not 68.2
    result = check_site(tmp_path, {SEED_NAME: SEED, "ml-ai-engineer.md": other})
    entry = next(c.entry for c in result.checked if c.path == "content/roles/ml-ai-engineer.md")
    assert str(entry.score) == "40.8"
    mismatches = of(result, SEED_SHOWN, "JZ404")
    assert where(mismatches) == cited_68_2(), brief(mismatches)
    for d in mismatches:
        assert d.is_error
        assert "content/roles/ml-ai-engineer.md" in d.message and "40.8" in d.message and "68.2" in d.message
    # the role now has a report, so it is no longer "unassessed"
    assert not [d for d in of(result, SEED_SHOWN, "JZ405") if "ML/AI Engineer" in d.message]

    code, diagnostics = run_cli(tmp_path, SEED_SHOWN)
    assert code == 1
    cli = {(d["line"], d["col"]) for d in diagnostics if d["code"] == "JZ404" and d["path"] == SEED_SHOWN}
    assert cli == cited_68_2()
    assert all("content/roles/ml-ai-engineer.md" in d["message"] for d in diagnostics if d["code"] == "JZ404")


def test_cited_sub_label_must_equal_the_cited_report(tmp_path: Path) -> None:
    """'ML/AI Engineer (68.2, Green Accelerated)' against a report that is Yellow (Urgent)."""
    other = copy_as("ML/AI Engineer", "ml-ai-engineer")
    result = check_site(tmp_path, {SEED_NAME: SEED, "ml-ai-engineer.md": other})
    wrong = of(result, SEED_SHOWN, "JZ407")
    line = first_line(SEED, "(68.2, Green Accelerated)")
    assert [d.location.line for d in wrong] == [line], brief(wrong)
    assert "Yellow (Urgent)" in wrong[0].message and "content/roles/ml-ai-engineer.md" in wrong[0].message


def test_cited_report_with_override_matching_the_citation(tmp_path: Path) -> None:
    """An override of 68.2 makes every cited score right; its sub-label rule then gives Green (Transforming)."""
    other = copy_as("ML/AI Engineer", "ml-ai-engineer", override=("68.2", "peer calibration"))
    result = check_site(tmp_path, {SEED_NAME: SEED, "ml-ai-engineer.md": other})
    entry = next(c.entry for c in result.checked if c.path == "content/roles/ml-ai-engineer.md")
    assert str(entry.score) == "68.2"
    assert of(result, SEED_SHOWN, "JZ404") == []
    # growth correlation +1 (not +2) and 70% of time scoring 3+: Green (Transforming), not Accelerated
    assert entry.card.text("sublabel") == "Green (Transforming)"
    wrong = of(result, SEED_SHOWN, "JZ407")
    assert [d.location.line for d in wrong] == [first_line(SEED, "(68.2, Green Accelerated)")]


# --- a consistent site ----------------------------------------------------------------------------

def test_consistent_peer_report_removes_the_warning(tmp_path: Path) -> None:
    peer = copy_as("Conversational AI Engineer", "conversational-ai-engineer")
    result = check_site(tmp_path, {SEED_NAME: SEED, "conversational-ai-engineer.md": peer})
    entry = next(c.entry for c in result.checked if c.path == "content/roles/conversational-ai-engineer.md")
    assert str(entry.score) == "40.8"
    seed_diagnostics = of(result, SEED_SHOWN)
    assert [d for d in seed_diagnostics if d.is_error] == [], brief(seed_diagnostics)
    assert not [d for d in seed_diagnostics if "Conversational AI Engineer" in d.message]
    assert len(of(result, SEED_SHOWN, "JZ405")) == len(CITED_ROLES) - 1
    code, diagnostics = run_cli(tmp_path, SEED_SHOWN)
    assert code == 0
    assert not [d for d in diagnostics if "Conversational AI Engineer" in d["message"]]


def test_peer_report_whose_score_changes_breaks_the_citation(tmp_path: Path) -> None:
    peer = copy_as("Conversational AI Engineer", "conversational-ai-engineer", override=("41.0", "test"))
    assert "assessor_override: {score: 41.0" in peer and "Assessor override: 41.0 -- test." in peer
    result = check_site(tmp_path, {SEED_NAME: SEED, "conversational-ai-engineer.md": peer})
    entry = next(c.entry for c in result.checked if c.path == "content/roles/conversational-ai-engineer.md")
    assert str(entry.score) == "41.0"
    (line, col), = positions(SEED, "Conversational AI Engineer (40.8)")
    col += len("Conversational AI Engineer (")
    mismatches = of(result, SEED_SHOWN, "JZ404")
    assert where(mismatches) == {(line, col)}, brief(mismatches)
    assert "content/roles/conversational-ai-engineer.md" in mismatches[0].message
    assert "41" in mismatches[0].message
    assert [d for d in of(result, SEED_SHOWN) if d.is_error] == mismatches
    code, diagnostics = run_cli(tmp_path, SEED_SHOWN)
    assert code == 1
    assert [(d["code"], d["line"], d["col"]) for d in diagnostics if d["severity"] == "error"] \
        == [("JZ404", line, col)]


def test_peer_report_at_the_cited_score_with_an_override_is_consistent(tmp_path: Path) -> None:
    peer = copy_as("NLP Engineer", "nlp-engineer", override=("36.3", "test"))
    result = check_site(tmp_path, {SEED_NAME: SEED, "nlp-engineer.md": peer})
    assert [d for d in of(result, SEED_SHOWN) if d.is_error] == []
    assert not [d for d in of(result, SEED_SHOWN) if "NLP Engineer" in d.message]


# --- aliases ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("alias", ["ML/AI Engineer", "ml/ai engineer"])
def test_citation_matches_an_alias(alias: str, tmp_path: Path) -> None:
    other = copy_as("Machine Learning Engineer", "machine-learning-engineer", aliases=[alias])
    result = check_site(tmp_path, {SEED_NAME: SEED, "machine-learning-engineer.md": other})
    mismatches = of(result, SEED_SHOWN, "JZ404")
    assert where(mismatches) == cited_68_2(), brief(mismatches)
    assert all("content/roles/machine-learning-engineer.md" in d.message for d in mismatches)
    assert not [d for d in of(result, SEED_SHOWN, "JZ405") if "ML/AI Engineer" in d.message]
    code, diagnostics = run_cli(tmp_path, SEED_SHOWN)
    assert code == 1
    assert {(d["line"], d["col"]) for d in diagnostics if d["code"] == "JZ404"} == cited_68_2()


def test_alias_with_a_consistent_score_is_clean(tmp_path: Path) -> None:
    other = copy_as("Natural Language Processing Engineer", "natural-language-processing-engineer",
                    aliases=["NLP Engineer"], override=("36.3", "test"))
    result = check_site(tmp_path, {SEED_NAME: SEED, "natural-language-processing-engineer.md": other})
    assert [d for d in of(result, SEED_SHOWN) if d.is_error] == []
    assert not [d for d in of(result, SEED_SHOWN) if "NLP Engineer" in d.message]


# --- uniqueness across reports ------------------------------------------------------------------------

def test_duplicate_alias_between_two_reports(tmp_path: Path) -> None:
    first = copy_as("Recommendation Systems Engineer", "recommendation-systems-engineer",
                    aliases=["Recommender Engineer"])
    second = copy_as("Personalisation Engineer", "personalisation-engineer", aliases=["Recommender Engineer"])
    result = check_site(tmp_path, {SEED_NAME: first, "z-personalisation-engineer.md": second})
    dupes = [d for d in result.diagnostics if d.code == "JZ104"]
    assert [d.location.path for d in dupes] == ["content/roles/z-personalisation-engineer.md"], brief(dupes)
    assert dupes[0].is_error
    assert dupes[0].location.line == first_line(second, "title:")
    assert "Recommender Engineer" in dupes[0].message and SEED_SHOWN in dupes[0].message
    code, diagnostics = run_cli(tmp_path, "content/roles")
    assert code == 1
    assert [(d["path"], d["code"]) for d in diagnostics if d["code"] == "JZ104"] \
        == [("content/roles/z-personalisation-engineer.md", "JZ104")]


def test_alias_equal_to_another_reports_title(tmp_path: Path) -> None:
    second = copy_as("Personalisation Engineer", "personalisation-engineer",
                     aliases=["Recommendation Systems Engineer"])
    result = check_site(tmp_path, {SEED_NAME: SEED, "z-personalisation-engineer.md": second})
    dupes = [d for d in result.diagnostics if d.code == "JZ104"]
    assert [d.location.path for d in dupes] == ["content/roles/z-personalisation-engineer.md"], brief(dupes)
    assert "Recommendation Systems Engineer" in dupes[0].message


def test_alias_repeated_within_one_report_is_not_a_clash(tmp_path: Path) -> None:
    """A report's own title restated as an alias names the same report: no JZ104."""
    only = copy_as("Recommendation Systems Engineer", "recommendation-systems-engineer",
                   aliases=["Recommendation Systems Engineer", "Recommender Engineer"])
    result = check_site(tmp_path, {SEED_NAME: only})
    assert [d for d in result.diagnostics if d.code == "JZ104"] == []


@pytest.mark.parametrize("spelling", ["ML/AI\nEngineer", "ML/AI  Engineer", "ML/AI\u00a0Engineer", "*ML/AI Engineer*",
                                      "**ML/AI Engineer**", "`ML/AI Engineer`", "[ML/AI Engineer](ml-ai-engineer.md)"])
def test_a_citation_is_read_however_its_title_is_wrapped_spaced_marked_or_linked(tmp_path: Path,
                                                                                 spelling: str) -> None:
    """A paragraph wrapped inside the title, a double or no-break space, emphasis, code or a link
    around it: the cited score is still checked against the cited report."""
    other = copy_as("ML/AI Engineer", "ml-ai-engineer")  # it scores 40.8, cited at 68.2
    needle = "well below ML/AI Engineer (68.2)"
    assert SEED.count(needle) == 1
    text = SEED.replace(needle, f"well below {spelling} (68.2)", 1)
    result = check_site(tmp_path, {SEED_NAME: text, "ml-ai-engineer.md": other})
    start = text.index("68.2", text.index("well below "))  # the cited score is where a citation is told
    at = (text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
    assert at in where(of(result, SEED_SHOWN, "JZ404")), [d for d in brief(of(result, SEED_SHOWN)) if d[2] >= 100]


@pytest.mark.parametrize("title, cited", [("Ingénieur Données", "Ingénieur Données"),
                                          ("Café Engineer", "Cafe\u0301 Engineer"),  # cited with a decomposed é
                                          ("Ärzte Lead", "Ärzte Lead")])
def test_a_citation_of_a_title_with_accents_is_checked(tmp_path: Path, title: str, cited: str) -> None:
    other = copy_as(title, "accented-role")  # it scores 40.8, cited at 68.2
    needle = "well below ML/AI Engineer (68.2)"
    text = SEED.replace(needle, f"well below {cited} (68.2)", 1)
    result = check_site(tmp_path, {SEED_NAME: text, "accented-role.md": other})
    start = text.index("68.2", text.index("well below "))
    at = (text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
    assert at in where(of(result, SEED_SHOWN, "JZ404")), [d for d in brief(of(result, SEED_SHOWN)) if d[2] >= 100]
