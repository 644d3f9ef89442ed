"""Measures a full year's build against the ideal and the naive way, in one run on one machine.

    make bench        (or: .venv/bin/python benchmarks/run.py [--sample 20])

Writes a 343-council year (benchmarks/make_year.py) into a temporary folder, then times, as a
user runs them: a clean build (HTML and PDF), a no-op rebuild, a rebuild after editing one
council and an HTML-only year; the ideal (median warm render of one letter x 343 / cores); the
naive loop (one `weasyprint` process per letter, one after another) on a sample, extrapolated;
and each worker's memory near the start and at the end of the clean build. Ratios, not absolute
times, are what compare across machines. Results are recorded in benchmarks/RESULTS.md.
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_year import write_year

BIN = Path(sys.executable).parent


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def letters(root: Path, *args: str) -> list[str]:
    return [str(BIN / "letters"), "build", "--root", str(root), *args]


class WorkerMemory:
    """Samples the resident memory of a process's children (the render workers) while it runs."""

    def __init__(self, pid: int):
        self.pid = pid
        self.samples: dict[int, list[int]] = {}
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self) -> None:
        while Path(f"/proc/{self.pid}").exists():
            for child in children(self.pid):
                rss = resident_mb(child)
                if rss:
                    self.samples.setdefault(child, []).append(rss)
            time.sleep(0.2)


def children(pid: int) -> list[int]:
    try:
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except OSError:
        return []


def resident_mb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def clean_build(root: Path) -> tuple[float, WorkerMemory]:
    started = time.perf_counter()
    process = subprocess.Popen(letters(root), stdout=subprocess.DEVNULL)
    memory = WorkerMemory(process.pid)
    memory.thread.start()
    if process.wait() != 0:
        sys.exit("the clean build failed")
    return time.perf_counter() - started, memory


def one_more_investigation(council_file: Path) -> None:
    """Edit a council as staff would: one more investigation (always a valid change)."""
    text = council_file.read_text()
    found = re.search(r"investigations: (\d+)", text)
    assert found, f"{council_file} has no investigations"
    count = int(found[1])
    council_file.write_text(
        text.replace(f"investigations: {count}", f"investigations: {count + 1}", 1)
    )


def median_warm_render(root: Path, slug: str, repeats: int = 15) -> float:
    """The median time WeasyPrint takes to render one letter, once warmed up."""
    from letters.build import read_councils, read_year
    from letters.context import letter_context
    from letters.project import Project
    from letters.render_html import TemplateFiles, html_environment, render_html
    from letters.render_pdf import PdfRenderer

    project = Project(root)
    year = read_year(project)
    councils, _ = read_councils(project, [project.council_file(slug)], year)
    html = render_html(
        html_environment(project), letter_context(councils[slug], year, standalone=False)
    )
    renderer = PdfRenderer(TemplateFiles(project).stylesheet(), "letter.css")
    renderer.render(html, slug, [])
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        renderer.render(html, slug, [])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def naive_loop(root: Path, sample: int) -> float:
    """Seconds per letter for `weasyprint in.html out.pdf`, one process per letter."""
    pages = sorted((root / "build" / "html").glob("*.html"))[:sample]
    out = Path(tempfile.mkdtemp())
    started = time.perf_counter()
    for page in pages:
        subprocess.run(
            [str(BIN / "weasyprint"), str(page), str(out / f"{page.stem}.pdf")],
            check=True,
            capture_output=True,
        )
    return (time.perf_counter() - started) / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=20, help="letters in the naive loop")
    arguments = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        councils = write_year(root)
        clean, memory = clean_build(root)
        noop = timed(letters(root))
        one_more_investigation(root / "councils" / "canterbury.yaml")
        one_edit = timed(letters(root))
        html_only = timed(letters(root, "--html-only", "--force"))
        warm = median_warm_render(root, "maidstone")
        naive = naive_loop(root, arguments.sample)
    ideal = warm * councils / cores
    naive_year = naive * councils
    # "Start": a quarter of the way through, once each worker has warmed up; "end": its last sample.
    starts = [samples[len(samples) // 4] for samples in memory.samples.values()]
    ends = [samples[-1] for samples in memory.samples.values()]
    rows = [
        (
            "clean full-year build (HTML+PDF)",
            f"{clean:.1f} s",
            f"{clean / ideal:.2f} x ideal",
            "<= 1.15 x ideal",
        ),
        (
            "ideal: median warm render x councils / cores",
            f"{ideal:.1f} s",
            f"{warm:.3f} s x {councils} / {cores}",
            "",
        ),
        (
            f"naive loop, {arguments.sample} letters extrapolated",
            f"{naive_year:.1f} s",
            f"{naive_year / clean:.1f} x slower than ours",
            ">= 8 x",
        ),
        ("no-op rebuild", f"{noop:.2f} s", "", "<= 1 s"),
        (
            "one edited council",
            f"{one_edit:.2f} s",
            f"1 s + one render = {1 + warm:.2f} s",
            "<= 1 s + one render",
        ),
        ("HTML-only year", f"{html_only:.2f} s", "", "<= 2 s"),
        (
            "worker memory, a quarter into the year",
            f"{max(starts)} MB",
            f"{len(starts)} workers: {', '.join(map(str, starts))} MB",
            "<= 300 MB",
        ),
        (
            "worker memory, end of year",
            f"{max(ends)} MB",
            f"{', '.join(map(str, ends))} MB",
            "not growing",
        ),
    ]
    print(
        f"machine: {platform.machine()}, {cores} cores, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, "
        f"WeasyPrint {version('weasyprint')}, letters {version('letters')}"
    )
    print(f"\n| {'measure':48} | {'result':>9} | {'detail':42} | target |")
    print(f"|{'-' * 50}|{'-' * 11}:|{'-' * 44}|--------|")
    for measure, result, detail, target in rows:
        print(f"| {measure:48} | {result:>9} | {detail:42} | {target} |")


if __name__ == "__main__":
    main()
