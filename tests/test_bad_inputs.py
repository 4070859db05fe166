"""Malformed reports: each gives an error at a location computed from the input, never a traceback.

Every case is run twice: through the pure entry point `builder.check.analyse` and through the
`jobzone check --format json` command in a fresh folder. Line and column numbers are computed
from the text each test builds, counted from the top of the file (frontmatter included).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.check import analyse, check_files
from builder.methodology import load_methodology

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "content" / "roles" / "recommendation-systems-engineer.md"
SEED = SEED_PATH.read_text(encoding="utf-8")
SEED_LINES = SEED.split("\n")
FRONT_END = SEED_LINES.index("---", 1)  # 0-based index of the closing '---'
BODY = "\n".join(SEED_LINES[FRONT_END + 1:])  # everything after the frontmatter
TITLE = "title: Recommendation Systems Engineer"
SLUG = "slug: recommendation-systems-engineer"
M = load_methodology()


# --- small helpers (kept here: tests/conftest.py belongs to someone else) -------------------

def with_front(*front: str) -> str:
    """The seed's body under a frontmatter made of the given lines (body starts on line len+3)."""
    return "---\n" + "\n".join(front) + "\n---\n" + BODY


def line_of(text: str, needle: str) -> int:
    """1-based number of the only line containing `needle`."""
    hits = [i for i, line in enumerate(text.split("\n")) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {[h + 1 for h in hits]}, expected exactly one"
    return hits[0] + 1


def locate(text: str, needle: str, line_has: str | None = None) -> tuple[int, int]:
    """1-based (line, col) of `needle` on the only line containing `line_has` (default: needle)."""
    line = line_of(text, line_has or needle)
    return line, text.split("\n")[line - 1].index(needle) + 1


def replace_on_line(text: str, line: int, old: str, new: str) -> str:
    lines = text.split("\n")
    assert old in lines[line - 1], f"{old!r} not on line {line}: {lines[line - 1]!r}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)


def delete_lines(text: str, first: int, last: int) -> str:
    """Remove lines first..last (1-based, inclusive)."""
    lines = text.split("\n")
    return "\n".join(lines[: first - 1] + lines[last:])


def insert_after(text: str, line: int, new: str) -> str:
    lines = text.split("\n")
    return "\n".join(lines[:line] + [new] + lines[line:])


def run_cli(cwd: Path, *args: str, timeout: float = 300) -> tuple[int, dict, str, str]:
    proc = subprocess.run([sys.executable, "-m", "builder", "check", "--format", "json", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stdout and "Traceback" not in proc.stderr, proc.stdout + proc.stderr
    try:
        payload = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"stdout is not JSON (exit {proc.returncode}):\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc.returncode, payload, proc.stdout, proc.stderr


def errors_of(diagnostics) -> list:
    return [d for d in diagnostics if d.is_error]


def brief(diagnostics) -> list[tuple[str, str, int, int, str]]:
    return [(d.location.path, d.code, d.location.line, d.location.col, d.message) for d in diagnostics]


# --- the cases ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    data: bytes
    code: str
    lines: tuple[int, ...]  # acceptable line numbers (usually exactly one)
    col: int | None = None
    filename: str = "report.md"
    says: tuple[str, ...] = ()  # words the message must contain (any case)

    def matches(self, code: str, line: int, col: int, message: str) -> bool:
        return (code == self.code and line in self.lines and (self.col is None or col == self.col)
                and all(word.casefold() in message.casefold() for word in self.says))


def _cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append

    # Broken YAML: an unclosed flow sequence on the last frontmatter line (line 4).
    text = with_front(TITLE, SLUG, "aliases: [ML Engineer, Recsys Engineer")
    add(Case("yaml-unclosed-bracket", text.encode(), "JZ101", (line_of(text, "aliases: ["),)))
    # The same bracket followed by more keys: the error belongs on the bracket's line (3), not on
    # the innocent `slug:` line after it where the YAML parser gave up.
    text = with_front(TITLE, "aliases: [ML Engineer, Recsys Engineer", SLUG, "seniority: Mid-level")
    add(Case("yaml-unclosed-bracket-before-more-keys", text.encode(), "JZ101", (line_of(text, "aliases: ["),)))
    # An unclosed flow mapping, also followed by another key.
    text = with_front(TITLE, "assessor_override: {score: 45.0, reason: test", SLUG)
    add(Case("yaml-unclosed-brace-before-more-keys", text.encode(), "JZ101",
             (line_of(text, "assessor_override: {"),)))

    text = with_front("- Recommendation Systems Engineer", "- recommendation-systems-engineer")
    add(Case("frontmatter-is-a-list", text.encode(), "JZ101", (2,), says=("mapping",)))

    add(Case("missing-frontmatter", BODY.encode(), "JZ101", (1,), says=("frontmatter",)))
    add(Case("missing-frontmatter-text-first", ("# Recommendation Systems Engineer\n" + BODY).encode(),
             "JZ101", (1,), says=("frontmatter",)))

    text = "---\n" + "\n".join([TITLE, SLUG]) + "\n" + BODY  # no closing '---'
    add(Case("unterminated-frontmatter", text.encode(), "JZ101", (1,), says=("frontmatter",)))

    text = with_front(SLUG, "seniority: Mid-level")
    add(Case("missing-title", text.encode(), "JZ102", (1, 2, 3, 4), says=("title",)))
    text = with_front(SLUG, "title: 42")
    add(Case("title-is-a-number", text.encode(), "JZ102", (line_of(text, "title: 42"),), says=("title",)))
    text = with_front(SLUG, "title: [Recommendation, Engineer]")
    add(Case("title-is-a-list", text.encode(), "JZ102", (line_of(text, "title: ["),), says=("title",)))
    text = with_front(SLUG, "title:")
    add(Case("title-is-empty", text.encode(), "JZ102", (line_of(text, "title:"),), says=("title",)))

    text = with_front(TITLE, "slug: Recommendation_Systems")
    add(Case("invalid-slug", text.encode(), "JZ103", (line_of(text, "slug: "),), says=("slug",)))
    text = with_front(TITLE, "slug: recommendation--systems")
    add(Case("invalid-slug-double-hyphen", text.encode(), "JZ103", (line_of(text, "slug: "),), says=("slug",)))
    text = with_front(TITLE, "slug: " + "-".join(["long"] * 41))  # 204 characters: no folder could be named so
    add(Case("slug-too-long", text.encode(), "JZ103", (line_of(text, "slug: "),), says=("at most 200 characters",)))
    text = with_front(TITLE)
    add(Case("file-stem-too-long", text.encode(), "JZ103", (1,), filename="-".join(["long"] * 41) + ".md",
             says=("at most 200 characters",)))
    add(Case("file-stem-not-a-slug", text.encode(), "JZ103", (1,), filename="Recommendation Systems.md",
             says=("Recommendation Systems",)))

    for tag, value in (("month-13", "2024-13-45"), ("feb-30", "2024-02-30"), ("words", "next tuesday"),
                       ("digits", "20240101")):
        text = with_front(TITLE, SLUG, f"updated: {value}")
        add(Case(f"bad-updated-{tag}", text.encode(), "JZ102", (line_of(text, "updated:"),), says=("updated",)))

    text = with_front("title: &t Recommendation Systems Engineer", SLUG, "aliases: [*t]")
    add(Case("yaml-alias", text.encode(), "JZ101", (line_of(text, "aliases:"),), says=("alias",)))

    text = with_front(TITLE, SLUG, "seniority: Mid-level", "slug: other-slug")  # the last would silently win
    add(Case("yaml-duplicate-key", text.encode(), "JZ101", (line_of(text, "slug: other-slug"),),
             says=("'slug' is given twice", f"first on line {line_of(text, SLUG)}")))

    text = with_front(TITLE, SLUG, "assessor_override:\n  score: 40.0\n  reason: a\n  score: 50.0")
    add(Case("yaml-duplicate-nested-key", text.encode(), "JZ101", (line_of(text, "  score: 50.0"),),
             says=("'score' is given twice",)))

    text = with_front(TITLE, SLUG, "job_family: !!python/object/apply:os.system ['true']")
    add(Case("yaml-python-tag", text.encode(), "JZ101", (line_of(text, "!!python"),)))

    text = with_front(TITLE, SLUG, "assessor_override:", "\tscore: 45.0", "\treason: test")
    add(Case("yaml-tab-indentation", text.encode(), "JZ101", (line_of(text, "\tscore"),)))

    # Missing section: delete the '## Evidence Score' heading, its table and the blank line after.
    start = line_of(SEED, "## Evidence Score")
    stop = line_of(SEED, "## Barrier Assessment") - 1
    text = delete_lines(SEED, start, stop)
    before = line_of(text, "## Task Decomposition")
    after = line_of(text, "## Barrier Assessment")
    allowed = (FRONT_END + 2, *range(before, after + 1))  # the body's first line, or where it belongs
    add(Case("missing-evidence-section", text.encode(), "JZ111", allowed, says=("Evidence Score",)))

    # A non-numeric Score cell: error at that cell's line AND column.
    row = line_of(SEED, "| Build & train ranking/collaborative filtering models |")
    text = replace_on_line(SEED, row, "| 25% | 3 |", "| 25% | abc |")
    line, col = locate(text, "abc", line_has="| abc |")
    add(Case("non-numeric-score-cell", text.encode(), "JZ114", (line,), col, says=("abc",)))
    row = line_of(SEED, "| AI Tool Maturity |")
    text = replace_on_line(SEED, row, "| -1 |", "| n/a |")
    line, col = locate(text, "n/a |", line_has="| AI Tool Maturity |")
    add(Case("non-numeric-evidence-cell", text.encode(), "JZ114", (line,), col, says=("n/a",)))

    # Ragged rows.
    row = line_of(SEED, "| Company Actions |")
    text = replace_on_line(SEED, row, "Weak positive. |", "Weak positive. | extra |")
    line, col = locate(text, "extra |", line_has="| Company Actions |")
    add(Case("ragged-row-extra-cell", text.encode(), "JZ113", (line,), col))
    row = line_of(SEED, "| Physical Presence |")
    text = replace_on_line(SEED, row, "| 0 | Fully remote capable. No physical barrier. |", "| 0 |")
    add(Case("ragged-row-missing-cell", text.encode(), "JZ113", (row,)))
    total = line_of(SEED, "| Total | 3 |")  # the Evidence table's last row
    text = insert_after(SEED, total, "Note: the evidence is thin for this title.")
    add(Case("prose-glued-under-table", text.encode(), "JZ113", (total + 1,), says=("blank line",)))

    add(Case("empty-file", b"", "JZ004", (1,)))
    add(Case("whitespace-only-file", b"  \n\t\n   \r\n\n", "JZ004", (1,)))
    add(Case("binary-file", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "JZ003", (1,)))
    add(Case("nul-bytes-in-report", SEED.encode()[:40] + b"\x00\x00\x00" + SEED.encode()[40:], "JZ003", (1,)))

    # Non-UTF-8: a latin-1 'é' in the Role Definition table.
    row = line_of(SEED, "| Primary Function |")
    text = replace_on_line(SEED, row, "personalisation systems.", "personalisation syst\u00e9ms.")
    line, col = locate(text, "\u00e9ms.")
    add(Case("latin-1-byte", text.encode("latin-1", errors="replace"), "JZ002", (line,), col, says=("UTF-8",)))
    text = with_front("title: Ing\u00e9nieur", "slug: ingenieur")
    line, col = locate(text, "\u00e9nieur")
    add(Case("latin-1-byte-in-frontmatter", text.encode("latin-1", errors="replace"), "JZ002", (line,), col))

    # A required statement line deleted: the `Raw:` line of the composite section.
    raw = line_of(SEED, "Raw: 3.15")
    text = delete_lines(SEED, raw, raw + 1)
    heading, next_heading = line_of(text, "## JobZone Composite Score"), line_of(text, "## Sub-Label Determination")
    add(Case("missing-raw-line", text.encode(), "JZ115", tuple(range(heading, next_heading)), says=("Raw",)))
    return cases


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_analyse_gives_located_error(case: Case) -> None:
    checked = analyse(case.data, case.filename, M)
    found = [d for d in errors_of(checked.diagnostics)
             if case.matches(d.code, d.location.line, d.location.col, d.message)]
    assert found, (f"expected {case.code} at line {case.lines} col {case.col}; got "
                   f"{brief(checked.diagnostics)}")
    assert all(d.location.path == case.filename for d in checked.diagnostics)
    assert all(d.location.line >= 1 and d.location.col >= 1 for d in checked.diagnostics)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cli_gives_located_error(case: Case, tmp_path: Path) -> None:
    (tmp_path / case.filename).write_bytes(case.data)
    code, payload, out, err = run_cli(tmp_path, case.filename)
    assert code == 1, out + err
    found = [d for d in payload["diagnostics"] if d["severity"] == "error" and d["path"] == case.filename
             and case.matches(d["code"], d["line"], d["col"], d["message"])]
    assert found, f"expected {case.code} at line {case.lines} col {case.col}; got {payload['diagnostics']}"
    assert payload["summary"]["errors"] >= 1


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = with_front(TITLE, SLUG, f"job_family: !!python/object/apply:os.system ['touch {marker}']")
    checked = analyse(text.encode(), "report.md", M)
    assert [d.code for d in errors_of(checked.diagnostics)] == ["JZ101"]
    (tmp_path / "report.md").write_text(text, encoding="utf-8")
    code, payload, _, _ = run_cli(tmp_path, "report.md")
    assert code == 1
    assert [d["code"] for d in payload["diagnostics"]] == ["JZ101"]
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly() -> None:
    lines = [TITLE, SLUG, "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = with_front(*lines)
    started = time.monotonic()
    checked = analyse(text.encode(), "report.md", M)
    assert time.monotonic() - started < 10
    assert [(d.code, d.location.line) for d in errors_of(checked.diagnostics)] == [("JZ101", line_of(text, "a1: "))]


# --- encodings and whitespace that must check clean ------------------------------------------

def _shape(diagnostics) -> list[tuple[str, str, int, int]]:
    return sorted((d.severity.value, d.code, d.location.line, d.location.col) for d in diagnostics)


def test_seed_checks_clean() -> None:
    checked = analyse(SEED.encode(), "report.md", M)
    assert errors_of(checked.diagnostics) == [], brief(checked.diagnostics)
    assert checked.entry is not None


@pytest.mark.parametrize("variant", ["bom-crlf", "crlf", "bom"])
def test_bom_and_crlf_check_clean_with_the_same_locations(variant: str, tmp_path: Path) -> None:
    text = SEED.replace("\n", "\r\n") if "crlf" in variant else SEED
    data = (b"\xef\xbb\xbf" if "bom" in variant else b"") + text.encode("utf-8")
    checked = analyse(data, "report.md", M)
    plain = analyse(SEED.encode(), "report.md", M)
    assert errors_of(checked.diagnostics) == [], brief(checked.diagnostics)
    assert _shape(checked.diagnostics) == _shape(plain.diagnostics)
    assert checked.entry is not None and checked.entry.score == plain.entry.score
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "report.md").write_text(SEED, encoding="utf-8")
    (tmp_path / "variant").mkdir()
    (tmp_path / "variant" / "report.md").write_bytes(data)
    outputs = {}
    for folder in ("plain", "variant"):
        code, payload, out, err = run_cli(tmp_path / folder, "report.md")
        assert code == 0, out + err
        assert payload["summary"]["errors"] == 0
        outputs[folder] = sorted((d["severity"], d["code"], d["line"], d["col"]) for d in payload["diagnostics"])
    assert outputs["variant"] == outputs["plain"]


def test_tabs_in_tables_and_prose_check_clean(tmp_path: Path) -> None:
    text = SEED.replace("| 15% | 2 | 0.30 |", "|\t15%\t|\t2\t|\t0.30\t|")
    text = text.replace("Raw: 3.15 × 1.12", "Raw:\t3.15\t×\t1.12")
    assert text.count("\t") == 9
    checked = analyse(text.encode(), "report.md", M)
    assert errors_of(checked.diagnostics) == [], brief(checked.diagnostics)
    # numbers after tabs are still located exactly
    lines = text.split("\n")
    for claim in checked.entry.report.claims:
        loc, stated = claim.stated.location, claim.stated.text
        assert lines[loc.line - 1][loc.col - 1:].startswith(stated), (claim.key, loc, stated)
    (tmp_path / "report.md").write_text(text, encoding="utf-8")
    code, payload, out, err = run_cli(tmp_path, "report.md")
    assert code == 0, out + err


def test_tab_then_wrong_number_is_located(tmp_path: Path) -> None:
    text = SEED.replace("Raw: 3.15 × 1.12 × 1.02 × 1.05 = 3.7785", "Raw:\t3.15 × 1.12 × 1.02 × 1.05 =\t3.7795")
    line, col = locate(text, "3.7795")
    checked = analyse(text.encode(), "report.md", M)
    assert ("JZ301", line, col) in [(d.code, d.location.line, d.location.col) for d in errors_of(checked.diagnostics)]


# --- several files -----------------------------------------------------------------------------

def _retitle(text: str, title: str) -> str:
    """Change the frontmatter title and the Role Definition's Job Title together."""
    return text.replace(TITLE, f"title: {title}", 1).replace(
        "| Job Title | Recommendation Systems Engineer |", f"| Job Title | {title} |", 1)


def _write(folder: Path, files: dict[str, str | bytes]) -> list[tuple[Path, str]]:
    out = []
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        out.append((path, name))
    return out


def _assert_duplicate(tmp_path: Path, files: dict[str, str], second: str, line: int, says: str) -> None:
    first = next(name for name in files if name != second)
    result = check_files(_write(tmp_path, files), M)
    dupes = [d for d in result.diagnostics if d.code == "JZ104"]
    assert [(d.location.path, d.location.line) for d in dupes] == [(second, line)], brief(result.diagnostics)
    assert dupes[0].is_error and says in dupes[0].message and first in dupes[0].message
    code, payload, out, err = run_cli(tmp_path, *files)
    assert code == 1, out + err
    cli = [d for d in payload["diagnostics"] if d["code"] == "JZ104"]
    assert [(d["path"], d["line"], d["severity"]) for d in cli] == [(second, line, "error")]


def test_duplicate_titles_error_on_the_second_file(tmp_path: Path) -> None:
    other = SEED.replace(SLUG, "slug: recommendation-engineer", 1)
    _assert_duplicate(tmp_path, {"a.md": SEED, "b.md": other}, "b.md", line_of(other, "title:"),
                      "Recommendation Systems Engineer")


def test_duplicate_titles_match_in_any_case(tmp_path: Path) -> None:
    other = _retitle(SEED, "recommendation  systems ENGINEER").replace(SLUG, "slug: recommendation-engineer", 1)
    result = check_files(_write(tmp_path, {"a.md": SEED, "b.md": other}), M)
    assert [(d.location.path, d.code) for d in result.diagnostics if d.code == "JZ104"] == [("b.md", "JZ104")]


@pytest.mark.parametrize("first, second", [("Café Engineer", "Cafe\u0301 Engineer"),  # composed, decomposed é
                                           ("Recommendation Systems Engineer", "Ｒecommendation Systems Engineer")])
def test_duplicate_titles_match_in_any_unicode_form(tmp_path: Path, first: str, second: str) -> None:
    one = _retitle(SEED, first)
    other = _retitle(SEED, second).replace(SLUG, "slug: recommendation-engineer", 1)
    result = check_files(_write(tmp_path, {"a.md": one, "b.md": other}), M)
    assert [(d.location.path, d.code) for d in result.diagnostics if d.code == "JZ104"] == [("b.md", "JZ104")]


def test_duplicate_slugs_error_on_the_second_file(tmp_path: Path) -> None:
    other = _retitle(SEED, "Personalisation Engineer")
    _assert_duplicate(tmp_path, {"a.md": SEED, "b.md": other}, "b.md", line_of(other, "slug:"),
                      "recommendation-systems-engineer")


def test_duplicate_slug_from_file_stem(tmp_path: Path) -> None:
    """Without a `slug:` field the file stem is the slug, and it may clash with another file's slug."""
    other = _retitle(SEED, "Personalisation Engineer").replace(SLUG + "\n", "", 1)
    assert "slug:" not in other.split("## Role Definition")[0]
    files = {"a.md": SEED, "sub/recommendation-systems-engineer.md": other}
    result = check_files(_write(tmp_path, files), M)
    dupes = [d for d in result.diagnostics if d.code == "JZ104"]
    assert [d.location.path for d in dupes] == ["sub/recommendation-systems-engineer.md"], brief(result.diagnostics)


def test_broken_report_does_not_stop_a_valid_one(tmp_path: Path) -> None:
    broken = with_front(TITLE, "aliases: [oops", "slug: broken")
    files = {"content/roles/broken.md": broken, "content/roles/valid.md": SEED}
    result = check_files(_write(tmp_path, files), M)
    by_path = {c.path: c for c in result.checked}
    assert by_path["content/roles/broken.md"].entry is None
    assert by_path["content/roles/valid.md"].entry is not None
    assert by_path["content/roles/valid.md"].entry.score is not None
    assert {d.location.path for d in errors_of(result.diagnostics)} == {"content/roles/broken.md"}
    code, payload, out, err = run_cli(tmp_path, "content/roles")
    assert code == 1, out + err
    assert {d["path"] for d in payload["diagnostics"] if d["severity"] == "error"} == {"content/roles/broken.md"}
    # the valid report still gets its warnings (so it was checked all the way to citations) ...
    assert any(d["path"] == "content/roles/valid.md" and d["code"] == "JZ405" for d in payload["diagnostics"])

    # ... and a wrong number in it is still found, next to the broken file's error.
    row = line_of(SEED, "| Total | 3 |")
    wrong = replace_on_line(SEED, row, "| Total | 3 |", "| Total | 4 |")
    line, col = locate(wrong, "4 |", line_has="| Total | 4 |")
    (tmp_path / "content/roles/valid.md").write_text(wrong, encoding="utf-8")
    result = check_files([(tmp_path / name, name) for name in files], M)
    assert ("content/roles/valid.md", "JZ301", line, col) in [
        (d.location.path, d.code, d.location.line, d.location.col) for d in errors_of(result.diagnostics)]
    assert any(d.location.path == "content/roles/broken.md" and d.code == "JZ101" for d in result.diagnostics)
    code, payload, out, err = run_cli(tmp_path, "content/roles")
    assert code == 1, out + err
    located = {(d["path"], d["code"], d["line"], d["col"]) for d in payload["diagnostics"]}
    assert ("content/roles/valid.md", "JZ301", line, col) in located
    assert any(p == "content/roles/broken.md" and c == "JZ101" for p, c, _, _ in located)


@pytest.mark.parametrize("bad", ["", "\x00binary", "latin"])
def test_unreadable_files_next_to_a_valid_one(bad: str, tmp_path: Path) -> None:
    data = {"": b"", "\x00binary": b"\x00\x01\x02", "latin": "title: caf\u00e9\n".encode("latin-1")}[bad]
    files = {"bad.md": data, "good.md": SEED}
    result = check_files(_write(tmp_path, files), M)
    assert {d.location.path for d in errors_of(result.diagnostics)} == {"bad.md"}
    assert next(c for c in result.checked if c.path == "good.md").entry is not None


# --- size --------------------------------------------------------------------------------------

def _huge(paragraph_unit: str) -> str:
    paragraph = paragraph_unit * (2_000_000 // len(paragraph_unit) + 1)
    anchor = line_of(SEED, "### Who Should Worry")
    return insert_after(SEED, anchor, "\n" + paragraph + "\n")


def test_huge_paragraph_does_not_crash(tmp_path: Path) -> None:
    text = _huge("Recommendation systems are among the most well-understood and tooled ML problems, "
                 "and managed platforms keep absorbing more of them. ")
    assert len(text.encode()) > 2_000_000
    started = time.monotonic()
    checked = analyse(text.encode(), "report.md", M)
    assert time.monotonic() - started < 60
    assert errors_of(checked.diagnostics) == [], brief(checked.diagnostics)[:5]
    (tmp_path / "report.md").write_text(text, encoding="utf-8")
    code, payload, out, err = run_cli(tmp_path, "report.md", timeout=120)
    assert code == 0, err
    assert not any(d["code"] == "JZ000" for d in payload["diagnostics"])


def test_huge_paragraph_of_capitalised_words_does_not_hang(tmp_path: Path) -> None:
    """Role-title patterns must not go quadratic on a long run of Capitalised Words."""
    text = _huge("The Senior Recommendation Systems Engineer And Data Scientist Role ")
    (tmp_path / "report.md").write_text(text, encoding="utf-8")
    started = time.monotonic()
    code, payload, out, err = run_cli(tmp_path, "report.md", timeout=120)
    assert time.monotonic() - started < 120
    assert code == 0, err
    assert not any(d["code"] == "JZ000" for d in payload["diagnostics"])


def test_huge_table_row_does_not_crash() -> None:
    row = line_of(SEED, "| Company Actions |")
    text = replace_on_line(SEED, row, "Weak positive. |", "Weak positive. " + "x | " * 100_000 + "|")
    checked = analyse(text.encode(), "report.md", M)
    assert any(d.code == "JZ113" and d.location.line == row for d in checked.diagnostics)


def test_a_malformed_statement_is_located_at_its_own_line() -> None:
    from builder.check import analyse
    from builder.methodology import load_methodology

    seed = (Path(__file__).resolve().parent.parent / "content/roles/recommendation-systems-engineer.md").read_text()
    text = seed.replace("Raw: 3.15 × 1.12 × 1.02 × 1.05 = 3.7785", "Raw: 3.15 times 1.12 = ?", 1)
    line = text.split("\n").index("Raw: 3.15 times 1.12 = ?") + 1
    found = [d for d in analyse(text.encode(), "r.md", load_methodology()).diagnostics if d.code == "JZ115"]
    assert [(d.location.line, d.location.col) for d in found] == [(line, 1)]
    assert "Raw: TRS × E × B × G = RAW" in found[0].message
