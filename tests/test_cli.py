"""End-to-end behaviour of the `jobzone` command, always through a subprocess."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from helpers import renamed

from builder import __version__

NAME = "recommendation-systems-engineer.md"
REL = f"content/roles/{NAME}"
SEED_TXT = Path("/work/shared/seed/recommendation-systems-engineer.txt")
TEXT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): .+ \[(?P<code>JZ\d{3})\]$")
GITHUB_LINE = re.compile(r"^::(?P<sev>error|warning) file=(?P<path>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                         r"title=(?P<code>JZ\d{3})::(?P<message>.+)$")
SUMMARY = re.compile(r"^Checked (?P<n>\d+) reports?: (?:no problems|(?P<e>\d+) errors?, (?P<w>\d+) warnings?)\.$")
BAD_WEIGHTED = ("| 25% | 3 | 0.75 | AUGMENTATION |", "| 25% | 3 | 0.80 | AUGMENTATION |")


@pytest.fixture
def run(run_jobzone):
    """run_jobzone, plus the rule that no output ever shows a traceback."""
    def call(args, cwd, **kwargs):
        proc = run_jobzone(args, cwd, **kwargs)
        assert "Traceback" not in proc.stdout, proc.stdout
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc
    return call


def write_site(root: Path, files: dict[str, str], folder: str = "content/roles") -> Path:
    target = root / folder
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    return target


def with_bad_weighted(text: str) -> tuple[str, int]:
    """The report with one wrong Weighted cell, and that cell's line."""
    old, new = BAD_WEIGHTED
    assert text.count(old) == 1
    return text.replace(old, new), text[:text.index(old)].count("\n") + 1


def lines_of(proc) -> list[str]:
    return proc.stdout.rstrip("\n").split("\n")


# --- jobzone check on the shipped content ---------------------------------------------------

def test_shipped_content_is_clean_with_summary(run, repo_root):
    proc = run(["check"], repo_root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    *diagnostics, last = lines_of(proc)
    summary = SUMMARY.match(last)
    assert summary, last
    assert summary["n"] == "1"
    assert summary["e"] in (None, "0")
    assert int(summary["w"] or 0) == len(diagnostics)
    for line in diagnostics:
        match = TEXT_LINE.match(line)
        assert match, line
        assert match["sev"] == "warning" and match["path"] == REL, line


def test_shipped_content_json_parses(run, repo_root):
    proc = run(["check", "--format", "json"], repo_root)
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert set(data) == {"diagnostics", "summary"}
    assert set(data["summary"]) == {"reports", "errors", "warnings"}
    for d in data["diagnostics"]:
        assert set(d) == {"path", "line", "col", "severity", "code", "message"}
        assert isinstance(d["line"], int) and isinstance(d["col"], int)
        assert re.fullmatch(r"JZ\d{3}", d["code"])
    warnings = sum(d["severity"] == "warning" for d in data["diagnostics"])
    assert data["summary"] == {"reports": 1, "errors": 0, "warnings": warnings}


def test_json_reports_an_error(run, tmp_path, seed_md):
    bad, line = with_bad_weighted(seed_md)
    write_site(tmp_path, {NAME: bad})
    proc = run(["check", "--format", "json"], tmp_path)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    errors = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert [(d["path"], d["line"], d["code"]) for d in errors] == [(REL, line, "JZ301")]
    assert data["summary"]["errors"] == 1


def test_text_error_line_shape(run, tmp_path, seed_md):
    bad, line = with_bad_weighted(seed_md)
    write_site(tmp_path, {NAME: bad})
    proc = run(["check"], tmp_path)
    assert proc.returncode == 1
    errors = [m for m in map(TEXT_LINE.match, lines_of(proc)[:-1]) if m and m["sev"] == "error"]
    assert [(m["path"], int(m["line"]), m["code"]) for m in errors] == [(REL, line, "JZ301")]
    summary = SUMMARY.match(lines_of(proc)[-1])
    assert summary and summary["e"] == "1"


def test_github_format_line_shape(run, tmp_path, seed_md):
    bad, line = with_bad_weighted(seed_md)
    write_site(tmp_path, {NAME: bad})
    proc = run(["check", "--format", "github"], tmp_path)
    assert proc.returncode == 1
    *annotations, last = lines_of(proc)
    assert SUMMARY.match(last), last
    assert annotations
    matches = [GITHUB_LINE.match(a) for a in annotations]
    assert all(matches), annotations
    errors = [m for m in matches if m["sev"] == "error"]
    assert [(m["path"], int(m["line"]), m["code"]) for m in errors] == [(REL, line, "JZ301")]
    col = bad.split("\n")[line - 1].index("0.80") + 1
    assert int(errors[0]["col"]) == col
    assert "stated 0.80" in errors[0]["message"]


def test_github_actions_env_adds_annotations_to_text(run, tmp_path, seed_md):
    bad, _ = with_bad_weighted(seed_md)
    write_site(tmp_path, {NAME: bad})
    plain = run(["check"], tmp_path)
    assert not any(line.startswith("::") for line in lines_of(plain))
    ci = run(["check"], tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert ci.returncode == plain.returncode == 1
    lines = lines_of(ci)
    annotations = [line for line in lines if line.startswith("::")]
    assert annotations and all(GITHUB_LINE.match(a) for a in annotations)
    # The annotations come first, then exactly the plain text output.
    assert lines[:len(annotations)] == annotations
    assert lines[len(annotations):] == lines_of(plain)
    assert len(annotations) == len(lines_of(plain)) - 1


def test_github_actions_env_leaves_json_alone(run, repo_root):
    proc = run(["check", "--format", "json"], repo_root, env={"GITHUB_ACTIONS": "true"})
    assert proc.returncode == 0
    json.loads(proc.stdout)


# --- usage problems ------------------------------------------------------------------------

def test_nonexistent_path_is_a_usage_error(run, repo_root):
    proc = run(["check", "no/such/report.md"], repo_root)
    assert proc.returncode == 2
    assert "no/such/report.md" in proc.stderr
    assert "error" in proc.stderr


def test_no_content_folder_is_a_usage_error(run, tmp_path):
    proc = run(["check"], tmp_path)
    assert proc.returncode == 2
    assert "content/roles" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_broken_site_config_is_a_usage_error(run, tmp_path):
    (tmp_path / "content" / "roles").mkdir(parents=True)
    (tmp_path / "jobzone.toml").write_text("[site]\ntitle = 3\n")
    proc = run(["check"], tmp_path)
    assert proc.returncode == 2
    assert "jobzone.toml" in proc.stderr and "JZ901" in proc.stderr


def test_broken_methodology_override_is_a_usage_error(run, tmp_path):
    (tmp_path / "content" / "roles").mkdir(parents=True)
    (tmp_path / "methodology.toml").write_text("[coefficients]\nevidence = \n")
    proc = run(["check"], tmp_path)
    assert proc.returncode == 2
    assert "methodology.toml:2" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(("config", "where", "message"), [
    ('[site]\ntitle = "x"\n\n# the content\ncontent_dir = 5\n', "jobzone.toml:5:1",
     "[site] content_dir must be text, found 5"),
    ('title = "top"\n[site]\n  bogus = 1\n', "jobzone.toml:3:3", "unknown [site] field 'bogus'"),
    ('site = 3\n', "jobzone.toml:1:1", "[site] must be a table"),
    ('[site]\ntitle = "x"\noutput_dir = "site\\u0000x"\n', "jobzone.toml:3:1",
     "[site] output_dir must be a folder or file name, found 'site\\x00x' (a NUL character)"),
    ('[site]\nmethodology = "m.toml"\n', "m.toml:5:1", "coefficients.evidence: expected a number, found 'x'"),
])
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_wrong_value_in_the_settings_is_located(run, tmp_path, config, where, message, command):
    """tomllib keeps no positions: the value's line is found in the text (`tomldata.key_position`)."""
    (tmp_path / "content" / "roles").mkdir(parents=True)
    (tmp_path / "jobzone.toml").write_text(config, encoding="utf-8")
    (tmp_path / "m.toml").write_text("# an override\n[coefficients]\nbarrier = \"0.02\"\n\nevidence = \"x\"\n",
                                     encoding="utf-8")
    proc = run([command], tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{where}: {message}" in proc.stderr and proc.stderr.rstrip().endswith("[JZ901]"), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_every_problem_of_the_site_config_is_told_at_once(run, tmp_path):
    """As MkDocs does: all of jobzone.toml's problems, each at its line, not one per run."""
    (tmp_path / "content" / "roles").mkdir(parents=True)
    (tmp_path / "jobzone.toml").write_text('[site]\ntitle = 3\nbogus = 1\n\noutput_dir = "site"\nbase_url = []\n',
                                           encoding="utf-8")
    proc = run(["build"], tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert [line.split("jobzone.toml:")[1].split(":")[0] for line in lines] == ["2", "3", "6"], proc.stderr
    assert all(line.startswith("jobzone: error: ") and line.endswith("[JZ901]") for line in lines)


def test_key_position_reads_tables_arrays_and_dotted_keys():
    from builder.tomldata import key_position

    text = ('name = "m"\n[coefficients]\nevidence = 1\n[[zones]]\nname = "A"\n[[zones]]\n  min = 2\n'
            '[[sublabels]]\nwhen = { score = { min = 1 } }\n"quoted key".x = 1\n')
    assert key_position(text, "coefficients.evidence") == (3, 1)
    assert key_position(text, "zones[1].min") == (7, 3)
    assert key_position(text, "zones[0].min") == (4, 1)  # not written: its table
    assert key_position(text, "sublabels[0].when.score.min") == (9, 1)  # inside an inline table: its key
    assert key_position(text, "sublabels[0].quoted key.x") == (10, 1)
    assert key_position(text, "nothing.here") == (1, 1)


def test_bad_format_is_a_usage_error(run, repo_root):
    proc = run(["check", "--format", "xml"], repo_root)
    assert proc.returncode == 2
    assert "xml" in proc.stderr


def test_no_command_is_a_usage_error(run, tmp_path):
    proc = run([], tmp_path)
    assert proc.returncode == 2
    assert "usage" in proc.stderr.lower()


def test_help(run, tmp_path):
    proc = run(["--help"], tmp_path)
    assert proc.returncode == 0
    assert "check" in proc.stdout and "import" in proc.stdout


def test_version_via_module(run, tmp_path):
    proc = run(["--version"], tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"jobzone {__version__}"


def test_version_via_console_script(run, tmp_path):
    script = Path(sys.executable).parent / "jobzone"
    if not script.exists():
        pytest.skip(f"console script {script} not installed")
    proc = run(["--version"], tmp_path, command=[str(script)])
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"jobzone {__version__}"


# --- choosing what to check ----------------------------------------------------------------

def test_checking_a_folder(run, repo_root):
    proc = run(["check", "content/roles"], repo_root)
    assert proc.returncode == 0
    summary = SUMMARY.match(lines_of(proc)[-1])
    assert summary and summary["n"] == "1"


def test_checking_a_single_file(run, repo_root):
    proc = run(["check", "--format", "json", REL], repo_root)
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["summary"]["reports"] == 1
    assert {d["path"] for d in data["diagnostics"]} <= {REL}


def test_given_folder_is_the_only_one_reported(run, tmp_path, seed_md):
    """A bad draft outside content/roles: only the draft is reported, and content/roles stays clean."""
    write_site(tmp_path, {NAME: seed_md})
    draft, line = with_bad_weighted(renamed(seed_md, "Recommendation Systems Engineer Draft",
                                            "recommendation-systems-engineer-draft"))
    write_site(tmp_path, {"recommendation-systems-engineer-draft.md": draft}, folder="drafts")

    proc = run(["check", "--format", "json", "drafts"], tmp_path)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["summary"]["reports"] == 1
    assert {d["path"] for d in data["diagnostics"]} == {"drafts/recommendation-systems-engineer-draft.md"}
    assert [d["line"] for d in data["diagnostics"] if d["severity"] == "error"] == [line]

    assert run(["check", "content/roles"], tmp_path).returncode == 0
    assert run(["check"], tmp_path).returncode == 0


# --- jobzone import ------------------------------------------------------------------------

@pytest.fixture
def seed_txt() -> Path:
    if not SEED_TXT.exists():
        pytest.skip(f"seed report {SEED_TXT} not available")
    return SEED_TXT


def test_import_is_idempotent_and_refuses_to_overwrite(run, tmp_path, seed_txt):
    out = tmp_path / "content" / "roles"
    target = out / NAME

    first = run(["import", str(seed_txt), "--out", str(out)], tmp_path)
    assert first.returncode == 0, first.stderr
    assert target.is_file()
    imported = target.read_text(encoding="utf-8")
    assert imported.startswith("---\n")

    again = run(["import", str(seed_txt), "--out", str(out)], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
    assert target.read_text(encoding="utf-8") == imported

    edited = imported + "\nA local edit.\n"
    target.write_text(edited, encoding="utf-8")
    refused = run(["import", str(seed_txt), "--out", str(out)], tmp_path)
    assert refused.returncode == 1
    assert "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == edited

    forced = run(["import", str(seed_txt), "--out", str(out), "--force"], tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8") == imported


def test_imported_seed_checks_clean(run, tmp_path, seed_txt):
    out = tmp_path / "content" / "roles"
    assert run(["import", str(seed_txt), "--out", str(out)], tmp_path).returncode == 0
    proc = run(["check", "--format", "json"], tmp_path)
    assert proc.returncode == 0, proc.stdout
    data = json.loads(proc.stdout)
    assert data["summary"]["reports"] == 1
    assert data["summary"]["errors"] == 0


def test_import_of_missing_file_fails_cleanly(run, tmp_path):
    proc = run(["import", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "out")], tmp_path)
    assert proc.returncode != 0
    assert "missing.txt" in proc.stderr


def test_given_paths_still_resolve_citations_against_content_roles(run, tmp_path, seed_md):
    """A draft citing a role whose report lives in content/roles is checked against that report."""
    write_site(tmp_path, {NAME: seed_md})
    draft = renamed(seed_md, "Recommendation Systems Engineer Draft", "recommendation-systems-engineer-draft")
    old = "- AI Solutions Architect (AIJRI 71.3) -- "
    new = "- Recommendation Systems Engineer (AIJRI 50.1) -- "
    assert draft.count(old) == 1
    draft = draft.replace(old, new)
    line = draft[:draft.index(new)].count("\n") + 1
    write_site(tmp_path, {"recommendation-systems-engineer-draft.md": draft}, folder="drafts")

    proc = run(["check", "--format", "json", "drafts/recommendation-systems-engineer-draft.md"], tmp_path)
    data = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stdout
    on_line = [d for d in data["diagnostics"] if d["line"] == line]
    assert [d["code"] for d in on_line if d["severity"] == "error"] == ["JZ404"], on_line
    assert "40.8" in next(d["message"] for d in on_line if d["code"] == "JZ404")
    assert not any(d["code"] == "JZ405" for d in on_line)
    assert data["summary"]["errors"] == 1
    assert {d["path"] for d in data["diagnostics"]} == {"drafts/recommendation-systems-engineer-draft.md"}


@pytest.mark.parametrize("args, expect", [
    (["--conf", "build", "check"], "[JZ901]"),  # an abbreviated --config takes `build` as its file
    (["--co", "build", "check"], "[JZ901]"),
    (["-h", "build"], "serve"),  # the whole parser's help, every command listed
    (["--", "build"], "invalid choice"),  # argparse's own reading of `--`
])
def test_command_lines_read_as_the_whole_parser_reads_them(run, tmp_path, args, expect):
    """Declaring only the chosen command's arguments must never change how a command line reads."""
    proc = run(args, tmp_path)
    assert expect in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "choose from 'build')" not in proc.stderr


def test_jobzone_runs_from_a_zip_archive(run, tmp_path, repo_root):
    """Imported from a zip (a zipapp, an egg): no package folder to list, the archive stands for it."""
    import shutil
    import zipfile

    archive = tmp_path / "jobzone.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted((repo_root / "builder").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                bundle.write(path, path.relative_to(repo_root).as_posix())
    project = tmp_path / "project"
    shutil.copytree(repo_root / "tests" / "fixtures" / "site", project)
    env = {"PYTHONPATH": str(archive)}
    for args in (["check"], ["build"], ["build"]):
        proc = run(args, project, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "internal error" not in proc.stderr
    assert (project / "site" / "index.html").is_file()
