"""Every PDF is tagged (PDF/UA-1) and the archival variant is PDF/A-3u: read back with pikepdf."""

from pathlib import Path

import pikepdf
import pytest

from helpers import SLUGS, normalise, pdf_pages

NAMES = {"canterbury": "Canterbury City Council", "cannock-chase": "Cannock Chase District Council",
         "sevenoaks": "Sevenoaks District Council", "maidstone": "Maidstone Borough Council",
         "leicester": "Leicester City Council"}


def structure(node, found=None) -> list[tuple[str, str | None]]:
    """The structure tree's elements in order: (tag, alt text)."""
    found = [] if found is None else found
    if "/S" in node:
        found.append((str(node["/S"]), str(node["/Alt"]) if "/Alt" in node else None))
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
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
        assert str(pdf.docinfo.Subject).startswith("The Local Government and Social Care "
                                                   "Ombudsman's annual review letter to ")
        elements = structure(pdf.Root.StructTreeRoot)
        tags = [tag for tag, _ in elements]
        assert tags.count("/H1") == 1 and "/H2" in tags and tags.count("/H3") == 3
        figures = [alt for tag, alt in elements if tag == "/Figure"]
        assert None not in figures
        assert figures[:2] == ["Local Government & Social Care Ombudsman",
                               "Signature of Michael King"]
        assert len(figures) == 2  # the charts' bars are decoration beside their text


def test_charts_read_as_rows_of_name_and_figure(built: Path):
    """The bars are drawn beside text that says all they show: a reader reads the rows."""
    statistics = normalise(pdf_pages(built / "build" / "pdf" / "canterbury.pdf")[-1])
    for council, average in (("50%", "45%"), ("100%", "99%"), ("0%", "20%")):
        assert (f"Canterbury City Council {council} Average for District Councils {average}"
                in statistics)


@pytest.mark.parametrize("slug", SLUGS)
def test_pdf_identifies_itself_as_pdf_ua(built: Path, slug: str):
    with pikepdf.open(built / "build" / "pdf" / f"{slug}.pdf") as pdf:
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1"
        assert metadata.get("xmp:CreateDate") == "2020-07-22"
        assert "/OutputIntents" not in pdf.Root


@pytest.mark.parametrize("slug", SLUGS)
def test_archival_pdf_identifies_itself_as_pdf_a_3u_with_an_output_intent(built: Path, slug: str):
    with pikepdf.open(built / "build" / "pdf-a" / f"{slug}.pdf") as pdf:
        metadata = pdf.open_metadata()
        assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("3", "U")
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and str(intents[0].S) == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intents[0]


def test_building_twice_gives_the_same_bytes(project: Path, tmp_path: Path):
    from helpers import copy_project, letters

    other = copy_project(tmp_path / "other")
    for root in (project, other):
        assert letters("build", "--root", str(root), "--archival").exit_code == 0
    for kind, suffix in (("html", "html"), ("pdf", "pdf"), ("pdf-a", "pdf")):
        for slug in SLUGS:
            first = (project / "build" / kind / f"{slug}.{suffix}").read_bytes()
            assert first == (other / "build" / kind / f"{slug}.{suffix}").read_bytes()


def test_an_image_without_alt_text_fails_the_letter(project: Path):
    from helpers import edit, letters

    edit(project / "templates" / "letter.html.j2", 'alt="Signature of {{ signatory.name }}"', "")
    result = letters("build", "maidstone", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == ('councils/maidstone.yaml: PDF rendering: Image '
                             '"data:image/svg+xml;base64,..." has no required alt description\n')
    assert not (project / "build" / "pdf" / "maidstone.pdf").exists()
