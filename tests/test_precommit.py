"""`.pre-commit-hooks.yaml` run by pre-commit itself, as another repository would use the hook.

pre-commit installs jobzone from a git repository into a virtualenv of its own, with packages
from the package index. It only sees committed files, so the hook is tried from a snapshot
commit of this working tree (uncommitted changes included), not from the checkout itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pre_commit  # noqa: F401 - a test extra: this module must run, not be skipped, where it is missing
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORT = "content/roles/recommendation-systems-engineer.md"
BAD_WEIGHTED = ("| 25% | 3 | 0.75 | AUGMENTATION |", "| 25% | 3 | 0.80 | AUGMENTATION |")
INSTALL_TIMEOUT = 900  # each try-repo builds a virtualenv with jobzone and pandas in it
# Not copied into the snapshot when the checkout's own file list cannot be had from git.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "site", ".jobzone-cache", "__pycache__", "*.pyc",
                                     "*.egg-info", "build", "dist", ".pytest_cache", ".hypothesis")


def git(args: Sequence[str], cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def new_repo(path: Path) -> Path:
    """A git repository with a local identity, so commits work on a machine with no git config."""
    path.mkdir(parents=True, exist_ok=True)
    git(["init", "-q"], path)
    git(["config", "user.name", "jobzone tests"], path)
    git(["config", "user.email", "tests@jobzone.invalid"], path)
    git(["config", "commit.gpgsign", "false"], path)
    return path


def commit_all(repo: Path, message: str) -> None:
    git(["add", "-A"], repo)
    git(["commit", "-q", "--no-verify", "-m", message], repo)


def source_files() -> list[str] | None:
    """This checkout's files as git sees them: tracked and untracked-but-not-ignored, as on disk now."""
    try:
        proc = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    return [name for name in proc.stdout.split("\0") if name] if proc.returncode == 0 else None


def snapshot(target: Path) -> Path:
    """A one-commit repository holding this working tree as it is, uncommitted edits included."""
    names = source_files()
    if names is None:
        shutil.copytree(REPO_ROOT, target, ignore=NOT_SOURCES, symlinks=True)
    else:
        for name in names:
            source = REPO_ROOT / name
            if source.is_file():  # a tracked file deleted in the working tree is left out
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    new_repo(target)
    commit_all(target, "snapshot of the working tree")
    return target


def pre_commit_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "PYTHONPATH")}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PRE_COMMIT_COLOR"] = "never"
    env["SKIP"] = ""
    return env


def index_url() -> str:
    """The index pip installs from here (what pre-commit's own pip uses): PIP_INDEX_URL, pip's config, or PyPI."""
    configured = os.environ.get("PIP_INDEX_URL")
    if not configured:
        proc = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                              timeout=60, check=False)
        values = [line.split("=", 1)[1].strip("'\"") for line in proc.stdout.splitlines()
                  if line.split("=", 1)[0].endswith(".index-url")]
        configured = values[-1] if values else None
    return (configured or "https://pypi.org/simple").rstrip("/")


def index_unreachable() -> str | None:
    """Why the package index cannot be reached, or None if it answers (a project page, not the huge root)."""
    url = f"{index_url()}/pip/"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read(1024)
    except (OSError, ValueError) as exc:  # URLError and timeouts are OSErrors
        return f"{url}: {exc}"
    return None


class Hook:
    """`pre-commit try-repo SNAPSHOT jobzone-check --all-files` in a consumer repository."""

    def __init__(self, snapshot_repo: Path, consumer: Path, home: Path) -> None:
        self.snapshot_repo, self.consumer, self.home = snapshot_repo, consumer, home

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(self.snapshot_repo),
                               "jobzone-check", "--all-files", "--verbose"],
                              cwd=self.consumer, env=pre_commit_env(self.home), capture_output=True, text=True,
                              timeout=INSTALL_TIMEOUT, check=False)


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hook]:
    assert shutil.which("git"), "git is needed to make the repositories pre-commit works on"
    base = tmp_path_factory.mktemp("precommit")
    consumer = new_repo(base / "consumer")
    (consumer / REPORT).parent.mkdir(parents=True)
    shutil.copy2(REPO_ROOT / REPORT, consumer / REPORT)
    commit_all(consumer, "a report")
    # try-repo builds the hook's virtualenv in a store of its own, once per call; PRE_COMMIT_HOME
    # keeps pre-commit's log and anything else it writes away from the user's ~/.cache/pre-commit.
    yield Hook(snapshot(base / "jobzone"), consumer, base / "pre-commit-home")


def test_hook_file_declares_jobzone_check():
    manifest = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert manifest.returncode == 0, manifest.stdout + manifest.stderr
    (hook_def,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook_def["id"] == "jobzone-check"
    assert hook_def["entry"] == "jobzone check"
    assert hook_def["language"] == "python"
    assert hook_def["pass_filenames"] is True and hook_def["require_serial"] is True
    assert hook_def["files"] == r"^content/roles/.*\.md$"


def test_hook_passes_then_fails_on_a_wrong_number(hook: Hook):
    passed = hook.run()
    output = passed.stdout + passed.stderr
    # pre-commit reports a failed install of the hook's environment as an unexpected error.
    if passed.returncode != 0 and "An unexpected error has occurred" in output:
        reason = index_unreachable()
        if reason is not None:
            pytest.skip(f"pre-commit cannot install the hook: the package index is unreachable ({reason})")
    assert passed.returncode == 0, output
    assert "jobzone check" in output and "Passed" in output, output
    # Warnings (roles cited without a report) are shown but do not fail the commit.
    assert f"{REPORT}:15:34: warning:" in output, output

    report = hook.consumer / REPORT
    old, new = BAD_WEIGHTED
    text = report.read_text(encoding="utf-8")
    assert text.count(old) == 1
    line = text[:text.index(old)].count("\n") + 1
    col = text.split("\n")[line - 1].index("0.75") + 1
    report.write_text(text.replace(old, new), encoding="utf-8")
    commit_all(hook.consumer, "a wrong weighted cell")

    failed = hook.run()
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "Failed" in output and "exit code: 1" in output, output
    assert f"{REPORT}:{line}:{col}: error: Weighted of task" in output, output
    assert "stated 0.80, computed 0.75" in output and "[JZ301]" in output, output
