"""The figures and wording derived from the counts: rounding, plurals, zero cases, dates, lists."""

from datetime import date

import pytest

from helpers import REFERENCE
from letters.data.fields import read_declaration
from letters.data.load import load_document
from letters.letter.figures import (
    Figure,
    figure,
    formatted_list,
    long_date,
    noun,
    paragraphs,
    percentage,
    short_date,
    thousands,
    whole_percent,
    with_article,
)


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [
        pytest.param(7, 11, 64, id="maidstone-upheld-7-of-11"),
        pytest.param(1, 7, 14, id="maidstone-remedies-1-of-7"),
        pytest.param(5, 10, 50, id="canterbury-upheld"),
        pytest.param(1, 8, 13, id="12.5-rounds-half-up"),
        pytest.param(1, 200, 1, id="0.5-rounds-up"),
        pytest.param(1, 201, 1, id="just-under-0.5-is-still-not-none"),
        pytest.param(1, 2000, 1, id="1-of-2000-is-not-0"),
        pytest.param(199, 200, 99, id="99.5-is-not-all-of-them"),
        pytest.param(1999, 2000, 99, id="1999-of-2000-is-not-100"),
        pytest.param(3, 200, 2, id="1.5-rounds-half-up"),
        pytest.param(0, 5, 0, id="none-of-them"),
        pytest.param(5, 5, 100, id="all-of-them"),
    ],
)
def test_percentage_rounds_half_up_but_never_to_a_false_0_or_100(part, whole, percent):
    assert percentage(part, whole) == percent


def test_percentage_of_nothing_is_none_not_a_division_by_zero():
    assert percentage(0, 0) is None


@pytest.mark.parametrize(
    ("average", "shown"), [(45, 45), (99.4, 99), (99.5, 100), (12.5, 13), (0, 0), (100, 100)]
)
def test_averages_show_as_whole_percents_rounded_half_up(average, shown):
    assert whole_percent(average) == shown


def key_statistics(counts: dict[str, int]) -> dict[str, Figure]:
    """The three key statistics as the shipped fields.yaml declares them, beside District
    Councils' averages."""
    path = REFERENCE / "fields.yaml"
    statistics = read_declaration(load_document(path, "fields.yaml")).sections["statistics"]
    averages = {"upheld": 45, "compliance": 99, "remedies": 20}
    return {
        name: figure(counts, declared, averages[name])
        for name, declared in statistics.percentages.items()
    }


def test_key_statistics_of_maidstone():
    figures = key_statistics(
        dict(
            investigations=11,
            upheld=7,
            compliance_outcomes=6,
            implemented=6,
            satisfactory_remedies=1,
        )
    )
    assert figures["upheld"] == Figure(percent=64, average=45, count=7, base=11)
    assert figures["compliance"] == Figure(percent=100, average=99, count=6, base=6)
    assert figures["remedies"] == Figure(percent=14, average=20, count=1, base=11)


def test_key_statistics_with_nothing_to_count():
    figures = key_statistics(
        dict(
            investigations=0,
            upheld=0,
            compliance_outcomes=0,
            implemented=0,
            satisfactory_remedies=0,
        )
    )
    assert [figure.percent for figure in figures.values()] == [None, None, None]


@pytest.mark.parametrize(
    ("count", "wording"),
    [
        (0, "satisfactory remedy decisions"),
        (1, "satisfactory remedy decision"),
        (2, "satisfactory remedy decisions"),
        (5, "satisfactory remedy decisions"),
    ],
)
def test_noun_is_singular_only_for_one(count, wording):
    assert noun(count, "satisfactory remedy decision", "satisfactory remedy decisions") == wording


@pytest.mark.parametrize(
    ("number", "shown"), [(0, "0"), (999, "999"), (1400, "1,400"), (1234567, "1,234,567")]
)
def test_thousands_separators(number, shown):
    assert thousands(number) == shown


def test_dates_as_the_letters_print_them():
    assert long_date(date(2020, 7, 22)) == "22 July 2020"
    assert long_date(date(2019, 4, 1)) == "1 April 2019"
    assert short_date(date(2020, 3, 31)) == "31/03/20"
    assert f"{long_date(date(2019, 4, 1))} to {long_date(date(2020, 3, 31))}" == (
        "1 April 2019 to 31 March 2020"
    )


@pytest.mark.parametrize(
    ("items", "shown"),
    [
        ([], ""),
        (["London"], "London"),
        (["London", "Leeds"], "London and Leeds"),
        (["London", "Bristol", "Leeds", "Birmingham"], "London, Bristol, Leeds and Birmingham"),
    ],
)
def test_formatted_list(items, shown):
    assert formatted_list(items) == shown


def test_with_article():
    assert with_article("planning complaint handling") == "a planning complaint handling"
    assert with_article("adult social care") == "an adult social care"


def test_paragraphs_split_at_blank_lines_and_join_wrapped_lines():
    text = "First line\n  wrapped here.\n\n   \nSecond.\n"
    assert paragraphs(text) == ["First line wrapped here.", "Second."]
