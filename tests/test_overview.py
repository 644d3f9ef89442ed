"""The year at a glance: build/index.html and build/letters.csv, tried in a real browser."""

import csv
import io
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser import chromium_page
from helpers import edit, letters

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def page():
    with chromium_page(1300, 900) as page:
        yield page


def names_shown(page) -> list[str]:
    return page.locator("tbody tr:not([hidden]) th").all_inner_texts()


def test_letters_csv_has_a_row_per_council(built: Path):
    with (built / "build" / "letters.csv").open(encoding="utf-8") as file:
        rows = {row["slug"]: row for row in csv.DictReader(file)}
    assert sorted(rows) == ["cannock-chase", "canterbury", "leicester", "maidstone", "sevenoaks"]
    assert rows["canterbury"] == {
        "slug": "canterbury",
        "council": "Canterbury City Council",
        "authority_type": "District Councils",
        "upheld": "50",
        "upheld_average": "45",
        "upheld_against_average": "",
        "compliance": "100",
        "compliance_average": "99",
        "compliance_against_average": "",
        "remedies": "0",
        "remedies_average": "20",
        "remedies_against_average": "worse",
        "optional_paragraphs": "Witness summons; Training courses",
        "pages": "3",
        "status": "built",
        "last_build": "rebuilt",
        "proofreading_defects": "",
        "proofreading_information": "set a little tighter, so that its text ends on page 2 "
        "instead of filling 21% of page 3",
        "problems": "",
        "html": "html/canterbury.html",
        "pdf": "pdf/canterbury.pdf",
        "approval": "pending",
        "approved_by": "",
        "approved_at": "",
        "sending": "never sent",
        "sent_at": "",
    }
    assert rows["sevenoaks"]["remedies_against_average"] == "worse"  # 0%, far below 20%
    assert rows["sevenoaks"]["upheld_against_average"] == "better"  # 33%, far below 45%


def test_sorting_by_any_column(built: Path, page):
    page.goto((built / "build" / "index.html").as_uri())
    assert names_shown(page) == [
        "Cannock Chase District Council",
        "Canterbury City Council",
        "Leicester City Council",
        "Maidstone Borough Council",
        "Sevenoaks District Council",
    ]
    upheld = page.get_by_role("button", name="Upheld (average)")
    upheld.click()
    assert names_shown(page)[0] == "Sevenoaks District Council"  # 33%
    upheld.click()
    assert names_shown(page) == [
        "Leicester City Council",
        "Maidstone Borough Council",
        "Canterbury City Council",
        "Cannock Chase District Council",
        "Sevenoaks District Council",
    ]
    header = page.locator("thead th").nth(2)
    assert header.get_attribute("aria-sort") == "descending"
    page.get_by_role("button", name="Compliance (average)").click()
    assert names_shown(page)[0] == "Leicester City Council"  # 96%, the others 100%


def test_filtering_by_type_paragraph_and_status(built: Path, page):
    page.goto((built / "build" / "index.html").as_uri())
    page.get_by_label("Type").select_option("Unitary Councils")
    assert names_shown(page) == ["Leicester City Council"]
    assert page.get_by_role("status").inner_text() == "1 of 5 councils"
    page.get_by_label("Type").select_option("")
    page.get_by_label("Optional paragraph").select_option("Training courses")
    assert names_shown(page) == ["Canterbury City Council", "Sevenoaks District Council"]
    page.get_by_label("Status").select_option("built")
    assert len(names_shown(page)) == 2


def test_every_link_opens_an_existing_file(built: Path, page):
    index = built / "build" / "index.html"
    page.goto(index.as_uri())
    links = page.locator("tbody a").evaluate_all("links => links.map(a => a.href)")
    assert len(links) == 10
    for link in links:
        assert Path(link.removeprefix("file://")).is_file(), link
    page.get_by_role("link", name="HTML letter to Maidstone Borough Council").click()
    assert page.title() == "Annual Review letter 2020 – Maidstone Borough Council"


def test_the_overview_passes_axe(built: Path, page):
    page.goto((built / "build" / "index.html").as_uri())
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    assert results.response["violations"] == [], results.generate_snapshot()
    folder = os.environ.get("LETTERS_SCREENSHOTS")
    if folder:
        Path(folder, "overview.png").write_bytes(page.screenshot())


def test_a_council_that_failed_shows_why_and_that_its_letter_is_stale(project: Path):
    assert letters("build", "--root", str(project), "maidstone").exit_code == 0
    council = project / "councils" / "maidstone.yaml"
    edit(council, "upheld: 7", "upheld: 70")
    assert letters("build", "--root", str(project)).exit_code == 1
    with (project / "build" / "letters.csv").open(encoding="utf-8") as file:
        rows = {row["slug"]: row for row in csv.DictReader(file)}
    assert rows["maidstone"]["status"] == "stale"
    assert rows["maidstone"]["problems"] == (
        "councils/maidstone.yaml:13: statistics.upheld: 70 "
        "is more than statistics.investigations (11)"
    )
    assert rows["maidstone"]["pdf"] == "pdf/maidstone.pdf"
    assert rows["leicester"]["status"] == "built"


def test_no_cell_of_letters_csv_can_run_as_a_formula(tmp_path: Path):
    from letters.data.project import Outputs
    from letters.overview.table import Columns, Measure, overview_csv, overview_rows

    entry = {
        "summary": {
            "name": "+SUM(1,1)",
            "authority_type": "@A1",
            "figures": {},
            "optional_paragraphs": ["-2+3"],
        },
        "status": "\tbuilt",
        "rebuilt": True,
        "fingerprint": None,
        "outputs": [],
        "problems": ["\r=1", "x;=HYPERLINK(1),@y\t-2"],
        "html": '=HYPERLINK("http://x")',
        "pdf": "-y",
        "pages": None,
        "proofreading": [{"kind": "defect", "text": "=1+1"}],
    }
    from letters.send.approval import Standing
    from letters.send.state import Approval, Sending

    standing = Standing(Approval("pending"), Sending("never sent"))
    columns = Columns((Measure("upheld", "Upheld", "lower"),), {"-2+3": "=title"})
    rows = overview_rows({"=cmd": entry}, Outputs(tmp_path), {"=cmd": standing}, columns)
    text = overview_csv(rows, columns)
    cells = next(csv.reader(text.splitlines()[1:]))
    assert cells[:3] == ["'=cmd", "'+SUM(1,1)", "'@A1"]
    problems = next(csv.DictReader(io.StringIO(text, newline="")))["problems"]
    assert problems == "'\r'=1 | x;'=HYPERLINK(1),'@y\t'-2"
    # Read back as programs split it, on , ; or tab: no piece starts a formula.
    for separator in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
            pieces = [piece.strip('"') for cell in row for piece in cell.split(separator)]
            assert [p for p in pieces if p[:1] in ("=", "+", "-", "@", "\t", "\r")] == []


def test_proofreading_notes_are_shown_and_can_be_filtered(built: Path, page):
    page.goto((built / "build" / "index.html").as_uri())
    page.get_by_label("Proofreading").select_option("Notes for information")
    assert names_shown(page) == ["Canterbury City Council"]
    row = page.locator("tbody tr:not([hidden])")
    assert "For information: set a little tighter" in row.inner_text()
    page.get_by_label("Proofreading").select_option("Nothing noted")
    assert len(names_shown(page)) == 4


def test_marks_say_better_or_worse_in_words(built: Path, page):
    page.goto((built / "build" / "index.html").as_uri())
    marks = page.locator("tbody .better, tbody .worse").all_inner_texts()
    assert marks and set(marks) <= {"better than average", "worse than average"}


def test_after_a_build_that_changed_nothing_each_council_keeps_its_result(project: Path):
    assert letters("build", "--root", str(project), "maidstone").exit_code == 0
    assert letters("build", "--root", str(project), "maidstone").exit_code == 0
    with (project / "build" / "letters.csv").open(encoding="utf-8") as file:
        row = next(csv.DictReader(file))
    assert (row["status"], row["last_build"]) == ("built", "unchanged")


def test_a_build_that_changed_nothing_leaves_the_overview_and_manifest_as_they_are(
    built_project: Path,
):
    build = built_project / "build"
    assert letters("build", "--root", str(built_project)).exit_code == 0  # all "unchanged"
    kept = ["index.html", "letters.csv", "manifest.json"]
    before = {name: (build / name).stat().st_mtime_ns for name in kept}
    assert letters("build", "--root", str(built_project)).exit_code == 0
    assert {name: (build / name).stat().st_mtime_ns for name in kept} == before

    (build / "letters.csv").unlink()  # an overview file missing is made again
    assert letters("build", "--root", str(built_project)).exit_code == 0
    assert (build / "letters.csv").is_file()
    edit(built_project / "councils" / "maidstone.yaml", "upheld: 7", "upheld: 8")
    assert letters("build", "--root", str(built_project)).exit_code == 0
    with (build / "letters.csv").open(encoding="utf-8") as file:
        maidstone = next(row for row in csv.DictReader(file) if row["slug"] == "maidstone")
    assert maidstone["last_build"] == "rebuilt"


@pytest.mark.parametrize(
    ("width", "text_size"),
    [pytest.param(320, 16, id="320px"), pytest.param(1280, 32, id="1280px-200%-text")],
)
def test_the_overview_reflows_on_a_narrow_window_and_with_large_text(
    built: Path, page, width: int, text_size: int
):
    """WCAG 1.4.10 and 1.4.4: at 320 px, or with the reader's text at 200%, each council is a
    card of labelled lines: nothing scrolls sideways, sorting and filtering still work, and
    axe finds nothing. At 1280 px with ordinary text it is a table."""
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": text_size, "fixed": 13}})
    page.set_viewport_size({"width": width, "height": 900})
    try:
        page.goto((built / "build" / "index.html").as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("getComputedStyle(document.querySelector('table')).display") == "block"
        assert (
            page.locator("tbody th").first.evaluate(
                "th => parseFloat(getComputedStyle(th).fontSize)"
            )
            >= 1.1 * text_size
        )
        card = page.locator("tbody tr").first.inner_text()
        assert "Type: District Councils" in card and "Upheld (average): " in card
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        assert results.response["violations"] == [], results.generate_snapshot()
        page.get_by_role("button", name="Upheld (average)").click()
        assert names_shown(page)[0] == "Sevenoaks District Council"  # 33%
        page.get_by_label("Type").select_option("Unitary Councils")
        assert names_shown(page) == ["Leicester City Council"]
    finally:
        session.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
        page.set_viewport_size({"width": 1000, "height": 1400})


def test_the_overview_is_a_table_on_a_wide_window(built: Path, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        page.goto((built / "build" / "index.html").as_uri())
        assert page.evaluate("getComputedStyle(document.querySelector('table')).display") == "table"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert page.locator(".label").first.is_hidden()
    finally:
        page.set_viewport_size({"width": 1000, "height": 1400})


LATE = """
late:
  title: Recommendations late
  optional: true
  fields:
    count: {kind: count, help: recommendations the council put in place late}
"""


def test_the_overview_lists_the_paragraphs_a_letter_prints_not_the_sections_of_its_file(
    project: Path,
):
    """A declared section whose paragraph prints only when its count is above 0: a council whose
    file has `late` with a count of 0 has no such paragraph, and neither the manifest nor
    letters.csv lists it; one with a count of 2 has it, and both do."""
    with (project / "fields.yaml").open("a", encoding="utf-8") as fields:
        fields.write(LATE)
    (project / "templates" / "_late.html.j2").write_text(
        '{% if late.count > 0 %}<p data-section="late">We noted {{ late.count }} '
        "recommendations put in place late.</p>{% endif %}\n",
        encoding="utf-8",
    )
    edit(
        project / "templates" / "letter.html.j2",
        "{% if training_courses %}",
        '{% if late %}{% include "_late.html.j2" %}{% endif %}\n{% if training_courses %}',
    )
    for slug, count in (("maidstone", 0), ("cannock-chase", 2)):
        with (project / "councils" / f"{slug}.yaml").open("a", encoding="utf-8") as council:
            council.write(f"late:\n  count: {count}\n")
    result = letters("build", "--html-only", "--root", str(project))
    assert result.exit_code == 0, result.output
    with (project / "build" / "letters.csv").open(encoding="utf-8") as file:
        rows = {row["slug"]: row["optional_paragraphs"] for row in csv.DictReader(file)}
    assert rows["maidstone"] == ""
    assert rows["cannock-chase"] == "Recommendations late"
    assert rows["canterbury"] == "Witness summons; Training courses"
    manifest = (project / "build" / "manifest.json").read_text(encoding="utf-8")
    assert '"optional_paragraphs": ["late"]' in manifest


def test_searching_the_letters_words_in_the_page(built: Path, page):
    """The page's search finds a phrase as letters find does: any case, any spaces, across the
    line and page breaks of the PDF (Canterbury's page 1 ends on "London Boroughs.")."""
    page.goto((built / "build" / "index.html").as_uri())
    search = page.get_by_label("Letters that say")
    search.fill("WITNESS   summons")
    assert names_shown(page) == ["Canterbury City Council"]
    assert page.get_by_role("status").inner_text() == (
        "1 of 5 councils whose letters say \u201cWITNESS summons\u201d"
    )
    assert page.locator("tbody tr:not([hidden]) .found").inner_text() == (
        "Page 2: During the year, I had to take the unusual step of threatening to issue a "
        "witness summons when your Council repeatedly failed to respond to our enquiries."
    )
    search.fill("london boroughs. this data")
    assert len(names_shown(page)) == 5
    canterbury = page.locator("tbody tr", has_text="Canterbury City Council").locator(".found")
    assert canterbury.inner_text().startswith("Pages 1-2: We do this for County Councils,")
    page.get_by_label("Type").select_option("Unitary Councils")
    assert names_shown(page) == ["Leicester City Council"]
    search.fill("no letter says this")
    assert names_shown(page) == []
    search.fill("")
    page.get_by_label("Type").select_option("")
    assert len(names_shown(page)) == 5
    assert page.locator(".found:not([hidden])").count() == 0


def test_a_council_with_nothing_noted_says_so(built: Path, page):
    page.goto((built / "build" / "index.html").as_uri())
    row = page.locator("tbody tr", has_text="Maidstone Borough Council")
    assert row.locator("td").nth(-3).inner_text().endswith("nothing noted")
