"""`jobzone serve` as a writer uses it: a real server in a subprocess, files edited, HTTP polled."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit

import pytest

from builder.serve import inject, page_url
from test_build import FIXTURE

ROOT = Path(__file__).resolve().parent.parent
NLP = "content/roles/nlp-engineer.md"
WAIT = 15.0


class Server:
    def __init__(self, project: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("GITHUB_ACTIONS", None)
        self.process = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--port", "0", *args],
                                        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, encoding="utf-8")
        self.lines: list[str] = []
        self.errors: list[str] = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self.errors), daemon=True).start()
        self.url = self.wait_for_output(r"(http://127\.0\.0\.1:\d+/)").group(1)

    @staticmethod
    def _read(stream, into: list[str]) -> None:  # noqa: ANN001
        for line in stream:
            into.append(line)

    def wait_for_output(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = re.search(pattern, line)
                if found:
                    return found
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"no {pattern!r} in output: {''.join(self.lines)} {''.join(self.errors)}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def request(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """One request as sent (the path not normalised, redirects not followed): status, headers, body."""
        where = urlsplit(self.url)
        connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=5)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def until(self, path: str, test: Callable[[int, str], bool]) -> tuple[int, str]:
        deadline = time.monotonic() + WAIT
        status, body = self.get(path)
        while not test(status, body):
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: condition not met; last status {status}")
            time.sleep(0.03)
            status, body = self.get(path)
        return status, body

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        time.sleep(0.05)
        return self.process.returncode


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns(".jobzone-cache"))
    return target


@pytest.fixture
def server(project: Path) -> Iterator[Server]:
    running = Server(project)
    yield running
    running.stop()
    output = "".join(running.lines + running.errors)
    assert "Traceback" not in output, output


def _edit(project: Path, old: str, new: str, name: str = NLP) -> None:
    path = project / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_pages_are_served_with_the_reload_script(server: Server) -> None:
    status, body = server.get("/")
    assert status == 200 and "NLP Engineer" in body and "/__jobzone/livereload.js" in body
    assert server.get("/roles/nlp-engineer/")[0] == 200
    assert server.get("/static/style.css")[0] == 200
    status, body = server.get("/no/such/page/")
    assert status == 404 and "/__jobzone/livereload.js" in body
    assert "EventSource" in server.get("/__jobzone/livereload.js")[1]


def test_an_edit_shows_up(server: Server, project: Path) -> None:
    _edit(project, "Timeline:", "Timeline (revised):")
    server.until("/roles/nlp-engineer/", lambda s, b: "Timeline (revised):" in b)
    server.wait_for_output(r"Rebuilt in \d+ ms")


def test_a_second_save_with_the_same_size_and_time_shows_up(server: Server, project: Path) -> None:
    """Two saves in one timestamp tick, same size: the stat cannot tell them apart, so a report
    changed that recently is read again whatever its stat says (as `build` does)."""
    path = project / NLP
    _edit(project, "Timeline:", "Timeline (first):")
    info = path.stat()
    server.until("/roles/nlp-engineer/", lambda s, b: "Timeline (first):" in b)
    _edit(project, "Timeline (first):", "Timeline (other):")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)
    server.until("/roles/nlp-engineer/", lambda s, b: "Timeline (other):" in b)


def test_an_editor_atomic_save_and_swap_files(server: Server, project: Path) -> None:
    path = project / NLP
    text = path.read_text(encoding="utf-8").replace("Timeline:", "Timeline (atomic):", 1)
    (project / "content/roles/.nlp-engineer.md.swp").write_bytes(b"\x00swap")
    temporary = path.with_name("nlp-engineer.md.tmp~")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    server.until("/roles/nlp-engineer/", lambda s, b: "Timeline (atomic):" in b)


def test_a_new_report_appears_and_a_deleted_one_goes(server: Server, project: Path) -> None:
    text = (project / NLP).read_text(encoding="utf-8")
    new = (text.replace("title: NLP Engineer", "title: Speech Engineer", 1)
           .replace("slug: nlp-engineer", "slug: speech-engineer", 1)
           .replace("| Job Title | NLP Engineer |", "| Job Title | Speech Engineer |", 1)
           .replace("aliases: [Natural Language Processing Engineer]", "aliases: []", 1))
    (project / "content/roles/speech-engineer.md").write_text(new, encoding="utf-8")
    server.until("/", lambda s, b: "Speech Engineer" in b)
    assert server.get("/roles/speech-engineer/")[0] == 200
    (project / "content/roles/speech-engineer.md").unlink()
    server.until("/", lambda s, b: "Speech Engineer" not in b)
    assert server.get("/roles/speech-engineer/")[0] == 404


def test_a_broken_edit_shows_an_overlay_until_it_is_fixed(server: Server, project: Path) -> None:
    _edit(project, "| 25% | 3 | 0.75 |", "| 25% | 3 | 0.80 |")
    _, body = server.until("/roles/nlp-engineer/", lambda s, b: "jobzone-errors" in b)
    assert "nlp-engineer.md:" in body and "stated 0.80, computed 0.75" in body
    server.wait_for_output(r"error: .*stated 0\.80, computed 0\.75")
    assert "jobzone-errors" in server.get("/")[1]  # every page says the site is stale
    _edit(project, "| 25% | 3 | 0.80 |", "| 25% | 3 | 0.75 |")
    server.until("/roles/nlp-engineer/", lambda s, b: "jobzone-errors" not in b)


def test_bad_yaml_and_a_binary_file_do_not_stop_the_server(server: Server, project: Path) -> None:
    (project / "content/roles/broken.md").write_text("---\ntitle: [oops\n---\n", encoding="utf-8")
    _, body = server.until("/", lambda s, b: "jobzone-errors" in b)
    assert "broken.md:2:" in body
    (project / "content/roles/broken.md").write_bytes(b"\xff\xfe\x00\x01")
    server.until("/", lambda s, b: "not valid UTF-8" in b or "binary" in b)
    (project / "content/roles/broken.md").unlink()
    server.until("/", lambda s, b: "jobzone-errors" not in b)
    assert server.process.poll() is None


def test_pages_citing_the_edited_role_are_updated(server: Server, project: Path) -> None:
    """NLP Engineer cites Recommendation Systems Engineer, whose page lists it under "Referenced by":
    retitle NLP Engineer (keeping its old title as an alias, so citations still resolve)."""
    _, before = server.get("/roles/recommendation-systems-engineer/")
    assert "Referenced by" in before and "NLP Engineer" in before
    _edit(project, "title: NLP Engineer", "title: Applied NLP Engineer")
    _edit(project, "| Job Title | NLP Engineer |", "| Job Title | Applied NLP Engineer |")
    _edit(project, "aliases: [Natural Language Processing Engineer]",
          "aliases: [Natural Language Processing Engineer, NLP Engineer]")
    server.until("/roles/recommendation-systems-engineer/", lambda s, b: "Applied NLP Engineer" in b)
    server.until("/", lambda s, b: "Applied NLP Engineer" in b)


def test_templates_and_methodology_changes_are_picked_up(server: Server, project: Path) -> None:
    (project / "templates").mkdir()
    (project / "templates/404.html").write_text('{% extends "base.html" %}{% block content %}<h1>Lost here</h1>'
                                                '{% endblock %}', encoding="utf-8")
    server.until("/nowhere/", lambda s, b: "Lost here" in b)
    (project / "methodology.toml").write_text(
        '[[zones]]\nname = "Green"\nmin = "48"\ndescription = "Safe harbour for now."\n\n'
        '[[zones]]\nname = "Yellow"\nmin = "25"\ndescription = "Changing fast."\n\n'
        '[[zones]]\nname = "Red"\nmin = "0"\ndescription = "Mostly automatable."\n', encoding="utf-8")
    server.until("/methodology/", lambda s, b: "Safe harbour for now." in b)


def test_a_broken_template_is_located_and_the_last_good_site_served(server: Server, project: Path) -> None:
    (project / "templates").mkdir()
    (project / "templates/404.html").write_text('{% extends "base.html" %}{% block content %}{{ nowhere.at_all }}'
                                                '{% endblock %}', encoding="utf-8")
    server.wait_for_output(r"templates/404\.html:1: template error: .*nowhere.*\[JZ902\]")
    status, body = server.get("/roles/nlp-engineer/")
    assert status == 200 and "NLP Engineer" in body and server.process.poll() is None
    (project / "templates/404.html").write_text('{% extends "base.html" %}{% block content %}<h1>Found again</h1>'
                                                '{% endblock %}', encoding="utf-8")
    server.until("/nowhere/", lambda s, b: "Found again" in b)  # templates/ did not exist when serving began


def test_a_linked_html_file_that_is_not_utf8_is_served_as_it_is(server: Server, project: Path) -> None:
    """A report may link any file beside it, in any encoding: it is served byte for byte (the reload
    script added in ASCII, which no ASCII-compatible encoding misreads), never as a crash."""
    notes = b"<html><body>\xff\xfe caf\xe9</body></html>"
    (project / "content/roles/notes.html").write_bytes(notes)
    _edit(project, "Timeline:", "See [notes](notes.html). Timeline:")
    _, page = server.until("/roles/nlp-engineer/", lambda s, b: "notes.html" in b)
    link = re.search(r'href="([^"]*notes\.html)"', page)
    assert link is not None
    url = urlsplit(urljoin(server.url + "roles/nlp-engineer/", link.group(1))).path
    status, headers, body = server.request(url)
    assert status == 200 and body.startswith(b"<html><body>\xff\xfe caf\xe9")
    assert body.endswith(b'<script src="/__jobzone/livereload.js"></script></body></html>')
    assert headers["Content-Type"] == "text/html"  # no charset it does not have


@pytest.mark.parametrize("path", ["/nonexistent", "/missing.png", "/no/such/data.json"])
def test_a_404_page_is_html_whatever_was_asked_for(server: Server, path: str) -> None:
    status, headers, body = server.request(path)
    assert status == 404 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"/__jobzone/livereload.js" in body


@pytest.mark.parametrize("path", ["/%2Fmethodology", "//methodology", "/%2F%2Fmethodology", "///methodology"])
def test_a_redirect_never_leaves_the_site(server: Server, path: str) -> None:
    """A Location starting with // is another host to a browser: leading slashes are one slash."""
    status, headers, _ = server.request(path)
    assert status == 301 and headers["Location"] == "/methodology/"


def test_head_of_the_event_stream_is_headers_only(server: Server) -> None:
    where = urlsplit(server.url)
    received = b""
    with socket.create_connection((where.hostname or "", where.port or 80), timeout=5) as connection:
        connection.sendall(b"HEAD /__jobzone/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try:
            while chunk := connection.recv(4096):
                received += chunk
        except TimeoutError:
            pytest.fail(f"the response did not end: {received!r}")
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") and b"text/event-stream" in head and body == b""


@pytest.mark.parametrize("how", ["deleted", "its parent deleted", "renamed"])
def test_the_content_folder_gone_and_back_is_seen(server: Server, project: Path, tmp_path: Path, how: str) -> None:
    """The content folder deleted, renamed or re-created is seen as `jobzone build` would see the
    project, and edits inside the new folder keep being picked up."""
    roles = project / "content/roles"
    saved = tmp_path / "saved"
    shutil.copytree(roles, saved)
    if how == "deleted":
        shutil.rmtree(roles)
    elif how == "its parent deleted":
        shutil.rmtree(project / "content")
    else:
        roles.rename(project / "content/gone")
    server.until("/", lambda s, b: "cannot read folder" in b)
    if how == "renamed":
        (project / "content/gone").rename(roles)
    else:
        shutil.copytree(saved, roles)
    server.until("/", lambda s, b: "jobzone-errors" not in b)
    _edit(project, "Timeline:", "Timeline (after):")
    server.until("/roles/nlp-engineer/", lambda s, b: "Timeline (after):" in b)
    _edit(project, "Timeline (after):", "Timeline (and again):")
    server.until("/roles/nlp-engineer/", lambda s, b: "Timeline (and again):" in b)


def test_ctrl_c_stops_cleanly(project: Path) -> None:
    running = Server(project)
    assert running.stop() == 0
    output = "".join(running.lines + running.errors)
    assert "Stopped." in output and "Traceback" not in output


def test_a_port_in_use_is_a_clear_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "builder", "serve", "--port", str(port)], cwd=project,
                              capture_output=True, text=True, timeout=WAIT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert f"port {port}" in proc.stderr and "in use" in proc.stderr and "Traceback" not in proc.stderr


def test_build_output_never_has_the_reload_script(project: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "builder", "build"], cwd=project, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0
    for page in (project / "site").rglob("*.html"):
        assert "__jobzone" not in page.read_text(encoding="utf-8")


def test_inject_and_page_url() -> None:
    assert page_url("index.html") == "/" and page_url("roles/x/index.html") == "/roles/x/"
    assert page_url("data/roles.csv") == "/data/roles.csv"
    page = inject(b"<html><body><p>x</p></body></html>", [])
    assert page.endswith(b'<script src="/__jobzone/livereload.js"></script></body></html>')
    assert inject(b"<HTML><BODY>caf\xe9</BODY></HTML>", []) == b'<HTML><BODY>caf\xe9' \
        b'<script src="/__jobzone/livereload.js"></script></BODY></HTML>'
    utf16 = "<html><body>x</body></html>".encode("utf-16")  # an ASCII tag would break it: left alone
    assert inject(utf16, []) == utf16


# --- the site in memory: an edit only its own page shows -----------------------------------------

def _state_in(project: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202 - a SiteState
    from builder.serve import SiteState

    monkeypatch.chdir(project)
    state = SiteState(None)
    assert state.refresh().errors == 0
    return state


def _fresh_files(project: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What a server started now would serve: the reference for one kept up to date."""
    return _state_in(project, monkeypatch).files


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_prose_edit_renders_its_page_alone_and_later_rebuilds_keep_it(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import builder.check
    import builder.links
    import builder.serve

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    roles = project / "content/roles"
    state = _state_in(project, monkeypatch)
    _replace_in(roles / "nlp-engineer.md", "Timeline: 2-4 years.", "Timeline (served): 2-4 years.")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole site was checked and linked again")

    with monkeypatch.context() as patched:
        patched.setattr(builder.serve, "cross_check", refuse)
        patched.setattr(builder.links, "link_site", refuse)
        result = state.refresh()
    assert result.reload == ["/roles/nlp-engineer/"]  # its JSON holds no prose
    assert result.errors == 0 and len(result.diagnostics) == 12  # the warnings, as the whole check found them
    assert b"Timeline (served)" in state.files["roles/nlp-engineer/index.html"]
    assert state.files == _fresh_files(project, monkeypatch)

    # An edit elsewhere that changes what other pages read (a new alias) goes the whole way, and the
    # page rendered alone is not undone by it.
    _replace_in(roles / "conversational-ai-engineer.md", "aliases: [Chatbot Engineer]",
          "aliases: [Chatbot Engineer, Dialogue Engineer]")
    result = state.refresh()
    assert result.errors == 0 and result.reload
    assert b"Timeline (served)" in state.files["roles/nlp-engineer/index.html"]
    assert state.files == _fresh_files(project, monkeypatch)

    # An edit that adds a mention of another role changes what other pages read: the whole way too.
    _replace_in(roles / "nlp-engineer.md", "Timeline (served): 2-4 years.",
          "Timeline (served): 2-4 years. It is NOT a Recommendation Systems Engineer role.")
    calls = []
    whole = builder.serve.cross_check
    with monkeypatch.context() as patched:
        patched.setattr(builder.serve, "cross_check", lambda *args: calls.append(1) or whole(*args))
        result = state.refresh()
    assert calls == [1] and result.errors == 0
    assert state.files == _fresh_files(project, monkeypatch)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_prose_edit_committed_gets_the_new_commit_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Page dates come from git: an edit committed since the last refresh is not rendered with the old date."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)

    def git(*args: str, day: str) -> None:
        when = f"{day}T12:00:00+00:00"
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args], cwd=project,
                       check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})

    git("init", "-q", day="2025-01-01")
    git("add", "-A", day="2025-01-01")
    git("commit", "-qm", "first", day="2025-01-02")
    state = _state_in(project, monkeypatch)
    assert b"2025-01-02" in state.files["roles/nlp-engineer/index.html"]
    _replace_in(project / "content/roles/nlp-engineer.md", "Timeline: 2-4 years.", "Timeline (served): 2-4 years.")
    git("commit", "-qam", "second", day="2025-06-07")
    assert state.refresh().errors == 0
    page = state.files["roles/nlp-engineer/index.html"]
    assert b"Timeline (served)" in page and b"2025-06-07" in page
    assert state.files == _fresh_files(project, monkeypatch)


def _served_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202 - (project, roles, state)
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    roles = project / "content/roles"
    (roles / "chart.png").write_bytes(b"\x89PNG first")
    _replace_in(roles / "recommendation-systems-engineer.md", "Timeline: 2-4 years.",
                "Timeline: 2-4 years. See ![chart](chart.png).")
    return project, roles, _state_in(project, monkeypatch)


PROSE = ("Timeline: 2-4 years.", "Timeline (served): 2-4 years.")


@pytest.mark.parametrize("change", ["deleted", "rewritten", "alone"])
def test_an_image_changed_with_or_without_a_prose_edit_is_served_as_a_fresh_server_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    project, roles, state = _served_project(tmp_path, monkeypatch)
    if change != "alone":
        _replace_in(roles / "nlp-engineer.md", *PROSE)
    if change == "deleted":
        (roles / "chart.png").unlink()
        result = state.refresh()
        assert result.errors == 1 and any(d.code == "JZ409" for d in result.diagnostics)
        return
    (roles / "chart.png").write_bytes(b"\x89PNG second, longer")
    assert state.refresh().errors == 0
    assert state.files["assets/chart.png"] == b"\x89PNG second, longer"
    assert state.files == _fresh_files(project, monkeypatch)


@pytest.mark.parametrize("kind", ["hard", "symbolic"])
def test_a_report_also_linked_as_a_file_is_copied_again_when_edited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    kind: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    roles = project / "content/roles"
    if kind == "hard":
        os.link(roles / "nlp-engineer.md", roles / "raw.txt")
    else:
        (roles / "raw.txt").symlink_to("nlp-engineer.md")
    _replace_in(roles / "recommendation-systems-engineer.md", "Timeline: 2-4 years.",
                "Timeline: 2-4 years. Source: [raw](raw.txt).")
    state = _state_in(project, monkeypatch)
    text = (roles / "nlp-engineer.md").read_text(encoding="utf-8").replace(*PROSE, 1)
    with open(roles / "nlp-engineer.md", "w", encoding="utf-8") as stream:  # in place: both names see it
        stream.write(text)
    assert state.refresh().errors == 0
    assert state.files == _fresh_files(project, monkeypatch)
    assert any(b"Timeline (served)" in data for path, data in state.files.items() if path.startswith("assets/"))


def test_what_a_failed_refresh_read_is_rendered_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.render import TemplateProblem

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    roles = project / "content/roles"
    state = _state_in(project, monkeypatch)
    # A prose edit read in a refresh that stops at an error elsewhere is shown once that is fixed.
    _replace_in(roles / "nlp-engineer.md", *PROSE)
    _replace_in(roles / "conversational-ai-engineer.md", "Timeline: 2-4 years.", "Timeline: 2-4 years. [x](missing.md)")
    assert state.refresh().errors == 1
    _replace_in(roles / "conversational-ai-engineer.md", " [x](missing.md)", "")
    assert state.refresh().errors == 0
    assert b"Timeline (served)" in state.files["roles/nlp-engineer/index.html"]
    assert state.files == _fresh_files(project, monkeypatch)
    # A refresh that raised (a template failing on one report) is not forgotten by the next save.
    (project / "templates").mkdir()
    role = (Path(__file__).resolve().parents[1] / "builder/templates/role.html").read_text(encoding="utf-8")
    (project / "templates/role.html").write_text(
        role.replace("{{ role.body }}", "{{ role.body }}{% if 'BOOM' in role.body %}{{ nope.x }}{% endif %}", 1),
        encoding="utf-8")
    assert state.refresh().errors == 0
    _replace_in(roles / "conversational-ai-engineer.md", "Timeline: 2-4 years.", "Timeline BOOM: 2-4 years.")
    with pytest.raises(TemplateProblem):
        state.refresh()
    _replace_in(roles / "nlp-engineer.md", "Timeline (served)", "Timeline (served twice)")
    with pytest.raises(TemplateProblem):
        state.refresh()


def test_a_report_link_pointed_at_a_file_of_the_same_size_and_time_is_a_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    roles = project / "content/roles"
    for folder, words in ((".a", "Timeline: 2-4 years."), (".b", "Timeline: 4-2 years.")):
        (roles / folder).mkdir()
        text = (roles / "nlp-engineer.md").read_text(encoding="utf-8").replace("Timeline: 2-4 years.", words, 1)
        (roles / folder / "x.md").write_text(text, encoding="utf-8")
    old = time.time() - 3600  # long ago, so nothing is racy
    for name in (".a/x.md", ".b/x.md"):
        os.utime(roles / name, (old, old))  # the same size and the same time
    (roles / "nlp-engineer.md").unlink()
    (roles / "nlp-engineer.md").symlink_to(".a/x.md")
    os.utime(roles / "nlp-engineer.md", (old, old), follow_symlinks=False)
    state = _state_in(project, monkeypatch)
    assert b"4-2 years" not in state.files["roles/nlp-engineer/index.html"]
    (roles / "nlp-engineer.md").unlink()
    (roles / "nlp-engineer.md").symlink_to(".b/x.md")
    assert state.refresh().errors == 0
    assert b"4-2 years" in state.files["roles/nlp-engineer/index.html"]
    assert state.files == _fresh_files(project, monkeypatch)


def test_the_server_keeps_summaries_and_serves_what_build_writes(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Like `build`, a server holds each report as its summary (tokens and tables stay in the cache,
    so memory does not grow with the reports' text), analyses and renders many reports in worker
    processes, and serves exactly the files a build writes; an edit then renders from the whole
    analysis it just made."""
    import builder.check
    import builder.workers
    from benchmarks.generate import generate
    from test_build import snapshot

    project = tmp_path / "project"
    generate(8, project / "content" / "roles", seed=11)
    monkeypatch.setattr(builder.check, "PARALLEL_FROM", 2)
    monkeypatch.setattr(builder.serve, "PARALLEL_FROM", 2)
    monkeypatch.setattr(builder.workers, "PARALLEL_FROM", 2)
    state = _state_in(project, monkeypatch)
    assert state.reports == 8
    assert all(c.entry is not None and not c.entry.report.document.tokens and not c.entry.report.tables
               for c in state._checked.values())
    assert state._whole == {}
    from builder.cli import main

    assert main(["build", "--out", str(tmp_path / "built")]) == 0
    built = snapshot(tmp_path / "built")
    assert {path: data for path, data in state.files.items() if path in built} == built
    assert set(built) <= set(state.files)

    edited = sorted((project / "content" / "roles").glob("*.md"))[3]
    _replace_in(edited, "Timeline: 2-4 years.", "Timeline (served): 2-4 years.")
    monkeypatch.setattr(builder.workers, "whole_entry", lambda *args: pytest.fail("read again from the cache"))
    result = state.refresh()
    assert result.errors == 0 and result.reload == [f"/roles/{edited.stem}/"]
    assert b"Timeline (served)" in state.files[f"roles/{edited.stem}/index.html"]
    assert all(not c.entry.report.document.tokens for c in state._checked.values() if c.entry is not None)


def test_a_page_is_rendered_from_the_bytes_its_report_was_checked_in(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A report saved while pages are rendered (after the scan read it) and then saved back as it was
    (same bytes as scanned, a new time): the page shows what was checked, never the passing text."""
    from builder.serve import SiteState

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    state = _state_in(project, monkeypatch)
    report = project / "content/roles/nlp-engineer.md"
    original = report.read_bytes()
    (project / "templates").mkdir()  # a template change: every page is rendered again from its summary
    shutil.copy(ROOT / "builder/templates/base.html", project / "templates/base.html")
    with open(project / "templates/base.html", "a", encoding="utf-8") as stream:
        stream.write("\n")
    dates_for = SiteState._dates_for

    def save_during_refresh(self: SiteState, entries: list) -> dict:  # after the scan, before the pages
        report.write_bytes(original.replace(b"Timeline: 2-4 years.", b"Timeline: SAVED MID-REFRESH.", 1))
        return dates_for(self, entries)

    monkeypatch.setattr(SiteState, "_dates_for", save_during_refresh)
    state.refresh()
    monkeypatch.setattr(SiteState, "_dates_for", dates_for)
    assert b"SAVED MID-REFRESH" not in state.files["roles/nlp-engineer/index.html"]
    report.write_bytes(original)  # back as it was scanned
    state.refresh()
    assert b"SAVED MID-REFRESH" not in state.files["roles/nlp-engineer/index.html"]
    assert state.files == _fresh_files(project, monkeypatch)


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builder.check
    import builder.workers
    from builder.cli import main
    from test_build import snapshot

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    monkeypatch.chdir(project)
    assert main(["build", "--out", str(tmp_path / "built")]) == 0
    built = snapshot(tmp_path / "built")
    shutil.rmtree(project / ".jobzone-cache")
    (project / ".jobzone-cache").write_text("not a folder", encoding="utf-8")
    for module in (builder.check, builder.serve, builder.workers):
        monkeypatch.setattr(module, "PARALLEL_FROM", 2)
    state = _state_in(project, monkeypatch)
    assert {path: data for path, data in state.files.items() if path in built} == built
    _replace_in(project / NLP, "Timeline: 2-4 years.", "Timeline (unwritable): 2-4 years.")
    assert state.refresh().errors == 0
    assert b"Timeline (unwritable)" in state.files["roles/nlp-engineer/index.html"]


@pytest.mark.parametrize("kind", ["symbolic", "hard"])
def test_a_report_under_two_names_is_served_as_build_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              kind: str) -> None:
    """A second name for a report (a link) is one report, as `jobzone build` reads it: no duplicate
    title or slug, the same pages."""
    from builder.cli import main
    from test_build import snapshot

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    second = project / "content/roles/a-second-name.md"  # read under the other, later name
    if kind == "symbolic":
        second.symlink_to("nlp-engineer.md")
    else:
        os.link(project / NLP, second)
    monkeypatch.chdir(project)
    assert main(["build", "--out", str(tmp_path / "built")]) == 0
    built = snapshot(tmp_path / "built")
    state = _state_in(project, monkeypatch)
    assert {path: data for path, data in state.files.items() if path in built} == built


def test_files_a_scan_cannot_take_are_told_as_build_tells_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.serve import SiteState

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    outside = tmp_path / "outside.md"
    outside.write_text("elsewhere", encoding="utf-8")
    monkeypatch.chdir(project)
    state = SiteState(None)
    assert state.refresh().errors == 0
    (project / "content/roles/zz-outside.md").symlink_to(outside)
    (project / "content/roles/zz-dangling.md").symlink_to("nowhere.md")
    result = state.refresh()
    codes = {(d.location.path, d.code) for d in result.diagnostics}
    assert ("content/roles/zz-dangling.md", "JZ001") in codes and ("content/roles/zz-outside.md", "JZ005") in codes
    assert result.errors == 1 and state.errors
    (project / "content/roles/zz-dangling.md").unlink()
    result = state.refresh()
    assert result.errors == 0 and not state.errors


def test_the_preview_never_links_to_the_published_site(project: Path) -> None:
    """`base_url` is for the published site: the preview is built without it, so no canonical link,
    feed id or sitemap location leads away from it."""
    (project / "jobzone.toml").write_text('[site]\nbase_url = "https://example.org/jobs/"\n', encoding="utf-8")
    running = Server(project)
    try:
        for path in ("/", "/roles/nlp-engineer/", "/feed.xml", "/sitemap.xml", "/robots.txt"):
            status, text = running.get(path)
            assert status == 200 and "example.org" not in text, (path, text[:300])
    finally:
        running.stop()
