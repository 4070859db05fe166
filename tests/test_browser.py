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


def _serve_built(top: Path, project: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Build `project` into top/www and serve it on a free loopback port (stop with .shutdown())."""
    proc = subprocess.run([sys.executable, "-m", "builder", "build", "--out", str(top / "www")], cwd=project,
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(top / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def test_the_roles_table_sorts_as_people_read_and_names_its_controls_plainly(browser, tmp_path: Path) -> None:
    """Titles sort with accents beside their letter and numbers by value; the table says it starts
    sorted by score, highest first; the sort arrows and the filter's count are not part of any name."""
    from helpers import renamed

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    seed = (ROOT / "content/roles/recommendation-systems-engineer.md").read_text(encoding="utf-8")
    for title, slug in (("Éditeur IA", "editeur-ia"), ("Cloud Architect 196", "cloud-architect-196"),
                        ("Cloud Architect 23", "cloud-architect-23")):
        (project / f"content/roles/{slug}.md").write_text(renamed(seed, title, slug), encoding="utf-8")
    server, url = _serve_built(tmp_path, project)
    try:
        page, problems = _open(browser, url)
        score = page.locator("table[data-sortable] th", has_text="Score")
        assert score.get_attribute("aria-sort") == "descending"
        assert page.get_by_role("button", name="Score", exact=True).count() == 1  # no arrow in the name
        page.get_by_role("button", name="Role", exact=True).click()
        titles = _titles(page)
        assert titles.index("Cloud Architect 23") < titles.index("Cloud Architect 196") < titles.index("Éditeur IA") \
            < titles.index("NLP Engineer"), titles
        box = page.get_by_role("searchbox", name="Filter", exact=True)
        box.fill("cloud")
        assert _titles(page) == ["Cloud Architect 23", "Cloud Architect 196"]
        assert page.get_by_role("searchbox", name="Filter", exact=True).count() == 1  # the count is not its name
        assert page.locator(".filter [aria-live]").inner_text() == "2 of 6 shown"
        assert problems == []
    finally:
        server.shutdown()


def test_a_long_url_in_a_report_does_not_widen_a_phone_page(browser, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    report = project / "content/roles/nlp-engineer.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nSee <https://www.example.org/research/labour-market/"
                      "2026/occupational_exposure_index_by_soc_code_full_dataset.xlsx> for the data, or "
                      "www.example.org/research/labour-market/2026/occupational_exposure_index_by_soc_code.\n",
                      encoding="utf-8")
    server, url = _serve_built(tmp_path, project)
    try:
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(url + "roles/nlp-engineer/")
        assert page.locator("a", has_text="occupational_exposure_index").count() >= 1
        width, view = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width <= view, (width, view)
    finally:
        server.shutdown()


def test_an_empty_site_filters_to_no_roles(browser, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "content/roles").mkdir(parents=True)
    server, url = _serve_built(tmp_path, project)
    try:
        page, problems = _open(browser, url)
        page.get_by_role("searchbox", name="Filter", exact=True).fill("x")
        assert page.locator(".filter [aria-live]").inner_text() == "0 of 0 shown"
        assert page.get_by_text("No roles yet.").is_visible()
        assert problems == []
    finally:
        server.shutdown()
