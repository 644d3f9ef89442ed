"""The year at a glance, build/index.html and build/letters.csv."""

import csv
import io

from letters.build.manifest import Entry
from letters.build.outcome import MEASURES, Summary
from letters.build.outputs import write_atomically
from letters.data.project import Outputs
from letters.letter.context import PARAGRAPH_NAMES
from letters.pages.tool_pages import page
from letters.send.approval import Standing

# Cells a spreadsheet program would run as a formula (OWASP's "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FAR = 10  # percentage points from the average that mark a figure for a reviewer's attention
HIGHER_IS_BETTER = {"upheld": False, "compliance": True, "remedies": True}


def overview_rows(
    councils: dict[str, Entry], outputs: Outputs, standings: dict[str, Standing]
) -> list[dict]:
    """One row per council, from its manifest entry, approval and sending, in the order of the
    council's name."""
    rows = []
    for slug, entry in councils.items():
        summary: Summary = entry["summary"] or {
            "name": slug,
            "authority_type": "",
            "figures": {},
            "optional_paragraphs": [],
        }
        notes = entry["proofreading"]
        rows.append(
            {
                "slug": slug,
                **summary,
                "paragraph_names": [
                    PARAGRAPH_NAMES.get(name, name) for name in summary["optional_paragraphs"]
                ],
                "far": {
                    measure: far_from_average(*summary["figures"].get(measure, [None, None]))
                    for measure in MEASURES
                },
                "mark": {
                    measure: better_or_worse(
                        measure, *summary["figures"].get(measure, [None, None])
                    )
                    for measure in MEASURES
                },
                "pages": entry["pages"],
                "status": entry["status"],
                "rebuilt": entry["rebuilt"],
                "defects": [note["text"] for note in notes if note["kind"] == "defect"],
                "information": [note["text"] for note in notes if note["kind"] == "information"],
                "problems": entry["problems"],
                "approval": standings[slug].approval,
                "sending": standings[slug].sending,
                **{
                    kind: outputs.relative(kind, slug)
                    if outputs.path(kind, slug).exists()
                    else None
                    for kind in ("html", "pdf")
                },
            }
        )
    return sorted(rows, key=lambda row: row["name"].casefold())


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


def proofreading(row: dict) -> str:
    """'defects', 'information' or 'none': what proofreading found in a council's letter."""
    return "defects" if row["defects"] else "information" if row["information"] else "none"


def overview_html(rows: list[dict], year: int | None) -> str:
    types = sorted({row["authority_type"] for row in rows if row["authority_type"]})
    paragraphs = {
        name: PARAGRAPH_NAMES.get(name, name)
        for name in sorted({name for row in rows for name in row["optional_paragraphs"]})
    }
    statuses = sorted({row["status"] for row in rows if row["status"]})
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


def overview_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "slug",
            "council",
            "authority_type",
            *[f"{m}{suffix}" for m in MEASURES for suffix in ("", "_average", "_against_average")],
            "optional_paragraphs",
            "pages",
            "status",
            "last_build",
            "proofreading_defects",
            "proofreading_information",
            "problems",
            "html",
            "pdf",
            "approval",
            "approved_by",
            "approved_at",
            "sending",
            "sent_at",
        ]
    )
    for row in rows:
        figures = [
            value
            for measure in MEASURES
            for value in [*row["figures"].get(measure, [None, None]), row["mark"][measure]]
        ]
        writer.writerow(
            map(
                inert,
                [
                    row["slug"],
                    row["name"],
                    row["authority_type"],
                    *["" if value is None else value for value in figures],
                    "; ".join(row["paragraph_names"]),
                    row["pages"] or "",
                    row["status"],
                    "rebuilt" if row["rebuilt"] else "unchanged",
                    " | ".join(row["defects"]),
                    " | ".join(row["information"]),
                    " | ".join(row["problems"]),
                    row["html"] or "",
                    row["pdf"] or "",
                    row["approval"].state,
                    row["approval"].by or "",
                    row["approval"].at or "",
                    row["sending"].state,
                    row["sending"].at if row["sending"].state == "sent" else "",
                ],
            )
        )
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
