"""`jobzone build` rebuilds incrementally: the same site as a clean build, written with less.

Every test drives the CLI in a subprocess against a copy of a project in tmp_path, changes
something (a report, a template, the output folder, the cache), rebuilds, and compares the
output folder byte for byte with a reference: a clean build (`build --clean --out other`) of
the same project copied to a second folder, so the reference never shares a cache with, nor
disturbs the records of, the site under test. Inodes and modification times tell which
files a rebuild rewrote: an incremental rebuild replaces exactly the files whose bytes
changed, a full rebuild swaps in a new folder where every file is new.
"""

from __future__ import annotations

import itertools
import marshal
import os
import pickle
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import renamed
from test_build import SEED, build, built, copy_fixture, snapshot

from benchmarks.generate import generate
from builder.freshness import RACY_NS, Stamp

Run = Callable[..., subprocess.CompletedProcess[str]]
Stats = dict[str, tuple[int, int]]  # output file -> (inode, modification time in ns)

ROLES = Path("content/roles")
NLP = ROLES / "nlp-engineer.md"
CONVERSATIONAL = ROLES / "conversational-ai-engineer.md"
RECOMMENDATION = ROLES / "recommendation-systems-engineer.md"
NLP_FILES = {"roles/nlp-engineer/index.html", "roles/nlp-engineer/index.json"}
PAST_NS = 1_000_000_000 * 10**9  # September 2001: far outside any racy window
MARKER = "<!-- rebuild-test-marker -->"
_copies = itertools.count()


@pytest.fixture
def run(run_jobzone: Run) -> Run:
    """run(args, cwd) -> CompletedProcess: the CLI in a subprocess (conftest's `run_jobzone`)."""
    return run_jobzone


# --- helpers -----------------------------------------------------------------------------------

def stats(folder: Path) -> Stats:
    """Every file of the output folder -> (inode, modification time in ns)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            info = path.stat()
            found[path.relative_to(folder).as_posix()] = (info.st_ino, info.st_mtime_ns)
    return found


def folders(site: Path) -> set[str]:
    return {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_dir()}


def edit(project: Path, relative: Path | str, old: str, new: str, count: int = 1) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def clean_build(run: Run, project: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """A clean build of the same project: the project (without its cache and site) copied beside
    it, symbolic links kept as links, and built with `--clean --out other`."""
    copy = project.parent / f"reference-{next(_copies)}"

    def ignore(folder: str, names: list[str]) -> list[str]:
        if Path(folder) != project:
            return []
        return [n for n in names if n in (".jobzone-cache", "site") or n.startswith(".site.")]

    shutil.copytree(project, copy, ignore=ignore, symlinks=True)
    return build(run, copy, "--clean", "--out", "other", *args), copy


def reference(run: Run, project: Path, *args: str) -> tuple[dict[str, bytes], str]:
    """The site a clean build of the same project gives, and what that build printed."""
    proc, copy = clean_build(run, project, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert folders(copy / "other") == folders(project / "site"), "folders differ (an emptied folder left behind?)"
    return snapshot(copy / "other"), proc.stdout


def _diagnostics(stdout: str) -> str:
    """What a build printed, without its last line (Built … into …, or … is up to date)."""
    return stdout.rstrip("\n").rpartition("\n")[0]


def assert_as_clean_build(run: Run, project: Path, *args: str) -> dict[str, bytes]:
    """The project's site equals a clean build of the same content, byte for byte; the next build
    has nothing to do and prints the diagnostics the clean build printed."""
    got = snapshot(project / "site")
    want, printed = reference(run, project, *args)
    assert sorted(got.keys() - want.keys()) == [], "files a clean build does not write"
    assert sorted(want.keys() - got.keys()) == [], "files a clean build writes, missing from the rebuilt site"
    assert [name for name in sorted(got) if got[name] != want[name]] == [], "files whose bytes differ"
    again = up_to_date(run, project, *args)
    assert _diagnostics(again.stdout) == _diagnostics(printed)
    return got


def rewritten(before: Stats, after: Stats) -> set[str]:
    """Files present before and after whose inode or modification time changed."""
    return {name for name in before.keys() & after.keys() if before[name] != after[name]}


def assert_rewrote_only_changed_bytes(old: dict[str, bytes], new: dict[str, bytes], before: Stats,
                                      after: Stats) -> set[str]:
    """An incremental rebuild rewrites a file exactly when its bytes changed (no whole-site swap)."""
    changed = {name for name in old.keys() & new.keys() if old[name] != new[name]}
    assert rewritten(before, after) == changed
    return changed


def assert_full_build(before: Stats, after: Stats) -> None:
    """A full build swaps in a new folder: no file keeps its inode."""
    kept = sorted(name for name in before.keys() & after.keys() if before[name][0] == after[name][0])
    assert kept == []


def up_to_date(run: Run, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    before = stats(project / "site")
    proc = build(run, project, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "site is up to date" in proc.stdout, proc.stdout
    assert "Built" not in proc.stdout
    assert stats(project / "site") == before
    return proc


def rebuilt(run: Run, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = build(run, project, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Built " in proc.stdout and "is up to date" not in proc.stdout, proc.stdout
    return proc


def cited_score(report: Path) -> str:
    match = re.search(r"^JobZone Score: .* = (\d+(?:\.\d+)?)/100$", report.read_text(encoding="utf-8"), re.MULTILINE)
    assert match is not None
    return match.group(1)


def title_of(report: Path) -> str:
    match = re.search(r"^title: (.+)$", report.read_text(encoding="utf-8"), re.MULTILINE)
    assert match is not None
    return match.group(1)


# --- 1. a prose edit ---------------------------------------------------------------------------

def test_prose_edit_rewrites_only_that_roles_page(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    old, before = snapshot(site), stats(site)
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project)
    new, after = snapshot(site), stats(site)
    assert new.keys() == old.keys()
    changed = assert_rewrote_only_changed_bytes(old, new, before, after)
    assert "roles/nlp-engineer/index.html" in changed
    assert changed <= NLP_FILES
    assert "Timeline (revised)" in new["roles/nlp-engineer/index.html"].decode("utf-8")
    assert {name for name in after if after[name] == before[name]} == set(before) - changed
    assert_as_clean_build(run, project)


def _whole_site_steps_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking reports against each other and linking the site raise from now on."""
    import builder.check
    import builder.links

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole site was checked and linked again")

    monkeypatch.setattr(builder.check, "cross_check", refuse)
    monkeypatch.setattr(builder.links, "link_site", refuse)


def test_prose_edit_reads_no_other_report(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """An edit that leaves everything other pages read of the report (its summary) as it was
    renders that report's page alone: no other report is read, checked or linked again. (Moving
    lines below which nothing other pages read is located, as here, is such an edit too.)"""
    from builder.cli import main

    project = copy_fixture(tmp_path)
    first = build(run, project)
    assert first.returncode == 0, first.stdout + first.stderr
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.\n\nA line added.")
    monkeypatch.chdir(project)
    with monkeypatch.context() as patched:
        _whole_site_steps_refused(patched)
        assert main(["build"]) == 0
    printed, problems = capsys.readouterr()
    assert problems == ""
    assert _diagnostics(printed) == _diagnostics(first.stdout)  # the warnings, as the whole check found them
    assert printed.splitlines()[-1] == first.stdout.splitlines()[-1]
    assert "Timeline (revised)" in (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    assert_as_clean_build(run, project)


@pytest.mark.parametrize("old, new", [
    ("## Role Definition", "A line added above the rest.\n\n## Role Definition"),  # every line below moves
    ("Timeline: 2-4 years.", "Timeline: 2-4 years. It is NOT a Conversational AI Engineer role."),  # a mention
    ("Timeline: 2-4 years.", "Timeline: 2-4 years. [Peers](conversational-ai-engineer.md)."),  # a new link
    ("Timeline: 2-4 years.", "Timeline: 2-4 years. The Yellow (Urgent) label at 99.9 holds."),  # a wrong restated score
])
def test_edits_that_change_what_others_read_check_the_whole_site(run: Run, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  old: str, new: str) -> None:
    """An edit that changes the report's summary (locations, mentions, links, its own diagnostics)
    goes the whole way: the site checked and linked again; the result is a clean build's."""
    from builder.cli import main

    project = copy_fixture(tmp_path)
    built(run, project)
    edit(project, NLP, old, new)
    monkeypatch.chdir(project)
    with monkeypatch.context() as patched:
        _whole_site_steps_refused(patched)
        assert main(["build"]) != 0
    assert "the whole site was checked and linked again" in capsys.readouterr().err
    proc = build(run, project)
    if "99.9" in new:
        assert proc.returncode == 1 and "99.9" in proc.stdout, proc.stdout + proc.stderr
        return
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_as_clean_build(run, project)


def assert_as_clean_build_even_failing(run: Run, project: Path) -> subprocess.CompletedProcess[str]:
    """Build, and compare exit status, diagnostics and (when it succeeds) the site with a clean build's."""
    proc = build(run, project)
    want, copy = clean_build(run, project)
    assert (proc.returncode, _diagnostics(proc.stdout)) == (want.returncode, _diagnostics(want.stdout)), \
        proc.stdout + proc.stderr + "\n---\n" + want.stdout + want.stderr
    if proc.returncode == 0:
        assert snapshot(project / "site") == snapshot(copy / "other")
    return proc


def _rewrite(path: Path, old: str, new: str) -> None:
    """Replace a file by a new one, as editors and `sed -i` do (a link in its place is replaced too)."""
    text = path.read_text(encoding="utf-8").replace(old, new, 1)
    path.unlink()
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("kind", ["symbolic", "hard"])
def test_a_report_under_two_names_that_become_two_reports(run: Run, tmp_path: Path, kind: str) -> None:
    """One file read under two names is one report; replacing one name by a file of its own makes
    two reports with one title, which only reading the whole site again can tell."""
    project = copy_fixture(tmp_path)
    (project / NLP).rename(project / ROLES / "a-nlp.md")
    if kind == "symbolic":
        (project / NLP).symlink_to("a-nlp.md")
    else:
        os.link(project / ROLES / "a-nlp.md", project / NLP)
    built(run, project)
    _rewrite(project / NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    proc = assert_as_clean_build_even_failing(run, project)
    assert proc.returncode == 1 and "JZ104" in proc.stdout


def test_a_linked_folder_of_images_pointed_elsewhere_is_copied_again(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    for folder, data in (("media-a", b"\x89PNG first"), ("media-b", b"\x89PNG second")):
        (project / ROLES / folder).mkdir()
        (project / ROLES / folder / "img.png").write_bytes(data)
    (project / ROLES / "media").symlink_to("media-a")
    edit(project, NLP, "Browse all scored roles", "![chart](media/img.png) Browse all scored roles")
    built(run, project)
    (project / ROLES / "media").unlink()
    (project / ROLES / "media").symlink_to("media-b")
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    assert_as_clean_build_even_failing(run, project)
    assert "media-b/img.png" in (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("also_edited", [None, NLP, CONVERSATIONAL])
def test_a_link_pointed_elsewhere_is_a_change(run: Run, tmp_path: Path, also_edited: Path | None) -> None:
    """A symbolic link to a linked image or folder of images, made to point elsewhere (same bytes
    there, or none): not up to date, and the copy and the page follow it — whichever report is
    edited besides (the one linking it, another, none)."""
    project = copy_fixture(tmp_path)
    roles = project / ROLES
    for name in ("a.png", "b.png"):
        (roles / name).write_bytes(b"\x89PNG same bytes")
    for folder in ("media-a", "media-b"):
        (roles / folder).mkdir()
    (roles / "media-a" / "img.png").write_bytes(b"\x89PNG first")
    (roles / "logo.png").symlink_to("a.png")
    (roles / "media").symlink_to("media-a")
    edit(project, CONVERSATIONAL, "Timeline: 2-4 years.", "Timeline: 2-4 years. ![logo](logo.png) ![pic](media/img.png)")
    built(run, project)
    assert (project / "site/assets/a.png").is_file() and (project / "site/assets/media-a/img.png").is_file()
    for link, target in (("logo.png", "b.png"), ("media", "media-b")):
        (roles / link).unlink()
        (roles / link).symlink_to(target)  # media-b has no img.png: the link is broken now
    if also_edited is not None:
        edit(project, also_edited, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    proc = assert_as_clean_build_even_failing(run, project)
    assert proc.returncode == 1 and "JZ409" in proc.stdout and "is up to date" not in proc.stdout
    (roles / "media-b" / "img.png").write_bytes(b"\x89PNG second")
    proc = assert_as_clean_build_even_failing(run, project)
    assert proc.returncode == 0
    assert (project / "site/assets/b.png").is_file() and (project / "site/assets/media-b/img.png").is_file()


def test_a_build_from_another_folder_prints_paths_from_there(run: Run, tmp_path: Path) -> None:
    """Reports are named relative to the working directory in what a build prints and records: a
    build from elsewhere (the same `--config`) is not taken for the last one, nor are its names reprinted."""
    project = copy_fixture(tmp_path)
    (project / "jobzone.toml").write_text("", encoding="utf-8")
    config = ["--config", str(project / "jobzone.toml")]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    here = "content/roles/conversational-ai-engineer.md:16:34: warning"
    there = f"{project / CONVERSATIONAL}:16:34: warning"

    def says(proc: subprocess.CompletedProcess[str], start: str) -> bool:
        return any(line.startswith(start) for line in proc.stdout.splitlines())
    proc = run([*config, "build"], project)
    assert proc.returncode == 0 and says(proc, here), proc.stdout + proc.stderr
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    proc = run([*config, "build"], elsewhere)
    assert proc.returncode == 0 and says(proc, there) and not says(proc, here), proc.stdout + proc.stderr
    proc = run([*config, "build"], elsewhere)
    assert "is up to date" in proc.stdout and says(proc, there)
    for _ in range(2):
        proc = run([*config, "build"], project)
        assert proc.returncode == 0 and says(proc, here) and not says(proc, there), proc.stdout
    assert "is up to date" in proc.stdout
    assert_as_clean_build(run, project)


def test_a_report_copied_as_a_linked_file_is_copied_again(run: Run, tmp_path: Path) -> None:
    """A link to `nlp-engineer.md/` names the file, not the role: its text is copied beside the page."""
    project = copy_fixture(tmp_path)
    edit(project, RECOMMENDATION, "Browse all scored roles", "[Source](nlp-engineer.md/). Browse all scored roles")
    built(run, project)
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    assert_as_clean_build_even_failing(run, project)
    assert "Timeline (revised)" in (project / "site/assets/nlp-engineer.md").read_text(encoding="utf-8")


def test_a_template_error_on_an_edit_prints_the_diagnostics_first(run: Run, tmp_path: Path, repo_root: Path) -> None:
    project = copy_fixture(tmp_path)
    (project / "templates").mkdir(exist_ok=True)
    role = (repo_root / "builder/templates/role.html").read_text(encoding="utf-8")
    assert "{{ role.body }}" in role
    (project / "templates/role.html").write_text(role.replace(
        "{{ role.body }}", '{{ role.body }}{% if "BOOM" in role.body %}{{ no_such_variable.x }}{% endif %}', 1),
        encoding="utf-8")
    built(run, project)
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline BOOM: 2-4 years.")
    proc = assert_as_clean_build_even_failing(run, project)
    assert proc.returncode == 2 and "JZ902" in proc.stderr and "Checked 3 reports" in proc.stdout


def test_an_edit_checked_first_still_renders_its_page_alone(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A summary read back from the analysis cache (`jobzone check` ran first) equals a fresh one."""
    from builder.cli import main

    project = copy_fixture(tmp_path)
    built(run, project)
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    assert run(["check"], project).returncode == 0
    monkeypatch.chdir(project)
    with monkeypatch.context() as patched:
        _whole_site_steps_refused(patched)
        assert main(["build"]) == 0
    assert capsys.readouterr().err == ""
    assert_as_clean_build(run, project)


def test_a_build_whose_model_cannot_be_saved_is_not_taken_for_up_to_date(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    [model] = (project / ".jobzone-cache" / "builds").glob("*.model.*")
    model.unlink()
    model.mkdir()  # the record cannot be written
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project)
    rebuilt(run, project)  # not "up to date": without its model, the build is not on record
    model.rmdir()
    rebuilt(run, project)
    assert_as_clean_build(run, project)


# --- 2. nothing changed ------------------------------------------------------------------------

def test_unchanged_rebuild_writes_nothing(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    first = rebuilt(run, project)
    proc = up_to_date(run, project)
    # the last diagnostics are printed again, then the verdict
    assert proc.stdout.startswith(first.stdout.split("Built ")[0]), (first.stdout, proc.stdout)
    assert "Checked 3 reports: 0 errors, 12 warnings." in proc.stdout
    assert proc.stdout.rstrip().endswith("site is up to date")
    assert_as_clean_build(run, project)


@pytest.mark.parametrize("when", ["past", "now", "past-then-now"])
def test_touched_but_unchanged_report_is_up_to_date(run: Run, tmp_path: Path, when: str) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    old = snapshot(project / "site")
    path = project / NLP
    for moment in when.split("-then-"):
        if moment == "past":
            os.utime(path, ns=(PAST_NS, PAST_NS))
        else:
            os.utime(path)  # now: inside the racy window, so the bytes are read again
        up_to_date(run, project)
        up_to_date(run, project)  # the new time was remembered, or read again: still nothing to do
    assert snapshot(project / "site") == old
    assert_as_clean_build(run, project)


# --- 3. citations across reports ---------------------------------------------------------------

def _publish_nlp_at_30(project: Path) -> None:
    """NLP Engineer publishes 30.0 by override, consistently within its own report; the other two
    reports still cite it at 36.3."""
    edit(project, NLP, "aliases:", "assessor_override:\n  score: 30.0\n  reason: test\naliases:")
    edit(project, NLP, "Assessor override: None", "Assessor override: 30.0")
    edit(project, NLP, "The 36.3 sits", "The 30.0 sits")
    edit(project, NLP, "label at 36.3 is", "label at 30.0 is")
    edit(project, NLP, "The 31.9-point gap", "The 38.2-point gap")


def test_cited_score_change_stops_the_build_then_the_fix_rebuilds(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    old, before = snapshot(site), stats(site)
    _publish_nlp_at_30(project)
    for _attempt in range(2):  # a stopped build leaves nothing that makes the next one say "up to date"
        proc = build(run, project)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "build stopped" in proc.stderr
        assert "NLP Engineer is cited at 36.3, but its report content/roles/nlp-engineer.md scores 30.0" in proc.stdout
        assert "is up to date" not in proc.stdout
        assert snapshot(site) == old and stats(site) == before
    for citing in (CONVERSATIONAL, RECOMMENDATION):
        edit(project, citing, "NLP Engineer (36.3)", "NLP Engineer (30.0)", count=2)
    rebuilt(run, project)
    # the stopped builds left the record of the last whole build: the fix is built in place
    assert_rewrote_only_changed_bytes(old, snapshot(site), before, stats(site))
    new = assert_as_clean_build(run, project)
    assert "<strong>30.0</strong>" in new["roles/nlp-engineer/index.html"].decode("utf-8")
    assert new["data/roles.csv"] != old["data/roles.csv"]


def test_a_stopped_build_then_its_fix_and_an_edit_elsewhere(run: Run, tmp_path: Path) -> None:
    """An error stops the build; the fix, made with an edit to another report while it was stopped,
    is built in place from the last whole build's record, both edits seen."""
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    old, before = snapshot(site), stats(site)
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline: 2-4 years. The Yellow (Urgent) label at 99.9 holds.")
    stopped = build(run, project)
    assert stopped.returncode == 1 and "99.9" in stopped.stdout, stopped.stdout + stopped.stderr
    assert stats(site) == before
    edit(project, CONVERSATIONAL, "Timeline: 2-4 years.", "Timeline (while stopped): 2-4 years.")
    again = build(run, project)
    assert (again.returncode, _diagnostics(again.stdout)) == (1, _diagnostics(stopped.stdout))
    edit(project, NLP, " The Yellow (Urgent) label at 99.9 holds.", " Fixed.")
    rebuilt(run, project)
    new, after = snapshot(site), stats(site)
    changed = assert_rewrote_only_changed_bytes(old, new, before, after)
    assert changed <= NLP_FILES | {"roles/conversational-ai-engineer/index.html",
                                   "roles/conversational-ai-engineer/index.json"}
    assert "Fixed." in new["roles/nlp-engineer/index.html"].decode("utf-8")
    assert "(while stopped)" in new["roles/conversational-ai-engineer/index.html"].decode("utf-8")
    assert_as_clean_build(run, project)


def test_cited_score_change_with_citations_fixed_in_one_go(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    old, before = snapshot(site), stats(site)
    _publish_nlp_at_30(project)
    for citing in (CONVERSATIONAL, RECOMMENDATION):
        edit(project, citing, "NLP Engineer (36.3)", "NLP Engineer (30.0)", count=2)
    rebuilt(run, project)
    new, after = snapshot(site), stats(site)
    changed = assert_rewrote_only_changed_bytes(old, new, before, after)
    assert NLP_FILES <= changed and "index.html" in changed and "data/roles.csv" in changed
    assert "static/style.css" not in changed
    assert_as_clean_build(run, project)


def test_a_row_edit_renders_only_the_listing_pages_that_show_the_row(run: Run, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A listing page is rendered again only when something its template is given changed: a new
    seniority changes the role's row in the index, its zone's and sub-label's pages and the feed;
    the other zones' and sub-labels' pages, the 404 page and the sitemap are kept as they were."""
    import builder.render
    from builder.cli import main

    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    old, before = snapshot(site), stats(site)
    edit(project, NLP, "seniority: Mid-level", "seniority: Senior")
    edit(project, NLP, "| Seniority Level | Mid-level |", "| Seniority Level | Senior |")
    rendered: list[str] = []
    text = builder.render.Pages.text

    def spy(self: builder.render.Pages, template: str, path: str, *args: object, **kwargs: object) -> str:
        rendered.append(path)
        return text(self, template, path, *args, **kwargs)

    monkeypatch.chdir(project)
    monkeypatch.setattr(builder.render.Pages, "text", spy)
    assert main(["build"]) == 0
    zone = next(p for p in old if p.startswith("zones/") and b"nlp-engineer" in old[p]).removesuffix("index.html")
    sublabel = next(p for p in old if p.startswith("sublabels/") and b"nlp-engineer" in old[p])
    listings = {path for path in rendered if not path.startswith("roles/")}
    assert listings == {"", zone, sublabel.removesuffix("index.html"), "methodology/", "feed.xml"}
    changed = assert_rewrote_only_changed_bytes(old, snapshot(site), before, stats(site))
    assert {"index.html", f"{zone}index.html", sublabel} <= changed  # the feed shows no seniority
    assert len([p for p in old if p.startswith(("zones/", "sublabels/"))]) > 2  # others were there to keep
    assert_as_clean_build(run, project)


def test_retitle_changes_the_pages_that_cite_it(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    old, before = snapshot(site), stats(site)
    # the others cite "NLP Engineer": under a new title it has no report, and their pages change
    edit(project, NLP, "title: NLP Engineer\n", "title: NLP Engineer II\n")
    edit(project, NLP, "| Job Title | NLP Engineer |", "| Job Title | NLP Engineer II |")
    edit(project, NLP, "aliases: [Natural Language Processing Engineer]", "aliases: []")
    rebuilt(run, project)
    new, after = snapshot(site), stats(site)
    changed = assert_rewrote_only_changed_bytes(old, new, before, after)
    for slug in ("conversational-ai-engineer", "recommendation-systems-engineer", "nlp-engineer"):
        assert f"roles/{slug}/index.html" in changed
    assert "index.html" in changed
    assert_as_clean_build(run, project)
    # and back: the title the others cite has its report again
    edit(project, NLP, "title: NLP Engineer II\n", "title: NLP Engineer\n")
    edit(project, NLP, "| Job Title | NLP Engineer II |", "| Job Title | NLP Engineer |")
    edit(project, NLP, "aliases: []", "aliases: [Natural Language Processing Engineer]")
    rebuilt(run, project)
    assert snapshot(site) == old
    assert_as_clean_build(run, project)


# --- 4. reports added and removed --------------------------------------------------------------

def test_added_then_deleted_report(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    old = snapshot(site)
    new_report = project / ROLES / "search-relevance-engineer.md"
    new_report.write_text(renamed(SEED, "Search Relevance Engineer", "search-relevance-engineer"), encoding="utf-8")
    before = stats(site)
    rebuilt(run, project)
    added = snapshot(site)
    assert {"roles/search-relevance-engineer/index.html", "roles/search-relevance-engineer/index.json"} \
        <= added.keys() - old.keys()
    assert_rewrote_only_changed_bytes(old, added, before, stats(site))
    assert_as_clean_build(run, project)

    new_report.unlink()
    before = stats(site)
    rebuilt(run, project)
    assert not (site / "roles" / "search-relevance-engineer").exists()
    assert snapshot(site) == old
    assert_rewrote_only_changed_bytes(added, old, before, stats(site))
    assert_as_clean_build(run, project)


def test_deleted_cited_report_becomes_an_unassessed_page(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    (project / CONVERSATIONAL).unlink()
    # the recommendation report links to the deleted file: drop that link
    edit(project, RECOMMENDATION, " and the [conversational report](./conversational-ai-engineer.md)", "")
    rebuilt(run, project)
    assert not (site / "roles/conversational-ai-engineer/index.json").exists()
    assert "not assessed" in (site / "roles/conversational-ai-engineer/index.html").read_text(encoding="utf-8")
    assert_as_clean_build(run, project)


def test_changed_slug_moves_the_page(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    new_report = project / ROLES / "search-relevance-engineer.md"
    new_report.write_text(renamed(SEED, "Search Relevance Engineer", "search-relevance-engineer"), encoding="utf-8")
    built(run, project)
    edit(project, new_report.relative_to(project), "slug: search-relevance-engineer\n", "slug: relevance-engineer\n")
    rebuilt(run, project)
    assert not (project / "site/roles/search-relevance-engineer").exists()
    assert (project / "site/roles/relevance-engineer/index.html").is_file()
    assert_as_clean_build(run, project)
    # the file renamed, its bytes unchanged: the same site
    old = snapshot(project / "site")
    new_report.rename(new_report.with_name("relevance.md"))
    rebuilt(run, project)
    assert snapshot(project / "site") == old
    assert_as_clean_build(run, project)


# --- 5. an output folder someone touched -------------------------------------------------------

@pytest.mark.parametrize("tamper", ["deleted", "modified", "stray", "stray-folder", "deleted-folder"])
def test_touched_output_gets_a_full_build(run: Run, tmp_path: Path, tamper: str) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    old = snapshot(site)
    page = site / "roles/nlp-engineer/index.html"
    if tamper == "deleted":
        page.unlink()
    elif tamper == "modified":
        info = page.stat()
        data = page.read_bytes()
        at = data.index(b"NLP Engineer")
        page.write_bytes(data[:at] + b"XYZ" + data[at + 3:])
        if page.stat().st_mtime_ns == info.st_mtime_ns:  # same clock tick: an editor would have moved it
            os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
        assert page.stat().st_size == info.st_size
    elif tamper == "stray":
        (site / "roles/stray.txt").write_text("not jobzone's\n", encoding="utf-8")
    elif tamper == "stray-folder":
        (site / "extra/deeper").mkdir(parents=True)
        (site / "extra/deeper/note.txt").write_text("not jobzone's\n", encoding="utf-8")
    else:
        shutil.rmtree(site / "sublabels")
    before = stats(site)
    rebuilt(run, project)
    after = stats(site)
    assert_full_build(before, after)
    assert snapshot(site) == old
    assert not (site / "roles/stray.txt").exists() and not (site / "extra").exists()
    assert_as_clean_build(run, project)


def test_touched_output_and_edited_report(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    site = project / "site"
    (site / "roles/conversational-ai-engineer/index.json").unlink()
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project)
    assert (site / "roles/conversational-ai-engineer/index.json").is_file()
    assert_as_clean_build(run, project)


# --- 6. templates and other settings -----------------------------------------------------------

def test_template_override_rebuilds_every_role_page(run: Run, tmp_path: Path, repo_root: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    template = project / "templates" / "role.html"
    template.parent.mkdir()
    original = (repo_root / "builder" / "templates" / "role.html").read_text(encoding="utf-8")
    assert original.count('<article class="role">') == 1
    template.write_text(original.replace('<article class="role">', f'<article class="role">{MARKER}'),
                        encoding="utf-8")
    rebuilt(run, project)
    new = assert_as_clean_build(run, project)
    role_pages = [f"roles/{slug}/index.html" for slug in
                  ("conversational-ai-engineer", "nlp-engineer", "recommendation-systems-engineer")]
    for name in role_pages:
        assert MARKER in new[name].decode("utf-8"), name
    assert MARKER not in new["index.html"].decode("utf-8")

    # the override edited again, then removed: the package's template is back
    template.write_text(original.replace('<article class="role">', '<article class="role"><!-- second -->'),
                        encoding="utf-8")
    rebuilt(run, project)
    new = assert_as_clean_build(run, project)
    assert all("<!-- second -->" in new[name].decode("utf-8") and MARKER not in new[name].decode("utf-8")
               for name in role_pages)
    template.unlink()
    rebuilt(run, project)
    new = assert_as_clean_build(run, project)
    assert not any("<!-- second -->" in new[name].decode("utf-8") for name in role_pages)


def test_templates_are_given_the_zones_not_every_role_on_every_page(run: Run, tmp_path: Path, repo_root: Path) -> None:
    """Every page's template gets `nav`: each zone's name, path and band, not its roles, so a role page
    shows only its own report, links and citations and can be reused. A template that reaches for the
    roles there is a located error (exit 2), and the site is left as it was."""
    project = copy_fixture(tmp_path)
    template = project / "templates" / "base.html"
    template.parent.mkdir()
    original = (repo_root / "builder" / "templates" / "base.html").read_text(encoding="utf-8")
    assert original.count("{{ z.zone.name }}</a>") == 1
    template.write_text(original.replace("{{ z.zone.name }}</a>", "{{ z.zone.name }} [{{ z.band }}]</a>"),
                        encoding="utf-8")
    built(run, project)
    site = project / "site"
    before = snapshot(site)
    assert "Yellow [" in before["roles/nlp-engineer/index.html"].decode("utf-8")
    (project / ROLES / "search-relevance-engineer.md").write_text(
        renamed(SEED, "Search Relevance Engineer", "search-relevance-engineer"), encoding="utf-8")
    rebuilt(run, project)
    assert_as_clean_build(run, project)
    line = next(number for number, text in enumerate(original.splitlines(), 1) if "{{ z.zone.name }}</a>" in text)
    template.write_text(original.replace("{{ z.zone.name }}</a>", "{{ z.zone.name }} ({{ z.rows|length }})</a>"),
                        encoding="utf-8")
    kept = snapshot(site)
    proc = build(run, project)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"templates/base.html:{line}: template error:" in proc.stderr and "[JZ902]" in proc.stderr
    assert "rows" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(site) == kept


def test_config_and_base_url_changes(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    (project / "jobzone.toml").write_text('[site]\ntitle = "Rebuilt Zone"\n', encoding="utf-8")
    rebuilt(run, project)
    new = assert_as_clean_build(run, project)
    assert "Rebuilt Zone" in new["index.html"].decode("utf-8")
    base = "https://user.github.io/repo/"
    rebuilt(run, project, "--base-url", base)
    new = assert_as_clean_build(run, project, "--base-url", base)
    assert base in new["sitemap.xml"].decode("utf-8")
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project, "--base-url", base)
    assert_as_clean_build(run, project, "--base-url", base)
    rebuilt(run, project)  # without the option: back to the config's (empty) base URL
    new = assert_as_clean_build(run, project)
    assert base not in new["sitemap.xml"].decode("utf-8")


# --- 7. edits the file's size and time cannot show ---------------------------------------------

def _same_size_edit(path: Path) -> None:
    data = path.read_bytes()
    assert data.count(b"Timeline: 2-4 years.") == 1
    path.write_bytes(data.replace(b"Timeline: 2-4 years.", b"Timeline: 3-4 years."))
    assert len(path.read_bytes()) == len(data)


def test_racy_edit_with_same_size_and_time_is_picked_up(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    path = project / NLP
    path.write_bytes(path.read_bytes())  # the fixture's copy keeps the fixture's time: written now
    os.utime(path, ns=(time.time_ns(), time.time_ns()))
    built(run, project)  # scans the report within RACY_NS of its last change
    info = path.stat()
    stamps = list((project / ".jobzone-cache" / "builds").glob("*.stamp.marshal"))
    assert len(stamps) == 1
    stamp = Stamp.from_bytes(stamps[0].read_bytes())
    assert stamp is not None
    scanned_ns = stamp.scanned_ns
    assert info.st_mtime_ns >= scanned_ns - RACY_NS, "the build started too long after the edit to test this"
    _same_size_edit(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)
    rebuilt(run, project)
    new = assert_as_clean_build(run, project)
    assert "Timeline: 3-4 years." in new["roles/nlp-engineer/index.html"].decode("utf-8")


def test_an_old_file_edited_with_its_size_and_time_put_back_is_seen(run: Run, tmp_path: Path) -> None:
    """Outside the racy window, size and times stand for the bytes (nothing is read); an edit that
    puts size and modification time back (`cp -p`, `touch -r`) still moves the change time (ctime),
    so it is seen without `--clean`."""
    project = copy_fixture(tmp_path)
    path = project / NLP
    os.utime(path, ns=(PAST_NS, PAST_NS))
    built(run, project)
    _same_size_edit(path)
    os.utime(path, ns=(PAST_NS, PAST_NS))
    rebuilt(run, project)
    assert "Timeline: 3-4 years." in (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    assert_as_clean_build(run, project)


def test_a_link_to_a_link_pointed_elsewhere_is_seen(run: Run, tmp_path: Path) -> None:
    """report -> store/current.txt -> store/v1.txt, then current.txt pointed at a same-size, older
    v2.txt: every report read through the re-pointed link is read again."""
    project = copy_fixture(tmp_path)
    store = project / "content/roles/store"
    store.mkdir()
    report = project / NLP
    shutil.move(report, store / "v1.txt")
    (store / "v2.txt").write_bytes((store / "v1.txt").read_bytes().replace(b"Timeline: 2-4 years.",
                                                                           b"Timeline: 3-4 years."))
    for version in ("v1.txt", "v2.txt"):
        os.utime(store / version, ns=(PAST_NS, PAST_NS))
    (store / "current.txt").symlink_to("v1.txt")
    report.symlink_to("store/current.txt")
    built(run, project)
    time.sleep(RACY_NS / 1e9)
    up_to_date(run, project)
    (store / "next.txt").symlink_to("v2.txt")
    os.replace(store / "next.txt", store / "current.txt")  # as `ln -sfn` does
    rebuilt(run, project)
    assert "Timeline: 3-4 years." in (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    assert_as_clean_build(run, project)


# --- 8. a damaged cache ------------------------------------------------------------------------

@pytest.mark.parametrize("damaged", ["model", "stamp", "both"])
@pytest.mark.parametrize("payload", [b"\x80\x05garbage that is no record", b"\x80\x04K\x07.", marshal.dumps(7),
                                     marshal.dumps((1, "settings"))],
                         ids=["garbage", "pickled-7", "marshalled-7", "short-tuple"])
def test_damaged_build_records_cost_only_time(run: Run, tmp_path: Path, damaged: str, payload: bytes) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    records = project / ".jobzone-cache" / "builds"
    kinds = ["model", "stamp"] if damaged == "both" else [damaged]
    for kind in kinds:
        found = list(records.glob(f"*.{kind}.*"))
        assert len(found) == 1, found
        found[0].write_bytes(payload)
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project)
    assert_as_clean_build(run, project)
    edit(project, NLP, "Timeline (revised)", "Timeline (revised twice)")
    rebuilt(run, project)
    assert_as_clean_build(run, project)


@pytest.mark.parametrize("render", [b"", b"\x80\x05garbage", pickle.dumps("not a render context")])
def test_a_damaged_render_context_costs_only_time(run: Run, tmp_path: Path, render: bytes) -> None:
    """The kept render context that a prose edit's page is rendered with, unreadable or of the wrong
    kind inside an intact record: the edit is built the whole way instead."""
    project = copy_fixture(tmp_path)
    built(run, project)
    [found] = (project / ".jobzone-cache" / "builds").glob("*.model.*")
    model = pickle.loads(found.read_bytes())
    model.render = render
    found.write_bytes(pickle.dumps(model))
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project)
    assert_as_clean_build(run, project)


def test_missing_cache_gives_a_full_build(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    before = stats(project / "site")
    shutil.rmtree(project / ".jobzone-cache")
    rebuilt(run, project)
    assert_full_build(before, stats(project / "site"))
    assert_as_clean_build(run, project)


# --- 9. files reports link to ------------------------------------------------------------------

def test_linked_image_changes_are_copied(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    image = project / ROLES / "img" / "chart.png"
    image.parent.mkdir()
    image.write_bytes(b"\x89PNG\r\n\x1a\n first chart")
    edit(project, NLP, "## Evidence Score\n", "![chart](img/chart.png)\n\n## Evidence Score\n")
    built(run, project)
    site = project / "site"
    assert (site / "assets/img/chart.png").read_bytes() == image.read_bytes()
    assert "assets/img/chart.png" in (site / "roles/nlp-engineer/index.html").read_text(encoding="utf-8")

    old, before = snapshot(site), stats(site)
    image.write_bytes(b"\x89PNG\r\n\x1a\n second chart, longer")
    rebuilt(run, project)
    new, after = snapshot(site), stats(site)
    assert new["assets/img/chart.png"] == image.read_bytes()
    assert assert_rewrote_only_changed_bytes(old, new, before, after) == {"assets/img/chart.png"}
    assert_as_clean_build(run, project)

    # same size, racy: read again
    info = image.stat()
    image.write_bytes(b"\x89PNG\r\n\x1a\n SECOND chart, longer")
    os.utime(image, ns=(info.st_atime_ns, info.st_mtime_ns))
    rebuilt(run, project)
    assert (site / "assets/img/chart.png").read_bytes() == image.read_bytes()
    assert_as_clean_build(run, project)

    # the link and the file removed: the copy and its emptied folders go
    edit(project, NLP, "![chart](img/chart.png)\n\n", "")
    image.unlink()
    image.parent.rmdir()
    rebuilt(run, project)
    assert not (site / "assets").exists()
    assert_as_clean_build(run, project)


def test_image_linked_by_an_unchanged_report_appears_when_the_link_is_added(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    (project / ROLES / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n diagram")
    edit(project, CONVERSATIONAL, "## Evidence Score\n", "![diagram](diagram.png)\n\n## Evidence Score\n")
    rebuilt(run, project)
    assert (project / "site/assets/diagram.png").is_file()
    assert_as_clean_build(run, project)
    # another, unchanged report's neighbour: edit a third report, the asset stays
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project)
    assert (project / "site/assets/diagram.png").is_file()
    assert_as_clean_build(run, project)


# --- 10. a larger generated corpus -------------------------------------------------------------

def test_generated_corpus_edits_in_a_row(run: Run, tmp_path: Path) -> None:
    project = tmp_path / "project"
    roles = project / ROLES
    generate(40, roles, seed=23)
    built(run, project)
    site = project / "site"
    for step, number in enumerate((3, 17, 3)):
        slug = f"role-{number:05d}"
        old, before = snapshot(site), stats(site)
        edit(project, ROLES / f"{slug}.md", "Timeline: 2-4 years", f"Timeline: 2-4 years (edit {step})")
        rebuilt(run, project)
        new, after = snapshot(site), stats(site)
        changed = assert_rewrote_only_changed_bytes(old, new, before, after)
        assert f"roles/{slug}/index.html" in changed
        assert changed <= {f"roles/{slug}/index.html", f"roles/{slug}/index.json"}
        assert_as_clean_build(run, project)

    # a new citation: role 5 cites role 20 by name and score, and links its report
    cited = roles / "role-00020.md"
    title, score = title_of(cited), cited_score(cited)
    old, before = snapshot(site), stats(site)
    edit(project, ROLES / "role-00005.md", "Timeline: 2-4 years.",
         f"- {title} (AIJRI {score}) -- a new neighbour.\n\nSee [its report](role-00020.md).\n\n"
         "Timeline: 2-4 years.")
    rebuilt(run, project)
    new, after = snapshot(site), stats(site)
    changed = assert_rewrote_only_changed_bytes(old, new, before, after)
    assert "roles/role-00005/index.html" in changed
    assert "roles/role-00020/index.html" in changed  # its backlinks
    assert_as_clean_build(run, project)

    # two reports edited at once, one of them new
    (roles / "role-00041.md").write_text(
        (roles / "role-00040.md").read_text(encoding="utf-8")
        .replace("slug: role-00040", "slug: role-00041")
        .replace(f"title: {title_of(roles / 'role-00040.md')}", "title: Copied Analyst 41")
        .replace(f"| Job Title | {title_of(roles / 'role-00040.md')} |", "| Job Title | Copied Analyst 41 |"),
        encoding="utf-8")
    edit(project, ROLES / "role-00012.md", "Timeline: 2-4 years.", "Timeline: 2-4 years (again).")
    rebuilt(run, project)
    assert (site / "roles/role-00041/index.html").is_file()
    assert_as_clean_build(run, project)


# --- more than one output folder, and git --------------------------------------------------------

def test_each_output_folder_keeps_its_own_record(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run, project)
    built(run, project, "--out", "site2")
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project)
    second_before = stats(project / "site2")
    second_old = snapshot(project / "site2")
    rebuilt(run, project, "--out", "site2")  # its record is of the content before the edit
    second = snapshot(project / "site2")
    assert assert_rewrote_only_changed_bytes(second_old, second, second_before, stats(project / "site2")) \
        <= NLP_FILES
    assert second == snapshot(project / "site")
    assert_as_clean_build(run, project)
    proc = build(run, project, "--out", "site2")
    assert proc.returncode == 0 and "site2 is up to date" in proc.stdout, proc.stdout


def _git(project: Path, *args: str, day: str = "2025-03-04") -> None:
    when = f"{day}T12:00:00+00:00"
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=project, check=True, capture_output=True, timeout=60,
                   env={**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_commits_and_uncommitted_edits(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    _git(project, "init", "-q")
    _git(project, "add", "content")
    _git(project, "commit", "-q", "-m", "first")
    built(run, project)
    page = project / "site/roles/nlp-engineer/index.html"
    assert "2025-03-04" in page.read_text(encoding="utf-8")
    edit(project, NLP, "Timeline: 2-4 years.", "Timeline (revised): 2-4 years.")
    rebuilt(run, project)  # not committed: the page changes, its date does not
    assert "2025-03-04" in page.read_text(encoding="utf-8")
    assert_as_clean_build(run, project)
    _git(project, "commit", "-q", "-am", "second", day="2025-05-06")
    rebuilt(run, project)  # a new commit: new dates
    assert "2025-05-06" in page.read_text(encoding="utf-8")
    assert_as_clean_build(run, project)


# --- found in review: links, file/folder swaps, libraries, a killed build --------------------------

def test_editing_the_target_of_a_linked_report_is_seen(run: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    hidden = project / ROLES / ".sources"
    hidden.mkdir()
    (project / NLP).rename(hidden / "nlp-engineer.md")
    (project / NLP).symlink_to(Path(".sources") / "nlp-engineer.md")
    old = time.time_ns() - 10 * RACY_NS  # outside the racy window: only the stat can tell
    os.utime(hidden / "nlp-engineer.md", ns=(old, old))
    built(run, project)
    edit(project, hidden / "nlp-engineer.md", "Timeline: 2-4 years.", "Timeline (linked): 2-4 years.")
    rebuilt(run, project)
    assert "Timeline (linked)" in (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    assert_as_clean_build(run, project)
    edit(project, hidden / "nlp-engineer.md", "title: NLP Engineer", "title: [broken")
    proc = build(run, project)
    assert proc.returncode == 1 and "build stopped" in proc.stderr


@pytest.mark.parametrize("swap", ["file-to-folder", "folder-to-file"])
def test_an_asset_that_becomes_a_folder_or_a_file(run: Run, tmp_path: Path, swap: str) -> None:
    project = copy_fixture(tmp_path)
    roles = project / ROLES
    as_file, as_folder = "![fig](fig)", "![fig](fig/a.png)"
    first, second = (as_file, as_folder) if swap == "file-to-folder" else (as_folder, as_file)
    edit(project, NLP, "Timeline: 2-4 years.", f"Timeline: 2-4 years.\n\n{first}")
    (roles / "fig").mkdir() if first == as_folder else (roles / "fig").write_bytes(b"\x89PNG one")
    if first == as_folder:
        (roles / "fig/a.png").write_bytes(b"\x89PNG two")
    built(run, project)
    edit(project, NLP, first, second)
    shutil.rmtree(roles / "fig") if first == as_folder else (roles / "fig").unlink()
    if second == as_folder:
        (roles / "fig").mkdir()
        (roles / "fig/a.png").write_bytes(b"\x89PNG two")
    else:
        (roles / "fig").write_bytes(b"\x89PNG one")
    rebuilt(run, project)
    assert_as_clean_build(run, project)


def test_a_build_killed_while_its_workers_render_does_not_block_the_next(run: Run, tmp_path: Path) -> None:
    project = tmp_path / "project"
    generate(230, project / ROLES, seed=8)  # enough pages to render in worker processes
    built(run, project)
    import signal
    import sys

    victim = subprocess.Popen([sys.executable, "-m", "builder", "build", "--base-url", "https://example.org/"],
                              cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "CI": "true"})
    deadline = time.monotonic() + 60
    workers: list[str] = []
    while time.monotonic() < deadline and len(workers) < 2 and victim.poll() is None:
        try:
            workers = open(f"/proc/{victim.pid}/task/{victim.pid}/children").read().split()
        except OSError:
            break
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    started = time.monotonic()
    proc = build(run, project)  # would wait for ever on a lock held by orphaned workers
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "waiting for another build" not in proc.stderr and time.monotonic() - started < 120
    time.sleep(0.5)
    alive = [pid for pid in workers if os.path.exists(f"/proc/{pid}") and
             "Z" not in next((line for line in open(f"/proc/{pid}/status") if line.startswith("State")), "Z")]
    assert alive == []  # the workers ended with the build that started them


def test_templates_reached_through_a_linked_folder_are_tracked(run: Run, tmp_path: Path, repo_root: Path) -> None:
    project = copy_fixture(tmp_path)
    (project / "shared").mkdir()
    (project / "shared/footer.html").write_text("<p>footer one</p>\n", encoding="utf-8")
    (project / "templates").mkdir()
    (project / "templates/parts").symlink_to(Path("..") / "shared")
    base = (repo_root / "builder/templates/base.html").read_text(encoding="utf-8")
    assert base.count("</body>") == 1
    (project / "templates/base.html").write_text(base.replace("</body>", '{% include "parts/footer.html" %}</body>'),
                                                 encoding="utf-8")
    built(run, project)
    (project / "shared/footer.html").write_text("<p>footer two</p>\n", encoding="utf-8")
    rebuilt(run, project)
    assert "footer two" in (project / "site/index.html").read_text(encoding="utf-8")
    assert_as_clean_build(run, project)


def test_a_deleted_empty_content_folder_is_an_error_not_up_to_date(run: Run, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ROLES).mkdir(parents=True)
    built(run, project)
    (project / ROLES).rmdir()
    proc = build(run, project)
    assert proc.returncode == 2 and "no content folder" in proc.stderr and "up to date" not in proc.stdout


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("first_edit", ["prose", "principle-then-fix"])
def test_a_page_rendered_again_later_shows_the_edit_its_own_build_took_the_short_way(
        run: Run, tmp_path: Path, first_edit: str) -> None:
    """An edit only its own page shows renders that page alone (the short way); when a later edit of
    another report makes the page render again, it is rendered from the edited bytes, not from the
    bytes the last whole build read (which put the old page back, and kept it)."""
    project = copy_fixture(tmp_path)
    built(run, project)
    if first_edit == "prose":
        edited, page = project / NLP, "roles/nlp-engineer/index.html"
        _replace(edited, "personalisation creates some new tasks", "personalisation creates really some new tasks")
        marker = "creates really some"
        later = [(project / CONVERSATIONAL, "aliases: [Chatbot Engineer]",
                  'aliases: ["Chatbot Engineer", "Search Engineer"]')]
    else:
        edited, page = project / CONVERSATIONAL, "roles/conversational-ai-engineer/index.html"
        _replace(edited, "| Goal-Setting & Moral Judgment | 2 |", "| Goal-Setting & Moral Judgment | 3 |")
        assert run(["fix", str(edited.relative_to(project))], project).returncode == 0
        marker = "Protective 3 + Correlation 1"
        seed = project / ROLES / "recommendation-systems-engineer.md"
        later = [(seed, "title: Recommendation Systems Engineer\n", "title: Ranking Engineer\n"),
                 (seed, "| Job Title | Recommendation Systems Engineer |", "| Job Title | Ranking Engineer |")]
    rebuilt(run, project)
    assert marker in (project / "site" / page).read_text(encoding="utf-8")
    for change in later:
        _replace(*change)
    rebuilt(run, project)
    assert marker in (project / "site" / page).read_text(encoding="utf-8")
    assert_as_clean_build(run, project)
    up_to_date(run, project)
    assert marker in (project / "site" / page).read_text(encoding="utf-8")
