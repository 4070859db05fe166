"""The persistent cache: it must never change a result, only how fast it comes."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from builder import cache as cache_module
from builder.cache import Cache
from builder.check import Checked
from builder.diagnostics import Location, error
from test_build import FIXTURE, snapshot

CITED = "content/roles/nlp-engineer.md"        # cited by the other two fixture reports at 36.3
CITING = "content/roles/recommendation-systems-engineer.md"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns(".jobzone-cache"))
    return target


def _override(project: Path, score: str) -> None:
    """Give the cited report an assessor override, so its published score changes and it stays valid."""
    path = project / CITED
    text = path.read_text(encoding="utf-8")
    text = text.replace("aliases:", f"assessor_override:\n  score: {score}\n  reason: test\naliases:", 1)
    path.write_text(text.replace("Assessor override: None", f"Assessor override: {score}", 1), encoding="utf-8")


def test_editing_a_cited_report_changes_the_citing_reports_check_and_page(run_jobzone, project: Path) -> None:
    assert run_jobzone(["build"], project).returncode == 0
    assert (project / ".jobzone-cache").is_dir()
    before = (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    _override(project, "36.9")
    checked = run_jobzone(["check"], project)
    assert checked.returncode == 1
    assert f"{CITING}:" in checked.stdout and "[JZ404]" in checked.stdout
    built = run_jobzone(["build"], project)
    assert built.returncode == 1 and "[JZ404]" in built.stdout
    assert (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8") == before


def test_a_warm_cache_builds_exactly_what_a_clean_build_does(run_jobzone, project: Path, tmp_path: Path) -> None:
    assert run_jobzone(["build"], project).returncode == 0
    page = project / "content/roles/conversational-ai-engineer.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Timeline:", "Timeline (revised):", 1), encoding="utf-8")
    assert run_jobzone(["build"], project).returncode == 0
    warm = snapshot(project / "site")
    assert run_jobzone(["build", "--clean"], project).returncode == 0
    assert snapshot(project / "site") == warm
    assert "Timeline (revised):" in (project / "site/roles/conversational-ai-engineer/index.html").read_text("utf-8")


def test_unchanged_build_stops_early_and_a_damaged_site_is_rebuilt(run_jobzone, project: Path) -> None:
    first = run_jobzone(["build"], project)
    assert first.returncode == 0
    site = snapshot(project / "site")
    again = run_jobzone(["build"], project)
    assert again.returncode == 0 and "is up to date" in again.stdout
    assert first.stdout.split("Built")[0] in again.stdout  # the same warnings are shown again
    (project / "site/roles/nlp-engineer/index.html").unlink()
    repaired = run_jobzone(["build"], project)
    assert repaired.returncode == 0 and "is up to date" not in repaired.stdout
    assert snapshot(project / "site") == site


def test_a_corrupted_cache_is_recomputed(run_jobzone, project: Path) -> None:
    assert run_jobzone(["build"], project).returncode == 0
    site = snapshot(project / "site")
    for path in (project / ".jobzone-cache").rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x80\x05garbage" if path.suffix == ".pickle" else b"{not json")
    (project / "site/index.html").unlink()
    rebuilt = run_jobzone(["build"], project)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "Traceback" not in rebuilt.stderr
    assert snapshot(project / "site") == site


def test_the_cache_is_used_and_clean_empties_it(run_jobzone, project: Path) -> None:
    """Poison one cache entry: a normal check shows the poison (the cache is read), --clean does not."""
    assert run_jobzone(["check"], project).returncode == 0
    entries = list((project / ".jobzone-cache" / "analysis").rglob("*.pickle"))
    assert len(entries) == 3
    for path in entries:
        checked = pickle.loads(path.read_bytes())
        if checked.path == CITED:
            checked.diagnostics.append(error("JZ301", "poisoned", Location(CITED, 1, 1)))
            path.write_bytes(pickle.dumps(checked))
    assert "poisoned" in run_jobzone(["check"], project).stdout
    clean = run_jobzone(["check", "--clean"], project)
    assert clean.returncode == 0 and "poisoned" not in clean.stdout


def test_a_different_jobzone_or_methodology_misses_the_cache(tmp_path: Path, monkeypatch) -> None:
    data, name = b"report bytes", "content/roles/x.md"
    first = Cache(tmp_path, "methodology A")
    first.store(first.key(data, name), Checked(name, None, []))
    assert first.load(first.key(data, name)) is not None
    assert Cache(tmp_path, "methodology B").key(data, name) != first.key(data, name)
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version")
    assert Cache(tmp_path, "methodology A").key(data, name) != first.key(data, name)


def test_worker_processes_give_the_same_result(tmp_path: Path, monkeypatch) -> None:
    from benchmarks.generate import generate
    from builder import check
    from builder.methodology import load_methodology

    paths = generate(12, tmp_path / "roles", seed=5)
    broken = paths[3]
    broken.write_text(broken.read_text(encoding="utf-8").replace("| Total |", "| Total | 9 |", 1), encoding="utf-8")
    files = [(p, f"content/roles/{p.name}") for p in paths]
    m = load_methodology()
    serial = check.check_files(files, m)
    monkeypatch.setattr(check, "PARALLEL_FROM", 2)
    parallel = check.check_files(files, m, Cache(tmp_path, "m"))
    assert parallel.diagnostics == serial.diagnostics and parallel.diagnostics
    assert [c.path for c in parallel.checked] == [c.path for c in serial.checked]
    assert [e.card.values for e in parallel.entries] == [e.card.values for e in serial.entries]
    assert len(list((tmp_path / ".jobzone-cache" / "analysis").rglob("*.pickle"))) == 12  # workers fill the cache


def test_pages_rendered_in_worker_processes_equal_pages_rendered_here(tmp_path: Path, monkeypatch) -> None:
    """The build renders role pages from summaries and the cached analyses, in workers when there are
    many; the site is the one a single process renders from the whole analyses."""
    from benchmarks.generate import generate
    from builder import workers
    from builder.config import load_config
    from builder.links import link_site
    from builder.methodology import load_methodology
    from builder.project import run_check
    from builder.render import SiteInfo
    from builder.site import assemble

    project = tmp_path / "project"
    generate(14, project / "content" / "roles", seed=3)
    monkeypatch.chdir(project)
    config, m = load_config(project), load_methodology()
    cache = Cache(project, repr(m))
    site = SiteInfo("t", "d", "https://example.org/x/")

    whole, _ = run_check(config, m, [])
    here = assemble(config, m, site, whole.entries, link_site(whole.entries, whole.index))
    summaries, _ = run_check(config, m, [], cache, summaries=True)
    assert all(not e.report.document.tokens for e in summaries.entries)  # no tokens kept: only summaries
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2)
    spread = assemble(config, m, site, summaries.entries, link_site(summaries.entries, summaries.index),
                      renderer=workers.RenderInWorkers(project / "templates", None, cache))
    assert spread.files == here.files
    assert sum(1 for path in spread.files if path.startswith("roles/")) == 28


# --- the cache does not grow with every edit and every upgrade ----------------------------------

def _age(folder: Path, seconds: float) -> None:
    """Make everything under `folder` (and itself) `seconds` older than now."""
    import os
    import time

    then = time.time() - seconds
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (then, then), follow_symlinks=False)


def _analyses(project: Path) -> dict[str, object]:
    """Each analysis in the cache: its key -> the report path it holds."""
    return {path.stem: pickle.loads(path.read_bytes()).path
            for path in (project / ".jobzone-cache" / "analysis").rglob("*.pickle")}


def test_a_sweep_keeps_the_live_and_the_young_and_drops_the_rest(tmp_path: Path, monkeypatch) -> None:
    import time

    now = time.time()
    old = Cache(tmp_path, "methodology A")
    old.store(old.key(b"anything", "x.md"), Checked("x.md", None, []))
    old.verdicts["{}"] = ()
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version")
    cache = Cache(tmp_path, "methodology A")
    assert cache.generation != old.generation
    live, dead, young = (cache.key(text, "r.md") for text in (b"live", b"edited away", b"made beside"))
    for key in (live, dead, young):
        cache.store(key, Checked("r.md", None, []))
    cache.verdicts["{}"] = ()
    _age(tmp_path / ".jobzone-cache", 2 * cache_module.SWEEP_GRACE_S)
    cache.store(young, Checked("r.md", None, []))  # written just now, by a build or serve beside this one
    assert cache.sweep_due(now)
    cache.sweep({live}, now)
    assert not cache.sweep_due(now) and cache.sweep_due(now + cache_module.SWEEP_EVERY_S)
    assert cache.load(live) is not None and cache.load(young) is not None and cache.load(dead) is None
    assert cache.verdicts.get("{}") == ()  # this generation's verdicts stay
    assert old.load(old.key(b"anything", "x.md")) is None and old.verdicts.get("{}") is None  # another's go
    assert sorted(p.name for p in (tmp_path / ".jobzone-cache" / "analysis").iterdir()) == [cache.generation]


def test_a_sweep_spares_another_generation_used_within_the_grace(tmp_path: Path, monkeypatch) -> None:
    import time

    other = Cache(tmp_path, "methodology B")  # another config of the same project, used just now
    other.store(other.key(b"report", "r.md"), Checked("r.md", None, []))
    Cache(tmp_path, "methodology A").sweep(set(), time.time())
    assert other.load(other.key(b"report", "r.md")) is not None


def test_builds_sweep_analyses_no_report_needs(run_jobzone, project: Path) -> None:
    """Edits, a report since deleted and an older jobzone's entries leave analyses nothing reads
    again; the next build deletes those an hour old (a full build always, an incremental one once
    a day), and a full build after it finds every analysis it needs."""
    report = project / "content/roles/conversational-ai-engineer.md"
    edited = report.relative_to(project).as_posix()

    def edit(n: int) -> None:
        report.write_text(report.read_text(encoding="utf-8").replace("Timeline", f"Timeline {n}", 1), encoding="utf-8")
        assert run_jobzone(["build"], project).returncode == 0

    assert run_jobzone(["build"], project).returncode == 0
    stale = project / ".jobzone-cache/analysis/0123456789abcdef/ab"  # as another version leaves them
    stale.mkdir(parents=True)
    (stale / "ab00.pickle").write_bytes(pickle.dumps(Checked("content/roles/gone.md", None, [])))
    for n in range(3):
        edit(n)
    extra = project / "content/roles/extra.md"
    shutil.copy(project / CITED, extra)
    assert run_jobzone(["check"], project).returncode == 1  # a second NLP Engineer
    extra.unlink()
    found = _analyses(project)
    assert sorted(found.values()) == sorted([CITED, CITING, *[edited] * 4, "content/roles/extra.md",
                                             "content/roles/gone.md"])
    _age(project / ".jobzone-cache", 2 * cache_module.SWEEP_EVERY_S)
    edit(3)  # incremental, and the last sweep is two days old
    kept = _analyses(project)
    assert sorted(kept.values()) == sorted([CITED, CITING, edited])
    assert not stale.exists()
    times = {path: path.stat().st_mtime_ns for path in (project / ".jobzone-cache/analysis").rglob("*.pickle")}
    site = snapshot(project / "site")
    (project / "site/index.html").unlink()  # so the next build is a full one, from the swept cache
    assert run_jobzone(["build"], project).returncode == 0
    assert snapshot(project / "site") == site
    assert {path: path.stat().st_mtime_ns for path in times} == times  # every analysis was found, none redone


def _in_process_build(project: Path, monkeypatch, *args: str) -> int:
    from builder.cli import main

    monkeypatch.chdir(project)
    return main(["build", *args])


@pytest.mark.parametrize("linked", ["analysis", "generation"])
def test_a_sweep_never_deletes_through_a_symbolic_link(project: Path, tmp_path: Path, monkeypatch,
                                                       linked: str) -> None:
    """The cache's folders moved elsewhere and linked back: whatever else is there stays, even
    when it is old and named like the cache's own entries."""
    assert _in_process_build(project, monkeypatch) == 0
    analysis = project / ".jobzone-cache" / "analysis"
    (generation,) = analysis.iterdir()
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(analysis if linked == "analysis" else generation), elsewhere)
    keep = [elsewhere / "ab" / f"{'0' * 40}.pickle", elsewhere / "0123456789abcdef" / "x", elsewhere / "photos" / "a"]
    for path in keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"precious")
    _age(elsewhere, 2 * cache_module.SWEEP_EVERY_S)
    (analysis if linked == "analysis" else generation).symlink_to(elsewhere, target_is_directory=True)
    (project / "site" / "index.html").unlink()  # so the next build is a full one, which sweeps
    assert _in_process_build(project, monkeypatch) == 0
    assert all(path.read_bytes() == b"precious" for path in keep)


def test_an_entry_that_cannot_be_deleted_leaves_the_build_a_success(project: Path, monkeypatch, capsys) -> None:
    import os

    assert _in_process_build(project, monkeypatch) == 0
    (generation,) = (project / ".jobzone-cache" / "analysis").iterdir()
    stuck = generation / "ab" / f"ab{'0' * 38}.pickle"
    stuck.parent.mkdir(exist_ok=True)
    stuck.write_bytes(b"x")
    _age(stuck.parent, 2 * cache_module.SWEEP_GRACE_S)
    unlink = os.unlink

    def refuse(path: object, *args: object, **kwargs: object) -> None:  # a read-only mount, another user's file
        if Path(str(path)) == stuck:
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", refuse)
    (project / "site" / "index.html").unlink()
    capsys.readouterr()
    assert _in_process_build(project, monkeypatch) == 0
    printed, problems = capsys.readouterr()
    assert "Built 20 pages" in printed and problems == ""
    assert stuck.exists()


def test_a_file_name_that_is_not_utf8_is_no_trouble(project: Path) -> None:
    """A report or image whose name is not UTF-8 (unzipped from an old archive, say): the report is
    checked and its name printed as its bytes, even where output must be UTF-8; no internal error."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
           "PYTHONIOENCODING": "utf-8"}  # strict UTF-8 output, as under a UTF-8 locale

    def build() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "builder", "build"], cwd=project, env=env, capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=120, check=False)

    roles = os.fsencode(project / "content" / "roles")
    for name in (b"caf\xe9.png", b"caf\xe9.md"):
        with open(roles + b"/" + name, "wb") as stream:
            stream.write(b"not linked by any report")
    proc = build()
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1 and "content/roles/caf\ufffd.md:1:1: error" in proc.stdout and "[JZ101]" in proc.stdout
    os.unlink(roles + b"/caf\xe9.md")
    proc = build()
    assert proc.returncode == 0, proc.stderr


def test_a_report_saved_during_a_build_is_built_as_checked_then_seen(project: Path, monkeypatch) -> None:
    """Saved after the build checked it, before its page was rendered: the page shows the bytes that
    were checked, and the next build picks the save up."""
    import builder.links

    report = project / CITED
    link_site = builder.links.link_site

    def save_then_link(*args: object, **kwargs: object) -> object:
        report.write_text(report.read_text(encoding="utf-8").replace("Timeline:", "Timeline (saved):", 1),
                          encoding="utf-8")
        return link_site(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(builder.links, "link_site", save_then_link)
        assert _in_process_build(project, monkeypatch) == 0
    page = project / "site/roles/nlp-engineer/index.html"
    assert "Timeline (saved)" not in page.read_text(encoding="utf-8")
    assert _in_process_build(project, monkeypatch) == 0
    assert "Timeline (saved)" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["file", "dangling link"])
@pytest.mark.parametrize("clean", [False, True])
def test_a_cache_folder_that_is_not_a_folder_is_a_clear_error(run_jobzone, project: Path, kind: str,
                                                               clean: bool) -> None:
    """A build holds the cache's lock, so it needs the folder; what has its name is not jobzone's to
    delete (even with --clean): the user is told, check still works, and nothing is built."""
    cache = project / ".jobzone-cache"
    if kind == "file":
        cache.write_text("notes", encoding="utf-8")
    else:
        cache.symlink_to(project / "nowhere")
    proc = run_jobzone(["build", *(["--clean"] if clean else [])], project)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"cannot use the cache folder {cache}" in proc.stderr and proc.stderr.rstrip().endswith("[JZ901]")
    assert "internal error" not in proc.stderr and not (project / "site").exists()
    assert cache.is_symlink() if kind != "file" else cache.read_text(encoding="utf-8") == "notes"
    assert run_jobzone(["check"], project).returncode == 0
    cache.unlink()
    assert run_jobzone(["build"], project).returncode == 0
