"""A section of kind: table, as examples/table/ ships it: declared, filled in, checked cell by
cell, printed as a table the PDF's tags read as one, and readable at 320 px."""

import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from browser import chromium_page
from helpers import REPO, edit, letters

EXAMPLE = REPO / "examples" / "table"


@pytest.fixture
def with_table(project: Path) -> Path:
    """The reference project with the example table added as examples/README.md says."""
    fields = project / "fields.yaml"
    fields.write_text(fields.read_text() + "\n" + (EXAMPLE / "fields.yaml").read_text())
    shutil.copy(EXAMPLE / "_service_areas.html.j2", project / "templates")
    css = project / "templates" / "letter.css"
    css.write_text(css.read_text() + "\n" + (EXAMPLE / "table.css").read_text())
    edit(
        project / "templates" / "letter.html.j2",
        "{% if public_report %}",
        '{% if service_areas %}{% include "_service_areas.html.j2" %}{% endif %}\n'
        "{% if public_report %}",
    )
    council = project / "councils" / "maidstone.yaml"
    council.write_text(council.read_text() + "\n" + (EXAMPLE / "council.yaml").read_text())
    return project


ROWS = [  # each row's share of the 103 decided, rounded half up
    ("Education and children's services", "31", "30%", "9"),
    ("Housing", "26", "25%", "6"),
    ("Adult care services", "17", "17%", "8"),
    ("Planning and development", "15", "15%", "–"),
    ("Highways and transport", "14", "14%", "2"),
]


def test_the_example_table_builds_and_its_tags_read_as_a_table(with_table: Path):
    check = letters("check", "--root", str(with_table))
    assert (check.exit_code, check.output) == (0, "5 councils OK\n")
    build = letters("build", "--strict", "--root", str(with_table))
    assert (build.exit_code, build.stderr) == (0, ""), build.output
    html = (with_table / "build" / "html" / "maidstone.html").read_text(encoding="utf-8")
    table = lxml.html.fromstring(html).find_class("service-areas")[0]
    assert " ".join(" ".join(table.itertext()).split()) == (
        "Complaints by service area Complaints and enquiries we decided about your Council this "
        "year, by service area Service area Decided Share Upheld "
        + " ".join(" ".join(row) for row in ROWS)
    )
    leicester = (with_table / "build" / "html" / "leicester.html").read_text(encoding="utf-8")
    assert not lxml.html.fromstring(leicester).find_class("service-areas")

    tags = subprocess.run(
        ["pdfinfo", "-struct-text", str(with_table / "build" / "pdf" / "maidstone.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert table_of(tags) == [
        [
            "Caption: Complaints and enquiries we decided about your Council this year, by "
            "service area"
        ],
        ["TH: Service area", "TH: Decided", "TH: Share", "TH: Upheld"],
        *[[f"TH: {row[0]}", *(f"TD: {cell}" for cell in row[1:])] for row in ROWS],
    ]


def table_of(tags: str) -> list[list[str]]:
    """The table as poppler reads its tags (pdfinfo -struct-text): its caption, then each row
    (TR) as its cells, each cell's tag and text."""
    lines = tags[tags.rindex("\n", 0, tags.index("Table (block)")) + 1 :].splitlines()
    depth = len(lines[0]) - len(lines[0].lstrip())
    rows: list[list[str]] = []
    cell = ""
    for line in lines[1:]:
        indent, content = len(line) - len(line.lstrip()), line.strip()
        if indent <= depth:
            break
        tag = content.split(" ")[0].rstrip(":")
        if tag == "Caption":
            rows.append([])
            cell = "Caption"
        elif tag == "TR":
            rows.append([])
        elif tag in ("TH", "TD"):
            cell = tag
        elif content.startswith('"'):
            rows[-1].append(f"{cell}: {content[1:-1]}")
    return rows


def test_each_cell_is_checked_at_its_line(with_table: Path):
    council = with_table / "councils" / "maidstone.yaml"
    edit(council, "{area: Housing, decided: 26,", "{area: Housing, decided: many,")
    edit(
        council,
        "{area: Adult care services, decided: 17, upheld: 8}",
        "{area: Adult care services, decided: 17, upheld: 8, rank: 3}",
    )
    lines = council.read_text().splitlines()
    housing = next(n for n, line in enumerate(lines, 1) if "Housing" in line)
    care = next(n for n, line in enumerate(lines, 1) if "Adult care" in line)
    check = letters("check", "--root", str(with_table))
    assert check.exit_code == 1
    assert check.stderr.splitlines() == [
        f"councils/maidstone.yaml:{housing}: service_areas.1.decided: must be a whole number, "
        f"not 'many'",
        f"councils/maidstone.yaml:{care}: service_areas.2.rank: unknown field; the fields here "
        f"are: area, decided, upheld; if it is new, declare it in fields.yaml",
    ]


def test_the_example_table_fits_a_320_px_screen(with_table: Path):
    build = letters("build", "maidstone", "--html-only", "--root", str(with_table))
    assert build.exit_code == 0, build.output
    with chromium_page(320, 800) as page:
        page.goto((with_table / "build" / "html" / "maidstone.html").as_uri())
        table = page.locator(".service-areas table")
        table.scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        box = table.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
        assert page.get_by_role("table").get_by_role("rowheader").all_inner_texts() == [
            row[0] for row in ROWS
        ]
