"""A build stopped part-way (Ctrl-C, SIGTERM) leaves every letter whole: the old one or the new."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import edit

COPIES = 2  # of each of the five councils: enough letters to stop a build in the middle


def many_councils(project: Path) -> list[str]:
    for path in list((project / "councils").glob("*.yaml")):
        for copy in range(COPIES):
            shutil.copy(path, project / "councils" / f"{path.stem}-{copy}.yaml")
    return sorted(path.stem for path in (project / "councils").glob("*.yaml"))


def run_build(project: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "letters", "build", "--root", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_new_letter(project: Path, old: dict[str, bytes], timeout: float = 60) -> None:
    """Wait until the running build has replaced at least one letter."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(pdf_bytes(project, slug) != content for slug, content in old.items()):
            return
        time.sleep(0.02)
    raise AssertionError("the build replaced no letter in time")


def pdf_bytes(project: Path, slug: str) -> bytes:
    return (project / "build" / "pdf" / f"{slug}.pdf").read_bytes()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopped_build_leaves_every_letter_whole(project: Path, stop: signal.Signals):
    slugs = many_councils(project)
    first = subprocess.run(
        [sys.executable, "-m", "letters", "build", "--root", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr
    old = {slug: pdf_bytes(project, slug) for slug in slugs}

    edit(project / "year.yaml", "letter_date: 2020-07-22", "letter_date: 2020-07-23")
    second = run_build(project)
    wait_for_new_letter(project, old)
    second.send_signal(stop)
    _, stderr = second.communicate(timeout=60)

    assert second.returncode == 130
    assert stderr.endswith(
        "letters: stopped before the end; every letter written so far is "
        "whole, and the others are as they were\n"
    )
    assert "Traceback" not in stderr
    new = {slug: pdf_bytes(project, slug) for slug in slugs}
    replaced = [slug for slug in slugs if new[slug] != old[slug]]
    assert 0 < len(replaced) < len(slugs), "stop the build in the middle"
    for slug in slugs:
        reader = PdfReader(project / "build" / "pdf" / f"{slug}.pdf")
        date = "23 July 2020" if slug in replaced else "22 July 2020"
        assert date in reader.pages[0].extract_text()
    leftovers = [path.name for path in (project / "build").rglob("*") if path.name.startswith(".")]
    assert leftovers == []
