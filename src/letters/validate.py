"""Stage 2, validate: turn loaded YAML into typed models, or into problems naming line and field."""

import difflib
import re
from datetime import date
from typing import Annotated, Literal, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)
from pydantic.functional_validators import AfterValidator

from letters.load import Document
from letters.problems import LettersError, Problem

AuthorityType = Literal[
    "County Councils", "District Councils", "Metropolitan Boroughs", "Unitary Councils",
    "London Boroughs",
]
AUTHORITY_TYPES: tuple[str, ...] = get_args(AuthorityType)


def not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("is empty: write the text or remove the field")
    return text.strip()


Text = Annotated[str, Field(strict=True), AfterValidator(not_blank)]
Count = Annotated[StrictInt, Field(ge=0)]
Percent = Annotated[int | float, Field(ge=0, le=100)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Recipient(Model):
    title: Text
    name: Text
    job_title: Text


class Statistics(Model):
    investigations: Count
    upheld: Count
    compliance_outcomes: Count
    implemented: Count
    satisfactory_remedies: Count


class WitnessSummons(Model):
    threatened: StrictBool = False
    incomplete_response: StrictBool = False

    @model_validator(mode="after")
    def says_something(self) -> "WitnessSummons":
        if not (self.threatened or self.incomplete_response):
            raise ValueError("says neither threatened nor incomplete_response: set one or both "
                             "to true, or remove witness_summons")
        return self


class Council(Model):
    name: Text
    authority_type: AuthorityType
    recipient: Recipient
    statistics: Statistics
    witness_summons: WitnessSummons | None = None
    training_courses: list[Text] = []
    public_report: Text | None = None


class Link(Model):
    text: Text
    url: Annotated[str, Field(strict=True, pattern=r"^https://\S+$")]


class Links(Model):
    council_performance: Link
    website: Link
    training: Link


class Period(Model):
    start: date
    end: date


class Signatory(Model):
    name: Text
    titles: list[Text]
    signature: Text


class Seminars(Model):
    cities: list[Text]
    delegates: Count
    authorities: Count


class Training(Model):
    courses: Count
    people: Count
    more_courses_than_last_year: Count


class Averages(Model):
    upheld: Percent
    compliance: Percent
    remedies: Percent


M = TypeVar("M", bound=Model)


class Year(Model):
    year: StrictInt
    letter_date: date
    period: Period
    publication_date: date
    letterhead: Text
    signatory: Signatory
    seminars: Seminars
    training: Training
    links: Links
    averages: dict[AuthorityType, Averages]


def validate_council(document: Document, year: Year) -> Council:
    council = validate(Council, document)
    problems = contradictions(document, council.statistics)
    if council.authority_type not in year.averages:
        problems.append(Problem(document.path, f"the year file has no averages for "
                                f"{council.authority_type}: add them under averages",
                                document.line_of(("authority_type",)), "authority_type"))
    if problems:
        raise LettersError(problems)
    return council


# Each count that is a part of another: (part, whole).
PARTS_OF = (("upheld", "investigations"), ("implemented", "compliance_outcomes"),
            ("satisfactory_remedies", "upheld"))


def contradictions(document: Document, statistics: Statistics) -> list[Problem]:
    """Counts that are more than the count they are part of."""
    return [
        Problem(document.path, f"{getattr(statistics, part)} is more than statistics.{whole} "
                f"({getattr(statistics, whole)})", document.line_of(("statistics", part)),
                f"statistics.{part}")
        for part, whole in PARTS_OF if getattr(statistics, part) > getattr(statistics, whole)
    ]


def validate_year(document: Document) -> Year:
    return validate(Year, document)


def validate(model: type[M], document: Document) -> M:
    if not isinstance(document.data, dict):
        raise LettersError([Problem(document.path, "must be a list of fields (name: value), "
                                    "as in the README's example", line=1)])
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        raise LettersError([problem_from(document, model, detail)
                            for detail in error.errors()]) from None


def problem_from(document: Document, model: type[Model], detail: dict) -> Problem:
    location = tuple(detail["loc"])
    field_path = ".".join(str(part) for part in location) or None
    return Problem(document.path, plain_message(model, detail), document.line_of(location),
                   field_path)


def plain_message(model: type[Model], detail: dict) -> str:
    """Pydantic's message for programmers, reworded for staff."""
    kind, value = detail["type"], detail.get("input")
    if kind == "missing":
        return "is missing: add it (see the README's example)"
    if kind == "extra_forbidden":
        return unknown_field_message(model, detail["loc"])
    if kind == "literal_error":
        return f"{value!r} is not one of: {', '.join(AUTHORITY_TYPES)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {value!r}"
    if kind == "greater_than_equal":
        return f"must be 0 or more, not {value}"
    if kind == "less_than_equal":
        return f"must be at most {detail['ctx']['le']}, not {value}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {value!r}"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"must be a date written as YYYY-MM-DD, not {value!r}"
    if kind == "string_pattern_mismatch":
        return f"must be a web address starting https://, not {value!r}"
    if kind in ("string_type", "list_type", "model_type", "model_attributes_type", "dict_type"):
        return f"has the wrong kind of value ({describe(value)}): {EXPECTED[kind]}"
    return re.sub(r"^Value error, ", "", detail["msg"])


EXPECTED = {
    "string_type": "write text here",
    "list_type": "write a list here, one '- item' per line",
    "model_type": "write the fields of this section here, indented below it",
    "model_attributes_type": "write the fields of this section here, indented below it",
    "dict_type": "write the fields of this section here, indented below it",
}


def describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    return repr(value) if isinstance(value, str | int | float) else type(value).__name__


def unknown_field_message(model: type[Model], location: tuple) -> str:
    known = fields_at(model, location[:-1])
    close = difflib.get_close_matches(str(location[-1]), known, n=1)
    hint = f"did you mean {close[0]}?" if close else f"the fields here are: {', '.join(known)}"
    return f"unknown field; {hint}"


def fields_at(model: type[Model], location: tuple) -> list[str]:
    """The field names allowed at `location` inside `model`."""
    for part in location:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = next(arg for arg in (annotation, *get_args(annotation))
                     if isinstance(arg, type) and issubclass(arg, Model))
    return list(model.model_fields)
