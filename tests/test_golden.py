"""Every paragraph of the five reference letters, word for word and in order, in HTML and PDF."""

import subprocess
from pathlib import Path

import pytest

from helpers import (
    SLUGS,
    expected_paragraphs,
    find_in_order,
    html_text,
    normalise,
    pdf_pages,
)

OPTIONAL_OPENINGS = {
    "witness_summons": "During the year, I had to take the unusual step of threatening",
    "training_courses": "We were pleased to deliver",
    "public_report": "This year, I issued a public report",
}
HAS = {
    "canterbury": {"witness_summons", "training_courses"},
    "cannock-chase": set(),
    "sevenoaks": {"training_courses"},
    "maidstone": set(),
    "leicester": {"public_report"},
}


@pytest.mark.parametrize("slug", SLUGS)
def test_html_has_every_reference_paragraph_in_order(built: Path, slug: str):
    text = normalise(html_text(built / "build" / "html" / f"{slug}.html"))
    assert find_in_order(expected_paragraphs(slug), text) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_pdf_has_every_reference_paragraph_in_order(built: Path, slug: str):
    text = normalise(" ".join(pdf_pages(built / "build" / "pdf" / f"{slug}.pdf")))
    assert find_in_order(expected_paragraphs(slug), text) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_no_trace_of_paragraphs_a_council_does_not_have(built: Path, slug: str):
    html = (built / "build" / "html" / f"{slug}.html").read_text(encoding="utf-8")
    text = normalise(html_text(built / "build" / "html" / f"{slug}.html"))
    for field, opening in OPTIONAL_OPENINGS.items():
        assert (opening in text) == (field in HAS[slug]), field
    assert "<p></p>" not in html.replace("\n", "")


@pytest.mark.parametrize("slug", SLUGS)
def test_statistics_page_starts_a_page_of_its_own(built: Path, slug: str):
    pages = pdf_pages(built / "build" / "pdf" / f"{slug}.pdf")
    council_name = {
        "canterbury": "Canterbury City Council",
        "cannock-chase": "Cannock Chase District Council",
        "sevenoaks": "Sevenoaks District Council",
        "maidstone": "Maidstone Borough Council",
        "leicester": "Leicester City Council",
    }[slug]
    last = normalise(pages[-1])
    assert last.startswith(f"{council_name} For the period ending: 31/03/20 Complaints upheld")
    assert "Yours sincerely" not in last


def test_canterbury_statistics_read_back_from_the_pdf(built: Path):
    pdf = built / "build" / "pdf" / "canterbury.pdf"
    last = subprocess.run(
        ["pdftotext", "-layout", "-f", "3", "-l", "3", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for figures in (
        "Canterbury City Council 50% Average for District Councils 45%",
        "Canterbury City Council 100% Average for District Councils 99%",
        "Canterbury City Council 0% Average for District Councils 20%",
    ):
        assert figures in normalise(last)
