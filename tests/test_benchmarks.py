"""The benchmark scripts, run small so that they keep working (their targets are checked by
people reading benchmarks/RESULTS.md, never here)."""

import re
import subprocess
import sys
from pathlib import Path

from helpers import REPO

MEASURES = [
    "clean build (HTML+PDF)",
    "main process's own CPU during the clean build",
    "ideal: our warm renders / cores",
    "floor: WeasyPrint's layout + write_pdf / cores",
    "floor: WeasyPrint alone, a process per core",
    "naive loop, 2 letters extrapolated",
    "no-op rebuild (median of 5)",
    "one edited council (median of 3)",
    "HTML-only year, --force (median of 3)",
    "worker memory, a quarter into the year",
    "worker memory, end of year",
]
STAGES = [
    "HTML",
    "reference check",
    "layout (WeasyPrint)",
    "proofreading",
    "write_pdf (WeasyPrint)",
    "tag mend",
    "the rest of the renderer",
]


def benchmark(script: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_bench_measures_every_row_on_a_small_year():
    result = benchmark("run.py", "--councils", "4", "--sample", "2")
    assert result.returncode == 0, result.stderr
    measures, stages = result.stdout.split("\n\n| stage of a letter")
    rows = {
        cells[0]: cells[1:]
        for line in measures.splitlines()
        if line.startswith("| ")
        and (cells := [cell.strip() for cell in line.strip("|").split("|")])
    }
    assert list(rows)[1:] == MEASURES  # after the header row
    stage_rows = [line.strip("|").split("|") for line in stages.splitlines()[2:]]
    assert [name.strip() for name, _ in stage_rows] == STAGES
    assert all(re.fullmatch(r" \d+\.\d ", milliseconds) for _, milliseconds in stage_rows)
    for measure in MEASURES:
        assert re.fullmatch(r"\d+(\.\d+)? (s|MB)", rows[measure][0]), (measure, rows[measure])
    assert re.match(
        r"4 letters: (\d+ of [34] pages \(\d\.\d{3} s\)(, )?)+ / \d+$",
        rows["ideal: our warm renders / cores"][1],
    )


def test_the_bad_inputs_benchmark_runs_its_cases():
    result = benchmark("bad_inputs.py", "--only", "council files/count-octal")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 bad inputs, 1 answered cleanly" in result.stdout


def test_the_preview_latency_benchmark_times_a_save():
    result = benchmark("preview_latency.py", "--times", "1")
    assert result.returncode == 0, result.stderr
    assert re.search(r"median of 1: \d\.\d{3} s", result.stdout)


def test_make_year_says_its_usage_and_writes_a_small_year(tmp_path):
    script = str(REPO / "benchmarks" / "make_year.py")
    helped = subprocess.run(
        [sys.executable, script, "--help"], capture_output=True, text=True, cwd=tmp_path
    )
    assert helped.returncode == 0 and helped.stdout.startswith("usage: make_year.py")
    assert list(tmp_path.iterdir()) == []  # not a folder named --help
    made = subprocess.run(
        [sys.executable, script, str(tmp_path / "year"), "--councils", "3"],
        capture_output=True,
        text=True,
    )
    assert (made.returncode, made.stdout) == (
        0,
        f"3 councils written to {tmp_path / 'year'}/councils\n",
    )
    assert len(list((tmp_path / "year" / "councils").glob("*.yaml"))) == 3


def test_the_docs_pictures_are_redrawn_by_one_command(tmp_path: Path):
    """scripts/refresh-docs (make docs), run small: the letter's two pictures, page 1 and the
    statistics page, which is the letter's last."""
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "refresh-docs"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    first, statistics = (tmp_path / "canterbury-page-1.png", tmp_path / "canterbury-statistics.png")
    for picture in (first, statistics):
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() != statistics.read_bytes()


def test_the_comparison_with_a_pinned_build_reports_each_ratio_and_memory():
    """benchmarks/against.py, with this folder standing in for the pinned build."""
    result = benchmark(
        "against.py",
        str(REPO),
        "--rounds",
        "1",
        "--runs",
        "1",
        "--councils",
        "3",
        "--memory-times",
        "2",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"| measure | {REPO.name} | now | now / {REPO.name} | target |"
    for measure, target in (("clean year", "0.85"), ("no-op", "1.00"), ("HTML-only year", "1.00")):
        assert any(
            re.fullmatch(
                rf"\| {measure} \| \d+\.\d\d s \| \d+\.\d\d s \| \d+\.\d\d \| "
                rf"<= {target}: (met|not met) \|",
                line,
            )
            for line in lines
        ), (measure, lines)
    assert re.fullmatch(
        r"main process's peak memory, clean year: \d+ MB for one year, \d+ MB for 2 times its "
        r"councils: \d\.\d\d \(target <= 1\.30: (met|not met)\)",
        lines[-1],
    ), lines[-1]
