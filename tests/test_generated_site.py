"""A generated site of many reports that cite each other: checks clean and builds with every link resolving."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import generate
from test_build import broken_links


def test_generated_reports_check_clean_and_build(run_jobzone, tmp_path: Path) -> None:
    generate(40, tmp_path / "content" / "roles", seed=7)
    checked = run_jobzone(["check"], tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert "Checked 40 reports: no problems." in checked.stdout
    built = run_jobzone(["build"], tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    site = tmp_path / "site"
    assert len(list((site / "roles").glob("*/index.html"))) == 40
    assert broken_links(site) == []
    # every report is cited by others, so every role page has backlinks
    assert all("Referenced by" in p.read_text(encoding="utf-8") for p in (site / "roles").glob("*/index.html"))


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = [p.read_bytes() for p in generate(5, tmp_path / "a", seed=3)]
    second = [p.read_bytes() for p in generate(5, tmp_path / "b", seed=3)]
    assert first == second
