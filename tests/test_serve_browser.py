"""`jobzone serve` in a real browser (Debian's chromium, headless): what only a browser shows of live reload —
connection limits, URL resolution, reconnects."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

# Fixtures (the import skips this module where playwright or chromium is missing, as it does test_browser's).
from test_browser import browser, pytestmark  # noqa: F401
from test_serve import NLP, Server, project, server  # noqa: F401

UNCHANGED = "() => window.__unchanged === true"  # a page that reloads loses this mark
STREAM = "/__jobzone/events"
BUDGET = 8000  # ms a reload may take; a reload that never comes fails well inside a test's ~20 s


def _edit(root: Path, old: str, new: str) -> None:
    path = root / NLP
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _reloaded_with(page, text: str, timeout: float = BUDGET) -> None:
    """Wait until the page has loaded again (its mark is gone) and shows `text`."""
    page.wait_for_function("text => window.__unchanged === undefined && document.body.innerText.includes(text)",
                           arg=text, timeout=timeout)


def _until(page, test: Callable[[], bool], what: str, seconds: float = 8.0) -> None:
    """Poll `test` while `page` waits: playwright's sync API delivers events only inside its own calls."""
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        page.wait_for_timeout(20)


def test_any_number_of_tabs_load_and_reload(server: Server, project: Path, browser) -> None:  # noqa: F811
    """Chromium opens at most 6 HTTP/1.1 connections per host: a stream held open by each tab would leave a
    7th tab waiting for ever. One tab holds the stream and tells the others; when it goes, another takes over."""
    context = browser.new_context()
    streams: list = []  # the page of each request for the event stream
    context.on("request", lambda r: streams.append(r.frame.page) if r.url.endswith(STREAM) else None)
    try:
        pages = []
        for _ in range(9):
            page = context.new_page()
            response = page.goto(server.url + "roles/nlp-engineer/", timeout=5000)
            assert response is not None and response.status == 200
            pages.append(page)
        _until(pages[-1], lambda: len(streams) >= 1, "a tab opens the event stream")
        for page in pages:
            page.evaluate("window.__unchanged = true")
        assert len(streams) == 1, streams  # one stream for the browser, however many tabs
        saved = time.time() * 1000
        _edit(project, "Timeline:", "Timeline (tabs):")
        for page in pages:
            _reloaded_with(page, "Timeline (tabs):")
        # When each tab started loading again (the clocks are the same machine's): the relay adds little.
        late = max(page.evaluate("performance.timeOrigin") for page in pages) - saved
        assert late < 1000, f"{late:.0f} ms from the save to the last tab's reload"

        # The tab holding the stream goes: another one opens it, and no tab reloads for that alone.
        settled = "n => navigator.locks.query().then(q => q.held.length === 1 && q.pending.length === n - 1)"
        _until(pages[0], lambda: pages[0].evaluate(settled, len(pages)), "one tab holds the lock, the others wait")
        for page in pages:
            page.evaluate("window.__unchanged = true")
        opened = len(streams)
        holder = streams[-1]  # the last to open the stream, now that no tab is loading
        pages.remove(holder)
        holder.close()
        _until(pages[0], lambda: len(streams) > opened, "another tab opens the event stream")
        pages[0].wait_for_timeout(300)  # time enough for a wrong reload to start
        assert all(page.evaluate(UNCHANGED) for page in pages)
        _edit(project, "Timeline (tabs):", "Timeline (handed over):")
        for page in pages:
            _reloaded_with(page, "Timeline (handed over):")
    finally:
        context.close()


def test_without_web_locks_each_tab_listens_itself(server: Server, project: Path, browser) -> None:  # noqa: F811
    """A page over plain HTTP from another machine is no secure context: no Web Locks there, so each tab
    holds its own stream, as before (and the 6-connection limit with it)."""
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(Navigator.prototype, 'locks', {get: () => undefined})")
    streams: list = []
    context.on("request", lambda r: streams.append(r.frame.page) if r.url.endswith(STREAM) else None)
    try:
        pages = [context.new_page() for _ in range(2)]
        for page in pages:
            page.goto(server.url + "roles/nlp-engineer/")
            page.evaluate("window.__unchanged = true")
        _until(pages[0], lambda: set(streams) == set(pages), "each tab opens the event stream")
        _edit(project, "Timeline:", "Timeline (no locks):")
        for page in pages:
            _reloaded_with(page, "Timeline (no locks):")
    finally:
        context.close()


def test_the_404_page_is_styled_and_its_links_work_at_any_depth(server: Server, browser) -> None:  # noqa: F811
    """The 404 page is written for the site root, but served at whatever address was missing."""
    context = browser.new_context()
    try:
        page = context.new_page()
        failed: list[str] = []
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        missing = server.url + "roles/nope/deeper/"
        response = page.goto(missing)
        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        assert failed == [f"404 {missing}"]  # the stylesheet, icon and script all found
        assert page.evaluate("""() => [...document.styleSheets].some(
            s => s.href !== null && s.href.endsWith('/static/style.css') && s.cssRules.length > 0)""")
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert server.url in hrefs and server.url + "methodology/" in hrefs and server.url + "zones/green/" in hrefs
        assert missing + "#main" in hrefs  # a link within the page stays within it
        for href in hrefs:
            if not href.startswith(missing):
                assert server.get(href[len(server.url) - 1:])[0] == 200, href
    finally:
        context.close()


def test_a_page_opened_as_index_html_reloads(server: Server, project: Path, browser) -> None:  # noqa: F811
    """…/index.html is the page announced as …/ ."""
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(server.url + "roles/nlp-engineer/index.html")
        assert response is not None and response.status == 200
        page.evaluate("window.__unchanged = true")
        _edit(project, "Timeline:", "Timeline (index.html):")
        _reloaded_with(page, "Timeline (index.html):")
    finally:
        context.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_edit_saved_while_the_server_was_down_shows_when_it_is_back(project: Path, browser) -> None:  # noqa: F811
    """The stream reconnects to a new server, which cannot know what the page missed: the page, told that
    another server process answers, reloads."""
    port = _free_port()
    first = Server(project, "--port", str(port))
    second = None
    context = browser.new_context()
    try:
        page = context.new_page()
        connected: list[int] = []
        page.on("response", lambda r: connected.append(r.status) if r.url.endswith(STREAM) else None)
        page.goto(first.url + "roles/nlp-engineer/")
        page.evaluate("window.__unchanged = true")
        _until(page, lambda: connected == [200], "the page opens the event stream")
        assert first.stop() == 0
        _edit(project, "Timeline:", "Timeline (while down):")
        second = Server(project, "--port", str(port))
        _reloaded_with(page, "Timeline (while down):")
        # Reloaded once, from the server now running: no loop of reloads.
        page.evaluate("window.__unchanged = true")
        page.wait_for_timeout(500)
        assert page.evaluate(UNCHANGED)
    finally:
        context.close()
        first.stop()
        if second is not None:
            assert second.stop() == 0
