"""`jobzone new` (the scaffold) and `jobzone schema` (the frontmatter's JSON Schema, which the checker uses)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from jsonschema import Draft202012Validator

from builder import sections as S
from builder.check import analyse
from builder.document import parse_document
from builder.methodology import load_methodology
from builder.scaffold import BLANK, new_report
from builder.schema import as_json, load_schema
from builder.source import split_frontmatter

M = load_methodology()
TITLE = "Recommendation Systems Engineer"
SLUG = "recommendation-systems-engineer"
FRONTMATTER_CODES = {"JZ101", "JZ102", "JZ103", "JZ306"}
DIAGNOSTIC_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?:error|warning): .+ \[JZ\d{3}\]$")
Run = Callable[..., CompletedProcess[str]]


def _body(markdown: str) -> tuple[str, int]:
    source, problems = split_frontmatter(markdown, "x.md")
    assert source is not None and not problems
    return source.body, source.body_line


def _structure(markdown: str) -> tuple[list[tuple[int, str]], list[tuple[str, tuple[str, ...]]]]:
    """Headings in order, and each table's section and header."""
    document = parse_document(*_body(markdown))
    headings = [(s.level, s.title) for s in document.sections if s.level]
    tables = [(s.title, tuple(c.text for c in t.header)) for s in document.sections for t in s.tables()]
    return headings, tables


def _row_names(markdown: str) -> dict[str, list[str]]:
    """Each table's first column, by section; task names are the author's own, so only the Total row counts."""
    document = parse_document(*_body(markdown))
    names: dict[str, list[str]] = {}
    for section in document.sections:
        for table in section.tables():
            rows = [row[0].text for row in table.rows]
            names[section.title] = [r for r in rows if r == "Total"] if section.title == S.TASKS else rows
    return names


def _meta(markdown: str) -> dict[str, object]:
    source, _ = split_frontmatter(markdown, "x.md")
    assert source is not None
    return source.meta


def _fill(scaffold: str, shipped: str) -> str:
    """The scaffold with the shipped report's table rows and statement lines put in its blanks.

    A table row is taken from the shipped table row of the same section and first cell; the
    task rows are the shipped ones; a line with a blank takes the shipped line of the same
    section that starts with the text before its first blank. Prose prompts stay as they are.
    """
    rows: dict[tuple[str, str], str] = {}
    texts: dict[str, list[str]] = {}
    tasks: list[str] = []
    section = ""
    for line in shipped.split("\n"):
        if line.startswith("## "):
            section = line[3:]
        elif line.startswith("|") and not line.startswith("|---"):
            first = line.split("|")[1].strip()
            rows.setdefault((section, first), line)
            if section == S.TASKS and first not in ("Task", "Total"):
                tasks.append(line)
        elif line.strip():
            texts.setdefault(section, []).append(line)
    out: list[str] = []
    section = ""
    for line in scaffold.split("\n"):
        if line.startswith("## "):
            section = line[3:]
        if line.startswith("|") and not line.startswith("|---"):
            first = line.split("|")[1].strip()
            if section == S.TASKS and first.startswith("Task ") and BLANK in first:
                continue
            if section == S.TASKS and first == "Total":
                out.extend(tasks)
            out.append(rows.get((section, first), line))
            continue
        statement = re.match(r"[A-Z][A-Za-z/ ]+?(:| at )", line)
        if BLANK in line or statement:
            prefix = statement.group(0) if statement else line[:line.index(BLANK)]
            if len(prefix.strip()) >= 4 and not prefix.startswith("-"):
                line = next((t for t in texts.get(section, []) if t.startswith(prefix)), line)
        out.append(line)
    return "\n".join(out)


def _errors(markdown: str, path: str = f"{SLUG}.md", m=M) -> list:
    return [d for d in analyse(markdown.encode(), path, m).diagnostics if d.is_error]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "content" / "roles").mkdir(parents=True)
    return tmp_path


# --- the scaffold, unit ---------------------------------------------------------------------------

def test_new_report_frontmatter_and_slug() -> None:
    slug, markdown = new_report("  Data   Scientist ", "Mid-level", M)
    assert slug == "data-scientist"
    assert _meta(markdown) == {"title": "Data Scientist", "slug": "data-scientist", "seniority": "Mid-level",
                               "aliases": []}
    assert "| Job Title | Data Scientist |" in markdown and "| Seniority Level | Mid-level |" in markdown
    slug, markdown = new_report("ML/AI Engineer", None, M)
    assert slug == "ml-ai-engineer"
    assert _meta(markdown) == {"title": "ML/AI Engineer", "slug": "ml-ai-engineer", "aliases": []}
    assert "updated" not in markdown.split("\n---\n")[0]


def test_scaffold_has_the_shipped_reports_structure(seed_md: str) -> None:
    _, markdown = new_report(TITLE, "Mid-level", M)
    assert _structure(markdown) == _structure(seed_md)
    assert _row_names(markdown) == _row_names(seed_md)
    headings = [title for _, title in _structure(markdown)[0]]
    assert headings == [*S.SECTION_TITLES[:-1], *S.SUBSECTION_TITLES, S.MEANING]


def test_every_block_is_separated_by_a_blank_line() -> None:
    _, markdown = new_report(TITLE, None, M)
    body, _ = _body(markdown)
    blocks = body.strip().split("\n\n")
    for block in blocks:
        lines = block.split("\n")
        assert all(line.startswith("|") for line in lines) or len(lines) == 1, block


def test_scaffold_restates_the_methodology() -> None:
    _, markdown = new_report(TITLE, None, M)
    # derived numbers start as what the formula gives when every input is 0, each line consistent
    for line in ("Task Resistance Score: 6.00 - 0.00 = 6.00/5.0",
                 "| Evidence Modifier | 1.0 + (0 × 0.04) = 1.00 |",
                 "| Barrier Modifier | 1.0 + (0 × 0.02) = 1.00 |",
                 "| Growth Modifier | 1.0 + (0 × 0.05) = 1.00 |",
                 "Raw: 6.00 × 1.00 × 1.00 × 1.00 = 6.0000",
                 "JobZone Score: (6.0000 - 0.54) / 7.93 × 100 = 68.9/100",
                 "Zone: GREEN (Green >=48, Yellow 25-47, Red <25)",
                 "| Sub-label | Green (Stable) -- AIJRI >=48 AND <40% of task time scores 3+ |",
                 "| Protective Total | 0/9 |  |",
                 "| Total | 0/10 |  |",
                 "| % of task time scoring 3+ | 0% |",
                 "Displacement/Augmentation split: 0% displacement, 0% augmentation, 0% not involved."):
        assert line in markdown.split("\n"), line

    site = load_methodology('[coefficients]\nevidence = "0.05"\nraw_floor = "0.6"\n[totals]\nhigh_score_threshold = 4\n'
                            '[ranges]\ntask_score = [0, 10]\nevidence = [-3, 3]\n'
                            '[[zones]]\nname = "Green"\nmin = "60"\n[[zones]]\nname = "Yellow"\nmin = "30.5"\n'
                            '[[zones]]\nname = "Red"\nmin = "0"\n')
    _, markdown = new_report(TITLE, None, site)
    assert "| Evidence Modifier | 1.0 + (0 × 0.05) = 1.00 |" in markdown
    assert "JobZone Score: (6.0000 - 0.6) / 7.93 × 100 = 68.1/100" in markdown
    assert "Zone: GREEN (Green >=60, Yellow 30.5-59, Red <30.5)" in markdown
    assert "| % of task time scoring 4+ | 0% |" in markdown
    assert "| Task | Time % | Score (0-10) | Weighted | Aug/Disp | Rationale |" in markdown
    assert "| Dimension | Score (-3 to 3) | Evidence |" in markdown


def test_fresh_scaffold_explains_what_is_missing() -> None:
    _, markdown = new_report(TITLE, "Mid-level", M)
    checked = analyse(markdown.encode(), f"{SLUG}.md", M)
    diagnostics = checked.diagnostics
    lines = markdown.split("\n")
    assert checked.entry is not None
    assert diagnostics and all(d.is_error for d in diagnostics)
    assert {d.code for d in diagnostics} <= {"JZ114", "JZ115", "JZ202"}  # blanks only: no JZ000, no structure error
    assert len(diagnostics) <= 60  # one per blank, not one per consequence
    for d in diagnostics:
        assert 1 <= d.location.line <= len(lines) and d.location.col >= 1, d
    text = "\n".join(d.message for d in diagnostics)
    for name in (*("Embodied Physicality", "Deep Interpersonal Connection", "Goal-Setting & Moral Judgment"),
                 "AI Growth Correlation",
                 *("Job Posting Trends", "Company Actions", "Wage Trends", "AI Tool Maturity", "Expert Consensus"),
                 *("Regulatory/Licensing", "Physical Presence", "Union/Collective Bargaining",
                   "Liability/Accountability", "Cultural/Ethical")):
        assert name in text, name
    for n in range(1, 6):
        for what in ("Time % of task", "Score of task", "Aug/Disp of task"):
            assert f"{what} 'Task {n}: …'" in text


def test_a_filled_scaffold_passes(seed_md: str) -> None:
    _, markdown = new_report(TITLE, "Mid-level", M)
    filled = _fill(markdown, seed_md)
    assert filled != markdown
    assert _errors(filled) == []
    document = parse_document(*_body(filled))
    shipped = parse_document(*_body(seed_md))
    assert [[[c.text for c in row] for row in t.rows] for s in document.sections for t in s.tables()] == \
        [[[c.text for c in row] for row in t.rows] for s in shipped.sections for t in s.tables()]
    # and the unfilled scaffold fails, so the fill is what made it pass
    assert _errors(markdown)


def test_title_with_a_pipe_is_escaped_in_the_table() -> None:
    slug, markdown = new_report("Data | Analytics Lead", None, M)
    assert slug == "data-analytics-lead"
    assert "| Job Title | Data \\| Analytics Lead |" in markdown
    assert not [d for d in analyse(markdown.encode(), f"{slug}.md", M).diagnostics
                if d.code in ("JZ105", "JZ113", "JZ000") or d.code in FRONTMATTER_CODES]


@pytest.mark.parametrize("title", ["", "   ", "!!!", "—", "日本", "Long " * 200])
def test_title_without_a_slug_is_refused(title: str) -> None:
    with pytest.raises(ValueError):
        new_report(title, None, M)


# --- `jobzone new`, through the CLI -----------------------------------------------------------------

def test_new_writes_the_report(project: Path, run_jobzone: Run) -> None:
    result = run_jobzone(["new", "Data Scientist", "--seniority", "Mid-level"], project)
    assert result.returncode == 0, result.stderr
    target = project / "content" / "roles" / "data-scientist.md"
    assert target.read_text(encoding="utf-8") == new_report("Data Scientist", "Mid-level", M)[1]
    assert "content/roles/data-scientist.md" in result.stdout.splitlines()[0]
    assert "jobzone check content/roles/data-scientist.md" in result.stdout
    assert result.stderr == ""


def test_new_refuses_to_overwrite_then_force_does(project: Path, run_jobzone: Run) -> None:
    target = project / "content" / "roles" / "data-scientist.md"
    assert run_jobzone(["new", "Data Scientist"], project).returncode == 0
    target.write_text("my work", encoding="utf-8")
    refused = run_jobzone(["new", "Data Scientist"], project)
    assert refused.returncode == 1
    assert refused.stderr.startswith("content/roles/data-scientist.md: error: ")
    assert "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert target.read_text(encoding="utf-8") == "my work"
    forced = run_jobzone(["new", "Data Scientist", "--force"], project)
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8").startswith("---\ntitle: Data Scientist\n")


def test_new_out_creates_folders_and_follows_the_config(project: Path, run_jobzone: Run) -> None:
    result = run_jobzone(["new", "NLP Engineer", "--out", "drafts/2026"], project)
    assert result.returncode == 0, result.stderr
    assert (project / "drafts" / "2026" / "nlp-engineer.md").is_file()
    (project / "jobzone.toml").write_text('[site]\ncontent_dir = "reports"\n', encoding="utf-8")
    result = run_jobzone(["new", "NLP Engineer"], project)
    assert result.returncode == 0, result.stderr
    assert (project / "reports" / "nlp-engineer.md").is_file()


def test_new_title_without_a_slug_is_a_usage_error(project: Path, run_jobzone: Run) -> None:
    result = run_jobzone(["new", "???"], project)
    assert result.returncode == 2
    assert "error" in result.stderr and "'???'" in result.stderr and "Traceback" not in result.stderr
    assert list((project / "content" / "roles").iterdir()) == []


@pytest.mark.parametrize("out", [None, "drafts"])
def test_new_title_too_long_for_a_file_name_is_a_usage_error(project: Path, run_jobzone: Run,
                                                              out: str | None) -> None:
    result = run_jobzone(["new", "Long " * 200, *(["--out", out] if out else [])], project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("jobzone: error: ") and "too long" in result.stderr
    assert "shorter title" in result.stderr and len(result.stderr) < 300
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert [p for p in project.rglob("*") if not p.is_dir()] == []
    assert run_jobzone(["new", "x" * 201], project).returncode == 2
    edge = "x" * 200  # the longest slug allowed (docs/authoring.md)
    assert run_jobzone(["new", edge], project).returncode == 0
    assert (project / "content" / "roles" / f"{edge}.md").is_file()


@pytest.mark.parametrize("dangling", [False, True])
def test_new_never_writes_through_a_link_out_of_the_folder(project: Path, run_jobzone: Run, dangling: bool) -> None:
    outside = project / "outside.md"
    if not dangling:
        outside.write_text("not yours\n", encoding="utf-8")
    (project / "content" / "roles" / "data-scientist.md").symlink_to(outside)
    result = run_jobzone(["new", "Data Scientist", "--force"], project)
    assert result.returncode == 1
    assert result.stderr.startswith("content/roles/data-scientist.md: error: ") and "outside" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert (outside.read_text(encoding="utf-8") == "not yours\n") if not dangling else not outside.exists()


def test_new_over_a_folder_is_a_clear_error(project: Path, run_jobzone: Run) -> None:
    (project / "content" / "roles" / "data-scientist.md").mkdir()
    for force in ([], ["--force"]):
        result = run_jobzone(["new", "Data Scientist", *force], project)
        assert result.returncode == 1
        assert result.stderr.startswith("content/roles/data-scientist.md: error: ") and "folder" in result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_check_on_a_fresh_scaffold_lists_located_errors(project: Path, run_jobzone: Run) -> None:
    assert run_jobzone(["new", "Data Scientist"], project).returncode == 0
    path = "content/roles/data-scientist.md"
    result = run_jobzone(["check", path], project)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr and "JZ000" not in result.stdout
    lines = result.stdout.strip().splitlines()
    summary = lines.pop()
    assert summary.startswith("Checked 1 report: ") and " errors" in summary
    assert 10 < len(lines) <= 60
    for line in lines:
        match = DIAGNOSTIC_LINE.match(line)
        assert match and match.group("path") == path and int(match.group("line")) > 5, line
    report = json.loads(run_jobzone(["check", "--format", "json", path], project).stdout)
    assert {d["code"] for d in report["diagnostics"]} <= {"JZ114", "JZ115", "JZ202"}


def test_check_on_a_filled_scaffold_passes(project: Path, run_jobzone: Run, seed_md: str) -> None:
    assert run_jobzone(["new", TITLE, "--seniority", "Mid-level"], project).returncode == 0
    target = project / "content" / "roles" / f"{SLUG}.md"
    target.write_text(_fill(target.read_text(encoding="utf-8"), seed_md), encoding="utf-8")
    result = run_jobzone(["check"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors" in result.stdout


# --- the schema ---------------------------------------------------------------------------------

def test_schema_command_prints_a_valid_schema(project: Path, run_jobzone: Run, seed_md: str) -> None:
    result = run_jobzone(["schema"], project)
    assert result.returncode == 0 and result.stderr == ""
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    assert schema == load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["title"]
    for name, field in schema["properties"].items():
        assert field.get("description") and field.get("title"), name
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(as_json(_meta(seed_md)))) == []


def test_schema_ships_with_the_package(repo_root: Path) -> None:
    from importlib import resources

    assert resources.files("builder").joinpath("data/frontmatter.schema.json").is_file()
    pyproject = (repo_root / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/*.json"' in pyproject and '"jsonschema>=' in pyproject


def _report(front: str, seed_md: str) -> str:
    """The shipped report's body under another frontmatter."""
    return f"---\n{front}\n---\n" + seed_md.split("\n---\n", 1)[1]


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


INVALID = [
    # (frontmatter after the title line, code, key whose line is blamed, words the message must have)
    ("slug: Recommendation_Systems", "JZ103", "slug:", ("'slug'", "Recommendation_Systems", "lowercase")),
    ("slug: 42", "JZ103", "slug:", ("'slug'", "42")),
    ("seniority: [Mid, Senior]", "JZ102", "seniority:", ("'seniority'", "list", "text")),
    ("job_family: 3", "JZ102", "job_family:", ("'job_family'", "3", "text")),
    ("aliases: [ML Engineer, 7]", "JZ102", "aliases:", ("'aliases[1]'", "7", "role title")),
    ("aliases: ['  ']", "JZ102", "aliases:", ("'aliases[0]'", "empty", "role title")),
    ("aliases: {a: 1}", "JZ102", "aliases:", ("'aliases'", "mapping", "list of role titles")),
    ("updated: 2026-02-30", "JZ102", "updated:", ("'updated'", "2026-02-30", "YYYY-MM-DD")),
    ("updated: '20260101'", "JZ102", "updated:", ("'updated'", "20260101", "YYYY-MM-DD")),
    ("updated: 2026", "JZ102", "updated:", ("'updated'", "2026", "YYYY-MM-DD")),
    ("assessor_override: {score: 45.0}", "JZ306", "assessor_override:", ("'assessor_override.reason'", "required")),
    ("assessor_override: {score: 45.0, reason: ' '}", "JZ306", "assessor_override:", ("reason", "empty")),
    ("assessor_override: {score: high, reason: r}", "JZ306", "assessor_override:", ("'assessor_override.score'",
                                                                                       "'high'", "number")),
    ("assessor_override: {score: .nan, reason: r}", "JZ306", "assessor_override:", ("score", "finite")),
    ("assessor_override: {score: -5, reason: r}", "JZ306", "assessor_override:", ("the number -5", "0 to 100")),
    ("assessor_override: {score: 100.5, reason: r}", "JZ306", "assessor_override:", ("100.5", "0 to 100")),
    ("assessor_override: [45.0]", "JZ306", "assessor_override:", ("'assessor_override'", "list", "score")),
    ("assessor_override: maybe", "JZ306", "assessor_override:", ("'assessor_override'", "'maybe'", "none")),
]


@pytest.mark.parametrize("front,code,key,words", INVALID, ids=[case[0] for case in INVALID])
def test_invalid_frontmatter_is_located_at_its_key(front: str, code: str, key: str, words: tuple[str, ...],
                                                   seed_md: str) -> None:
    text = _report(f"title: {TITLE}\n{front}", seed_md)
    errors = [d for d in _errors(text) if d.code in FRONTMATTER_CODES]
    assert errors, front
    assert {d.code for d in errors} == {code}
    for d in errors:
        assert d.location.line == _line_of(text, key), d
        for word in words:
            assert word.casefold() in d.message.casefold(), (word, d.message)


def test_invalid_frontmatter_through_the_cli(project: Path, run_jobzone: Run, seed_md: str) -> None:
    text = _report(f"title: {TITLE}\nslug: {SLUG}\nupdated: next tuesday\naliases: []", seed_md)
    (project / "content" / "roles" / f"{SLUG}.md").write_text(text, encoding="utf-8")
    result = run_jobzone(["check"], project)
    assert result.returncode == 1
    assert (f"content/roles/{SLUG}.md:4:1: error: frontmatter 'updated': found 'next tuesday'; expected a date "
            "written YYYY-MM-DD, e.g. 2026-01-31 [JZ102]") in result.stdout


# Schema and checker agree: the schema (read by jsonschema directly) accepts a frontmatter exactly
# when the checker reports no frontmatter problem for it.
AGREEMENT = [
    f"title: {TITLE}",
    f"title: {TITLE}\nslug: {SLUG}\nseniority: Mid-level\njob_family: Machine learning\naliases: []\nupdated: 2026-01-31",
    f"title: {TITLE}\naliases: Recommender Engineer",
    f"title: {TITLE}\naliases:\n  - Recommender Engineer\n  - Personalisation Engineer",
    f"title: {TITLE}\naliases:",
    f"title: {TITLE}\nseniority:\njob_family:\nupdated:\nslug:",
    f"title: {TITLE}\nassessor_override: none",
    f"title: {TITLE}\nassessor_override: None",
    f"title: {TITLE}\nassessor_override: ''",
    f"title: {TITLE}\nassessor_override:",
    f"title: {TITLE}\nassessor_override: {{score: 45, reason: Market evidence.}}",
    f"title: {TITLE}\nassessor_override: {{score: 45.0, reason: r, note: kept}}",
    f"title: {TITLE}\nextra_field: [anything, 1, {{a: b}}]",
    f"title: '{TITLE}'\nslug: '{SLUG}'",
    # invalid
    f"slug: {SLUG}",
    "title:",
    "title: ''",
    "title: '   '",
    "title: 42",
    "title: true",
    "title: [a]",
    f"title: {TITLE}\nslug: Bad_Slug",
    f"title: {TITLE}\nslug: bad--slug",
    f"title: {TITLE}\nslug: -bad",
    f"title: {TITLE}\nslug: ''",
    f"title: {TITLE}\nslug: 7",
    f"title: {TITLE}\nseniority: 3",
    f"title: {TITLE}\njob_family: [a]",
    f"title: {TITLE}\naliases: [a, '']",
    f"title: {TITLE}\naliases: ''",
    f"title: {TITLE}\naliases: 5",
    f"title: {TITLE}\naliases: [[a]]",
    f"title: {TITLE}\nupdated: 2026-13-01",
    f"title: {TITLE}\nupdated: 2026-1-1",
    f"title: {TITLE}\nupdated: 20260101",
    f"title: {TITLE}\nupdated: '2026-01-01T10:00:00'",
    f"title: {TITLE}\nassessor_override: yes",
    f"title: {TITLE}\nassessor_override: 45.0",
    f"title: {TITLE}\nassessor_override: {{score: 45.0}}",
    f"title: {TITLE}\nassessor_override: {{reason: r}}",
    f"title: {TITLE}\nassessor_override: {{score: '45.0', reason: r}}",
    f"title: {TITLE}\nassessor_override: {{score: true, reason: r}}",
    f"title: {TITLE}\nassessor_override: {{score: 45.0, reason: ''}}",
    f"title: {TITLE}\nassessor_override: {{score: 45.0, reason: [r]}}",
    f"title: {TITLE}\nassessor_override: [45.0, r]",
]


@pytest.mark.parametrize("front", AGREEMENT)
def test_schema_and_checker_agree(front: str, seed_md: str) -> None:
    text = _report(front, seed_md)
    validator = Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    schema_valid = validator.is_valid(as_json(_meta(text)))  # the YAML as the checker reads it
    _, body_line = _body(text)
    checker_problems = [d for d in analyse(text.encode(), f"{SLUG}.md", M).diagnostics
                        if d.code in FRONTMATTER_CODES and d.location.line < body_line]
    assert schema_valid == (not checker_problems), (front, checker_problems)


def test_agreement_table_has_both_kinds(seed_md: str) -> None:
    validator = Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    verdicts = [validator.is_valid(as_json(_meta(_report(front, seed_md)))) for front in AGREEMENT]
    assert verdicts.count(True) >= 10 and verdicts.count(False) >= 25


def test_new_then_fill_the_inputs_then_fix_then_check_passes(tmp_path: Path) -> None:
    """The analyst's path: `new`, write only the inputs, `fix` writes every derived number, `check` is clean."""
    import re
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    (tmp_path / "content" / "roles").mkdir(parents=True)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "builder", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})

    assert run("new", "Fraud Analyst", "--seniority", "Mid-level").returncode == 0
    path = tmp_path / "content" / "roles" / "fraud-analyst.md"
    fresh = run("check")
    assert fresh.returncode == 1 and "JZ000" not in fresh.stdout and "Traceback" not in fresh.stderr
    lines = path.read_text(encoding="utf-8").split("\n")
    scores = {"Embodied Physicality": "0", "Deep Interpersonal Connection": "1", "Goal-Setting & Moral Judgment": "2",
              "AI Growth Correlation": "1", "Job Posting Trends": "1", "Company Actions": "0", "Wage Trends": "1",
              "AI Tool Maturity": "-1", "Expert Consensus": "0", "Regulatory/Licensing": "1",
              "Physical Presence": "0", "Union/Collective Bargaining": "0", "Liability/Accountability": "1",
              "Cultural/Ethical": "0"}
    tasks = iter([("30%", "3", "AUGMENTATION"), ("20%", "4", "DISPLACEMENT"), ("20%", "2", "AUGMENTATION"),
                  ("20%", "3", "AUGMENTATION"), ("10%", "1", "NOT INVOLVED")])
    filled = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("| ") else []
        if cells and cells[0] in scores and cells[1] == "":
            cells[1] = scores[cells[0]]
            line = "| " + " | ".join(cells) + " |"
        elif cells and re.match(r"Task \d+:", cells[0]):
            time_share, score, label = next(tasks)
            cells[1], cells[2], cells[4] = time_share, score, label
            line = "| " + " | ".join(cells) + " |"
        filled.append(line)
    path.write_text("\n".join(filled), encoding="utf-8")
    before_fix = run("check")
    assert before_fix.returncode == 1 and "[JZ301]" in before_fix.stdout  # the zeros are now wrong
    fixed = run("fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = run("check")
    assert after.returncode == 0, after.stdout
    assert "| 30% | 3 | 0.90 | AUGMENTATION |" in path.read_text(encoding="utf-8")
