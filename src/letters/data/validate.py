"""Turn loaded YAML into typed models, or into problems naming line and field."""

import calendar
import difflib
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    model_validator,
)
from pydantic.functional_validators import AfterValidator, BeforeValidator
from pydantic_core import ErrorDetails

from letters.data.load import Document
from letters.problems import LettersError, Problem, fail, quoted

AuthorityType = Literal[
    "County Councils",
    "District Councils",
    "Metropolitan Boroughs",
    "Unitary Councils",
    "London Boroughs",
]
AUTHORITY_TYPES: tuple[str, ...] = get_args(AuthorityType)


# A name fields.yaml gives a section, field or percentage: templates use it as written.
IDENTIFIER = r"^[a-z][a-z0-9_]*$"

LINE_BREAKS = re.compile(r"[\n\r\x0b\x0c\x85\u2028\u2029]")
# Control, format (zero-width, direction-changing), private-use, surrogate and unassigned
# characters: nothing a reader can see, but they can change how a name reads or sorts.
HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
# What an email header would decode as an RFC 2047 encoded word (=?charset?q?...?=): one-line
# text reaches the emails' headers, where it must read as written.
ENCODED_WORD = re.compile(r"=\?.*\?=")


def visible_text(text: str, one_line: bool = True) -> str:
    """`text` without surrounding space, refused if it is empty or has a character no reader sees.

    >>> visible_text("  Canterbury City Council ")
    'Canterbury City Council'
    """
    text = text.strip()
    if one_line and LINE_BREAKS.search(text):
        raise ValueError("must be on one line: remove the line break")
    for character in text:
        if unicodedata.category(character) in HIDDEN and character not in "\n\t":
            name = unicodedata.name(character, "control character")
            raise ValueError(
                f"contains a hidden character (U+{ord(character):04X} {name}): "
                f"retype the text without it"
            )
    if not text:
        raise ValueError("is empty: write the text")
    if one_line and ENCODED_WORD.search(text):
        raise ValueError(
            "contains '=?' and later '?=', which mail programs read as encoded text, not as "
            "written: write it without them"
        )
    return text


def paragraphs_text(text: str) -> str:
    return visible_text(text, one_line=False)


def council_name(name: str) -> str:
    """A council's name also names files and spreadsheet rows: it starts with a letter or digit
    (never '=', '+', '-' or '@', which a spreadsheet would run as a formula)."""
    name = visible_text(name)
    if not name[0].isalnum():
        raise ValueError(f"must start with a letter or a digit, not {name[0]!r}")
    return name


def name_key(name: str) -> str:
    """What two spellings of one council's name have in common: case, spacing and punctuation
    aside, 'St. Albans  City Council' is 'st albans city council'."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", folded).split())


def email_address(text: str) -> str:
    """An address a message can be sent to, as email-validator normalises it, its domain in
    ASCII (IDNA) as every relay takes it (no network: whether the domain receives mail is the
    relay's to say). Letters before the @ must be ASCII: few relays can deliver others."""
    from email_validator import EmailNotValidError, validate_email

    text = visible_text(text)
    try:
        address = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        if "before the @-sign are not supported" in str(error):
            letters = str(error).split(": ")[-1].rstrip(".")
            raise ValueError(
                f"has letters outside ASCII before the @ ({letters}), which most relays cannot "
                f"deliver to: ask the council for another address"
            ) from None
        sentences = str(error).removeprefix("The email address is not valid. ").rstrip(".")
        reason = "; ".join(part[:1].lower() + part[1:] for part in sentences.split(". "))
        raise ValueError(
            f"is not an email address ({reason}): write the address alone, like name@example.org"
        ) from None
    return address.ascii_email or address.normalized


def date_only(value: object) -> object:
    """A date as the README writes it, 2020-07-22 (quoted or not): never a number (which
    would be read as seconds since 1970) or a date with a time."""
    if isinstance(value, datetime):
        raise ValueError(
            f"must be a date written as YYYY-MM-DD, without a time, not {describe(value)}"
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(f"{quoted(value)} is not a real date ({error})") from None
    raise ValueError(f"must be a date written as YYYY-MM-DD, not {describe(value)}")


def a_year_later(day: date) -> date:
    """The same day a year on; a month's last day stays its last day (28 February 2019 ->
    29 February 2020; 29 February 2020 -> 28 February 2021)."""
    last = calendar.monthrange(day.year, day.month)[1]
    next_last = calendar.monthrange(day.year + 1, day.month)[1]
    return day.replace(year=day.year + 1, day=next_last if day.day == last else day.day)


def year_contradictions(year: "YearFacts") -> list[tuple[tuple[str, ...], str]]:
    """Dates of the year file that cannot all be right: (field, what to do) for each."""
    one_year = a_year_later(year.period.start) - timedelta(days=1)
    found: list[tuple[tuple[str, ...], str]] = []
    if year.period.end > year.period.start and year.period.end != one_year:
        found.append(
            (
                ("period", "end"),
                f"makes a period of {(year.period.end - year.period.start).days + 1} days, not "
                f"one year (from {year.period.start}, a year ends {one_year}): correct the dates",
            )
        )
    if year.letter_date <= year.period.end:
        found.append(
            (
                ("letter_date",),
                f"{year.letter_date} is not after the period ends ({year.period.end}): the "
                f"letter reports on a year that has ended",
            )
        )
    if year.publication_date < year.letter_date:
        found.append(
            (
                ("publication_date",),
                f"{year.publication_date} is before the letter's date ({year.letter_date}): "
                f"the letters are published after they are sent",
            )
        )
    if year.year != year.letter_date.year:
        found.append(
            (
                ("year",),
                f"{year.year} is not the year of the letter's date ({year.letter_date}): "
                f"write {year.letter_date.year}",
            )
        )
    return found


Date = Annotated[date, BeforeValidator(date_only)]
Text = Annotated[str, Field(strict=True), AfterValidator(visible_text)]
Email = Annotated[str, Field(strict=True), AfterValidator(email_address)]
Paragraphs = Annotated[str, Field(strict=True), AfterValidator(paragraphs_text)]
Name = Annotated[str, Field(strict=True), AfterValidator(council_name)]
Count = Annotated[StrictInt, Field(ge=0)]


def a_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number from 0 to 100, not {describe(value)}")
    return 0 if value == 0 else value  # -0.0 is nought, and prints as 0


Percent = Annotated[int | float, BeforeValidator(a_number), Field(ge=0, le=100)]


class Model(BaseModel):
    # Each model is made ready to validate when first used: a no-op build validates nothing.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Copy(Model):
    """Someone the email is copied to (cc): an address alone, or with the person's name and
    role, as the letter's copy line names them ("Jo Bloggs, Link Officer")."""

    email: Email
    name: Text | None = None
    role: Text | None = None

    @property
    def named(self) -> str:
        """How a letter lists the copy: its name and role, or its address if it has neither."""
        return ", ".join(filter(None, (self.name, self.role))) or self.email


def as_copy(value: object) -> object:
    """A copy written as a bare address is that address alone."""
    return {"email": value} if isinstance(value, str) else value


class Recipient(Model):
    title: Text | None = None  # "Dear Mr Carmichael"; without one, "Dear Alex Carmichael"
    name: Text
    job_title: Text
    email: Email | None = None  # needed only to send the letter (letters send)
    cc: list[Annotated[Copy, BeforeValidator(as_copy)]] = []


class Council(Model):
    """The tool's own fields of a council file; fields.yaml declares the rest (data/fields.py
    builds the model with them)."""

    name: Name
    authority_type: AuthorityType
    recipient: Recipient
    # The councils it replaced (their file names or names in history/): its earlier years are
    # theirs, combined.
    predecessors: list[Text] = []


class Link(Model):
    text: Text
    url: Annotated[str, Field(strict=True, pattern=r"^https://\S+$")]


class Links(Model):
    council_performance: Link
    website: Link
    training: Link


class Period(Model):
    start: Date
    end: Date

    @model_validator(mode="after")
    def ends_after_it_starts(self) -> "Period":
        if self.end <= self.start:
            raise ValueError(
                f"ends ({self.end}) before it starts ({self.start}): correct the dates"
            )
        return self


class Signatory(Model):
    name: Text
    titles: list[Text]
    signature: Text


class Seminars(Model):
    cities: Annotated[list[Text], Field(min_length=1)]
    delegates: Count
    authorities: Count


class Training(Model):
    courses: Count
    people: Count
    more_courses_than_last_year: Count


class Sender(Model):
    address: Email
    name: Text


class EmailSettings(Model):
    sender: Sender
    reply_to: Email | None = None


class YearFacts(Model):
    """year.yaml: the facts every letter of the year shares."""

    year: StrictInt
    letter_date: Date
    period: Period
    publication_date: Date
    letterhead: Text
    signatory: Signatory
    # Facts quoted in the standard text: a year without one leaves its paragraph out.
    seminars: Seminars | None = None
    training: Training | None = None
    links: Links
    averages: dict[AuthorityType, Model]  # each as fields.yaml's averaged percentages
    email: EmailSettings | None = None  # needed only to send the letters (letters send)


M = TypeVar("M", bound=Model)


def validate(model: type[M], document: Document) -> M:
    if not isinstance(document.data, dict):
        fail(
            document.path,
            f"must hold fields, one 'name: value' per line "
            f"as in the README's example, not {describe(document.data)}",
            document.line_of(()),
        )
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        details = one_per_field(without_missing_fields_misspelt(model, error.errors()))
        raise LettersError([problem_from(document, model, detail) for detail in details]) from None


def one_per_field(details: list[ErrorDetails]) -> list[ErrorDetails]:
    """The first problem of each field (a value that is neither of two types has two)."""
    firsts: dict[tuple[str | int, ...], ErrorDetails] = {}
    for detail in details:
        firsts.setdefault(tuple(detail["loc"]), detail)
    return list(firsts.values())


def without_missing_fields_misspelt(
    model: type[Model], details: list[ErrorDetails]
) -> list[ErrorDetails]:
    """Drop "x is missing" where an unknown field beside it is x misspelt: one mistake, one line."""
    misspelt = {
        (*detail["loc"][:-1], suggestion(model, detail["loc"]))
        for detail in details
        if detail["type"] == "extra_forbidden"
    }
    return [
        detail
        for detail in details
        if not (detail["type"] == "missing" and tuple(detail["loc"]) in misspelt)
    ]


def by_line(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda problem: problem.line or 0)


def problem_from(document: Document, model: type[Model], detail: ErrorDetails) -> Problem:
    location = tuple(
        part
        for part in detail["loc"]
        if part != "[key]" and not str(part).startswith(("function-after[", "constrained-"))
    )
    field_path = ".".join(str(part) for part in location) or None
    line = (
        document.line_of_section(location)
        if detail["type"] == "missing"
        else document.line_of(location)
    )
    message = plain_message(model, detail)
    if message.startswith(("is empty: ", "has no value: ")):
        message += removable(model, location)
    return Problem(document.path, message, line, field_path)


def removable(model: type[Model], location: tuple[str | int, ...]) -> str:
    """How to say that an empty value may also be removed, where it may."""
    if location and isinstance(location[-1], int):
        return ", or remove that item"
    return ", or remove the line" if is_optional(model, location) else ""


IMPORTED = "filled by letters import"  # a declared section's description, when import fills it


def missing_message(model: type[Model], location: tuple[str | int, ...]) -> str:
    """What to do about a part that is missing: import the figures, for a section letters
    import fills (a new year's files have none yet); else write it."""
    declared = model.model_fields.get(str(location[0])) if len(location) == 1 else None
    if declared is not None and declared.description == IMPORTED:
        return (
            "is missing: letters import fills it from the case system's spreadsheet (the "
            "README's yearly routine, step 3), or add it by hand as the README's example shows"
        )
    return "is missing: add it (see the README's example)"


def plain_message(model: type[Model], detail: ErrorDetails) -> str:
    """Pydantic's message for programmers, reworded for staff."""
    kind, value = detail["type"], detail.get("input")
    if kind == "missing":
        return missing_message(model, detail["loc"])
    if kind == "extra_forbidden":
        return unknown_field_message(model, detail["loc"])
    if value is None:
        return "has no value: write one after the colon"
    if kind == "literal_error":
        return not_one_of(value, detail["ctx"]["expected"])
    if kind in ("int_type", "int_parsing", "int_from_float", "float_type"):
        return not_a_number(value)
    if kind == "too_short":
        return "is an empty list: write at least one item, one '- item' per line"
    if kind == "greater_than_equal":
        return f"must be {detail['ctx']['ge']} or more, not {value}"
    if kind == "less_than_equal":
        return f"must be at most {detail['ctx']['le']}, not {value}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {describe(value)}"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"must be a date written as YYYY-MM-DD, not {describe(value)}"
    if kind == "string_pattern_mismatch" and detail["ctx"]["pattern"] == IDENTIFIER:
        return (
            f"must be a name of small letters, digits and _, starting with a letter "
            f"(templates use it as written), not {describe(value)}"
        )
    if kind == "string_pattern_mismatch":
        return f"must be a web address starting https://, not {value!r}"
    if kind in EXPECTED:
        return f"{EXPECTED[kind]}, not {describe(value)}"
    return re.sub(r"^Value error, ", "", detail["msg"])


EXPECTED = {
    "string_type": "must be text",
    "list_type": "must be a list, one '- item' per line",
    "model_type": "must be a section, its fields indented below it",
    "model_attributes_type": "must be a section, its fields indented below it",
    "dict_type": "must be a section, its fields indented below it",
}


def not_a_number(value: object) -> str:
    if isinstance(value, str) and re.fullmatch(r"0[0-9]+", value.strip()):
        return f"must be a whole number without a leading 0, not {quoted(value)}"
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return f"must be a whole number without quotes, not {quoted(value)}"
    return f"must be a whole number, not {describe(value)}"


def is_optional(model: type[Model], location: tuple[str | int, ...]) -> bool:
    """Whether the field at `location` may be left out (list items and section keys may not)."""
    if not location or not isinstance(location[-1], str):
        return False
    fields = model_at(model, location[:-1]).model_fields
    return location[-1] in fields and not fields[location[-1]].is_required()


def describe(value: object) -> str:
    """A value as staff wrote it: 'five', 5.5, true, a list, a section."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime) and value.time() != datetime.min.time():
        return f"a date and time ({value:%Y-%m-%d %H:%M})"  # a spreadsheet's date is at 00:00
    if isinstance(value, date):
        return f"a date ({value:%Y-%m-%d})"
    if isinstance(value, str | int | float):
        return quoted(value)
    if isinstance(value, list):
        return "a list"
    return "a section" if isinstance(value, dict) else type(value).__name__


def not_an_authority_type(value: object) -> str:
    choices = {kind.lower(): kind for kind in AUTHORITY_TYPES}
    close = difflib.get_close_matches(str(value).lower(), choices, n=1, cutoff=0.8)
    hint = (
        f"did you mean {choices[close[0]]}?"
        if close
        else (f"use one of: {', '.join(AUTHORITY_TYPES)}")
    )
    return f"{describe(value)} is not a type of authority; {hint}"


def not_one_of(value: object, expected: str) -> str:
    """A choice that is not one of the `expected` (pydantic's "'a', 'b' or 'c'")."""
    choices = re.findall(r"'([^']*)'", expected)
    if set(choices) == set(AUTHORITY_TYPES):
        return not_an_authority_type(value)
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"use one of: {', '.join(choices)}"
    return f"{describe(value)} is not one of the choices; {hint}"


def unknown_field_message(model: type[Model], location: tuple[str | int, ...]) -> str:
    close = suggestion(model, location)
    hint = (
        f"did you mean {close}?"
        if close
        else f"the fields here are: {', '.join(fields_at(model, location[:-1]))}"
    )
    new = declarable(model, location)
    return f"unknown field; {hint}" + (
        f" If it is new, {new}" if close else f"; if it is new, {new}" if new else ""
    )


def declarable(model: type[Model], location: tuple[str | int, ...]) -> str:
    """A council file's sections, and their fields, are declared in fields.yaml: a new one is
    added there (the tool's own fields, such as recipient's, are not)."""
    if not issubclass(model, Council) or location[0] in Council.model_fields:
        return ""
    return "declare it in fields.yaml"


def suggestion(model: type[Model], location: tuple[str | int, ...]) -> str | None:
    """The known field an unknown one is most likely a misspelling of."""
    close = difflib.get_close_matches(str(location[-1]), fields_at(model, location[:-1]), n=1)
    return close[0] if close else None


def fields_at(model: type[Model], location: tuple[str | int, ...]) -> list[str]:
    """The field names allowed at `location` inside `model` (list indexes and dict keys pass)."""
    return list(model_at(model, location).model_fields)


def model_at(model: type[Model], location: tuple[str | int, ...]) -> type[Model]:
    """The model of the section at `location` inside `model`."""
    for part in location:
        if part in model.model_fields:
            model = next(models_in(model.model_fields[part].annotation), model)
    return model


def models_in(annotation: Any) -> Iterator[type[Model]]:
    """The models an annotation holds, however deep (a table's rows: list[Row] | None)."""
    if isinstance(annotation, type) and issubclass(annotation, Model):
        yield annotation
    for argument in get_args(annotation):
        yield from models_in(argument)
