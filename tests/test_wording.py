"""The wording that follows the data: zero cases, plurals, optional paragraphs, escaping."""

from pathlib import Path

import pytest

from helpers import REFERENCE, edit, html_text, normalise
from letters.data.fields import validate_council
from letters.data.load import load_document
from letters.data.project import Project
from letters.data.read import read_year
from letters.letter.context import letter_context
from letters.letter.render_html import html_environment, render_html

COUNCIL = """\
name: Testham Borough Council
authority_type: District Councils
recipient: {{title: Ms, name: Example, job_title: Chief Executive}}
statistics:
  investigations: {investigations}
  upheld: {upheld}
  compliance_outcomes: {outcomes}
  implemented: {implemented}
  satisfactory_remedies: {remedies}
"""


def letter_text(
    root: Path, extra: str = "", investigations=10, upheld=5, outcomes=5, implemented=5, remedies=1
) -> str:
    """The text of the HTML letter for a council written inline."""
    path = root / "councils" / "testham.yaml"
    path.write_text(
        COUNCIL.format(
            investigations=investigations,
            upheld=upheld,
            outcomes=outcomes,
            implemented=implemented,
            remedies=remedies,
        )
        + extra,
        encoding="utf-8",
    )
    project = Project(root)
    year = read_year(project)
    html = render_html(
        html_environment(project),
        letter_context(
            validate_council(load_document(path, "testham"), year.declaration, year.facts), year
        ),
    )
    (root / "testham.html").write_text(html, encoding="utf-8")
    return normalise(html_text(root / "testham.html"))


def test_no_investigations_says_so_instead_of_a_percentage(project: Path):
    text = letter_text(project, investigations=0, upheld=0, remedies=0)
    assert (
        "We did not complete any detailed investigations about the authority in this "
        "period, so there is no upheld rate. "
        "The average in similar authorities was 45%."
    ) in text
    assert "0 upheld decisions" in text
    assert "Statistics are based on a total of 0 detailed investigations" in text
    assert "of complaints we investigated were upheld" not in text


def test_nothing_upheld_says_there_was_nothing_to_remedy(project: Path):
    text = letter_text(project, upheld=0, remedies=0)
    assert "0% of complaints we investigated were upheld." in text
    assert (
        "We did not uphold any of the complaints we investigated, so there were no upheld "
        "cases in which the authority could have provided a satisfactory remedy."
    ) in text
    assert "0 satisfactory remedy decisions" in text


def test_no_compliance_outcomes_says_none_were_due(project: Path):
    text = letter_text(project, outcomes=0, implemented=0)
    assert (
        "No recommendations were due for us to check the authority's compliance in this "
        "period. The average in similar authorities was 99%."
    ) in text
    assert "Statistics are based on a total of 0 compliance outcomes" in text


def test_counts_of_one_are_singular(project: Path):
    text = letter_text(project, investigations=1, upheld=1, outcomes=1, implemented=1)
    assert "1 upheld decision " in text
    assert "1 satisfactory remedy decision " in text
    assert "a total of 1 detailed investigation for the period" in text
    assert "a total of 1 compliance outcome for the period" in text


def test_large_counts_have_thousands_separators(project: Path):
    text = letter_text(
        project, investigations=1250, upheld=1001, outcomes=1000, implemented=990, remedies=10
    )
    assert "1,001 upheld decisions" in text
    assert "a total of 1,250 detailed investigations" in text
    assert "80% of complaints we investigated were upheld." in text


def test_several_training_courses_are_listed_in_one_paragraph(project: Path):
    text = letter_text(
        project,
        "training_courses:\n  - complaint handling\n  - adult social care complaint handling\n",
    )
    assert (
        "We were pleased to deliver complaint handling and adult social care complaint "
        "handling courses to your staff during the year. I welcome your Council's investment "
        "in good complaint handling training and trust the courses were useful to you."
    ) in text


def test_one_training_course_starting_with_a_vowel_takes_an(project: Path):
    text = letter_text(project, "training_courses: [adult social care complaint handling]\n")
    assert "We were pleased to deliver an adult social care complaint handling course" in text


@pytest.mark.parametrize(
    ("summons", "expected", "absent"),
    [
        pytest.param(
            "{threatened: true}",
            "repeatedly failed to respond to our enquiries. I will usually only consider a "
            "witness summons where a council has not provided a response after a "
            "considerable time and despite our continued efforts. Delay adds to",
            "My investigators",
            id="summons-only",
        ),
        pytest.param(
            "{incomplete_response: true}",
            "My investigators noted an instance where your Council failed to provide a "
            "complete response to our enquiries, meaning further time was spent chasing the "
            "required information. Delay adds to",
            "witness summons",
            id="incomplete-only",
        ),
    ],
)
def test_witness_summons_wording_follows_what_happened(project: Path, summons, expected, absent):
    text = letter_text(project, f"witness_summons: {summons}\n")
    assert expected in text
    assert absent not in text


def test_text_from_data_files_is_escaped(project: Path):
    text = letter_text(
        project, 'public_report: |\n  A <script>alert(1)</script> & <img src="x"> paragraph.\n'
    )
    html = (project / "testham.html").read_text(encoding="utf-8")
    assert 'A <script>alert(1)</script> & <img src="x"> paragraph.' in text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=&#34;x&#34;&gt;" in html


def test_public_report_keeps_its_paragraphs(project: Path):
    letter_text(project, "public_report: |\n  First paragraph\n  goes on.\n\n  Second.\n")
    html = (project / "testham.html").read_text(encoding="utf-8")
    assert (
        '<p data-section="public_report">First paragraph goes on.</p>\n'
        '<p data-section="public_report">Second.</p>'
    ) in html


def test_a_recipient_without_a_title_is_addressed_by_name(project: Path):
    assert "Dear Ms Example" in letter_text(project)
    path = project / "councils" / "testham.yaml"
    edit(path, "{title: Ms, name: Example", "{name: Alex Carmichael")
    project_ = Project(project)
    year = read_year(project_)
    html = render_html(
        html_environment(project_),
        letter_context(
            validate_council(load_document(path, "testham"), year.declaration, year.facts), year
        ),
    )
    assert "Dear Alex Carmichael</p>" in html and "None" not in html
    assert '<p class="recipient">\nAlex Carmichael<br>' in html


def test_an_empty_title_says_it_may_be_left_out(project: Path):
    from helpers import letters

    (project / "councils" / "testham.yaml").write_text(
        COUNCIL.format(investigations=1, upheld=1, outcomes=1, implemented=1, remedies=1).replace(
            "{title: Ms,", "{title: '',"
        )
    )
    result = letters("check", "--root", str(project))
    assert result.stderr == (
        "councils/testham.yaml:3: recipient.title: is empty: write the text, or remove the line\n"
    )


@pytest.mark.parametrize(
    ("counts", "sentence"),
    [
        (
            dict(outcomes=2000, implemented=1999, upheld=2000, investigations=2000),
            "In 99% of cases we were satisfied the authority had successfully implemented",
        ),
        (
            dict(upheld=2000, investigations=2000, outcomes=5, implemented=5, remedies=1),
            "In 1% of upheld cases we found the authority had provided a satisfactory remedy",
        ),
    ],
)
def test_a_rate_that_is_not_all_or_none_never_prints_as_100_or_0(project: Path, counts, sentence):
    assert sentence in letter_text(project, **counts)


# The reference year file's seminars section, comment and all.
YEAR_FILE = (REFERENCE / "year.yaml").read_text()
SEMINARS = YEAR_FILE[YEAR_FILE.index("seminars:") : YEAR_FILE.index("training:")]


def test_a_year_without_a_fact_leaves_its_paragraph_out(project: Path):
    from helpers import letters

    edit(project / "year.yaml", SEMINARS, "")
    assert letters("check", "--root", str(project)).output == "5 councils OK\n"
    text = letter_text(project)
    assert "link officer seminars" not in text
    assert "We have a well-established and successful training programme" in text


def test_a_fact_with_no_value_is_a_year_without_it(project: Path):
    from helpers import letters

    edit(project / "year.yaml", SEMINARS, "seminars:\n")
    assert letters("check", "--root", str(project)).output == "5 councils OK\n"
    assert "link officer seminars" not in letter_text(project)


def test_a_template_that_uses_a_missing_fact_names_its_line(project: Path):
    from helpers import letters

    edit(project / "year.yaml", SEMINARS, "")
    edit(project / "templates" / "letter.html.j2", "{% if letter.seminars %}", "{% if true %}")
    result = letters("build", "maidstone", "--root", str(project), "--html-only")
    line = next(
        number
        for number, text in enumerate(
            (project / "templates" / "letter.html.j2").read_text().splitlines(), start=1
        )
        if "{{ letter.seminars.cities }}" in text
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"templates/letter.html.j2:{line}: template uses an unknown value: "
        f"'None' has no attribute 'cities' (letter to maidstone)\n"
    )


UPHELD = {
    "none": "We did not complete any detailed investigations about the authority in this period, "
    "so there is no upheld rate.",
    "zero": "0% of complaints we investigated were upheld.",
    "some": "50% of complaints we investigated were upheld.",
}
COMPLIANCE = {
    "none": "No recommendations were due for us to check the authority's compliance in this "
    "period.",
    "zero": "In 0% of cases we were satisfied the authority had successfully implemented our "
    "recommendations.",
    "some": "In 100% of cases we were satisfied the authority had successfully implemented our "
    "recommendations.",
}
REMEDIES = {
    "no investigations": "As we did not complete any detailed investigations, there were no "
    "upheld cases in which the authority could have provided a satisfactory remedy.",
    "none upheld": "We did not uphold any of the complaints we investigated, so there were no "
    "upheld cases in which the authority could have provided a satisfactory remedy.",
    "zero": "In 0% of upheld cases we found the authority had provided a satisfactory remedy "
    "before the complaint reached the Ombudsman.",
    "some": "In 50% of upheld cases we found the authority had provided a satisfactory remedy "
    "before the complaint reached the Ombudsman.",
}
# Every way the counts can be zero: (investigations, upheld, remedies), (outcomes, implemented).
INVESTIGATIONS = {
    (0, 0, 0): ("none", "no investigations"),
    (4, 0, 0): ("zero", "none upheld"),
    (4, 2, 0): ("some", "zero"),
    (4, 2, 1): ("some", "some"),
}
COMPLIANCE_COUNTS = {(0, 0): "none", (3, 0): "zero", (3, 3): "some"}


@pytest.mark.parametrize("compliance", list(COMPLIANCE_COUNTS))
@pytest.mark.parametrize("investigated", list(INVESTIGATIONS))
def test_every_combination_of_zero_counts_reads_as_a_whole(
    project: Path, investigated: tuple[int, int, int], compliance: tuple[int, int]
):
    """The statistics page's three sentences, read together, never contradict each other: no
    investigations is never followed by what 'we investigated'."""
    (investigations, upheld, remedies), (outcomes, implemented) = investigated, compliance
    text = letter_text(
        project,
        investigations=investigations,
        upheld=upheld,
        remedies=remedies,
        outcomes=outcomes,
        implemented=implemented,
    )
    statistics = text.split("For the period ending: 31/03/20")[1]
    upheld_case, remedies_case = INVESTIGATIONS[investigated]
    expected = [
        UPHELD[upheld_case],
        COMPLIANCE[COMPLIANCE_COUNTS[compliance]],
        REMEDIES[remedies_case],
    ]
    said = [
        sentence
        for sentence in [*UPHELD.values(), *COMPLIANCE.values(), *REMEDIES.values()]
        if f" {sentence} " in f" {statistics} "  # whole sentences: 50% is not 0%
    ]
    assert said == expected
    if investigations == 0:
        assert "we investigated" not in statistics
