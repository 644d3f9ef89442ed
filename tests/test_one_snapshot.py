"""A build renders every letter from one reading of the project: a file edited while it runs
reaches none of its letters, and the next build sees the edit."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import build_stopped_after, copy_built, edit, letters, pdf_pages
from letters.batch.outputs import PAUSE_BUILD

PAUSED_AFTER = 2  # letters written before the test edits the project


def edit_every_council(project: Path) -> None:
    for path in (project / "councils").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"job_title: (.*)", r"job_title: \1 (acting)", text, count=1))


EDITS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "template": (
        lambda project: edit(
            project / "templates" / "letter.html.j2", "Yours sincerely,", "Yours faithfully,"
        ),
        "Yours sincerely,",
        "Yours faithfully,",
    ),
    "year": (
        lambda project: edit(
            project / "year.yaml", "letter_date: 2020-07-22", "letter_date: 2020-07-23"
        ),
        "22 July 2020",
        "23 July 2020",
    ),
    "stylesheet": (
        lambda project: edit(
            project / "templates" / "letter.css", "@page", "/* edited in the build */\n@page"
        ),
        "Dear ",
        "/* edited in the build */",  # seen in the HTML only
    ),
    "council files": (edit_every_council, "Dear ", "(acting)"),  # job titles: each its own
}


def build_edited_midway(project: Path, change: Callable[[], None], jobs: str) -> None:
    """`letters build --force`, paused after its second letter while `change` edits the project."""
    build = build_stopped_after(project, PAUSE_BUILD, PAUSED_AFTER, "--force", "--jobs", jobs)
    change()
    _, stderr = build.communicate("go on\n", timeout=300)
    assert build.returncode == 0, stderr


def letter_texts(project: Path) -> dict[str, str]:
    """Each letter's HTML (as written, with its stylesheet; no-break spaces as spaces) and PDF
    text, by file."""
    build = project / "build"
    return {
        **{
            path.name: path.read_text(encoding="utf-8").replace("\u00a0", " ")
            for path in (build / "html").glob("*.html")
        },
        **{path.name: "\n".join(pdf_pages(path)) for path in (build / "pdf").glob("*.pdf")},
    }


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("edited", list(EDITS))
def test_an_edit_during_a_build_reaches_none_of_its_letters(
    ten_built: Path, tmp_path: Path, edited: str, jobs: str
):
    project = copy_built(ten_built, tmp_path / "project")
    change, before, after = EDITS[edited]
    build_edited_midway(project, lambda: change(project), jobs)

    texts = letter_texts(project)
    assert len(texts) == 20
    assert [name for name, text in texts.items() if before not in text or after in text] == []

    again = letters("build", "--root", str(project))
    assert again.exit_code == 0, again.output
    assert again.stdout.count(": built\n") == 10  # the edit is seen: no letter is "unchanged"
    seen = [name for name, text in letter_texts(project).items() if after in text]
    assert len(seen) == (10 if edited == "stylesheet" else 20)


def test_an_edit_undone_during_a_build_leaves_every_letter_as_it_was(
    ten_built: Path, tmp_path: Path
):
    project = copy_built(ten_built, tmp_path / "project")
    template = project / "templates" / "letter.html.j2"
    original = template.read_bytes()
    before = {
        path: path.read_bytes()
        for path in (project / "build").rglob("*.*")
        if "html" in path.parts or "pdf" in path.parts
    }

    def edit_and_undo() -> None:
        edit(template, "Yours sincerely,", "Yours faithfully,")
        letters("check", "--root", str(project))  # the edited wording read by another command
        template.write_bytes(original)

    build_edited_midway(project, edit_and_undo, "2")
    again = letters("build", "--root", str(project))
    assert again.exit_code == 0, again.output
    assert again.stdout.count(": built\n") == 0
    assert {path: path.read_bytes() for path in before} == before
