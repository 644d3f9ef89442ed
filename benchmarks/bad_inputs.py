"""Times every bad input of tests/bad_inputs (cases.py) as a user meets it: a new process.

    .venv/bin/python benchmarks/bad_inputs.py [--only SUBSTRING]

Prints one row per case (seconds, exit status, whether the answer was clean) and a summary by
family. Clean means: the exit status the case expects, the exact message it expects, and no
traceback or "unexpected error". Target: every case clean, each in well under a second.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from bad_inputs.cases import CASES, Case  # noqa: E402
from helpers import copy_project  # noqa: E402


def run_case(case: Case, folder: Path) -> tuple[float, int, bool]:
    root = copy_project(folder)
    arguments = case.setup(root)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "letters", *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    seconds = time.perf_counter() - started
    clean = (
        result.returncode == case.exit_code
        and result.stderr == case.expected
        and "Traceback" not in result.stderr + result.stdout
        and "unexpected error" not in result.stderr
    )
    return seconds, result.returncode, clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only cases whose id contains this")
    arguments = parser.parse_args(argv)
    cases = [case for case in CASES if arguments.only in case.id]
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        for number, case in enumerate(cases):
            rows.append((case, *run_case(case, Path(temporary) / str(number))))
    print(f"{'case':62} {'seconds':>8} {'exit':>5} clean")
    for case, seconds, code, clean in rows:
        print(f"{case.id:62} {seconds:8.3f} {code:5} {'yes' if clean else 'NO'}")
    families = Counter(case.family for case, *_ in rows)
    print("\n" + ", ".join(f"{family}: {count}" for family, count in sorted(families.items())))
    answered = sum(row[3] for row in rows)
    slowest = max(rows, key=lambda row: row[1])
    print(
        f"{len(rows)} bad inputs, {answered} answered cleanly; median "
        f"{statistics.median(row[1] for row in rows):.3f} s, slowest {slowest[0].id} "
        f"{slowest[1]:.3f} s"
    )
    return 0 if answered == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
