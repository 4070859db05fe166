"""Behaviour of the plain-text -> Markdown importer, mostly checked against the seed report."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from builder.importer import SECTION_TITLES, SUBSECTION_TITLES, ImportFormatError, import_text, slugify

SEED = Path("/work/shared/seed/recommendation-systems-engineer.txt")
NUMBER = re.compile(r"[-+−]?\d+(?:\.\d+)?%?")
ROLE = "Role Definition\n| Field | Value |\n|---|---|\n| Job Title | Test Engineer |\n| Seniority Level | Mid-level |\n"


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.exists():
        pytest.skip(f"seed report {SEED} not available")
    return SEED.read_text(encoding="utf-8")


def split(markdown: str) -> tuple[dict, str]:
    """Frontmatter mapping and body of an imported document."""
    assert markdown.startswith("---\n")
    front, body = markdown[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def tokens(markdown: str):
    return MarkdownIt("commonmark").enable("table").parse(split(markdown)[1])


def paragraphs(markdown: str) -> list[str]:
    """Each paragraph's text as rendered, i.e. with backslash escapes resolved."""
    toks = tokens(markdown)
    return ["".join(c.content for c in toks[i + 1].children or ()) for i, t in enumerate(toks)
            if t.type == "paragraph_open"]


# --- the seed ---------------------------------------------------------------------------

def test_seed_frontmatter_and_result(seed: str) -> None:
    result = import_text(seed)
    meta, body = split(result.markdown)
    assert list(meta) == ["title", "slug", "seniority", "aliases"]
    assert meta == {"title": "Recommendation Systems Engineer", "slug": "recommendation-systems-engineer",
                    "seniority": "Mid-level", "aliases": []}
    assert (result.title, result.slug, result.warnings) == (meta["title"], meta["slug"], ())
    assert body.startswith("\n## Role Definition\n\n| Field | Value |\n|---|---|\n")


def test_seed_layout_rules(seed: str) -> None:
    markdown = import_text(seed).markdown
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    assert "\n\n\n" not in markdown
    assert all(line == line.rstrip() for line in markdown.split("\n"))
    headings = [line for line in markdown.split("\n") if line.startswith("#")]
    assert headings == [f"## {t}" for t in SECTION_TITLES[:9]] + [f"### {t}" for t in SUBSECTION_TITLES] \
        + [f"## {SECTION_TITLES[9]}"]


def test_seed_prose_kept_verbatim(seed: str) -> None:
    out_lines = set(import_text(seed).markdown.split("\n"))
    out_rows = [line for line in out_lines if line.startswith("|")]
    for line in seed.splitlines():
        text = line.strip()
        if not text or text.startswith("|---"):
            continue
        if text.startswith("|"):
            cells = [c.strip() for c in text.strip("|").split("|")]
            assert any(row.startswith(f"| {cells[0]} |") and all(f"| {c} |" in row for c in cells if c)
                       for row in out_rows), text
        elif text in SECTION_TITLES:
            assert f"## {text}" in out_lines
        elif text in SUBSECTION_TITLES:
            assert f"### {text}" in out_lines
        else:
            assert text in out_lines, text


def test_seed_numbers_all_kept(seed: str) -> None:
    _, body = split(import_text(seed).markdown)
    assert Counter(NUMBER.findall(body)) == Counter(NUMBER.findall(seed))


def test_seed_task_total_row_aligned(seed: str) -> None:
    lines = import_text(seed).markdown.split("\n")
    assert "| Total | 100% |  | 2.85 |  |  |" in lines
    assert "| Total | 3 |  |" in lines  # Evidence total padded to the header's width
    assert "| Protective Total | 2/9 |  |" in lines


def test_seed_renders_as_markdown(seed: str) -> None:
    toks = tokens(import_text(seed).markdown)
    assert sum(t.type == "table_open" for t in toks) == 7
    headings = [(t.tag, toks[i + 1].content) for i, t in enumerate(toks) if t.type == "heading_open"]
    assert [c for tag, c in headings if tag == "h2"] == list(SECTION_TITLES)
    assert [c for tag, c in headings if tag == "h3"] == list(SUBSECTION_TITLES)
    assert sum(t.type == "bullet_list_open" for t in toks) == 3
    assert not {t.type for t in toks} & {"ordered_list_open", "hr", "blockquote_open", "code_block", "fence"}
    # every row of every table has as many cells as its header
    tables: list[list[int]] = []
    for t in toks:
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            tables[-1].append(0)
        elif t.type in ("th_open", "td_open"):
            tables[-1][-1] += 1
    assert [(row[0], len(set(row))) for row in tables] == [(2, 1), (3, 1), (6, 1), (3, 1), (3, 1), (2, 1), (2, 1)]


def test_seed_idempotent(seed: str) -> None:
    once = import_text(seed).markdown
    assert import_text(once).markdown == once


def test_crlf_bom_trailing_space_variant(seed: str) -> None:
    variant = "\ufeff" + "\r\n".join(line + "  " for line in seed.split("\n")) + "\r\n\r\n"
    once = import_text(variant).markdown
    assert once == import_text(seed).markdown
    assert import_text(once).markdown == once


# --- frontmatter ----------------------------------------------------------------------

def test_existing_frontmatter_wins_and_keeps_order() -> None:
    text = "---\njob_family: Engineering\ntitle: Custom Title\naliases:\n- Tester\n---\n" + ROLE
    meta, _ = split(import_text(text).markdown)
    assert list(meta) == ["job_family", "title", "aliases", "slug", "seniority"]
    assert meta["title"] == "Custom Title" and meta["aliases"] == ["Tester"]
    assert meta["slug"] == "custom-title" and meta["seniority"] == "Mid-level"


def test_missing_seniority_is_a_warning_and_omitted() -> None:
    result = import_text("Role Definition\n| Field | Value |\n|---|---|\n| Job Title | QA Lead |\n")
    meta, _ = split(result.markdown)
    assert list(meta) == ["title", "slug", "aliases"]
    assert "line 2: no 'Seniority Level' in Role Definition table" in result.warnings


# --- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\t\r\n", "\ufeff\n"])
def test_empty_report(text: str) -> None:
    with pytest.raises(ImportFormatError) as info:
        import_text(text)
    assert (info.value.line, info.value.col, info.value.message) == (1, 1, "empty report")


@pytest.mark.parametrize("text", [
    "Evidence Score\nSome prose.\n",
    "Role Definition\nNo table here.\n",
    "Role Definition\n| Field | Value |\n|---|---|\n| Seniority Level | Mid |\n",
    "| Field | Value |\n|---|---|\n| Job Title | Before any section |\nRole Definition\n",
])
def test_no_job_title(text: str) -> None:
    with pytest.raises(ImportFormatError) as info:
        import_text(text)
    assert (info.value.line, info.value.col) == (1, 1)
    assert info.value.message == "no 'Job Title' row in the Role Definition table"
    assert isinstance(info.value, ValueError)


def test_row_with_too_many_cells() -> None:
    bad = "| Seniority Level | Mid | extra |"
    text = "Intro line\r\n" + ROLE.replace("| Seniority Level | Mid-level |", bad)
    with pytest.raises(ImportFormatError) as info:
        import_text(text)
    assert info.value.line == 6
    assert info.value.col == bad.index("extra") + 1


# --- blocks and escaping --------------------------------------------------------------

def test_escapes_markdown_markers_at_line_start() -> None:
    prose = ["1. not a list", "2) nor this", "# not a heading", "> not a quote", "+ not a bullet", "* nor this",
             "= nothing", "---", "***", "___", "```", "[ref]: https://example.com", "Value < 3 and > 1"]
    markdown = import_text(ROLE + "\n".join(prose)).markdown
    lines = markdown.split("\n")
    for expected in ["1\\. not a list", "2\\) nor this", "\\# not a heading", "\\> not a quote", "\\+ not a bullet",
                     "\\* nor this", "\\= nothing", "\\---", "\\***", "\\___", "\\```", "\\[ref]: https://example.com",
                     "Value < 3 and > 1"]:
        assert expected in lines
    assert paragraphs(markdown) == prose
    assert import_text(markdown).markdown == markdown


def test_blocks_separated_and_bullets_grouped() -> None:
    text = ("Preamble before any section.\n" + ROLE + "Seniority note: right after the table.\n"
            "What This Means\nSurvival strategy:\n- one\n\n- two\n  - three  \nTrailing prose.\n")
    _, body = split(import_text(text).markdown)
    assert body.startswith("\nPreamble before any section.\n\n## Role Definition\n")
    assert ("| Seniority Level | Mid-level |\n\nSeniority note: right after the table.\n\n## What This Means\n\n"
            "Survival strategy:\n\n- one\n- two\n- three\n\nTrailing prose.\n") in body


def test_titles_matched_loosely_output_canonically() -> None:
    text = "  role DEFINITION  \n| Field | Value |\n|---|---|\n| Job Title | X Engineer |\n### evidence score\n"
    lines = import_text(text).markdown.split("\n")
    assert "## Role Definition" in lines and "## Evidence Score" in lines


def test_short_rows_padded_and_separator_normalised() -> None:
    text = ROLE + "Evidence Score\n|A|B|C|\n| :-- | --: |\n|x|\n"
    lines = import_text(text).markdown.split("\n")
    assert ["| A | B | C |", "|---|---|---|", "| x |  |  |"] == lines[lines.index("| A | B | C |"):][:3]


def test_pipe_lines_without_separator_stay_text() -> None:
    result = import_text(ROLE + "Prose.\n| just | text |\n| more |\n")
    assert "\\| just | text |" in result.markdown.split("\n")
    assert any("separator" in w for w in result.warnings)
    assert import_text(result.markdown).markdown == result.markdown


# --- slugify ----------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "slug"), [
    ("ML/AI Engineer", "ml-ai-engineer"),
    ("Recommendation Systems Engineer", "recommendation-systems-engineer"),
    ("  --Café  Owner--  ", "cafe-owner"),
    ("C++ Developer (Senior)", "c-developer-senior"),
    ("Ünïcödé 2.0", "unicode-2-0"),
])
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize("title", ["", "  ", "---", "日本語"])
def test_slugify_empty_raises(title: str) -> None:
    with pytest.raises(ValueError):
        slugify(title)


# --- idempotency on arbitrary input -----------------------------------------------------

PIECES = [
    *SECTION_TITLES, *SUBSECTION_TITLES, "## Evidence Score", "### score vs reality check", "# Not a title",
    "| A | B |", "|---|---|", "| a | b |", "| a |", "| Total | 100% | 2.85 |", "| Time % | Weighted | X |",
    "- item", "-", "- 1. nested?", "- - -", "1. x", "10) y", "> q", "+ z", "* * *", "___", "===", "```", "~~~",
    "[a]: b", "\\# already", "    indented", "\t- tabbed", "---", "", " ", "a | b",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=25),
       st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_idempotent_on_arbitrary_reports(lines: list[str], newline: str, bom: bool) -> None:
    text = ("\ufeff" if bom else "") + newline.join(ROLE.split("\n") + lines)
    try:
        once = import_text(text).markdown
    except ImportFormatError:
        return
    assert import_text(once).markdown == once
    assert once.endswith("\n") and not once.endswith("\n\n") and "\n\n\n" not in once
    assert all(line == line.rstrip() for line in once.split("\n"))


# --- `jobzone import`, through the CLI: one bad file is an error for that file only -----------------

Run = Callable[..., CompletedProcess[str]]
SEED_TITLE = "Recommendation Systems Engineer"
SEED_NAME = "recommendation-systems-engineer.md"


def _inputs(folder: Path, seed: str, **reports: str) -> list[str]:
    """The seed as `seed.txt` and a second role as `other.txt`, plus `reports` (name -> text), in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {"seed.txt": seed, "other.txt": seed.replace(SEED_TITLE, "Other Role"), **reports}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return list(texts)


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()}


def _clean(result: CompletedProcess[str]) -> None:
    """The promise: errors are messages, never a traceback or an internal error."""
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr


@pytest.mark.parametrize("slug", ["../../escaped", "/ABS/imp-abs", "[a, b]", "Data Scientist", "a/b", "''",
                                  "data--scientist", "-x", "42", "'.'"])
def test_import_refuses_a_frontmatter_slug_that_is_not_a_slug(tmp_path: Path, run_jobzone: Run, seed: str,
                                                                 slug: str) -> None:
    work = tmp_path / "a" / "b"
    slug = slug.replace("/ABS", str(tmp_path))
    _inputs(work, seed, **{"evil.txt": f"---\nslug: {slug}\n---\n{seed}"})
    result = run_jobzone(["import", "evil.txt", "seed.txt", "--out", "out"], work)
    _clean(result)
    assert result.returncode == 1
    assert result.stderr.startswith("evil.txt:2:1: error: frontmatter 'slug': found "), result.stderr
    assert "expected lowercase a-z, 0-9 and single hyphens" in result.stderr
    assert result.stdout == f"seed.txt -> out/{SEED_NAME}\n"  # the good file is still imported
    assert _files(tmp_path) == {"a/b/evil.txt", "a/b/seed.txt", "a/b/other.txt", f"a/b/out/{SEED_NAME}"}


def test_import_keeps_a_valid_frontmatter_slug(tmp_path: Path, run_jobzone: Run, seed: str) -> None:
    _inputs(tmp_path, seed, **{"mine.txt": f"---\nslug: my-role-2\n---\n{seed}"})
    result = run_jobzone(["import", "mine.txt", "--out", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "my-role-2.md").is_file()


def test_import_target_that_is_a_folder_is_an_error_for_that_file(tmp_path: Path, run_jobzone: Run,
                                                                   seed: str) -> None:
    _inputs(tmp_path, seed)
    (tmp_path / "o2" / SEED_NAME).mkdir(parents=True)
    result = run_jobzone(["import", "seed.txt", "other.txt", "--out", "o2"], tmp_path)
    _clean(result)
    assert result.returncode == 1
    assert result.stderr.startswith(f"o2/{SEED_NAME}: error: ") and "folder" in result.stderr
    assert (tmp_path / "o2" / "other-role.md").is_file() and (tmp_path / "o2" / SEED_NAME).is_dir()
    forced = run_jobzone(["import", "seed.txt", "--out", "o2", "--force"], tmp_path)
    _clean(forced)
    assert forced.returncode == 1 and (tmp_path / "o2" / SEED_NAME).is_dir()


def test_import_over_a_file_that_is_not_utf8_needs_force(tmp_path: Path, run_jobzone: Run, seed: str) -> None:
    _inputs(tmp_path, seed)
    target = tmp_path / "out" / SEED_NAME
    target.parent.mkdir()
    target.write_bytes(b"\xff\xfe not UTF-8 \x80\n")
    refused = run_jobzone(["import", "seed.txt", "other.txt", "--out", "out"], tmp_path)
    _clean(refused)
    assert refused.returncode == 1
    assert refused.stderr == f"out/{SEED_NAME}: error: already exists; use --force to overwrite it\n"
    assert target.read_bytes() == b"\xff\xfe not UTF-8 \x80\n"
    assert (tmp_path / "out" / "other-role.md").is_file()
    forced = run_jobzone(["import", "seed.txt", "--out", "out", "--force"], tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8") == import_text(seed).markdown


@pytest.mark.parametrize("out", ["ofile", "ofile/sub"])
def test_import_out_that_is_a_file_is_a_clear_error(tmp_path: Path, run_jobzone: Run, seed: str, out: str) -> None:
    _inputs(tmp_path, seed)
    (tmp_path / "ofile").write_text("mine\n", encoding="utf-8")
    result = run_jobzone(["import", "seed.txt", "other.txt", "--out", out], tmp_path)
    _clean(result)
    assert result.returncode != 0 and result.stdout == ""
    assert "ofile" in result.stderr and "error" in result.stderr
    assert (tmp_path / "ofile").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("dangling", [False, True])
def test_import_never_writes_through_a_link_out_of_the_folder(tmp_path: Path, run_jobzone: Run, seed: str,
                                                              dangling: bool) -> None:
    _inputs(tmp_path / "in", seed)
    outside = tmp_path / "outside.md"
    if not dangling:
        outside.write_text("not yours\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / SEED_NAME).symlink_to(outside)
    result = run_jobzone(["import", "in/seed.txt", "in/other.txt", "--out", "out", "--force"], tmp_path)
    _clean(result)
    assert result.returncode == 1
    assert result.stderr.startswith(f"out/{SEED_NAME}: error: ") and "outside" in result.stderr
    assert (outside.read_text(encoding="utf-8") == "not yours\n") if not dangling else not outside.exists()
    assert (tmp_path / "out" / "other-role.md").is_file()


def test_import_two_files_of_one_slug_do_not_overwrite_each_other(tmp_path: Path, run_jobzone: Run,
                                                                   seed: str) -> None:
    _inputs(tmp_path, seed, **{"copy.txt": seed.replace("Mid-level", "Senior")})
    result = run_jobzone(["import", "seed.txt", "copy.txt", "--out", "out", "--force"], tmp_path)
    _clean(result)
    assert result.returncode == 1
    assert result.stderr.startswith("copy.txt: error: ") and "seed.txt" in result.stderr
    assert (tmp_path / "out" / SEED_NAME).read_text(encoding="utf-8") == import_text(seed).markdown


def test_import_title_too_long_for_a_file_name(tmp_path: Path, run_jobzone: Run, seed: str) -> None:
    long_title = "Long " * 200
    long_text = seed.replace(f"| Job Title | {SEED_TITLE} |", f"| Job Title | {long_title} |")
    line = long_text.split("\n").index(f"| Job Title | {long_title} |") + 1
    front = f"---\naliases: []\ntitle: {long_title}\n---\n{seed}"
    _inputs(tmp_path, seed, **{"long.txt": long_text, "front.txt": front})
    result = run_jobzone(["import", "long.txt", "front.txt", "other.txt", "--out", "out"], tmp_path)
    _clean(result)
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"long.txt:{line}:1: error: ") and "too long" in errors[0], errors
    assert errors[1].startswith("front.txt:3:1: error: ") and "too long" in errors[1], errors
    assert "slug" in errors[0] and len(errors[0]) < 300
    assert _files(tmp_path / "out") == {"other-role.md"}


def test_import_frontmatter_slug_too_long_for_a_file_name(tmp_path: Path, run_jobzone: Run, seed: str) -> None:
    _inputs(tmp_path, seed, **{"long.txt": f"---\nslug: {'a' * 201}\n---\n{seed}",
                               "edge.txt": f"---\nslug: {'b' * 200}\n---\n{seed}"})
    result = run_jobzone(["import", "long.txt", "edge.txt", "--out", "out"], tmp_path)
    _clean(result)
    assert result.returncode == 1
    assert result.stderr.startswith("long.txt:2:1: error: ") and "too long" in result.stderr
    assert _files(tmp_path / "out") == {f"{'b' * 200}.md"}


@pytest.mark.parametrize(("front", "words"), [("title: X Role\nupdated: 2026-13-01", "month must be in 1..12"),
                                              ("title: " + "[" * 5000, "nested too deeply")])
def test_import_impossible_frontmatter_value_is_located(tmp_path: Path, run_jobzone: Run, seed: str, front: str,
                                                        words: str) -> None:
    _inputs(tmp_path, seed, **{"bad.txt": f"---\n{front}\n---\n{seed}"})
    result = run_jobzone(["import", "bad.txt", "seed.txt", "--out", "out"], tmp_path)
    _clean(result)
    assert result.returncode == 1
    assert result.stderr.startswith("bad.txt:2:1: error: ") and words in result.stderr
    assert _files(tmp_path / "out") == {SEED_NAME}


def test_an_input_that_is_not_utf8_or_not_a_file_is_named_and_the_rest_imported(tmp_path: Path, run_jobzone: Run,
                                                                                seed: str) -> None:
    """A Latin-1 input is reported at its first undecodable byte, a fifo is refused without waiting for a
    writer, and the inputs after them are still imported."""
    import os

    _inputs(tmp_path, seed)
    (tmp_path / "latin1.txt").write_bytes(seed.replace("Recommendation Systems Engineer", "Ingénieur", 1)
                                          .encode("latin-1", "replace"))
    line = seed.split("Recommendation Systems Engineer", 1)[0].count("\n") + 1
    before = seed.split("Recommendation Systems Engineer", 1)[0]
    col = len(before.rsplit("\n", 1)[-1].encode("latin-1")) + 4  # after "Ing"
    os.mkfifo(tmp_path / "pipe.txt")
    result = run_jobzone(["import", "latin1.txt", "pipe.txt", "other.txt", "--out", "out"], tmp_path)
    _clean(result)
    assert result.returncode == 1
    assert f"latin1.txt:{line}:{col}: error: not valid UTF-8: byte 0xe9 cannot be decoded" in result.stderr
    assert "pipe.txt:1:1: error: cannot read file: not a regular file" in result.stderr
    assert (tmp_path / "out" / "other-role.md").is_file()
