"""Everything one letter's templates need, as ready-made values."""

import dataclasses
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

from letters.data.fields import Declaration, SectionDeclaration
from letters.data.history import PastYear
from letters.data.read import Year
from letters.data.validate import Council, Model, Recipient, YearFacts
from letters.letter.figures import (
    Figure,
    figure,
    formatted_list,
    long_date,
    marked_up_paragraphs,
    rate,
    short_date,
    thousands,
)
from letters.letter.figures import (
    percentage as worked_percentage,
)
from letters.problems import excerpt


class Section(SimpleNamespace):
    """A section of a council's file as templates see it: `section.field`; there means true,
    even with every field in it left out (no dict methods to shadow a field named `items`)."""


def letter_context(
    council: Council,
    year: Year,
    draft: bool = False,
    standalone: bool = True,
    slug: str | None = None,
    tight: bool = False,
) -> dict[str, Any]:
    """The values one council's letter is rendered from; wording stays in the templates.

    A standalone letter embeds its stylesheet, for the HTML file; the PDF renderer brings the
    stylesheet it parsed once instead. A tight letter is set a little closer (the stylesheet
    says how), to keep its last lines off a page of their own.
    """
    sections = declared_values(
        council, year.declaration, year.facts.averages[council.authority_type]
    )
    history = earlier_letters(council, year, slug)
    return {
        "draft": draft,
        "standalone": standalone,
        "tight": tight,
        "letter": year_wording(year.facts),
        "council": Section(
            name=council.name,
            authority_type=council.authority_type,
            recipient=council.recipient,
            **sections,
        ),
        "recipient": council.recipient,
        "addressee": addressee(council.recipient),
        **sections,
        "signatory": year.facts.signatory,
        "links": year.facts.links,
        "previous": history[0] if history else None,  # last year's, where the council had one
        "history": history,  # every earlier year kept, newest first
    }


def earlier_letters(council: Council, year: Year, slug: str | None) -> list[Section]:
    """The council's earlier years as their templates saw them: year, council, the councils
    it was (its predecessors, combined, for one that replaced others), sections."""
    if council.predecessors:
        merged = year.history.of_predecessors(council.predecessors)
        return [
            earlier_letter(
                m.past,
                m.combined(council.authority_type),
                [m.past.councils[slug].name for slug in m.slugs],
                year,
            )
            for m in merged
        ]
    return [
        earlier_letter(match.past, past, [past.name], year)
        for match in year.history.of(slug or "", council.name)
        if (past := match.past.councils[match.slug])
    ]


def earlier_letter(past: PastYear, council: Council, names: list[str], year: Year) -> Section:
    averages = past.year_data.averages.get(council.authority_type) if past.year_data else None
    sections = in_this_years_shape(
        declared_values(council, past.declaration, averages), year.declaration
    )
    return Section(
        year=past.year,
        council=Section(name=council.name, authority_type=council.authority_type, **sections),
        councils=names,
        **sections,
    )


def in_this_years_shape(sections: dict[str, object], declaration: Declaration) -> dict[str, object]:
    """An earlier year's sections with every section and field declared this year: one new this
    year is nothing there, so `{% if previous.recommendations %}` and `history|selectattr(...)`
    work across years."""
    shaped: dict[str, object] = {**dict.fromkeys(declaration.sections), **sections}
    for name, section in declaration.sections.items():
        value = shaped[name]
        if isinstance(value, Section):
            for field in [*section.fields, *section.percentages]:
                if not hasattr(value, field):
                    setattr(value, field, None)
    return shaped


def declared_values(
    council: Council, declaration: Declaration, averages: Model | None
) -> dict[str, object]:
    """Each section fields.yaml declares, as the letter uses it: None where an optional one is
    left out, paragraphs marked up, percentages worked out beside the year's averages (none for
    an earlier year imported without its year file)."""
    return {
        name: shown(getattr(council, name), section, averages)
        for name, section in declaration.sections.items()
    }


def shown(value: object, section: SectionDeclaration, averages: Model | None) -> object:
    if value is None or section.kind == "list":
        return value
    if section.kind == "paragraphs":
        return marked_up_paragraphs(str(value))
    if section.kind == "table":
        assert isinstance(value, list)
        return table_rows(value, section)
    assert isinstance(value, BaseModel)
    values = {field: getattr(value, field) for field in section.fields}
    marked_up = {
        field: marked_up_paragraphs(values[field])
        for field, declared in section.fields.items()
        if declared.kind == "paragraphs" and values[field] is not None
    }
    rates = {
        field: rate(values[field], getattr(averages, field, None))
        for field, declared in section.fields.items()
        if declared.average
    }
    # A percentage named like the count it is of stands for it: its .count is that count.
    return Section(**{**values, **marked_up, **rates, **percentages(values, section, averages)})


def table_rows(rows: list[BaseModel], section: SectionDeclaration) -> list[Section]:
    """A table's rows, each with its cells and, for each count column that says share: true,
    its share of the column's total (`row.shares.decided.percent`)."""
    totals = {
        name: sum(getattr(row, name) or 0 for row in rows)
        for name, column in section.columns.items()
        if column.share
    }
    return [
        Section(
            **{name: getattr(row, name) for name in section.columns},
            shares=Section(
                **{
                    name: Figure(
                        worked_percentage(getattr(row, name) or 0, total),
                        None,
                        getattr(row, name) or 0,
                        total,
                        name,
                    )
                    for name, total in totals.items()
                }
            ),
        )
        for row in rows
    ]


def percentages(
    counts: dict[str, Any], section: SectionDeclaration, averages: Model | None
) -> dict[str, Figure]:
    return {
        name: figure(counts, declared, getattr(averages, name, None) if declared.average else None)
        for name, declared in section.percentages.items()
    }


def addressee(recipient: Recipient) -> str:
    """How the letter names its recipient: "Mr Carmichael", or "Alex Carmichael" untitled."""
    return " ".join(filter(None, (recipient.title, recipient.name)))


def year_wording(facts: YearFacts) -> dict[str, Any]:
    """What every letter of the year shares, formatted as the letters print it."""
    return {
        "year": facts.year,
        "date": long_date(facts.letter_date),
        "date_iso": facts.letter_date.isoformat(),  # no clock time: each build's PDF dates alike
        "period_start": long_date(facts.period.start),
        "period_end": long_date(facts.period.end),
        "period_end_short": short_date(facts.period.end),
        "publication_date": long_date(facts.publication_date),
        "letterhead": facts.letterhead,
        "seminars": facts.seminars
        and {
            "cities": formatted_list(facts.seminars.cities),
            "delegates": thousands(facts.seminars.delegates),
            "authorities": thousands(facts.seminars.authorities),
        },
        "training": facts.training
        and {
            "courses": thousands(facts.training.courses),
            "people": thousands(facts.training.people),
            "more_courses": thousands(facts.training.more_courses_than_last_year),
        },
    }


@dataclass(frozen=True)
class DeclaredValue:
    """One value fields.yaml declares, as `letters fields` lists it."""

    name: str  # as a template writes it
    kind: str
    can_be_nothing: bool
    help: str
    value: object


def declared_fields(council: Council, year: Year) -> list[DeclaredValue]:
    """Every value fields.yaml declares, with its kind and help, and one council's value."""
    values = declared_values(council, year.declaration, year.facts.averages[council.authority_type])
    found = []
    for name, section in year.declaration.sections.items():
        shown_value = values[name]
        if section.kind:
            found.append(
                DeclaredValue(
                    name,
                    f"{section.kind} section",
                    section.optional,
                    section.help or "",
                    shown_value,
                )
            )
            continue
        for field, declared in section.fields.items():
            if field in section.percentages:  # listed as the percentage's .count
                continue
            if declared.average:  # a rate beside its average: its two parts
                given = getattr(shown_value, field, None)
                found += [
                    DeclaredValue(
                        f"{name}.{field}.{part}",
                        "percentage",
                        section.optional or part == "percent",
                        words,
                        getattr(given, part, None),
                    )
                    for part, words in (
                        ("percent", declared.help or "the rate given"),
                        ("average", "the average for the council's type (year.yaml)"),
                    )
                ]
                continue
            found.append(
                DeclaredValue(
                    f"{name}.{field}",
                    declared.kind,
                    section.optional or declared.optional,
                    declared.help or "",
                    getattr(shown_value, field, None),
                )
            )
        for percentage, worked in section.percentages.items():
            figure = getattr(shown_value, percentage, None)
            parts = {
                "percent": f"{worked.of} of {worked.over}, worked out; nothing when "
                f"{worked.over} is 0",
                "count": section.fields[worked.of].help or worked.of,
                "base": section.fields[worked.base or worked.over].help
                or worked.base
                or worked.over,
                **(
                    {"average": "the average for the council's type (year.yaml)"}
                    if worked.average
                    else {}
                ),
            }
            found += [
                DeclaredValue(
                    f"{name}.{percentage}.{part}",
                    "percentage" if part in ("percent", "average") else "count",
                    section.optional or part == "percent",
                    (worked.help + ": " if worked.help and part == "percent" else "") + words,
                    getattr(figure, part, None),
                )
                for part, words in parts.items()
            ]
    return found


def context_fields(value: object, name: str = "") -> list[tuple[str, str, str]]:
    """Every value a letter's templates receive, as (name, kind, value), from the context
    itself: `letters fields` prints these, so the list can never go stale."""
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, SimpleNamespace):
        items = list(vars(value).items())
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


# Each kind of value as the README and `letters fields` name it (the filters' too).
KINDS = {
    bool: "true or false",
    int: "whole number",
    float: "number",
    str: "text",
    date: "date",
    list: "list",
}


def as_listed(value: object) -> str:
    text = repr(str(value) if isinstance(value, Markup) else value)
    if isinstance(value, list):
        text = repr([str(item) if isinstance(item, Markup) else item for item in value])
    return excerpt(text, 70)
