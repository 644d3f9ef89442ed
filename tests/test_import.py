"""letters import: figures from a spreadsheet into council files, and nothing else changed."""

import csv
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import REFERENCE, copy_project, letters
from letters.data.validate import council_name
from letters.spreadsheet.update import slug_of

HEADER = [
    "council",
    "authority_type",
    "investigations",
    "upheld",
    "compliance_outcomes",
    "implemented",
    "satisfactory_remedies",
]
EXAMPLE = REFERENCE / "figures-2020.csv"


def rows_of_example() -> list[list[str]]:
    with EXAMPLE.open(encoding="utf-8") as file:
        return list(csv.reader(file))


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "Figures") -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Figures are on the next sheet"])
    worksheet = workbook.create_sheet(sheet)
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


def import_(project: Path, spreadsheet: Path, *args: str):
    return letters("import", str(spreadsheet), "--root", str(project), *args)


def test_the_example_matches_the_council_files(project: Path):
    before = {p.name: p.read_bytes() for p in (project / "councils").iterdir()}
    result = import_(project, EXAMPLE)
    assert (result.exit_code, result.output) == (
        0,
        "0 updated, 0 created, 5 unchanged, 0 without a row\n",
    )
    assert {p.name: p.read_bytes() for p in (project / "councils").iterdir()} == before


def test_new_figures_change_only_those_bytes(project: Path, tmp_path: Path):
    rows = rows_of_example()
    rows[1] = ["Canterbury City Council", "District Councils", "12", "6", "5", "5", "1"]
    before = (project / "councils" / "canterbury.yaml").read_text()
    result = import_(project, write_csv(tmp_path / "figures.csv", rows))
    assert result.exit_code == 0
    assert result.output == (
        "councils/canterbury.yaml: statistics.investigations 10 → 12, statistics.upheld 5 → 6, "
        "statistics.satisfactory_remedies 0 → 1\n"
        "1 updated, 0 created, 4 unchanged, 0 without a row\n"
    )
    after = (project / "councils" / "canterbury.yaml").read_text()
    assert after == (
        before.replace("investigations: 10 ", "investigations: 12 ")
        .replace("upheld: 5 ", "upheld: 6 ")
        .replace("satisfactory_remedies: 0 ", "satisfactory_remedies: 1 ")
    )


def test_importing_twice_changes_nothing_the_second_time(project: Path, tmp_path: Path):
    rows = rows_of_example()
    rows[5] = ["Leicester City Council", "Metropolitan Boroughs", "50", "30", "20", "20", "5"]
    spreadsheet = write_csv(tmp_path / "figures.csv", rows)
    assert import_(project, spreadsheet).output.startswith(
        "councils/leicester.yaml: authority_type Unitary Councils → Metropolitan Boroughs, "
    )
    after_first = (project / "councils" / "leicester.yaml").read_bytes()
    second = import_(project, spreadsheet)
    assert second.output == "0 updated, 0 created, 5 unchanged, 0 without a row\n"
    assert (project / "councils" / "leicester.yaml").read_bytes() == after_first
    assert "public_report: |" in after_first.decode()  # the hand-written paragraphs stay


def test_an_excel_workbook_on_a_named_sheet(project: Path, tmp_path: Path):
    rows = [HEADER] + [[row[0], row[1], *map(int, row[2:])] for row in rows_of_example()[1:]]
    rows[4][3] = 8  # Maidstone: 8 upheld
    workbook = write_xlsx(tmp_path / "figures.xlsx", rows)
    result = import_(project, workbook, "--sheet", "Figures")
    assert result.output == (
        "councils/maidstone.yaml: statistics.upheld 7 → 8\n"
        "1 updated, 0 created, 4 unchanged, 0 without a row\n"
    )
    wrong_sheet = import_(project, workbook, "--sheet", "Figs")
    assert wrong_sheet.exit_code == 1
    assert wrong_sheet.stderr.endswith(
        "figures.xlsx: has no sheet 'Figs'; its sheets are: Notes, Figures\n"
    )


def test_a_new_council_gets_a_file_and_letters_check_asks_for_its_recipient(
    project: Path, tmp_path: Path
):
    brighton = ["Brighton & Hove City Council", "Unitary Councils", "30", "20", "15", "15", "3"]
    rows = [*rows_of_example()[:2], brighton]
    result = import_(project, write_csv(tmp_path / "figures.csv", rows))
    assert result.output == (
        "councils/brighton-hove-city-council.yaml: new file; fill in its recipient\n"
        "councils/cannock-chase.yaml: no row in the spreadsheet; left as it is\n"
        "councils/leicester.yaml: no row in the spreadsheet; left as it is\n"
        "councils/maidstone.yaml: no row in the spreadsheet; left as it is\n"
        "councils/sevenoaks.yaml: no row in the spreadsheet; left as it is\n"
        "0 updated, 1 created, 1 unchanged, 4 without a row\n"
    )
    assert (project / "councils" / "maidstone.yaml").exists()
    check = letters("check", "--root", str(project))
    assert check.stderr == (
        "councils/brighton-hove-city-council.yaml: recipient: is missing: "
        "add it (see the README's example)\n"
    )


def test_dry_run_writes_nothing(project: Path, tmp_path: Path):
    rows = rows_of_example()
    rows[4][3] = "9"
    rows.append(["Testham Council", "District Councils", "1", "1", "1", "1", "1"])
    before = sorted((p.name, p.read_bytes()) for p in (project / "councils").iterdir())
    result = import_(project, write_csv(tmp_path / "figures.csv", rows), "--dry-run")
    assert result.output == (
        "councils/maidstone.yaml: statistics.upheld 7 → 9\n"
        "councils/testham-council.yaml: new file; fill in its recipient\n"
        "1 updated, 1 created, 4 unchanged, 0 without a row (dry run: nothing written)\n"
    )
    assert sorted((p.name, p.read_bytes()) for p in (project / "councils").iterdir()) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            (2, 1, "District Council"),
            "figures.csv:3: authority_type: 'District Council' "
            "is not a type of authority; did you mean District Councils?",
            id="unknown-type",
        ),
        pytest.param(
            (2, 3, "three"),
            "figures.csv:3: upheld: must be a whole number of 0 or more, not 'three'",
            id="count-not-a-number",
        ),
        pytest.param(
            (2, 3, "2.5"),
            "figures.csv:3: upheld: must be a whole number of 0 or more, not '2.5'",
            id="count-a-fraction",
        ),
        pytest.param(
            (2, 3, "-1"),
            "figures.csv:3: upheld: must be a whole number of 0 or more, not '-1'",
            id="count-negative",
        ),
        pytest.param(
            (2, 3, "9"),
            "figures.csv:3: upheld: 9 is more than investigations (8)",
            id="upheld-more-than-investigated",
        ),
        pytest.param(
            (3, 0, "Canterbury City Council"),
            "figures.csv:4: council: Canterbury City "
            "Council is named twice (also on row 2): keep one row",
            id="council-twice",
        ),
        pytest.param(
            (2, 0, ""),
            "figures.csv:3: council: is empty: write the council's name",
            id="council-empty",
        ),
    ],
)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(
    project: Path, tmp_path: Path, change, message
):
    rows = rows_of_example()
    rows[1][2] = "11"  # a good change that must not be written either
    row, column, value = change
    rows[row][column] = value
    before = sorted((p.name, p.read_bytes()) for p in (project / "councils").iterdir())
    result = import_(project, write_csv(tmp_path / "figures.csv", rows))
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path}/{message}\n"
    assert sorted((p.name, p.read_bytes()) for p in (project / "councils").iterdir()) == before


def test_a_missing_column(project: Path, tmp_path: Path):
    rows = [row[:-1] for row in rows_of_example()]
    result = import_(project, write_csv(tmp_path / "figures.csv", rows))
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "figures.csv:1: missing column: satisfactory_remedies (the columns are: council, "
        "authority_type, investigations, upheld, compliance_outcomes, implemented, "
        "satisfactory_remedies)\n"
    )


def test_line_endings_comments_and_quoting_stay_as_they_were(project: Path, tmp_path: Path):
    council = project / "councils" / "maidstone.yaml"
    original = (
        council.read_bytes()
        .replace(b"\n", b"\r\n")
        .replace(b"authority_type: District Councils", b'authority_type: "District Councils"')
    )
    council.write_bytes(original)
    rows = rows_of_example()
    rows[4] = ["Maidstone Borough Council", "Unitary Councils", "11", "8", "6", "6", "1"]
    assert import_(project, write_csv(tmp_path / "figures.csv", rows)).exit_code == 0
    assert council.read_bytes() == original.replace(
        b'authority_type: "District Councils"', b'authority_type: "Unitary Councils"'
    ).replace(b"upheld: 7", b"upheld: 8")


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_as_excel_saves_it_in_any_encoding_and_separator(
    project: Path, tmp_path: Path, encoding: str, delimiter: str
):
    rows = rows_of_example()
    rows[4] = ["Maidstone Borough Council", "District Councils", "1,200", "8", "6", "6", "1"]
    rows.append(["Bromley and Bexley Café Council", "London Boroughs", "3", "2", "1", "1", "0"])
    path = tmp_path / "figures.csv"
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    result = import_(project, path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "councils/maidstone.yaml: statistics.investigations 11 → 1200, statistics.upheld 7 → 8\n"
        "councils/bromley-and-bexley-cafe-council.yaml: new file; fill in its recipient\n"
    )
    assert (
        "name: Bromley and Bexley Café Council\n"
        in (project / "councils" / "bromley-and-bexley-cafe-council.yaml").read_text()
    )


def test_a_name_in_styled_letters_gets_a_file_named_in_lower_case(project: Path, tmp_path: Path):
    rows = [*rows_of_example(), ["𝔸𝕕𝕦𝕣 Council", "District Councils", "3", "2", "1", "1", "0"]]
    result = import_(project, write_csv(tmp_path / "figures.csv", rows))
    assert "councils/adur-council.yaml: new file; fill in its recipient\n" in result.output
    check = letters("check", "--root", str(project))
    assert check.stderr == (
        "councils/adur-council.yaml: recipient: is missing: add it (see the README's example)\n"
    )


def test_a_name_written_differently_updates_the_same_file(project: Path, tmp_path: Path):
    rows = rows_of_example()
    rows[1] = ["CANTERBURY  city council.", "District Councils", "10", "6", "5", "5", "0"]
    result = import_(project, write_csv(tmp_path / "figures.csv", rows))
    assert result.output == (
        "councils/canterbury.yaml: statistics.upheld 5 → 6\n"
        "1 updated, 0 created, 4 unchanged, 0 without a row\n"
    )


# Any text a spreadsheet cell can hold; mostly names that start like a name and then have what
# YAML treats specially (quotes, backslashes, '#', ': ', brackets, line breaks) anywhere.
YAML_SPECIAL = [*"\"'\\#:{}[]&*!|>%@`,?-", ": ", " #", "\n", "\t", "  ", "\u00a0", "\u200b"]
name_like = st.builds(
    lambda first, rest: first + "".join(rest),
    st.characters(categories=("L", "N")),
    st.lists(
        st.one_of(
            st.characters(categories=("L", "N", "P", "S", "Zs")), st.sampled_from(YAML_SPECIAL)
        ),
        max_size=30,
    ),
)
council_names = st.one_of(
    name_like, name_like, name_like, st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=council_names, data=st.data())
def test_any_name_and_counts_round_trip_through_import_and_check(tmp_path_factory, name: str, data):
    project = copy_project(tmp_path_factory.mktemp("import"))
    investigations = data.draw(st.integers(0, 10**7))
    upheld = data.draw(st.integers(0, investigations))
    outcomes = data.draw(st.integers(0, upheld))
    counts = [
        investigations,
        upheld,
        outcomes,
        data.draw(st.integers(0, outcomes)),
        data.draw(st.integers(0, upheld)),
    ]
    written = [f"{count:,}" if data.draw(st.booleans()) else str(count) for count in counts]
    spreadsheet = write_csv(project / "figures.csv", [HEADER, [name, "County Councils", *written]])
    before = {path.name: path.read_bytes() for path in (project / "councils").iterdir()}
    result = import_(project, spreadsheet)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    try:
        accepted = council_name(name)
    except ValueError as error:
        reason = str(error) if name.strip() else "is empty: write the council's name"
        assert (result.exit_code, result.stderr) == (1, f"{spreadsheet}:2: council: {reason}\n")
        assert {path.name: path.read_bytes() for path in (project / "councils").iterdir()} == before
        return
    assert result.exit_code == 0, result.output
    created = project / "councils" / f"{slug_of(accepted)}.yaml"
    council = yaml.safe_load(created.read_text(encoding="utf-8"))
    assert council["name"] == accepted
    assert list(council["statistics"].values()) == counts
    check = letters("check", "--root", str(project))
    assert check.stderr == (
        f"councils/{created.name}: recipient: is missing: add it (see the README's example)\n"
    )
    again = import_(project, spreadsheet)
    assert again.stdout.endswith("0 updated, 0 created, 1 unchanged, 5 without a row\n")


def figures_workbook(path: Path, sheets: list[tuple[str, str, int | None]]) -> Path:
    """A workbook of (title, state, Maidstone's upheld) sheets, the last one active; a sheet
    without figures (None) holds a note."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, state, upheld in sheets:
        worksheet = workbook.create_sheet(title)
        worksheet.sheet_state = state
        if upheld is None:
            worksheet.append(["notes"])
            continue
        for row in [HEADER, *[[r[0], r[1], *map(int, r[2:])] for r in rows_of_example()[1:]]]:
            worksheet.append(row)
        worksheet["D5"] = upheld  # Maidstone's upheld
    workbook.active = len(sheets) - 1
    workbook.save(path)
    return path


def test_the_visible_sheet_is_imported_not_last_years_hidden_one(project: Path, tmp_path: Path):
    book = figures_workbook(
        tmp_path / "figures.xlsx", [("2019", "hidden", 9), ("2020", "visible", 8)]
    )
    result = import_(project, book)
    assert result.output.startswith("councils/maidstone.yaml: statistics.upheld 7 → 8\n")


def test_a_workbook_whose_sheet_of_figures_is_hidden_or_not_alone_is_refused(
    project: Path, tmp_path: Path
):
    hidden = figures_workbook(
        tmp_path / "hidden.xlsx", [("2020", "hidden", 8), ("Notes", "visible", None)]
    )
    assert import_(project, hidden).stderr == (
        f"{hidden}: the only sheet with council and authority_type columns, '2020', is hidden: "
        "show it in Excel or import it with --sheet '2020', if it is this year's\n"
    )
    two = figures_workbook(tmp_path / "two.xlsx", [("2019", "visible", 9), ("2020", "visible", 8)])
    assert import_(project, two).stderr == (
        f"{two}: has 2 sheets with council and authority_type columns ('2019', '2020'): say "
        "which to import with --sheet NAME\n"
    )
    chosen = import_(project, two, "--sheet", "2020")
    assert chosen.output.startswith("councils/maidstone.yaml: statistics.upheld 7 → 8\n")


def test_a_formatted_cell_far_below_the_figures_is_not_a_row(project: Path, tmp_path: Path):
    book = figures_workbook(tmp_path / "figures.xlsx", [("2020", "visible", 8)])
    workbook = openpyxl.load_workbook(book)
    workbook.active.cell(row=1_048_576, column=1).font = openpyxl.styles.Font(bold=True)
    workbook.save(book)
    result = import_(project, book)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("1 updated, 0 created, 4 unchanged, 0 without a row\n")


def test_a_near_name_is_a_question_and_new_makes_it_a_new_council(project: Path, tmp_path: Path):
    sheet = write_csv(
        tmp_path / "figures.csv",
        [HEADER, ["Canterbury Council", "District Councils", 3, 1, 1, 1, 0]],
    )
    asked = import_(project, sheet)
    assert asked.exit_code == 1 and "import again with --new 'Canterbury Council'" in asked.stderr
    assert not (project / "councils" / "canterbury-council.yaml").exists()
    added = import_(project, sheet, "--new", "Canterbury Council")
    assert added.exit_code == 0, added.output
    assert "councils/canterbury-council.yaml: new file; fill in its recipient" in added.output


CASE_SYSTEM_HEADERS = """import:  # the case system's headers for the tool's own columns
  council: Organisation
  authority_type: [Authority type, Type of authority]
"""
RATES = """
rates:
  title: Rates as the case system gives them
  fields:
    uphold_rate: {kind: percent, column: Uphold rate %}
"""


def case_system_workbook(path: Path, rates: list[tuple[float, str]]) -> Path:
    """The figures as the case system exports them: its own headers, a type merged down the
    rows of its councils, and an uphold rate in cells formatted as percentages."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header = rows_of_example()[0]
    sheet.append(["Organisation", "Authority type", *header[2:], "Uphold rate %"])
    for (council, kind, *counts), (rate, number_format) in zip(
        rows_of_example()[1:], rates, strict=True
    ):
        sheet.append([council, kind, *map(int, counts), rate])
        sheet.cell(row=sheet.max_row, column=len(header) + 1).number_format = number_format
    sheet.merge_cells("B2:B5")  # the four District Councils, their type written once
    workbook.save(path)
    return path


def test_the_case_systems_workbook_as_it_exports_it(project: Path, tmp_path: Path):
    fields = project / "fields.yaml"
    fields.write_text(CASE_SYSTEM_HEADERS + fields.read_text() + RATES)
    rates = [(0.5, "0%"), (0.375, "0.0%"), (0.33, "0%"), (0.64, "0%"), (0.69, "0.0%")]
    book = case_system_workbook(tmp_path / "export.xlsx", rates)
    result = import_(project, book)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout.endswith("5 updated, 0 created, 0 unchanged, 0 without a row\n")
    canterbury = (project / "councils" / "canterbury.yaml").read_text()
    assert canterbury.endswith("rates:\n  uphold_rate: 50\n")
    assert "  uphold_rate: 37.5\n" in (project / "councils" / "cannock-chase.yaml").read_text()
    assert (
        "authority_type: District Councils\n"
        in (project / "councils" / "maidstone.yaml").read_text()
    )

    rates[3] = (0.6451, "0.00%")
    refused = import_(project, case_system_workbook(tmp_path / "precise.xlsx", rates))
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == (
        f"{tmp_path / 'precise.xlsx'}:5: Uphold rate %: must be a percentage from 0 to 100 with "
        "at most one decimal place, not 64.51% (a cell formatted as a percentage, '0.00%', "
        "holding 0.6451): check the cell and its format\n"
    )
    fields.write_text(
        fields.read_text().replace("  council: Organisation\n", "  council: Council name\n")
    )
    unnamed = import_(project, book)
    assert unnamed.stderr.startswith(
        f"{book}:1: missing column: Council name (the columns are: Council name, Authority type, "
    )
