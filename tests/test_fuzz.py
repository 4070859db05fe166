"""Property tests: whatever is done to a report, checking it never raises and every problem is located."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.check import analyse, check_files
from builder.methodology import load_methodology

SEED = (Path(__file__).resolve().parent.parent / "content" / "roles" / "recommendation-systems-engineer.md").read_text()
LINES = SEED.split("\n")
METHODOLOGY = load_methodology()
PIECES = st.sampled_from(list("0123456789.-+%|/×x*() \n\t#>-`[]:&!\"'\u2212\u00a0\u202e\U0001f600é")
                         + ["---", "NOT ", "AIJRI ", "\n\n", "| a |"])


def _assert_located(text: str) -> None:
    checked = analyse(text.encode("utf-8", "surrogatepass"), "fuzz.md", METHODOLOGY)
    total_lines = text.count("\n") + 1
    for diagnostic in checked.diagnostics:
        assert diagnostic.code.startswith("JZ") and diagnostic.code != "JZ000", diagnostic
        assert 1 <= diagnostic.location.line <= total_lines, diagnostic
        assert diagnostic.location.col >= 1, diagnostic
        assert diagnostic.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.lists(PIECES, max_size=4).map("".join)), min_size=1, max_size=6))
def test_character_edits_never_crash(edits: list[tuple[int, str]]) -> None:
    text = SEED
    for position, replacement in edits:
        position %= max(1, len(text))
        text = text[:position] + replacement + text[position + 1:]
    _assert_located(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["drop", "dup", "swap"]), st.integers(0, len(LINES) - 1)), min_size=1, max_size=8))
def test_line_edits_never_crash(edits: list[tuple[str, int]]) -> None:
    lines = list(LINES)
    for action, index in edits:
        index %= len(lines)
        if action == "drop":
            del lines[index]
        elif action == "dup":
            lines.insert(index, lines[index])
        elif index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
        if not lines:
            lines = [""]
    _assert_located("\n".join(lines))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    checked = analyse(data, "bytes.md", METHODOLOGY)
    assert all(d.code != "JZ000" for d in checked.diagnostics)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_arbitrary_frontmatter_never_crashes(frontmatter: str) -> None:
    text = "---\n" + frontmatter.replace("\r", "") + "\n---\n" + SEED.split("---\n", 2)[2]
    _assert_located(text)


def test_one_crashing_file_does_not_hide_others(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text(SEED.replace("| 25% | 3 | 0.75 |", "| 25% | 3 | 0.80 |"))
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe\x00")
    result = check_files([(good, "good.md"), (bad, "bad.md")], METHODOLOGY)
    paths = {d.location.path for d in result.diagnostics if d.is_error}
    assert paths == {"good.md", "bad.md"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.lists(PIECES, max_size=4).map("".join)),
                min_size=1, max_size=6))
def test_edited_reports_render_without_crashing(edits: list[tuple[int, str]]) -> None:
    """parse -> check -> render: whatever survives parsing renders to a page, with no script in it."""
    from builder.corpus import verify_corpus
    from builder.links import link_site
    from builder.render import SiteInfo, render_role, role_view, site_pages

    text = SEED
    for position, replacement in edits:
        position %= max(1, len(text))
        text = text[:position] + replacement + "<script>alert(1)</script>" + text[position + 1:]
    checked = analyse(text.encode("utf-8", "surrogatepass"), "fuzz.md", METHODOLOGY)
    if checked.entry is None:
        return
    index, _ = verify_corpus([checked.entry], METHODOLOGY)
    links = link_site([checked.entry], index)
    view = role_view(checked.entry, links, METHODOLOGY)
    pages = site_pages(_ENV, SiteInfo("t", "d", ""), [view.row], METHODOLOGY)
    page = render_role(pages, view)
    assert "<script>alert" not in page


_ENV = None


def setup_module() -> None:
    global _ENV
    from builder.render import environment

    _ENV = environment(None)
