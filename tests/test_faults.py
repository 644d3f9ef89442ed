"""Faults while building: a build killed at any point, an output that cannot be written, a full
disk. Every output is the old letter or the new one, whole; the manifest says which; the other
councils still build."""

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import copy_built, edit, last_line, letters, pdf_pages
from letters.batch.manifest import council_fingerprint, read_manifest, shared_fingerprint
from letters.batch.outputs import KILL_BUILD
from letters.data.project import Project

OLD, NEW = "22 July 2020", "23 July 2020"


def letter_date_of(project: Path, slug: str) -> tuple[str, str]:
    """Which letter (old or new) each output of a council is; each must be whole to be read."""
    html = (project / "build" / "html" / f"{slug}.html").read_text().replace("\u00a0", " ")
    assert html.rstrip().endswith("</html>"), f"{slug}.html is cut short"
    path = project / "build" / "pdf" / f"{slug}.pdf"
    assert path.read_bytes().rstrip().endswith(b"%%EOF"), f"{slug}.pdf is cut short"
    pdf = pdf_pages(path)[0]
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


@pytest.fixture
def ten_letters(ten_built: Path, tmp_path: Path) -> Path:
    """Each test's own copy of the ten built letters, which its build replaces."""
    return copy_built(ten_built, tmp_path / "project")


def killed_build(project: Path, point: str) -> None:
    """A build of the new letter date, killed (SIGKILL) the moment it passes `point`."""
    new_letter_date(project)
    build = build_in_a_process(project, env={**os.environ, KILL_BUILD: point})
    _, stderr = build.communicate(timeout=120)  # returns once the workers have gone too
    assert build.returncode == -signal.SIGKILL, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


@pytest.mark.parametrize(
    ("point", "new_html", "new_pdf"),
    [("half-swapped:3", 3, 2), ("written:1", 1, 1), ("journaled:9", 9, 9)],
)
def test_a_build_killed_at_any_point_leaves_whole_letters_and_a_true_manifest(
    ten_letters: Path, point: str, new_html: int, new_pdf: int
):
    """Killed between a letter's two files, after its files, or after its journal line."""
    slugs = sorted(path.stem for path in (ten_letters / "councils").glob("*.yaml"))
    killed_build(ten_letters, point)

    manifest = read_manifest(Project(ten_letters).outputs())
    shared = shared_fingerprint(Project(ten_letters))
    dates = {slug: letter_date_of(ten_letters, slug) for slug in slugs}
    assert all(set(outputs) <= {OLD, NEW} for outputs in dates.values())
    assert sum(html == NEW for html, _ in dates.values()) == new_html
    assert sum(pdf == NEW for _, pdf in dates.values()) == new_pdf
    for slug in slugs:
        recorded_as_new = manifest[slug]["fingerprint"] == council_fingerprint(
            shared, (ten_letters / "councils" / f"{slug}.yaml").read_bytes()
        )
        if recorded_as_new:
            assert dates[slug] == (NEW, NEW), slug

    again = letters("build", "--root", str(ten_letters))
    assert again.exit_code == 0, again.output
    assert all(letter_date_of(ten_letters, slug) == (NEW, NEW) for slug in slugs)
    assert sorted(path.name for path in (ten_letters / "build").rglob(".*")) == []


def test_only_letters_recorded_as_built_are_skipped_after_a_kill(ten_letters: Path):
    """The journal tells the next build exactly which new letters were already written."""
    killed_build(ten_letters, "journaled:4")
    journal = (ten_letters / "build" / "manifest.journal").read_text().splitlines()
    written = {json.loads(line)["slug"] for line in journal}
    assert len(written) == 4
    for slug in written:
        assert letter_date_of(ten_letters, slug) == (NEW, NEW)

    again = letters("build", "--root", str(ten_letters))
    assert again.exit_code == 0, again.output
    assert last_line(again).startswith("6 built, 4 unchanged, ")


def test_an_output_that_cannot_be_written_fails_only_its_council(built_project: Path):
    project = built_project
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
    html = (project / "build" / "html" / "maidstone.html").read_text().replace("\u00a0", " ")
    assert OLD in html and NEW not in html  # the council's outputs go together, or not at all
    manifest = json.loads((project / "build" / "manifest.json").read_text())["councils"]
    assert manifest["maidstone"]["status"] == "stale"
    assert {manifest[slug]["status"] for slug in manifest if slug != "maidstone"} == {"built"}


def no_file_larger_than(size: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_a_full_disk_keeps_every_old_letter_whole(built_project: Path):
    """No file may grow past 50 kB: each HTML letter (116 kB) cannot be written."""
    project = built_project
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
