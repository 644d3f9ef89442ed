"""Every PDF is tagged (PDF/UA-1) and the archival variant is PDF/A-3u: read back with pikepdf."""

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from helpers import (
    SLUGS,
    expected_paragraphs,
    find_in_order,
    html_text,
    normalise,
    pdf_pages,
    tag_text_blocks,
)

NAMES = {
    "canterbury": "Canterbury City Council",
    "cannock-chase": "Cannock Chase District Council",
    "sevenoaks": "Sevenoaks District Council",
    "maidstone": "Maidstone Borough Council",
    "leicester": "Leicester City Council",
}


def structure(node, found=None) -> list[tuple[str, str | None]]:
    """The structure tree's elements in order: (tag, alt text)."""
    found = [] if found is None else found
    if "/S" in node:
        found.append((str(node["/S"]), str(node["/Alt"]) if "/Alt" in node else None))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            structure(kid, found)
    return found


@pytest.mark.parametrize("variant", ["pdf", "pdf-a"])
@pytest.mark.parametrize("slug", SLUGS)
def test_pdf_is_tagged_with_language_title_and_alt_text(built: Path, slug: str, variant: str):
    with pikepdf.open(built / "build" / variant / f"{slug}.pdf") as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "en-GB"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.docinfo.Title) == f"Annual Review letter 2020 – {NAMES[slug]}"
        assert str(pdf.docinfo.Author) == "Michael King"
        assert str(pdf.docinfo.Subject).startswith(
            "The Local Government and Social Care Ombudsman's annual review letter to "
        )
        elements = structure(pdf.Root.StructTreeRoot)
        tags = [tag for tag, _ in elements]
        assert tags.count("/H1") == 1 and "/H2" in tags and tags.count("/H3") == 3
        figures = [alt for tag, alt in elements if tag == "/Figure"]
        assert None not in figures
        assert figures[:2] == [
            "Local Government & Social Care Ombudsman",
            "Signature of Michael King",
        ]
        assert len(figures) == 2  # the charts' bars are decoration beside their text


def test_charts_read_as_rows_of_name_and_figure(built: Path):
    """The bars are drawn beside text that says all they show: a reader reads the rows."""
    statistics = normalise(pdf_pages(built / "build" / "pdf" / "canterbury.pdf")[-1])
    for council, average in (("50%", "45%"), ("100%", "99%"), ("0%", "20%")):
        assert (
            f"Canterbury City Council {council} Average for District Councils {average}"
            in statistics
        )


@pytest.mark.parametrize("variant", ["pdf", "pdf-a"])
def test_chart_rows_read_in_the_tags_as_name_then_figure(built: Path, variant: str):
    """A screen reader pauses between a row's name and its figure: 'Canterbury City Council
    50%', never 'Canterbury City Council50%'."""
    rows = [
        normalise(text)
        for _, text in tag_text_blocks(built / "build" / variant / "canterbury.pdf")
        if text.startswith(("Canterbury City Council", "Average for"))
        and re.search(r"(%|none)\s*$", text)  # the rows, not the heading above them
    ]
    assert rows == [
        "Canterbury City Council 50%",
        "Average for District Councils 45%",
        "Canterbury City Council 100%",
        "Average for District Councils 99%",
        "Canterbury City Council 0%",
        "Average for District Councils 20%",
    ]


def test_dates_page_numbers_and_counts_never_break_inside(built: Path):
    """No-break spaces inside dates and between a count and its noun in the HTML; in the PDF,
    no date, 'Page N of M' or count split over two lines (the first page split '31 / March
    2020' before)."""
    html = html_text(built / "build" / "html" / "canterbury.html")
    assert "31\u00a0March\u00a02020" in html and "1\u00a0April\u00a02019" in html
    assert "22\u00a0July\u00a02020" in html and "5\u00a0upheld decisions" in html
    assert not re.search(r"\d{1,2} (March|April|July) \d{4}", html)
    pdf = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(built / "build" / "pdf" / "canterbury.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.replace("\u00a0", " ")
    lines = pdf.splitlines()
    assert sum("31 March 2020" in line for line in lines) == pdf.count("March 2020") >= 4
    assert sum("1 April 2019" in line for line in lines) == pdf.count("April 2019") == 3
    assert [line for line in lines if line.startswith("Page ")] == [
        f"Page {page} of 3" for page in range(1, 4)
    ]
    assert "5 upheld decisions" in lines


@pytest.mark.parametrize("slug", SLUGS)
def test_pdf_identifies_itself_as_pdf_ua(built: Path, slug: str):
    with pikepdf.open(built / "build" / "pdf" / f"{slug}.pdf") as pdf:
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1"
        assert metadata.get("xmp:CreateDate") == "2020-07-22"
        assert "/OutputIntents" not in pdf.Root


@pytest.mark.parametrize("slug", SLUGS)
def test_archival_pdf_identifies_itself_as_pdf_a_3u_and_ua_1_with_an_output_intent(
    built: Path, slug: str
):
    with pikepdf.open(built / "build" / "pdf-a" / f"{slug}.pdf") as pdf:
        metadata = pdf.open_metadata()
        assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("3", "U")
        assert metadata.get("pdfuaid:part") == "1"  # tagged as the other, and declared so
        schemas = str(pdf.Root.Metadata.read_bytes())
        assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/<" in schemas
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and str(intents[0].S) == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intents[0]


def test_building_twice_gives_the_same_bytes(built: Path, project: Path):
    from helpers import letters

    assert letters("build", "--root", str(project), "--archival").exit_code == 0
    for kind, suffix in (("html", "html"), ("pdf", "pdf"), ("pdf-a", "pdf")):
        for slug in SLUGS:
            first = (built / "build" / kind / f"{slug}.{suffix}").read_bytes()
            assert first == (project / "build" / kind / f"{slug}.{suffix}").read_bytes()


def test_an_image_without_alt_text_fails_the_letter(project: Path):
    from helpers import edit, letters

    edit(project / "templates" / "letter.html.j2", 'alt="Signature of {{ signatory.name }}"', "")
    result = letters("build", "maidstone", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == (
        "councils/maidstone.yaml: PDF rendering: Image "
        '"data:image/svg+xml;base64,..." has no required alt description\n'
    )
    assert not (project / "build" / "pdf" / "maidstone.pdf").exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_the_tag_text_reads_every_paragraph_word_for_word(built: Path, slug: str):
    """Line ends are word breaks in the tags too: no "canbe learned", no "CarmichaelChief"."""
    text = normalise(
        " ".join(text for _, text in tag_text_blocks(built / "build" / "pdf" / f"{slug}.pdf"))
    )
    assert find_in_order(expected_paragraphs(slug), text) == []


def test_a_recipient_reads_as_separate_lines(built: Path):
    blocks = dict(
        (text.split(" ")[0], text)
        for _, text in tag_text_blocks(built / "build" / "pdf" / "canterbury.pdf")
    )
    assert blocks["Mr"].strip() == (
        "Mr Carmichael Chief Executive & Town Clerk Canterbury City Council"
    )


def struct_elements(node, found=None) -> list:
    found = [] if found is None else found
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            found.append(kid)
            struct_elements(kid, found)
    return found


def marked_content(pdf) -> list[tuple[int, str, int | None, str | None]]:
    """(page, tag, MCID, artifact type) of every marked-content sequence in the pages'
    content."""
    found = []
    for number, page in enumerate(pdf.pages):
        for operands, operator in pikepdf.parse_content_stream(page, "BDC"):
            if str(operator) == "BDC":
                properties = operands[1]
                mcid = (
                    int(properties.MCID)
                    if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties
                    else None
                )
                kind = (
                    properties.get("/Type") if isinstance(properties, pikepdf.Dictionary) else None
                )
                found.append((number, str(operands[0]), mcid, None if kind is None else str(kind)))
    return found


@pytest.mark.parametrize("variant", ["pdf", "pdf-a"])
@pytest.mark.parametrize("slug", SLUGS)
def test_every_tagged_piece_is_in_the_tree_and_page_numbers_are_artifacts(
    built: Path, slug: str, variant: str
):
    with pikepdf.open(built / "build" / variant / f"{slug}.pdf") as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        elements = struct_elements(pdf.Root.StructTreeRoot)
        in_tree = {
            (pages[element.Pg.objgen], kid)
            for element in elements
            for kid in element.K
            if isinstance(kid, int)
        }
        content = marked_content(pdf)
        assert {(page, mcid) for page, _, mcid, _ in content if mcid is not None} == in_tree
        artifacts = [(page, kind) for page, tag, _, kind in content if tag == "/Artifact"]
        pagination = [page for page, kind in artifacts if kind == "/Pagination"]
        assert pagination == list(range(len(pdf.pages)))  # one per page: its number
        # the rest: the statistics page's display figures, hidden as in the HTML
        last = len(pdf.pages) - 1
        shown = (built / "build" / "html" / f"{slug}.html").read_text(encoding="utf-8")
        figures = shown.count('class="big-figure" aria-hidden="true"')
        assert figures >= 2
        assert [*pagination, *[last] * figures] == sorted(page for page, _ in artifacts)
        assert {kind for _, kind in artifacts} == {"/Pagination", "/Layout"}
        assert all(len(element.K) > 0 for element in elements)  # no empty element
    assert not any(
        "Page 1 of" in text
        for _, text in tag_text_blocks(built / "build" / variant / f"{slug}.pdf")
    )


DISPLAY_FIGURES = {
    "canterbury": 3,
    "cannock-chase": 2,
    "sevenoaks": 3,
    "maidstone": 3,
    "leicester": 3,
}


@pytest.mark.parametrize("slug", SLUGS)
def test_display_figures_are_not_read_before_the_sentence_that_says_them(built: Path, slug: str):
    """The large "50%" is hidden from screen readers in the HTML (aria-hidden): in the PDF it
    is an artifact, so the figure is read once, in its sentence."""
    blocks = tag_text_blocks(built / "build" / "pdf" / f"{slug}.pdf")
    assert [text for _, text in blocks if re.fullmatch(r"\s*\d+%\s*", text)] == []
    statistics = normalise(" ".join(text for _, text in blocks).split("For the period ending")[1])
    assert not re.search(r"\d+%\. \d+%|\d+% \d+% of", statistics)


def test_a_paragraph_split_by_a_page_break_is_one_element(built: Path):
    with pikepdf.open(built / "build" / "pdf" / "maidstone.pdf") as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        document = pdf.Root.StructTreeRoot.K[0]
        assert [str(top.S) for top in document.K] == ["/Part"]
        split = [
            element
            for element in struct_elements(document)
            if element.S == "/P"
            and len(
                {pages[kid.Pg.objgen] for kid in element.K if isinstance(kid, pikepdf.Dictionary)}
            )
            > 1
        ]
    assert len(split) == 1
    paragraphs = [
        text
        for tag, text in tag_text_blocks(built / "build" / "pdf" / "maidstone.pdf")
        if text.startswith("Finally, we compare")
    ]
    assert paragraphs and paragraphs[0].endswith("Unitary Councils, and London Boroughs.")


def test_figure_boxes_are_in_points_from_the_bottom_left(built: Path):
    with pikepdf.open(built / "build" / "pdf" / "canterbury.pdf") as pdf:
        figures = [
            element
            for element in struct_elements(pdf.Root.StructTreeRoot)
            if element.S == "/Figure"
        ]
        letterhead = [float(value) for value in figures[0].A.BBox]
        height = float(figures[0].Pg.MediaBox[3])
    x1, y1, x2, y2 = letterhead
    assert abs((x2 - x1) - 55 * 72 / 25.4) < 0.5  # the wordmark is 55 mm wide
    assert abs(x1 - 17 * 72 / 25.4) < 0.5  # at the 17 mm margin
    assert abs(y2 - (height - 14 * 72 / 25.4)) < 0.5  # its top at the 14 mm top margin
    assert y1 < y2
