"""The `jobzone` command line: argument parsing and the I/O around the pure pipeline."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from builder import __version__
from builder.check import CheckResult, check_files
from builder.config import ConfigError, SiteConfig, load_config
from builder.methodology import Methodology, MethodologyError, load_methodology_file
from builder.reporting import FORMATS, render

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how jobzone was called or configured: exit status 2."""


def shown_path(path: Path) -> str:
    """Paths as the user would type them: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def report_files(root: Path) -> list[Path]:
    """Markdown files under a folder, sorted, without following symlinked folders."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder) / name for name in sorted(files) if name.endswith(".md") and not name.startswith("."))
    return found


def _expand(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(report_files(path))
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            raise UsageError(f"no such file or folder: {raw}")
    return files


def _setup(args: argparse.Namespace) -> tuple[SiteConfig, Methodology]:
    try:
        config = load_config(Path.cwd(), Path(args.config) if args.config else None)
        methodology = load_methodology_file(config.methodology_path)
    except (ConfigError, MethodologyError) as exc:
        raise UsageError(f"{exc} [JZ901]") from exc
    return config, methodology


def run_check(config: SiteConfig, methodology: Methodology, paths: Sequence[str]) -> tuple[CheckResult, list[str]]:
    """Check the given reports against the whole site, so citations of other reports resolve."""
    if not paths and not config.content_path.is_dir():
        raise UsageError(f"no content folder {config.content_dir}/ in {config.root}: run jobzone in the project root, "
                         "or name the reports to check")
    wanted = _expand(paths) if paths else report_files(config.content_path)
    site = report_files(config.content_path) if config.content_path.is_dir() else []
    by_real = {p.resolve(): p for p in site}
    by_real.update({p.resolve(): p for p in wanted})
    result = check_files([(p, shown_path(p)) for p in by_real.values()], methodology)
    return result, [shown_path(p) for p in wanted]


def cmd_check(args: argparse.Namespace) -> int:
    config, methodology = _setup(args)
    result, wanted = run_check(config, methodology, args.paths)
    chosen = set(wanted)
    diagnostics = [d for d in result.diagnostics if d.location.path in chosen]
    fmt = args.format
    if fmt == "text" and os.environ.get("GITHUB_ACTIONS") == "true":
        print(render(diagnostics, "github", len(wanted)).rsplit("\n", 1)[0])
    print(render(diagnostics, fmt, len(wanted)))
    return EXIT_ERRORS if any(d.is_error for d in diagnostics) else EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from builder.importer import ImportFormatError, import_text

    out = Path(args.out) if args.out else load_config(Path.cwd()).content_path
    failures = 0
    for raw in args.files:
        path = Path(raw)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{raw}:1:1: error: cannot read as UTF-8 text: {exc}", file=sys.stderr)
            failures += 1
            continue
        try:
            result = import_text(text)
        except ImportFormatError as exc:
            print(f"{raw}:{exc.line}:{exc.col}: error: {exc.message}", file=sys.stderr)
            failures += 1
            continue
        target = out / f"{result.slug}.md"
        for note in result.warnings:
            print(f"{raw}: warning: {note}", file=sys.stderr)
        if target.exists():
            if target.read_text(encoding="utf-8") == result.markdown:
                print(f"{shown_path(target)}: unchanged")
                continue
            if not args.force:
                print(f"{shown_path(target)}: error: already exists; use --force to overwrite it", file=sys.stderr)
                failures += 1
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result.markdown, encoding="utf-8")
        print(f"{raw} -> {shown_path(target)}")
    return EXIT_ERRORS if failures else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from builder.build import cmd_build as build  # imported late: the site renderer needs jinja2 and pandas

    return build(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobzone", description="Check and publish AI job-risk role assessments.")
    parser.add_argument("--version", action="version", version=f"jobzone {__version__}")
    parser.add_argument("--config", help="site config file (default: ./jobzone.toml if present)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="rescore reports and report every stated number that does not match")
    check.add_argument("paths", nargs="*", metavar="PATH", help="reports or folders (default: the site's content/roles)")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.set_defaults(run=cmd_check)

    imp = commands.add_parser("import", help="turn plain-text reports into Markdown reports")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--out", metavar="DIR", help="output folder (default: the site's content/roles)")
    imp.add_argument("--force", action="store_true", help="overwrite existing Markdown files")
    imp.set_defaults(run=cmd_import)

    site = commands.add_parser("build", help="check every report, then write the static site")
    site.add_argument("--base-url", metavar="URL",
                      help="absolute URL the site is served from, e.g. https://user.github.io/repo/ "
                           "(default: the config's base_url); enables canonical links and absolute sitemap URLs")
    site.add_argument("--out", metavar="DIR", help="output folder, replaced whole (default: the config's output_dir)")
    site.set_defaults(run=cmd_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"jobzone: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("jobzone: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - never show a traceback to a user
        print(f"jobzone: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_USAGE
