"""A whole year: the 343 councils of 2019-20 (illustrative figures), their figures imported from
a workbook, check and build cleanly."""

import io
import json
import os
import re
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pikepdf
import yaml

from browser import chromium_page
from helpers import (
    REFERENCE,
    REPO,
    html_text,
    last_line,
    letters,
    normalise,
    pdf_pages,
    tag_text_blocks,
)
from letters.data.fields import read_declaration
from letters.data.load import load_document

sys.path.insert(0, str(REPO / "benchmarks"))
from make_year import write_year

COUNTS = ["investigations", "upheld", "compliance_outcomes", "implemented", "satisfactory_remedies"]


def workbook_of_next_years_figures(root: Path, path: Path) -> Path:
    """The year's figures as the case system would export them, each council with one more
    detailed investigation than its file says."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["Council", "Authority type", *[count.replace("_", " ").capitalize() for count in COUNTS]]
    )
    for council_file in sorted((root / "councils").glob("*.yaml")):
        council = yaml.safe_load(council_file.read_text())
        counts = [council["statistics"][count] for count in COUNTS]
        sheet.append([council["name"], council["authority_type"], counts[0] + 1, *counts[1:]])
    workbook.save(path)
    return path


def test_the_343_councils_import_check_and_build_without_errors(tmp_path: Path):
    assert write_year(tmp_path, REFERENCE) == 343
    workbook = workbook_of_next_years_figures(tmp_path, tmp_path / "figures.xlsx")
    imported = letters("import", str(workbook), "--root", str(tmp_path))
    assert imported.exit_code == 0, imported.stderr
    assert imported.stdout.endswith("343 updated, 0 created, 0 unchanged, 0 without a row\n")

    check = letters("check", "--root", str(tmp_path))
    assert (check.exit_code, check.output) == (0, "343 councils OK\n")

    result = letters("build", "--root", str(tmp_path), "--strict")
    assert (result.exit_code, result.stderr) == (0, "")  # not one proofreading defect
    assert re.match(
        r"343 built, 0 unchanged, 0 skipped \(data errors\), 0 failed"
        r"(, \d+ with notes for information)? in ",
        last_line(result),
    )
    notes = [line for line in result.stdout.splitlines() if ": for information: " in line]
    assert all(
        re.search(
            r": for information: (has 4 pages, not the standard 3: its optional "
            r"paragraphs? .+ push(es)? it over|set a little tighter, so that its text ends on "
            r"page 2 instead of filling \d+% of page 3)$",
            note,
        )
        for note in notes
    ), notes
    assert len(list((tmp_path / "build" / "pdf").glob("*.pdf"))) == 343
    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())["councils"]
    combinations = {tuple(entry["summary"]["optional_paragraphs"]) for entry in manifest.values()}
    declared = read_declaration(load_document(REFERENCE / "fields.yaml", "fields.yaml"))
    assert len(combinations) == 2 ** len(declared.optional_sections) == 8  # every combination
    assert (
        "Hammersmith & Fulham"
        in pdf_pages(tmp_path / "build" / "pdf" / "hammersmith-and-fulham.pdf")[0]
    )
    york = yaml.safe_load((tmp_path / "councils" / "york.yaml").read_text())["statistics"]
    assert f"a total of {york['investigations']}\u00a0detailed investigations" in html_text(
        tmp_path / "build" / "html" / "york.html"
    )
    pages_read = every_letter_reads_in_its_tags_as_on_its_pages(tmp_path / "build")
    letters_find_every_letter_that_says_a_phrase(tmp_path, pages_read)
    assert html_letters_that_print_otherwise(tmp_path / "build") == {}


def html_letters_that_print_otherwise(build: Path) -> dict[str, tuple[int, int]]:
    """Each HTML letter whose print from Chromium has another number of pages than its PDF
    (those set a little tighter included): {slug: (printed, built)}."""
    manifest = json.loads((build / "manifest.json").read_text())["councils"]
    differ = {}
    with chromium_page() as page:
        for slug, entry in sorted(manifest.items()):
            page.goto((build / "html" / f"{slug}.html").as_uri())
            printed = len(pikepdf.open(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages)
            if printed != entry["pages"]:
                differ[slug] = (printed, entry["pages"])
    return differ


def every_letter_reads_in_its_tags_as_on_its_pages(build: Path) -> dict[str, str]:
    """Every word on every page is in the tags, as many times, and no other (word for word as
    a multiset: a run-together "Council50%" or "canbe" would be a word the page lacks); the
    only words the tags leave out are the display figures, which the HTML hides from screen
    readers too. Every chart was checked against its figures by the --strict build's
    proofreader. Each letter's pages as pdftotext reads them, by slug."""
    with ThreadPoolExecutor(os.cpu_count()) as pool:  # poppler reads tags in 0.25 s a letter
        letters_read = list(pool.map(tags_against_pages, sorted((build / "pdf").glob("*.pdf"))))
    assert len(letters_read) == 343
    assert [
        (letter.name, letter.only_in_tags, letter.only_on_pages)
        for letter in letters_read
        if letter.only_in_tags or letter.only_on_pages != letter.figures
    ] == []
    return {Path(letter.name).stem: letter.pages for letter in letters_read}


@dataclass(frozen=True)
class ReadBack:
    name: str
    only_in_tags: Counter[str]  # words in its tags and not on its pages
    only_on_pages: Counter[str]  # and on its pages, not in its tags
    figures: Counter[str]  # its display figures (which only the pages may hold)
    pages: str  # its pages as pdftotext reads them


def tags_against_pages(pdf: Path) -> ReadBack:
    tags = Counter(normalise(" ".join(text for _, text in tag_text_blocks(pdf))).split())
    pages = pdf_pages(pdf)
    page = Counter(normalise(" ".join(pages)).split())
    html = (pdf.parent.parent / "html" / f"{pdf.stem}.html").read_text(encoding="utf-8")
    figures = Counter(re.findall(r'class="big-figure" aria-hidden="true">(\d+%)<', html))
    return ReadBack(pdf.name, tags - page, page - tags, figures, "\f".join(pages))


def letters_find_every_letter_that_says_a_phrase(root: Path, pages_read: dict[str, str]) -> None:
    """letters find lists every letter whose pages (as pdftotext reads them) say the phrase,
    and none other, including letters where a line break cuts it."""
    phrase = "witness summons"
    saying = {
        slug for slug, pages in pages_read.items() if phrase in " ".join(pages.lower().split())
    }
    cut = {slug for slug in saying if re.search(r"witness\s*\n\s*summons", pages_read[slug], re.I)}
    assert len(cut) > 0 and 0 < len(saying) < 343, (len(cut), len(saying))
    found = letters("find", "Witness  Summons", "--root", str(root))
    assert found.exit_code == 0, found.output
    lines = found.stdout.splitlines()
    assert {line.split(":")[0] for line in lines[:-1]} == {f"councils/{s}.yaml" for s in saying}
    assert all(
        re.match(r"councils/[a-z-]+\.yaml: page \d: .*witness summons", line, re.I)
        for line in lines[:-1]
    )
    assert lines[-1].startswith(f"{len(saying)} of 343 letters say it, ")
