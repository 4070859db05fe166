"""A real browser (Debian's chromium, headless) on the built site, served over real HTTP under a sub-path."""

from __future__ import annotations

import functools
import os
import http.server
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """Build the fixture site under /repo/ and serve its parent folder on a free loopback port."""
    top = tmp_path_factory.mktemp("served")
    project = top / "project"
    shutil.copytree(FIXTURE, project)
    out = top / "www" / "repo"
    proc = subprocess.run([sys.executable, "-m", "builder", "build", "--out", str(out),
                           "--base-url", "http://127.0.0.1/repo/"], cwd=project, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(top / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/repo/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def _open(browser, url: str):
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return page, problems


def _titles(page) -> list[str]:
    return [t.strip() for t in page.locator("table[data-sortable] tbody tr:not([hidden]) td:first-child").all_inner_texts()]


def test_index_sorts_and_filters(served: str, browser) -> None:
    page, problems = _open(browser, served)
    assert len(_titles(page)) == 3
    score_header = page.locator("table[data-sortable] th", has_text="Score").locator("button")
    score_header.click()
    scores = [float(s) for s in page.locator("table[data-sortable] tbody tr td:nth-child(2)").all_inner_texts()]
    assert scores == sorted(scores)
    score_header.click()
    scores = [float(s) for s in page.locator("table[data-sortable] tbody tr td:nth-child(2)").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    page.fill("input[type=search]", "nlp")
    assert _titles(page) == ["NLP Engineer"]
    page.fill("input[type=search]", "")
    assert len(_titles(page)) == 3
    assert problems == []


def test_every_page_renders_without_console_errors(served: str, browser) -> None:
    page, problems = _open(browser, served)
    hrefs = sorted({h.split("#")[0] for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
                    if h.startswith(served) and h.split("#")[0].endswith("/")})
    assert any("/roles/" in h for h in hrefs)
    for href in hrefs:
        other, other_problems = _open(browser, href)
        assert other.locator("h1").count() >= 1, href
        assert other_problems == [], (href, other_problems)
        other.close()
    assert problems == []


def test_an_open_page_reloads_by_itself_after_an_edit(browser, tmp_path: Path) -> None:
    from test_serve import Server

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns(".jobzone-cache"))
    server = Server(project)
    try:
        page, problems = _open(browser, server.url + "roles/nlp-engineer/")
        page.wait_for_function("() => window.EventSource !== undefined")
        page.evaluate("window.__before_edit = true")
        time.sleep(0.3)  # let the event stream connect
        path = project / "content/roles/nlp-engineer.md"
        path.write_text(path.read_text(encoding="utf-8").replace("Timeline:", "Timeline (live):", 1), encoding="utf-8")
        page.wait_for_function("() => window.__before_edit === undefined && "
                               "document.body.innerText.includes('Timeline (live):')", timeout=15000)
        broken = path.read_text(encoding="utf-8").replace("| 25% | 3 | 0.75 |", "| 25% | 3 | 0.80 |", 1)
        path.write_text(broken, encoding="utf-8")
        page.wait_for_selector("#jobzone-errors", timeout=15000)
        assert "stated 0.80, computed 0.75" in page.inner_text("#jobzone-errors")
        page.close()
        assert [p for p in problems if "net::ERR" not in p] == []
    finally:
        assert server.stop() == 0


AXE = Path(os.environ.get("JOBZONE_AXE", ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_an_accessibility_audit(served: str, browser, scheme: str) -> None:
    """axe-core (WCAG 2 A and AA, and best practices) on every page linked from the index, in light
    and dark colours: no violation at all, which is stricter than a score of 95."""
    if not AXE.is_file():
        pytest.skip(f"axe-core not installed at {AXE} (`bash .ci/run` installs it from npm)")
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)  # axe is injected as a script
    page = context.new_page()
    page.goto(served)
    urls = sorted({h.split("#")[0] for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
                   if h.startswith(served) and h.split("#")[0].endswith("/")} | {served})
    found = {}
    for url in urls:
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => {
            const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']});
            return result.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes[0].html.slice(0, 100));
        }""")
        if violations:
            found[url] = violations
    context.close()
    assert len(urls) >= 10
    assert found == {}
