"""From bytes to text and frontmatter: the first pure stage of reading a report.

Everything here takes bytes or text and returns data plus diagnostics; the caller
does the file I/O. Line numbers always count from the top of the file, frontmatter
included, so a diagnostic points at the line an author sees in the editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml

from builder.diagnostics import Diagnostic, Location, error

_BOM = "\ufeff"


@dataclass(frozen=True)
class SourceText:
    """A report's text split into its frontmatter data and its Markdown body."""

    path: str
    text: str  # whole file, BOM removed, newlines normalised to "\n"
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    meta_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> line


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text, refusing binary and non-UTF-8 files with a location."""
    if not data.strip():
        return None, [error("JZ004", "empty file: expected YAML frontmatter and a Markdown report", Location(path))]
    if b"\x00" in data[:8192]:
        return None, [error("JZ003", "binary file (contains NUL bytes): expected a UTF-8 Markdown report", Location(path))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [error("JZ002", undecodable(data, exc), Location(path, *undecodable_at(data, exc)))]
    if text.startswith(_BOM):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def undecodable_at(data: bytes, exc: UnicodeDecodeError) -> tuple[int, int]:
    """The line and column (in bytes) of the first byte UTF-8 cannot decode."""
    before = data[: exc.start]
    return before.count(b"\n") + 1, len(before) - (before.rfind(b"\n") + 1) + 1


def undecodable(data: bytes, exc: UnicodeDecodeError) -> str:
    """What is wrong with a file that is not UTF-8, and what to do (JZ002's message)."""
    return f"not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as UTF-8"


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loading without anchors and aliases, so an alias bomb cannot explode."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in frontmatter", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # type: ignore[override]
        """A key given twice is an error at the second, not "the last one wins" (which would silently
        drop what the author wrote first)."""
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], Any] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    seen = first.setdefault((key_node.tag, key_node.value), key_node.start_mark)
                    if seen is not key_node.start_mark:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"the key '{key_node.value}' is given twice (first on line {seen.line + 2}); "
                            "keep one", key_node.start_mark)
        return super().construct_mapping(node, deep)


# Dates stay text, so an impossible date ("2026-13-01") is reported at its key by `meta`
# instead of failing inside the YAML library.
_NoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _top_level_key_lines(node: yaml.Node) -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines[str(key_node.value)] = key_node.start_mark.line
    return lines


def _yaml_problem(exc: yaml.YAMLError, path: str) -> Diagnostic:
    """Point at where the broken construct starts (an unclosed '['), and say where it broke."""
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    mark = context_mark or problem_mark
    line = mark.line + 2 if mark else 2
    col = mark.column + 1 if mark else 1
    message = f"invalid YAML in frontmatter: {problem}"
    if context and context_mark and problem_mark:
        message = (f"invalid YAML in frontmatter: {context} started here is not closed or not valid: "
                   f"{problem} on line {problem_mark.line + 2}, column {problem_mark.column + 1}")
    return error("JZ101", message, Location(path, line, col))


def split_frontmatter(text: str, path: str) -> tuple[SourceText | None, list[Diagnostic]]:
    """Separate YAML frontmatter from the body, keeping body line numbers exact."""
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        return None, [error("JZ101", "missing YAML frontmatter: expected the file to start with a '---' line, "
                            "then at least 'title: …', then '---'", Location(path))]
    lines = text.split("\n")
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if closing is None:
        return None, [error("JZ101", "unterminated frontmatter: expected a closing '---' line", Location(path, 1, 1))]
    yaml_text = "\n".join(lines[1:closing])
    try:
        loader = _NoAliasLoader(yaml_text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(exc, path)]
    except RecursionError:
        return None, [error("JZ101", "invalid YAML in frontmatter: nested too deeply", Location(path, 2, 1))]
    except (ValueError, TypeError, OverflowError) as exc:
        return None, [error("JZ101", f"invalid value in frontmatter: {exc}", Location(path, 2, 1))]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [error("JZ101", f"frontmatter must be a mapping of fields (title: …), found {type(data).__name__}",
                            Location(path, 2, 1))]
    key_lines = {key: line + 2 for key, line in _top_level_key_lines(node).items()} if node is not None else {}
    body = "\n".join(lines[closing + 1:])
    return SourceText(path, text, {str(k): v for k, v in data.items()}, body, closing + 2, key_lines), []
