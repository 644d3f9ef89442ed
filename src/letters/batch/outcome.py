"""What a build did to one council: the record the orchestrator, manifest and report share."""

from dataclasses import dataclass, field
from typing import Literal

from typing_extensions import TypedDict  # pydantic reads this one's fields on Python 3.11

from letters.data.project import OutputKind
from letters.data.read import Year
from letters.data.validate import Council
from letters.letter.context import declared_values
from letters.letter.figures import Figure
from letters.problems import Note, Problem

BuildStatus = Literal["built", "unchanged", "skipped", "failed"]


class Summary(TypedDict):
    """What the overview shows of a council, kept for councils left unchanged."""

    name: str
    authority_type: str
    figures: dict[str, list[int | None]]  # each averaged percentage: [percent, average]
    optional_paragraphs: list[str]  # the optional sections its letter prints, by name


def council_summary(council: Council, year: Year, printed: list[str]) -> Summary:
    """What the overview shows of a council, kept in the manifest for unchanged councils;
    `printed`: the optional sections whose paragraphs its letter holds."""
    return {
        "name": council.name,
        "authority_type": council.authority_type,
        "figures": {
            name: [figure.percent, figure.average]
            for name, figure in averaged_figures(council, year).items()
        },
        "optional_paragraphs": printed,
    }


def averaged_figures(council: Council, year: Year) -> dict[str, Figure]:
    """Each percentage the letter sets beside its type's average, where the council has it."""
    values = declared_values(council, year.declaration, year.facts.averages[council.authority_type])
    return {
        name: getattr(values[section], name)
        for section, declared in year.declaration.sections.items()
        if values[section] is not None
        for name, percentage in declared.percentages.items()
        if percentage.average
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
    sha256: dict[OutputKind, str] = field(default_factory=dict)  # of each one-file output, by kind
    stale: bool = False

    @property
    def pdf_sha256(self) -> str | None:
        """The PDF written (or, unchanged, recorded) for it."""
        return self.sha256.get("pdf")


def defects_of(outcome: LetterOutcome) -> list[Note]:
    return [note for note in outcome.notes if note.kind == "defect"]
