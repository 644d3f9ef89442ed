"""Every bad input the tool must answer with one exact, clean message: the table that the tests
(tests/test_bad_inputs.py) and the benchmark (benchmarks/bad_inputs.py) both run.

A case prepares a fresh copy of the project (the five councils) and gives the command to run in
it, as staff would type it in that folder. File cases are the files beside this one, each with
its `.expected` standard error; the others are made below, where a file cannot hold them (links,
folders, workbooks, sizes, templates, command lines).
"""

import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parent / "reference"  # the 2020 reference year every case starts from
EXAMPLE_ROWS = (REFERENCE / "figures-2020.csv").read_text().splitlines()


@dataclass(frozen=True)
class Case:
    family: str
    name: str
    setup: Callable[[Path], list[str]]  # makes the project at its folder bad; the command to run
    expected: str  # standard error, exactly
    exit_code: int = 1

    @property
    def id(self) -> str:
        return f"{self.family}/{self.name}"


def file_cases() -> list[Case]:
    def placed(source: Path, target: str, command: list[str]) -> Callable[[Path], list[str]]:
        def setup(root: Path) -> list[str]:
            shutil.copy(source, root / target)
            return command

        return setup

    cases = []
    for source in sorted((HERE / "councils").glob("*.yaml")):
        cases.append(
            Case(
                "council files",
                source.stem,
                placed(source, f"councils/{source.name}", ["check"]),
                expected(source),
            )
        )
    for source in sorted((HERE / "year").glob("*.yaml")):
        cases.append(
            Case(
                "year files", source.stem, placed(source, "year.yaml", ["check"]), expected(source)
            )
        )
    for source in sorted((HERE / "spreadsheets").glob("*.csv")):
        cases.append(
            Case(
                "spreadsheets",
                source.stem,
                placed(source, source.name, ["import", source.name]),
                expected(source),
            )
        )
    return cases


def expected(source: Path) -> str:
    return source.with_suffix(".expected").read_text(encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# File-system states -------------------------------------------------------------------------

NOT_READ = (
    "is not read: a council file is named with its slug (lower-case letters, digits and "
    "hyphens) and .yaml, like canterbury.yaml: rename it"
)
LINK = "is a link to another file: keep the file itself here, not a link to it"


def council_named(name: str) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        shutil.copy(root / "councils" / "maidstone.yaml", root / "councils" / name)
        return ["check"]

    return setup


def link_to_passwd(root: Path) -> list[str]:
    os.symlink("/etc/passwd", root / "councils" / "passwd.yaml")
    return ["check"]


def link_to_a_council(root: Path) -> list[str]:
    os.symlink(root / "councils" / "maidstone.yaml", root / "councils" / "maidstone-2.yaml")
    return ["check"]


def year_file_a_link(root: Path) -> list[str]:
    (root / "year.yaml").rename(root / "elsewhere.yaml")
    os.symlink(root / "elsewhere.yaml", root / "year.yaml")
    return ["check"]


def folder_named_like_a_council_file(root: Path) -> list[str]:
    (root / "councils" / "folder.yaml").mkdir()
    return ["check"]


def folder_in_place_of(relative: str, *command: str) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        (root / relative).mkdir(parents=True)
        return list(command)

    return setup


def several_megabytes(root: Path) -> list[str]:
    (root / "councils" / "huge.yaml").write_text("name: x\n" + "# padding\n" * 500_000)
    return ["check"]


def not_a_letters_folder(root: Path) -> list[str]:
    shutil.rmtree(root / "councils")
    (root / "year.yaml").unlink()
    return ["check"]


def root_missing(root: Path) -> list[str]:
    return ["check", "--root", "nowhere"]


def year_file_missing(root: Path) -> list[str]:
    (root / "year.yaml").unlink()
    return ["build"]


def folder_where_a_pdf_goes(root: Path) -> list[str]:
    (root / "build" / "pdf" / "maidstone.pdf").mkdir(parents=True)
    return ["build", "maidstone"]


def build_is_a_file(root: Path) -> list[str]:
    (root / "build").write_text("not a folder")
    return ["build", "--html-only"]


# Command lines ------------------------------------------------------------------------------


def command(*arguments: str) -> Callable[[Path], list[str]]:
    return lambda root: list(arguments)


NOT_A_COUNCIL = (
    "is not a council: name a council by its slug, its file's name in councils/ "
    "without .yaml (for example canterbury)"
)

# Templates ----------------------------------------------------------------------------------


def template_edit(file: str, old: str, new: str, *command: str) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        edit(root / "templates" / file, old, new)
        return list(command or ["build", "--html-only"])

    return setup


LOADS = (
    "the letter would load {}: a letter may only use files in templates/ and assets/ "
    "(through embed()) and link to the addresses in year.yaml"
)
EVERY_LETTER = " (letters to cannock-chase, canterbury, leicester and 2 more)"
DATE_LINE = '<p class="date">'
EVIL = "https://evil.example/x.png"
LETTER = REFERENCE / "templates" / "letter.html.j2"
STYLESHEET = REFERENCE / "templates" / "letter.css"
CANTERBURY = REFERENCE / "councils" / "canterbury.yaml"


def line_in(path: Path, text: str) -> int:
    """The line of the reference template that has `text` (where a case's edit lands)."""
    return next(
        number for number, line in enumerate(path.read_text().splitlines(), start=1) if text in line
    )


def template_loads(file: str, line: int | None, address: str) -> str:
    where = f"templates/{file}:{line}" if line else f"templates/{file}"
    return f"{where}: {LOADS.format(address)}{EVERY_LETTER}\n"


# Spreadsheets -------------------------------------------------------------------------------

HEADER = EXAMPLE_ROWS[0].split(",")


def workbook(rows: list[list]) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        book = openpyxl.Workbook()
        sheet = book.worksheets[0]
        for row in [HEADER, *rows]:
            sheet.append(row)
        book.save(root / "figures.xlsx")
        return ["import", "figures.xlsx"]

    return setup


def workbook_bomb(root: Path) -> list[str]:
    """A few hundred kilobytes that unpack to 200 MB."""
    with zipfile.ZipFile(root / "figures.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b" " * 1_000_000
            for _ in range(200):
                sheet.write(block)
    return ["import", "figures.xlsx"]


def not_a_workbook(root: Path) -> list[str]:
    (root / "figures.xlsx").write_text("council,authority_type\n")
    return ["import", "figures.xlsx"]


def csv_rows(count: int) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        rows = [f"Council {number},District Councils,1,1,1,1,1" for number in range(count)]
        (root / "figures.csv").write_text("\n".join([EXAMPLE_ROWS[0], *rows]) + "\n")
        return ["import", "figures.csv"]

    return setup


def csv_cell_of(characters: int) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        row = f'"{"x" * characters}",District Councils,1,1,1,1,1'
        (root / "figures.csv").write_text("\n".join([EXAMPLE_ROWS[0], row]) + "\n")
        return ["import", "figures.csv"]

    return setup


def import_into_an_alias(root: Path) -> list[str]:
    council = root / "councils" / "canterbury.yaml"
    edit(council, "compliance_outcomes: 5 ", "compliance_outcomes: &five 5 ")
    edit(council, "implemented: 5 ", "implemented: *five ")
    rows = [
        row.replace(
            "Canterbury City Council,District Councils,10,5,5,5,0",
            "Canterbury City Council,District Councils,10,5,5,4,0",
        )
        for row in EXAMPLE_ROWS
    ]
    (root / "figures.csv").write_text("\n".join(rows) + "\n")
    return ["import", "figures.csv"]


def two_files_one_council(root: Path) -> list[str]:
    shutil.copy(root / "councils" / "canterbury.yaml", root / "councils" / "canterbury-2.yaml")
    (root / "figures.csv").write_text("\n".join(EXAMPLE_ROWS) + "\n")
    return ["import", "figures.csv"]


def import_into_a_link(root: Path) -> list[str]:
    council = root / "councils" / "canterbury.yaml"
    council.rename(root / "canterbury-elsewhere.yaml")
    os.symlink(root / "canterbury-elsewhere.yaml", council)
    (root / "figures.csv").write_text("\n".join(EXAMPLE_ROWS) + "\n")
    return ["import", "figures.csv"]


def made_cases() -> list[Case]:
    letter = "letter.html.j2"
    return [
        Case(
            "file-system states",
            "council-file-a-link-to-etc-passwd",
            link_to_passwd,
            f"councils/passwd.yaml: {LINK}\n",
        ),
        Case(
            "file-system states",
            "council-file-a-link-to-another",
            link_to_a_council,
            f"councils/maidstone-2.yaml: {LINK}\n",
        ),
        Case("file-system states", "year-file-a-link", year_file_a_link, f"year.yaml: {LINK}\n"),
        Case(
            "file-system states",
            "council-file-ending-yml",
            council_named("testham.yml"),
            f"councils/testham.yml: {NOT_READ}\n",
        ),
        Case(
            "file-system states",
            "council-file-in-capitals",
            council_named("Testham.YAML"),
            f"councils/Testham.YAML: {NOT_READ}\n",
        ),
        Case(
            "file-system states",
            "council-file-named-only-yaml",
            council_named(".yaml"),
            f"councils/.yaml: {NOT_READ}\n",
        ),
        Case(
            "file-system states",
            "council-file-name-with-spaces",
            council_named("St Albans.yaml"),
            f"councils/St Albans.yaml: {NOT_READ}\n",
        ),
        Case(
            "file-system states",
            "manifest-a-folder",
            folder_in_place_of("build/manifest.json", "build", "--html-only"),
            "build/manifest.json: cannot be written (Is a directory): a folder is in the way: "
            "remove or rename it\n",
        ),
        Case(
            "file-system states",
            "overview-a-folder",
            folder_in_place_of("build/index.html", "build", "--html-only"),
            "build/index.html: cannot be written (Is a directory): a folder is in the way: "
            "remove or rename it\n",
        ),
        Case(
            "file-system states",
            "folder-named-like-a-council-file",
            folder_named_like_a_council_file,
            "councils/folder.yaml: is a folder, not a file: "
            "only council files belong here; move or rename it\n",
        ),
        Case(
            "file-system states",
            "council-file-of-several-megabytes",
            several_megabytes,
            "councils/huge.yaml: is larger than 1 MB: is it the right file?\n",
        ),
        Case(
            "file-system states",
            "not-a-letters-folder",
            not_a_letters_folder,
            "letters: this folder is not a letters folder (it has no year.yaml and no "
            "councils/): run letters in the folder that has them, or point at it with --root "
            "DIR\n",
        ),
        Case(
            "file-system states",
            "root-folder-missing",
            root_missing,
            "letters: there is no folder nowhere: give --root the folder that holds year.yaml "
            "and councils/\n",
        ),
        Case(
            "file-system states",
            "year-file-missing",
            year_file_missing,
            "year.yaml: is missing from this folder: a letters folder has year.yaml and "
            "councils/ side by side\n",
        ),
        Case(
            "file-system states",
            "a-folder-where-a-pdf-goes",
            folder_where_a_pdf_goes,
            "build/pdf/maidstone.pdf: cannot be written (Is a directory): a folder is in the "
            "way: remove or rename it (letter to maidstone)\n",
        ),
        Case(
            "file-system states",
            "build-is-a-file",
            build_is_a_file,
            f"build: cannot be written (Not a directory): a file is where a folder should be: "
            f"remove or rename it{EVERY_LETTER}\n"
            "build: cannot be written (File exists): a file is where a folder should be: remove "
            "or rename it\n",
        ),
        Case(
            "command lines",
            "build-a-path-outside-councils",
            command("build", "../elsewhere/foo"),
            f"../elsewhere/foo: {NOT_A_COUNCIL}\n",
        ),
        Case(
            "command lines",
            "fields-of-an-empty-name",
            command("fields", ""),
            "letters: a council's name is empty: name a council by its slug (for example "
            "canterbury)\n",
        ),
        Case(
            "command lines",
            "build-a-5000-character-slug",
            command("build", "a" * 5000),
            f"councils/{'a' * 48}...: no such council file; the councils are: cannock-chase, "
            "canterbury, leicester, maidstone, sevenoaks\n",
        ),
        Case(
            "command lines",
            "build-councils-dot-yaml",
            command("build", "councils/.yaml"),
            f"councils/.yaml: {NOT_A_COUNCIL}\n",
        ),
        Case(
            "command lines",
            "build-an-absolute-path",
            command("build", "/etc/passwd"),
            f"/etc/passwd: {NOT_A_COUNCIL}\n",
        ),
        Case(
            "command lines",
            "preview-a-path",
            command("preview", "../x", "--once"),
            f"../x: {NOT_A_COUNCIL}\n",
        ),
        Case(
            "command lines",
            "build-an-unknown-council",
            command("build", "york", "maidston"),
            "councils/york.yaml: no such council file; the councils are: cannock-chase, "
            "canterbury, leicester, maidstone, sevenoaks\n"
            "councils/maidston.yaml: no such council file; did you mean maidstone?\n",
        ),
        Case(
            "command lines",
            "import-a-missing-file",
            command("import", "figures.csv"),
            "figures.csv: is not a file: give a .csv or .xlsx spreadsheet\n",
        ),
        Case(
            "command lines",
            "import-the-year-file",
            command("import", "year.yaml"),
            "year.yaml: is not a .csv or .xlsx spreadsheet: save it as one\n",
        ),
        Case(
            "templates",
            "division-by-zero-for-some-councils",
            template_edit("_training_courses.html.j2", "{% if", "{{ 1 / 0 }}\n{% if", "build"),
            "templates/_training_courses.html.j2:2: template error: ZeroDivisionError: "
            "division by zero (letters to canterbury and sevenoaks)\n",
        ),
        Case(
            "templates",
            "a-partial-that-includes-itself",
            template_edit(
                "_witness_summons.html.j2",
                "<p ",
                '{% include "_witness_summons.html.j2" %}\n<p ',
                "build",
            ),
            "templates/_witness_summons.html.j2:2: template includes itself, or nests too "
            "deeply: correct the {% include %} or {% extends %} (letter to canterbury)\n",
        ),
        Case(
            "templates",
            "text-plus-a-number",
            template_edit(letter, "{{ letter.date }}", "{{ council.name + 1 }}", "build"),
            f"templates/letter.html.j2:{line_in(LETTER, '{{ letter.date }}')}: template "
            f'error: TypeError: can only concatenate str (not "int") to str{EVERY_LETTER}\n',
        ),
        Case(
            "templates",
            "an-image-from-the-web",
            template_edit(letter, DATE_LINE, f'<img src="{EVIL}" alt="">{DATE_LINE}'),
            template_loads(letter, line_in(LETTER, DATE_LINE), EVIL),
        ),
        Case(
            "templates",
            "an-image-set-from-the-web",
            template_edit(
                letter, DATE_LINE, f'<img src="data:," srcset="{EVIL} 2x" alt="">{DATE_LINE}'
            ),
            template_loads(letter, line_in(LETTER, DATE_LINE), f"{EVIL} 2x"),
        ),
        Case(
            "templates",
            "a-stylesheet-from-the-web",
            template_edit(
                letter,
                "</head>",
                '<link rel="stylesheet" href="https://evil.example/x.css">\n</head>',
            ),
            template_loads(letter, line_in(LETTER, "</head>"), "https://evil.example/x.css"),
        ),
        Case(
            "templates",
            "a-frame",
            template_edit(
                letter, DATE_LINE, f'<iframe src="file:///etc/passwd"></iframe>{DATE_LINE}'
            ),
            template_loads(letter, None, "<iframe>")
            + template_loads(letter, line_in(LETTER, DATE_LINE), "file:///etc/passwd"),
        ),
        Case(
            "templates",
            "a-link-not-in-year-yaml",
            template_edit(letter, DATE_LINE, f'<a href="http://evil.example/">x</a>{DATE_LINE}'),
            template_loads(letter, line_in(LETTER, DATE_LINE), "http://evil.example/"),
        ),
        Case(
            "templates",
            "css-import-written-with-an-escape",
            template_edit(
                "letter.css", "@page {", '@\\69mport "https://evil.example/x.css";\n@page {'
            ),
            template_loads(
                "letter.css", line_in(STYLESHEET, "@page {"), "https://evil.example/x.css"
            ),
        ),
        Case(
            "templates",
            "css-url-written-with-an-escape",
            template_edit(
                "letter.css",
                "body { margin: 0; }",
                f"body {{ margin: 0; background: u\\72 l({EVIL}); }}",
            ),
            template_loads("letter.css", line_in(STYLESHEET, "body { margin: 0; }"), EVIL),
        ),
        Case(
            "templates",
            "no-content-security-policy",
            template_edit(
                letter,
                '<meta http-equiv="Content-Security-Policy" '
                'content="{{ content_security_policy }}">\n',
                "",
            ),
            "templates/letter.html.j2: the letter has no Content-Security-Policy: keep the line "
            '<meta http-equiv="Content-Security-Policy" content="{{ content_security_policy }}">'
            f" in its <head>{EVERY_LETTER}\n",
        ),
        Case(
            "spreadsheets",
            "workbook-formula-with-no-saved-value",
            workbook([["Canterbury City Council", "District Councils", "=1+9", 5, 5, 5, 0]]),
            "figures.xlsx:2: investigations: is a formula with no saved value (=1+9): open the "
            "file in Excel, save it, and import again\n",
        ),
        Case(
            "spreadsheets",
            "workbook-number-too-large-to-keep",
            workbook(
                [
                    [
                        "Canterbury City Council",
                        "District Councils",
                        1.2345678901234568e16,
                        1,
                        1,
                        1,
                        0,
                    ]
                ]
            ),
            "figures.xlsx:2: investigations: is a number too large for a spreadsheet to keep "
            "exactly (12345678901234570 may not be what was typed): check the cell\n",
        ),
        Case(
            "spreadsheets",
            "workbook-number-as-council-name",
            workbook([[12, "District Councils", 1, 1, 1, 1, 1]]),
            "figures.xlsx:2: council: must be the council's name, not 12\n",
        ),
        Case(
            "spreadsheets",
            "workbook-date-as-council-name",
            workbook(
                [[__import__("datetime").datetime(2020, 1, 5), "District Councils", 1, 1, 1, 1, 1]]
            ),
            "figures.xlsx:2: council: must be the council's name, not a date (2020-01-05)\n",
        ),
        Case(
            "spreadsheets",
            "workbook-date-as-a-count",
            workbook(
                [
                    [
                        "Testham Borough Council",
                        "District Councils",
                        __import__("datetime").datetime(2020, 1, 5),
                        1,
                        1,
                        1,
                        1,
                    ]
                ]
            ),
            "figures.xlsx:2: investigations: must be a whole number of 0 or more, not a date "
            "(2020-01-05)\n",
        ),
        Case(
            "spreadsheets",
            "workbook-that-unpacks-to-200-mb",
            workbook_bomb,
            "figures.xlsx: unpacks to 200 MB, more than the 50 MB a workbook of figures may: is "
            "it the right file?\n",
        ),
        Case(
            "spreadsheets",
            "workbook-that-is-not-one",
            not_a_workbook,
            "figures.xlsx: cannot be read as an Excel workbook (it is not an .xlsx file): save "
            "it from Excel as .xlsx\n",
        ),
        Case(
            "spreadsheets",
            "csv-of-10001-rows",
            csv_rows(10_001),
            "figures.csv: has more than 10,000 rows: a year has one row per council; is it the "
            "right file?\n",
        ),
        Case(
            "spreadsheets",
            "csv-cell-of-200000-characters",
            csv_cell_of(200_000),
            "figures.csv:2: cannot be read as CSV: a cell is longer than 131,072 characters: is "
            "it the right file?\n",
        ),
        Case(
            "spreadsheets",
            "import-into-an-alias",
            import_into_an_alias,
            f"councils/canterbury.yaml:{line_in(CANTERBURY, 'compliance_outcomes: ')}: "
            "statistics.implemented: uses a YAML anchor or alias "
            "(& or *): write the value itself, then import again\n",
        ),
        Case(
            "spreadsheets",
            "two-files-for-one-council",
            two_files_one_council,
            "councils/canterbury.yaml:2: name: names the same council as "
            "councils/canterbury-2.yaml (Canterbury City Council): keep one file per council\n",
        ),
        Case(
            "spreadsheets",
            "import-into-a-link",
            import_into_a_link,
            f"councils/canterbury.yaml: {LINK}\n",
        ),
    ]


CASES = file_cases() + made_cases()
