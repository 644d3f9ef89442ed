"""Times `letters check` on every bad input of tests/bad_inputs, as a user runs it (a new process).

    .venv/bin/python benchmarks/bad_inputs.py

Prints one row per case (seconds, exit status, whether the answer was a clean message) and the
slowest case. Target: every case answered with a clean message in well under a second.
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BAD = REPO / "tests" / "bad_inputs"


def project_with(bad: Path, kind: str, root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    for folder in ("councils", "templates", "assets"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "year.yaml", root / "year.yaml")
    if kind == "year":
        shutil.copy(bad, root / "year.yaml")
    else:
        shutil.copy(bad, root / "councils" / bad.name)
    return root


def generated_cases(root: Path) -> list[tuple[str, Path]]:
    folder = project_with(BAD / "councils" / "file-empty.yaml", "councils", root / "folder")
    (folder / "councils" / "folder-named-yaml.yaml").mkdir()
    huge = project_with(BAD / "councils" / "file-empty.yaml", "councils", root / "huge")
    (huge / "councils" / "huge.yaml").write_text("name: x\n" + "# padding\n" * 500_000)
    return [("folder-named-yaml", folder), ("several-megabytes", huge)]


def time_check(root: Path) -> tuple[float, int, bool]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "letters", "check", "--root", str(root)],
                            capture_output=True, text=True, timeout=60)
    seconds = time.perf_counter() - started
    clean = (result.returncode == 1 and "Traceback" not in result.stderr
             and all(line.count(":") >= 2 for line in result.stderr.splitlines()))
    return seconds, result.returncode, clean


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        cases = [(f"{kind}/{bad.stem}", project_with(bad, kind, work / kind / bad.stem))
                 for kind in ("councils", "year") for bad in sorted((BAD / kind).glob("*.yaml"))]
        cases += generated_cases(work)
        for name, root in cases:
            rows.append((name, *time_check(root)))
    print(f"{'case':55} {'seconds':>8} {'exit':>5} clean")
    for name, seconds, code, clean in rows:
        print(f"{name:55} {seconds:8.3f} {code:5} {'yes' if clean else 'NO'}")
    slowest = max(rows, key=lambda row: row[1])
    print(f"\n{len(rows)} bad inputs, {sum(row[3] for row in rows)} with a clean message; "
          f"median {statistics.median(row[1] for row in rows):.3f} s, "
          f"slowest {slowest[0]} {slowest[1]:.3f} s")


if __name__ == "__main__":
    main()
