"""The pieces incremental builds stand on, one by one: what changed among the sources, whether
the output folder is as it was left, the summary kept of a report, and a staged site that fails."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from builder.output import StagedSite, write_changes
from builder.check import analyse
from builder.freshness import RACY_NS, scan_tree, unchanged_tree
from builder.methodology import load_methodology
from builder.state import digest_bytes, refresh_sources
from test_build import SEED

OLD = 1_600_000_000_000_000_000  # 2020, long before any scan here


def _files(folder: Path, files: dict[str, bytes]) -> None:
    for relative, data in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, ns=(OLD, OLD))


def test_sources_are_read_only_when_their_stat_changed(tmp_path: Path, monkeypatch) -> None:
    _files(tmp_path, {"a.md": b"alpha", "sub/b.md": b"beta", "c.png": b"\x89PNG"})
    first, changed = refresh_sources(scan_tree(tmp_path), {}, 0, tmp_path.joinpath)
    assert changed == {"a.md", "sub/b.md", "c.png"}
    assert first["a.md"][:2] == (5, OLD) and first["a.md"][3] == digest_bytes(b"alpha")
    reads: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real(self))
    same, changed = refresh_sources(scan_tree(tmp_path), first, OLD + 10 * RACY_NS, tmp_path.joinpath)
    assert (same, changed, reads) == (first, set(), [])  # nothing read at all
    os.utime(tmp_path / "a.md", ns=(OLD + 5, OLD + 5))  # touched, bytes the same
    touched, changed = refresh_sources(scan_tree(tmp_path), first, OLD + 10 * RACY_NS, tmp_path.joinpath)
    assert changed == set() and touched["a.md"][1] == OLD + 5 and reads == [tmp_path / "a.md"]
    (tmp_path / "sub/b.md").unlink()
    _files(tmp_path, {"d.md": b"delta", "a.md": b"ALPHA"})
    os.utime(tmp_path / "a.md", ns=(OLD + 7, OLD + 7))
    _, changed = refresh_sources(scan_tree(tmp_path), first, OLD + 10 * RACY_NS, tmp_path.joinpath)
    assert changed == {"a.md", "sub/b.md", "d.md"}  # edited (same size, a new time), removed, added


def test_a_file_changed_just_before_the_last_scan_is_read_again(tmp_path: Path) -> None:
    _files(tmp_path, {"a.md": b"alpha"})
    first, _ = refresh_sources(scan_tree(tmp_path), {}, 0, tmp_path.joinpath)
    _, trusted = refresh_sources(scan_tree(tmp_path), first, OLD + RACY_NS + 1, tmp_path.joinpath)
    _, racy = refresh_sources(scan_tree(tmp_path), first, OLD + RACY_NS - 1, tmp_path.joinpath)
    assert trusted == set()  # size and times stand for the bytes, as in git
    reads: list[Path] = []
    refresh_sources(scan_tree(tmp_path), first, OLD + RACY_NS - 1, lambda name: reads.append(name) or tmp_path / name)
    assert reads == ["a.md"] and racy == set()  # unless the last scan was within the racy window: read again


def test_an_edit_that_puts_size_and_time_back_is_seen(tmp_path: Path) -> None:
    """`cp -p`, `touch -r`, `rsync -t`: the same size and modification time, other bytes. The change
    time (ctime), which no tool sets back, tells."""
    _files(tmp_path, {"a.md": b"alpha"})
    first, _ = refresh_sources(scan_tree(tmp_path), {}, 0, tmp_path.joinpath)
    (tmp_path / "a.md").write_bytes(b"ALPHA")
    os.utime(tmp_path / "a.md", ns=(OLD, OLD))
    assert scan_tree(tmp_path)["a.md"][:2] == first["a.md"][:2]
    _, changed = refresh_sources(scan_tree(tmp_path), first, OLD + 10 * RACY_NS, tmp_path.joinpath)
    assert changed == {"a.md"}


def test_special_files_are_named_never_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")  # reading it would block forever
    sources, changed = refresh_sources(scan_tree(tmp_path), {}, 0, tmp_path.joinpath)
    assert changed == {"pipe.md"} and sources["pipe.md"][-1].startswith("special:")


def test_the_output_folder_is_unchanged_only_when_nothing_in_it_changed(tmp_path: Path) -> None:
    _files(tmp_path, {"index.html": b"<p>1</p>", "roles/x/index.html": b"<p>x</p>"})
    seen = scan_tree(tmp_path, with_folders=True)
    assert {"", "roles/", "roles/x/", "index.html", "roles/x/index.html"} == set(seen)
    assert unchanged_tree(tmp_path, seen)
    assert not unchanged_tree(tmp_path, {})
    for change in ("edit", "add", "remove", "add-folder"):
        _files(tmp_path, {"index.html": b"<p>1</p>", "roles/x/index.html": b"<p>x</p>"})
        for stray in ("roles/x/stray.html", "roles/y"):
            if (tmp_path / stray).is_file():
                (tmp_path / stray).unlink()
            elif (tmp_path / stray).is_dir():
                (tmp_path / stray).rmdir()
        seen = scan_tree(tmp_path, with_folders=True)
        if change == "edit":
            (tmp_path / "roles/x/index.html").write_bytes(b"<p>y</p>")
            os.utime(tmp_path / "roles/x/index.html", ns=(OLD, OLD + 1))
        elif change == "add":
            (tmp_path / "roles/x/stray.html").write_bytes(b"")
        elif change == "remove":
            (tmp_path / "index.html").unlink()
        else:
            (tmp_path / "roles/y").mkdir()
        assert not unchanged_tree(tmp_path, seen), change


def test_writing_changes_in_place_keeps_the_record_true(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _files(out, {"index.html": b"one", "roles/x/index.html": b"x", "roles/y/index.html": b"y"})
    written = {p: digest_bytes((out / p).read_bytes()) for p in ("index.html", "roles/x/index.html",
                                                                 "roles/y/index.html")}
    manifest = scan_tree(out, with_folders=True)
    before = os.stat(out / "roles/x/index.html").st_ino
    digests = write_changes(out, {"index.html": b"two", "roles/x/index.html": None, "roles/z/index.html": b"z"},
                            written, manifest)
    assert (out / "index.html").read_bytes() == b"two" and not (out / "roles/y").exists()
    assert os.stat(out / "roles/x/index.html").st_ino == before  # kept as it was, not rewritten
    assert digests == {"index.html": digest_bytes(b"two"), "roles/x/index.html": written["roles/x/index.html"],
                       "roles/z/index.html": digest_bytes(b"z")}
    assert manifest == scan_tree(out, with_folders=True) and unchanged_tree(out, manifest)


def test_a_staged_site_that_fails_leaves_the_old_one_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _files(out, {"index.html": b"old"})
    staged = StagedSite(out)
    staged.put("index.html", b"new")
    with pytest.raises(ValueError):
        staged.put("../escape.html", b"no")
    staged.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"] and (out / "index.html").read_bytes() == b"old"
    staged = StagedSite(out)
    staged.put("index.html", b"new")
    staged.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"] and (out / "index.html").read_bytes() == b"new"


def test_a_summary_keeps_what_other_pages_read_and_is_small() -> None:
    checked = analyse(SEED.encode("utf-8"), "content/roles/recommendation-systems-engineer.md", load_methodology())
    assert checked.entry is not None
    summary = checked.summary()
    entry, light = checked.entry, summary.entry
    assert light is not None and summary.diagnostics == checked.diagnostics
    assert (light.report.meta, light.report.citations, light.report.mentions, light.report.links) == \
        (entry.report.meta, entry.report.citations, entry.report.mentions, entry.report.links)
    for key in ("score", "zone", "sublabel", "trs", "raw", "modifier.evidence"):
        assert light.card.get(key).exact == entry.card.get(key).exact  # type: ignore[union-attr]
    assert light.report.document.tokens == [] and light.report.tables == {}
    assert len(pickle.dumps(summary)) * 10 < len(pickle.dumps(checked))


def test_a_cached_analysis_is_stored_without_tokens_and_parses_them_again() -> None:
    checked = analyse(SEED.encode("utf-8"), "r.md", load_methodology())
    assert checked.entry is not None
    tokens = checked.entry.report.document.tokens
    again = pickle.loads(pickle.dumps(checked))
    assert again.entry.report.document.parsed is None  # not stored
    assert [(t.type, t.map, t.content) for t in again.entry.report.document.tokens] == \
        [(t.type, t.map, t.content) for t in tokens]


def test_frontmatter_verdicts_are_remembered_and_change_nothing(tmp_path: Path) -> None:
    from builder.cache import Cache
    from builder.schema import FieldProblem, validate_frontmatter

    bad = {"title": "", "slug": "Bad Slug", "aliases": [1]}
    memo: dict[str, tuple[FieldProblem, ...]] = {}
    first = validate_frontmatter(bad, memo)
    assert first == validate_frontmatter(bad) and len(first) == 3 and len(memo) == 1
    memo[next(iter(memo))] = (FieldProblem("title", "title", "JZ999", "remembered"),)
    assert [p.code for p in validate_frontmatter(bad, memo)] == ["JZ999"]  # taken from the memo, not recomputed
    assert validate_frontmatter({**bad, "title": "Fine"}, memo) != [FieldProblem("title", "title", "JZ999", "remembered")]

    kept = Cache(tmp_path, "m").verdicts
    assert kept.get("x") is None
    kept["x"] = tuple(first)
    assert Cache(tmp_path, "m").verdicts.get("x") == tuple(first)  # across runs
    assert Cache(tmp_path, "other methodology").verdicts.get("x") is None
    for path in (tmp_path / ".jobzone-cache" / "verdicts").rglob("*.pickle"):
        path.write_bytes(b"damaged")
    assert Cache(tmp_path, "m").verdicts.get("x") is None  # a damaged verdict is no verdict


def test_a_library_upgrade_changes_the_fingerprint(tmp_path: Path, monkeypatch) -> None:
    """A new Jinja2 or markdown-it may render differently: it must miss the cache like a new jobzone."""
    import importlib.util
    import types

    from builder import cache as cache_module

    def fingerprint() -> str:
        cache_module.code_files.cache_clear()
        return cache_module.code_fingerprint.__wrapped__()

    before = fingerprint()
    assert fingerprint() == before
    installed = tmp_path / "__init__.py"
    installed.write_text("", encoding="utf-8")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *rest: types.SimpleNamespace(origin=str(installed))
                        if name == "jinja2" else real(name, *rest))
    moved = fingerprint()
    assert moved != before
    os.utime(installed, ns=(OLD, OLD))  # the same file, reinstalled: another time
    assert fingerprint() != moved
    monkeypatch.undo()
    cache_module.code_files.cache_clear()
