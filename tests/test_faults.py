"""Faults while building: a build killed at any point, an output that cannot be written, a full
disk. Every output is the old letter or the new one, whole; the manifest says which; the other
councils still build."""

import json
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import edit, last_line, letters, many_councils
from letters.build.manifest import council_fingerprint, read_manifest, shared_fingerprint
from letters.data.project import Project

OLD, NEW = "22 July 2020", "23 July 2020"


def letter_date_of(project: Path, slug: str) -> tuple[str, str]:
    """Which letter (old or new) each output of a council is; each must be whole to be read."""
    html = (project / "build" / "html" / f"{slug}.html").read_text()
    assert html.rstrip().endswith("</html>"), f"{slug}.html is cut short"
    pdf = PdfReader(project / "build" / "pdf" / f"{slug}.pdf").pages[0].extract_text()
    return (
        OLD if OLD in html else NEW if NEW in html else "?",
        OLD if OLD in pdf else NEW if NEW in pdf else "?",
    )


def new_letter_date(project: Path) -> None:
    edit(project / "year.yaml", "letter_date: 2020-07-22", "letter_date: 2020-07-23")


def build_in_a_process(project: Path, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "letters", "build", "--root", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_build_killed_at_a_random_point_leaves_whole_letters_and_a_true_manifest(
    project: Path, seed: int
):
    slugs = many_councils(project)
    assert letters("build", "--root", str(project)).exit_code == 0
    new_letter_date(project)
    build = build_in_a_process(project)
    time.sleep(random.Random(seed).uniform(0.8, 2.5))  # WeasyPrint's import takes the first 0.6 s
    build.kill()
    _, stderr = build.communicate(timeout=30)  # returns once the workers have gone too
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr

    manifest = read_manifest(Project(project).outputs())
    shared = shared_fingerprint(Project(project))
    for slug in slugs:
        outputs = letter_date_of(project, slug)
        assert set(outputs) <= {OLD, NEW}
        recorded_as_new = manifest[slug]["fingerprint"] == council_fingerprint(
            shared, project / "councils" / f"{slug}.yaml"
        )
        if recorded_as_new:
            assert outputs == (NEW, NEW), slug

    again = letters("build", "--root", str(project))
    assert again.exit_code == 0, again.output
    assert all(letter_date_of(project, slug) == (NEW, NEW) for slug in slugs)
    assert sorted(path.name for path in (project / "build").rglob(".*")) == []


def test_only_letters_recorded_as_built_are_skipped_after_a_kill(project: Path):
    """The journal tells the next build exactly which new letters were already written."""
    slugs = many_councils(project)
    assert letters("build", "--root", str(project)).exit_code == 0
    new_letter_date(project)
    build = build_in_a_process(project)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (project / "build" / "manifest.journal").exists():
        time.sleep(0.01)
    time.sleep(0.3)
    build.kill()
    build.communicate(timeout=30)
    journal = (project / "build" / "manifest.journal").read_text().splitlines()
    written = {json.loads(line)["slug"] for line in journal}
    assert written and len(written) < len(slugs)
    for slug in written:
        assert letter_date_of(project, slug) == (NEW, NEW)

    again = letters("build", "--root", str(project))
    assert again.exit_code == 0, again.output
    assert last_line(again).startswith(
        f"{len(slugs) - len(written)} built, {len(written)} unchanged, "
    )


def test_an_output_that_cannot_be_written_fails_only_its_council(project: Path):
    assert letters("build", "--root", str(project)).exit_code == 0
    new_letter_date(project)
    pdf = project / "build" / "pdf" / "maidstone.pdf"
    pdf.unlink()
    pdf.mkdir()
    result = letters("build", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "build/pdf/maidstone.pdf: cannot be written (Is a directory): a folder is in the way: "
        "remove or rename it (letter to maidstone)\n"
    )
    assert last_line(result).startswith("4 built, 0 unchanged, 0 skipped (data errors), 1 failed, ")
    html = (project / "build" / "html" / "maidstone.html").read_text()
    assert OLD in html and NEW not in html  # the council's outputs go together, or not at all
    manifest = json.loads((project / "build" / "manifest.json").read_text())["councils"]
    assert manifest["maidstone"]["status"] == "stale"
    assert {manifest[slug]["status"] for slug in manifest if slug != "maidstone"} == {"built"}


def no_file_larger_than(size: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_a_full_disk_keeps_every_old_letter_whole(project: Path):
    """No file may grow past 50 kB: each HTML letter (116 kB) cannot be written."""
    assert letters("build", "--root", str(project)).exit_code == 0
    new_letter_date(project)
    build = build_in_a_process(project, preexec_fn=no_file_larger_than(50_000))
    stdout, stderr = build.communicate(timeout=120)
    assert build.returncode == 1
    assert sorted(stderr.splitlines())[0] == (
        "build/html/cannock-chase.html: cannot be written (File too large): the file is larger "
        "than this system allows: free some space or raise the limit, and build again (letter "
        "to cannock-chase)"
    )
    assert "Traceback" not in stderr
    assert stdout.splitlines()[-1].startswith(
        "0 built, 0 unchanged, 0 skipped (data errors), 5 failed"
    )
    for slug in ("canterbury", "leicester"):
        assert letter_date_of(project, slug) == (OLD, OLD)
    assert sorted(path.name for path in (project / "build").rglob(".*")) == []
