"""The year at a glance, build/index.html and build/letters.csv."""

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from letters.batch.manifest import Entry
from letters.batch.outcome import Summary
from letters.batch.outputs import write_atomically
from letters.data.fields import Declaration
from letters.data.project import THE_LETTER, Outputs
from letters.pages.tool_pages import page
from letters.review.find import searched
from letters.send.approval import Standing
from letters.send.state import Approval, Sending

# Cells a spreadsheet program would run as a formula (OWASP's "CSV injection").
# A formula's start at the cell's start or after a separator another program may split on
# (a line break too).
FORMULA_PIECE = re.compile(r"(^|[,;\t\r\n])(?=[=+\-@\t\r])")
FAR = 10  # percentage points from the average that mark a figure for a reviewer's attention


@dataclass(frozen=True)
class Measure:
    """A percentage fields.yaml sets beside the average for similar authorities."""

    name: str
    title: str
    better: str | None  # "higher" or "lower": which way from the average is better


@dataclass(frozen=True)
class Columns:
    """What the overview's columns are this year, as fields.yaml declares them."""

    measures: tuple[Measure, ...]
    titles: dict[str, str]  # of each optional section

    @classmethod
    def of(cls, declaration: Declaration) -> "Columns":
        return cls(
            tuple(
                Measure(
                    averaged.name,
                    averaged.title or averaged.name.replace("_", " ").capitalize(),
                    averaged.better,
                )
                for averaged in declaration.averaged()
            ),
            {name: declaration.title(name) for name in declaration.optional_sections},
        )


@dataclass(frozen=True)
class OverviewRow:
    """One council in the year's overview: its manifest entry, approval and sending."""

    slug: str
    name: str
    authority_type: str
    figures: dict[str, list[int | float | None]]  # by measure: [percent, average]
    optional_paragraphs: list[str]
    pages: int | None
    status: str
    rebuilt: bool
    defects: list[str]
    information: list[str]
    problems: list[str]
    approval: Approval
    sending: Sending
    html: str | None  # the letter's path inside build/, when it is there
    pdf: str | None
    approved_pdf: str | None  # the PDF its latest approval covered (under records/), from build/
    columns: Columns

    @property
    def paragraph_names(self) -> list[str]:
        return [self.columns.titles.get(name, name) for name in self.optional_paragraphs]

    def figure(self, measure: str) -> list[int | float | None]:
        return self.figures.get(measure, [None, None])

    @property
    def far(self) -> dict[str, str]:
        return {
            measure.name: far_from_average(*self.figure(measure.name))
            for measure in self.columns.measures
        }

    @property
    def mark(self) -> dict[str, str]:
        return {
            measure.name: better_or_worse(measure.better, *self.figure(measure.name))
            for measure in self.columns.measures
        }


def overview_rows(
    councils: dict[str, Entry], outputs: Outputs, standings: dict[str, Standing], columns: Columns
) -> list[OverviewRow]:
    """One row per council, in the order of the council's name."""
    rows = []
    for slug, entry in councils.items():
        summary: Summary = entry["summary"] or {
            "name": slug,
            "authority_type": "",
            "figures": {},
            "optional_paragraphs": [],
        }
        notes = entry["proofreading"]
        built = {
            kind: outputs.relative(kind, slug) if outputs.path(kind, slug).exists() else None
            for kind in THE_LETTER
        }
        rows.append(
            OverviewRow(
                slug=slug,
                name=summary["name"],
                authority_type=summary["authority_type"],
                figures=summary["figures"],
                optional_paragraphs=summary["optional_paragraphs"],
                pages=entry["pages"],
                status=entry["status"],
                rebuilt=entry["rebuilt"],
                defects=[note["text"] for note in notes if note["kind"] == "defect"],
                information=[note["text"] for note in notes if note["kind"] == "information"],
                problems=entry["problems"],
                approval=standings[slug].approval,
                sending=standings[slug].sending,
                html=built["html"],
                pdf=built["pdf"],
                approved_pdf=linked_from(outputs, standings[slug].approved_pdf),
                columns=columns,
            )
        )
    return sorted(rows, key=lambda row: row.name.casefold())


def linked_from(outputs: Outputs, path: Path | None) -> str | None:
    """A file outside build/ as the overview links to it (records/ is beside build/)."""
    return None if path is None else Path(os.path.relpath(path, outputs.folder)).as_posix()


def letter_words(outputs: Outputs, councils: dict[str, Entry]) -> Iterator[bytes]:
    """build/letters-words.js, a letter at a time (a year's words are never held whole): each
    letter's words as last built, run together, and where each page starts, for the page's
    search. JSON is a script, and every character outside ASCII is escaped."""
    yield b"// Each letter's words for the overview's search (letters find reads build/text/).\n"
    yield b"window.letterWords = {\n"
    for slug, entry in councils.items():
        if "text" not in entry["outputs"]:
            continue
        try:
            words = searched(outputs.path("text", slug).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        letter = {"text": words.text, "pages": words.page_starts}
        yield f"{json.dumps(slug)}: {json.dumps(letter)},\n".encode("ascii")
    yield b"};\n"


def blank_if_none(value: object) -> object:
    return "" if value is None else value


def figure_columns(measure: str) -> list[tuple[str, Callable[[OverviewRow], object]]]:
    return [
        (measure, lambda row: blank_if_none(row.figure(measure)[0])),
        (f"{measure}_average", lambda row: blank_if_none(row.figure(measure)[1])),
        (f"{measure}_against_average", lambda row: row.mark[measure]),
    ]


def csv_columns(columns: Columns) -> list[tuple[str, Callable[[OverviewRow], object]]]:
    """letters.csv: each column's header and its cell, in one list, so the two never drift
    apart; a figure's three columns for each averaged percentage fields.yaml declares."""
    return [
        *FIRST_COLUMNS,
        *[column for measure in columns.measures for column in figure_columns(measure.name)],
        *LAST_COLUMNS,
    ]


FIRST_COLUMNS: list[tuple[str, Callable[[OverviewRow], object]]] = [
    ("slug", lambda row: row.slug),
    ("council", lambda row: row.name),
    ("authority_type", lambda row: row.authority_type),
]
LAST_COLUMNS: list[tuple[str, Callable[[OverviewRow], object]]] = [
    ("optional_paragraphs", lambda row: "; ".join(row.paragraph_names)),
    ("pages", lambda row: row.pages or ""),
    ("status", lambda row: row.status),
    ("last_build", lambda row: "rebuilt" if row.rebuilt else "unchanged"),
    ("proofreading_defects", lambda row: " | ".join(row.defects)),
    ("proofreading_information", lambda row: " | ".join(row.information)),
    ("problems", lambda row: " | ".join(row.problems)),
    ("html", lambda row: row.html or ""),
    ("pdf", lambda row: row.pdf or ""),
    ("approval", lambda row: row.approval.state),
    ("approved_by", lambda row: row.approval.by or ""),
    ("approved_at", lambda row: row.approval.at or ""),
    ("sending", lambda row: row.sending.state),
    ("sent_at", lambda row: row.sending.at if row.sending.state == "sent" else ""),
]


def far_from_average(percent: float | None, average: float | None) -> str:
    """'above' or 'below' when a figure is FAR points or more from its type's average."""
    if percent is None or average is None or abs(percent - average) < FAR:
        return ""
    return "above" if percent > average else "below"


def better_or_worse(better: str | None, percent: float | None, average: float | None) -> str:
    """'better' or 'worse' than the average, for a figure FAR points or more from it, as
    fields.yaml says which way is better (a high upheld rate is worse; nothing without)."""
    far = far_from_average(percent, average)
    if not far or better is None:
        return ""
    return "better" if (far == "above") == (better == "higher") else "worse"


def proofreading(row: OverviewRow) -> str:
    """'defects', 'information' or 'none': what proofreading found in a council's letter."""
    return "defects" if row.defects else "information" if row.information else "none"


def overview_html(
    rows: list[OverviewRow], year: int | None, columns: Columns, made_from: str = ""
) -> str:
    types = sorted({row.authority_type for row in rows if row.authority_type})
    paragraphs = {
        name: columns.titles.get(name, name)
        for name in sorted({name for row in rows for name in row.optional_paragraphs})
    }
    statuses = sorted({row.status for row in rows if row.status})
    return page(
        "overview",
        rows=rows,
        year=year,
        types=types,
        paragraphs=paragraphs,
        statuses=statuses,
        far=FAR,
        measures=columns.measures,
        proofreading=proofreading,
        made_from=made_from,
    )


def overview_csv(rows: list[OverviewRow], columns: Columns) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    every = csv_columns(columns)
    writer.writerow([header for header, _ in every])
    for row in rows:
        writer.writerow([inert(cell(row)) for _, cell in every])
    return out.getvalue()


def inert(cell: object) -> object:
    """A cell that a spreadsheet program shows as text, never runs: a ' as OWASP advises before
    = + - @, a tab or a carriage return at its start, and after any separator a spreadsheet may
    split a line on (, ; or tab), so that no piece of it starts a formula either."""
    if not isinstance(cell, str):
        return cell
    return re.sub(FORMULA_PIECE, "\\1'", cell)


def write_overview(
    outputs: Outputs,
    councils: dict[str, Entry],
    year: int,
    standings: dict[str, Standing],
    declaration: Declaration,
    made_from: str,
) -> None:
    """The year at a glance for reviewers: build/index.html, and build/letters.csv alike;
    `made_from`, a hash of what they were made from, is written in the page's head."""
    columns = Columns.of(declaration)
    rows = overview_rows(councils, outputs, standings, columns)
    write_atomically(outputs.overview_csv, overview_csv(rows, columns).encode("utf-8"))
    write_atomically(outputs.overview_words, letter_words(outputs, councils))
    write_atomically(outputs.overview, overview_html(rows, year, columns, made_from).encode())
