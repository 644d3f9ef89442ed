"""Proofreading after layout: each check has a letter that trips it, and --strict fails on it."""

import re
from pathlib import Path

import pikepdf
import pytest

from helpers import edit, last_line, letters, pdf_pages
from letters.letter.proof import luminance_ratio


def build(project: Path, *args: str):
    return letters("build", "--root", str(project), *args)


def test_a_standard_letter_has_nothing_to_note(project: Path):
    result = build(project, "maidstone", "--strict")
    assert (result.exit_code, result.stderr) == (0, "")


LONG_REPORT = "\npublic_report: |\n" + "".join(
    f"  Paragraph {number} of a long public report, reported in full: "
    + "the council's handling of the complaint fell short in several ways. " * 8
    + "\n\n"
    for number in range(1, 5)
)


def test_a_last_page_of_a_few_lines_is_saved_by_setting_the_letter_tighter(project: Path):
    """Canterbury's optional paragraphs leave three lines and the sign-off alone on page 3
    (21% of it): set a little closer, its text ends on page 2, and proofreading says so."""
    result = build(project, "canterbury", "--strict")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1] == (
        "councils/canterbury.yaml: for information: set a little tighter, so that its text "
        "ends on page 2 instead of filling 21% of page 3"
    )
    assert ", 1 with notes for information in " in last_line(result)
    pages = pdf_pages(project / "build" / "pdf" / "canterbury.pdf")
    assert len(pages) == 3 and "Yours sincerely" in pages[1]


def test_an_optional_paragraph_that_adds_a_page_is_information_not_a_defect(project: Path):
    """A letter that even set tighter needs its third page says which paragraphs take it
    there, and how full that page is."""
    council = project / "councils" / "canterbury.yaml"
    council.write_text(council.read_text(encoding="utf-8") + LONG_REPORT, encoding="utf-8")
    result = build(project, "canterbury", "--strict")
    assert (result.exit_code, result.stderr) == (0, "")
    assert (
        "councils/canterbury.yaml: for information: has 4 pages, not the standard 3: its "
        "optional paragraphs (witness summons, public report and training courses) push it "
        "over\n"
    ) in result.stdout
    assert "set a little tighter" not in result.stdout
    assert ", 1 with notes for information in " in last_line(result)


def test_more_pages_that_no_optional_paragraph_explains_is_a_defect(project: Path):
    edit(
        project / "templates" / "letter.css",
        "  font-size: 12pt;\n  line-height: 1.28;",
        "  font-size: 14pt;\n  line-height: 1.28;",
    )
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert (
        "councils/maidstone.yaml: proofreading: has 4 pages, not the standard 3, and no "
        "optional paragraph explains it\n"
    ) in result.stderr


CSS = "letter.css"
WINDSOR = "Royal Borough of Windsor and Maidenhead"


@pytest.mark.parametrize(
    ("old", "new", "defect"),
    [
        pytest.param(
            ".delivery { margin-bottom: 4mm; }",
            ".delivery { margin-bottom: 4mm; }\n.date { margin-bottom: -7mm; }",
            "text runs over other text on page 1: '22 July 2020' and 'By email'",
            id="text-over-text",
        ),
        pytest.param(
            ".bar-label { float: left; width: 72mm; }",
            ".bar-label { float: left; width: 158mm; }",
            f"text runs into a box or image on page 3: '{WINDSOR}'",
            id="name-under-a-bar",
        ),
        pytest.param(
            "break-before: avoid; margin-top: 6pt;",
            "break-before: page; margin-top: 6pt;",
            "the sign-off stands alone at the top of page 3, without the end of the letter",
            id="sign-off-alone",
        ),
        pytest.param(
            ".letterhead { margin-bottom: 6mm; }",
            ".letterhead { margin-bottom: 4mm; }\np { orphans: 1; widows: 1; }",
            "one line of a paragraph is left alone at the top of page 2: 'Boroughs.'",
            id="widow",
        ),
        pytest.param(
            ".letterhead { margin-bottom: 6mm; }",
            ".letterhead { margin-bottom: 14mm; }\np { orphans: 1; widows: 1; }",
            "one line of a paragraph is left alone at the foot of page 1: 'Finally, we "
            "compare the three key annual statis...'",
            id="orphan",
        ),
    ],
)
def test_a_letter_made_to_have_a_defect_fails_strict(
    project: Path, old: str, new: str, defect: str
):
    edit(
        project / "councils" / "maidstone.yaml",
        "name: Maidstone Borough Council",
        f"name: {WINDSOR}",
    )
    edit(project / "templates" / CSS, old, new)
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert f"councils/maidstone.yaml: proofreading: {defect}\n" in result.stderr
    assert ", 1 with proofreading defects" in last_line(result)
    assert build(project, "maidstone").exit_code == 0  # a defect fails only --strict builds


def test_a_heading_alone_at_the_foot_of_a_page(project: Path):
    edit(
        project / "templates" / "letter.css",
        "h3 { font-size: 12pt; margin: 0 0 4pt; }",
        "h3 { font-size: 12pt; margin: 0 0 4pt; }\n.letter h2 { break-after: page; }",
    )
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert (
        "councils/maidstone.yaml: proofreading: the heading 'Complaint statistics' stands "
        "alone at the foot of page 1\n"
    ) in result.stderr


def test_a_statistics_page_that_shares_a_page_with_the_letter(project: Path):
    edit(
        project / "templates" / "letter.css",
        ".statistics { break-before: page; }",
        ".statistics { break-before: auto; }",
    )
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "councils/maidstone.yaml: proofreading: the statistics page does not start on a page of "
        "its own: it follows the letter's text on page 2\n"
    )


def test_text_running_outside_the_page(project: Path):
    council = project / "councils" / "maidstone.yaml"
    council.write_text(council.read_text() + "public_report: See " + "x" * 120 + "\n")
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "councils/maidstone.yaml: proofreading: text runs outside the printable area on page 2: "
        f"'{'x' * 47}...'\n"
    )


def test_notes_are_kept_for_unchanged_letters(project: Path):
    edit(
        project / "templates" / "letter.css",
        "break-before: avoid; margin-top: 6pt;",
        "break-before: page; margin-top: 6pt;",
    )
    build(project, "canterbury")
    again = build(project, "canterbury", "--strict")
    assert again.exit_code == 1
    assert "0 built, 1 unchanged" in last_line(again)
    assert "the sign-off stands alone at the top of page" in again.stderr
    assert "for information: has 4 pages, not the standard 3" in again.stdout


def test_page_images_for_people(project: Path):
    result = build(project, "maidstone", "--png")
    assert result.exit_code == 0, result.output
    images = sorted((project / "build" / "png").iterdir())
    assert [image.name for image in images] == [
        "maidstone-1.png",
        "maidstone-2.png",
        "maidstone-3.png",
    ]
    assert all(image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for image in images)


STATISTICS = "_statistics.html.j2"
NOTHING_DUE = (
    "compliance_outcomes: 6\n  implemented: 6",
    "compliance_outcomes: 0\n  implemented: 0",
)


@pytest.mark.parametrize(
    ("template", "old", "new", "counts", "defect"),
    [
        pytest.param(
            STATISTICS,
            'class="bar-fill" style="width: {{ figure.percent }}%"',
            'class="bar-fill" style="width: {{ figure.percent * 0.8 }}%"',
            None,
            "the bar of 'Maidstone Borough Council 64%' is drawn 51.2% long, not 64% on page 3",
            id="bars-20-percent-short",
        ),
        pytest.param(
            CSS,
            ".bar-fill { display: block; height: 100%; background: #00625e; }\n"
            ".bar-fill.average { background: #b1b4b6; }",
            ".bar-fill { display: block; height: 100%; background: #b1b4b6; }\n"
            ".bar-fill.average { background: #00625e; }",
            None,
            "the bar of 'Maidstone Borough Council 64%' is in #b1b4b6, not in the colour of the "
            "council's figures (#00625e) on page 3",
            id="colours-swapped",
        ),
        pytest.param(
            CSS,
            ".bar-fill { display: block; height: 100%; background: #00625e; }",
            ".bar-fill { display: block; height: 100%; background: #00625e; "
            "transform: scaleX(0.58); transform-origin: 0 0; }",
            None,
            "the bar of 'Maidstone Borough Council 64%' is drawn 37.1% long, not 64% on page 3",
            id="a-fill-scaled",
        ),
        pytest.param(
            CSS,
            ".bar { display: block; margin: 1mm 16mm 0 76mm;",
            ".bar { display: block; padding: 0 8mm; margin: 1mm 16mm 0 76mm;",
            None,
            "the bar of 'Maidstone Borough Council 64%' is drawn 51.8% long, not 64% on page 3",
            id="a-track-padded",
        ),
        pytest.param(
            CSS,
            ".bar { display: block; margin: 1mm 16mm 0 76mm;",
            ".bar { display: block; border-left: 12mm solid #f3f2f1; margin: 1mm 16mm 0 76mm;",
            None,
            "the bar of 'Maidstone Borough Council 64%' is drawn 54.9% long, not 64% on page 3",
            id="a-track-inset",
        ),
        pytest.param(
            CSS,
            ".bar-fill { display: block; height: 100%; background: #00625e; }",
            ".bar-fill { display: block; height: 100%; background: #00625e; max-width: 20mm; }",
            None,
            "the bar of 'Maidstone Borough Council 64%' is drawn 23.8% long, not 64% on page 3",
            id="a-fill-capped",
        ),
        pytest.param(
            STATISTICS,
            '<span class="bar-fill" style="width: {{ figure.percent }}%"></span>',
            '<span class="bar-fill" style="width: {{ figure.percent }}%"></span>'
            '<span class="bar-fill" style="width: 100%"></span>',
            None,
            "the bar of 'Maidstone Borough Council 64%' has 2 fills drawn over each other, not "
            "one on page 3",
            id="a-second-fill",
        ),
        pytest.param(
            CSS,
            ".bar-fill { display: block; height: 100%; background: #00625e; }",
            ".bar-fill { display: block; height: 100%; background: #00625e; transform: "
            "rotate(180deg); }",
            None,
            "the bar of 'Maidstone Borough Council 64%' cannot be measured: it is drawn with a "
            "rotate transform, which turns it off the line on page 3",
            id="a-fill-turned",
        ),
        pytest.param(
            CSS,
            ".bar-fill.average { background: #b1b4b6; }",
            ".bar-fill.average { background: #505a5f; }",
            None,
            "the council's bars (#00625e) and the average's (#505a5f) are 1.02:1 apart in "
            "luminance, the same grey on a black-and-white print: make them at least 3:1 apart "
            "on page 3",
            id="the-same-grey",
        ),
        pytest.param(
            CSS,
            ".bar-fill.average { background: #b1b4b6; }",
            ".bar-fill.average { background: #505a5f; }",
            NOTHING_DUE,
            "the council's bars (#00625e) and the average's (#505a5f) are 1.02:1 apart in "
            "luminance, the same grey on a black-and-white print: make them at least 3:1 apart "
            "on page 3",
            id="the-same-grey-with-a-chart-of-nothing",
        ),
        pytest.param(
            STATISTICS,
            '<span class="bar nothing" aria-hidden="true"></span>',
            '<span class="bar nothing" aria-hidden="true">'
            '<span class="bar-fill" style="width: 30%"></span></span>',
            NOTHING_DUE,
            "the chart row 'Maidstone Borough Council none' has a bar, though there was nothing "
            "to count on page 3",
            id="a-bar-for-none",
        ),
        pytest.param(
            CSS,
            ".bar.nothing {",
            ".bar.was-nothing {",
            NOTHING_DUE,
            "the chart row 'Maidstone Borough Council none' looks like an empty bar, as 0% would "
            "on page 3",
            id="none-drawn-as-0",
        ),
    ],
)
def test_a_chart_that_does_not_show_its_figures_fails_strict(
    project: Path, template: str, old: str, new: str, counts: tuple[str, str] | None, defect: str
):
    edit(project / "templates" / template, old, new)
    if counts:
        edit(project / "councils" / "maidstone.yaml", *counts)
    result = build(project, "maidstone", "--strict")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"councils/maidstone.yaml: proofreading: {defect}\n")
    assert build(project, "maidstone").exit_code == 0  # a defect fails only --strict builds


def test_charts_as_the_template_draws_them_have_nothing_to_note(project: Path):
    """Every reference letter, and one with nothing to count in a chart."""
    edit(project / "councils" / "maidstone.yaml", *NOTHING_DUE)
    result = build(project, "--strict")
    assert "proofreading" not in result.stderr
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("printed", "said"),
    [
        (["Public report"], "its optional paragraph (public report) pushes it over"),
        (
            ["Witness summons", "Training courses"],
            "its optional paragraphs (witness summons and training courses) push it over",
        ),
    ],
)
def test_the_page_count_note_names_the_paragraphs_the_letter_prints(printed, said):
    from letters.letter.proof import page_count

    (note,) = page_count(4, printed)
    assert (note.kind, note.text) == ("information", f"has 4 pages, not the standard 3: {said}")


def test_the_bars_are_apart_in_luminance_in_the_stylesheet_and_the_pdf(project: Path):
    """Printed in black and white, the council's bars and the average's are 3:1 apart: the
    fills the stylesheet gives, and the fill colours the PDF's statistics page paints."""
    css = (project / "templates" / "letter.css").read_text()
    council = re.search(r"\.bar-fill \{[^}]*background: (#[0-9a-f]{6})", css)[1]
    average = re.search(r"\.bar-fill\.average \{[^}]*background: (#[0-9a-f]{6})", css)[1]
    assert luminance_ratio(council, average) >= 3
    assert build(project, "maidstone").exit_code == 0
    pdf = pikepdf.open(project / "build" / "pdf" / "maidstone.pdf")
    fills = {
        "#" + "".join(f"{round(float(value) * 255):02x}" for value in operands)
        for operands, operator in pikepdf.parse_content_stream(pdf.pages[2])
        if operator == pikepdf.Operator("rg")
    }
    assert {council, average} <= fills


def test_a_last_page_of_text_that_cannot_be_saved_is_a_defect(project: Path):
    """A few lines too many for setting tighter to save: page 3 holds only the sign-off, and
    proofreading says so as a defect (an almost empty page the letter could avoid by a few
    lines more or less)."""
    council = project / "councils" / "canterbury.yaml"
    report = "The council's handling of the complaint fell short in several ways. " * 7
    council.write_text(council.read_text() + f"\npublic_report: |\n  {report}\n")
    result = build(project, "canterbury", "--strict")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "councils/canterbury.yaml: proofreading: its text fills only 21% of page 3, the last "
        "before the statistics page, and set tighter it still needs that page: shorten the "
        "letter's text by a few lines, or lengthen it to fill the page\n"
    )
