"""A build with nothing to do is answered from the last run's record (`builder.freshness`) before
the pipeline is imported; anything that could change the site or what is printed sends the
build down the full path.

End-to-end tests run `python -m builder build` in a subprocess under `-X importtime`: the
quick answer is the one that never imports `builder.cli`. Each project is copied, then every
file in it is dated well in the past, so nothing is in the racy window unless a test puts it
there.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import renamed
from test_build import SEED, copy_fixture, snapshot

from builder import freshness
from builder.freshness import ABSENT, RACY_NS, Stamp, answer, run_key, run_path, sources_unchanged, unchanged

Run = Callable[..., subprocess.CompletedProcess[str]]
PAST_NS = 1_000_000_000 * 10**9  # September 2001
NLP = Path("content/roles/nlp-engineer.md")


# --- helpers -----------------------------------------------------------------------------------

def age(*folders: Path) -> None:
    """Date every file and folder under `folders` (and the folders) in the past."""
    for folder in folders:
        for here, names, files in os.walk(folder):
            for name in [*names, *files]:
                os.utime(Path(here) / name, ns=(PAST_NS, PAST_NS), follow_symlinks=False)
        os.utime(folder, ns=(PAST_NS, PAST_NS))


def aged_project(tmp_path: Path) -> Path:
    project = copy_fixture(tmp_path)
    age(project)
    return project


def jobzone(run: Run, project: Path, *args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], bool]:
    """Run `build` (or `args`) and tell whether it was answered quickly (builder.cli never imported)."""
    proc = run(list(args or ("build",)), cwd or project, env={"PYTHONPROFILEIMPORTTIME": "1", **(env or {})})
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return proc, "builder.freshness" in imported and "builder.cli" not in imported


def quick(run: Run, project: Path, *args: str, **options) -> subprocess.CompletedProcess[str]:
    proc, was_quick = jobzone(run, project, *args, **options)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert was_quick, "expected the quick answer\n" + proc.stdout
    assert "is up to date" in proc.stdout
    return proc


def full(run: Run, project: Path, *args: str, **options) -> subprocess.CompletedProcess[str]:
    proc, was_quick = jobzone(run, project, *args, **options)
    assert not was_quick, "expected the full path, got the quick answer\n" + proc.stdout
    return proc


def settled(run: Run, project: Path) -> str:
    """Build, then age what the build read so the next identical build may be answered quickly;
    returns what the full path prints for an up-to-date site."""
    proc = full(run, project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for run_file in (project / ".jobzone-cache" / "builds").glob("run-*"):
        run_file.unlink()  # so the next build takes the full path and prints "up to date" its own way
    again = full(run, project)
    assert "is up to date" in again.stdout, again.stdout
    return again.stdout


# --- the records ---------------------------------------------------------------------------------

def _stamp(**changes) -> Stamp:
    fields = dict(settings="s", watched={"/a": (1, 2)}, present={"/.git": False}, watched_ns=5,
                  sources={"r.md": (1, 2, "d")}, scanned_ns=6, output={"": (3, 4)}, printed="ok")
    fields.update(changes)
    return Stamp(**fields)


def test_stamp_round_trips_and_damage_reads_as_absent() -> None:
    stamp = _stamp()
    assert Stamp.from_bytes(stamp.to_bytes()) == stamp
    assert Stamp.from_bytes(stamp.to_bytes()) != _stamp(printed="other")
    for damaged in (b"", b"\x00garbage", marshal.dumps(7), marshal.dumps((freshness.FORMAT, "s")),
                    marshal.dumps((freshness.FORMAT + 1, *list(stamp.to_bytes())[1:9])), stamp.to_bytes()[:-3]):
        assert Stamp.from_bytes(damaged) is None


def test_unchanged_needs_same_stat_and_old_enough(tmp_path: Path) -> None:
    path = tmp_path / "t.html"
    path.write_text("x", encoding="utf-8")
    os.utime(path, ns=(PAST_NS, PAST_NS))
    missing = str(tmp_path / "missing.toml")
    watched = freshness.watch([str(path), missing])
    assert watched[missing] == ABSENT
    now = time.time_ns()
    assert unchanged(watched, {}, now)
    assert not unchanged(watched, {}, PAST_NS + RACY_NS - 1)  # changed too close to being looked at
    path.write_text("y", encoding="utf-8")
    os.utime(path, ns=(PAST_NS, PAST_NS + 1))
    assert not unchanged(watched, {}, now)
    os.utime(path, ns=(PAST_NS, PAST_NS))
    assert not unchanged(watched, {}, now)  # same size and time put back: its change time (ctime) still moved
    watched = freshness.watch([str(path), missing])
    assert unchanged(watched, {}, now)  # as stated now, it stands for its bytes
    Path(missing).write_text("", encoding="utf-8")
    assert not unchanged(watched, {}, now)
    Path(missing).unlink()
    assert unchanged(watched, {str(tmp_path / ".git"): False}, now)
    (tmp_path / ".git").mkdir()
    assert not unchanged(watched, {str(tmp_path / ".git"): False}, now)


def test_sources_unchanged_sees_every_kind_of_change(tmp_path: Path) -> None:
    content = tmp_path / "roles"
    content.mkdir()
    (content / "a.md").write_text("a", encoding="utf-8")
    os.utime(content / "a.md", ns=(PAST_NS, PAST_NS))
    sources = {"a.md": (*freshness.stat_of(str(content / "a.md")), "digest")}
    now = time.time_ns()
    assert sources_unchanged(str(content), sources, now)
    assert not sources_unchanged(str(content), sources, PAST_NS + 1)  # racy
    (content / "b.md").write_text("b", encoding="utf-8")
    assert not sources_unchanged(str(content), sources, now)  # added
    (content / "b.md").unlink()
    os.utime(content / "a.md", ns=(PAST_NS, PAST_NS + 1))
    assert not sources_unchanged(str(content), sources, now)  # touched
    (content / "a.md").unlink()
    assert not sources_unchanged(str(content), sources, now)  # removed
    shutil.rmtree(content)
    assert not sources_unchanged(str(content), {}, now)  # the folder itself is gone


def test_answer_never_raises_on_a_damaged_run_record(tmp_path: Path) -> None:
    key = run_key(["build"], str(tmp_path))
    path = Path(run_path(str(tmp_path / ".jobzone-cache"), key))
    path.parent.mkdir(parents=True)
    assert answer(["build"], str(tmp_path)) is None  # no record
    for damaged in (b"\x00", marshal.dumps((freshness.FORMAT, key)), marshal.dumps(
            (freshness.FORMAT, key, str(tmp_path / "no-stamp"), 1, str(tmp_path), str(tmp_path), "up to date\n"))):
        path.write_bytes(damaged)
        assert answer(["build"], str(tmp_path)) is None
    assert answer(["build", "--clean"], str(tmp_path)) is None


# --- end to end ----------------------------------------------------------------------------------

def test_an_unchanged_build_is_answered_quickly_and_prints_what_the_full_path_prints(
        run_jobzone: Run, tmp_path: Path) -> None:
    project = aged_project(tmp_path)
    expected = settled(run_jobzone, project)
    site = snapshot(project / "site")
    first = quick(run_jobzone, project)
    assert first.stdout == expected
    assert quick(run_jobzone, project).stdout == expected
    assert snapshot(project / "site") == site


def test_the_answer_is_for_the_same_command_line_only(run_jobzone: Run, tmp_path: Path) -> None:
    project = aged_project(tmp_path)
    settled(run_jobzone, project)
    quick(run_jobzone, project)
    full(run_jobzone, project, "build", "--out", "site")  # another command line: its own record, first time
    quick(run_jobzone, project, "build", "--out", "site")
    full(run_jobzone, project, env={"GITHUB_ACTIONS": "true"})  # prints annotations: never the plain answer
    full(run_jobzone, project, env={"GIT_DIR": str(tmp_path / "elsewhere")})
    other = full(run_jobzone, project, "build", "--clean")
    assert "Built " in other.stdout
    (project / "jobzone.toml").write_text('[site]\ntitle = "Elsewhere"\n', encoding="utf-8")
    (project / "sub").mkdir()
    for _ in range(2):  # the record is kept in the project's cache, looked for in the working directory's
        proc = full(run_jobzone, project, "--config", str(project / "jobzone.toml"), "build", cwd=project / "sub")
        assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("change", ["report edited", "report added", "report removed", "output edited",
                                    "output removed", "output added", "template added", "config added",
                                    "stamp removed", "run record damaged", "cache removed"])
def test_any_change_takes_the_full_path(run_jobzone: Run, tmp_path: Path, change: str) -> None:
    project = aged_project(tmp_path)
    settled(run_jobzone, project)
    quick(run_jobzone, project)
    report, site, builds = project / NLP, project / "site", project / ".jobzone-cache" / "builds"
    if change == "report edited":
        report.write_text(report.read_text(encoding="utf-8").replace("Timeline: 2-4 years.", "Timeline: 3 years."),
                          encoding="utf-8")
    elif change == "report added":
        (project / "content/roles/copy.md").write_text(
            renamed(SEED, "Search Relevance Engineer", "search-relevance-engineer"), encoding="utf-8")
    elif change == "report removed":
        report.unlink()
    elif change == "output edited":
        with (site / "index.html").open("a", encoding="utf-8") as stream:
            stream.write("<!-- by hand -->")
    elif change == "output removed":
        (site / "roles/nlp-engineer/index.json").unlink()
    elif change == "output added":
        (site / "roles/stray.html").write_text("stray", encoding="utf-8")
    elif change == "template added":
        (project / "templates").mkdir()
        (project / "templates/extra.html").write_text("<p>unused</p>", encoding="utf-8")
    elif change == "config added":
        (project / "jobzone.toml").write_text('[site]\ntitle = "Renamed"\n', encoding="utf-8")
    elif change == "stamp removed":
        for stamp in builds.glob("*.stamp.*"):
            stamp.unlink()
    elif change == "run record damaged":
        for record in builds.glob("run-*"):
            record.write_bytes(b"\x00damaged")
    elif change == "cache removed":
        shutil.rmtree(project / ".jobzone-cache")
    proc = full(run_jobzone, project)
    if change == "report removed":  # another report links to it: the full path says so
        assert proc.returncode == 1 and "JZ408" in proc.stdout, proc.stdout
        return
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if change in ("report edited", "report added", "output edited", "output removed",
                  "output added", "config added", "cache removed"):
        assert "Built " in proc.stdout, proc.stdout
    if change == "config added":
        assert "Renamed" in (site / "index.html").read_text(encoding="utf-8")
    if change == "output added":
        assert not (site / "roles/stray.html").exists()
    if change == "output edited":
        assert "by hand" not in (site / "index.html").read_text(encoding="utf-8")


def test_a_report_changed_just_before_a_build_is_never_trusted_by_its_stat(run_jobzone: Run, tmp_path: Path) -> None:
    """Racy: the report is rewritten (same size, same time) right after a build that looked at it
    within RACY_NS of its last change; the quick answer must not say "up to date"."""
    project = aged_project(tmp_path)
    report = project / NLP
    settled(run_jobzone, project)
    data = report.read_bytes()
    report.write_bytes(data.replace(b"Timeline: 2-4 years.", b"Timeline: 3-4 years."))
    assert len(report.read_bytes()) == len(data)
    info = report.stat()
    proc = full(run_jobzone, project)  # sees the edit, records the report's stat within RACY_NS
    assert "Built " in proc.stdout
    report.write_bytes(data)  # back, same size
    os.utime(report, ns=(info.st_atime_ns, info.st_mtime_ns))  # and same time
    proc = full(run_jobzone, project)
    assert "Built " in proc.stdout, proc.stdout
    assert "Timeline: 2-4 years." in (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")


def test_a_template_edit_takes_the_full_path(run_jobzone: Run, tmp_path: Path) -> None:
    project = aged_project(tmp_path)
    templates = project / "templates"
    templates.mkdir()
    (templates / "base.html").write_text((Path(__file__).parent.parent / "builder/templates/base.html")
                                         .read_text(encoding="utf-8"), encoding="utf-8")
    age(templates)
    settled(run_jobzone, project)
    quick(run_jobzone, project)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- edited --></body>"), encoding="utf-8")
    proc = full(run_jobzone, project)
    assert "Built " in proc.stdout
    assert "<!-- edited -->" in (project / "site/index.html").read_text(encoding="utf-8")


def test_a_commit_takes_the_full_path(run_jobzone: Run, tmp_path: Path) -> None:
    """Page dates come from git history: a new commit (or a repository appearing) must be looked at."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    project = aged_project(tmp_path)
    settled(run_jobzone, project)
    quick(run_jobzone, project)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    full(run_jobzone, project)  # a repository appeared above the content
    subprocess.run([*git, "add", "content"], cwd=project, check=True)
    env = {**os.environ, "GIT_COMMITTER_DATE": "2024-05-06T12:00:00", "GIT_AUTHOR_DATE": "2024-05-06T12:00:00"}
    subprocess.run([*git, "commit", "-q", "-m", "first"], cwd=project, check=True, env=env)
    proc = full(run_jobzone, project)
    assert "2024-05-06" in (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8"), proc.stdout
    age(project / ".git")
    settled(run_jobzone, project)
    quick(run_jobzone, project)
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = "2025-07-08T12:00:00"
    report = project / NLP
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-q", "-am", "second"], cwd=project, check=True, env=env)
    report.write_text(report.read_text(encoding="utf-8")[:-1], encoding="utf-8")  # the work tree as before
    os.utime(report, ns=(PAST_NS, PAST_NS))
    full(run_jobzone, project)


def test_the_quick_answer_imports_nothing_heavy(tmp_path: Path, run_jobzone: Run) -> None:
    """What makes it quick: Python's own start-up modules and builder.freshness, nothing else of ours."""
    project = aged_project(tmp_path)
    settled(run_jobzone, project)
    proc = quick(run_jobzone, project)
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert {name for name in imported if name.startswith("builder")} <= {"builder", "builder.__main__",
                                                                         "builder.freshness"}
    assert not imported & {"pickle", "hashlib", "dataclasses", "argparse", "jinja2", "markdown_it", "yaml"}


def test_the_installed_command_answers_too(tmp_path: Path, run_jobzone: Run) -> None:
    """`jobzone` (the console script) goes through the same entry as `python -m builder`."""
    script = Path(sys.executable).parent / "jobzone"
    if not script.exists():
        pytest.skip("jobzone is not installed in this environment")
    project = aged_project(tmp_path)
    proc = run_jobzone(["build"], project, command=[str(script)])
    assert proc.returncode == 0, proc.stderr
    again = run_jobzone(["build"], project, command=[str(script)])
    assert "site is up to date" in again.stdout


def test_deepening_a_shallow_clone_rebuilds_with_the_older_dates(run_jobzone: Run, tmp_path: Path) -> None:
    """A shallow clone dates every report by its one commit; `git fetch --unshallow` brings the
    history that dates them properly, with HEAD unchanged. Neither path may call that up to date."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin = copy_fixture(tmp_path / "origin")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
           "-c", "protocol.file.allow=always"]

    def commit(message: str, when: str) -> None:
        env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
        subprocess.run([*git, "add", "-A"], cwd=origin, check=True)
        subprocess.run([*git, "commit", "-q", "-m", message], cwd=origin, check=True, env=env)

    subprocess.run([*git, "init", "-q"], cwd=origin, check=True)
    commit("all reports", "2024-01-02T12:00:00")
    other = origin / "content/roles/conversational-ai-engineer.md"  # dated by its frontmatter, not by git
    other.write_text(other.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    commit("another report", "2025-03-04T12:00:00")
    clone = tmp_path / "clone"
    subprocess.run([*git, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True)
    page = clone / "site/roles/nlp-engineer/index.html"  # dated by git
    built = full(run_jobzone, clone)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "2025-03-04" in page.read_text(encoding="utf-8")  # the only commit there is
    subprocess.run([*git, "fetch", "-q", "--unshallow"], cwd=clone, check=True)
    rebuilt = full(run_jobzone, clone)
    assert "Built " in rebuilt.stdout, rebuilt.stdout
    assert "2024-01-02" in page.read_text(encoding="utf-8")


# --- found in review -----------------------------------------------------------------------------

def test_every_damaged_byte_of_a_stamp_reads_as_no_stamp() -> None:
    """marshal may crash or exhaust memory on damaged bytes: nothing is unmarshalled unchecked."""
    data = _stamp(sources={f"r{n}.md": (n, n, "d" * 32) for n in range(20)}).to_bytes()
    for at in range(len(data)):
        for value in (0x00, 0x7B, 0xBC, data[at] ^ 0x01):
            if value == data[at]:
                continue
            assert Stamp.from_bytes(data[:at] + bytes([value]) + data[at + 1:]) is None, at
    assert Stamp.from_bytes(data[:-1]) is None and Stamp.from_bytes(data + b"\x00") is None


@pytest.mark.parametrize("where", [0, 9, 20, 0.5, -1])
def test_a_damaged_stamp_on_disk_costs_a_full_build(run_jobzone: Run, tmp_path: Path, where: float) -> None:
    project = aged_project(tmp_path)
    settled(run_jobzone, project)
    stamp = next((project / ".jobzone-cache" / "builds").glob("*.stamp.*"))
    data = bytearray(stamp.read_bytes())
    at = int(len(data) * where) if isinstance(where, float) else where
    data[at] ^= 0xFF
    stamp.write_bytes(bytes(data))
    proc = full(run_jobzone, project)
    assert proc.returncode == 0 and "internal error" not in proc.stderr, proc.stderr
    assert "Built " in proc.stdout  # no record: a full build


def test_an_output_folder_named_through_a_link_is_followed_again(run_jobzone: Run, tmp_path: Path) -> None:
    project = aged_project(tmp_path)
    (project / "site-a").mkdir()
    (project / "site-b").mkdir()
    (project / "site").symlink_to("site-a")
    settled(run_jobzone, project)
    quick(run_jobzone, project)
    (project / "site").unlink()
    (project / "site").symlink_to("site-b")
    proc = full(run_jobzone, project)
    assert proc.returncode == 0, proc.stderr
    assert (project / "site-b" / "index.html").is_file()


def test_a_library_folder_appearing_on_the_path_takes_the_full_path(run_jobzone: Run, tmp_path: Path) -> None:
    """A folder named on PYTHONPATH that does not exist yet, or a library's name appearing in a folder
    of the path inside the project (`python -m` puts the working directory there), may change what
    is imported."""
    project = aged_project(tmp_path)
    later = tmp_path / "later"
    env = {"PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent), str(later)])}
    settled_env = full(run_jobzone, project, env=env)
    assert settled_env.returncode == 0, settled_env.stderr
    quick(run_jobzone, project, env=env)
    later.mkdir()
    age(later)  # not racy: only its appearing tells
    full(run_jobzone, project, env=env)
    quick(run_jobzone, project, env=env)
    (project / "yaml.py").write_text("raise ImportError('not the real yaml')\n", encoding="utf-8")
    proc = full(run_jobzone, project, env=env)
    assert "up to date" not in proc.stdout


def test_clean_however_spelt_is_never_answered(run_jobzone: Run, tmp_path: Path) -> None:
    project = aged_project(tmp_path)
    settled(run_jobzone, project)
    for spelling in ("--cl", "--clea", "--clean"):
        for _ in range(2):
            proc = full(run_jobzone, project, "build", spelling)
            assert "Built " in proc.stdout, proc.stdout
