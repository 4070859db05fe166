"""The two-step body (`builder.body`: prepared while analysing, filled in per page) equals a
single pass over the tokens, which is how bodies were rendered before and is kept here as the
oracle: over the shipped reports, hostile bodies and generated ones."""

from __future__ import annotations

import re
from collections.abc import Callable, Set as AbstractSet
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token
from markupsafe import Markup

from builder.body import _link_names, _names_pattern, defuse_text, fill_body, heading_anchor, prepare_body
from builder.document import markdown_parser
from builder.refs import unsafe_url

ROOT = Path(__file__).resolve().parent.parent


# --- the oracle: one pass over the tokens (as bodies were rendered before), sharing only the name
# pattern, the splitting of prose around names and heading anchors with builder.body ----------------------------

def _with_attr(token: Token, name: str, value: str) -> Token:
    return token.copy(attrs={**token.attrs, name: value})


def _inline(children: list[Token], pattern: re.Pattern[str] | None, names: dict[str, str], unassessed: AbstractSet[str],
            md_links: dict[str, str], url: Callable[[str], str], linked: set[str]) -> list[Token]:
    out: list[Token] = []
    dropped: list[bool] = []
    depth = 0
    for child in children:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            dropped.append(unsafe_url(href))
            if dropped[-1]:
                continue
            if href in md_links:
                child = _with_attr(child, "href", url(md_links[href]))
            depth += 1
        elif child.type == "link_close":
            if dropped and dropped.pop():
                continue
            depth -= 1
        elif child.type == "image":
            src = str(child.attrGet("src") or "")
            if unsafe_url(src):
                child = Token("text", "", 0, content=child.content)
            elif src in md_links:
                child = _with_attr(child, "src", url(md_links[src]))
        if child.type == "text":
            defused = defuse_text(child.content)
            if defused != child.content:
                child = child.copy(content=defused)
            if depth == 0 and pattern is not None:
                out += _link_names(child.content, pattern, names, unassessed, url, linked)
                continue
        out.append(child)
    return out


def one_pass(tokens: list[Token], url: Callable[[str], str], names: dict[str, str] | None = None,
                    md_links: dict[str, str] | None = None, unassessed: AbstractSet[str] | None = None) -> Markup:
    """A report body as HTML: role names linked, .md links rewritten, unsafe links dropped, headings anchored.

    Works on copies of the tokens it changes, so the tokens parsed for the check stay as they were."""
    names = names or {}
    pattern = _names_pattern(names)
    ids: set[str] = set()
    linked: set[str] = set()
    out: list[Token] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            linked = set()
            token = _with_attr(token, "id", heading_anchor(tokens[index + 1].content, ids))
        elif token.type == "inline" and token.children is not None:
            in_heading = index > 0 and tokens[index - 1].type == "heading_open"
            children = _inline(token.children, None if in_heading else pattern, names, unassessed or set(),
                               md_links or {}, url, linked)
            if len(children) != len(token.children) or any(a is not b for a, b in zip(children, token.children)):
                token = token.copy(children=children)
        out.append(token)
    md = markdown_parser()
    return Markup(md.renderer.render(out, md.options, {}))



# --- the comparison ------------------------------------------------------------------------------

NAMES = {"ML/AI Engineer": "roles/ml-ai-engineer/", "Data Scientist": "roles/data-scientist/",
         "NLP Engineer": "roles/nlp-engineer/", "Engineer": "roles/engineer/"}
MD_LINKS = {"nlp-engineer.md#evidence-score": "roles/nlp-engineer/#evidence-score",
            "./conversational-ai-engineer.md": "roles/conversational-ai-engineer/", "chart.png": "roles/x/chart.png",
            "a%20b.md": "roles/a-b/"}
UNASSESSED = {"roles/data-scientist/"}


def url(path: str) -> str:
    return "../../" + path


def assert_same(body: str) -> None:
    tokens = markdown_parser().parse(body)
    before = [token.as_dict() for token in tokens]
    prepared = prepare_body(tokens)
    assert [token.as_dict() for token in tokens] == before  # the parsed tokens are never changed
    for names, links, unassessed in ((NAMES, MD_LINKS, UNASSESSED), (None, None, None), ({}, MD_LINKS, set())):
        got = fill_body(prepared, url, names, links, unassessed)
        assert got == one_pass(markdown_parser().parse(body), url, names, links, unassessed), body


def test_shipped_and_fixture_reports() -> None:
    paths = [*sorted((ROOT / "content/roles").glob("*.md")), *sorted((ROOT / "tests/fixtures").rglob("*.md"))]
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert_same(text.split("\n---\n", 1)[1] if text.startswith("---\n") else text)


HOSTILE = [
    "ML/AI Engineer and Data Scientist, then ML/AI Engineer again.\n\n## Next\n\nML/AI Engineer once more.",
    "# ML/AI Engineer heading\n\nText about NLP Engineer [NLP Engineer link](nlp-engineer.md#evidence-score).",
    "[bad](javascript:alert(1)) then Data Scientist and [ok](./conversational-ai-engineer.md) Engineer",
    "![pic](chart.png) ![evil](javascript:alert(1)) ![x](data:text/html,hi) <http://a.b/c.md>",
    "Text with [a](<javascript:alert(1)>) and [b](  JAVASCRIPT:x) and <javascript:y> raw.",
    "| a | b |\n|---|---|\n| Data Scientist | [l](a%20b.md) |\n| <b>x</b> | & \" ' |",
    "- ML/AI Engineer\n  - nested Data Scientist\n\n> quote Engineer\n\n```\nEngineer in code\n```",
    "`NLP Engineer` in code, **NLP Engineer** bold, *Data Scientist* em, ~~Engineer~~ struck",
    "[outer [inner](x.md)](y.md) and [unsafe [x](javascript:1) rest](nlp-engineer.md#evidence-score)",
    "Engineer/ML and xML/AI Engineer and ML/AI Engineers and (Data Scientist).",
    "## Same\n\nx\n\n## Same\n\ny\n\n## \n\n# !!!\n",
    "\x00NUL\x00T0\x00 text and \ufffd marks \x00H0\x00",
]


def test_hostile_bodies() -> None:
    for body in HOSTILE:
        assert_same(body)


PIECES = st.sampled_from([
    "ML/AI Engineer", "Data Scientist", "NLP Engineer", "Engineer", " ", "\n", "\n\n", "# ", "## ", "- ", "> ",
    "[link](nlp-engineer.md#evidence-score)", "[x](javascript:alert(1))", "![i](chart.png)", "![j](data:x)",
    "<http://x.y>", "<javascript:z>", "`code`", "**", "*", "~~", "| a | b |\n|---|---|\n| c | d |\n", "&", "<b>",
    "\\", "[", "]", "(", ")", "text", "\u00e9", "\x00",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=40))
def test_generated_bodies(pieces: list[str]) -> None:
    assert_same("".join(pieces))
