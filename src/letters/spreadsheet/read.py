"""Import, read: the case system's figures from a CSV file or Excel workbook, row by row."""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letters.data.load import WHOLE_NUMBER
from letters.data.validate import (
    AUTHORITY_TYPES,
    Statistics,
    council_name,
    describe,
    not_an_authority_type,
    parts_over_wholes,
)
from letters.problems import LettersError, Problem, fail

COUNTS = tuple(Statistics.model_fields)  # investigations, upheld, ... as council files name them
COLUMNS = ("council", "authority_type", *COUNTS)

# A year has one row per council (about 340): these are far beyond any real export, and keep a
# hostile file from taking minutes or gigabytes.
MAX_ROWS = 10_000
MAX_COLUMNS = 100
MAX_CELL = 1_000  # characters
MAX_CSV_BYTES = 20_000_000
MAX_UNPACKED_BYTES = 50_000_000  # what an .xlsx (a zip file) may unpack to
DELIMITERS = ",;\t"  # Excel writes ';' where the decimal separator is a comma


@dataclass(frozen=True)
class FigureRow:
    """One council's figures, as a spreadsheet row gives them."""

    sheet: str  # the spreadsheet, as messages name it
    row: int
    council: str
    authority_type: str
    counts: dict[str, int]

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.sheet, message, self.row, column)


def read_figures(path: Path, shown: str, sheet: str | None = None) -> list[FigureRow]:
    """Every row of the spreadsheet, checked; or a LettersError naming each bad row and column."""
    rows = read_table(path, shown, sheet)
    if not rows:
        fail(shown, f"has no rows: the first row must name the columns ({', '.join(COLUMNS)})", 1)
    columns = [column_name(cell) for cell in rows[0]]
    missing = [column for column in COLUMNS if column not in columns]
    if missing:
        raise LettersError(
            [
                Problem(
                    shown, f"missing column: {column} (the columns are: {', '.join(COLUMNS)})", 1
                )
                for column in missing
            ]
        )
    problems: list[Problem] = []
    figures: list[FigureRow] = []
    seen: dict[str, tuple[int, str]] = {}
    for number, cells in enumerate(rows[1:], start=2):
        values = dict(zip(columns, [*cells, *[""] * (len(columns) - len(cells))], strict=False))
        if not any(str(value).strip() for value in values.values()):
            continue  # a blank row
        row_problems = check_row(shown, number, values, seen)
        problems += row_problems
        if not row_problems:
            council = council_name(values["council"])
            seen[name_key(council)] = (number, council)
            counts = {count: whole_number(values[count]) for count in COUNTS}
            figures.append(
                FigureRow(
                    shown,
                    number,
                    council,
                    values["authority_type"].strip(),
                    {count: value for count, value in counts.items() if value is not None},
                )
            )
    if problems:
        raise LettersError(problems)
    return figures


def name_key(name: str) -> str:
    """What two spellings of one council's name have in common: case, spacing and punctuation
    aside, 'St. Albans  City Council' is 'st albans city council'."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", folded).split())


def read_table(path: Path, shown: str, sheet: str | None) -> list[list[Any]]:
    if not path.is_file():
        fail(shown, "is not a file: give a .csv or .xlsx spreadsheet")
    if path.suffix.lower() == ".xlsx":
        return read_workbook(path, shown, sheet)
    if path.suffix.lower() != ".csv":
        fail(shown, "is not a .csv or .xlsx spreadsheet: save it as one")
    if path.stat().st_size > MAX_CSV_BYTES:
        fail(
            shown,
            f"is larger than {MAX_CSV_BYTES // 1_000_000} MB: a "
            f"year's figures are far smaller; is it the right file?",
        )
    return read_csv(decoded(path.read_bytes(), shown), shown)


def decoded(raw: bytes, shown: str) -> str:
    """The text of a CSV file as Excel and other programs save it: UTF-8 (with or without a
    byte order mark), UTF-16 with its mark, or Windows-1252 ('CSV (Comma delimited)')."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.count("\0") <= len(text) // 4:  # else UTF-16 that lost its byte order mark
            return text
    fail(shown, "is not text in a known encoding: save it as 'CSV UTF-8 (Comma delimited)'")


def read_csv(text: str, shown: str) -> list[list[Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    rows: list[list[Any]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise too_many_rows(shown)
    except csv.Error as error:
        limit = re.search(r"field larger than field limit \((\d+)\)", str(error))
        reason = f"a cell is longer than {int(limit[1]):,} characters" if limit else str(error)
        fail(shown, f"cannot be read as CSV: {reason}: is it the right file?", reader.line_num)
    return rows


def delimiter_of(text: str) -> str:
    """The separator that splits the first line into the most known column names."""
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [""])
    header = ",".join(first)
    return max(
        DELIMITERS,
        key=lambda delimiter: sum(column_name(cell) in COLUMNS for cell in header.split(delimiter)),
    )


def read_workbook(path: Path, shown: str, sheet: str | None) -> list[list[Any]]:
    import openpyxl

    check_unpacked_size(path, shown)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        fail(shown, f"cannot be read as an Excel workbook ({type(error).__name__})")
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            fail(shown, f"has no sheet {sheet!r}; its sheets are: {', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = []
        for row in worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append(["" if cell is None else cell for cell in row])
            if len(rows) > MAX_ROWS:
                raise too_many_rows(shown)
        return rows
    finally:
        workbook.close()


def check_unpacked_size(path: Path, shown: str) -> None:
    """Refuse, before unpacking anything, a workbook that would unpack to more than the limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        fail(
            shown,
            "cannot be read as an Excel workbook (it is not an "
            ".xlsx file): save it from Excel as .xlsx",
        )
    if unpacked > MAX_UNPACKED_BYTES:
        fail(
            shown,
            f"unpacks to {unpacked / 1_000_000:,.0f} MB, more than "
            f"the {MAX_UNPACKED_BYTES // 1_000_000} MB a workbook of "
            f"figures may: is it the right file?",
        )


def too_many_rows(shown: str) -> LettersError:
    return LettersError(
        [
            Problem(
                shown,
                f"has more than {MAX_ROWS:,} rows: a year has one row "
                f"per council; is it the right file?",
            )
        ]
    )


def column_name(cell: object) -> str:
    """'Authority type' and 'authority_type' name the same column."""
    return re.sub(r"[\s_-]+", "_", str(cell).strip().lower())


def check_row(
    shown: str, number: int, values: dict[str, Any], seen: dict[str, tuple[int, str]]
) -> list[Problem]:
    def problem(column: str, message: str) -> Problem:
        return Problem(shown, message, number, column)

    long = [column for column in COLUMNS if len(str(values[column])) > MAX_CELL]
    if long:
        return [
            problem(column, f"is longer than {MAX_CELL:,} characters: is it the right column?")
            for column in long
        ]
    problems = []
    council = values["council"]
    if not isinstance(council, str):
        problems.append(problem("council", f"must be the council's name, not {describe(council)}"))
    elif not council.strip():
        problems.append(problem("council", "is empty: write the council's name"))
    else:
        try:
            problems += same_council(problem, council_name(council), seen)
        except ValueError as error:
            problems.append(problem("council", str(error)))
    if str(values["authority_type"]).strip() not in AUTHORITY_TYPES:
        problems.append(
            problem("authority_type", not_an_authority_type(str(values["authority_type"]).strip()))
        )
    counts = {}
    for count in COUNTS:
        value = whole_number(values[count])
        if value is None:
            problems.append(
                problem(
                    count, f"must be a whole number of 0 or more, not {describe(values[count])}"
                )
            )
        counts[count] = value
    problems += [
        problem(part, f"{counts[part]} is more than {whole} ({counts[whole]})")
        for part, whole in parts_over_wholes(counts)
    ]
    return problems


def same_council(
    problem: Callable[[str, str], Problem], council: str, seen: dict[str, tuple[int, str]]
) -> list[Problem]:
    """A row for a council that an earlier row is for too (however its name is spelt)."""
    if name_key(council) not in seen:
        return []
    row, name = seen[name_key(council)]
    if name == council:
        return [problem("council", f"{council} is named twice (also on row {row}): keep one row")]
    return [
        problem(
            "council",
            f"{council} is the same council as {name} on row {row} (the names "
            f"differ only in capitals, spaces or punctuation): keep one row",
        )
    ]


def whole_number(value: object) -> int | None:
    """A count from a cell: 12, 12.0 (Excel's numbers), '12' or '1,200'; None if it is not one
    (a fraction, a date, '1,2,3', the decimal comma of '1,23', '²')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str) and re.fullmatch(WHOLE_NUMBER, value.strip()):
        return int(value.strip().replace(",", ""))
    return None
