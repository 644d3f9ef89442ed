"""Rebuilds do only what changed: skipping, each kind of change, --force, deletions, --jobs."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SLUGS, copy_project, edit, html_text, last_line, letters, pdf_pages


def build(project: Path, *args: str):
    result = letters("build", "--root", str(project), *args)
    assert result.exit_code == 0, result.output
    return result


def rebuilt(result) -> list[str]:
    """The councils a build rendered, from its progress lines."""
    return sorted(
        line.split("] ")[1].removesuffix(": built")
        for line in result.stdout.splitlines()
        if line.endswith(": built")
    )


def outputs(project: Path) -> dict[str, bytes]:
    """The letters built: HTML and PDF (not the overview, which tells what each build did)."""
    return {
        str(path.relative_to(project / "build")): path.read_bytes()
        for folder in ("html", "pdf")
        for path in sorted((project / "build" / folder).glob("*"))
    }


def test_nothing_changed_builds_nothing(built_project: Path):
    before = outputs(built_project)
    result = build(built_project)
    assert rebuilt(result) == []
    assert last_line(result).startswith("0 built, 5 unchanged, 0 skipped (data errors), 0 failed")
    assert outputs(built_project) == before


WEASYPRINT_IMPORTED = """
import sys
from letters.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("weasyprint" in sys.modules)
"""


@pytest.mark.parametrize("build_arguments", [(), ("--html-only", "--force")])
def test_a_build_that_renders_no_pdf_never_loads_weasyprint(
    built_project: Path, build_arguments: tuple[str, ...]
):
    """Importing WeasyPrint takes most of a second: a no-op or HTML-only build does without."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            WEASYPRINT_IMPORTED,
            "build",
            "--root",
            str(built_project),
            *build_arguments,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "False", result.stdout


def test_touching_a_file_without_changing_it_builds_nothing(built_project: Path):
    (built_project / "councils" / "canterbury.yaml").touch()
    assert rebuilt(build(built_project)) == []


def test_editing_one_council_rebuilds_that_one(built_project: Path):
    path = built_project / "councils" / "maidstone.yaml"
    edit(path, "upheld: 7", "upheld: 8")
    assert rebuilt(build(built_project)) == ["maidstone"]
    assert "73% of complaints we investigated were upheld" in html_text(
        built_project / "build" / "html" / "maidstone.html"
    )


@pytest.mark.parametrize(
    "changed",
    [
        "year.yaml",
        "fields.yaml",
        "templates/_statistics.html.j2",
        "templates/letter.css",
        "assets/letterhead.svg",
        "assets/fonts/Inter-Regular.woff2",
    ],
)
def test_a_shared_input_changing_rebuilds_every_council(built_project: Path, changed: str):
    path = built_project / changed
    if path.suffix == ".woff2":
        path.write_bytes(path.read_bytes())  # same font, rewritten: nothing really changed
        assert rebuilt(build(built_project)) == []
        shutil.copy(built_project / "assets" / "fonts" / "Inter-Bold.woff2", path)
    else:
        path.write_text(path.read_text() + "\n")
    assert rebuilt(build(built_project)) == sorted(SLUGS)


def test_a_new_template_file_rebuilds_every_council(built_project: Path):
    (built_project / "templates" / "_unused.html.j2").write_text("nothing yet")
    assert rebuilt(build(built_project)) == sorted(SLUGS)


def test_force_rebuilds_every_council(built_project: Path):
    assert rebuilt(build(built_project, "--force")) == sorted(SLUGS)


def test_a_deleted_output_is_rebuilt(built_project: Path):
    (built_project / "build" / "pdf" / "leicester.pdf").unlink()
    assert rebuilt(build(built_project)) == ["leicester"]


@pytest.mark.parametrize("kind", ["pdf/maidstone.pdf", "html/maidstone.html"])
def test_a_letter_put_back_from_a_backup_is_rebuilt(built_project: Path, kind: str):
    letter = built_project / "build" / kind
    backup = letter.read_bytes()
    edit(built_project / "councils" / "maidstone.yaml", "upheld: 7", "upheld: 8")
    assert rebuilt(build(built_project)) == ["maidstone"]
    letter.write_bytes(backup)  # last build's letter, with last build's figures
    assert rebuilt(build(built_project)) == ["maidstone"]
    text = html_text(letter) if kind.endswith(".html") else " ".join(pdf_pages(letter))
    assert "73%" in text
    assert rebuilt(build(built_project)) == []  # the stamps now know the new bytes


def test_a_deleted_council_loses_its_letters(built_project: Path):
    (built_project / "councils" / "sevenoaks.yaml").unlink()
    result = build(built_project)
    assert last_line(result).startswith(
        "0 built, 4 unchanged, 0 skipped (data errors), 0 failed, "
        "1 removed, 1 with notes for information in "
    )
    assert not (built_project / "build" / "pdf" / "sevenoaks.pdf").exists()
    assert not (built_project / "build" / "html" / "sevenoaks.html").exists()
    manifest = json.loads((built_project / "build" / "manifest.json").read_text())
    assert "sevenoaks" not in manifest["councils"]


def test_building_named_councils_removes_nothing(built_project: Path):
    (built_project / "councils" / "sevenoaks.yaml").unlink()
    build(built_project, "canterbury")
    assert (built_project / "build" / "pdf" / "sevenoaks.pdf").exists()


def test_a_council_that_failed_is_tried_again(built_project: Path):
    path = built_project / "councils" / "maidstone.yaml"
    good = path.read_text()
    edit(path, "upheld: 7", "upheld: 70")
    assert letters("build", "--root", str(built_project)).exit_code == 1
    path.write_text(good)
    assert rebuilt(build(built_project)) == ["maidstone"]


def test_html_only_writes_no_pdfs_and_a_later_build_adds_them(project: Path):
    result = build(project, "--html-only")
    assert rebuilt(result) == sorted(SLUGS)
    assert sorted(path.name for path in (project / "build" / "html").iterdir()) == sorted(
        f"{slug}.html" for slug in SLUGS
    )
    assert not (project / "build" / "pdf").exists()
    assert rebuilt(build(project)) == sorted(SLUGS)
    assert len(list((project / "build" / "pdf").iterdir())) == 5


def test_one_job_and_two_jobs_give_the_same_bytes(project: Path, built_plain: Path):
    build(project, "--jobs", "1")  # built_plain was built with --jobs 2
    assert outputs(project) == outputs(built_plain)
    assert len(outputs(project)) == 10


def test_a_manifest_not_as_written_is_not_believed(built_project: Path):
    """An entry with a wrong field is built again; a slug that names a path is never used (a
    full build removes the letters of deleted councils by slug)."""
    manifest_path = built_project / "build" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["councils"]["maidstone"]["outputs"] = 5
    outside = built_project / "outside.html"  # where build/html/../../outside.html lands
    outside.write_text("keep me")
    manifest["councils"]["../../outside"] = manifest["councils"]["leicester"]
    manifest_path.write_text(json.dumps(manifest))
    result = build(built_project)
    assert result.exit_code == 0, result.output
    assert rebuilt(result) == ["maidstone"]
    assert outside.read_text() == "keep me"
    assert "../../outside" not in json.loads(manifest_path.read_text())["councils"]


def test_a_build_folder_shared_with_another_project_is_refused(built_project: Path, tmp_path):
    other = copy_project(tmp_path / "other")
    (other / "build").symlink_to(built_project / "build")
    before = sorted(path.name for path in (built_project / "build" / "pdf").iterdir())
    result = letters("build", "--root", str(other))
    assert result.exit_code == 1
    assert result.stderr == (
        f"build: holds the letters of another project ({built_project.resolve()}): give this "
        "project a build folder of its own (is build/ a link?), or, if this project was moved, "
        "remove build/ and build again\n"
    )
    assert sorted(path.name for path in (built_project / "build" / "pdf").iterdir()) == before


def test_a_forced_rebuild_leaves_files_that_come_out_the_same(built_project: Path):
    build_dir = built_project / "build"
    html, pdf = build_dir / "html" / "maidstone.html", build_dir / "pdf" / "maidstone.pdf"
    html.write_text(html.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    same = {path: path.stat().st_ino for path in (pdf, build_dir / "html" / "leicester.html")}
    assert rebuilt(build(built_project, "--force")) == sorted(SLUGS)
    assert "edited" not in html.read_text(encoding="utf-8")  # other bytes: written again
    assert {path: path.stat().st_ino for path in same} == same  # the same bytes: left


def test_a_no_op_build_reads_neither_the_year_nor_the_overviews_records(built_project: Path):
    """Every letter unchanged: the year's files are those they were built from (their
    fingerprints say so), and the overview was made from the same files: nothing is read again
    (the year's addresses are not checked again: email-validator is not even loaded). A year
    file written anew is read again."""
    script = WEASYPRINT_IMPORTED.replace('"weasyprint"', '"email_validator"')
    arguments = ["build", "--root", str(built_project)]
    run = [sys.executable, "-c", script, *arguments]
    build(built_project)  # the first after a build marks every letter as left unchanged
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    assert first.stdout.splitlines()[-1] == "False", first.stdout
    edit(built_project / "year.yaml", "year: 2020", "year:   2020")  # the same year, written anew
    changed = subprocess.run(run, capture_output=True, text=True, check=True)
    assert changed.stdout.splitlines()[-1] == "True", changed.stdout
    assert "0 built, 5 unchanged" not in changed.stdout
