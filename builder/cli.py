"""The `jobzone` command line: argument parsing and the I/O around the pure pipeline."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence

from builder import __version__
from builder.project import (EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError, load_project, open_cache, print_diagnostics,
                             run_check)
from builder.reporting import FORMATS


def cmd_check(args: argparse.Namespace) -> int:
    config, methodology = load_project(args.config)
    result, wanted = run_check(config, methodology, args.paths, open_cache(config, methodology, args.clean),
                               summaries=True)  # diagnostics are all it prints: memory stays flat
    chosen = set(wanted)
    diagnostics = [d for d in result.diagnostics if d.location.path in chosen] if args.paths else result.diagnostics
    print_diagnostics(diagnostics, args.format, len(wanted))
    return EXIT_ERRORS if any(d.is_error for d in diagnostics) else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from builder.build import cmd_build as build  # imported late: the site renderer needs jinja2 and pandas

    return build(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from builder.serve import cmd_serve as serve  # imported late: only `serve` needs watchdog and the server

    return serve(args)


def later(module: str, function: str) -> Callable[[argparse.Namespace], int]:
    """A command implemented in `module`, imported only when that command runs (start-up stays fast)."""
    def run(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(module), function)(args)
    return run


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", metavar="PATH", help="reports or folders (default: the site's content/roles)")
    check.add_argument("--format", choices=FORMATS, default="text",
                       help="output format: text, json, github (workflow annotations) or sarif "
                            "(SARIF 2.1.0 for code scanning); default: text")
    check.add_argument("--clean", action="store_true", help="empty the cache (.jobzone-cache/) and check everything")
    check.set_defaults(run=cmd_check)


def _import_arguments(imp: argparse.ArgumentParser) -> None:
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--out", metavar="DIR", help="output folder (default: the site's content/roles)")
    imp.add_argument("--force", action="store_true", help="overwrite existing Markdown files")
    imp.set_defaults(run=later("builder.importer", "cmd_import"))


def _build_arguments(site: argparse.ArgumentParser) -> None:
    site.add_argument("--base-url", metavar="URL",
                      help="absolute URL the site is served from, e.g. https://user.github.io/repo/ "
                           "(default: the config's base_url); enables canonical links and absolute sitemap URLs")
    site.add_argument("--out", metavar="DIR", help="output folder, replaced whole (default: the config's output_dir)")
    site.add_argument("--clean", action="store_true", help="empty the cache (.jobzone-cache/) and build everything")
    site.set_defaults(run=cmd_build)


def _serve_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--open", action="store_true", help="open the site in the default browser")
    serve.set_defaults(run=cmd_serve)


def _new_arguments(new: argparse.ArgumentParser) -> None:
    new.add_argument("title", help='the role title, e.g. "Data Scientist"')
    new.add_argument("--seniority", help="seniority level, e.g. Mid-level")
    new.add_argument("--out", metavar="DIR", help="folder (default: the site's content/roles)")
    new.add_argument("--force", action="store_true", help="overwrite an existing report of that slug")
    new.set_defaults(run=later("builder.scaffold", "cmd_new"))


def _fix_arguments(fix: argparse.ArgumentParser) -> None:
    fix.add_argument("paths", nargs="*", metavar="PATH", help="reports or folders (default: the site's content/roles)")
    fix.add_argument("--dry-run", action="store_true", help="print the diff, change nothing")
    fix.set_defaults(run=later("builder.fix", "cmd_fix"))


def _schema_arguments(schema: argparse.ArgumentParser) -> None:
    schema.set_defaults(run=later("builder.schema", "cmd_schema"))


def _list_arguments(listing: argparse.ArgumentParser) -> None:
    listing.add_argument("--sort", choices=("score", "title", "zone", "sublabel", "slug"), default="score",
                         help="sort by this column (default: score, highest first)")
    listing.add_argument("--reverse", action="store_true", help="reverse the order")
    listing.set_defaults(run=later("builder.overview", "cmd_list"))


def _show_arguments(show: argparse.ArgumentParser) -> None:
    show.add_argument("slug", help="the report's slug (or file path)")
    show.set_defaults(run=later("builder.overview", "cmd_show"))


# name, one-line help, how its arguments are declared
COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("check", "rescore reports and report every stated number that does not match", _check_arguments),
    ("import", "turn plain-text reports into Markdown reports", _import_arguments),
    ("build", "check every report, then write the static site", _build_arguments),
    ("serve", "serve the site from memory, rebuild on every save, reload the browser", _serve_arguments),
    ("new", "write a new report with every section and table ready to fill", _new_arguments),
    ("fix", "rewrite every derived number to its computed value, in place", _fix_arguments),
    ("schema", "print the JSON Schema of the report frontmatter", _schema_arguments),
    ("list", "a table of every role: score, zone, sub-label", _list_arguments),
    ("show", "one report's score worked step by step", _show_arguments),
)


def command_named(argv: Sequence[str]) -> str | None:
    """The command `argv` plainly asks for: its first word, after nothing but `--config FILE` (or
    `--config=FILE`). Anything else before it (help, an abbreviated option, `--`) is None, for the
    whole parser to read."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("--config="):
            return word if any(word == command for command, _, _ in COMMANDS) else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given `argv` naming a command, only that command's arguments are
    declared: argparse costs about a millisecond a command, paid on every run of a quick build."""
    parser = argparse.ArgumentParser(prog="jobzone", description="Check and publish AI job-risk role assessments.")
    parser.add_argument("--version", action="version", version=f"jobzone {__version__}")
    parser.add_argument("--config", help="site config file (default: ./jobzone.toml if present)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = command_named(argv) if argv is not None else None
    for name, summary, declare in COMMANDS:
        if chosen is None or name == chosen:
            declare(commands.add_parser(name, help=summary))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 is printed as its bytes, as `ls` does
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")
    args = build_parser(argv).parse_args(argv)
    args.argv = argv  # for `build`, to answer the same command line quickly next time
    # One-shot commands build large, acyclic data (tokens, reports): the cycle collector would
    # scan it again and again for nothing. The process ends right after.
    gc.disable()
    try:
        return args.run(args)
    except UsageError as exc:
        print(exc.told(), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("jobzone: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - never show a traceback to a user
        print(f"jobzone: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_USAGE
