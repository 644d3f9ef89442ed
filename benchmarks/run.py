"""Measures a year's build against its ideal, its floor and the naive way, in one run.

    make bench        (or: .venv/bin/python benchmarks/run.py [--councils N] [--sample 20])

Writes a year (benchmarks/make_year.py: the 343 councils of 2019-20, or the first N) with the
working folder's wording into a temporary folder, then times, as a user runs them: a clean build
(HTML and PDF), a no-op rebuild, a rebuild after editing one council and an HTML-only year. Then,
in the same run, on the same letters:

- the ideal: every letter of the year (its own mix: 3- and 4-page letters, every optional
  paragraph) rendered by our own per-letter code, warm, in a pool of one process per core; the
  sum of those times / cores is a build with no overhead at all;
- the floor: the same HTML letters rendered by WeasyPrint alone in a pool of one process per core
  (benchmarks/floor.py), start-up included;
- the naive loop: one `weasyprint` process per letter, one after another, on a sample,
  extrapolated;

and each worker's memory near the start and at the end of the clean build. Ratios, not absolute
times, are what compare across machines. Results are recorded in benchmarks/RESULTS.md;
tests/test_benchmarks.py runs this on a small year so that it keeps working.
"""

import argparse
import multiprocessing
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_year import write_year  # noqa: E402

from letters.data.project import Project  # noqa: E402
from letters.data.read import read_councils, read_year  # noqa: E402
from letters.letter.renderer import LetterRenderer  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def median_of(runs: int, command: list[str], before_each=lambda: None) -> float:
    """The median time of `runs` runs (one run of a short command says more of the machine's
    mood than of the command)."""
    times = []
    for _ in range(runs):
        before_each()
        times.append(timed(command))
    return statistics.median(times)


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
            for child in workers(self.pid):
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


def workers(pid: int) -> list[int]:
    """The render workers: children forked from the process, so with its name (not the short
    helper commands libraries run while loading)."""
    return [child for child in children(pid) if command_name(child) == command_name(pid)]


def command_name(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return None


def resident_mb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def clean_build(root: Path) -> tuple[float, WorkerMemory, float]:
    """Seconds of a clean build, its workers' memory, and the CPU seconds of its main process
    alone (not its workers'), read when it has exited but is not yet reaped."""
    started = time.perf_counter()
    process = subprocess.Popen(letters(root), stdout=subprocess.DEVNULL)
    memory = WorkerMemory(process.pid)
    memory.thread.start()
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    seconds = time.perf_counter() - started
    main_cpu = own_cpu_seconds(process.pid)
    if process.wait() != 0:
        sys.exit("the clean build failed")
    return seconds, memory, main_cpu


def own_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of the process itself (/proc/PID/stat's utime and stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_more_investigation(council_file: Path) -> None:
    """Edit a council as staff would: one more investigation (always a valid change)."""
    text = council_file.read_text()
    found = re.search(r"investigations: (\d+)", text)
    assert found, f"{council_file} has no investigations"
    count = int(found[1])
    council_file.write_text(
        text.replace(f"investigations: {count}", f"investigations: {count + 1}", 1)
    )


# Set before the pool forks, so each worker inherits them warm and only slugs are pickled (the
# councils' models are built from fields.yaml, so pickle cannot name their classes).
RENDERER: LetterRenderer | None = None
COUNCILS: dict = {}


# Each stage of a letter, as the renderer calls it: (module, attribute) -> stage name. Wrapped in
# the benchmark's own process only, to time them; the renderer itself is unchanged.
STAGES = {
    "letters.letter.renderer:letter_context": "HTML",
    "letters.letter.renderer:render_html": "HTML",
    "letters.letter.renderer:check_references": "reference check",
    "letters.letter.render_pdf:PdfRenderer.lay_out": "layout (WeasyPrint)",
    "letters.letter.proof:proof": "proofreading",
    "weasyprint.document:Document.write_pdf": "write_pdf (WeasyPrint)",
    "letters.letter.tags:layout_of": "tag mend",
    "letters.letter.tags:mend_tags": "tag mend",
}
WEASYPRINT = ("layout (WeasyPrint)", "write_pdf (WeasyPrint)")
SPENT: dict[str, float] = {}


NESTED: list[float] = []  # the time of stages called inside the stage being timed


def timing(function, stage: str):
    """`function`, adding its own time (without the stages it calls: the tag mend runs inside
    write_pdf) to its stage's."""

    def timed_call(*args, **kwargs):
        started = time.perf_counter()
        NESTED.append(0.0)
        try:
            return function(*args, **kwargs)
        finally:
            seconds, inner = time.perf_counter() - started, NESTED.pop()
            SPENT[stage] = SPENT.get(stage, 0.0) + seconds - inner
            if NESTED:
                NESTED[-1] += seconds

    return timed_call


def time_the_stages() -> None:
    """Wrap each stage's function in a timer (in this process and the workers it forks)."""
    import importlib

    for where, stage in STAGES.items():
        module, _, path = where.partition(":")
        holder = importlib.import_module(module)
        *classes, name = path.split(".")
        for class_name in classes:
            holder = getattr(holder, class_name)
        setattr(holder, name, timing(getattr(holder, name), stage))


def timed_letter(slug: str) -> tuple[float, int, dict[str, float]]:
    """Seconds to render one council's letter with our own code, its number of pages, and the
    seconds of each stage."""
    assert RENDERER is not None
    SPENT.clear()
    started = time.perf_counter()
    rendered = RENDERER((slug, COUNCILS[slug]))
    seconds = time.perf_counter() - started
    assert rendered.pdf is not None, rendered.problems
    return seconds, rendered.pdf.pages, dict(SPENT)


def our_renders(root: Path, cores: int) -> list[tuple[float, int, dict[str, float]]]:
    """Every letter of the year rendered warm by our per-letter code (HTML, its checks, layout,
    proofreading, PDF, tags), in a pool of one process per core: each letter's time, pages and
    stages. The stages WeasyPrint does (layout, write_pdf), with the stylesheet and fonts shared
    as our renderer shares them, summed over the year / cores, are the floor."""
    global RENDERER, COUNCILS
    time_the_stages()
    project = Project(root)
    year = read_year(project)
    COUNCILS, skipped = read_councils(project, project.council_files(), year)
    assert not skipped, skipped
    RENDERER = LetterRenderer(project, year)
    RENDERER(next(iter(COUNCILS.items())))  # warm, as the build is before it forks its workers
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        return pool.map(timed_letter, list(COUNCILS), chunksize=1)


def floor(root: Path) -> float:
    """Seconds for WeasyPrint alone to render the year's HTML letters, a process per core."""
    with tempfile.TemporaryDirectory() as out:
        return timed([sys.executable, str(HERE / "floor.py"), str(root / "build" / "html"), out])


def stage_shares(renders: list[tuple[float, int, dict[str, float]]]) -> list[tuple[str, float]]:
    """Each stage's median milliseconds a letter, and what is left of a letter's time besides
    them (building the context's values, copying results back)."""
    stages = list(dict.fromkeys(STAGES.values()))
    medians = [
        (stage, 1000 * statistics.median(spent.get(stage, 0.0) for _, _, spent in renders))
        for stage in stages
    ]
    rest = 1000 * statistics.median(seconds - sum(spent.values()) for seconds, _, spent in renders)
    return [*medians, ("the rest of the renderer", rest)]


def mix(renders: list[tuple[float, int, dict[str, float]]]) -> str:
    """'341 of 3 pages (0.180 s), 2 of 4 pages (0.231 s)': how many letters of each length, and
    the median time of each."""
    by_pages: dict[int, list[float]] = {}
    for seconds, pages, _ in renders:
        by_pages.setdefault(pages, []).append(seconds)
    return ", ".join(
        f"{len(times)} of {pages} pages ({statistics.median(times):.3f} s)"
        for pages, times in sorted(by_pages.items())
    )


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, help="the first N councils only (8 or more)")
    parser.add_argument("--sample", type=int, default=20, help="letters in the naive loop")
    arguments = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        councils = write_year(root, councils=arguments.councils)
        clean, memory, main_cpu = clean_build(root)
        timed(letters(root))  # the first build after a clean one marks every letter unchanged
        noop = median_of(5, letters(root))
        first = min((root / "councils").glob("*.yaml"))
        one_edit = median_of(3, letters(root), lambda: one_more_investigation(first))
        html_only = median_of(3, letters(root, "--html-only", "--force"))
        renders = our_renders(root, cores)
        floor_seconds = floor(root)
        naive = naive_loop(root, arguments.sample)
    ideal = sum(seconds for seconds, _, _ in renders) / cores
    warm = statistics.median(seconds for seconds, _, _ in renders)
    real_floor = sum(spent.get(stage, 0.0) for _, _, spent in renders for stage in WEASYPRINT)
    real_floor /= cores
    ours = sum(seconds for seconds, _, _ in renders) / cores - real_floor
    naive_year = naive * councils
    # "Start": a quarter of the way through, once each worker has warmed up; "end": its last sample.
    # Workers only: a child seen once is a fork about to run a helper command (ldconfig...).
    lives = [samples for samples in memory.samples.values() if len(samples) > 1]
    starts = [samples[len(samples) // 4] for samples in lives] or [0]
    ends = [samples[-1] for samples in lives] or [0]
    rows = [
        (
            "clean build (HTML+PDF)",
            f"{clean:.1f} s",
            f"{clean / ideal:.2f} x ideal, {clean / floor_seconds:.2f} x floor",
            "<= 1.15 x ideal",
        ),
        (
            "main process's own CPU during the clean build",
            f"{main_cpu:.1f} s",
            f"{main_cpu / clean:.0%} of one core while the workers render",
            "",
        ),
        (
            "ideal: our warm renders / cores",
            f"{ideal:.1f} s",
            f"{councils} letters: {mix(renders)} / {cores}",
            "",
        ),
        (
            "floor: WeasyPrint's layout + write_pdf / cores",
            f"{real_floor:.1f} s",
            f"clean / floor = {clean / real_floor:.2f}; ours beyond it {ours / ideal:.0%}",
            "<= 1.10 x; <= 10%",
        ),
        (
            "floor: WeasyPrint alone, a process per core",
            f"{floor_seconds:.1f} s",
            f"ideal / floor = {ideal / floor_seconds:.2f}",
            "",
        ),
        (
            f"naive loop, {min(arguments.sample, councils)} letters extrapolated",
            f"{naive_year:.1f} s",
            f"{naive_year / clean:.1f} x slower than ours",
            ">= 8 x",
        ),
        ("no-op rebuild (median of 5)", f"{noop:.2f} s", "", "<= 0.3 s"),
        (
            "one edited council (median of 3)",
            f"{one_edit:.2f} s",
            f"1 s + one warm render = {1 + warm:.2f} s",
            "<= 1 s + one render",
        ),
        ("HTML-only year, --force (median of 3)", f"{html_only:.2f} s", "", "<= 1 s"),
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
    print(f"\n| {'measure':44} | {'result':>9} | {'detail':58} | target |")
    print(f"|{'-' * 46}|{'-' * 11}:|{'-' * 60}|--------|")
    for measure, result, detail, target in rows:
        print(f"| {measure:44} | {result:>9} | {detail:58} | {target} |")
    print("\n| stage of a letter (median) | ms |")
    print("|---|---:|")
    for stage, milliseconds in stage_shares(renders):
        print(f"| {stage} | {milliseconds:.1f} |")


if __name__ == "__main__":
    main()
