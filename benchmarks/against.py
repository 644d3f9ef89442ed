"""Times this working folder against a pinned build of an earlier commit, on the same councils.

    make bench-baseline        (once: checks out 7ef6ab8 into .bench/7ef6ab8 with its own .venv)
    .venv/bin/python benchmarks/against.py [.bench/7ef6ab8] [--rounds 3] [--councils N]

Each side writes the year with its own benchmarks/make_year.py (the same 343 councils, the same
seed, each commit's own wording and files), then, alternating old and new in every round so a
machine's changing speed falls on both: a clean year (build/ removed, HTML and PDF), a no-op
rebuild, and an HTML-only year (`--html-only --force`). Prints each measure's medians and the
ratio new / old, with the targets of issue 36 (HTML-only and no-op <= 1.00, clean <= 0.85),
and the main process's peak memory in the clean build. `make bench` runs this after its own
measures when the pinned build is there.
"""

import argparse
import contextlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PINNED = REPO / ".bench" / "7ef6ab8"
TARGETS = {"clean year": 0.85, "no-op": 1.00, "HTML-only year": 1.00}


@dataclass
class Side:
    """One commit's tool and its own copy of the year."""

    name: str
    checkout: Path
    year: Path
    times: dict[str, list[float]] = field(default_factory=dict)
    peaks: list[int] = field(default_factory=list)

    def command(self, *args: str) -> list[str]:
        letters = self.checkout / ".venv" / "bin" / "letters"
        return [str(letters), "build", "--root", str(self.year), *args]

    def write_year(self, councils: int | None, times: int = 1) -> None:
        python = self.checkout / ".venv" / "bin" / "python"
        extra = ["--councils", str(councils)] if councils else []
        extra += ["--times", str(times)] if times > 1 else []
        subprocess.run(
            [
                str(python),
                str(self.checkout / "benchmarks" / "make_year.py"),
                str(self.year),
                *extra,
            ],
            check=True,
            capture_output=True,
        )

    def record(self, measure: str, seconds: float) -> None:
        self.times.setdefault(measure, []).append(seconds)


def run_measured(command: list[str]) -> tuple[float, int]:
    """Seconds a command takes and its own peak resident memory in MB (its VmHWM, read while
    it runs: its workers' memory is their own)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    watcher = threading.Thread(target=watch_peak, args=(process, peak), daemon=True)
    watcher.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - started
    watcher.join()
    if process.returncode not in (0, 1):  # 1: the proofreader's notes, or a council's problem
        sys.exit(f"{' '.join(command)} failed:\n{errors.decode()}")
    return seconds, peak[0]


def watch_peak(process: subprocess.Popen[bytes], peak: list[int]) -> None:
    """Keeps the last peak the kernel reported for the process (it only grows)."""
    while process.poll() is None:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak[0] = max(peak[0], int(line.split()[1]) // 1024)
        time.sleep(0.02)


def clean_year(side: Side) -> None:
    shutil.rmtree(side.year / "build", ignore_errors=True)
    seconds, peak = run_measured(side.command())
    side.record("clean year", seconds)
    side.peaks.append(peak)


def no_op(side: Side) -> None:
    side.record("no-op", run_measured(side.command())[0])


def html_only(side: Side) -> None:
    side.record("HTML-only year", run_measured(side.command("--html-only", "--force"))[0])


def compare(
    old: Side, new: Side, rounds: int, runs: int = 3
) -> list[tuple[str, float, float, float]]:
    """Each measure's median over the rounds, old and new, and new / old. The short measures
    alternate old and new run by run: the machine's speed drifts within a round too."""
    for _ in range(rounds):
        for side in (old, new):
            clean_year(side)
            run_measured(side.command())  # after a clean build, the first marks all unchanged
        for timed in (no_op, html_only):
            for _ in range(runs):
                for side in (old, new):
                    timed(side)
    rows = []
    for measure in TARGETS:
        before, after = (statistics.median(side.times[measure]) for side in (old, new))
        rows.append((measure, before, after, after / before))
    return rows


def report(old: Side, new: Side, rows: list[tuple[str, float, float, float]]) -> str:
    lines = [
        f"| measure | {old.name} | now | now / {old.name} | target |",
        "|---|---:|---:|---:|---|",
    ]
    for measure, before, after, ratio in rows:
        met = "met" if ratio <= TARGETS[measure] else "not met"
        lines.append(
            f"| {measure} | {before:.2f} s | {after:.2f} s | {ratio:.2f} | "
            f"<= {TARGETS[measure]:.2f}: {met} |"
        )
    lines.append(
        f"| main process's peak memory, clean year | {max(old.peaks)} MB | {max(new.peaks)} MB "
        f"| {max(new.peaks) / max(old.peaks):.2f} | |"
    )
    return "\n".join(lines)


def memory_in_size(councils: int, times: int = 3) -> str:
    """The main process's peak memory in a clean build of a year and of one `times` as large."""
    peaks = []
    with tempfile.TemporaryDirectory() as temporary:
        for size in (1, times):
            side = Side("now", REPO, Path(temporary) / f"x{size}")
            side.write_year(councils, size)
            peaks.append(run_measured(side.command())[1])
    ratio = peaks[1] / peaks[0]
    met = "met" if ratio <= 1.3 else "not met"
    return (
        f"main process's peak memory, clean year: {peaks[0]} MB for one year, {peaks[1]} MB "
        f"for {times} times its councils: {ratio:.2f} (target <= 1.30: {met})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, nargs="?", default=PINNED)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3, help="of each short measure a round")
    parser.add_argument("--councils", type=int, help="the first N councils only")
    parser.add_argument(
        "--memory-times", type=int, default=3, help="the larger year, in years (0: not measured)"
    )
    arguments = parser.parse_args(argv)
    if not (arguments.baseline / ".venv" / "bin" / "letters").exists():
        sys.exit(f"{arguments.baseline}: no pinned build here: make bench-baseline makes one")
    with tempfile.TemporaryDirectory() as temporary:
        old = Side(arguments.baseline.name, arguments.baseline, Path(temporary) / "old")
        new = Side("now", REPO, Path(temporary) / "new")
        for side in (old, new):
            side.write_year(arguments.councils)
        print(report(old, new, compare(old, new, arguments.rounds, arguments.runs)))
    if arguments.memory_times:
        print(memory_in_size(arguments.councils or 343, arguments.memory_times))


if __name__ == "__main__":
    main()
