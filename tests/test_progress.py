"""The progress bar: drawn on an interactive terminal for long builds, never in CI or into a pipe."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("progress") / "project"
    generate(110, folder / "content" / "roles", seed=4)  # over the 100 reports a bar is drawn from
    return folder


def _build(project: Path, terminal: bool, **env: str) -> tuple[int, str]:
    """`jobzone build --clean` with stderr on a pseudo-terminal (or a pipe); returns its exit code and stderr."""
    environ = {key: value for key, value in os.environ.items() if key not in ("CI", "GITHUB_ACTIONS")}
    environ.update({"PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "COLUMNS": "100", **env})
    command = [sys.executable, "-m", "builder", "build", "--clean"]
    if not terminal:
        proc = subprocess.run(command, cwd=project, env=environ, capture_output=True, text=True, timeout=300)
        return proc.returncode, proc.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=project, env=environ, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 300)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the build has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_a_long_build_on_a_terminal_shows_checking_and_rendering(project: Path) -> None:
    code, shown = _build(project, terminal=True)
    assert code == 0, shown
    assert "Checking" in shown and "Rendering" in shown
    assert "110/110" in shown  # reports checked (and pages rendered) out of all


@pytest.mark.parametrize("where", ["ci", "pipe"])
def test_no_bar_in_ci_or_into_a_pipe(project: Path, where: str) -> None:
    code, shown = _build(project, terminal=where == "ci", **({"CI": "true"} if where == "ci" else {}))
    assert code == 0, shown
    assert "Checking" not in shown and "Rendering" not in shown and "\x1b[?25l" not in shown
