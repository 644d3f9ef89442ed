"""letters import: figures from a spreadsheet into council files, and nothing else changed."""

import csv
from pathlib import Path

import openpyxl
import pytest

from helpers import REPO, letters

HEADER = ["council", "authority_type", "investigations", "upheld", "compliance_outcomes",
          "implemented", "satisfactory_remedies"]
EXAMPLE = REPO / "examples" / "figures-2020.csv"


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
        0, "0 updated, 0 created, 5 unchanged, 0 without a row\n")
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
        "1 updated, 0 created, 4 unchanged, 0 without a row\n")
    after = (project / "councils" / "canterbury.yaml").read_text()
    assert after == (before.replace("investigations: 10 ", "investigations: 12 ")
                     .replace("upheld: 5 ", "upheld: 6 ")
                     .replace("satisfactory_remedies: 0 ", "satisfactory_remedies: 1 "))


def test_importing_twice_changes_nothing_the_second_time(project: Path, tmp_path: Path):
    rows = rows_of_example()
    rows[5] = ["Leicester City Council", "Metropolitan Boroughs", "50", "30", "20", "20", "5"]
    spreadsheet = write_csv(tmp_path / "figures.csv", rows)
    assert import_(project, spreadsheet).output.startswith(
        "councils/leicester.yaml: authority_type Unitary Councils → Metropolitan Boroughs, ")
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
    assert result.output == ("councils/maidstone.yaml: statistics.upheld 7 → 8\n"
                             "1 updated, 0 created, 4 unchanged, 0 without a row\n")
    wrong_sheet = import_(project, workbook, "--sheet", "Figs")
    assert wrong_sheet.exit_code == 1
    assert wrong_sheet.stderr.endswith("figures.xlsx: has no sheet 'Figs'; its sheets are: "
                                       "Notes, Figures\n")


def test_a_new_council_gets_a_file_and_letters_check_asks_for_its_recipient(project: Path,
                                                                             tmp_path: Path):
    brighton = ["Brighton & Hove City Council", "Unitary Councils", "30", "20", "15", "15", "3"]
    rows = [*rows_of_example()[:2], brighton]
    result = import_(project, write_csv(tmp_path / "figures.csv", rows))
    assert result.output == (
        "councils/brighton-hove-city-council.yaml: new file; fill in its recipient\n"
        "councils/cannock-chase.yaml: no row in the spreadsheet; left as it is\n"
        "councils/leicester.yaml: no row in the spreadsheet; left as it is\n"
        "councils/maidstone.yaml: no row in the spreadsheet; left as it is\n"
        "councils/sevenoaks.yaml: no row in the spreadsheet; left as it is\n"
        "0 updated, 1 created, 1 unchanged, 4 without a row\n")
    assert (project / "councils" / "maidstone.yaml").exists()
    check = letters("check", "--root", str(project))
    assert check.stderr == ("councils/brighton-hove-city-council.yaml: recipient: is missing: "
                            "add it (see the README's example)\n")


def test_dry_run_writes_nothing(project: Path, tmp_path: Path):
    rows = rows_of_example()
    rows[4][3] = "9"
    rows.append(["Testham Council", "District Councils", "1", "1", "1", "1", "1"])
    before = sorted((p.name, p.read_bytes()) for p in (project / "councils").iterdir())
    result = import_(project, write_csv(tmp_path / "figures.csv", rows), "--dry-run")
    assert result.output == (
        "councils/maidstone.yaml: statistics.upheld 7 → 9\n"
        "councils/testham-council.yaml: new file; fill in its recipient\n"
        "1 updated, 1 created, 4 unchanged, 0 without a row (dry run: nothing written)\n")
    assert sorted((p.name, p.read_bytes()) for p in (project / "councils").iterdir()) == before


@pytest.mark.parametrize(("change", "message"), [
    pytest.param((2, 1, "District Council"), "figures.csv:3: authority_type: 'District Council' "
                 "is not a type of authority; did you mean District Councils?", id="unknown-type"),
    pytest.param((2, 3, "three"), "figures.csv:3: upheld: must be a whole number of 0 or more, "
                 "not 'three'", id="count-not-a-number"),
    pytest.param((2, 3, "2.5"), "figures.csv:3: upheld: must be a whole number of 0 or more, "
                 "not '2.5'", id="count-a-fraction"),
    pytest.param((2, 3, "-1"), "figures.csv:3: upheld: must be a whole number of 0 or more, "
                 "not '-1'", id="count-negative"),
    pytest.param((2, 3, "9"), "figures.csv:3: upheld: 9 is more than investigations (8)",
                 id="upheld-more-than-investigated"),
    pytest.param((3, 0, "Canterbury City Council"), "figures.csv:4: council: Canterbury City "
                 "Council is named twice (also on row 2): keep one row", id="council-twice"),
    pytest.param((2, 0, ""), "figures.csv:3: council: is empty: write the council's name",
                 id="council-empty"),
])
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(
        project: Path, tmp_path: Path, change, message):
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
        "satisfactory_remedies)\n")
