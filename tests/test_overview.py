"""`jobzone list` and `jobzone show` through the CLI on the three-report fixture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from test_build import FIXTURE


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns(".jobzone-cache"))
    return target


def _rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("│")]


def test_list_shows_every_role_sorted(run_jobzone, project: Path) -> None:
    proc = run_jobzone(["list"], project)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(proc.stdout)
    assert len(rows) == 3 and "3 roles" in proc.stdout
    scores = [float(row.split("│")[3]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(word in proc.stdout for word in ("NLP Engineer", "Yellow (Urgent)", "Mid-level"))
    titles = [row.split("│")[1].strip() for row in _rows(run_jobzone(["list", "--sort", "title"], project).stdout)]
    assert titles == sorted(titles, key=str.casefold)
    backwards = [row.split("│")[1].strip() for row in
                 _rows(run_jobzone(["list", "--sort", "title", "--reverse"], project).stdout)]
    assert backwards == titles[::-1]


def test_list_counts_errors(run_jobzone, project: Path) -> None:
    report = project / "content/roles/nlp-engineer.md"
    report.write_text(report.read_text(encoding="utf-8").replace("| 25% | 3 | 0.75 |", "| 25% | 3 | 0.80 |", 1),
                      encoding="utf-8")
    row = next(r for r in _rows(run_jobzone(["list"], project).stdout) if "NLP Engineer" in r)
    assert row.split("│")[7].strip() == "1"


def test_show_works_the_score(run_jobzone, project: Path) -> None:
    proc = run_jobzone(["show", "recommendation-systems-engineer"], project)
    assert proc.returncode == 0, proc.stderr
    for text in ("40.8/100", "Yellow (Urgent)", "15% × 2", "6.00 − 2.85", "1.0 + (3 × 0.04)",
                 "3.15 × 1.12 × 1.02 × 1.05", "3.7785", "Roles it cites", "NLP Engineer"):
        assert text in proc.stdout, text
    by_path = run_jobzone(["show", "content/roles/recommendation-systems-engineer.md"], project)
    assert by_path.returncode == 0 and "40.8/100" in by_path.stdout


def test_show_of_a_broken_report_and_of_an_unknown_slug(run_jobzone, project: Path) -> None:
    report = project / "content/roles/nlp-engineer.md"
    report.write_text(report.read_text(encoding="utf-8").replace("| 25% | 3 | 0.75 |", "| 25% | 3 | 0.80 |", 1),
                      encoding="utf-8")
    proc = run_jobzone(["show", "nlp-engineer"], project)
    assert proc.returncode == 1 and "stated 0.80, computed 0.75" in proc.stdout
    unknown = run_jobzone(["show", "no-such-role"], project)
    assert unknown.returncode == 2 and "no-such-role" in unknown.stderr and "Traceback" not in unknown.stderr
