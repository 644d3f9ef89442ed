"""Import, read: the case system's figures from a CSV file or Excel workbook, row by row, in
the columns fields.yaml names (`column:`), each checked as its kind."""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from letters.data.fields import (
    Declaration,
    FieldKind,
    not_the_sum,
    parts_over_wholes,
    sums_not_adding_up,
)
from letters.data.load import WHOLE_NUMBER
from letters.data.validate import (
    AUTHORITY_TYPES,
    council_name,
    describe,
    name_key,
    not_an_authority_type,
    visible_text,
)
from letters.problems import LettersError, Problem, excerpt, fail

OWN_COLUMNS = ("council", "authority_type")
Location = tuple[str, str]  # (section, field) in a council file

# A year has one row per council (about 340): these are far beyond any real export, and keep a
# hostile file from taking minutes or gigabytes.
MAX_ROWS = 10_000
MAX_COLUMNS = 100
MAX_CELL = 1_000  # characters
MAX_CSV_BYTES = 20_000_000
MAX_UNPACKED_BYTES = 50_000_000  # what an .xlsx (a zip file) may unpack to
DELIMITERS = ",;\t"  # Excel writes ';' where the decimal separator is a comma


@dataclass(frozen=True)
class Imported:
    """A declared field that a spreadsheet column fills (fields.yaml's `column:`)."""

    section: str
    field: str
    kind: FieldKind
    headers: tuple[str, ...]  # the column's names, as column_name() reads them; first preferred
    required: bool  # every council has it: its column must be there, its cells filled
    in_section: bool  # a council that has its section has it: filled where the section is

    @property
    def location(self) -> Location:
        return (self.section, self.field)


def imported_fields(declaration: Declaration) -> list[Imported]:
    return [
        Imported(
            section_name,
            name,
            field.kind,
            tuple(column_name(column) for column in field.columns),
            not section.optional and not field.optional and field.default is None,
            not field.optional and field.default is None,
        )
        for section_name, section in declaration.sections.items()
        for name, field in section.fields.items()
        if field.columns
    ]


@dataclass(frozen=True)
class FigureRow:
    """One council's figures, as a spreadsheet row gives them: each declared field with a
    column, where its cell is filled."""

    sheet: str  # the spreadsheet, as messages name it
    row: int
    council: str
    authority_type: str
    values: dict[Location, object]

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.sheet, message, self.row, column)


@dataclass(frozen=True)
class Figures:
    rows: list[FigureRow]
    unused: list[str]  # columns no declared field imports from, as the spreadsheet heads them


def read_figures(
    path: Path, shown: str, declaration: Declaration, sheet: str | None = None
) -> Figures:
    """Every row of the spreadsheet, checked; or a LettersError naming each bad row and column."""
    fields = imported_fields(declaration)
    aliases = own_aliases(declaration)
    own_headers = {own: headers[0] for own, headers in declaration.own_columns.headers().items()}
    required = [*own_headers.values(), *(field.headers[0] for field in fields if field.required)]
    known = {*OWN_COLUMNS, *aliases, *(header for field in fields for header in field.headers)}
    rows = read_table(path, shown, sheet, known, aliases)
    if not rows:
        fail(shown, f"has no rows: the first row must name the columns ({', '.join(required)})", 1)
    header_problems(shown, rows, known, required, aliases)
    columns = [own_name(cell, aliases) for cell in rows[0]]
    used = {field.location: header_of(field, columns) for field in fields}
    missing = [
        field.headers[0] for field in fields if field.required and used[field.location] is None
    ]
    missing = [own_headers[column] for column in OWN_COLUMNS if column not in columns] + missing
    if missing:
        raise LettersError(
            [
                Problem(
                    shown,
                    f"missing column: {column} (the columns are: {', '.join(required)})",
                    1,
                )
                for column in missing
            ]
        )
    present = [field for field in fields if used[field.location]]
    problems: list[Problem] = []
    figures: list[FigureRow] = []
    seen: dict[str, tuple[int, str]] = {}
    for number, cells in enumerate(rows[1:], start=2):
        values = dict(zip(columns, [*cells, *[""] * (len(columns) - len(cells))], strict=False))
        if not any(str(value).strip() for value in values.values()):
            continue  # a blank row
        cells_of = {field.location: values[used[field.location] or ""] for field in present}
        row = Row(
            shown,
            number,
            values,
            {field.location: used[field.location] or "" for field in present},
            {own_name(cell, aliases): str(cell).strip() for cell in rows[0]},
        )
        row_problems = check_row(row, present, cells_of, declaration, seen)
        problems += row_problems
        if not row_problems:
            council = council_name(values["council"])
            seen[name_key(council)] = (number, council)
            figures.append(
                FigureRow(
                    shown,
                    number,
                    council,
                    values["authority_type"].strip(),
                    {
                        field.location: value
                        for field in present
                        if (value := cell_value(field.kind, cells_of[field.location])) is not None
                    },
                )
            )
    if problems:
        raise LettersError(problems)
    return Figures(figures, unused_columns(rows[0], known))


def own_aliases(declaration: Declaration) -> dict[str, str]:
    """Each header fields.yaml's `import:` gives a tool's own column, as column_name() reads
    it, and the column it is: {'organisation': 'council'}."""
    return {
        column_name(header): own
        for own, headers in declaration.own_columns.headers().items()
        for header in headers
    }


def own_name(cell: object, aliases: dict[str, str]) -> str:
    """A header as the import names its column: a tool's own column by fields.yaml's name."""
    name = column_name(cell)
    return aliases.get(name, name)


def header_problems(
    shown: str, rows: list[list[Any]], known: set[str], required: list[str], aliases: dict[str, str]
) -> None:
    """What is wrong with the header row as a whole, said once: a title row above it, a column
    named twice, rows split by another separator than the header."""
    named = [own_name(cell, aliases) for cell in rows[0]]
    if not set(OWN_COLUMNS) <= set(named):
        below = next(
            (
                number
                for number, cells in enumerate(rows[1:10], start=2)
                if set(OWN_COLUMNS) <= {own_name(cell, aliases) for cell in cells}
            ),
            None,
        )
        if below:
            fail(
                shown,
                f"the column names are on row {below}, not row 1: delete the rows above them "
                f"(a title, notes) and import again",
                1,
            )
    twice = [
        column
        for column in dict.fromkeys(named)
        if column and column in known and named.count(column) > 1
    ]
    if twice:
        headers = [str(cell).strip() for cell in rows[0]]
        fail(
            shown,
            "; ".join(
                f"two columns are named {column} ("
                + " and ".join(
                    f"{letter_of(index)} {headers[index]!r}"
                    for index, name in enumerate(named)
                    if name == column
                )
                + ")"
                for column in twice
            )
            + ": keep one of each and import again",
            1,
        )
    if len(named) > 1 and len(rows) > 1 and all(len(cells) == 1 for cells in rows[1:] if cells):
        fail(
            shown,
            "the first row is split into columns but the other rows are not: the file uses one "
            "separator in its first row and another below; save it again as CSV and import it",
            2,
        )


def letter_of(index: int) -> str:
    """A spreadsheet's name for a column: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(ord("A") + remainder) + name
    return name


def header_of(field: Imported, columns: list[str]) -> str | None:
    """The column a field imports from: the first of its names the spreadsheet has."""
    return next((header for header in field.headers if header in columns), None)


def unused_columns(header: list[Any], known: set[str]) -> list[str]:
    return [
        str(cell).strip() for cell in header if str(cell).strip() and column_name(cell) not in known
    ]


@dataclass(frozen=True)
class Row:
    """A row being checked: where it is, its cells by column, and each field's column."""

    sheet: str
    number: int
    values: dict[str, Any]
    columns: dict[Location, str]
    headers: dict[str, str]  # each column's header as the spreadsheet writes it

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.sheet, message, self.number, self.headers.get(column, column))


def read_table(
    path: Path, shown: str, sheet: str | None, known: set[str], aliases: dict[str, str]
) -> list[list[Any]]:
    if not path.is_file():
        fail(shown, "is not a file: give a .csv or .xlsx spreadsheet")
    if path.suffix.lower() == ".xlsx":
        return read_workbook(path, shown, sheet, aliases)
    if path.suffix.lower() != ".csv":
        fail(shown, "is not a .csv or .xlsx spreadsheet: save it as one")
    if path.stat().st_size > MAX_CSV_BYTES:
        fail(
            shown,
            f"is larger than {MAX_CSV_BYTES // 1_000_000} MB: a "
            f"year's figures are far smaller; is it the right file?",
        )
    return read_csv(decoded(path.read_bytes(), shown), shown, known)


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


def read_csv(text: str, shown: str, known: set[str]) -> list[list[Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text, known))
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


def delimiter_of(text: str, known: set[str]) -> str:
    """The separator that splits the first line into the most known column names."""
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [""])
    header = ",".join(first)
    return max(
        DELIMITERS,
        key=lambda delimiter: sum(column_name(cell) in known for cell in header.split(delimiter)),
    )


def read_workbook(
    path: Path, shown: str, sheet: str | None, aliases: dict[str, str]
) -> list[list[Any]]:
    import openpyxl

    check_unpacked_size(path, shown)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        fail(shown, f"cannot be read as an Excel workbook ({type(error).__name__})")
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            fail(shown, f"has no sheet {sheet!r}; its sheets are: {', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet else sheet_of_figures(workbook, shown, aliases)
        formulas = uncomputed_formulas(path, worksheet.title)
        merged = merged_ranges(path, worksheet)
        rows: list[list[Any]] = []
        blank = 0  # rows with nothing in them, kept only if a row with something follows
        for cells in worksheet.iter_rows(max_col=MAX_COLUMNS):
            row = [as_shown(cell) for cell in cells]
            if all(cell is None for cell in row):
                blank += 1
                continue
            rows += [[] for _ in range(blank)]
            blank = 0
            number = len(rows) + 1
            rows.append(
                [
                    formulas.get((number, column), "" if cell is None else cell)
                    for column, cell in enumerate(row, start=1)
                ]
            )
            if len(rows) > MAX_ROWS:
                raise too_many_rows(shown)
        return spread_merged(rows, merged)
    finally:
        workbook.close()


CellRange = tuple[int, int, int, int]  # first row, first column, last row, last column (from 1)


def merged_ranges(path: Path, worksheet: Any) -> list[CellRange]:
    """The sheet's merged cells (B2:B9), read from its XML: a read-only sheet does not say."""
    where = getattr(worksheet, "_worksheet_path", None)
    if not where:
        return []
    with zipfile.ZipFile(path) as archive:
        try:
            data = archive.read(where.lstrip("/"))
        except KeyError:
            return []
    return [
        (int(found[2]), column_number(found[1]), int(found[4]), column_number(found[3]))
        for found in MERGED.finditer(data.decode("utf-8", "replace"))
    ]


MERGED = re.compile(
    r'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"'
)


def column_number(letters: str) -> int:
    """A spreadsheet's column name as a number: A -> 1, AA -> 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def spread_merged(rows: list[list[Any]], merged: list[CellRange]) -> list[list[Any]]:
    """Each merged cell's value in every cell it covers, as the sheet shows it (a type merged
    down the rows of its councils is each council's)."""
    for first_row, first_column, last_row, last_column in merged:
        if first_row > len(rows) or first_column > len(rows[first_row - 1]):
            continue
        value = rows[first_row - 1][first_column - 1]
        for number in range(first_row, min(last_row, len(rows)) + 1):
            row = rows[number - 1]
            width = min(last_column, MAX_COLUMNS)
            row.extend([""] * (width - len(row)))
            for column in range(first_column, width + 1):
                row[column - 1] = value
    return rows


@dataclass(frozen=True)
class PercentCell:
    """A workbook cell formatted as a percentage: it holds 0.6 and shows 60%."""

    held: float
    number_format: str

    @property
    def percent(self) -> float:
        return round(self.held * 100, 9)  # 0.07 * 100 is 7.000000000000001

    def __str__(self) -> str:
        return f"{self.percent:g}%"


def as_shown(cell: Any) -> object:
    """A workbook cell's value, a percentage cell's as the percentage it shows."""
    value = cell.value
    number_format = getattr(cell, "number_format", None) or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        return PercentCell(float(value), number_format)
    return value


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell saved without its value (a program that does not calculate wrote it)."""

    formula: str


def uncomputed_formulas(path: Path, title: str) -> dict[tuple[int, int], Uncomputed]:
    """(row, column) of each formula cell of the sheet that has no saved value."""
    import openpyxl

    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        found = {}
        pairs = zip(
            formulas[title].iter_rows(max_col=MAX_COLUMNS, max_row=MAX_ROWS + 1),
            values[title].iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=MAX_ROWS + 1),
            strict=False,
        )
        for number, (cells, saved) in enumerate(pairs, start=1):
            for column, (cell, value) in enumerate(zip(cells, saved, strict=False), start=1):
                if value is None and isinstance(cell.value, str) and cell.value.startswith("="):
                    found[(number, column)] = Uncomputed(cell.value)
        return found
    finally:
        formulas.close()
        values.close()


def sheet_of_figures(workbook: Any, shown: str, aliases: dict[str, str]) -> Any:
    """The one visible sheet with a council and an authority_type column (in its first rows);
    refused, in words, where that is a hidden sheet or more than one."""

    def has_the_columns(worksheet: Any) -> bool:
        first_rows = worksheet.iter_rows(values_only=True, max_row=10, max_col=MAX_COLUMNS)
        return any(
            set(OWN_COLUMNS) <= {own_name(cell, aliases) for cell in row} for row in first_rows
        )

    with_columns = [worksheet for worksheet in workbook.worksheets if has_the_columns(worksheet)]
    visible = [worksheet for worksheet in with_columns if worksheet.sheet_state == "visible"]
    if len(visible) == 1:
        return visible[0]
    if len(visible) > 1:
        names = ", ".join(repr(worksheet.title) for worksheet in visible)
        fail(
            shown,
            f"has {len(visible)} sheets with council and authority_type columns ({names}): "
            f"say which to import with --sheet NAME",
        )
    if with_columns:
        name = with_columns[0].title
        fail(
            shown,
            f"the only sheet with council and authority_type columns, {name!r}, is hidden: "
            f"show it in Excel or import it with --sheet {name!r}, if it is this year's",
        )
    return workbook.active or workbook.worksheets[0]


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
    row: Row,
    fields: list[Imported],
    cells: dict[Location, Any],
    declaration: Declaration,
    seen: dict[str, tuple[int, str]],
) -> list[Problem]:
    uncomputed = [
        column
        for column in [*OWN_COLUMNS, *row.columns.values()]
        if isinstance(row.values[column], Uncomputed)
    ]
    if uncomputed:
        return [
            row.problem(
                column,
                f"is a formula with no saved value ({excerpt(row.values[column].formula)}): "
                f"open the file in Excel, save it, and import again",
            )
            for column in uncomputed
        ]
    long = [
        column
        for column in [*OWN_COLUMNS, *row.columns.values()]
        if len(str(row.values[column])) > MAX_CELL
    ]
    if long:
        return [
            row.problem(column, f"is longer than {MAX_CELL:,} characters: is it the right column?")
            for column in long
        ]
    problems = []
    council = row.values["council"]
    if not isinstance(council, str):
        problems.append(
            row.problem("council", f"must be the council's name, not {describe(council)}")
        )
    elif not council.strip():
        problems.append(row.problem("council", "is empty: write the council's name"))
    else:
        try:
            problems += same_council(row.problem, council_name(council), seen)
        except ValueError as error:
            problems.append(row.problem("council", str(error)))
    if is_blank(row.values["authority_type"]):
        problems.append(
            row.problem(
                "authority_type",
                "is empty: write the council's type of authority (if the cell is merged over "
                "several rows, unmerge it and fill in each row)",
            )
        )
    elif str(row.values["authority_type"]).strip() not in AUTHORITY_TYPES:
        problems.append(
            row.problem(
                "authority_type", not_an_authority_type(str(row.values["authority_type"]).strip())
            )
        )
    values: dict[Location, object] = {}
    filled = {field.section for field in fields if not is_blank(cells[field.location])}
    for field in fields:
        cell = cells[field.location]
        needed = field.required or (field.in_section and field.section in filled)
        if is_blank(cell) and not needed:
            continue
        try:
            values[field.location] = cell_value(field.kind, cell, strict=True)
        except ValueError as error:
            problems.append(row.problem(row.columns[field.location], str(error)))
    for section in declaration.sections:
        counts = {field: value for (where, field), value in values.items() if where == section}
        problems += [
            row.problem(
                row.columns[(section, part)],
                f"{counts[part]} is more than {row.headers[row.columns[(section, whole)]]} "
                f"({counts[whole]})",
            )
            for part, whole in parts_over_wholes(declaration.parts(section), counts)
            if (section, whole) in row.columns
        ]
        for whole, parts in sums_not_adding_up(declaration.sums(section), counts):
            if all((section, name) in row.columns for name in [whole, *parts]):
                header = {name: row.headers[row.columns[(section, name)]] for name in parts}
                message = not_the_sum(counts, whole, parts, header.__getitem__)
                problems.append(row.problem(row.columns[(section, whole)], message))
    return problems


def is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_value(kind: FieldKind, cell: object, strict: bool = False) -> object:
    """A cell as the value of a field of `kind`; None for a blank cell. `strict`: a cell that
    is not one raises ValueError saying what it must be (else None)."""
    if is_blank(cell) and not strict:
        return None
    value = CELL_READERS[kind](cell)
    if value is None and strict and isinstance(cell, float) and abs(cell) >= 2**53:
        raise ValueError(
            f"is a number too large for a spreadsheet to keep exactly ({cell:.0f} may not be "
            f"what was typed): check the cell"
        )
    if value is None and strict and isinstance(cell, PercentCell):
        raise ValueError(
            f"{MUST_BE[kind]}, not {cell} (a cell formatted as a percentage, "
            f"{cell.number_format!r}, holding {cell.held:g}): check the cell and its format"
        )
    if value is None and strict:
        raise ValueError(f"{MUST_BE[kind]}, not {describe(cell)}")
    return value


def one_line_text(cell: object) -> str | None:
    if not isinstance(cell, str | int | float) or isinstance(cell, bool):
        return None
    return visible_text(str(cell))


def yes_or_no(cell: object) -> bool | None:
    if isinstance(cell, bool):
        return cell
    answers = {"yes": True, "no": False, "true": True, "false": False}
    return answers.get(cell.strip().lower()) if isinstance(cell, str) else None


def a_date(cell: object) -> date | None:
    if isinstance(cell, datetime):  # a workbook's date cell: midnight, or it is not a date alone
        return cell.date() if cell.time() == datetime.min.time() else None
    if isinstance(cell, date):
        return cell
    if isinstance(cell, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", cell.strip()):
        try:
            return date.fromisoformat(cell.strip())
        except ValueError:
            return None
    return None


def a_percent(cell: object) -> int | float | None:
    """12, 12.5, '12.5', '12.5%' or a cell formatted as a percentage that shows 12.5%: 0 to
    100, at most one decimal place."""
    if isinstance(cell, PercentCell):
        cell = cell.percent
    if isinstance(cell, bool):
        return None
    text = str(cell).strip().removesuffix("%").strip() if isinstance(cell, str) else None
    number: int | float
    if isinstance(cell, int | float):
        number = cell
    elif text is not None and re.fullmatch(r"(?:0|[1-9][0-9]{0,2})(?:\.[0-9])?", text):
        number = float(text) if "." in text else int(text)
    else:
        return None
    if isinstance(number, float) and (number != round(number, 1) or number != number):
        return None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return number if 0 <= number <= 100 else None


CELL_READERS: dict[str, Any] = {
    "count": lambda cell: whole_number(cell),
    "percent": a_percent,
    "yes-no": yes_or_no,
    "date": a_date,
    "text": one_line_text,
}
MUST_BE = {
    "count": "must be a whole number of 0 or more",
    "percent": "must be a percentage from 0 to 100 with at most one decimal place",
    "yes-no": "must be yes or no",
    "date": "must be a date, written YYYY-MM-DD or as a date cell",
    "text": "must be text",
}


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
    if isinstance(value, float):  # beyond 2**53 a spreadsheet's number is not the one typed
        return int(value) if value.is_integer() and 0 <= value < 2**53 else None
    if isinstance(value, str) and re.fullmatch(WHOLE_NUMBER, value.strip()):
        return int(value.strip().replace(",", ""))
    return None
