"""A build killed at any moment leaves a whole site and a usable cache; two builds at once do not collide."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.generate import generate
from test_build import snapshot

ROOT = Path(__file__).resolve().parent.parent


def _build(project: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "builder", "build", *args], cwd=project, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "CI": "true"})


def _edit(project: Path, marker: str) -> None:
    path = project / "content/roles/role-00002.md"
    text = path.read_text(encoding="utf-8")
    head, _, tail = text.rpartition("Timeline: 2-4 years")
    path.write_text(f"{head}Timeline: 2-4 years{marker}{tail.split('.', 1)[1] if '.' in tail else tail}",
                    encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    generate(60, tmp_path / "project" / "content" / "roles", seed=11)
    return tmp_path / "project"


def test_a_build_killed_at_any_moment_leaves_a_whole_site(project: Path) -> None:
    first = _build(project)
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    sites = [snapshot(project / "site")]
    started = time.monotonic()
    timing = _build(project, "--clean")
    assert timing.wait(timeout=300) == 0
    duration = time.monotonic() - started
    for attempt, fraction in enumerate((0.15, 0.4, 0.6, 0.8, 0.95)):
        _edit(project, f" (attempt {attempt})")
        victim = _build(project, "--clean")
        time.sleep(duration * fraction)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        site = snapshot(project / "site")
        assert (project / "site" / "index.html").is_file() and (project / "site" / ".jobzone-site").is_file()
        again = _build(project)
        assert again.wait(timeout=300) == 0, again.stderr.read() if again.stderr else ""
        sites.append(snapshot(project / "site"))
        # whole: the site before the killed build, or the whole site it was writing
        assert site in (sites[-2], sites[-1]), f"a half-written site after a kill at {fraction:.0%}"
        leftovers = [p.name for p in project.iterdir() if p.name.startswith(".site.jobzone-")]
        assert leftovers == []
    clean = _build(project, "--clean")
    assert clean.wait(timeout=300) == 0
    assert snapshot(project / "site") == sites[-1]  # the cache left by killed builds gave the right site


def test_two_builds_at_once_do_not_collide(project: Path) -> None:
    builds = [_build(project), _build(project)]
    outputs = [(b.wait(timeout=300), b.stderr.read() if b.stderr else "") for b in builds]
    assert [code for code, _ in outputs] == [0, 0], outputs
    together = snapshot(project / "site")
    alone = _build(project, "--clean", "--out", "site2")
    assert alone.wait(timeout=300) == 0
    assert together == snapshot(project / "site2")
    assert not [p.name for p in project.iterdir() if p.name.startswith(".site.jobzone-")]
