"""Percentages, plurals, dates and lists, derived from the validated data."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from letters.data.fields import PercentageDeclaration


@dataclass(frozen=True)
class Figure:
    """A declared percentage (fields.yaml): the council's, beside its type's average where the
    year gives one (the three key statistics).

    `percent` is None when there is nothing to divide by (no investigations, no upheld
    complaints, no compliance outcomes): the letter then says so instead of showing 0%.
    """

    percent: int | None
    average: int | None
    count: int
    base: int
    over: str = field(default="", compare=False)  # the count it divides by, as declared


@dataclass(frozen=True)
class Rate:
    """A percent given as a rate (a percent field with `average: true`), beside its type's
    average as a worked-out Figure is: `percent` is None where the council has none."""

    percent: int | float | None
    average: int | None


def rate(value: int | float | None, average: int | float | None) -> Rate:
    return Rate(value, None if average is None else whole_percent(average))


def figure(
    counts: dict[str, int], declared: PercentageDeclaration, average: int | float | None
) -> Figure:
    """A declared percentage worked out from the section's counts, beside its average if any."""
    return Figure(
        percentage(counts[declared.of], counts[declared.over]),
        None if average is None else whole_percent(average),
        counts[declared.of],
        counts[declared.base or declared.over],
        declared.over,
    )


def percentage(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percent, rounded half up, but never a false 0% or 100%: only
    all of them is 100% and only none is 0% (1,999 of 2,000 is 99%; 1 of 2,000 is 1%). None
    when `whole` is 0.

    >>> percentage(7, 11), percentage(1, 8), percentage(1999, 2000), percentage(1, 2000)
    (64, 13, 99, 1)
    """
    if whole == 0:
        return None
    rounded = (200 * part + whole) // (2 * whole)
    return min(max(rounded, 1 if part else 0), 99 if part < whole else 100)


def whole_percent(value: int | float) -> int:
    """An average such as 99.4 shown as a whole percent, rounded half up: 99.5 -> 100."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def noun(count: int, singular: str, plural: str) -> str:
    """The noun that agrees with `count`: noun(1, "decision", "decisions") -> "decision"."""
    return singular if count == 1 else plural


def thousands(number: int) -> str:
    """A count as the letters write it.

    >>> thousands(1400), thousands(999)
    ('1,400', '999')
    """
    return f"{number:,}"


# Not strftime's %B, which follows the machine's locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """date(2020, 7, 22) -> "22 July 2020"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    """date(2020, 3, 31) -> "31/03/20"."""
    return f"{day:%d/%m/%y}"


def formatted_list(items: list[str], conjunction: str = "and") -> str:
    """The items as a sentence lists them.

    >>> formatted_list(["London", "Bristol", "Leeds"]), formatted_list(["York"], "or")
    ('London, Bristol and Leeds', 'York')
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def ordinal(number: int) -> str:
    """How a letter counts occasions: 3 -> "third"; from 10, 10th, 11th, 22nd.

    >>> ordinal(3), ordinal(10), ordinal(12), ordinal(22)
    ('third', '10th', '12th', '22nd')
    """
    if 1 <= number <= len(ORDINALS):
        return ORDINALS[number - 1]
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def with_article(phrase: str) -> str:
    """ "planning course" -> "a planning course"; "adult care course" -> "an adult care course"."""
    article = "an" if phrase[:1].lower() in "aeiou" else "a"
    return f"{article} {phrase}"


EMPHASIS = re.compile(r"\*([^*\s](?:[^*]*[^*\s])?)\*")


def marked_up_paragraphs(text: str) -> list[Markup]:
    """Free text as HTML paragraphs: all of it escaped, except *emphasis*, which becomes <em>.

    >>> marked_up_paragraphs("A <b> and *very* plain\\n\\nend")
    [Markup('A &lt;b&gt; and <em>very</em> plain'), Markup('end')]
    """
    return [
        Markup(EMPHASIS.sub(r"<em>\1</em>", str(escape(paragraph))))
        for paragraph in paragraphs(text)
    ]


def paragraphs(text: str) -> list[str]:
    """Free text split at blank lines, each paragraph's lines joined into one."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks if block]
