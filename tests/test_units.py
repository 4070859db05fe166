"""Unit tests: number parsing and rounding, the scoring rules, the methodology as data, table
splitting, and the parse of the shipped report (every stated number, located exactly)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.check import analyse
from builder.diagnostics import Location
from builder.document import Cell, TextBlock, split_row
from builder.methodology import MethodologyError, load_methodology
from builder.numbers import Stated, StatedText, agrees, parse_fraction, parse_plain, round_half_up, to_decimal
from builder.score import jobzone_score, modifier, raw_score, score_report, task_resistance, weighted

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "content" / "roles" / "recommendation-systems-engineer.md").read_text(encoding="utf-8")
LINES = SEED.split("\n")
M = load_methodology()


# --- helpers -----------------------------------------------------------------------------------

def line_of(needle: str, exact: bool = False, text: str = SEED) -> int:
    """1-based number of the only line containing (or, if exact, equal to) `needle`."""
    lines = text.split("\n")
    hits = [i + 1 for i, line in enumerate(lines) if (line == needle if exact else needle in line)]
    assert len(hits) == 1, f"{needle!r} found on lines {hits}"
    return hits[0]


def at(line_needle: str, before: str, exact: bool = False) -> tuple[int, int]:
    """(line, col) of the text right after `before`, on the only line containing `line_needle`."""
    line = line_of(line_needle, exact)
    text = LINES[line - 1]
    assert text.count(before) == 1, f"{before!r} is not unique on line {line}: {text!r}"
    return line, text.index(before) + len(before) + 1


@pytest.fixture(scope="module")
def seed_checked():
    return analyse(SEED.encode("utf-8"), "content/roles/recommendation-systems-engineer.md", M)


@pytest.fixture(scope="module")
def report(seed_checked):
    assert seed_checked.entry is not None, seed_checked.diagnostics
    return seed_checked.entry.report


@pytest.fixture(scope="module")
def card(seed_checked):
    return seed_checked.entry.card


# --- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("\u22121", D(-1)), ("+1", D(1)), ("\u20131", D(-1)), ("-1", D(-1)), ("1", D(1)), ("2.85", D("2.85")),
    (" 40.8 ", D("40.8")), ("+2", D(2)), ("\u22122.5", D("-2.5")),
])
def test_to_decimal(text: str, value: D) -> None:
    assert to_decimal(text) == value


def test_to_decimal_keeps_the_written_precision() -> None:
    assert str(to_decimal("0.30")) == "0.30"
    assert str(to_decimal("+1")) == "1"


@pytest.mark.parametrize("text, value", [
    ("15%", D(15)), ("15 %", D(15)), (" 100% ", D(100)), ("2", D(2)), ("-1", D(-1)), ("+1", D(1)),
    ("\u22121", D(-1)), ("0.30", D("0.30")), ("12.5%", D("12.5")),
    ("abc", None), ("", None), ("2/9", None), ("1 2", None), ("15%%", None), ("1.", None),
])
def test_parse_plain(text: str, value: D | None) -> None:
    assert parse_plain(text) == value


@pytest.mark.parametrize("text, value", [
    ("2/9", (D(2), D(9))), ("1/10", (D(1), D(10))), (" 3.15 / 5.0 ", (D("3.15"), D("5.0"))),
    ("-1/10", (D(-1), D(10))), ("2", None), ("2/", None), ("a/b", None),
])
def test_parse_fraction(text: str, value) -> None:
    assert parse_fraction(text) == value


@pytest.mark.parametrize("value, places, rounded", [
    ("0.125", 2, "0.13"), ("40.85", 1, "40.9"), ("40.849999", 1, "40.8"), ("40.8386", 1, "40.8"),
    ("3.778488", 4, "3.7785"), ("2.675", 2, "2.68"), ("0.005", 2, "0.01"), ("40.75", 1, "40.8"),
    ("47.95", 1, "48.0"), ("24.95", 1, "25.0"), ("1", 2, "1.00"), ("2.5", 0, "3"),
])
def test_round_half_up(value: str, places: int, rounded: str) -> None:
    result = round_half_up(D(value), places)
    assert result == D(rounded) and str(result) == rounded


@pytest.mark.parametrize("stated, computed, places, ok", [
    ("40.8", "40.8386", 1, True), ("3.7785", "3.778488", 4, True), ("3.7784", "3.778488", 4, False),
    ("40.9", "40.8386", 1, False), ("40.9", "40.85", 1, True), ("40.8", "40.85", 1, False),
    ("41", "40.8386", 0, True), ("1.12", "1.12", 2, True), ("0.30", "0.3", 2, True), ("70", "70", 0, True),
])
def test_agrees_at_stated_precision(stated: str, computed: str, places: int, ok: bool) -> None:
    assert agrees(D(stated), D(computed), places) is ok


def test_stated_decimals_follow_the_written_text() -> None:
    here = Location("x.md", 1, 1)
    assert Stated(D("40.8"), "40.8", here).decimals == 1
    assert Stated(D("3.7785"), "3.7785", here).decimals == 4
    assert Stated(D("100"), "100", here).decimals == 0
    assert Stated(D("0.30"), "0.30", here).decimals == 2


# --- scoring functions -----------------------------------------------------------------------

def test_weighted() -> None:
    assert weighted(D(15), D(2)) == D("0.30")
    assert weighted(D(25), D(3)) == D("0.75")
    assert weighted(D(5), D(2)) == D("0.10")
    assert round_half_up(weighted(D("2.5"), D(1)), 2) == D("0.03")


def test_task_resistance() -> None:
    assert task_resistance(D("6.00"), D("2.85")) == D("3.15")
    assert task_resistance(D("6.00"), D("5.00")) == D("1.00")


@pytest.mark.parametrize("value, coefficient, result", [
    ("3", "0.04", "1.12"), ("1", "0.02", "1.02"), ("1", "0.05", "1.05"), ("-1", "0.04", "0.96"),
    ("-2", "0.05", "0.90"), ("0", "0.04", "1.00"), ("-10", "0.04", "0.60"),
])
def test_modifier(value: str, coefficient: str, result: str) -> None:
    assert modifier(D("1.0"), D(value), D(coefficient)) == D(result)


def test_raw_score() -> None:
    assert raw_score(D("3.15"), D("1.12"), D("1.02"), D("1.05")) == D("3.778488")
    assert round_half_up(raw_score(D("3.15"), D("1.12"), D("1.02"), D("1.05")), 4) == D("3.7785")


def test_jobzone_score_on_the_seed_numbers() -> None:
    raw = round_half_up(raw_score(D("3.15"), D("1.12"), D("1.02"), D("1.05")), 4)
    exact = jobzone_score(raw, D("0.54"), D("7.93"), D("100"))
    assert D("40.83") < exact < D("40.84")
    assert round_half_up(exact, 1) == D("40.8")
    assert jobzone_score(D("0.54"), D("0.54"), D("7.93"), D("100")) == 0
    assert jobzone_score(D("8.47"), D("0.54"), D("7.93"), D("100")) == 100


@pytest.mark.parametrize("score, zone", [
    ("48.0", "Green"), ("48", "Green"), ("100", "Green"), ("47.9", "Yellow"), ("47.99", "Yellow"),
    ("25.0", "Yellow"), ("24.9", "Red"), ("0", "Red"), ("-3", "Red"), ("40.8", "Yellow"), ("68.2", "Green"),
    ("19.0", "Red"),
])
def test_zone_boundaries(score: str, zone: str) -> None:
    assert M.zone_of(D(score)) == zone


def test_seed_scorecard(card) -> None:
    expected = {
        "protective.total": "2", "growth": "1", "evidence.total": "3", "barrier.total": "1",
        "task.total.time": "100", "task.total.weighted": "2.85", "trs": "3.15",
        "split.displacement": "15", "split.augmentation": "75", "split.not involved": "10", "share_high": "70",
        "modifier.evidence": "1.12", "modifier.barrier": "1.02", "modifier.growth": "1.05",
        "raw": "3.778488", "score": "40.8",
    }
    assert {key: card.number(key) for key in expected} == {key: D(value) for key, value in expected.items()}
    assert round_half_up(card.number("score.formula"), 1) == D("40.8")
    assert card.text("zone") == "Yellow"
    assert card.text("sublabel") == "Yellow (Urgent)"
    assert card.text("override") == "None"
    weights = [card.number(f"task.{i}.weighted") for i in range(7)]
    assert weights == [D(w) for w in ("0.30", "0.75", "0.60", "0.45", "0.45", "0.20", "0.10")]


# --- sub-labels and the methodology as data ---------------------------------------------------------

def _sublabel(m, zone: str, **metrics: str) -> str | None:
    rule = m.sublabel_of(zone, {name: D(value) for name, value in metrics.items()})
    return rule.label if rule else None


def test_yellow_sub_label_threshold() -> None:
    assert _sublabel(M, "Yellow", share_high="40", growth_correlation="1") == "Yellow (Urgent)"
    assert _sublabel(M, "Yellow", share_high="39.9", growth_correlation="1") == "Yellow (Moderate)"
    assert _sublabel(M, "Yellow", share_high="70", growth_correlation="1") == "Yellow (Urgent)"


def test_green_sub_labels() -> None:
    assert _sublabel(M, "Green", share_high="70", growth_correlation="2") == "Green (Accelerated)"
    assert _sublabel(M, "Green", share_high="10", growth_correlation="2") == "Green (Accelerated)"
    assert _sublabel(M, "Green", share_high="70", growth_correlation="1") == "Green (Transforming)"
    assert _sublabel(M, "Green", share_high="39.9", growth_correlation="1") == "Green (Stable)"


def test_red_sub_labels() -> None:
    assert _sublabel(M, "Red", displacement="50", share_high="90") == "Red (Imminent)"
    assert _sublabel(M, "Red", displacement="49", share_high="90") == "Red (Declining)"


def test_only_the_seed_sub_label_rule_is_published() -> None:
    assert {rule.label for rule in M.sublabels if rule.published} == {"Yellow (Urgent)"}
    assert all(rule.rule for rule in M.sublabels)


def test_sub_label_rules_are_data() -> None:
    override = (
        '[[sublabels]]\nlabel = "Yellow (Watch)"\nzone = "Yellow"\nwhen = { share_high = { min = 80 } }\n'
        'rule = "test"\n\n'
        '[[sublabels]]\nlabel = "Yellow (Calm)"\nzone = "Yellow"\nwhen = {}\nrule = "test"\n'
    )
    m = load_methodology(override)
    assert [rule.label for rule in m.sublabels] == ["Yellow (Watch)", "Yellow (Calm)"]
    assert _sublabel(m, "Yellow", share_high="80") == "Yellow (Watch)"
    assert _sublabel(m, "Yellow", share_high="70") == "Yellow (Calm)"
    assert _sublabel(m, "Green", share_high="70") is None
    checked = analyse(SEED.encode(), "seed.md", m)
    assert checked.entry.card.text("sublabel") == "Yellow (Calm)"
    stated = at("| Sub-label |", "| Sub-label | ")
    assert stated in [(d.location.line, d.location.col) for d in checked.diagnostics if d.code == "JZ305"]


def test_zone_bands_are_data() -> None:
    m = load_methodology('sublabels = []\n\n[[zones]]\nname = "Green"\nmin = "40"\n\n'
                         '[[zones]]\nname = "Red"\nmin = "0"\n')
    assert m.zone_of(D("40.8")) == "Green"
    assert m.zone_of(D("39.9")) == "Red"


def test_override_coefficient_changes_the_modifier() -> None:
    m = load_methodology('[coefficients]\nevidence = "0.05"\n')
    assert m.coefficients["evidence"] == D("0.05")
    assert m.coefficients["barrier"] == D("0.02")  # the rest of the table is kept
    checked = analyse(SEED.encode(), "seed.md", m)
    card = checked.entry.card
    assert card.number("modifier.evidence") == D("1.15")
    assert card.number("modifier.barrier") == D("1.02")
    assert card.number("raw") == D("3.15") * D("1.15") * D("1.02") * D("1.05")
    located = {(d.code, d.location.line, d.location.col) for d in checked.diagnostics}
    assert ("JZ303", *at("| Evidence Modifier |", "× ")) in located  # the stated 0.04
    assert ("JZ301", *at("| Evidence Modifier |", ") = ")) in located  # the stated 1.12
    default = score_report(checked.entry.report.inputs, checked.entry.report.meta, M)
    assert default.number("modifier.evidence") == D("1.12")


@pytest.mark.parametrize("text, line", [
    ('[coefficients]\nevidence = \n', 2),
    ('name = "x"\n\n[[zones]\nname = "Green"\n', 3),
    ('[coefficients]\nevidence = "0.05"\nevidence = "0.06"\n', 3),
])
def test_malformed_methodology_override_names_the_line(text: str, line: int) -> None:
    with pytest.raises(MethodologyError) as info:
        load_methodology(text, "site/methodology.toml")
    assert info.value.line == line
    assert info.value.path == "site/methodology.toml"
    assert str(info.value).startswith(f"site/methodology.toml:{line}:")


@pytest.mark.parametrize("text, names", [
    ('[coefficients]\nevidence = "abc"\n', "coefficients.evidence"),
    ('[coefficients]\nraw_span = "0"\n', "raw_span"),
    ('[precision]\nscore = "one"\n', "precision.score"),
    ('[[zones]]\nname = "Red"\nmin = "0"\n\n[[zones]]\nname = "Green"\nmin = "48"\n', "zones"),
    ('[[sublabels]]\nlabel = "X"\nzone = "Blue"\n', "zone"),
    ('[[sublabels]]\nlabel = "X"\nzone = "Green"\nwhen = { height = { min = 1 } }\n', "height"),
])
def test_invalid_methodology_values_are_refused(text: str, names: str) -> None:
    with pytest.raises(MethodologyError) as info:
        load_methodology(text, "site/methodology.toml")
    assert names in str(info.value)


def test_every_problem_of_a_methodology_is_told_at_once_each_at_its_line() -> None:
    text = ('# an override\n[coefficients]\nevidence = "x"\nbarrier = "y"\n\n[precision]\ntrs = 11\n\n'
            '[ranges]\nbarrier = [2, 0]\n\n[[zones]]\nname = "Top"\nmin = "zz"\n')
    with pytest.raises(MethodologyError) as info:
        load_methodology(text, "m.toml")
    assert str(info.value).splitlines() == [
        "m.toml:3:1: coefficients.evidence: expected a number, found 'x'",
        "m.toml:4:1: coefficients.barrier: expected a number, found 'y'",
        "m.toml:7:1: precision.trs: expected 0..10, found 11",
        "m.toml:10:1: ranges.barrier: min 2 is above max 0",
        "m.toml:14:1: zones[0].min: expected a number, found 'zz'",
    ]


# --- document.split_row ------------------------------------------------------------------------

@pytest.mark.parametrize("line, cells", [
    ("| a \\| b | c |", [(2, "a | b", (2,)), (11, "c", ())]),
    ("| a |  | c |", [(2, "a", ()), (5, "", ()), (9, "c", ())]),
    ("a | b", [(0, "a", ()), (4, "b", ())]),
    ("  | x | y |  ", [(4, "x", ()), (8, "y", ())]),
    ("| a | b \\|", [(2, "a", ()), (6, "b |", (2,))]),
    ("| x\\|y\\|z | 2 |", [(2, "x|y|z", (1, 3)), (12, "2", ())]),
    ("| 1.0 + (3 \u00d7 0.04) = 1.12 |", [(2, "1.0 + (3 \u00d7 0.04) = 1.12", ())]),
    ("|\t15%\t|\t2\t|", [(2, "15%", ()), (8, "2", ())]),
])
def test_split_row(line: str, cells: list[tuple[int, str, tuple[int, ...]]]) -> None:
    assert split_row(line) == cells
    for col, text, escapes in cells:  # every character of a cell's text is found where it is written
        cell = Cell(text, 1, col + 1, escapes)
        for index, char in enumerate(text):
            written = line[cell.col_at(index) - 1]
            assert written == char or (index in escapes and line[cell.col_at(index):cell.col_at(index) + 1] == "|")
            assert TextBlock.of_cell(cell).locate(index) == (1, cell.col_at(index))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="|\\ ab\t-:%", max_size=24))
def test_split_row_finds_every_cell_where_it_is_written(line: str) -> None:
    """Any row: one cell more than unescaped pipes between the outer ones, and every character of
    a cell's text (an escaped pipe read as `|`) found at the column the cell says."""
    cells = split_row(line)
    if not line.strip():
        assert all(text == "" for _, text, _ in cells)
        return
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    pipes = sum(1 for i, char in enumerate(inner) if char == "|" and (i == 0 or inner[i - 1] != "\\"))
    assert len(cells) == pipes + 1
    for col, text, escapes in cells:
        cell = Cell(text, 1, col + 1, escapes)
        assert text == text.strip()
        for index, char in enumerate(text):
            at = cell.col_at(index) - 1
            assert line[at] == char or (index in escapes and line[at:at + 2] == "\\|")


def test_a_mismatch_after_an_escaped_pipe_is_located_where_it_is_written() -> None:
    """The sub-label rule stated after `\\|` in the same cell: the column counts the backslash."""
    old = "| Sub-label | Yellow (Urgent) -- AIJRI 25-47 AND"
    new = "| Sub-label | Yellow (Urgent) \\| note -- AIJRI 25-48 AND"
    assert old in SEED
    text = SEED.replace(old, new)
    checked = analyse(text.encode(), "seed.md", M)
    line = line_of(new, text=text)
    rule = [d for d in checked.diagnostics if d.location.line == line and "rule" in d.message]
    assert len(rule) == 1, checked.diagnostics
    written = text.split("\n")[line - 1]
    assert rule[0].location.col >= written.index("AIJRI") + 1
    assert written[rule[0].location.col - 1:].startswith(("AIJRI 25-48", "25-48", "-48", "48")), rule[0]


def test_escaped_pipe_in_a_report_cell() -> None:
    text = SEED.replace("(popularity bias vs diversity)", "(popularity bias \\| diversity)")
    assert text != SEED
    checked = analyse(text.encode(), "seed.md", M)
    assert [d for d in checked.diagnostics if d.is_error] == []
    frame = checked.entry.report.tables["protective"].frame()
    assert "(popularity bias | diversity)" in frame.loc[line_of("| Goal-Setting & Moral Judgment |"), "Rationale"]


# --- the shipped report, parsed ---------------------------------------------------------------------

def test_seed_inputs(report) -> None:
    inputs = report.inputs
    assert len(inputs.tasks) == 7
    assert len(inputs.principles) == 3
    assert len(inputs.evidence) == 5
    assert len(inputs.barriers) == 5
    assert [p.name for p in inputs.principles] == ["Embodied Physicality", "Deep Interpersonal Connection",
                                                   "Goal-Setting & Moral Judgment"]
    assert [p.score.value for p in inputs.principles] == [0, 0, 2]
    assert inputs.growth.value == 1
    assert [t.time.value for t in inputs.tasks] == [15, 25, 15, 15, 15, 10, 5]
    assert [t.score.value for t in inputs.tasks] == [2, 3, 4, 3, 3, 2, 2]
    assert [t.label.text for t in inputs.tasks] == ["AUGMENTATION", "AUGMENTATION", "DISPLACEMENT", "AUGMENTATION",
                                                    "AUGMENTATION", "NOT INVOLVED", "AUGMENTATION"]
    assert [e.score.value for e in inputs.evidence] == [1, 1, 1, -1, 1]
    assert [b.score.value for b in inputs.barriers] == [0, 0, 0, 1, 0]
    assert [b.name for b in inputs.barriers] == ["Regulatory/Licensing", "Physical Presence",
                                                 "Union/Collective Bargaining", "Liability/Accountability",
                                                 "Cultural/Ethical"]


def test_seed_input_locations(report) -> None:
    inputs = report.inputs
    assert (inputs.growth.location.line, inputs.growth.location.col) == \
        at("| AI Growth Correlation | 1 | AI adoption", "| AI Growth Correlation | ")
    first = inputs.tasks[0]
    name = "| Design recommendation system architecture & strategy |"
    assert (first.time.location.line, first.time.location.col) == at(name, name + " ")
    assert (first.score.location.line, first.score.location.col) == at(name, "| 15% | ")
    maturity = inputs.evidence[3]
    assert maturity.score.text == "-1"
    assert (maturity.score.location.line, maturity.score.location.col) == at("| AI Tool Maturity |", "| AI Tool Maturity | ")


TABLE_SHAPES = {
    "role": (["Field", "Value"], 5),
    "protective": (["Principle", "Score (0-3)", "Rationale"], 5),
    "tasks": (["Task", "Time %", "Score (1-5)", "Weighted", "Aug/Disp", "Rationale"], 8),
    "evidence": (["Dimension", "Score (-2 to 2)", "Evidence"], 6),
    "barriers": (["Barrier", "Score (0-2)", "Rationale"], 6),
    "composite": (["Input", "Value"], 4),
    "sublabel": (["Metric", "Value"], 3),
}


@pytest.mark.parametrize("key", sorted(TABLE_SHAPES))
def test_table_frames(report, key: str) -> None:
    table = report.tables[key]
    frame = table.frame()
    columns, rows = TABLE_SHAPES[key]
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == columns == [cell.text for cell in table.header]
    assert len(frame) == rows == len(table.rows)
    for index, row in enumerate(table.rows):
        assert list(frame.iloc[index]) == [cell.text for cell in row]


def test_task_frame_values(report) -> None:
    frame = report.tables["tasks"].frame()
    assert list(frame["Time %"]) == ["15%", "25%", "15%", "15%", "15%", "10%", "5%", "100%"]
    assert list(frame["Weighted"]) == ["0.30", "0.75", "0.60", "0.45", "0.45", "0.20", "0.10", "2.85"]
    assert list(frame["Task"])[-1] == "Total"
    evidence = report.tables["evidence"].frame()
    assert list(evidence["Score (-2 to 2)"]) == ["1", "1", "1", "-1", "1", "3"]


def _task_line(index: int) -> str:
    names = ["Design recommendation system architecture & strategy",
             "Build & train ranking/collaborative filtering models",
             "Feature engineering & data pipeline for rec systems",
             "A/B testing, experimentation & model evaluation",
             "Model serving, real-time inference & MLOps",
             "Cross-functional collaboration & product alignment",
             "Cold-start, bias mitigation & edge case handling"]
    return f"| {names[index]} |"


def _expected_claims() -> list[tuple[str, str, tuple[int, int]]]:
    """(claim key, stated text, (line, col)) for every derived number listed in reading-the-seed.md."""
    quick = "Quick screen result:"
    trs_line = "Task Resistance Score: 6.00"
    split = "Displacement/Augmentation split:"
    raw = "Raw: 3.15"
    score = "JobZone Score: (3.7785"
    zone = "Zone: YELLOW"
    calibration = "Assessor override: None"
    honest = "The Yellow (Urgent) label at 40.8"
    expected = [
        ("protective.total", "2", at("| Protective Total |", "| Protective Total | ")),
        ("protective.max", "9", at("| Protective Total |", "| Protective Total | 2/")),
        ("protective.total", "2", at(quick, "Protective ")),
        ("growth", "1", at(quick, "Correlation ")),
        ("task.total.time", "100", at("| Total | 100% |", "| Total | ")),
        ("task.total.weighted", "2.85", at("| Total | 100% |", "| Total | 100% |  | ")),
        ("coef.trs_base", "6.00", at(trs_line, "Task Resistance Score: ")),
        ("task.total.weighted", "2.85", at(trs_line, "6.00 - ")),
        ("trs", "3.15", at(trs_line, "2.85 = ")),
        ("split.displacement", "15", at(split, "split: ")),
        ("split.augmentation", "75", at(split, "displacement, ")),
        ("split.not involved", "10", at(split, "augmentation, ")),
        ("evidence.total", "3", at("| Total | 3 |", "| Total | ")),
        ("barrier.total", "1", at("| Total | 1/10 |", "| Total | ")),
        ("barrier.max", "10", at("| Total | 1/10 |", "| Total | 1/")),
        ("growth", "+1", at("Confirmed at +1", "Confirmed at ")),
        ("trs", "3.15", at("| Task Resistance Score | 3.15/5.0 |", "| Task Resistance Score | ")),
        ("evidence.total", "3", at("| Evidence Modifier |", "(")),
        ("coef.evidence", "0.04", at("| Evidence Modifier |", "× ")),
        ("modifier.evidence", "1.12", at("| Evidence Modifier |", ") = ")),
        ("barrier.total", "1", at("| Barrier Modifier |", "(")),
        ("coef.barrier", "0.02", at("| Barrier Modifier |", "× ")),
        ("modifier.barrier", "1.02", at("| Barrier Modifier |", ") = ")),
        ("growth", "1", at("| Growth Modifier |", "(")),
        ("coef.growth", "0.05", at("| Growth Modifier |", "× ")),
        ("modifier.growth", "1.05", at("| Growth Modifier |", ") = ")),
        ("trs", "3.15", at(raw, "Raw: ")),
        ("modifier.evidence", "1.12", at(raw, "3.15 × ")),
        ("modifier.barrier", "1.02", at(raw, "1.12 × ")),
        ("modifier.growth", "1.05", at(raw, "1.02 × ")),
        ("raw", "3.7785", at(raw, "1.05 = ")),
        ("raw", "3.7785", at(score, "JobZone Score: (")),
        ("coef.raw_floor", "0.54", at(score, "3.7785 - ")),
        ("coef.raw_span", "7.93", at(score, ") / ")),
        ("coef.score_scale", "100", at(score, "7.93 × ")),
        ("score.formula", "40.8", at(score, "= ")),
        ("zone", "YELLOW", at(zone, "Zone: ")),
        ("band.Green.min", "48", at(zone, "Green >=")),
        ("band.Yellow.min", "25", at(zone, "Yellow ")),
        ("band.Yellow.max", "47", at(zone, "Yellow 25-")),
        ("band.Red.below", "25", at(zone, "Red <")),
        ("coef.high_score_threshold", "3", at("| % of task time scoring 3+ |", "scoring ")),
        ("share_high", "70", at("| % of task time scoring 3+ |", "| % of task time scoring 3+ | ")),
        ("growth", "1", at("| AI Growth Correlation | 1 |", "| AI Growth Correlation | ", exact=True)),
        ("sublabel", "Yellow (Urgent)", at("| Sub-label |", "| Sub-label | ")),
        ("score", "40.8", at(calibration, "accepted. The ")),
        ("zone", "Yellow", at(calibration, "comfortably mid-")),
        ("sublabel", "Yellow (Urgent)", (line_of(honest), len("The ") + 1)),
        ("score", "40.8", at(honest, "label at ")),
    ]
    for index, (time, score_, weight) in enumerate([(15, 2, "0.30"), (25, 3, "0.75"), (15, 4, "0.60"),
                                                    (15, 3, "0.45"), (15, 3, "0.45"), (10, 2, "0.20"),
                                                    (5, 2, "0.10")]):
        expected.append((f"task.{index}.weighted", weight, at(_task_line(index), f"| {time}% | {score_} | ")))
    return expected


def _value(stated: Stated | StatedText | str):
    """A claim's number (as Decimal) or word; the written text may or may not keep a '%'."""
    if isinstance(stated, Stated):
        return stated.value
    text = stated.text if isinstance(stated, StatedText) else stated
    number = parse_plain(text)
    return number if number is not None else text


def test_claims_cover_every_number_of_the_seed(report) -> None:
    claims = {(c.key, _value(c.stated), (c.stated.location.line, c.stated.location.col)) for c in report.claims}
    missing = [item for item in _expected_claims() if (item[0], _value(item[1]), item[2]) not in claims]
    assert missing == [], f"missing or mislocated claims: {missing}"


def test_claim_values(report) -> None:
    for claim in report.claims:
        if isinstance(claim.stated, Stated):
            assert claim.stated.value == parse_plain(claim.stated.text), claim


def test_override_statement(report) -> None:
    statement = report.override_statement
    assert isinstance(statement.stated, StatedText) and statement.stated.text == "None"
    loc = statement.stated.location
    assert (loc.line, loc.col) == at("Assessor override: None", "Assessor override: ")


CITATIONS = [
    # role, cited score, line needle, text right before the score, zone, relation
    ("ML/AI Engineer", "68.2", "scored Green at 68.2", "scored Green at ", "Green", None),
    ("Data Scientist", "19.0", "scored Red at 19.0", "scored Red at ", "Red", None),
    ("Conversational AI Engineer", "40.8", "Assessor override: None", "Conversational AI Engineer (", None,
     "identical"),
    ("NLP Engineer", "36.3", "Assessor override: None", "above NLP Engineer (", None, "above"),
    ("ML/AI Engineer", "68.2", "Assessor override: None", "below ML/AI Engineer (", None, "below"),
    ("ML/AI Engineer", "68.2", "Comparison to ML/AI Engineer", "Comparison to ML/AI Engineer (", "Green", None),
    ("NLP Engineer", "36.3", "comparison to NLP Engineer", "comparison to NLP Engineer (", None, None),
    ("ML/AI Engineer", "68.2", "The ML/AI Engineer (AIJRI 68.2) role", "(AIJRI ", None, None),
    ("ML/AI Engineer", "68.2", "- ML/AI Engineer (AIJRI 68.2)", "(AIJRI ", "Green", None),
    ("Applied AI Engineer", "55.1", "- Applied AI Engineer (AIJRI 55.1)", "(AIJRI ", "Green", None),
    ("AI Solutions Architect", "71.3", "- AI Solutions Architect (AIJRI 71.3)", "(AIJRI ", "Green", None),
]


def test_citations_of_the_seed(report) -> None:
    found = sorted((c.role, c.score.text, c.score.location.line, c.score.location.col,
                    c.zone.text if c.zone else None, c.relation) for c in report.citations)
    expected = sorted((role, score, *at(needle, before), zone, relation)
                      for role, score, needle, before, zone, relation in CITATIONS)
    assert found == expected


def test_gap_of_the_seed(report) -> None:
    (gap,) = report.gaps
    assert gap.stated.text == "27.4"
    assert (gap.stated.location.line, gap.stated.location.col) == at("-point gap", "furthest. The ")
    assert gap.peer is not None and gap.peer.role == "ML/AI Engineer" and gap.peer.score.text == "68.2"
    assert D("68.2") - D("40.8") == gap.stated.value


def _every_stated(report) -> list[tuple[str, Stated | StatedText]]:
    items: list[tuple[str, Stated | StatedText]] = [(c.key, c.stated) for c in report.claims]
    inputs = report.inputs
    for row in (*inputs.principles, *inputs.evidence, *inputs.barriers):
        items.append((f"input {row.name}", row.score))
    items.append(("input growth", inputs.growth))
    for task in inputs.tasks:
        items += [(f"time {task.name}", task.time), (f"score {task.name}", task.score),
                  (f"weighted {task.name}", task.weighted), (f"label {task.name}", task.label)]
    for citation in report.citations:
        items.append((f"citation {citation.role}", citation.score))
        if citation.zone is not None:
            items.append((f"citation zone {citation.role}", citation.zone))
    items += [("gap", gap.stated) for gap in report.gaps]
    if report.override_statement is not None:
        items.append(("override", report.override_statement.stated))
    return items


def _assert_located(text: str, report) -> int:
    lines = text.split("\n")
    checked = 0
    for what, stated in _every_stated(report):
        assert stated is not None, what
        loc = stated.location
        assert 1 <= loc.line <= len(lines), (what, loc)
        assert loc.col >= 1, (what, loc)
        assert lines[loc.line - 1][loc.col - 1:].startswith(stated.text), \
            (what, stated.text, loc, lines[loc.line - 1][loc.col - 1:loc.col + 20])
        checked += 1
    return checked


def test_every_stated_location_points_at_its_text(report) -> None:
    assert _assert_located(SEED, report) > 100


@pytest.mark.parametrize("variant", ["bom-crlf", "shifted-frontmatter", "tabs"])
def test_stated_locations_survive_layout_changes(variant: str) -> None:
    if variant == "bom-crlf":
        text, data = SEED, ("\ufeff" + SEED.replace("\n", "\r\n")).encode()
    elif variant == "shifted-frontmatter":
        text = SEED.replace("aliases: []", "aliases:\n  - Recommender Engineer\n  - Personalisation Engineer\n"
                            "job_family: Machine Learning\nupdated: 2025-01-31", 1)
        data = text.encode()
    else:
        text = SEED.replace("| 25% | 3 | 0.75 |", "|\t25%\t|  3 |\t0.75\t|").replace("Raw: 3.15", "Raw:\t3.15")
        data = text.encode()
    checked = analyse(data, "seed.md", M)
    assert [d for d in checked.diagnostics if d.is_error] == []
    assert _assert_located(text, checked.entry.report) > 100


# --- the rounding policy on a whole report ----------------------------------------------------------

def test_exact_score_ending_in_5_rounds_half_up() -> None:
    """With raw_floor 0.539095 the seed's exact score is (3.7785 - 0.539095) / 7.93 × 100 = 40.85 exactly."""
    m = load_methodology('[coefficients]\nraw_floor = "0.539095"\n')
    checked = analyse(SEED.encode(), "seed.md", m)
    card = checked.entry.card
    assert card.number("score.formula") == D("40.85")
    assert card.number("score") == D("40.9")  # half-up, not half-even (40.8)
    located = {(d.code, d.location.line, d.location.col): d for d in checked.diagnostics}
    where = at("JobZone Score: (3.7785", "= ")
    assert ("JZ301", *where) in located
    assert "40.9" in located[("JZ301", *where)].message

    # the same line stating 40.9 with that floor is right, and its formula chain holds
    fixed = SEED.replace("JobZone Score: (3.7785 - 0.54) / 7.93 × 100 = 40.8/100",
                         "JobZone Score: (3.7785 - 0.539095) / 7.93 × 100 = 40.9/100")
    assert fixed != SEED
    checked = analyse(fixed.encode(), "seed.md", m)
    line = line_of("JobZone Score: (3.7785")
    assert [d for d in checked.diagnostics if d.location.line == line] == []


def test_weighted_cell_rounds_half_up() -> None:
    """A 12.5% task scoring 1 weighs 0.125, published as 0.13 (half-up)."""
    text = SEED.replace("| 15% | 2 | 0.30 |", "| 12.5% | 1 | 0.13 |").replace(
        "| 10% | 2 | 0.20 | NOT INVOLVED |", "| 12.5% | 2 | 0.25 | NOT INVOLVED |")
    checked = analyse(text.encode(), "seed.md", M)
    card = checked.entry.card
    assert card.number("task.0.weighted") == D("0.125")
    row = line_of("| Design recommendation system architecture & strategy |", text=text)
    assert [d for d in checked.diagnostics if d.location.line == row] == []
    # total weighted is the sum of the published (rounded) cells: 2.85 - 0.30 + 0.13 - 0.20 + 0.25
    assert card.number("task.total.weighted") == D("2.73")


# --- restatements that must not be read into other numbers -----------------------------------------

_RATIONALE = "Scored +1 not +2 because demand is real but title-specific growth is flattening."


@pytest.mark.parametrize(("rationale", "errors"), [
    (_RATIONALE, []),
    (_RATIONALE.replace("Scored +1", "Scored -1"), ["JZ301"]),
    # Not the row's score: a sentence not opening with "Scored", a share, a fraction, a year.
    ("Peers scored 2 in a survey. " + _RATIONALE, []),
    ("Scored 12% higher than peers in 2025.", []),
    ("Scored 3/5 by analysts.", []),
    # Not a score of the row either: what follows the number says it counts something else.
    ("Scored 2 points below Data Engineer peers on this dimension.", []),
    ("Scored 3 of 5 signals positive.", []),
    ("Scored 0 in the 2024 edition; now +1.", []),
    # The row's score: the clause ends, or a reason or contrast follows.
    ("Adoption is real. Scored -1, since tools are maturing.", ["JZ301"]),
    ("Scored 2.", ["JZ301"]),
])
def test_a_rationale_restates_its_rows_score_only_when_it_says_so(rationale, errors):
    assert SEED.count(_RATIONALE) == 1
    checked = analyse(SEED.replace(_RATIONALE, rationale).encode("utf-8"), "r.md", M)
    assert [d.code for d in checked.diagnostics if d.is_error] == errors


_AVERAGE = "The 3.15 average masks this split."


@pytest.mark.parametrize(("sentence", "errors"), [
    (_AVERAGE, []),
    ("The 3.25 average masks this split.", ["JZ301"]),
    ("The 3.25 average task resistance score hides this split.", ["JZ301"]),
    ("Behind the 3.25 average, the split is wide.", ["JZ301"]),
    # Other averages: of task scores, of peers, of modifiers, of years or hours.
    ("The 2.85 average task score masks this split.", []),
    ("The 45.2 average across the ML peer group is higher.", []),
    ("The 1.12 average modifier says little.", []),
    ("The 5.3 average years of experience mask this split.", []),
    # A score outside the zone named is not a zone restated, nor is that zone's band this report's.
    (_AVERAGE + " The score sits well above the Red band (0-24).", []),
    (_AVERAGE + " The 40.8 sits just below the Green band (48-100).", []),
    (_AVERAGE + " The score sits well above the Red band (0-25).", ["JZ303"]),  # Red's band, still checked
    (_AVERAGE + " The score sits squarely in the Yellow band (25-47).", []),
    (_AVERAGE + " The score sits squarely in the Yellow band (25-48).", ["JZ303"]),
    (_AVERAGE + " The score sits squarely in the Green band (25-47).", ["JZ304"]),  # the band is its own zone's
    # A band's top is the largest number below the next zone's minimum, at the precision written.
    (_AVERAGE + " The score sits squarely in the Yellow band (25-47.9).", []),
    (_AVERAGE + " The score sits squarely in the Yellow band (25-47.99).", []),
    (_AVERAGE + " The score sits squarely in the Yellow band (25-47.0).", ["JZ303"]),
    (_AVERAGE + " Well clear of the Red band (0-24.9).", []),
    (_AVERAGE + " Well clear of the Green band (48.0-100.0).", []),
])
def test_prose_restates_the_resistance_score_and_bands_only_when_it_says_so(sentence, errors):
    assert SEED.count(_AVERAGE) == 1
    checked = analyse(SEED.replace(_AVERAGE, sentence).encode("utf-8"), "r.md", M)
    assert sorted(d.code for d in checked.diagnostics if d.is_error) == errors


def test_the_top_of_a_band_is_written_at_any_precision_and_fixed_at_it() -> None:
    """ "Yellow 25-47" and "Yellow 25-47.9" both state the Yellow band's top (the next zone starts at 48);
    `fix` writes the top at the precision the text uses, and the export keeps the methodology's form."""
    from builder.fix import fix_text

    assert SEED.count("Yellow 25-47, Red") == 1
    for top in ("47", "47.9", "47.99"):
        checked = analyse(SEED.replace("Yellow 25-47, Red", f"Yellow 25-{top}, Red").encode("utf-8"), "r.md", M)
        assert [d.code for d in checked.diagnostics if d.is_error] == []
    wrong = SEED.replace("Yellow 25-47, Red", "Yellow 25-46.5, Red")
    checked = analyse(wrong.encode("utf-8"), "r.md", M)
    assert [d.message for d in checked.diagnostics if d.is_error] == [
        "Zone bands: stated 46.5, computed 47.9 (methodology)"]
    fixed, _ = fix_text(wrong, checked, None, M)
    assert "Yellow 25-47.9, Red" in fixed
    card = analyse(SEED.encode("utf-8"), "r.md", M).entry.card
    assert card.values["band.Yellow.max"].plain == D(47) and card.values["band.Red.max"].plain == D(24)
