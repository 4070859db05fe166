"""Plain-text role assessment report -> this project's Markdown format.

`import_text` is pure: takes the report's text, returns the Markdown document and warnings.
The output is a contract for the parser (headings, pipe tables, one blank line between
blocks), and importing an import's output gives it back unchanged. `write_report` and
`cmd_import` are the I/O edge (shared with `jobzone new`): one file's failure is reported
at that file and the others go on, nothing is written outside the output folder, and an
existing file is only replaced with --force.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from builder.schema import slug_max_length, slug_pattern, validate_frontmatter
from builder.sections import COMMENTARY, ROLE_DEFINITION, SECTION_TITLES, SUBSECTION_TITLES
from builder.slugs import slugify

__all__ = ["SECTION_TITLES", "SUBSECTION_TITLES", "MAX_SLUG_LENGTH", "ImportResult", "ImportFormatError",
           "WriteRefused", "slugify", "title_slug", "import_text", "write_report", "cmd_import"]

# A report is saved as `<slug>.md`, and `jobzone fix` replaces it through a temporary `.<slug>.md.XXXXXXXX.tmp`
# beside it: both must fit the 255 bytes common file systems allow in a file name (a slug is ASCII). The
# frontmatter schema's limit, as `jobzone check` applies it (JZ103).
MAX_SLUG_LENGTH = slug_max_length()

_LEVELS = {t.casefold(): (2, t) for t in SECTION_TITLES} | {t.casefold(): (3, t) for t in SUBSECTION_TITLES}
_HEADING_RE = re.compile(r"#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?")
_SEPARATOR_RE = re.compile(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?")
# Starts of a line that Markdown would read as something other than paragraph text.
_ESCAPE_FIRST = re.compile(r"[#>|]|[-+*=](?:\s|$)|```|~~~|\[[^\]]*\]:|[-=*_ \t]+$")
_ORDERED = re.compile(r"\d{1,9}(?=[.)](?:\s|$))")
_NUMBER_RE = re.compile(r"[-+\u2212]?\d+(?:\.\d+)?%?")


@dataclass(frozen=True)
class ImportResult:
    """The converted document plus what the frontmatter was built from."""

    markdown: str
    slug: str
    title: str
    warnings: tuple[str, ...]


class ImportFormatError(ValueError):
    """The report can't be converted; `line`/`col` (1-based) point into the input text."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(f"line {line}, col {col}: {message}")
        self.line, self.col, self.message = line, col, message


def title_slug(title: str, remedy: str = "use a shorter title") -> str:
    """The slug a report of this title is saved under; a ValueError (not the system's "File name too long")
    when the title has nothing to make one of, or makes one too long to name a file."""
    slug = slugify(title)
    if len(slug) > MAX_SLUG_LENGTH:
        raise ValueError(f"the title makes a slug of {len(slug)} characters, too long for a file name "
                         f"(at most {MAX_SLUG_LENGTH}); {remedy}")
    return slug


def _slug_problem(slug: object) -> str | None:
    """Why a frontmatter `slug` cannot be used, or None. The rule and its message are the schema's, as
    `jobzone check` applies them (JZ103), so a slug can never name a path such as `../x` or `/tmp/x`."""
    if isinstance(slug, str) and len(slug) > MAX_SLUG_LENGTH:
        return f"frontmatter 'slug' is {len(slug)} characters, too long for a file name (at most {MAX_SLUG_LENGTH})"
    if not (isinstance(slug, str) and slug_pattern().fullmatch(slug)):  # jsonschema only for the message
        found = [p.message for p in validate_frontmatter({"slug": slug}) if p.key == "slug"]
        return found[0] if found else "frontmatter 'slug': not a valid slug"
    return None


@dataclass
class _Table:
    line: int
    rows: list[list[str]]  # header first; the separator row is not kept


def _escape(text: str) -> str:
    """Backslash the marker that would make this line a heading, list, quote, fence, rule..."""
    if _ESCAPE_FIRST.match(text):
        return "\\" + text
    ordered = _ORDERED.match(text)
    return f"{text[:ordered.end()]}\\{text[ordered.end():]}" if ordered else text


def _heading(text: str) -> tuple[int, str] | None:
    """(level, canonical title) for a bare title line or an already-converted `##` heading."""
    match = _HEADING_RE.fullmatch(text)
    return _LEVELS.get((match.group(1) if match else text).strip().casefold())


def _cells(raw: str, line_no: int, width: int | None) -> list[str]:
    """Split a `| a | b |` row; with `width`, a cell past it is an error located at its column."""
    lead = len(raw) - len(raw.lstrip())
    body = raw.rstrip()[lead + 1:]
    if body.endswith("|"):
        body = body[:-1]
    cells, start = [], lead + 1
    for piece in body.split("|"):
        if width is not None and len(cells) == width:
            col = start + len(piece) - len(piece.lstrip()) + 1
            raise ImportFormatError(line_no, col, f"table row has more than the header's {width} cells")
        cells.append(piece.strip())
        start += len(piece) + 1
    return cells


def _fit(row: list[str], header: list[str]) -> list[str]:
    """Pad a short row to the header's width; in the task table a `%` goes under Time, a number under Weighted."""
    width = len(header)
    if len(row) >= width:
        return row
    folded = [h.casefold() for h in header]
    weighted = next((i for i, h in enumerate(folded) if h.startswith("weighted")), None)
    if weighted is None or not row:
        return row + [""] * (width - len(row))
    time = next((i for i, h in enumerate(folded) if h.startswith("time")), None)
    out = [row[0]] + [""] * (width - 1)
    for value in row[1:]:
        wanted = (time if value.endswith("%") else weighted) if _NUMBER_RE.fullmatch(value) else None
        slot = wanted if wanted is not None and not out[wanted] else next(i for i in range(1, width) if not out[i])
        out[slot] = value
    return out


def _frontmatter(lines: list[str]) -> tuple[dict[str, Any] | None, int, dict[str, int]]:
    """An existing `---` YAML mapping at the top (a previous import), the index just after it, and the
    (1-based) line of each top-level key. Text that is not YAML is left to be read as the body; YAML with an
    impossible value (a 13th month) is an error at the frontmatter's first line."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return None, 0, {}
    for end in range(first + 1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            loader = yaml.SafeLoader("\n".join(lines[first + 1:end]))
            try:
                node = loader.get_single_node()
                data = loader.construct_document(node) if node is not None else None
            except yaml.YAMLError:
                return None, 0, {}
            except RecursionError:
                raise ImportFormatError(first + 2, 1, "invalid YAML in frontmatter: nested too deeply") from None
            except (ValueError, TypeError, OverflowError) as exc:
                raise ImportFormatError(first + 2, 1, f"invalid value in frontmatter: {exc}") from None
            finally:
                loader.dispose()
            data = {} if data is None else data
            if not isinstance(data, dict):
                return None, 0, {}
            keys = node.value if isinstance(node, yaml.MappingNode) else []
            key_lines = {str(k.value): first + 2 + k.start_mark.line for k, _ in keys if isinstance(k, yaml.ScalarNode)}
            return data, end + 1, key_lines
    return None, 0, {}


def _blocks(lines: list[str], start: int, warnings: list[str]) -> list[tuple[str, Any, int]]:
    """Group the body into (kind, value, line) blocks: heading, table, para and list."""
    blocks: list[tuple[str, Any, int]] = []
    i = start
    while i < len(lines):
        text, line_no = lines[i].strip(), i + 1
        if not text:
            i += 1
        elif (heading := _heading(text)) is not None:
            blocks.append(("heading", heading, line_no))
            i += 1
        elif text.startswith("|"):
            end = i
            while end < len(lines) and lines[end].strip().startswith("|"):
                end += 1
            if end - i >= 2 and _SEPARATOR_RE.fullmatch(lines[i + 1].strip()):
                header = _cells(lines[i], line_no, None)
                rows = [header] + [_fit(_cells(lines[n], n + 1, len(header)), header) for n in range(i + 2, end)]
                blocks.append(("table", _Table(line_no, rows), line_no))
            else:
                warnings.append(f"line {line_no}: '|' lines without a '|---|' separator row kept as text")
                blocks.extend(("para", _escape(lines[n].strip()), n + 1) for n in range(i, end))
            i = end
        elif text.startswith("- "):
            item = _escape(text[2:].strip())
            if blocks and blocks[-1][0] == "list":
                blocks[-1][1].append(item)
            else:
                blocks.append(("list", [item], line_no))
            i += 1
        else:
            blocks.append(("para", _escape(text), line_no))
            i += 1
    return blocks


def _role_fields(blocks: list[tuple[str, Any, int]]) -> tuple[_Table | None, dict[str, tuple[str, int]]]:
    """The Role Definition section's first table, and its rows as field -> (value, line)."""
    section = None
    for kind, value, _line in blocks:
        if kind == "heading" and value[0] == 2:
            section = value[1]
        elif kind == "table" and section == ROLE_DEFINITION:
            fields: dict[str, tuple[str, int]] = {}
            for n, row in enumerate(value.rows[1:]):
                fields.setdefault(row[0].casefold(), (row[1] if len(row) > 1 else "", value.line + 2 + n))
            return value, fields
    return None, {}


def _render(kind: str, value: Any) -> str:
    if kind == "heading":
        return "#" * value[0] + " " + value[1]
    if kind == "table":
        width = len(value.rows[0])
        lines = ["| " + " | ".join(row) + " |" for row in value.rows]
        return "\n".join([lines[0], "|" + "---|" * width] + lines[1:])
    if kind == "list":
        return "\n".join("- " + item for item in value)
    return value


def _fill(meta: dict[str, Any], key: str, value: Any) -> None:
    """Existing frontmatter wins; only a missing (or null) key takes the table's value."""
    if meta.get(key) is None:
        meta[key] = value


def _structure_warnings(blocks: list[tuple[str, Any, int]]) -> list[str]:
    """Sections repeated, missing, or a subsection outside Assessor Commentary: worth a look, not fatal."""
    warnings: list[str] = []
    seen: set[str] = set()
    section = None
    for _kind, (level, title), line_no in (b for b in blocks if b[0] == "heading"):
        if title in seen:
            warnings.append(f"line {line_no}: section '{title}' appears again")
        seen.add(title)
        if level == 2:
            section = title
        elif section != COMMENTARY:
            warnings.append(f"line {line_no}: '{title}' is outside '{COMMENTARY}'")
    return warnings + [f"missing section '{t}'" for t in SECTION_TITLES + SUBSECTION_TITLES if t not in seen]


def import_text(text: str) -> ImportResult:
    """Convert a plain-text (or previously imported) report into the Markdown document format."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportFormatError(1, 1, "empty report")
    lines = text.split("\n")
    warnings: list[str] = []
    existing, body_start, key_lines = _frontmatter(lines)
    blocks = _blocks(lines, body_start, warnings)

    table, fields = _role_fields(blocks)
    if table is None or "job title" not in fields:
        raise ImportFormatError(1, 1, "no 'Job Title' row in the Role Definition table")
    meta: dict[str, Any] = dict(existing or {})
    title_value, title_line = fields["job title"]
    if "seniority level" not in fields:
        warnings.append(f"line {table.line}: no 'Seniority Level' in Role Definition table")
    if meta.get("title") is not None:
        title_line = key_lines.get("title", title_line)
    _fill(meta, "title", title_value)
    title = str(meta["title"])
    if meta.get("slug") is None:
        try:
            meta["slug"] = title_slug(title, "use a shorter title, or set a shorter 'slug:' in the frontmatter")
        except ValueError as exc:
            raise ImportFormatError(title_line, 1, str(exc)) from None
    elif (problem := _slug_problem(meta["slug"])) is not None:
        raise ImportFormatError(key_lines.get("slug", 1), 1, problem)
    if fields.get("seniority level", ("", 0))[0]:
        _fill(meta, "seniority", fields["seniority level"][0])
    _fill(meta, "aliases", [])

    warnings.extend(_structure_warnings(blocks))

    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    body = "\n\n".join(_render(kind, value) for kind, value, _ in blocks)
    return ImportResult(f"---\n{front}---\n\n{body}\n", str(meta["slug"]), title, tuple(warnings))


# -- the I/O edge: `jobzone import`, and the write that `jobzone new` shares ------------------------
class WriteRefused(Exception):
    """A report was not written; the message says why, to follow `<target>: error: `."""


def _same_text(data: bytes, markdown: str) -> bool:
    """Whether a file already holds `markdown` (line endings aside, as an editor may change them)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return text.replace("\r\n", "\n").replace("\r", "\n") == markdown


def _make_folder(folder: Path) -> None:
    from builder.project import shown_path

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise WriteRefused(f"cannot create the folder {shown_path(folder)}: a file is in the way") from None


def write_report(folder: Path, slug: str, markdown: str, force: bool) -> tuple[Path, bool]:
    """Write `folder/<slug>.md`; return its path and whether it changed, or raise WriteRefused.

    A file holding the same text is left alone; another is replaced only with `force`, in one step, and
    never a folder or device. A symbolic link is followed only while it stays inside `folder`, so nothing
    is ever written outside it, whatever is on disk.
    """
    from builder.fix import write_atomically
    from builder.output import inside
    from builder.project import shown_path

    try:
        target = inside(folder, f"{slug}.md")
    except ValueError as exc:
        link = folder / f"{slug}.md"
        if not os.path.islink(link):
            raise WriteRefused(str(exc)) from None
        raise WriteRefused(f"is a symbolic link to {os.path.realpath(link)}, outside {shown_path(folder)}; "
                           "remove the link or choose another folder") from None
    data = markdown.encode("utf-8")
    try:
        if target.is_dir():
            raise WriteRefused("is a folder, not a report; move it away or choose another folder")
        if target.exists() and not target.is_file():
            raise WriteRefused("exists and is not a regular file; move it away or choose another folder")
        if target.exists() and _same_text(target.read_bytes(), markdown):
            return target, False
        if os.path.lexists(target) and not force:
            raise WriteRefused("already exists; use --force to overwrite it")
        if target.exists():
            write_atomically(target, data)
            return target, True
        _make_folder(target.parent)
        dangling = os.path.islink(target)  # checked above to lead inside `folder`: create what it names
        with open(target, "wb" if dangling else "xb") as stream:
            try:
                stream.write(data)
                stream.flush()
            except OSError:
                Path(os.path.realpath(target)).unlink(missing_ok=True)  # no half report is left behind
                raise
    except OSError as exc:
        raise WriteRefused(f"cannot write: {exc.strerror or exc}") from None
    return target, True


def cmd_import(args: argparse.Namespace) -> int:
    """Convert each file on its own into `--out/<slug>.md`: a bad one is reported at its file (and line)
    and the rest are still imported; the exit status is 1 if any failed."""
    from builder.check import read_bytes
    from builder.config import load_config
    from builder.project import EXIT_ERRORS, EXIT_OK, UsageError, shown_path
    from builder.source import undecodable, undecodable_at

    out = Path(args.out) if args.out else load_config(Path.cwd()).content_path
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {shown_path(out)} exists and is not a folder")
    failures = 0
    written: dict[Path, tuple[str, str]] = {}  # target -> the input this run imported there, and its Markdown
    for raw in args.files:
        data, problem = read_bytes(Path(raw), raw)  # a regular file only: a fifo would wait for ever
        if data is None:
            print(f"{raw}:1:1: error: {problem.message if problem else 'cannot read file'}", file=sys.stderr)
            failures += 1
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line, col = undecodable_at(data, exc)
            print(f"{raw}:{line}:{col}: error: {undecodable(data, exc)}", file=sys.stderr)
            failures += 1
            continue
        try:
            result = import_text(text)
        except ImportFormatError as exc:
            print(f"{raw}:{exc.line}:{exc.col}: error: {exc.message}", file=sys.stderr)
            failures += 1
            continue
        for note in result.warnings:
            print(f"{raw}: warning: {note}", file=sys.stderr)
        earlier = written.get(Path(os.path.abspath(out / f"{result.slug}.md")))
        if earlier is not None and earlier[1] != result.markdown:  # not even --force: both are this run's inputs
            print(f"{raw}: error: its slug '{result.slug}' is also that of {earlier[0]}, imported just before; "
                  "set another 'slug:' in its frontmatter", file=sys.stderr)
            failures += 1
            continue
        try:
            target, changed = write_report(out, result.slug, result.markdown, args.force)
        except WriteRefused as exc:
            print(f"{shown_path(out / f'{result.slug}.md')}: error: {exc}", file=sys.stderr)
            failures += 1
            continue
        written[Path(os.path.abspath(target))] = raw, result.markdown
        print(f"{raw} -> {shown_path(target)}" if changed else f"{shown_path(target)}: unchanged")
    return EXIT_ERRORS if failures else EXIT_OK
