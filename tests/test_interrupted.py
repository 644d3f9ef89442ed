"""A build stopped part-way (Ctrl-C, SIGTERM) leaves every letter whole: the old one or the new."""

import signal
from pathlib import Path

import pytest

from helpers import build_stopped_after, copy_built, edit, pdf_pages
from letters.batch.outputs import HOLD_BUILD

HELD_AFTER = 3  # letters: the build is held there until the test stops it


def pdf_bytes(project: Path, slug: str) -> bytes:
    return (project / "build" / "pdf" / f"{slug}.pdf").read_bytes()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopped_build_leaves_every_letter_whole(
    ten_built: Path, tmp_path: Path, stop: signal.Signals
):
    project = copy_built(ten_built, tmp_path / "project")
    slugs = sorted(path.stem for path in (project / "councils").glob("*.yaml"))
    old = {slug: pdf_bytes(project, slug) for slug in slugs}

    edit(project / "year.yaml", "letter_date: 2020-07-22", "letter_date: 2020-07-23")
    second = build_stopped_after(project, HOLD_BUILD, HELD_AFTER)  # and held there
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
    assert len(replaced) == HELD_AFTER  # stopped in the middle: no letter after the stop
    for slug in slugs:
        date = "23 July 2020" if slug in replaced else "22 July 2020"
        assert date in pdf_pages(project / "build" / "pdf" / f"{slug}.pdf")[0]
    leftovers = [path.name for path in (project / "build").rglob("*") if path.name.startswith(".")]
    assert leftovers == []
