"""Mutation tests: change one stated token of the shipped report and the check must fail there.

Each case names an anchored context that occurs exactly once in the shipped report, with the
token to change marked «like this». The report is copied into a temporary site
(`content/roles/<name>.md`), that one token is replaced, `jobzone check --format json` runs in
the temporary folder, and the test requires exit status 1 and an error diagnostic on the line
(and, where the token's place is the obvious place to point at, the column) of the change.
Lines and columns are always computed from the mutated text, never hard-coded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import renamed

NAME = "recommendation-systems-engineer.md"
REL = f"content/roles/{NAME}"
OPEN, CLOSE = "«", "»"


@dataclass(frozen=True)
class Mutation:
    id: str
    context: str              # occurs once in the report; the token to change is marked «…»
    new: str                  # replacement for the marked token
    code: str | None = None   # if set, an error with this code must be on the expected line
    at: str | None = None     # anchor (marked «…») in the mutated text where the error belongs; default: the token
    col: bool = True          # also require the error's column to be the expected token's column


def split_marked(anchor: str) -> tuple[str, int, str]:
    """'a «b» c' -> ('a b c', offset of b, 'b')."""
    start = anchor.index(OPEN)
    end = anchor.index(CLOSE)
    assert start < end and anchor.count(OPEN) == anchor.count(CLOSE) == 1, anchor
    token = anchor[start + 1:end]
    return anchor[:start] + token + anchor[end + 1:], start, token


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def locate(text: str, anchor: str) -> tuple[int, int]:
    plain, inner, _ = split_marked(anchor)
    assert text.count(plain) == 1, f"anchor {plain!r} must occur exactly once, found {text.count(plain)}"
    return position(text, text.index(plain) + inner)


def mutate(text: str, context: str, new: str) -> tuple[str, int, int]:
    """Replace the marked token of a unique context; return the new text and the token's line/col."""
    plain, inner, token = split_marked(context)
    assert text.count(plain) == 1, f"context {plain!r} must occur exactly once, found {text.count(plain)}"
    assert token != new
    at = text.index(plain) + inner
    mutated = text[:at] + new + text[at + len(token):]
    line, col = position(mutated, at)
    return mutated, line, col


def write_site(root: Path, files: dict[str, str]) -> None:
    roles = root / "content" / "roles"
    roles.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (roles / name).write_text(text, encoding="utf-8")


def check_json(run_jobzone, cwd: Path, *paths: str):
    proc = run_jobzone(["check", "--format", "json", *paths], cwd)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:  # pragma: no cover - reported as a failure with the output
        pytest.fail(f"output is not JSON (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc, data


def errors_of(data: dict, path: str = REL) -> list[dict]:
    return [d for d in data["diagnostics"] if d["severity"] == "error" and d["path"] == path]


def show(diagnostics: list[dict]) -> str:
    return "\n".join(f"  {d['line']}:{d['col']} {d['severity']} {d['code']} {d['message']}" for d in diagnostics) or "  (none)"


# --- every derived number and word the report states ---------------------------------------

DERIVED = [
    # Task table: each Weighted cell (Time % x Score), then the Total row.
    Mutation("task-weighted-architecture", "| 15% | 2 | «0.30» | AUGMENTATION |", "0.35", "JZ301"),
    Mutation("task-weighted-ranking-models", "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80", "JZ301"),
    Mutation("task-weighted-feature-eng", "| 15% | 4 | «0.60» | DISPLACEMENT |", "0.65", "JZ301"),
    Mutation("task-weighted-ab-testing", "A/B testing, experimentation & model evaluation | 15% | 3 | «0.45» |", "0.50", "JZ301"),
    Mutation("task-weighted-serving", "Model serving, real-time inference & MLOps | 15% | 3 | «0.45» |", "0.40", "JZ301"),
    Mutation("task-weighted-collaboration", "| 10% | 2 | «0.20» | NOT INVOLVED |", "0.25", "JZ301"),
    Mutation("task-weighted-cold-start", "| 5% | 2 | «0.10» | AUGMENTATION |", "0.15", "JZ301"),
    Mutation("task-total-time", "| Total | «100%» |  | 2.85 |", "90%", "JZ301"),
    Mutation("task-total-weighted", "| Total | 100% |  | «2.85» |", "2.95", "JZ301"),
    # Task Resistance Score line.
    Mutation("trs-line-6.00", "Task Resistance Score: «6.00» - 2.85 = 3.15/5.0", "6.10"),
    Mutation("trs-line-2.85", "Task Resistance Score: 6.00 - «2.85» = 3.15/5.0", "2.95"),
    Mutation("trs-line-3.15", "Task Resistance Score: 6.00 - 2.85 = «3.15»/5.0", "3.25"),
    Mutation("trs-line-5.0", "Task Resistance Score: 6.00 - 2.85 = 3.15/«5.0»", "6.0"),
    # Displacement/Augmentation split.
    Mutation("split-displacement", "split: «15%» displacement,", "20%", "JZ301"),
    Mutation("split-augmentation", "displacement, «75%» augmentation,", "70%", "JZ301"),
    Mutation("split-not-involved", "augmentation, «10%» not involved.", "5%", "JZ301"),
    # Protective principles and the quick screen.
    Mutation("protective-total-sum", "| Protective Total | «2»/9 |", "3", "JZ301"),
    Mutation("protective-total-max", "| Protective Total | 2/«9» |", "10"),
    Mutation("quick-screen-protective", "Quick screen result: Protective «2» + Correlation 1", "3"),
    Mutation("quick-screen-correlation", "Quick screen result: Protective 2 + Correlation «1»", "2"),
    # Evidence, barriers, growth check.
    Mutation("evidence-total", "| Total | «3» |  |", "4", "JZ301"),
    Mutation("barrier-total-sum", "| Total | «1»/10 |", "2", "JZ301"),
    Mutation("barrier-total-max", "| Total | 1/«10» |", "9"),
    Mutation("growth-check-confirmed", "Confirmed at «+1».", "+2"),
    # Composite table.
    Mutation("composite-trs", "| Task Resistance Score | «3.15»/5.0 |", "3.25"),
    Mutation("composite-trs-scale", "| Task Resistance Score | 3.15/«5.0» |", "6.0"),
    Mutation("evidence-mod-base", "| Evidence Modifier | «1.0» + (3 × 0.04) = 1.12 |", "2.0"),
    Mutation("evidence-mod-input", "| Evidence Modifier | 1.0 + («3» × 0.04) = 1.12 |", "4"),
    Mutation("evidence-mod-coef", "| Evidence Modifier | 1.0 + (3 × «0.04») = 1.12 |", "0.05", "JZ303"),
    Mutation("evidence-mod-result", "| Evidence Modifier | 1.0 + (3 × 0.04) = «1.12» |", "1.16"),
    Mutation("barrier-mod-base", "| Barrier Modifier | «1.0» + (1 × 0.02) = 1.02 |", "2.0"),
    Mutation("barrier-mod-input", "| Barrier Modifier | 1.0 + («1» × 0.02) = 1.02 |", "2"),
    Mutation("barrier-mod-coef", "| Barrier Modifier | 1.0 + (1 × «0.02») = 1.02 |", "0.03", "JZ303"),
    Mutation("barrier-mod-result", "| Barrier Modifier | 1.0 + (1 × 0.02) = «1.02» |", "1.03"),
    Mutation("growth-mod-base", "| Growth Modifier | «1.0» + (1 × 0.05) = 1.05 |", "2.0"),
    Mutation("growth-mod-input", "| Growth Modifier | 1.0 + («1» × 0.05) = 1.05 |", "2"),
    Mutation("growth-mod-coef", "| Growth Modifier | 1.0 + (1 × «0.05») = 1.05 |", "0.04", "JZ303"),
    Mutation("growth-mod-result", "| Growth Modifier | 1.0 + (1 × 0.05) = «1.05» |", "1.06"),
    # Raw line.
    Mutation("raw-trs", "Raw: «3.15» × 1.12 × 1.02 × 1.05 = 3.7785", "3.25"),
    Mutation("raw-evidence-mod", "Raw: 3.15 × «1.12» × 1.02 × 1.05 = 3.7785", "1.13"),
    Mutation("raw-barrier-mod", "Raw: 3.15 × 1.12 × «1.02» × 1.05 = 3.7785", "1.03"),
    Mutation("raw-growth-mod", "Raw: 3.15 × 1.12 × 1.02 × «1.05» = 3.7785", "1.06"),
    Mutation("raw-result", "Raw: 3.15 × 1.12 × 1.02 × 1.05 = «3.7785»", "3.7790"),
    # JobZone Score line.
    Mutation("score-raw", "JobZone Score: («3.7785» - 0.54) / 7.93 × 100 = 40.8/100", "3.7790"),
    Mutation("score-floor-0.54", "JobZone Score: (3.7785 - «0.54») / 7.93 × 100 = 40.8/100", "0.55"),
    Mutation("score-range-7.93", "JobZone Score: (3.7785 - 0.54) / «7.93» × 100 = 40.8/100", "7.94"),
    Mutation("score-scale-100", "JobZone Score: (3.7785 - 0.54) / 7.93 × «100» = 40.8/100", "1000"),
    Mutation("score-result", "JobZone Score: (3.7785 - 0.54) / 7.93 × 100 = «40.8»/100", "40.9"),
    Mutation("score-out-of", "JobZone Score: (3.7785 - 0.54) / 7.93 × 100 = 40.8/«100»", "10"),
    # Zone line.
    Mutation("zone-green", "Zone: «YELLOW» (Green", "GREEN", "JZ304"),
    Mutation("zone-red", "Zone: «YELLOW» (Green", "RED", "JZ304"),
    Mutation("zone-band-green-48", "(Green >=«48», Yellow 25-47, Red <25)", "50"),
    Mutation("zone-band-yellow-25", "(Green >=48, Yellow «25»-47, Red <25)", "20"),
    Mutation("zone-band-yellow-47", "(Green >=48, Yellow 25-«47», Red <25)", "45"),
    Mutation("zone-band-red-25", "(Green >=48, Yellow 25-47, Red <«25»)", "20"),
    # Sub-label table.
    Mutation("sublabel-share-70", "| % of task time scoring 3+ | «70%» |", "75%", "JZ301"),
    Mutation("sublabel-share-threshold-3+", "| % of task time scoring «3»+ | 70% |", "4"),
    Mutation("sublabel-growth", "| AI Growth Correlation | «1» |\n| Sub-label", "2"),
    Mutation("sublabel-moderate", "| Sub-label | «Yellow (Urgent)» --", "Yellow (Moderate)", "JZ305"),
    Mutation("sublabel-green-transforming", "| Sub-label | «Yellow (Urgent)» --", "Green (Transforming)", "JZ305"),
    Mutation("sublabel-rule-40%", "AIJRI 25-47 AND >=«40»% of task time scores 3+ |", "80"),
    Mutation("sublabel-rule-3+", "AIJRI 25-47 AND >=40% of task time scores «3»+ |", "4"),
    # Assessor override stated without a frontmatter override.
    Mutation("override-without-frontmatter", "Assessor override: «None» -- formula score accepted.", "45.0", "JZ306"),
    # Numbers and words restated in prose.
    Mutation("prose-label-score", "The Yellow (Urgent) label at «40.8»", "40.9"),
    Mutation("prose-label-word", "The Yellow («Urgent») label at 40.8", "Moderate", "JZ305",
             at="The «Yellow (Moderate)» label at 40.8"),
    Mutation("prose-mid-score", "The «40.8» sits comfortably mid-Yellow", "41.8"),
    Mutation("prose-mid-zone", "The 40.8 sits comfortably mid-«Yellow»", "Green", "JZ304"),
    Mutation("prose-score-sits-in-zone", "The score sits firmly within the «Yellow» band", "Green", "JZ304"),
    Mutation("prose-zone-band-low", "within the Yellow band («25»-47)", "26", "JZ303"),
    Mutation("prose-zone-band-high", "within the Yellow band (25-«47»)", "48", "JZ303"),
    Mutation("prose-trs-average", "The «3.15» average masks this split", "3.25", "JZ301"),
    # A row's rationale restating its own score, and the score columns' headers restating their ranges.
    Mutation("evidence-scored-restated", "Scored «+1» not +2 because", "+2", "JZ301"),
    Mutation("header-range-principle", "| Principle | Score (0-«3») |", "4", "JZ303"),
    Mutation("header-range-task", "| Time % | Score («1»-5) |", "0", "JZ303"),
    Mutation("header-range-evidence", "| Dimension | Score («-2» to 2) |", "-3", "JZ303"),
    Mutation("header-range-barrier", "| Barrier | Score (0-«2») |", "3", "JZ303"),
    # Calibration peers and the point gap.
    Mutation("calibration-identical", "identical to Conversational AI Engineer («40.8»)", "40.7", "JZ401"),
    Mutation("calibration-above", "above NLP Engineer («36.3»)", "46.3", "JZ401"),
    Mutation("calibration-below", "well below ML/AI Engineer («68.2»)", "38.2", "JZ401"),
    Mutation("calibration-gap", "The «27.4»-point gap", "27.5", "JZ402"),
    # Cited zones that no longer fit the cited score (the error may point at the zone word).
    Mutation("cited-zone-green", "scored Green at «68.2»", "38.2", "JZ403", col=False),
    Mutation("cited-zone-red", "scored Red at «19.0»", "29.0", "JZ403", col=False),
    Mutation("look-next-green-zone-list", "- Applied AI Engineer (AIJRI «55.1»)", "45.1", "JZ403", col=False),
]

# The same role cited with two different scores: only the changed occurrence is wrong, whichever
# of the five citations of ML/AI Engineer (68.2) it is, so the error belongs on its line.
CITED_TWICE = [
    Mutation("same-role-survival-strategy", "The ML/AI Engineer (AIJRI «68.2») role is the natural evolution", "68.4",
             "JZ406"),
    Mutation("same-role-role-definition", "all modalities -- scored Green at «68.2»)", "68.4", "JZ406"),
    Mutation("same-role-calibration", "well below ML/AI Engineer («68.2»)", "68.4", "JZ406"),
    Mutation("same-role-commentary", "Comparison to ML/AI Engineer («68.2», Green Accelerated)", "68.4", "JZ406"),
    Mutation("same-role-look-next", "- ML/AI Engineer (AIJRI «68.2») -- direct evolution path", "68.4", "JZ406"),
]

# Inputs changed without updating what is derived from them: the error belongs on the derived number.
INPUTS = [
    Mutation("input-task-score-breaks-weighted", "| 25% | «3» | 0.75 |", "4", "JZ301", at="| 25% | 4 | «0.75» |"),
    Mutation("input-task-time-breaks-weighted", "| «15%» | 4 | 0.60 | DISPLACEMENT |", "20%", "JZ301",
             at="| 20% | 4 | «0.60» | DISPLACEMENT |"),
    Mutation("input-task-time-breaks-total-time", "| «5%» | 2 | 0.10 | AUGMENTATION |", "10%", "JZ301",
             at="| Total | «100%» |  | 2.85 |"),
    Mutation("input-task-label-breaks-split", "| 15% | 4 | 0.60 | «DISPLACEMENT» |", "AUGMENTATION", "JZ301",
             at="split: «15%» displacement,"),
    Mutation("input-evidence-breaks-total", "| Job Posting Trends | «1» |", "2", "JZ301", at="| Total | «3» |  |"),
    Mutation("input-principle-breaks-protective-total", "| Goal-Setting & Moral Judgment | «2» |", "1", "JZ301",
             at="| Protective Total | «2»/9 |"),
    Mutation("input-barrier-breaks-total", "| Liability/Accountability | «1» |", "0", "JZ301", at="| Total | «1»/10 |"),
    Mutation("input-growth-breaks-growth-check", "| AI Growth Correlation | «1» | AI adoption", "0",
             at="Confirmed at «+1»."),
]

# Inputs outside their allowed range, and a label that is not allowed.
RANGES = [
    Mutation("range-task-score-6", "| 25% | «3» | 0.75 |", "6", "JZ201"),
    Mutation("range-principle-4", "| Goal-Setting & Moral Judgment | «2» |", "4", "JZ201"),
    Mutation("range-evidence-3", "| Job Posting Trends | «1» |", "3", "JZ201"),
    Mutation("range-barrier-3", "| Liability/Accountability | «1» |", "3", "JZ201"),
    Mutation("range-growth-3", "| AI Growth Correlation | «1» | AI adoption", "3", "JZ201"),
    Mutation("label-augmented", "| 25% | 3 | 0.75 | «AUGMENTATION» |", "AUGMENTED", "JZ202"),
    # Each scored table has the methodology's rows, each once: a renamed or repeated row is an error there.
    Mutation("rows-principle-renamed", "| «Deep Interpersonal Connection» | 0 |", "Deep Connection", "JZ202"),
    Mutation("rows-evidence-renamed", "| «Company Actions» | 1 |", "Company Actionz", "JZ202"),
    Mutation("rows-evidence-repeated", "| «Company Actions» | 1 |", "Job Posting Trends", "JZ202"),
    Mutation("rows-barrier-invented", "| «Physical Presence» | 0 |", "Invented Barrier", "JZ202"),
]


def run_mutation(seed_md: str, tmp_path: Path, run_jobzone, m: Mutation) -> None:
    mutated, line, col = mutate(seed_md, m.context, m.new)
    if m.at is not None:
        line, col = locate(mutated, m.at)
    write_site(tmp_path, {NAME: mutated})
    proc, data = check_json(run_jobzone, tmp_path)
    errors = errors_of(data)
    where = f"expected an error at {REL}:{line}:{col}; got:\n{show(data['diagnostics'])}"
    assert proc.returncode == 1, f"exit {proc.returncode}; {where}"
    on_line = [d for d in errors if d["line"] == line]
    assert on_line, where
    if m.code is not None:
        assert any(d["code"] == m.code for d in on_line), f"no {m.code} on line {line}; {where}"
    if m.col:
        assert any(d["col"] == col for d in on_line), f"no error at column {col}; {where}"


@pytest.mark.parametrize("m", DERIVED, ids=[m.id for m in DERIVED])
def test_derived_mutation_is_an_error(seed_md, tmp_path, run_jobzone, m):
    run_mutation(seed_md, tmp_path, run_jobzone, m)


@pytest.mark.parametrize("m", CITED_TWICE, ids=[m.id for m in CITED_TWICE])
def test_one_of_several_citations_changed_is_an_error_there(seed_md, tmp_path, run_jobzone, m):
    run_mutation(seed_md, tmp_path, run_jobzone, m)


@pytest.mark.parametrize("m", INPUTS, ids=[m.id for m in INPUTS])
def test_changed_input_breaks_derived_number(seed_md, tmp_path, run_jobzone, m):
    run_mutation(seed_md, tmp_path, run_jobzone, m)


@pytest.mark.parametrize("m", RANGES, ids=[m.id for m in RANGES])
def test_out_of_range_input_is_an_error(seed_md, tmp_path, run_jobzone, m):
    run_mutation(seed_md, tmp_path, run_jobzone, m)


def test_mutation_ids_are_unique():
    ids = [m.id for m in DERIVED + CITED_TWICE + INPUTS + RANGES]
    assert len(ids) == len(set(ids))


# --- the unmutated report, and one mutation in full ----------------------------------------

def test_unmutated_report_is_clean(seed_md, tmp_path, run_jobzone):
    write_site(tmp_path, {NAME: seed_md})
    proc, data = check_json(run_jobzone, tmp_path)
    assert proc.returncode == 0, show(data["diagnostics"])
    assert errors_of(data) == []
    assert data["summary"]["errors"] == 0
    assert data["summary"]["reports"] == 1
    assert all(d["code"] == "JZ405" for d in data["diagnostics"]), show(data["diagnostics"])


def test_one_mutation_gives_exactly_the_expected_diagnostics(seed_md, tmp_path, run_jobzone):
    write_site(tmp_path, {NAME: seed_md})
    _, clean = check_json(run_jobzone, tmp_path)

    mutated, line, col = mutate(seed_md, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")
    write_site(tmp_path, {NAME: mutated})
    proc, data = check_json(run_jobzone, tmp_path)
    assert proc.returncode == 1
    errors = errors_of(data)
    assert len(errors) == 1, show(data["diagnostics"])
    (err,) = errors
    assert (err["path"], err["line"], err["col"], err["code"]) == (REL, line, col, "JZ301")
    assert "stated 0.80" in err["message"]
    assert "computed 0.75" in err["message"]
    assert "25% × 3" in err["message"]
    # Nothing else changes: the same warnings as the clean report, and a matching summary.
    warnings = [d for d in data["diagnostics"] if d["severity"] == "warning"]
    assert warnings == clean["diagnostics"]
    assert data["summary"] == {"reports": 1, "errors": 1, "warnings": len(warnings)}


# --- one bad report does not stop the other -------------------------------------------------

def test_two_bad_reports_are_both_reported(seed_md, tmp_path, run_jobzone):
    first, line_a, col_a = mutate(seed_md, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")
    copy = renamed(seed_md, "Recommendation Systems Engineer Copy", "recommendation-systems-engineer-copy")
    second, line_b, col_b = mutate(copy, "Raw: 3.15 × 1.12 × 1.02 × 1.05 = «3.7785»", "3.7790")
    second_name = "recommendation-systems-engineer-copy.md"
    write_site(tmp_path, {NAME: first, second_name: second})

    for paths in ((), ("content/roles",), (REL, f"content/roles/{second_name}")):
        proc, data = check_json(run_jobzone, tmp_path, *paths)
        assert proc.returncode == 1, show(data["diagnostics"])
        assert data["summary"]["reports"] == 2
        errors_a = errors_of(data, REL)
        errors_b = errors_of(data, f"content/roles/{second_name}")
        assert [(d["line"], d["col"]) for d in errors_a] == [(line_a, col_a)], show(data["diagnostics"])
        assert [(d["line"], d["col"]) for d in errors_b] == [(line_b, col_b)], show(data["diagnostics"])
        assert data["summary"]["errors"] == 2



def test_task_time_shares_must_add_up_to_the_whole(seed_md, tmp_path, run_jobzone):
    """A task dropped with the Total row made to agree (95%): the shares must still add up to 100%."""
    row = "| Cold-start, bias mitigation & edge case handling | 5% | 2 | 0.10 | AUGMENTATION |"
    lines = [line for line in seed_md.splitlines(keepends=True) if not line.startswith(row)]
    mutated = "".join(lines).replace("| Total | 100% |  | 2.85 |", "| Total | 95% |  | 2.85 |", 1)
    write_site(tmp_path, {NAME: mutated})
    proc, data = check_json(run_jobzone, tmp_path)
    line, col = locate(mutated, "| Total | «95%» |  | 2.85 |")
    assert proc.returncode == 1
    assert [(d["line"], d["col"], d["code"]) for d in errors_of(data) if "add up to" in d["message"]] == \
        [(line, col, "JZ201")], show(data["diagnostics"])


def test_a_scored_table_missing_a_row_is_an_error(seed_md, tmp_path, run_jobzone):
    lines = [line for line in seed_md.splitlines(keepends=True) if not line.startswith("| Physical Presence |")]
    write_site(tmp_path, {NAME: "".join(lines)})
    proc, data = check_json(run_jobzone, tmp_path)
    assert proc.returncode == 1
    assert any(d["code"] == "JZ112" and "no 'Physical Presence' row" in d["message"] for d in errors_of(data)), \
        show(data["diagnostics"])


@pytest.mark.parametrize("where", ["statement", "total-row", "section"])
def test_what_must_be_given_once_given_twice_is_an_error_at_the_copy(seed_md, tmp_path, run_jobzone, where):
    """A second copy of a statement, Total row or section would be published unchecked: it is an error."""
    if where == "statement":
        line = next(l for l in seed_md.splitlines() if l.startswith("JobZone Score:"))
        mutated = seed_md.replace(line, f"{line}\n\n{line.replace('= 40.8/100', '= 49.9/100')}", 1)
        copy = "= 49.9/100"
    elif where == "total-row":
        mutated = seed_md.replace("| Total | 3 |  |\n", "| Total | 3 |  |\n| Total | 7 |  |\n", 1)
        copy = "| Total | 7 |  |"
    else:
        mutated = seed_md + "\n## Evidence Score\n\n| Dimension | Score (-2 to 2) | Evidence |\n|---|---|---|\n" \
            "| Job Posting Trends | 2 | x |\n| Total | 9 |  |\n"
        copy = "## Evidence Score\n\n| Dimension | Score (-2 to 2) | Evidence |\n|---|---|---|\n| Job Posting Trends | 2"
    assert mutated != seed_md
    write_site(tmp_path, {NAME: mutated})
    proc, data = check_json(run_jobzone, tmp_path)
    line = mutated[:mutated.rindex(copy)].count("\n") + 1
    assert proc.returncode == 1
    assert [d["line"] for d in errors_of(data) if d["code"] == "JZ116"] == [line], show(data["diagnostics"])
