"""`jobzone build`: the site from the shipped content and from a three-report fixture.

Every build runs the CLI in a subprocess against a copy of the content in tmp_path, so
the repository is never written to. The checks are about the site as a whole: every
internal link lands on a file, nothing a report says can run as script, two builds are
byte-identical, and a failing check leaves the previous site as it was.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest

from builder import charts
from builder.output import inside
from builder.links import relative_url
from builder.methodology import load_methodology
from builder.render import defuse_text, unsafe_url

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "site"
SEED = (ROOT / "content" / "roles" / "recommendation-systems-engineer.md").read_text(encoding="utf-8")
BASE = "https://user.github.io/repo/"
Run = Callable[..., subprocess.CompletedProcess[str]]


# --- helpers -----------------------------------------------------------------------------------

def copy_fixture(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    return project


def build(run: Run, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(["build", *args], cwd)


def built(run: Run, cwd: Path, *args: str) -> None:
    proc = build(run, cwd, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Page(HTMLParser):
    """Every href/src and every id of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(site: Path, base_url: str = "") -> list[str]:
    """Internal links that do not land on a file (folders -> index.html) or on an id in it."""
    problems = []
    site = site.resolve()
    for html in sorted(site.rglob("*.html")):
        for url in parse(html).urls:
            if base_url and url.startswith(base_url):
                parts = urlsplit(url[len(base_url):])
                target = site / unquote(parts.path)
            else:
                parts = urlsplit(url)
                if parts.scheme or parts.netloc:
                    continue  # external
                if url.startswith("/"):
                    problems.append(f"{html.relative_to(site)}: root-relative link {url!r}")
                    continue
                target = html.parent / unquote(parts.path) if parts.path else html
            if target.is_dir() or parts.path.endswith("/") or (not parts.path and target != html):
                target = target / "index.html"
            target = target.resolve()
            if not target.is_relative_to(site) or not target.is_file():
                problems.append(f"{html.relative_to(site)}: {url!r} -> missing {target}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in parse(target).ids:
                problems.append(f"{html.relative_to(site)}: {url!r} -> no id {parts.fragment!r}")
    return problems


@pytest.fixture(scope="module")
def fixture_sites(run_jobzone: Run, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture built twice: without a base URL and with a GitHub Pages project URL."""
    project = copy_fixture(tmp_path_factory.mktemp("fixture"))
    built(run_jobzone, project)
    built(run_jobzone, project, "--base-url", BASE, "--out", "site-base")
    return {"plain": project / "site", "base": project / "site-base"}


@pytest.fixture(scope="module")
def shipped_site(run_jobzone: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "site"
    built(run_jobzone, ROOT, "--out", str(out))
    return out


# --- the shipped content -----------------------------------------------------------------------

def test_shipped_content_builds_every_page(shipped_site: Path) -> None:
    for name in ("index.html", "404.html", ".nojekyll", "robots.txt", "sitemap.xml", "feed.xml",
                 "methodology/index.html", "zones/yellow/index.html", "sublabels/yellow-urgent/index.html",
                 "roles/recommendation-systems-engineer/index.html",
                 "roles/recommendation-systems-engineer/index.json",
                 "data/roles.csv", "data/roles.json", "static/style.css", "static/table.js"):
        assert (shipped_site / name).is_file(), name


def test_shipped_role_page_states_score_zone_and_sublabel_as_text(shipped_site: Path) -> None:
    html = (shipped_site / "roles/recommendation-systems-engineer/index.html").read_text(encoding="utf-8")
    assert "<strong>40.8</strong>" in html
    assert ">Yellow zone</a>" in html
    assert ">Yellow (Urgent)</a>" in html
    # the worked score, with the scorecard's formulas
    assert "<code>6.00 \u2212 2.85</code>" in html
    assert "<code>3.15 \u00d7 1.12 \u00d7 1.02 \u00d7 1.05</code>" in html
    assert "<code>(3.7785 \u2212 0.54) / 7.93 \u00d7 100</code>" in html
    assert 'href="index.json"' in html
    assert "Referenced by" in html
    assert "<title id=" in html and "<desc id=" in html  # the charts are described
    assert 'rel="canonical"' not in html  # no base URL, no canonical


def test_shipped_links_resolve(shipped_site: Path) -> None:
    assert broken_links(shipped_site) == []


def test_index_table_and_scripts(shipped_site: Path) -> None:
    html = (shipped_site / "index.html").read_text(encoding="utf-8")
    assert "<table class=\"roles\" data-sortable>" in html
    assert 'href="roles/recommendation-systems-engineer/"' in html
    assert '<script src="static/table.js" defer></script>' in html
    assert "chart-distribution" in html
    for page in shipped_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>" not in text and " on" + "click=" not in text, page  # no inline script


def test_methodology_page_comes_from_the_methodology(shipped_site: Path) -> None:
    html = (shipped_site / "methodology/index.html").read_text(encoding="utf-8")
    m = load_methodology()
    for name in m.coefficients:
        assert f"<code>{name}</code>" in html
    for rule in m.sublabels:
        assert f">{rule.label}</a>" in html
    assert "published" in html and "project default" in html


def test_methodology_page_follows_a_site_override(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    (project / "methodology.toml").write_text(
        '[coefficients]\nscore_scale = "100.0"\n\n'
        '[[zones]]\nname = "Green"\nmin = "48"\ndescription = "Safe harbour for now."\n\n'
        '[[zones]]\nname = "Yellow"\nmin = "25"\ndescription = "Changing fast."\n\n'
        '[[zones]]\nname = "Red"\nmin = "0"\ndescription = "Mostly automatable."\n', encoding="utf-8")
    built(run_jobzone, project)
    html = (project / "site/methodology/index.html").read_text(encoding="utf-8")
    for text in ("Safe harbour for now.", "Changing fast.", "Mostly automatable.", "100.0"):
        assert text in html
    assert "builder/data/methodology.toml + methodology.toml)" in html and str(tmp_path) not in html
    moved = tmp_path / "elsewhere" / "project"  # the same project in another folder: the same site
    shutil.copytree(project, moved, ignore=shutil.ignore_patterns("site", ".jobzone-cache"))
    built(run_jobzone, moved)
    assert snapshot(moved / "site") == snapshot(project / "site")


def test_exports(shipped_site: Path) -> None:
    frame = pd.read_csv(shipped_site / "data/roles.csv")
    assert list(frame.columns) == ["slug", "title", "url", "score", "zone", "sublabel", "trs",
                                   "evidence_modifier", "barrier_modifier", "growth_modifier", "raw"]
    row = frame.iloc[0]
    assert (row.slug, row.score, row.zone, row.sublabel, row.raw) == \
        ("recommendation-systems-engineer", 40.8, "Yellow", "Yellow (Urgent)", 3.7785)
    data = json.loads((shipped_site / "data/roles.json").read_text(encoding="utf-8"))
    assert data["roles"][0]["trs"] == 3.15
    role = json.loads((shipped_site / "roles/recommendation-systems-engineer/index.json").read_text(encoding="utf-8"))
    tasks = role["tables"]["tasks"]
    assert tasks["header"][:3] == ["Task", "Time %", "Score (1-5)"]
    assert tasks["rows"][0]["Weighted"] == "0.30"
    assert role["score"] == 40.8 and role["sublabel"] == "Yellow (Urgent)"


# --- the multi-report fixture ------------------------------------------------------------------

def test_fixture_is_clean(run_jobzone: Run, tmp_path: Path) -> None:
    proc = run_jobzone(["check"], copy_fixture(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert "0 errors" in proc.stdout


@pytest.mark.parametrize("kind", ["plain", "base"])
def test_every_internal_link_resolves(fixture_sites: dict[str, Path], kind: str) -> None:
    assert broken_links(fixture_sites[kind], BASE if kind == "base" else "") == []


def test_cross_links_and_backlinks(fixture_sites: dict[str, Path]) -> None:
    site = fixture_sites["plain"]
    rec = (site / "roles/recommendation-systems-engineer/index.html").read_text(encoding="utf-8")
    # role names in prose link to their pages
    assert '<a href="../nlp-engineer/" class="role-link">NLP Engineer</a>' in rec
    assert '<a href="../conversational-ai-engineer/" class="role-link">Conversational AI Engineer</a>' in rec
    # links to other .md reports are rewritten to their pages
    assert '<a href="../nlp-engineer/#evidence-score">' in rec
    assert '<a href="../conversational-ai-engineer/">conversational report</a>' in rec
    for page in site.rglob("*.html"):
        assert ".md\"" not in page.read_text(encoding="utf-8"), page
    nlp = (site / "roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    backlinks = nlp.split("<h3>Referenced by</h3>", 1)[1].split("</section>", 1)[0]
    assert '<a href="../conversational-ai-engineer/">Conversational AI Engineer</a>' in backlinks
    assert '<a href="../recommendation-systems-engineer/">Recommendation Systems Engineer</a>' in backlinks


def test_unassessed_page_lists_who_cites_it(fixture_sites: dict[str, Path]) -> None:
    html = (fixture_sites["plain"] / "roles/ml-ai-engineer/index.html").read_text(encoding="utf-8")
    assert "<h1>ML/AI Engineer</h1>" in html and "Not yet assessed" in html
    for slug in ("conversational-ai-engineer", "nlp-engineer", "recommendation-systems-engineer"):
        assert f'href="../{slug}/"' in html
    assert '<td class="num">68.2</td>' in html
    rec = (fixture_sites["plain"] / "roles/recommendation-systems-engineer/index.html").read_text(encoding="utf-8")
    assert '<a href="../ml-ai-engineer/" class="role-link unassessed">ML/AI Engineer</a>' in rec


def test_zone_and_sublabel_pages_list_their_roles(fixture_sites: dict[str, Path]) -> None:
    site = fixture_sites["plain"]
    yellow = (site / "zones/yellow/index.html").read_text(encoding="utf-8")
    urgent = (site / "sublabels/yellow-urgent/index.html").read_text(encoding="utf-8")
    for slug in ("conversational-ai-engineer", "nlp-engineer", "recommendation-systems-engineer"):
        assert f'href="../../roles/{slug}/"' in yellow and f'href="../../roles/{slug}/"' in urgent
    assert "roles/" not in (site / "zones/green/index.html").read_text(encoding="utf-8").split("<tbody>")[1]


def test_base_url_gives_canonical_og_sitemap_and_robots(fixture_sites: dict[str, Path]) -> None:
    site = fixture_sites["base"]
    html = (site / "roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{BASE}roles/nlp-engineer/">' in html
    assert f'<meta property="og:url" content="{BASE}roles/nlp-engineer/">' in html
    assert 'href="../../static/style.css"' in html  # pages still link relatively
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE}roles/nlp-engineer/</loc>" in sitemap and "404" not in sitemap
    assert (site / "robots.txt").read_text(encoding="utf-8").endswith(f"Sitemap: {BASE}sitemap.xml\n")
    assert f'href="{BASE}static/style.css"' in (site / "404.html").read_text(encoding="utf-8")
    plain = fixture_sites["plain"]
    assert "Sitemap" not in (plain / "robots.txt").read_text(encoding="utf-8")
    assert "canonical" not in (plain / "roles/nlp-engineer/index.html").read_text(encoding="utf-8")


def test_feed_is_ordered_by_updated_then_title(fixture_sites: dict[str, Path]) -> None:
    feed = (fixture_sites["base"] / "feed.xml").read_text(encoding="utf-8")
    titles = [part.split("</title>")[0] for part in feed.split("<entry>\n<title>")[1:]]
    assert titles == ["Conversational AI Engineer", "Recommendation Systems Engineer", "NLP Engineer"]
    assert "<updated>2026-02-01T00:00:00Z</updated>" in feed.split("<entry>")[0]


def test_two_builds_are_byte_identical(run_jobzone: Run, tmp_path: Path,
                                       fixture_sites: dict[str, Path]) -> None:
    project = copy_fixture(tmp_path)
    built(run_jobzone, project, "--out", "again")
    built(run_jobzone, project, "--base-url", BASE, "--out", "again-base")
    assert snapshot(project / "again") == snapshot(fixture_sites["plain"])
    assert snapshot(project / "again-base") == snapshot(fixture_sites["base"])


# --- safety ------------------------------------------------------------------------------------

XSS_TITLE = "Recommendation Systems Engineer <script>alert(1)</script>"


def xss_report() -> str:
    text = SEED.replace("title: Recommendation Systems Engineer", f'title: "{XSS_TITLE}"', 1)
    text = text.replace("| Job Title | Recommendation Systems Engineer |", f"| Job Title | {XSS_TITLE} |", 1)
    text = text.replace("| Typical Experience | 3-6 years.",
                        "| Typical Experience | <script>alert(1)</script> 3-6 years.", 1)
    return text.replace(
        "Survival strategy:",
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
        "[y](JaVaScRiPt:alert(1)) [z](<java script:alert(1)>) [w](vbscript:msgbox(1)) "
        "[v](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(1)> ![i](javascript:alert(1))\n\n"
        "Survival strategy:", 1)


def test_report_content_cannot_inject_script(run_jobzone: Run, tmp_path: Path) -> None:
    (tmp_path / "content/roles").mkdir(parents=True)
    (tmp_path / "content/roles/recommendation-systems-engineer.md").write_text(xss_report(), encoding="utf-8")
    assert run_jobzone(["check"], tmp_path).returncode == 0
    built(run_jobzone, tmp_path)
    site = tmp_path / "site"
    checked = 0
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8").casefold()
            for bad in ("<script>alert", "javascript:", "vbscript:", "data:text", "<img src=x"):
                assert bad not in text, (path, bad)
            checked += 1
    assert checked > 10
    page = (site / "roles/recommendation-systems-engineer/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, not dropped
    assert "<title>Recommendation Systems Engineer &lt;script&gt;" in page


def test_a_wrong_number_stops_the_build_and_keeps_the_previous_site(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run_jobzone, project)
    before = snapshot(project / "site")
    report = project / "content/roles/nlp-engineer.md"
    report.write_text(report.read_text(encoding="utf-8").replace("| 25% | 3 | 0.75 |", "| 25% | 3 | 0.80 |"),
                      encoding="utf-8")
    proc = build(run_jobzone, project)
    assert proc.returncode == 1
    assert "content/roles/nlp-engineer.md:" in proc.stdout and "[JZ301]" in proc.stdout
    assert snapshot(project / "site") == before
    assert sorted(p.name for p in project.iterdir() if p.name != ".jobzone-cache") == ["content", "site"]  # no temporary folders left


def test_rebuild_replaces_the_previous_site_whole(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run_jobzone, project)
    first = snapshot(project / "site")
    (project / "site/stale.html").write_text("left over\n", encoding="utf-8")
    built(run_jobzone, project)
    assert snapshot(project / "site") == first
    assert sorted(p.name for p in project.iterdir() if p.name != ".jobzone-cache") == ["content", "site"]


def test_a_link_to_a_missing_report_is_an_error(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    report = project / "content/roles/conversational-ai-engineer.md"
    text = report.read_text(encoding="utf-8").replace("Survival strategy:",
                                                      "See [x](data-scientist.md).\n\nSurvival strategy:")
    report.write_text(text, encoding="utf-8")
    line = text.split("\n").index("See [x](data-scientist.md).") + 1
    proc = build(run_jobzone, project)
    assert proc.returncode == 1
    assert f"content/roles/conversational-ai-engineer.md:{line}:9: error:" in proc.stdout
    assert "[JZ408]" in proc.stdout
    assert not (project / "site").exists()
    checked = run_jobzone(["check"], project)
    assert checked.returncode == 1
    assert f"content/roles/conversational-ai-engineer.md:{line}:9: error:" in checked.stdout
    assert "[JZ408]" in checked.stdout


@pytest.mark.parametrize("out", [".", "content", "content/roles", "..", "templates", "notes"])
def test_dangerous_out_folders_are_refused(run_jobzone: Run, tmp_path: Path, out: str) -> None:
    project = copy_fixture(tmp_path)
    (project / "templates").mkdir()
    (project / "notes").mkdir()
    (project / "notes/todo.md").write_text("keep me\n", encoding="utf-8")
    before = snapshot(tmp_path)
    proc = build(run_jobzone, project, "--out", out)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "jobzone: error: --out" in proc.stderr
    assert snapshot(tmp_path) == before


def test_a_folder_jobzone_did_not_build_is_refused(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    (project / "photos").mkdir()
    (project / "photos/cat.jpg").write_bytes(b"\xff\xd8")
    proc = build(run_jobzone, project, "--out", "photos")
    assert proc.returncode == 2 and "did not build" in proc.stderr
    assert (project / "photos/cat.jpg").exists()


def test_bad_base_url_is_a_usage_error(run_jobzone: Run, tmp_path: Path) -> None:
    proc = build(run_jobzone, copy_fixture(tmp_path), "--base-url", "javascript:alert(1)")
    assert proc.returncode == 2 and "--base-url" in proc.stderr


def test_site_templates_override_package_defaults(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    (project / "templates").mkdir()
    (project / "templates/404.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>Lost? <a href="{{ url(\'\') }}">home</a></p>{% endblock %}',
        encoding="utf-8")
    built(run_jobzone, project)
    assert "Lost?" in (project / "site/404.html").read_text(encoding="utf-8")
    assert "Referenced by" in (project / "site/roles/nlp-engineer/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("base.html", b"\xff<html>", "templates/base.html:1: template error: template is not valid UTF-8 "
                                  "(invalid start byte at byte 0; rendering index.html)"),
    ("index.html", b'{% extends "index.html" %}', "templates/index.html:1: template error: templates extend or "
                                                  "include each other in a loop (rendering index.html)"),
    ("index.html", b'{% extends "base.html" %}\n{% block content %}{{ url(None) }}{% endblock %}',
     "templates/index.html:2: template error: AttributeError: "),
])
def test_a_broken_site_template_is_a_located_error(run_jobzone: Run, tmp_path: Path, name: str, data: bytes,
                                                   expected: str) -> None:
    """Whatever a site's template does wrong is reported at the template, never as an internal error,
    and the site is left as it was."""
    project = copy_fixture(tmp_path)
    built(run_jobzone, project)
    kept = snapshot(project / "site")
    (project / "templates").mkdir()
    (project / "templates" / "a-logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff")  # not text, and not a template
    (project / "templates" / name).write_bytes(data)
    proc = build(run_jobzone, project)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr and proc.stderr.rstrip().endswith("[JZ902]"), proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(project / "site") == kept


# --- pure helpers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("page", "to", "expected"), [
    ("roles/a/index.html", "roles/b/", "../b/"),
    ("roles/a/index.html", "", "../../"),
    ("roles/a/index.html", "roles/a/index.json", "index.json"),
    ("index.html", "", "./"),
    ("index.html", "roles/b/", "roles/b/"),
    ("index.html", "static/style.css", "static/style.css"),
    ("404.html", "methodology/", "methodology/"),
    ("zones/green/index.html", "roles/b/#evidence-score", "../../roles/b/#evidence-score"),
])
def test_relative_url(page: str, to: str, expected: str) -> None:
    assert relative_url(page, to) == expected


def test_relative_url_refuses_absolute_paths() -> None:
    for to in ("/roles/a/", "https://example.com/"):
        with pytest.raises(ValueError):
            relative_url("index.html", to)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:x", " java\tscript:x", "\x01javascript:x",
                                 "vbscript:x", "data:text/html,x", "DaTa:image/png;base64,x"])
def test_unsafe_urls(url: str) -> None:
    assert unsafe_url(url)


@pytest.mark.parametrize("url", ["https://example.com/", "../b/", "#x", "mailto:a@b.c", "database.html"])
def test_safe_urls(url: str) -> None:
    assert not unsafe_url(url)


def test_defuse_text_keeps_the_label_and_drops_the_script_url() -> None:
    assert defuse_text("see [x](javascript:alert(1)) now") == "see x now"
    assert defuse_text("see [x](https://example.com) now") == "see [x](https://example.com) now"
    assert "javascript" not in defuse_text("<javascript:alert(1)>").casefold()


def test_writes_stay_inside_the_output_folder(tmp_path: Path) -> None:
    assert inside(tmp_path, "roles/a/index.html") == tmp_path / "roles/a/index.html"
    for bad in ("../x", "roles/../../x", "/etc/passwd", "", "a//b", "a\\b"):
        with pytest.raises(ValueError):
            inside(tmp_path, bad)


def test_charts_escape_text_and_name_zones() -> None:
    m = load_methodology()
    from decimal import Decimal
    svg = charts.score_position("c", "<b>&", Decimal("40.8"), "Yellow (Urgent)", m.zones,
                                [("<i>", Decimal("68.2"), "Green")])
    assert "<b>" not in svg and "<i>" not in svg and "&lt;b&gt;&amp;" in svg
    assert ">Yellow 25\u201347</text>" in svg and ">Green \u226548</text>" in svg
    assert svg.count("<title") >= 2 and "<desc" in svg and "<script" not in svg


# --- dates -------------------------------------------------------------------------------------

def _git(project: Path, *args: str, when: str) -> None:
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "PATH": "/usr/bin:/bin", "HOME": str(project)}
    subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


def test_dates_come_from_frontmatter_else_from_git(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    for report in (project / "content/roles").glob("*.md"):
        lines = report.read_text(encoding="utf-8").split("\n")
        report.write_text("\n".join(line for line in lines if not line.startswith("updated:")), encoding="utf-8")
    dated = project / "content/roles/nlp-engineer.md"
    dated.write_text(dated.read_text(encoding="utf-8").replace("aliases:", "updated: 2026-05-04\naliases:", 1),
                     encoding="utf-8")
    _git(project, "init", "-q", when="2026-01-01T12:00:00Z")
    _git(project, "add", "-A", when="2026-01-01T12:00:00Z")
    _git(project, "commit", "-qm", "first", when="2026-02-03T12:00:00Z")
    other = project / "content/roles/conversational-ai-engineer.md"
    other.write_text(other.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _git(project, "commit", "-qam", "second", when="2026-03-09T12:00:00Z")
    built(run_jobzone, project)
    feed = (project / "site/feed.xml").read_text(encoding="utf-8")
    entries = {e.split("<title>")[1].split("</title>")[0]: e for e in feed.split("<entry>")[1:]}
    assert "<updated>2026-05-04T00:00:00Z</updated>" in entries["NLP Engineer"]
    assert "<updated>2026-03-09T00:00:00Z</updated>" in entries["Conversational AI Engineer"]
    assert "<updated>2026-02-03T00:00:00Z</updated>" in entries["Recommendation Systems Engineer"]
    role = (project / "site/roles/conversational-ai-engineer/index.html").read_text(encoding="utf-8")
    assert 'datetime="2026-03-09"' in role


def test_every_feed_entry_has_a_date_without_git(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    built(run_jobzone, project)
    feed = (project / "site/feed.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == feed.count("<updated>") - 1 == 3


def test_csv_cells_cannot_become_spreadsheet_formulas(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    report = project / "content/roles/nlp-engineer.md"
    title = '=HYPERLINK("http://example.org","x")'
    text = report.read_text(encoding="utf-8").replace("title: NLP Engineer", f"title: '{title}'", 1).replace(
        "| Job Title | NLP Engineer |", f"| Job Title | {title} |", 1)
    report.write_text(text, encoding="utf-8")
    built(run_jobzone, project)
    frame = pd.read_csv(project / "site/data/roles.csv")
    titles = list(frame["title"])
    assert "'" + title in titles
    assert not any(str(t).startswith("=") for t in titles)
    assert frame["score"].dtype.kind == "f"


# --- files the reports link to -------------------------------------------------------------------

def test_linked_files_are_copied_and_missing_ones_are_errors(run_jobzone: Run, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    roles = project / "content/roles"
    (roles / "img").mkdir()
    (roles / "img/chart.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (roles / "notes.pdf").write_bytes(b"%PDF-1.4 fake")
    report = roles / "nlp-engineer.md"
    original = report.read_text(encoding="utf-8")
    report.write_text(original.replace("## Evidence Score",
                                       "![A chart](img/chart.png) and [the notes](notes.pdf).\n\n## Evidence Score", 1),
                      encoding="utf-8")
    built(run_jobzone, project)
    site = project / "site"
    assert (site / "assets/img/chart.png").read_bytes() == b"\x89PNG\r\n\x1a\nfake"
    assert (site / "assets/notes.pdf").is_file()
    page = (site / "roles/nlp-engineer/index.html").read_text(encoding="utf-8")
    assert 'src="../../assets/img/chart.png"' in page and 'href="../../assets/notes.pdf"' in page
    assert broken_links(site) == []

    text = original.replace("## Evidence Score", "See ![gone](img/missing.png).\n\n## Evidence Score", 1)
    report.write_text(text, encoding="utf-8")
    line = text.split("\n").index("See ![gone](img/missing.png).") + 1
    for command in (["check"], ["build"]):
        proc = run_jobzone(command, project)
        assert proc.returncode == 1, proc.stdout
        assert f"content/roles/nlp-engineer.md:{line}:" in proc.stdout and "[JZ409]" in proc.stdout
    assert (site / "assets/img/chart.png").is_file()  # the failed build left the previous site alone


# --- served over real HTTP under a sub-path --------------------------------------------------------

def test_crawl_over_http_under_a_sub_path(run_jobzone: Run, tmp_path: Path) -> None:
    """Serve the site as GitHub Pages would (under /repo/), follow every internal link from the home
    page, and require 200 for each and an element for each #anchor; every sitemap URL is reachable."""
    import http.server
    import threading
    import urllib.request
    from functools import partial
    from urllib.error import HTTPError
    from urllib.parse import urljoin

    project = copy_fixture(tmp_path)
    www = tmp_path / "www"
    built(run_jobzone, project, "--base-url", BASE, "--out", str(www / "repo"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(http.server.SimpleHTTPRequestHandler,
                                                                       directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}/repo/"
    try:
        seen: dict[str, bytes] = {}
        queue, problems, anchors = [root], [], []
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    seen[url] = response.read()
                    kind = response.headers.get("Content-Type", "")
            except HTTPError as exc:
                problems.append(f"{url}: HTTP {exc.code}")
                seen[url] = b""
                continue
            if "html" not in kind:
                continue
            page = Page()
            page.feed(seen[url].decode("utf-8"))
            for link in page.urls:
                absolute = urljoin(url, link.replace(BASE, root) if link.startswith(BASE) else link)
                target, _, fragment = absolute.partition("#")
                if not target.startswith(root):
                    continue
                if fragment:
                    anchors.append((url, target, fragment))
                if target not in seen:
                    queue.append(target)
        for source, target, fragment in anchors:
            page = Page()
            page.feed(seen.get(target, b"").decode("utf-8"))
            if fragment not in page.ids:
                problems.append(f"{source}: #{fragment} not found in {target}")
        assert problems == []
        assert len([u for u in seen if u.endswith("/")]) >= 15
        sitemap = seen.get(root + "sitemap.xml") or urllib.request.urlopen(root + "sitemap.xml", timeout=10).read()
        locs = sitemap.decode("utf-8").split("<loc>")[1:]
        assert len(locs) >= 15 and all(loc.startswith(BASE) for loc in locs)
        for loc in locs:
            url = loc.split("</loc>")[0].replace(BASE, root)
            assert urllib.request.urlopen(url, timeout=10).status == 200, url
    finally:
        server.shutdown()


def test_rendering_leaves_the_parsed_tokens_unchanged() -> None:
    from builder.document import parse_document
    from builder.render import render_markdown

    text = SEED.split("---\n", 2)[2] + "\n\nSee [x](other.md) and ![i](img.png) and [j](javascript:alert(1)).\n"
    document = parse_document(text)
    before = repr(document.tokens)
    first = render_markdown(document.tokens, lambda path: "../" + path, {"ML/AI Engineer": "roles/ml-ai-engineer/"},
                            {"other.md": "roles/other/", "img.png": "assets/img.png"})
    assert repr(document.tokens) == before
    assert render_markdown(document.tokens, lambda path: "../" + path, {"ML/AI Engineer": "roles/ml-ai-engineer/"},
                           {"other.md": "roles/other/", "img.png": "assets/img.png"}) == first
    assert 'href="../roles/other/"' in first and 'src="../assets/img.png"' in first
    assert 'href="../roles/ml-ai-engineer/"' in first and "javascript:" not in first


def test_every_page_has_a_content_security_policy_and_no_inline_code(shipped_site: Path) -> None:
    import re

    for page in shipped_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in text and "script-src 'self'" in text, page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), page  # no inline script
        assert not re.search(r"\son[a-z]+\s*=", text, re.I), page  # no event-handler attributes
        assert not re.search(r"\sstyle\s*=", text, re.I), page  # no inline style for the policy to block


def test_links_between_reports_resolve_from_any_working_folder(run_jobzone, tmp_path: Path) -> None:
    """Reports are named relative to the working folder, or in full outside it; a link between two
    reports in different folders resolves the same from the project root or from inside one of them."""
    project = copy_fixture(tmp_path)
    (project / "jobzone.toml").write_text("", encoding="utf-8")
    roles = project / "content/roles"
    (roles / "a").mkdir()
    (roles / "b").mkdir()
    (roles / "nlp-engineer.md").rename(roles / "a/nlp-engineer.md")
    for name in ("conversational-ai-engineer.md", "recommendation-systems-engineer.md"):
        (roles / name).rename(roles / "b" / name)
    recommendation = roles / "b/recommendation-systems-engineer.md"
    text = recommendation.read_text(encoding="utf-8")
    assert "](nlp-engineer.md#evidence-score)" in text
    recommendation.write_text(text.replace("](nlp-engineer.md#evidence-score)", "](../a/nlp-engineer.md#evidence-score)"),
                              encoding="utf-8")
    config = ["--config", str(project / "jobzone.toml")]
    pages = []
    for where, out in ((project, "site-root"), (roles / "b", "site-b"), (roles / "a", "site-a")):
        proc = run_jobzone([*config, "build", "--out", str(project / out)], where)
        assert proc.returncode == 0, f"from {where}:\n{proc.stdout}{proc.stderr}"
        pages.append((project / out / "roles/recommendation-systems-engineer/index.html").read_text(encoding="utf-8"))
    assert 'href="../nlp-engineer/#evidence-score"' in pages[0]
    assert pages[0] == pages[1] == pages[2]
    bad = recommendation.read_text(encoding="utf-8").replace("../a/nlp-engineer.md", "../a/missing.md")
    recommendation.write_text(bad, encoding="utf-8")
    proc = run_jobzone([*config, "check"], roles / "b")
    assert proc.returncode == 1 and "no report ../a/missing.md in the site" in proc.stdout, proc.stdout


def test_the_longest_slug_builds(run_jobzone: Run, tmp_path: Path) -> None:
    """A slug at the schema's limit (200) names a page folder; one more character is JZ103 before anything
    is written (not the system's "File name too long" in the middle of a build)."""
    project = copy_fixture(tmp_path)
    report = project / "content/roles/nlp-engineer.md"
    text = report.read_text(encoding="utf-8")
    assert text.count("slug: nlp-engineer\n") == 1
    longest = "-".join(["long"] * 40)  # 199
    report.write_text(text.replace("slug: nlp-engineer\n", f"slug: {longest}x\n"), encoding="utf-8")
    assert len(longest) + 1 == 200
    built(run_jobzone, project)
    assert (project / f"site/roles/{longest}x/index.html").is_file()
    report.write_text(text.replace("slug: nlp-engineer\n", f"slug: {longest}xy\n"), encoding="utf-8")
    proc = build(run_jobzone, project)
    assert proc.returncode == 1 and "JZ103" in proc.stdout and "internal error" not in proc.stderr
