"""What a build did to one council: the record the orchestrator, manifest and report share."""

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel
from typing_extensions import TypedDict  # pydantic reads this one's fields on Python 3.11

from letters.data.project import OutputKind
from letters.data.read import Year
from letters.data.validate import Council
from letters.letter.context import declared_values
from letters.letter.figures import Figure, Rate
from letters.problems import Note, Problem

BuildStatus = Literal["built", "unchanged", "skipped", "failed"]


class Summary(TypedDict):
    """What the overview shows of a council, kept for councils left unchanged."""

    name: str
    authority_type: str
    figures: dict[str, list[int | float | None]]  # each averaged percentage: [percent, average]
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


def averaged_figures(council: Council, year: Year) -> dict[str, Figure | Rate]:
    """Each percentage the letter sets beside its type's average, where the council has it."""
    values = declared_values(council, year.declaration, year.facts.averages[council.authority_type])
    return {
        averaged.name: getattr(values[averaged.section], averaged.name)
        for averaged in year.declaration.averaged()
        if values[averaged.section] is not None
    }


def council_figures(council: Council, year: Year) -> dict[str, str]:
    """Every value of the council's file its letter is made from, as `section.field`, and each
    worked-out percentage as `section.name %`: what an approval keeps, to say which changed."""
    values = declared_values(council, year.declaration, year.facts.averages[council.authority_type])
    figures = {}
    for section, declared in year.declaration.sections.items():
        written = getattr(council, section)
        if written is None:
            continue
        if declared.kind in ("list", "paragraphs", "table"):
            figures[section] = as_written(written)
            continue
        for name in declared.fields:
            figures[f"{section}.{name}"] = as_written(getattr(written, name))
        for name in declared.percentages:
            percent = getattr(values[section], name).percent
            figures[f"{section}.{name} %"] = "none" if percent is None else f"{percent}%"
    return figures


def as_written(value: object) -> str:
    """A value as a council file would write it: yes-no as true or false, a list a line each."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(as_written(item) for item in value)
    if isinstance(value, BaseModel):  # a table's row
        return ", ".join(f"{name}: {as_written(cell)}" for name, cell in value)
    return "none" if value is None else str(value)


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
