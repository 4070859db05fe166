"""A report's body as HTML, in two steps, so its Markdown is parsed once per build.

Parsing is most of what rendering a role page costs, and a report's tokens are too large
to keep between checking it and rendering its page. So the body is rendered in two steps:

- `prepare_body(tokens)`, while the report is analysed: everything that depends on the
  report alone — headings anchored, links with script-capable schemes dropped,
  link-like text defused — rendered to HTML, with a mark wherever the rest of the site
  decides: each piece of prose where role names get linked, each link or image target
  that may be another report's page or a file copied beside it. The result is small and
  is kept with the analysis.
- `fill_body(prepared, ...)`, when the page is rendered: the marks filled in.

Together they give exactly what one pass over the tokens would (`render_markdown`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set as AbstractSet

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup

from builder.document import PreparedBody, markdown_parser
from builder.refs import unsafe_url
from builder.slugs import slugify

# Link syntax markdown-it refused to turn into a link (it rejects these schemes itself)
# stays as text; it is reduced to its label so the script URL is not published either.
_TEXT_LINK = re.compile(r"!?\[(?P<label>[^\[\]]*)\]\((?P<dest>(?:[^()]|\([^()]*\))*)\)")
_TEXT_TAIL = re.compile(r"\]\((?P<dest>(?:[^()]|\([^()]*\))*)\)")
_TEXT_AUTOLINK = re.compile(r"<(?P<dest>[^<>]*)>")
_TEXT_SCHEME = re.compile(r"(?i)(\]\(\s*<?\s*)(?:javascript|vbscript|data)\s*:")

# The parser turns NUL into U+FFFD, so no text or link of a report can hold one of these marks.
_MARK = re.compile("\x00([TH])([0-9]+)\x00")


def defuse_text(text: str) -> str:
    if "](" not in text and "<" not in text:
        return text  # every pattern below needs one of these: most text skips four regex passes
    text = _TEXT_LINK.sub(lambda m: m["label"] if unsafe_url(m["dest"].lstrip("<")) else m[0], text)
    text = _TEXT_TAIL.sub(lambda m: "]" if unsafe_url(m["dest"].lstrip("<")) else m[0], text)
    text = _TEXT_AUTOLINK.sub(lambda m: "" if unsafe_url(m["dest"]) else m[0], text)
    return _TEXT_SCHEME.sub(r"\1", text)


def _text(content: str) -> Token:
    """A new text token: all the renderer reads of one is its content (cheaper than a copy, and
    the parsed tokens are shared and never mutated)."""
    return Token("text", "", 0, content=content)


def _with_attr(token: Token, name: str, value: str) -> Token:
    """A copy of `token` with one attribute changed: the parsed tokens are shared and never mutated."""
    return token.copy(attrs={**token.attrs, name: value})


class _Preparing:
    def __init__(self) -> None:
        self.prose: list[tuple[int, str]] = []
        self.targets: list[str] = []
        self.section = 0

    def target(self, token: Token, name: str, value: str) -> Token:
        self.targets.append(value)
        return _with_attr(token, name, f"\x00H{len(self.targets) - 1}\x00")

    def inline(self, children: list[Token], in_heading: bool) -> list[Token]:
        out: list[Token] = []
        dropped: list[bool] = []
        depth = 0
        for child in children:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                dropped.append(unsafe_url(href))
                if dropped[-1]:
                    continue
                child = self.target(child, "href", href)
                depth += 1
            elif child.type == "link_close":
                if dropped and dropped.pop():
                    continue
                depth -= 1
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                if unsafe_url(src):
                    child = _text(child.content)
                else:
                    child = self.target(child, "src", src)
            if child.type == "text":
                defused = defuse_text(child.content)
                if depth == 0 and not in_heading:  # prose: role names in it are linked when filled in
                    self.prose.append((self.section, defused))
                    child = _text(f"\x00T{len(self.prose) - 1}\x00")
                elif defused != child.content:
                    child = _text(defused)
            out.append(child)
        return out


def heading_anchor(title: str, taken: set[str]) -> str:
    """A heading's id: its slug ("section" if it has none), numbered when already `taken`; added to it."""
    try:
        base = slugify(title)
    except ValueError:
        base = "section"
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


def prepare_body(tokens: list[Token]) -> PreparedBody:
    """The body's HTML with marks where the site decides; headings get unique anchors."""
    preparing = _Preparing()
    ids: set[str] = set()
    out: list[Token] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            preparing.section += 1
            token = _with_attr(token, "id", heading_anchor(tokens[index + 1].content, ids))
        elif token.type == "inline" and token.children is not None:
            in_heading = index > 0 and tokens[index - 1].type == "heading_open"
            token = Token("inline", "", 0, map=token.map, content=token.content,
                          children=preparing.inline(token.children, in_heading))
        out.append(token)
    md = markdown_parser()
    return PreparedBody(md.renderer.render(out, md.options, {}), tuple(preparing.prose), tuple(preparing.targets))


def _names_pattern(names: dict[str, str]) -> re.Pattern[str] | None:
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(rf"(?<![\w/])(?:{alternatives})(?![\w/])")


def _link_names(text: str, pattern: re.Pattern[str], names: dict[str, str], unassessed: AbstractSet[str],
                url: Callable[[str], str], linked: set[str]) -> list[Token]:
    """Split prose around role names; each name is linked once per section (`linked`)."""
    pieces: list[Token] = []
    at = 0
    for match in pattern.finditer(text):
        if match.group(0) in linked:
            continue
        linked.add(match.group(0))
        if match.start() > at:
            pieces.append(_text(text[at:match.start()]))
        path = names[match.group(0)]
        css = "role-link unassessed" if path in unassessed else "role-link"
        pieces += [Token("link_open", "a", 1, attrs={"href": url(path), "class": css}),
                   _text(match.group(0)),
                   Token("link_close", "a", -1)]
        at = match.end()
    if at < len(text):
        pieces.append(_text(text[at:]))
    return pieces


def fill_body(prepared: PreparedBody, url: Callable[[str], str], names: dict[str, str] | None = None,
              md_links: dict[str, str] | None = None, unassessed: AbstractSet[str] | None = None) -> Markup:
    """The body's HTML for its page: role names in prose linked (once per section), links to other
    reports and to files rewritten to where they are in the site (`url` makes a site path relative
    to the page)."""
    names, md_links, unassessed = names or {}, md_links or {}, unassessed or set()
    pattern = _names_pattern(names)
    md = markdown_parser()
    linked: set[str] = set()
    section = 0

    def fill(mark: re.Match[str]) -> str:
        nonlocal linked, section
        index = int(mark.group(2))
        if mark.group(1) == "H":
            written = prepared.targets[index]
            return escapeHtml(url(md_links[written]) if written in md_links else written)
        in_section, text = prepared.prose[index]
        if in_section != section:
            linked, section = set(), in_section
        if pattern is None:
            return escapeHtml(text)
        return md.renderer.renderInline(_link_names(text, pattern, names, unassessed, url, linked), md.options, {})

    return Markup(_MARK.sub(fill, prepared.html))


def render_markdown(tokens: list[Token], url: Callable[[str], str], names: dict[str, str] | None = None,
                    md_links: dict[str, str] | None = None, unassessed: AbstractSet[str] | None = None) -> Markup:
    """A report body as HTML in one go: role names linked, .md links rewritten, unsafe links dropped,
    headings anchored. Works on copies of the tokens it changes, so the parsed tokens stay as they were."""
    return fill_body(prepare_body(tokens), url, names, md_links, unassessed)
