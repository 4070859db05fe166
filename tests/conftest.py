"""Shared fixtures: where the project lives, the shipped report, and a way to run the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_REPORT = REPO_ROOT / "content" / "roles" / "recommendation-systems-engineer.md"
CLI_TIMEOUT = 60


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def seed_md() -> str:
    """Text of the shipped, valid Markdown report."""
    return SHIPPED_REPORT.read_text(encoding="utf-8")


def _run(args: Sequence[str], cwd: Path | str, env: Mapping[str, str] | None = None,
         command: Sequence[str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    # The package must import from this checkout whatever the working directory is.
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), full_env.get("PYTHONPATH")]))
    full_env.update(env or {})
    base = list(command) if command is not None else [sys.executable, "-m", "builder"]
    return subprocess.run([*base, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          encoding="utf-8", timeout=CLI_TIMEOUT, check=False)


@pytest.fixture(scope="session")
def run_jobzone() -> Callable[..., subprocess.CompletedProcess[str]]:
    """run_jobzone(args, cwd, env=None, command=None) -> CompletedProcess (text).

    GITHUB_ACTIONS is removed from the environment unless `env` sets it, so output does
    not depend on where the tests run. `command` replaces `python -m builder`.
    """
    return _run
