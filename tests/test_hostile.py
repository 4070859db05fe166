"""Hostile and odd input on disk: links out of the content folder, vanishing files, Unicode everywhere."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from builder.check import check_files
from builder.methodology import load_methodology
from test_build import FIXTURE, broken_links, snapshot


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns(".jobzone-cache"))
    return target


def test_symlinks_out_of_the_content_folder_are_not_followed(run_jobzone, project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: Secret Role\n---\nprivate words\n", encoding="utf-8")
    roles = project / "content/roles"
    os.symlink(outside / "secret.md", roles / "secret.md")
    os.symlink(outside, roles / "linked-folder")
    os.symlink(roles / "nlp-engineer.md", roles / "inside-link.md.bak")  # not a report name: ignored
    checked = run_jobzone(["check"], project)
    assert checked.returncode == 0, checked.stdout
    assert "content/roles/secret.md:1:1: warning: symbolic link to a file outside the content folder" \
        in checked.stdout
    assert "Secret Role" not in checked.stdout and "linked-folder" not in checked.stdout
    assert run_jobzone(["build"], project).returncode == 0
    site = snapshot(project / "site")
    assert not any(b"private words" in data or b"Secret Role" in data for data in site.values())


def test_a_file_that_vanishes_before_it_is_read_is_a_located_error(tmp_path: Path) -> None:
    gone = tmp_path / "gone.md"
    result = check_files([(gone, "content/roles/gone.md")], load_methodology())
    assert [(d.code, d.location.path) for d in result.diagnostics] == [("JZ001", "content/roles/gone.md")]


@pytest.mark.parametrize("command", [["check"], ["build"], ["check", "content/roles/pipe.md"]])
def test_a_fifo_named_like_a_report_is_a_located_error_not_a_hang(run_jobzone, project: Path,
                                                                  command: list[str]) -> None:
    os.mkfifo(project / "content/roles/pipe.md")  # reading it would wait for a writer forever
    proc = run_jobzone(command, project)  # conftest's runner has a timeout
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "content/roles/pipe.md:1:1: error: cannot read file: not a regular file [JZ001]" in proc.stdout
    assert "Traceback" not in proc.stderr
    if command == ["check"]:
        assert "Checked 4 reports" in proc.stdout  # the others are checked all the same


@pytest.mark.parametrize("command", [["check"], ["build"], ["check", "content/roles/loop.md", "content/roles/nlp-engineer.md"]])
def test_links_that_lead_nowhere_are_located_errors_not_a_crash(run_jobzone, project: Path,
                                                                 command: list[str]) -> None:
    """A report named by a link to itself or to nothing, and a report linking a file that is a link to
    itself: each a located error; every other report is checked all the same."""
    roles = project / "content/roles"
    (roles / "loop.md").symlink_to("loop.md")
    (roles / "gone.md").symlink_to("nothing-here.md")
    (roles / "notes.txt").symlink_to("notes.txt")
    report = roles / "recommendation-systems-engineer.md"
    report.write_text(report.read_text(encoding="utf-8").replace("(./conversational-ai-engineer.md)", "(notes.txt)", 1),
                      encoding="utf-8")
    proc = run_jobzone(command, project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr, \
        proc.stdout + proc.stderr
    assert proc.stdout.count("content/roles/loop.md:1:1: error: cannot read file: Too many levels of symbolic links [JZ001]") == 1
    if len(command) == 1:
        assert "content/roles/gone.md:1:1: error: cannot read file: No such file or directory [JZ001]" in proc.stdout
        assert "link to 'notes.txt': no such file in content/roles/" in proc.stdout
        assert "Checked 3 reports: 3 errors" in proc.stdout
    else:
        assert "Checked 2 reports" in proc.stdout


@pytest.mark.parametrize("title", ["Ingénieur Données", "مهندس بيانات", "Engineer \u0301\u0301 Z̷a̷l̷g̷o̷", "Rocket 🚀 Engineer"])
def test_unicode_titles_build_and_link(run_jobzone, project: Path, title: str) -> None:
    report = project / "content/roles/nlp-engineer.md"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("title: NLP Engineer", f'title: "{title}"', 1).replace(
        "| Job Title | NLP Engineer |", f"| Job Title | {title} |", 1), encoding="utf-8")
    built = run_jobzone(["build"], project)
    assert built.returncode == 0, built.stdout + built.stderr
    page = (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    assert title in page
    assert broken_links(project / "site") == []


def test_an_emoji_slug_is_a_located_error(run_jobzone, project: Path) -> None:
    report = project / "content/roles/nlp-engineer.md"
    report.write_text(report.read_text(encoding="utf-8").replace("slug: nlp-engineer", "slug: nlp-🚀", 1),
                      encoding="utf-8")
    proc = run_jobzone(["check"], project)
    assert proc.returncode == 1 and "content/roles/nlp-engineer.md:3:1: error:" in proc.stdout and "[JZ103]" in proc.stdout


XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'><svg onload=alert(3)>'


def test_script_cannot_reach_a_page_through_any_field(run_jobzone, project: Path) -> None:
    """Every frontmatter field, a table cell, the override's reason, prose and link text carry script:
    no output file (HTML, XML, JSON, CSV) contains it unescaped."""
    report = project / "content/roles/nlp-engineer.md"
    text = report.read_text(encoding="utf-8")
    quoted = XSS.replace("'", "''")
    text = text.replace("seniority: Mid-level", f"seniority: '{quoted}'\njob_family: '{quoted}'\n"
                        f"custom_field: '{quoted}'", 1)
    text = text.replace("aliases: [Natural Language Processing Engineer]",
                        f"aliases: [Natural Language Processing Engineer, '{quoted}']", 1)
    text = text.replace("| Primary Function |", f"| Primary Function | {XSS.replace('|', '')}", 1)
    text = text.replace("Survival strategy:", f"[{XSS}](https://example.org/) {XSS}\n\nSurvival strategy:", 1)
    report.write_text(text, encoding="utf-8")
    checked = run_jobzone(["check"], project)
    assert checked.returncode == 0, checked.stdout
    assert run_jobzone(["build", "--base-url", "https://user.github.io/repo/"], project).returncode == 0
    for path, data in snapshot(project / "site").items():
        if path.endswith((".html", ".xml", ".json", ".csv", ".txt")):
            lowered = data.decode("utf-8").casefold()
            for bad in ("<script>alert", "<img src=x", "<svg onload"):  # as markup; escaped text is fine
                assert bad not in lowered or path.endswith(".csv"), (path, bad)


def test_a_permission_error_is_a_located_error_and_the_others_are_checked(tmp_path: Path, monkeypatch) -> None:
    """Root can read anything, so the refusal is simulated where jobzone reads."""
    good = tmp_path / "good.md"
    good.write_text((FIXTURE / "content/roles/nlp-engineer.md").read_text(encoding="utf-8"), encoding="utf-8")
    locked = tmp_path / "locked.md"
    locked.write_text("x", encoding="utf-8")
    import builder.check

    original = builder.check._nonblocking

    def opener(path: str, flags: int) -> int:
        if path.endswith("locked.md"):
            raise PermissionError(13, "Permission denied")
        return original(path, flags)

    monkeypatch.setattr(builder.check, "_nonblocking", opener)
    result = check_files([(locked, "locked.md"), (good, "good.md")], load_methodology())
    located = [(d.code, d.location.path, d.message) for d in result.diagnostics if d.is_error]
    assert located == [("JZ001", "locked.md", "cannot read file: Permission denied")]
    assert [c.path for c in result.checked if c.entry is not None] == ["good.md"]


def test_tables_nested_in_lists_and_quotes_are_rendered_not_scored(run_jobzone, project: Path) -> None:
    report = project / "content/roles/nlp-engineer.md"
    nested = ("> | a | b |\n> |---|---|\n> | 1 | 2 | 3 |\n\n- item\n\n  | c | d |\n  |---|---|\n  | x |\n\n"
              "| e | f |\n|---|---|\n| <b>g</b> | [h](javascript:alert(1)) |\n\nSurvival strategy:")
    report.write_text(report.read_text(encoding="utf-8").replace("Survival strategy:", nested, 1), encoding="utf-8")
    checked = run_jobzone(["check"], project)
    assert checked.returncode == 0, checked.stdout  # nested tables are prose; the top-level one is well formed
    assert run_jobzone(["build"], project).returncode == 0
    page = (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;g&lt;/b&gt;" in page and "javascript:" not in page


@pytest.mark.parametrize("kind", ["symbolic", "hard"])
def test_links_to_a_report_by_its_other_name_resolve(run_jobzone, project: Path, kind: str) -> None:
    """A report also reachable under a later name (read under one of them): links written to the
    other name still lead to its page, no JZ408."""
    roles = project / "content/roles"
    if kind == "symbolic":
        (roles / "zz-second-name.md").symlink_to("nlp-engineer.md")
    else:
        os.link(roles / "nlp-engineer.md", roles / "zz-second-name.md")
    built = run_jobzone(["build"], project)
    assert built.returncode == 0 and "JZ408" not in built.stdout, built.stdout + built.stderr
    page = (project / "site/roles/recommendation-systems-engineer/index.html").read_text(encoding="utf-8")
    assert "../nlp-engineer/#evidence-score" in page
    assert broken_links(project / "site") == []


LONG = "0" * 27 + "1"  # 29 decimals after "0.3": more digits than Python's default decimal context holds (28)


@pytest.mark.parametrize(("before", "after", "message"), [
    ("| 15% | 2 | 0.30 |", f"| 15% | 2 | 0.3{LONG} |", f"Weighted of task 'Design recommendation system architecture "
     f"& strategy': stated 0.3{LONG}, computed 0.3{'0' * len(LONG)} = 15% × 2 [JZ301]"),
    ("= 40.8/100", f"= 40.8{LONG}/100", f"JobZone Score: stated 40.8{LONG}, computed 40.8385876418663303909205548549"),
    ("Confirmed at +1.", f"Confirmed at +1.{LONG}.", f"AI Growth Correlation Check: stated +1.{LONG}, computed 1."),
    ("| 25% | 3 | 0.75 |", f"| 25.{LONG}% | 3 | 0.75 |", f"the tasks' Time % add up to 100.{LONG}%; they must add up "
     "to 100% [JZ201]"),
])
def test_numbers_with_many_digits_are_compared_exactly(run_jobzone, tmp_path: Path, before: str, after: str,
                                                       message: str) -> None:
    """Every digit counts, however many there are: no internal error, no rounding at 28 digits; and `fix`
    writes the computed value back at the stated precision."""
    seed = (Path(__file__).parent.parent / "content/roles/recommendation-systems-engineer.md").read_text(
        encoding="utf-8")
    assert seed.count(before) == 1
    roles = tmp_path / "content/roles"
    roles.mkdir(parents=True)
    (roles / "r.md").write_text(seed.replace(before, after), encoding="utf-8")
    proc = run_jobzone(["check"], tmp_path)
    assert proc.returncode == 1 and message in proc.stdout, proc.stdout + proc.stderr
    assert "internal error" not in proc.stdout + proc.stderr
    if "JZ201" not in message:  # an input that is wrong is not fix's to change
        assert run_jobzone(["fix"], tmp_path).returncode == 0
        assert run_jobzone(["check"], tmp_path).returncode == 0


@pytest.mark.parametrize(("before", "after"), [
    ("| 15% | 2 | 0.30 |", f"| 15.{'0' * 40}1% | 2 | 0.30 |"),
    ("| 15% | 2 | 0.30 |", f"| 15% | 2 | 0.3{'0' * 40} |"),
    ("= 40.8/100", f"= {'4' * 21}.8/100"),
    ("Confirmed at +1.", f"Confirmed at +1.{'0' * 31}."),
])
def test_a_number_too_long_to_compute_exactly_is_an_error_where_it_is_written(run_jobzone, tmp_path: Path,
                                                                             before: str, after: str) -> None:
    """Beyond 20 digits before the point or 30 after, a sum could no longer be exact: such a number is
    reported at its place (JZ114), never rounded in silence, and the other numbers are still checked."""
    seed = (Path(__file__).parent.parent / "content/roles/recommendation-systems-engineer.md").read_text(
        encoding="utf-8")
    text = seed.replace(before, after)
    roles = tmp_path / "content/roles"
    roles.mkdir(parents=True)
    (roles / "r.md").write_text(text, encoding="utf-8")
    proc = run_jobzone(["check"], tmp_path)
    line = next(number for number, row in enumerate(text.split("\n"), 1) if after.strip("|= .") in row)
    assert proc.returncode == 1 and "internal error" not in proc.stdout + proc.stderr
    assert f"content/roles/r.md:{line}:" in proc.stdout and "are computed exactly [JZ114]" in proc.stdout, proc.stdout
