"""Proofreading after layout: each check has a letter that trips it, and --strict fails on it."""

from pathlib import Path

from helpers import edit, last_line, letters


def build(project: Path, *args: str):
    return letters("build", "--root", str(project), *args)



def test_a_standard_letter_has_nothing_to_note(project: Path):
    result = build(project, "maidstone", "--strict")
    assert (result.exit_code, result.stderr) == (0, "")


def test_an_optional_paragraph_that_adds_a_page_is_named(project: Path):
    result = build(project, "canterbury")
    assert result.exit_code == 0
    assert result.stderr == ("councils/canterbury.yaml: proofreading: has 4 pages, not the "
                             "standard 3: its optional paragraphs witness_summons and "
                             "training_courses push it over\n")
    assert ", 1 with proofreading notes in " in last_line(result)
    assert build(project, "canterbury", "--strict").exit_code == 1


def test_a_heading_alone_at_the_foot_of_a_page(project: Path):
    edit(project / "templates" / "letter.css", "h3 { font-size: 12pt; margin: 0 0 4pt; }",
         "h3 { font-size: 12pt; margin: 0 0 4pt; }\n.letter h2 { break-after: page; }")
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert ("councils/maidstone.yaml: proofreading: the heading 'Complaint statistics' stands "
            "alone at the foot of page 1\n") in result.stderr


def test_a_statistics_page_that_shares_a_page_with_the_letter(project: Path):
    edit(project / "templates" / "letter.css", ".statistics { break-before: page; }",
         ".statistics { break-before: auto; }")
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "councils/maidstone.yaml: proofreading: the statistics page does not start on a page of "
        "its own: it follows the letter's text on page 2\n")


def test_text_running_outside_the_page(project: Path):
    council = project / "councils" / "maidstone.yaml"
    council.write_text(council.read_text() + "public_report: See " + "x" * 120 + "\n")
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "councils/maidstone.yaml: proofreading: text runs outside the printable area on page 2: "
        f"'{'x' * 47}...'\n")


def test_notes_are_kept_for_unchanged_letters(project: Path):
    build(project, "canterbury")
    again = build(project, "canterbury", "--strict")
    assert again.exit_code == 1
    assert "0 built, 1 unchanged" in last_line(again)
    assert "has 4 pages, not the standard 3" in again.stderr


def test_page_images_for_people(project: Path):
    result = build(project, "maidstone", "--png")
    assert result.exit_code == 0, result.output
    images = sorted((project / "build" / "png").iterdir())
    assert [image.name for image in images] == ["maidstone-1.png", "maidstone-2.png",
                                                "maidstone-3.png"]
    assert all(image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
