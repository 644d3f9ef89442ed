"""Import, read: the case system's figures from a CSV file or Excel workbook, row by row."""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from letters.problems import LettersError, Problem
from letters.validate import AUTHORITY_TYPES, Statistics, not_an_authority_type, parts_over_wholes

COUNTS = tuple(Statistics.model_fields)  # investigations, upheld, ... as council files name them
COLUMNS = ("council", "authority_type", *COUNTS)


@dataclass(frozen=True)
class FigureRow:
    """One council's figures, as a spreadsheet row gives them."""

    row: int
    council: str
    authority_type: str
    counts: dict[str, int]


def read_figures(path: Path, shown: str, sheet: str | None = None) -> list[FigureRow]:
    """Every row of the spreadsheet, checked; or a LettersError naming each bad row and column."""
    rows = read_table(path, shown, sheet)
    if not rows:
        raise LettersError([Problem(shown, "has no rows: the first row must name the columns "
                                    f"({', '.join(COLUMNS)})", 1)])
    columns = [column_name(cell) for cell in rows[0]]
    missing = [column for column in COLUMNS if column not in columns]
    if missing:
        raise LettersError([Problem(shown, f"missing column: {column} (the columns are: "
                                    f"{', '.join(COLUMNS)})", 1) for column in missing])
    problems, figures, seen = [], [], {}
    for number, cells in enumerate(rows[1:], start=2):
        values = dict(zip(columns, [*cells, *[""] * (len(columns) - len(cells))], strict=False))
        if not any(str(value).strip() for value in values.values()):
            continue  # a blank row
        row_problems = check_row(shown, number, values, seen)
        problems += row_problems
        if not row_problems:
            seen[values["council"].strip().casefold()] = number
            figures.append(FigureRow(number, values["council"].strip(),
                                     values["authority_type"].strip(),
                                     {count: whole_number(values[count]) for count in COUNTS}))
    if problems:
        raise LettersError(problems)
    return figures


def read_table(path: Path, shown: str, sheet: str | None) -> list[list]:
    if not path.is_file():
        raise LettersError([Problem(shown, "is not a file: give a .csv or .xlsx spreadsheet")])
    if path.suffix.lower() == ".xlsx":
        return read_workbook(path, shown, sheet)
    if path.suffix.lower() != ".csv":
        raise LettersError([Problem(shown, "is not a .csv or .xlsx spreadsheet: save it as one")])
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            return [row for row in csv.reader(file)]
    except UnicodeDecodeError:
        raise LettersError([Problem(shown, "is not UTF-8 text: save it as 'CSV UTF-8'")]) from None


def read_workbook(path: Path, shown: str, sheet: str | None) -> list[list]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise LettersError([Problem(shown, f"cannot be read as an Excel workbook ({error})")]) \
            from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise LettersError([Problem(shown, f"has no sheet {sheet!r}; its sheets are: "
                                        f"{', '.join(workbook.sheetnames)}")])
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        return [["" if cell is None else cell for cell in row]
                for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def column_name(cell) -> str:
    """'Authority type' and 'authority_type' name the same column."""
    return re.sub(r"[\s_-]+", "_", str(cell).strip().lower())


def check_row(shown: str, number: int, values: dict, seen: dict[str, int]) -> list[Problem]:
    def problem(column: str, message: str) -> Problem:
        return Problem(shown, message, number, column)

    problems = []
    council = str(values["council"]).strip()
    if not council:
        problems.append(problem("council", "is empty: write the council's name"))
    elif council.casefold() in seen:
        problems.append(problem("council", f"{council} is named twice (also on row "
                                           f"{seen[council.casefold()]}): keep one row"))
    if str(values["authority_type"]).strip() not in AUTHORITY_TYPES:
        problems.append(problem("authority_type",
                                not_an_authority_type(str(values["authority_type"]).strip())))
    counts = {}
    for count in COUNTS:
        value = whole_number(values[count])
        if value is None:
            problems.append(problem(count, f"must be a whole number of 0 or more, not "
                                           f"{values[count]!r}"))
        counts[count] = value
    problems += [problem(part, f"{counts[part]} is more than {whole} ({counts[whole]})")
                 for part, whole in parts_over_wholes(counts)]
    return problems


def whole_number(value) -> int | None:
    """A count from a cell: 12, 12.0 (Excel's numbers), '12' or '1,200'; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = str(value).strip().replace(",", "")
    return int(text) if text.isdigit() else None
