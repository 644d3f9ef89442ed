"""Everything one letter's templates need, as ready-made values."""

import dataclasses
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

from letters.data.validate import Council, Recipient, Year
from letters.letter.figures import (
    formatted_list,
    key_statistics,
    long_date,
    marked_up_paragraphs,
    short_date,
    thousands,
)
from letters.problems import excerpt


def letter_context(
    council: Council, year: Year, draft: bool = False, standalone: bool = True
) -> dict[str, Any]:
    """The values one council's letter is rendered from; wording stays in the templates.

    A standalone letter embeds its stylesheet, for the HTML file; the PDF renderer brings the
    stylesheet it parsed once instead.
    """
    return {
        "draft": draft,
        "standalone": standalone,
        "letter": year_wording(year),
        "council": council,
        "recipient": council.recipient,
        "addressee": addressee(council.recipient),
        "statistics": key_statistics(council.statistics, year.averages[council.authority_type]),
        "witness_summons": council.witness_summons,
        "training_courses": council.training_courses,
        "public_report": marked_up_paragraphs(council.public_report or ""),
        "signatory": year.signatory,
        "links": year.links,
    }


def addressee(recipient: Recipient) -> str:
    """How the letter names its recipient: "Mr Carmichael", or "Alex Carmichael" untitled."""
    return " ".join(filter(None, (recipient.title, recipient.name)))


def year_wording(year: Year) -> dict[str, Any]:
    """What every letter of the year shares, formatted as the letters print it."""
    return {
        "year": year.year,
        "date": long_date(year.letter_date),
        "date_iso": year.letter_date.isoformat(),  # the PDF's dates: no clock time, same each build
        "period_start": long_date(year.period.start),
        "period_end": long_date(year.period.end),
        "period_end_short": short_date(year.period.end),
        "publication_date": long_date(year.publication_date),
        "letterhead": year.letterhead,
        "seminars": year.seminars
        and {
            "cities": formatted_list(year.seminars.cities),
            "delegates": thousands(year.seminars.delegates),
            "authorities": thousands(year.seminars.authorities),
        },
        "training": year.training
        and {
            "courses": thousands(year.training.courses),
            "people": thousands(year.training.people),
            "more_courses": thousands(year.training.more_courses_than_last_year),
        },
    }


OPTIONAL_PARAGRAPHS = ("witness_summons", "public_report", "training_courses")  # letter order
# How people name them (overview, proofreading notes), rather than by their fields.
PARAGRAPH_NAMES = {
    "witness_summons": "Witness summons",
    "public_report": "Public report",
    "training_courses": "Training courses",
}


def optional_paragraphs(council: Council) -> list[str]:
    """The optional paragraphs a council's letter has, named by the fields that add them."""
    return [name for name in OPTIONAL_PARAGRAPHS if getattr(council, name)]


def context_fields(value: object, name: str = "") -> list[tuple[str, str, str]]:
    """Every value a letter's templates receive, as (name, kind, value), from the context
    itself: `letters fields` prints these, so the list can never go stale."""
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, BaseModel):
        items = [(field, getattr(value, field)) for field in type(value).model_fields]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [(field.name, getattr(value, field.name)) for field in dataclasses.fields(value)]
    else:
        return [(name, kind_of(value), as_listed(value))]
    return [
        found
        for key, item in items
        for found in context_fields(item, f"{name}.{key}" if name else str(key))
    ]


def kind_of(value: object) -> str:
    if value is None:
        return "nothing (optional)"
    if isinstance(value, list):
        items = {kind_of(item) for item in value}
        return f"list of {items.pop()}" if len(items) == 1 else "list"
    if isinstance(value, Markup):
        return "text with markup"
    return KINDS.get(type(value), type(value).__name__)


KINDS = {bool: "true or false", int: "whole number", float: "number", str: "text"}


def as_listed(value: object) -> str:
    text = repr(str(value) if isinstance(value, Markup) else value)
    if isinstance(value, list):
        text = repr([str(item) if isinstance(item, Markup) else item for item in value])
    return excerpt(text, 70)
