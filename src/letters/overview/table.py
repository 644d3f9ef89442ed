"""The year at a glance, build/index.html and build/letters.csv."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from letters.build.manifest import Entry
from letters.build.outcome import MEASURES, Summary
from letters.build.outputs import write_atomically
from letters.data.project import THE_LETTER, Outputs
from letters.letter.context import PARAGRAPH_NAMES
from letters.pages.tool_pages import page
from letters.send.approval import Standing
from letters.send.records import Approval, Sending

# Cells a spreadsheet program would run as a formula (OWASP's "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FAR = 10  # percentage points from the average that mark a figure for a reviewer's attention
HIGHER_IS_BETTER = {"upheld": False, "compliance": True, "remedies": True}


@dataclass(frozen=True)
class OverviewRow:
    """One council in the year's overview: its manifest entry, approval and sending."""

    slug: str
    name: str
    authority_type: str
    figures: dict[str, list[int | None]]  # by measure: [percent, average]
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

    @property
    def paragraph_names(self) -> list[str]:
        return [PARAGRAPH_NAMES.get(name, name) for name in self.optional_paragraphs]

    def figure(self, measure: str) -> list[int | None]:
        return self.figures.get(measure, [None, None])

    @property
    def far(self) -> dict[str, str]:
        return {measure: far_from_average(*self.figure(measure)) for measure in MEASURES}

    @property
    def mark(self) -> dict[str, str]:
        return {measure: better_or_worse(measure, *self.figure(measure)) for measure in MEASURES}


def overview_rows(
    councils: dict[str, Entry], outputs: Outputs, standings: dict[str, Standing]
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
            )
        )
    return sorted(rows, key=lambda row: row.name.casefold())


def blank_if_none(value: object) -> object:
    return "" if value is None else value


def figure_columns(measure: str) -> list[tuple[str, Callable[[OverviewRow], object]]]:
    return [
        (measure, lambda row: blank_if_none(row.figure(measure)[0])),
        (f"{measure}_average", lambda row: blank_if_none(row.figure(measure)[1])),
        (f"{measure}_against_average", lambda row: row.mark[measure]),
    ]


# letters.csv: each column's header and its cell, in one list, so the two never drift apart.
CSV_COLUMNS: list[tuple[str, Callable[[OverviewRow], object]]] = [
    ("slug", lambda row: row.slug),
    ("council", lambda row: row.name),
    ("authority_type", lambda row: row.authority_type),
    *[column for measure in MEASURES for column in figure_columns(measure)],
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


def far_from_average(percent: int | None, average: int | None) -> str:
    """'above' or 'below' when a figure is FAR points or more from its type's average."""
    if percent is None or average is None or abs(percent - average) < FAR:
        return ""
    return "above" if percent > average else "below"


def better_or_worse(measure: str, percent: int | None, average: int | None) -> str:
    """'better' or 'worse' than the average, for a figure FAR points or more from it: a high
    upheld rate is worse, a high compliance or remedy rate is better."""
    far = far_from_average(percent, average)
    if not far:
        return ""
    return "better" if (far == "above") == HIGHER_IS_BETTER[measure] else "worse"


def proofreading(row: OverviewRow) -> str:
    """'defects', 'information' or 'none': what proofreading found in a council's letter."""
    return "defects" if row.defects else "information" if row.information else "none"


def overview_html(rows: list[OverviewRow], year: int | None) -> str:
    types = sorted({row.authority_type for row in rows if row.authority_type})
    paragraphs = {
        name: PARAGRAPH_NAMES.get(name, name)
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
        proofreading=proofreading,
    )


def overview_csv(rows: list[OverviewRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header for header, _ in CSV_COLUMNS])
    for row in rows:
        writer.writerow([inert(cell(row)) for _, cell in CSV_COLUMNS])
    return out.getvalue()


def inert(cell: object) -> object:
    """A cell that a spreadsheet program shows as text, never runs: a leading ' as OWASP
    advises for text starting with = + - @ or a tab or carriage return."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def write_overview(
    outputs: Outputs, councils: dict[str, Entry], year: int, standings: dict[str, Standing]
) -> None:
    """The year at a glance for reviewers: build/index.html, and build/letters.csv alike."""
    rows = overview_rows(councils, outputs, standings)
    write_atomically(outputs.overview, overview_html(rows, year).encode("utf-8"))
    write_atomically(outputs.overview_csv, overview_csv(rows).encode("utf-8"))
