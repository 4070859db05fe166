"""`jobzone fix`: every derived number and word a report states is rewritten to its computed value.

The shipped report is copied into a temporary site and one stated token is changed, the way
tests/test_mutations.py does (its list of mutations is reused); `jobzone fix` then runs as a
subprocess and the file must come back byte for byte. Changed inputs must be followed by every
number derived from them, inputs themselves are never touched, and whatever fix cannot settle
(a relation word, an input out of range, a file that does not parse) leaves exit status 1.
"""

from __future__ import annotations

import gc
import os
import re
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import renamed
from test_mutations import CITED_TWICE, DERIVED, Mutation, locate, mutate

from builder.check import analyse
from builder.fix import Edit, fix_settled, fix_text, write_number, write_word
from builder.methodology import load_methodology
from builder.numbers import Stated

M = load_methodology()
NAME = "recommendation-systems-engineer.md"
REL = f"content/roles/{NAME}"
SHIPPED = (Path(__file__).resolve().parents[1] / "content" / "roles" / NAME).read_text(encoding="utf-8")
TEXT_LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): .+ "
                       r"\[(?P<code>JZ\d{3})\]$", re.MULTILINE)

# Mutations of tests/test_mutations.py that fix must leave alone, and why.
NOT_FIXABLE = {
    "override-without-frontmatter": "JZ306",   # what the frontmatter says is not a derived number
    "calibration-identical": "JZ401",          # relation words and cited scores without a report
    "calibration-above": "JZ401",
    "calibration-below": "JZ401",
    "cited-zone-green": "JZ403",               # no report: is the score wrong, or the zone?
    "cited-zone-red": "JZ403",
    "look-next-green-zone-list": "JZ403",
    "evidence-scored-restated": "JZ301",      # a rationale arguing for a score is the analyst's to rewrite
}
FIXABLE = [m for m in DERIVED if m.id not in NOT_FIXABLE]
UNFIXABLE = [m for m in DERIVED + CITED_TWICE if m.id in NOT_FIXABLE or m in CITED_TWICE]
# Every kind of derived number must be among the fixable mutations.
REQUIRED_KINDS = {
    "task-weighted-ranking-models", "task-total-time", "task-total-weighted", "trs-line-6.00", "trs-line-2.85",
    "trs-line-3.15", "trs-line-5.0", "split-displacement", "split-augmentation", "split-not-involved",
    "protective-total-sum", "protective-total-max", "quick-screen-protective", "quick-screen-correlation",
    "evidence-total", "barrier-total-sum", "barrier-total-max", "growth-check-confirmed", "composite-trs",
    "evidence-mod-input", "evidence-mod-coef", "evidence-mod-result", "barrier-mod-input", "barrier-mod-result",
    "growth-mod-input", "growth-mod-result", "raw-trs", "raw-evidence-mod", "raw-result", "score-raw",
    "score-result", "score-floor-0.54", "zone-green", "zone-red", "zone-band-yellow-47", "sublabel-share-70",
    "sublabel-share-threshold-3+", "sublabel-growth", "sublabel-moderate", "sublabel-green-transforming",
    "sublabel-rule-40%", "prose-label-score", "prose-label-word", "prose-mid-score", "prose-mid-zone",
    "calibration-gap",
}


# --- helpers -----------------------------------------------------------------------------------

@pytest.fixture
def run(run_jobzone):
    """run_jobzone, plus the rule that no output ever shows a traceback."""
    def call(args, cwd, **kwargs):
        proc = run_jobzone(args, cwd, **kwargs)
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        return proc
    return call


@pytest.fixture
def fix_here(monkeypatch, capsys):
    """`jobzone fix ARGS` in-process (the CLI's own `main`), in a folder: (exit status, stdout).

    Used for the long parametrized lists, where a subprocess each would cost a minute."""
    from builder.cli import main

    def call(args: list[str], cwd: Path) -> tuple[int, str]:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            status = main(["fix", *args])
        finally:
            gc.enable()  # main() turns the collector off for one-shot commands
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err, out + err
        return status, out
    return call


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    roles = root / "content" / "roles"
    roles.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (roles / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return roles


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def mutated(text: str, *changes: tuple[str, str]) -> str:
    for context, new in changes:
        text, _, _ = mutate(text, context, new)
    return text


def errors(out) -> set[tuple[str, int, int, str]]:
    """(path, line, col, code) of every error line of a CompletedProcess's or a captured stdout."""
    text = out if isinstance(out, str) else out.stdout
    return {(m["path"], int(m["line"]), int(m["col"]), m["code"])
            for m in TEXT_LINE.finditer(text) if m["sev"] == "error"}


def diff_lines(out) -> list[str]:
    text = out if isinstance(out, str) else out.stdout
    return [line for line in text.splitlines() if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))]


def inputs_of(text: str) -> tuple:
    """Every input cell as written (name, text, line), and the growth correlation."""
    checked = analyse(text.encode("utf-8"), REL, M)
    assert checked.entry is not None, checked.diagnostics
    inputs = checked.entry.report.inputs
    scored = (*inputs.principles, *inputs.evidence, *inputs.barriers)
    rows = [(r.name, r.score.text, r.score.location.line) for r in scored]
    tasks = [(t.name, t.time.text, t.score.text, t.label.text, t.location.line) for t in inputs.tasks]
    return rows, tasks, (inputs.growth.text, inputs.growth.location)


# A baseline without the calibration relations that any change of score breaks ("identical to
# 40.8", "above 36.3"), so that changed inputs stay fixable; "well below 68.2" is kept.
# The shipped report with nothing an input change would leave for the analyst to rewrite: relations to
# peers' scores, and a rationale arguing for its row's score.
NEUTRAL = replaced(SHIPPED, ("identical to Conversational AI Engineer", "close to Conversational AI Engineer"),
                   ("above NLP Engineer (36.3)", "next to NLP Engineer (36.3)"),
                   ("Scored +1 not +2 because", "Not +2 because"))


# --- the pure core -------------------------------------------------------------------------------

@pytest.mark.parametrize(("stated", "value", "expected"), [
    ("0.80", "0.75", "0.75"),
    ("0.8", "0.75", "0.8"),
    ("40.9", "40.8386", "40.8"),
    ("40.8", "40.85", "40.9"),
    ("15%", "20", "20%"),
    ("15 %", "7.5", "8 %"),
    ("100%", "90", "90%"),
    ("+2", "1", "+1"),
    ("+1", "-1", "-1"),
    ("+1", "0", "0"),
    ("\u22121", "-2", "\u22122"),
    ("1", "-1", "-1"),
    ("3.7790", "3.778488", "3.7785"),
    ("27.5", "27.4", "27.4"),
])
def test_write_number_keeps_the_stated_style(stated, value, expected):
    from builder.diagnostics import Location
    from builder.numbers import to_decimal

    token = re.match(r"[+\-\u2212]?[\d.]+", stated).group()
    written = write_number(Stated(to_decimal(token), stated, Location("x.md", 1, 1)), Decimal(value))
    assert written == expected


def test_write_number_of_a_negated_input():
    from builder.diagnostics import Location

    # "1.0 - (3 × 0.04)" states -3; the text shows the opposite of the value.
    stated = Stated(Decimal(-3), "3", Location("x.md", 1, 1))
    assert write_number(stated, Decimal(-1), negated=True) == "1"
    assert write_number(stated, Decimal(2), negated=True) == "-2"


@pytest.mark.parametrize(("old", "word", "expected"), [
    ("YELLOW", "Green", "GREEN"), ("Yellow", "Green", "Green"), ("yellow", "Red", "red"), ("yELLow", "Red", "Red"),
])
def test_write_word_keeps_the_case_style(old, word, expected):
    assert write_word(old, word) == expected


def test_fix_text_edits_exactly_the_stated_characters():
    text, line, col = mutate(SHIPPED, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")
    checked = analyse(text.encode("utf-8"), REL, M)
    fixed, edits = fix_text(text, checked, None, M)
    assert fixed == SHIPPED
    assert len(edits) == 1
    (edit,) = edits
    assert isinstance(edit, Edit)
    assert (edit.location.line, edit.location.col) == (line, col)
    assert (edit.old, edit.new, edit.rule) == ("0.80", "0.75", "JZ301")
    again = analyse(fixed.encode("utf-8"), REL, M)
    assert fix_text(fixed, again, None, M) == (fixed, [])


def test_fix_text_of_a_clean_report_changes_nothing():
    checked = analyse(SHIPPED.encode("utf-8"), REL, M)
    assert fix_text(SHIPPED, checked, None, M) == (SHIPPED, [])


def test_fix_text_of_a_report_that_does_not_parse_changes_nothing():
    text = "---\ntitle: [unclosed\n---\n\nbody\n"
    checked = analyse(text.encode("utf-8"), "content/roles/bad.md", M)
    assert checked.entry is None
    assert fix_text(text, checked, None, M) == (text, [])


# --- every derived number, changed and fixed back ---------------------------------------------------

def test_mutation_lists_cover_every_kind():
    ids = {m.id for m in FIXABLE}
    assert REQUIRED_KINDS <= ids, sorted(REQUIRED_KINDS - ids)
    assert set(NOT_FIXABLE) <= {m.id for m in DERIVED}


@pytest.mark.parametrize("m", FIXABLE, ids=[m.id for m in FIXABLE])
def test_fix_restores_the_derived_number(tmp_path, fix_here, m: Mutation):
    text, line, _ = mutate(SHIPPED, m.context, m.new)
    roles = write_site(tmp_path, {NAME: text})
    status, out = fix_here([], tmp_path)
    assert status == 0, out
    assert (roles / NAME).read_bytes() == SHIPPED.encode("utf-8"), out
    assert out.splitlines()[-1] == "Fixed 1 number in 1 report."
    original_line = SHIPPED.split("\n")[line - 1]
    assert diff_lines(out) == [f"-{text.split(chr(10))[line - 1]}", f"+{original_line}"]


@pytest.mark.parametrize("m", UNFIXABLE, ids=[m.id for m in UNFIXABLE])
def test_what_fix_cannot_know_is_left_and_reported(tmp_path, fix_here, m: Mutation):
    text, line, _ = mutate(SHIPPED, m.context, m.new)
    roles = write_site(tmp_path, {NAME: text})
    status, out = fix_here([], tmp_path)
    assert status == 1, out
    assert (roles / NAME).read_bytes() == text.encode("utf-8")
    assert out.startswith("Nothing to fix.\nCould not fix ")
    code = NOT_FIXABLE.get(m.id, m.code)
    assert any(ln == line and c == code for _, ln, _, c in errors(out)), out


def test_one_fix_through_a_subprocess(tmp_path, run):
    """The same as above through `python -m builder`, exactly as a user runs it."""
    text = mutate(SHIPPED, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")[0]
    roles = write_site(tmp_path, {NAME: text})
    proc = run(["fix"], tmp_path)
    assert (proc.returncode, proc.stdout.splitlines()[-1]) == (0, "Fixed 1 number in 1 report."), proc.stderr
    assert (roles / NAME).read_bytes() == SHIPPED.encode("utf-8")


# --- cited scores, zones, sub-labels and gaps of a role that has its own report -----------------

CITING = replaced(
    SHIPPED,
    ("scored Red at 19.0", "scored Yellow at 40.8"),
    ("that LLMs haven't yet collapsed into a single API call.\n",
     ("that LLMs haven't yet collapsed into a single API call.\n\n"
      "On paper its closest peer is Data Scientist (40.8, Yellow Urgent), a 0.0-point gap.\n")),
)
CITED = renamed(CITING, "Data Scientist", "data-scientist")

CITATION_CASES = {
    "cited-score": [("scored Yellow at «40.8»", "19.0")],
    "cited-zone": [("scored «Yellow» at 40.8", "Red")],
    "cited-score-and-zone-as-shipped": [("scored «Yellow at 40.8»", "Red at 19.0")],
    "cited-sublabel": [("(40.8, Yellow «Urgent»)", "Moderate")],
    "cited-zone-beside-sublabel": [("(40.8, «Yellow» Urgent)", "Green")],
    "cited-score-beside-sublabel": [("(«40.8», Yellow Urgent)", "19.0")],
    "cited-score-and-its-gap": [("(«40.8», Yellow Urgent)", "45.0"), ("a «0.0»-point gap", "4.2")],
    "gap": [("a «0.0»-point gap", "0.1")],
}


def test_citing_site_is_clean(tmp_path, run):
    write_site(tmp_path, {NAME: CITING, "data-scientist.md": CITED})
    proc = run(["check"], tmp_path)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("changes", CITATION_CASES.values(), ids=CITATION_CASES.keys())
def test_fix_rewrites_citations_of_a_role_with_a_report(tmp_path, fix_here, changes):
    text = mutated(CITING, *changes)
    roles = write_site(tmp_path, {NAME: text, "data-scientist.md": CITED})
    status, out = fix_here([], tmp_path)
    assert status == 0, out
    assert (roles / NAME).read_bytes() == CITING.encode("utf-8"), out
    assert (roles / "data-scientist.md").read_bytes() == CITED.encode("utf-8")
    assert out.splitlines()[-1].endswith(" in 1 report.")


def test_a_zone_shared_by_a_list_is_not_rewritten_for_one_item(tmp_path, run):
    """ "these Green Zone roles" also names roles without a report: one Yellow item cannot change the word."""
    text = replaced(CITING, ("- Applied AI Engineer (AIJRI 55.1)", "- Data Scientist (AIJRI 40.8)"))
    roles = write_site(tmp_path, {NAME: text, "data-scientist.md": CITED})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 1
    assert (roles / NAME).read_bytes() == text.encode("utf-8")
    assert {c for *_, c in errors(proc)} == {"JZ403"}, proc.stdout


# --- changed inputs: everything derived follows, inputs stay ---------------------------------------

def test_changed_task_score_is_followed_by_every_derived_number(tmp_path, run):
    before = mutate(NEUTRAL, "| 25% | «3» | 0.75 |", "4")[0]
    roles = write_site(tmp_path, {NAME: before})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = (roles / NAME).read_text(encoding="utf-8")
    assert inputs_of(after) == inputs_of(before)
    for expected in ("| 25% | 4 | 1.00 | AUGMENTATION |", "| Total | 100% |  | 3.10 |",
                     "Task Resistance Score: 6.00 - 3.10 = 2.90/5.0", "| Task Resistance Score | 2.90/5.0 |",
                     "Raw: 2.90 × 1.12 × 1.02 × 1.05 = 3.4786",
                     "JobZone Score: (3.4786 - 0.54) / 7.93 × 100 = 37.1/100",
                     "Zone: YELLOW", "The 37.1 sits comfortably mid-Yellow", "The Yellow (Urgent) label at 37.1",
                     "The 31.1-point gap", "| % of task time scoring 3+ | 70% |", "The 2.90 average masks"):
        assert expected in after, expected
    assert proc.stdout.splitlines()[-1] == "Fixed 13 numbers in 1 report."
    check = run(["check"], tmp_path)
    assert check.returncode == 0, check.stdout


def test_changed_inputs_crossing_into_another_zone(tmp_path, run):
    before = mutated(NEUTRAL, ("| 25% | «3» | 0.75 |", "2"),
                     ("A/B testing, experimentation & model evaluation | 15% | «3» |", "2"),
                     ("| Job Posting Trends | «1» |", "2"))
    roles = write_site(tmp_path, {NAME: before})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = (roles / NAME).read_text(encoding="utf-8")
    assert inputs_of(after) == inputs_of(before)
    for expected in ("| Total | 4 |  |", "| Evidence Modifier | 1.0 + (4 × 0.04) = 1.16 |",
                     "Raw: 3.55 × 1.16 × 1.02 × 1.05 = 4.4104", "= 48.8/100", "Zone: GREEN (Green >=48",
                     "| % of task time scoring 3+ | 30% |",
                     "| Sub-label | Green (Stable) -- AIJRI >=48 AND <40% of task time scores 3+ |",
                     "The 48.8 sits comfortably mid-Green", "The Green (Stable) label at 48.8", "The 19.4-point gap",
                     "The score sits firmly within the Green band (48-100)"):
        assert expected in after, expected
    assert run(["check"], tmp_path).returncode == 0


def test_a_band_of_another_zone_is_checked_and_fixed(tmp_path, run):
    """ "the Red band (0-24)" states the Red zone's limits, whatever this report's zone."""
    before = replaced(SHIPPED, ("with no borderline risk.",
                                "with no borderline risk, well clear of the Red band (0-24)."))
    roles = write_site(tmp_path, {NAME: before})
    assert run(["check"], tmp_path).returncode == 0
    wrong = replaced(before, ("clear of the Red band (0-24)", "clear of the Red band (0-27)"))
    (roles / NAME).write_text(wrong, encoding="utf-8")
    proc = run(["check"], tmp_path)
    line = next(n for n, text in enumerate(wrong.split("\n"), 1) if "(0-27)" in text)
    col = wrong.split("\n")[line - 1].index("(0-27)") + 4
    assert errors(proc) == {(REL, line, col, "JZ303")}, proc.stdout
    assert "Red band restated: stated 27, computed 24 (methodology)" in proc.stdout
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert (roles / NAME).read_text(encoding="utf-8") == before


def test_fix_settled_fixes_what_an_edit_makes_readable():
    """A zone word rewritten by one pass turns the band after it into that zone's band: the next pass
    fixes the band, and a settled text has nothing left to fix."""
    wrong = replaced(SHIPPED, ("The 40.8 sits comfortably mid-Yellow and",
                               "The 40.8 sits comfortably mid-Red band (0-24) and"))
    checked = analyse(wrong.encode("utf-8"), REL, M)
    once, edits = fix_text(wrong, checked, None, M)
    assert "mid-Yellow band (0-24) and" in once and len(edits) == 1
    settled, made, last = fix_settled(wrong, checked, None, M, lambda t: analyse(t.encode("utf-8"), REL, M))
    assert "The 40.8 sits comfortably mid-Yellow band (25-47) and" in settled
    assert len(made) == 3 and last.entry is not None
    assert fix_text(settled, last, None, M) == (settled, [])


def test_a_modifier_written_with_a_minus_keeps_it(tmp_path, run):
    # Evidence total -1, written "1.0 - (1 × 0.04)": the input restated after the minus is 1.
    before = mutated(
        replaced(NEUTRAL, ("| Evidence Modifier | 1.0 + (3 × 0.04) = 1.12 |",
                           "| Evidence Modifier | 1.0 - (3 × 0.04) = 0.88 |")),
        ("| Job Posting Trends | «1» |", "-1"), ("| Company Actions | «1» |", "-1"))
    roles = write_site(tmp_path, {NAME: before})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = (roles / NAME).read_text(encoding="utf-8")
    assert "| Evidence Modifier | 1.0 - (1 × 0.04) = 0.96 |" in after
    assert "| Total | -1 |  |" in after
    assert inputs_of(after) == inputs_of(before)
    assert run(["check"], tmp_path).returncode == 0


def test_a_rationale_restating_a_changed_score_is_reported_not_rewritten(tmp_path, run):
    """ "Scored +1 not +2 because ..." argues for the row's score: with another score in the row, fix
    leaves the sentence to the analyst (exit 1, the place named) and fixes every derived number."""
    before = mutate(replaced(NEUTRAL, ("Not +2 because", "Scored +1 not +2 because")), "| Job Posting Trends | «1» |",
                    "2")[0]
    roles = write_site(tmp_path, {NAME: before})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    after = (roles / NAME).read_text(encoding="utf-8")
    assert "Scored +1 not +2 because" in after and "| Total | 4 |  |" in after
    line, col = locate(after, "Scored «+1» not +2")
    assert errors(run(["check"], tmp_path)) == {(REL, line, col, "JZ301")}


def test_a_broken_relation_is_reported_and_everything_else_fixed(tmp_path, run):
    before = mutate(SHIPPED, "| 25% | «3» | 0.75 |", "4")[0]
    roles = write_site(tmp_path, {NAME: before})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 1
    after = (roles / NAME).read_text(encoding="utf-8")
    assert "identical to Conversational AI Engineer (40.8)" in after  # relation words are never rewritten
    assert "= 37.1/100" in after and inputs_of(after) == inputs_of(before)
    line, col = locate(after, "identical to Conversational AI Engineer («40.8»)")
    assert errors(proc) == {(REL, line, col, "JZ401")}, proc.stdout
    # fix's verdict is the check's verdict on the file it wrote
    check = run(["check"], tmp_path)
    assert check.returncode == 1
    assert errors(check) == errors(proc)


def test_an_input_out_of_range_is_reported(tmp_path, run):
    before = mutate(NEUTRAL, "| 25% | «3» | 0.75 |", "6")[0]
    roles = write_site(tmp_path, {NAME: before})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 1
    after = (roles / NAME).read_text(encoding="utf-8")
    assert "| 25% | 6 | 1.50 |" in after  # derived numbers still follow the input as written
    assert {c for *_, c in errors(proc)} == {"JZ201"}, proc.stdout
    check = run(["check"], tmp_path)
    assert check.returncode == 1 and errors(check) == errors(proc)


# --- bytes, dry runs, idempotency, files that do not parse, exit codes -----------------------------

STYLED = replaced(SHIPPED, ("Raw: 3.15", "Raw:\t3.15"), ("= 40.8/100\n", "= 40.8/100   \n"),
                  ("Survival strategy:\n", "Survival strategy:  \n"), ("| Total | 3 |  |\n", "| Total | 3 |  | \t\n"))
BREAKS = [("| 25% | 3 | «0.75» | AUGMENTATION |", "0.80"), ("| Task Resistance Score | «3.15»/5.0 |", "3.25"),
          ("Raw:\t3.15 × 1.12 × 1.02 × 1.05 = «3.7785»", "3.7790"), ("× 100 = «40.8»/100", "40.9"),
          ("Zone: «YELLOW» (Green", "RED"), ("comfortably mid-«Yellow»", "Green"), ("The «27.4»-point gap", "27.5"),
          ("| Total | «3» |  | \t", "4")]


def _lf(text: str) -> bytes:
    return text.encode("utf-8")


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def _bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + _lf(text)


def _bom_crlf(text: str) -> bytes:
    return b"\xef\xbb\xbf" + _crlf(text)


def _mixed(text: str) -> bytes:
    lines = text.split("\n")
    return "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines[:-1])).encode("utf-8") + \
        lines[-1].encode("utf-8")


@pytest.mark.parametrize("encode", [_lf, _crlf, _bom, _bom_crlf, _mixed],
                         ids=["lf", "crlf", "bom", "bom-crlf", "mixed"])
def test_every_other_byte_is_kept(tmp_path, run, encode):
    original = encode(STYLED)
    roles = write_site(tmp_path, {NAME: original})
    assert run(["check"], tmp_path).returncode == 0
    write_site(tmp_path, {NAME: encode(mutated(STYLED, *BREAKS))})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (roles / NAME).read_bytes() == original
    assert proc.stdout.splitlines()[-1] == f"Fixed {len(BREAKS)} numbers in 1 report."


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path, run):
    text, line, _ = mutate(SHIPPED, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")
    roles = write_site(tmp_path, {NAME: text})
    proc = run(["fix", "--dry-run"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (roles / NAME).read_bytes() == text.encode("utf-8")
    out = proc.stdout.splitlines()
    assert out[:3] == [f"--- a/{REL}", f"+++ b/{REL}", f"@@ -{line - 3},7 +{line - 3},7 @@"]
    assert diff_lines(proc) == [f"-{text.split(chr(10))[line - 1]}", f"+{SHIPPED.split(chr(10))[line - 1]}"]
    assert out[-1] == "Would fix 1 number in 1 report (dry run: nothing written)."
    assert not list(roles.glob(".*"))


def test_dry_run_exit_status_says_what_would_remain(tmp_path, run):
    text = mutate(SHIPPED, "| 25% | «3» | 0.75 |", "4")[0]
    roles = write_site(tmp_path, {NAME: text})
    proc = run(["fix", "--dry-run"], tmp_path)
    assert proc.returncode == 1
    assert {c for *_, c in errors(proc)} == {"JZ401"}
    assert (roles / NAME).read_bytes() == text.encode("utf-8")


def test_fix_is_idempotent(tmp_path, run):
    text = mutated(NEUTRAL, ("| 25% | «3» | 0.75 |", "4"), ("Zone: «YELLOW»", "RED"))
    roles = write_site(tmp_path, {NAME: text})
    first = run(["fix"], tmp_path)
    assert first.returncode == 0, first.stdout
    fixed = (roles / NAME).read_bytes()
    second = run(["fix"], tmp_path)
    assert second.returncode == 0
    assert second.stdout == "Nothing to fix.\n"
    assert (roles / NAME).read_bytes() == fixed


def test_clean_site_has_nothing_to_fix(tmp_path, run):
    roles = write_site(tmp_path, {NAME: SHIPPED})
    proc = run(["fix"], tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "Nothing to fix.\n")
    assert (roles / NAME).read_bytes() == SHIPPED.encode("utf-8")


def test_a_file_that_does_not_parse_is_left_and_reported(tmp_path, run):
    bad = "---\ntitle: [unclosed\nslug: broken\n---\n\n## Role Definition\n\nTotal 0.80\n"
    text = mutate(SHIPPED, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")[0]
    roles = write_site(tmp_path, {NAME: text, "broken.md": bad})
    proc = run(["fix"], tmp_path)
    assert proc.returncode == 1
    assert (roles / "broken.md").read_bytes() == bad.encode("utf-8")
    assert (roles / NAME).read_bytes() == SHIPPED.encode("utf-8")  # the other report is still fixed
    assert {(p, c) for p, _, _, c in errors(proc)} == {("content/roles/broken.md", "JZ101")}, proc.stdout
    assert "Fixed 1 number in 1 report." in proc.stdout
    alone = run(["fix", "content/roles/broken.md"], tmp_path)
    assert alone.returncode == 1 and alone.stdout.startswith("Nothing to fix.\n")


def test_named_reports_only(tmp_path, run):
    copy = renamed(SHIPPED, "Recommendation Systems Engineer Copy", "copy")
    text = mutate(SHIPPED, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")[0]
    broken_copy = mutate(copy, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")[0]
    roles = write_site(tmp_path, {NAME: text, "copy.md": broken_copy})
    proc = run(["fix", REL], tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert (roles / NAME).read_bytes() == SHIPPED.encode("utf-8")
    assert (roles / "copy.md").read_bytes() == broken_copy.encode("utf-8")
    assert run(["fix", "content/roles"], tmp_path).stdout.splitlines()[-1] == "Fixed 1 number in 1 report."
    assert (roles / "copy.md").read_bytes() == copy.encode("utf-8")


def test_written_file_keeps_its_mode_and_leaves_no_temporary_file(tmp_path, run):
    text = mutate(SHIPPED, "| 25% | 3 | «0.75» | AUGMENTATION |", "0.80")[0]
    roles = write_site(tmp_path, {NAME: text})
    os.chmod(roles / NAME, 0o640)
    assert run(["fix"], tmp_path).returncode == 0
    assert stat.S_IMODE((roles / NAME).stat().st_mode) == 0o640
    assert sorted(p.name for p in roles.iterdir()) == [NAME]


def test_after_fix_check_passes(tmp_path, run):
    text = mutated(SHIPPED, *[(c, n) for c, n in BREAKS if "\t" not in c])
    write_site(tmp_path, {NAME: text})
    assert run(["check"], tmp_path).returncode == 1
    assert run(["fix"], tmp_path).returncode == 0
    assert run(["check"], tmp_path).returncode == 0


@pytest.mark.parametrize("args", [["fix", "content/roles/nope.md"], ["--config", "missing.toml", "fix"]],
                         ids=["unknown-path", "missing-config"])
def test_usage_errors_exit_2(tmp_path, run, args):
    roles = write_site(tmp_path, {NAME: mutate(SHIPPED, "| 25% | 3 | «0.75» |", "0.80")[0]})
    before = (roles / NAME).read_bytes()
    proc = run(args, tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "jobzone: error:" in proc.stderr
    assert (roles / NAME).read_bytes() == before
