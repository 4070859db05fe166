"""benchmarks/run.py: what Hugo is asked to build, and how figures are judged against the targets.

The timings themselves are never asserted (shared machines are noisy); these tests pin down
that the comparison is the one docs/performance.md describes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from benchmarks.run import Figure, hugo_site, report, scale_report


def test_hugo_builds_its_default_outputs_and_a_trimmed_site_for_reference(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "role-00001.md").write_text("---\ntitle: A\n---\nBody\n", encoding="utf-8")
    default = tomllib.loads((hugo_site(tmp_path, content) / "hugo.toml").read_text(encoding="utf-8"))
    trimmed = tomllib.loads((hugo_site(tmp_path, content, trimmed=True) / "hugo.toml").read_text(encoding="utf-8"))
    assert "disableKinds" not in default  # feeds, taxonomies and the sitemap, as a Hugo user has them
    assert sorted(trimmed["disableKinds"]) == ["RSS", "taxonomy", "term"]
    for site in ("hugo", "hugo-trimmed"):
        assert (tmp_path / site / "content" / "roles" / "role-00001.md").is_file()
        assert (tmp_path / site / "layouts" / "_default" / "single.html").is_file()


def _figure(seconds: float, peak: float = 50.0) -> Figure:
    return Figure("x", [seconds, seconds + 1, seconds - 0.001], peak)


def _line(text: str, name: str) -> str:
    [line] = [line for line in text.splitlines() if line.startswith(name)]
    return line


def test_ratios_are_to_hugos_default_build() -> None:
    figures = [("hugo cold build", _figure(2.0)), ("hugo, no taxonomies or feeds", _figure(1.0)),
               ("jobzone cold build", _figure(1.0)), ("jobzone unchanged rebuild", _figure(0.1)),
               ("jobzone rebuild after one edit", _figure(0.21)), ("jobzone check", _figure(0.5, 400))]
    text = report(1000, figures)
    assert "1.000" in _line(text, "hugo cold build")
    assert "0.500" in _line(text, "hugo, no taxonomies")
    assert _line(text, "jobzone cold build").endswith("met, memory met")  # 1.0 <= 0.5 × 2.0
    assert _line(text, "jobzone unchanged rebuild").endswith("met, memory met")  # 0.1 <= 0.05 × 2.0
    assert _line(text, "jobzone rebuild after one edit").endswith("MISSED, memory met")  # 0.21 > 0.1 × 2.0
    assert "MISSED" not in _line(text, "jobzone check") and "memory" not in _line(text, "jobzone check")


def test_memory_and_serve_targets() -> None:
    figures = [("hugo cold build", _figure(2.0)), ("jobzone cold build", _figure(0.5, 301)),
               ("jobzone serve: save to served page", _figure(0.2))]
    text = report(1000, figures)
    assert _line(text, "jobzone cold build").endswith("met, memory MISSED")
    assert _line(text, "jobzone serve").endswith("MISSED")


def test_linear_growth_is_judged_against_one_point_one_times_the_factor() -> None:
    assert scale_report(1000, 10, _figure(1.0), _figure(11.0)).split(" (")[1].startswith("target <= 11) met")
    assert "MISSED" in scale_report(1000, 10, _figure(1.0), _figure(11.2))
