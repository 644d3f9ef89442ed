"""What a build did to one council: the record the orchestrator, manifest and report share."""

from dataclasses import dataclass, field
from typing import Literal

from typing_extensions import TypedDict  # pydantic reads this one's fields on Python 3.11

from letters.data.project import OutputKind
from letters.data.validate import Council, Year
from letters.letter.context import optional_paragraphs
from letters.letter.figures import key_statistics
from letters.problems import Note, Problem

BuildStatus = Literal["built", "unchanged", "skipped", "failed"]
MEASURES = ("upheld", "compliance", "remedies")


class Summary(TypedDict):
    """What the overview shows of a council, kept for councils left unchanged."""

    name: str
    authority_type: str
    figures: dict[str, list[int | None]]
    optional_paragraphs: list[str]


def council_summary(council: Council, year: Year) -> Summary:
    """What the overview shows of a council, kept in the manifest for unchanged councils."""
    statistics = key_statistics(council.statistics, year.averages[council.authority_type])
    return {
        "name": council.name,
        "authority_type": council.authority_type,
        "figures": {
            measure: [getattr(statistics, measure).percent, getattr(statistics, measure).average]
            for measure in MEASURES
        },
        "optional_paragraphs": optional_paragraphs(council),
    }


@dataclass
class LetterOutcome:
    """What happened to one council: built, unchanged, skipped (its data is wrong) or failed."""

    slug: str
    status: BuildStatus = "built"
    problems: list[Problem] = field(default_factory=list)
    fingerprint: str | None = None
    outputs: tuple[OutputKind, ...] = ()
    pages: int | None = None
    notes: list[Note] = field(default_factory=list)  # the proofreader's
    summary: Summary | None = None  # what the year's overview shows of it
    pdf_sha256: str | None = None  # of the PDF written (or, unchanged, recorded) for it
    stale: bool = False


def defects_of(outcome: LetterOutcome) -> list[Note]:
    return [note for note in outcome.notes if note.kind == "defect"]
