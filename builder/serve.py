"""`jobzone serve`: the site held in memory, rebuilt on every save, reloaded in the browser.

I/O edge. `SiteState` keeps each report's summary and each page, so a save
re-analyses only the files whose bytes changed and re-renders only the pages whose
inputs changed (the same reuse `jobzone build` is tested to be exact with). Pages are
served from memory; nothing is written to the output folder. Served HTML gets a small
script that listens on Server-Sent Events (one tab per browser, passing messages on to the
others) and reloads the page when it changes, and, while any report has errors, an overlay
listing them. `jobzone build` output never contains either.
"""

from __future__ import annotations

import argparse
import errno
import gc
import html
import json
import mimetypes
import os
import re
import secrets
import signal
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from stat import S_ISDIR
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urljoin, urlsplit

from builder.cache import Cache, tree_digest
from builder.check import PARALLEL_FROM, ChangedWhileBuilding, Checked, analyse_many, cross_check, read_bytes
from builder.config import SiteConfig
from builder.diagnostics import Diagnostic
from builder.methodology import Methodology
from builder.project import (EXIT_OK, UsageError, format_diagnostics, load_project, markdown_files, one_name_each,
                             open_cache, shown_path, with_missing_files, with_skipped)
from builder.render import TemplateProblem
from builder.freshness import SourceFile, Stat, scan_tree
from builder.state import refresh_sources

if TYPE_CHECKING:  # imported when the first rebuild runs
    from jinja2 import Environment
    from watchdog.observers.api import ObservedWatch

    from builder.site import Built

PREFIX = "/__jobzone/"
RELOAD_SCRIPT = f'<script src="{PREFIX}livereload.js"></script>'
LIVERELOAD_JS = """// jobzone serve: reload this page when the server says it changed.
//
// Browsers open at most 6 HTTP/1.1 connections to a host, so a stream held open by every tab would
// leave the 7th tab waiting for ever: one tab (the holder of a Web Lock) holds the stream and passes
// each message on to the others (BroadcastChannel); when it goes, another tab takes the lock over.
// Each message says which server process sent it and how many changes it has announced; this page
// knows both as they were when it was served (the mark just before this script), so a message it
// missed, or a server started again, reloads it.
(function () {
  "use strict";
  var script = document.currentScript, marked = script && script.previousElementSibling;
  var mark = ((marked && marked.getAttribute("data-jobzone-build")) || "").split(":");
  var server = mark[0], build = Number(mark[1]) || 0, reloading = false;
  var here = folder(location.pathname);
  var channel = null, history = [];  // the holder's messages, for tabs that open after them

  function folder(path) {  // as the server names pages: /x/index.html is /x/
    try { path = decodeURI(path); } catch (e) { /* left as it is */ }
    return path.replace(/\\/index\\.html$/, "/");
  }
  function reload() {
    if (!reloading) { reloading = true; location.reload(); }
  }
  function take(data) {
    if (!server) { server = data.server; build = data.build; }  // served without a mark: from now on
    if (data.server !== server) { return reload(); }  // another server process: anything may have changed
    if (data.build <= build) { return; }  // this page was served after it
    if (data.reload === undefined || data.build !== build + 1) { return reload(); }  // changes missed
    if (data.reload === "*" || data.reload.map(folder).indexOf(here) !== -1) { return reload(); }
    build = data.build;
  }
  function listen() {
    new EventSource("%sevents").onmessage = function (event) {
      var data = JSON.parse(event.data);
      history.push(data);
      if (history.length > 100) { history.shift(); }
      if (channel) { channel.postMessage(data); }  // before this tab may reload
      take(data);
    };
  }

  if (!window.BroadcastChannel || !navigator.locks) { return listen(); }  // one stream per tab, then
  channel = new BroadcastChannel("jobzone-livereload");
  channel.onmessage = function (event) {
    if (event.data === "missed?") {
      if (history.length) { channel.postMessage(history); }
    } else {
      [].concat(event.data).forEach(take);
    }
  };
  navigator.locks.request("jobzone-livereload", function () {
    listen();
    return new Promise(function () {});  // held while this page is open
  });
  channel.postMessage("missed?");  // what the holder passed on before this page listened
}());
""" % PREFIX
# A stylesheet, not a style attribute: the pages' Content-Security-Policy allows no inline style.
OVERLAY_CSS = ("#jobzone-errors{position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;"
               "margin:0;padding:1rem 1.25rem;background:#2b0a0a;color:#ffe9e9;"
               "font:14px/1.5 ui-monospace,monospace;border-top:4px solid #e5484d;white-space:pre-wrap}\n")
NOT_FOUND = b"<!doctype html><title>Not found</title><h1>Not found</h1></body>"
QUIET_SECONDS = 0.01   # wait this long after the last file event, so a burst of saves is one rebuild
LONGEST_WAIT = 0.3     # but never longer than this after the first


def page_url(path: str) -> str:
    """The URL path a site file is served at: "roles/x/index.html" -> "/roles/x/"."""
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


@dataclass
class Refresh:
    """What one rebuild changed: the URL paths to reload ("*" for every page) and the problems to show."""

    reload: list[str] | str
    diagnostics: list[Diagnostic]
    errors: int


@dataclass
class SiteState:
    """The site in memory, kept up to date with the files by `refresh()`."""

    config_file: str | None
    base_url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    generation: int = 0
    _checked: dict[str, Checked] = field(default_factory=dict)  # each report's summary, by shown path
    _whole: dict[str, Checked] = field(default_factory=dict)  # the whole analyses of the last scan's few changes
    _skipped: list[Diagnostic] = field(default_factory=list)  # files the last scan could not take as reports
    _files: dict[str, SourceFile] = field(default_factory=dict)  # each report's stat and digest, by shown path
    _scanned_ns: int = 0  # when the reports were last looked at
    _built: Built | None = None  # the last good build, whose pages the next one may reuse
    _settings: tuple[object, ...] = ()
    _config: SiteConfig | None = None
    _methodology: Methodology | None = None
    _cache: Cache | None = None
    _dates: dict | None = None
    _git_head: str = ""
    _env: Environment | None = None  # kept while the templates are unchanged, so they compile once
    _shown: dict = field(default_factory=dict)  # file path -> the path shown in diagnostics
    _analysed_with: str = ""
    _diagnostics: list[Diagnostic] = field(default_factory=list)  # what the last whole check found
    _pending: set[str] = field(default_factory=set)  # reports read since the site was last rendered
    _completed: bool = False  # the last refresh returned (one that raised may have read what it never rendered)
    _others: dict[str, Stat] = field(default_factory=dict)  # `_other_files` at the last refresh
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def reports(self) -> int:
        return len(self._checked)

    def _load_settings(self) -> bool:
        """Reload config, methodology and templates; True when any of them changed (everything re-renders)."""
        config, methodology = load_project(self.config_file)
        templates = tree_digest(config.root / config.templates_dir)
        settings = (repr(config), repr(methodology), templates)
        changed = settings != self._settings
        if changed:
            self._settings, self._config, self._methodology = settings, config, methodology
            self._cache = open_cache(config, methodology)
            self._built = None
            self._env = None
            if settings[1] != self._analysed_with:
                self._checked, self._files = {}, {}
                self._analysed_with = settings[1]
        return changed

    def _scan(self) -> set[str]:
        """Re-read the reports whose size or time changed (or may have: `state.refresh_sources`) and
        analyse those whose bytes did; returns the shown paths that changed, appeared or went."""
        assert self._config is not None and self._methodology is not None
        scanned_ns = time.time_ns()  # before the stats: a write after it is racy next time
        stats: dict[str, Stat] = {}
        paths: dict[str, Path] = {}
        self._skipped = []
        listed = dict(markdown_files(self._config.content_path, self._skipped))
        for found in one_name_each([Path(path) for path in listed]).values():  # as `jobzone build` reads them
            path = str(found)
            if path not in self._shown:
                self._shown[path] = shown_path(found)
            shown = self._shown[path]
            stats[shown], paths[shown] = listed[path], found
        self._files, changed = refresh_sources(stats, self._files, self._scanned_ns, paths.__getitem__)
        self._scanned_ns = scanned_ns
        reads: list[tuple[bytes, str]] = []
        for shown in sorted(changed):
            if shown not in paths:
                self._checked.pop(shown, None)
                continue
            data, problem = read_bytes(paths[shown], shown)  # vanished or unreadable: reported, and
            if data is None:  # the next event tells again
                self._checked[shown] = Checked(shown, None, [problem])
            else:
                reads.append((data, shown))
        # Only summaries are kept, as a build keeps them: pages are rendered from the cached analyses.
        # A few changes (a save) are kept whole until rendered, so their pages need not read them again.
        many = len(reads) >= PARALLEL_FROM
        self._whole = {}
        for checked in analyse_many(reads, self._methodology, self._cache, summaries=many):
            self._checked[checked.path] = checked if many else checked.summary()
            if not many:
                self._whole[checked.path] = checked
        return changed

    def _render_edited(self, changed: set[str], before: dict[str, Checked]) -> Refresh | None:
        """An edit only the edited reports' own pages show (`site.shows_only_itself`): those pages
        rendered with the last good build's context, nothing else checked or linked again, the
        problems as they were. None for any other change, or while the site has errors."""
        from builder.site import maybe_copied, render_edited, shows_only_itself

        built, config = self._built, self._config
        context = built.context if built is not None else None
        if built is None or context is None or self.errors or self._env is None or self._methodology is None \
                or config is None or self._head() != self._git_head:  # a commit may change page dates
            return None
        edited = [self._whole.get(shown) for shown in sorted(changed)]
        if not all(now is not None and shown in before and shows_only_itself(now, before[shown], context)
                   and not maybe_copied(Path(shown), config.content_path, context)
                   for shown, now in zip(sorted(changed), edited, strict=True)):
            return None
        previous = dict(self.files)  # `built.files` may be this very dict: render_edited updates it
        rendered = render_edited(context, context.pages(self._env), built,
                                 [now.entry for now in edited if now is not None and now.entry is not None],
                                 self._methodology)
        if rendered is None:
            return None
        self.files = {**previous, **rendered}
        self.generation += 1
        touched = sorted(page_url(path) for path, data in rendered.items() if previous.get(path) != data)
        return Refresh(touched, self._diagnostics, 0)

    def _head(self) -> str:
        """The git commit the content folder is at, as `gitdates.GitHead.identity` names it ("" if none)."""
        from builder.gitdates import git_head

        assert self._config is not None
        return git_head(self._config.content_path).identity if self._config.content_path.is_dir() else ""

    def _dates_for(self, entries: list) -> dict:  # noqa: ANN001
        from builder.site import git_dates

        assert self._config is not None
        head = self._head()
        if head != self._git_head or self._dates is None or set(self._dates) - {e.report.meta.slug for e in entries}:
            self._git_head, self._dates = head, git_dates(self._config, entries)
        return self._dates

    def refresh(self) -> Refresh:
        """Bring the site up to date with the files on disk; on errors keep the last good pages.

        Reports read but not yet rendered (a refresh that stopped at errors, or raised) stay
        pending until a refresh renders them; files beside the reports (images) are watched too."""
        from builder.links import link_site
        from builder.render import SiteInfo, environment
        from builder.site import assemble
        from builder.workers import RenderInWorkers

        with self._lock:
            settings_changed = self._load_settings()
            before, skipped_before = dict(self._checked), self._skipped
            changed = self._scan()
            config, methodology = self._config, self._methodology
            assert config is not None and methodology is not None
            completed, self._completed = self._completed, False  # until this refresh returns
            others = self._other_files()
            others_same, self._others = others == self._others and skipped_before == self._skipped, others
            pending = self._pending = self._pending | changed
            if completed and others_same and not settings_changed and changed and pending == changed:
                edited = self._render_edited(changed, before)
                if edited is not None:
                    self._pending, self._completed, self._whole = set(), True, {}
                    return edited
            checked = [self._checked[shown] for shown in sorted(self._checked)]
            result = with_missing_files(with_skipped(cross_check(checked, methodology), self._skipped), config)
            self._diagnostics = result.diagnostics
            errors = [d for d in result.diagnostics if d.is_error]
            if errors or result.index is None:
                had = self.errors
                self.errors = errors
                if had != errors:
                    self.generation += 1
                self._completed = True
                return Refresh("*" if had != errors else [], result.diagnostics, len(errors))
            if completed and others_same and not pending and not settings_changed and not self.errors and self.files:
                self._completed = True
                return Refresh([], result.diagnostics, 0)
            entries = result.entries
            links = link_site(entries, result.index)
            slugs = {self._checked[shown].entry.report.meta.slug for shown in pending
                     if shown in self._checked and self._checked[shown].entry is not None}
            assert self._cache is not None
            templates, compiled = config.root / config.templates_dir, self._cache.folder / "templates"
            if self._env is None:
                self._env = environment(templates, compiled)
            whole = {shown: c.entry for shown, c in self._whole.items() if c.entry is not None}
            built = assemble(config, methodology, SiteInfo(config.title, config.description, self.base_url),
                             entries, links, self._built, slugs, self._dates_for(entries), self._env,
                             RenderInWorkers(templates, compiled, self._cache, whole,
                                             {shown: c.digest for shown, c in self._checked.items()}))
            previous, had_errors = self.files, bool(self.errors)
            self.files, self._built, self.errors = built.files, built, []
            self.generation += 1
            self._pending, self._completed, self._whole = set(), True, {}
            if had_errors or settings_changed:
                return Refresh("*", result.diagnostics, 0)
            touched = [page_url(path) for path, data in built.files.items() if previous.get(path) != data]
            touched += [page_url(path) for path in previous if path not in built.files]
            return Refresh(sorted(set(touched)), result.diagnostics, 0)

    def _other_files(self) -> dict[str, Stat]:
        """The stat of every file under the content folder but the reports (images, PDFs a report
        may link to): one changed, added or removed means the whole site is checked and copied again."""
        assert self._config is not None
        content = self._config.content_path
        if not content.is_dir():
            return {}
        return {name: stat for name, stat in scan_tree(content, follow_links=True).items() if not name.endswith(".md")}


class Events:
    """Fan-out of reload messages to every open page (one Server-Sent Events stream each).

    Each message carries this process's token and its number, so a page can tell one it missed
    (the stream was down) or a server started again from one it has seen."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._messages: list[str] = []
        self.closed = False
        self.token = secrets.token_hex(8)

    def publish(self, reload: list[str] | str) -> None:
        if not reload:
            return
        with self._condition:
            build = len(self._messages) + 1
            self._messages.append(json.dumps({"server": self.token, "build": build, "reload": reload}))
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, list[str]]:
        with self._condition:
            self._condition.wait_for(lambda: len(self._messages) > seen or self.closed, timeout)
            return len(self._messages), self._messages[seen:]

    def count(self) -> int:
        with self._condition:
            return len(self._messages)

    def hello(self, seen: int) -> str:
        """The first message of a stream: how many changes have been announced, with no reload."""
        return json.dumps({"server": self.token, "build": seen})

    def close(self) -> None:
        with self._condition:
            self.closed = True
            self._condition.notify_all()


def overlay(errors: list[Diagnostic]) -> str:
    lines = "\n".join(html.escape(f"{d.location}: {d.message} [{d.code}]") for d in errors[:200])
    more = f"\n… and {len(errors) - 200} more" if len(errors) > 200 else ""
    return (f'<link rel="stylesheet" href="{PREFIX}overlay.css"><div id="jobzone-errors" role="alert">'
            f'<strong>jobzone: {len(errors)} error{"s" if len(errors) != 1 else ""} — the site shows the last good '
            f'build</strong>\n{lines}{more}</div>')


def inject(page: bytes, errors: list[Diagnostic], build: str = "") -> bytes:
    """The live-reload script (and the error overlay) before </body>; only ever for served pages.

    `build` ("token:number", see `Events`), in an inert element just before the script, tells the
    script which changes the page already shows.
    Done on the bytes, in ASCII (other characters as references), so an HTML file a report links
    in any ASCII-compatible encoding is served as it is plus the script; one in UTF-16 or UTF-32,
    where ASCII bytes would break it, is served untouched."""
    if page.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in page:
        return page
    mark = f'<template data-jobzone-build="{html.escape(build)}"></template>' if build else ""
    extra = ((overlay(errors) if errors else "") + mark + RELOAD_SCRIPT).encode("ascii", "xmlcharrefreplace")
    at = page.lower().rfind(b"</body>")
    return page[:at] + extra + page[at:] if at != -1 else page + extra


# A URL attribute, quoted; its value relative to the page (no scheme, not rooted, not only a fragment).
_RELATIVE = re.compile(rb"""(\s(?:href|src|action|poster)\s*=\s*)(["'])(?![a-zA-Z][a-zA-Z0-9+.-]*:|[/#]|\2)(.*?)\2""",
                       re.IGNORECASE | re.DOTALL)


def rooted(page: bytes) -> bytes:
    """The 404 page with its relative links made absolute: it is written for the site root but served at
    whatever address was missing, where the browser would resolve them. Not a <base href="/">: the pages'
    Content-Security-Policy forbids one (base-uri 'none'), and it would send the "#main" skip link home."""
    return _RELATIVE.sub(lambda m: m[1] + m[2] + urljoin(b"http://site/", m[3])[len(b"http://site"):] + m[2], page)


def is_utf8(data: bytes) -> bool:
    """Whether a text file may be served as charset=utf-8 (a linked file may be in another encoding)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def request_path(target: str) -> str:
    """The decoded path of a request target, with leading slashes made one: a redirect to "//x/"
    would send a browser to the host x."""
    path = target.split("?", 1)[0].split("#", 1)[0] if target.startswith("/") else urlsplit(target).path
    return "/" + unquote(path).lstrip("/")


def make_handler(state: SiteState, events: Events) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "jobzone"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass  # the terminal is for diagnostics, not for every request

        def _send(self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802
            try:
                path = request_path(self.path)
                if path == f"{PREFIX}events":
                    return self._events()
                if path == f"{PREFIX}livereload.js":
                    return self._send(200, LIVERELOAD_JS.encode(), "text/javascript; charset=utf-8")
                if path == f"{PREFIX}overlay.css":
                    return self._send(200, OVERLAY_CSS.encode(), "text/css; charset=utf-8")
                self._page(path)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _page(self, path: str) -> None:
            # The count first: a rebuild replaces the files before it announces them, so the page
            # served never claims a change it does not show (at worst it reloads once more).
            build = f"{events.token}:{events.count()}"
            files, errors = state.files, state.errors
            name = path.lstrip("/")
            if name == "" or name.endswith("/"):
                name += "index.html"
            if name not in files and f"{name}/index.html" in files:  # quoted: no backslash that a browser reads as /
                return self._send(301, b"", "text/plain", {"Location": quote(f"/{name}/")})
            status, body = 200, files.get(name)
            if body is None:  # the 404 page is HTML whatever was asked for
                status, name, body = 404, "404.html", rooted(files.get("404.html", NOT_FOUND))
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind == "text/html":
                body = inject(body, errors, build)
            if (kind.startswith("text/") or kind in ("application/json", "application/xml", "image/svg+xml")) \
                    and is_utf8(body):
                kind += "; charset=utf-8"
            self._send(status, body, kind)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command == "HEAD":  # headers only: the stream is for GET
                return
            seen = events.count()
            self.wfile.write(f"retry: 500\n\ndata: {events.hello(seen)}\n\n".encode())
            self.wfile.flush()
            while not events.closed:
                seen, messages = events.wait(seen, 15)
                payload = "".join(f"data: {m}\n\n" for m in messages) or ": keep-alive\n\n"
                self.wfile.write(payload.encode())
                self.wfile.flush()

    return Handler


class Watcher:
    """Coalesces file events (editors' write-and-rename, swap files, bursts) into one refresh."""

    def __init__(self, state: SiteState, events: Events, config: SiteConfig) -> None:
        self.state, self.events, self.config = state, events, config
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._first = 0.0
        self._last = 0.0
        self._collect_due: float | None = None

    def poke(self) -> None:
        now = time.monotonic()
        if not self._wake.is_set():
            self._first = now
        self._last = now
        self._wake.set()

    def start(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class OnChange(FileSystemEventHandler):
            def on_any_event(self, event: object) -> None:
                if getattr(event, "event_type", "") not in ("opened", "closed_no_write"):
                    watcher.poke()

        self.observer = Observer()
        self._handler = OnChange()
        self._watched: dict[tuple[str, bool], tuple[ObservedWatch, tuple[int, int]]] = {}
        self._told: set[str] = set()
        self.observer.daemon = True
        self.observer.start()  # first, so each watch below starts (or fails) as it is scheduled
        self._watch_folders()
        self.thread = threading.Thread(target=self._run, name="jobzone-rebuild", daemon=True)
        self.thread.start()

    def _folders(self) -> dict[tuple[str, bool], tuple[int, int]]:
        """The folders to watch now, as (real path, recursive) -> (device, inode): the content and
        templates folders with all they hold; for their own entries only, the folders holding them
        up to the project root (only the nearest, outside it) and those of the config and methodology
        files, so a folder deleted, renamed or made again is seen wherever it was."""
        config = self.state._config or self.config  # the config as last read: jobzone.toml may have changed
        root = Path(os.path.abspath(config.root))
        trees = [Path(os.path.abspath(config.content_path)), Path(os.path.abspath(root / config.templates_dir))]
        holders = [root, config.methodology_path.parent, *([config.config_path.parent] if config.config_path else [])]
        for tree in trees:
            inside = [parent for parent in tree.parents if parent != root and parent.is_relative_to(root)]
            holders += inside if tree.is_relative_to(root) else [tree.parent]
        folders: dict[tuple[str, bool], tuple[int, int]] = {}
        for folder, recursive in [*((tree, True) for tree in trees), *((holder, False) for holder in holders)]:
            real = os.path.realpath(folder)
            try:
                info = os.stat(real)
            except OSError:
                continue  # not there (yet): the folder holding it is watched, and tells when it comes
            if S_ISDIR(info.st_mode):
                folders[(real, recursive)] = (info.st_dev, info.st_ino)
        return folders

    def _watch_folders(self) -> None:
        """Bring the watches in line with the folders as they are now, before each rebuild reads them.

        A watch ends with its folder (inotify drops it when the folder is deleted) or follows it when
        renamed, so one whose folder is gone, is another folder now, or has stopped is dropped, and
        the folder at that path watched afresh once it exists: a `templates/` or content folder made
        (again) while serving is seen by its parent's watch, and from then on watched itself."""
        folders = self._folders()
        try:
            running = {emitter.watch for emitter in list(self.observer.emitters)
                       if emitter.is_alive() and emitter.should_keep_running()}
        except RuntimeError:  # the observer stopping as we look: serve is ending
            return
        for key, (watch, identity) in list(self._watched.items()):
            if folders.get(key) != identity or watch not in running:
                del self._watched[key]
                try:
                    self.observer.unschedule(watch)
                except (KeyError, OSError, RuntimeError):
                    pass  # already gone with its folder
        for key, identity in folders.items():
            if key in self._watched:
                continue
            try:
                self._watched[key] = (self.observer.schedule(self._handler, key[0], recursive=key[1]), identity)
            except OSError as exc:  # vanished since it was looked at (its parent tells when it is back), or
                # could not be watched (too many watches, no permission): told once
                if exc.errno not in (errno.ENOENT, errno.ENOTDIR) and key[0] not in self._told:
                    self._told.add(key[0])
                    print(f"jobzone: warning: cannot watch {shown_path(Path(key[0]))}: {exc.strerror or exc}; "
                          "changes there are not seen", flush=True)

    def collect_soon(self) -> None:
        """Have the collector run at the next idle moment (after the first build, made without it)."""
        self._collect_due = time.monotonic() + 2.0

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._wake.wait(0.5):
                if self._collect_due is not None and time.monotonic() >= self._collect_due:
                    # While idle, collect what past rebuilds left in cycles; then freeze the live site
                    # again, so the next save does not pay for scanning it.
                    gc.unfreeze()
                    gc.collect()
                    gc.freeze()
                    self._collect_due = None
                continue
            while True:  # wait for a quiet moment, but not for ever
                now = time.monotonic()
                if now - self._last >= QUIET_SECONDS or now - self._first >= LONGEST_WAIT:
                    break
                time.sleep(QUIET_SECONDS / 3)
            self._wake.clear()
            try:
                self._watch_folders()
            except Exception as exc:  # noqa: BLE001 - the rebuilds go on whatever setting a watch does
                print(f"jobzone: internal error while watching folders: {type(exc).__name__}: {exc}", flush=True)
            rebuild(self.state, self.events)
            self.collect_soon()

    def stop(self) -> None:
        self._stop.set()
        observer = getattr(self, "observer", None)
        if observer is not None:
            observer.stop()


def rebuild(state: SiteState, events: Events, first: bool = False) -> None:
    """One refresh, reported on the terminal and pushed to open pages; never raises."""
    started = time.perf_counter()
    try:
        result = state.refresh()
    except UsageError as exc:
        print(exc.told(), flush=True)
        return
    except TemplateProblem as exc:
        print(f"jobzone: error: {shown_path(Path(exc.path))}:{exc.line}: template error: {exc.message}; "
              "serving the last good build [JZ902]", flush=True)
        return
    except ChangedWhileBuilding as exc:  # saved again while pages were rendered: that save brings a rebuild
        print(f"jobzone: {exc}; rebuilding with the new save", flush=True)
        return
    except Exception as exc:  # noqa: BLE001 - the server stays up whatever one rebuild does
        print(f"jobzone: internal error while rebuilding: {type(exc).__name__}: {exc}", flush=True)
        return
    gc.freeze()  # the site just built lives on: keep the collector from scanning it after every save
    elapsed = (time.perf_counter() - started) * 1000
    if first or result.reload:
        if result.diagnostics or result.errors:
            print(format_diagnostics(result.diagnostics, "text", state.reports), flush=True)
        if result.errors:
            print(f"jobzone: {result.errors} error{'s' if result.errors != 1 else ''}; serving the last good build",
                  flush=True)
        elif not first:
            changed = "every page" if result.reload == "*" else f"{len(result.reload)} file(s)"
            print(f"Rebuilt in {elapsed:.0f} ms: {changed} changed", flush=True)
    events.publish(result.reload)


def cmd_serve(args: argparse.Namespace) -> int:
    config, _ = load_project(args.config)
    state = SiteState(args.config)
    events = Events()
    try:
        server = ThreadingHTTPServer((args.host, args.port), make_handler(state, events))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {args.port} on {args.host} is already in use; stop the other server or choose "
                             "another port with --port") from exc
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    server.daemon_threads = True
    watcher = Watcher(state, events, config)
    watcher.start()  # before the first build, so no save is missed
    try:
        rebuild(state, events, first=True)  # without the collector, as `build` runs (about half the time)
        gc.enable()  # a long-running process: from now on, garbage in cycles is collected
        watcher.collect_soon()
        stopping = threading.Event()

        def stop(signum: int, frame: object) -> None:
            """Ctrl-C or SIGTERM: end serve_forever from another thread, then clean up below."""
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        host, port = server.server_address[:2]
        url = f"http://{host}:{port}/"
        print(f"Serving {shown_path(config.content_path)} at {url} (Ctrl-C to stop)", flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(url)
        if not stopping.is_set():
            server.serve_forever(poll_interval=0.2)
    finally:
        watcher.stop()
        events.close()
        server.server_close()
    print("Stopped.", flush=True)
    return EXIT_OK


__all__ = ["SiteState", "cmd_serve", "inject", "page_url"]
