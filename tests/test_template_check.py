"""Templates checked like code: every branch held against fields.yaml before any council meets it,
with exact messages; names the tool uses itself refused in fields.yaml; kept years in this year's
shape; the email's context the letter's."""

from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from helpers import edit, html_text, letters
from test_history import NEW_COUNCIL, next_year

UNREACHED = "{% if statistics.upheld.count > 100000 %}"  # no council's data goes here
HINT = "(letters fields lists every value, and fields.yaml declares the sections)"


def add_to_letter(project: Path, text: str) -> int:
    path = project / "templates" / "letter.html.j2"
    edit(path, "<body>\n", f"<body>\n{UNREACHED}{text}{{% endif %}}\n")
    return path.read_text().splitlines().index(f"{UNREACHED}{text}{{% endif %}}") + 1


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "{{ council.name|nuon('a', 'b') }}",
            "there is no filter named 'nuon': did you mean noun? (the README's 'Filters' lists "
            "the tool's own, beside Jinja's)",
        ),
        (
            "{{ statistics.upheld.count is evn }}",
            "there is no test named 'evn': did you mean even?",
        ),
        (
            "{{ statistics.uphled.percent }}",
            f"statistics.uphled is not a value the letter is given: did you mean "
            f"statistics.upheld? {HINT}",
        ),
        (
            "{{ statistcs.upheld.percent }}",
            f"statistcs is not a value the letter is given: did you mean statistics? {HINT}",
        ),
        (
            "{{ statistics.upheld.percnt }}",
            f"statistics.upheld.percnt is not a value the letter is given: did you mean "
            f"statistics.upheld.percent? {HINT}",
        ),
        (
            "{% for past in history %}{{ past.statistics.uphld }}{% endfor %}",
            f"past.statistics.uphld is not a value the letter is given: did you mean "
            f"past.statistics.upheld? {HINT}",
        ),
        (
            "{{ history|selectattr('witness_sumons')|list|length }}",
            f"selectattr('witness_sumons') is not a value the letter is given: did you mean "
            f"selectattr('witness_summons')? {HINT}",
        ),
        (
            "{{ recipient.emal }}",
            f"recipient.emal is not a value the letter is given: did you mean recipient.email? "
            f"{HINT}",
        ),
        (
            "{{ council.name|noun('a', 'b') }}",
            "the filter noun takes a whole number, but council.name is text",
        ),
        (
            "{{ letter.period_end|long_date }}",
            "the filter long_date takes a date, but letter.period_end is text",
        ),
        (
            "{{ statistics.upheld.count|noun('case') }}",
            "the filter noun takes 2 values in brackets (singular, plural), not ('case')",
        ),
        (
            "{{ public_report }}",
            "public_report is paragraphs, which print one by one: write {% for paragraph in "
            "public_report %}<p>{{ paragraph }}</p>{% endfor %}",
        ),
        (
            "{{ training_courses }}",
            "training_courses is a list, which prints as Python writes it: write {{ "
            "training_courses|formatted_list }}, or each item in a {% for %}",
        ),
        (
            "{% include '_witness_sumons.html.j2' %}",
            "there is no template '_witness_sumons.html.j2' in templates/: did you mean "
            "_witness_summons.html.j2?",
        ),
        ("{{ resend_of }}", f"resend_of is not a value the letter is given: {HINT}"),
        (  # the partial _public_report's loop variable, outside that loop
            "{{ paragraph }}",
            f"paragraph is not a value the letter is given: {HINT}",
        ),
    ],
)
def test_a_mistake_in_a_branch_no_council_reaches_is_found(project: Path, text: str, said: str):
    line = add_to_letter(project, text)
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.stderr) == (1, f"templates/letter.html.j2:{line}: {said}\n")
    assert letters("build", "--html-only", "--root", str(project)).exit_code == 0  # not reached


def test_the_email_template_is_checked_with_its_own_values(project: Path):
    email = project / "templates" / "email.txt.j2"
    edit(email, "{% if resend_of %}", "{% if resend_of %}{{ resend_off }}")
    result = letters("check", "--root", str(project))
    line = email.read_text().splitlines().index("{% if resend_of %}{{ resend_off }}") + 1
    assert result.stderr == (
        f"templates/email.txt.j2:{line}: resend_off is not a value the letter is given: did you "
        f"mean resend_of? {HINT}\n"
    )


def test_the_reference_years_templates_pass(project: Path):
    """The reference year's own templates (tests/reference: the tests never read the folder's
    own year, which staff reword): every branch of each is clean."""
    assert letters("check", "--root", str(project)).stdout == "5 councils OK\n"


# Names the tool uses itself ------------------------------------------------------------------

from letters.data.names import FIELD_NAMES_TAKEN, SECTION_NAMES_TAKEN, why_taken  # noqa: E402


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


# None, True, False are not names a section can have at all (refused as such, by another rule)
@pytest.mark.parametrize("name", sorted(n for n in SECTION_NAMES_TAKEN if n.islower()))
def test_a_section_named_as_the_tool_names_its_own_is_refused(project: Path, name: str):
    fields = project / "fields.yaml"
    with fields.open("a") as file:
        file.write(f"\n'{name}':\n  title: Something\n  optional: true\n  kind: list\n")
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.stderr) == (
        1,
        f"fields.yaml:{line_of(fields, repr(name) + ':')}: {name}: '{name}' is a name the tool "
        f"uses itself ({why_taken(name)}): call the section something else\n",
    )
    assert "Traceback" not in result.output and "pydantic" not in result.output


@pytest.mark.parametrize("name", ["model_config", "model_dump", "json", "copy", "schema"])
def test_a_field_named_as_the_models_name_their_own_is_refused(project: Path, name: str):
    assert name in FIELD_NAMES_TAKEN
    fields = project / "fields.yaml"
    with fields.open("a") as file:
        file.write(f"\nextra:\n  title: Extra\n  optional: true\n  fields:\n    {name}:\n")
        file.write("      kind: count\n")
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.stderr) == (
        1,
        f"fields.yaml:{line_of(fields, f'    {name}:')}: extra.fields.{name}: '{name}' is a name "
        f"the tool uses itself (the tool's data models use it for themselves): call the field "
        f"something else\n",
    )


# Kept years in this year's shape; one context -----------------------------------------------

RECOMMENDATIONS = """
recommendations:
  title: Recommendations late
  optional: true
  fields:
    late:
      kind: count
"""
ACROSS_YEARS = """{% if recommendations and previous and not previous.recommendations %}
<p data-section="recommendations">Recommendations were late this year for the first time.</p>
{% endif %}
{% set years = history|selectattr("recommendations")|list|length %}
<p>Earlier years with late recommendations: {{ years }}.</p>
"""


def built_with_partial(year: Path, name: str, text: str) -> str:
    """The year checked (cleanly) and built with `text` as a partial included by the letter;
    Canterbury's letter's words."""
    (year / "templates" / name).write_text(text)
    edit(
        year / "templates" / "letter.html.j2",
        "{% if public_report %}",
        f'{{% include "{name}" %}}\n{{% if public_report %}}',
    )
    check = letters("check", "--allow-unconfirmed", "--root", str(year))
    assert (check.exit_code, check.stderr) == (0, "")
    assert letters("build", "--html-only", "--root", str(year)).exit_code == 0
    return " ".join(html_text(year / "build" / "html" / "canterbury.html").split())


def test_a_section_new_this_year_is_nothing_in_kept_years(project: Path, tmp_path: Path):
    y2021 = next_year(project, tmp_path / "2021")
    y2022 = next_year(y2021, tmp_path / "2022")
    with (y2022 / "fields.yaml").open("a") as fields:
        fields.write(RECOMMENDATIONS)
    with (y2022 / "councils" / "canterbury.yaml").open("a") as council:
        council.write("\nrecommendations:\n  late: 2\n")
    (y2022 / "councils" / "newtown.yaml").write_text(NEW_COUNCIL)
    canterbury = built_with_partial(y2022, "_years.html.j2", ACROSS_YEARS)
    assert "Recommendations were late this year for the first time." in canterbury
    assert "Earlier years with late recommendations: 0." in canterbury


def test_the_email_recalls_last_year_as_the_letter_does_after_a_new_name(
    project: Path, tmp_path: Path
):
    y2021 = next_year(project, tmp_path / "2021")  # the council renamed, its file kept
    edit(
        y2021 / "councils" / "canterbury.yaml",
        "name: Canterbury City Council",
        "name: City of Canterbury Council",
    )
    email = y2021 / "templates" / "email.txt.j2"
    edit(email, "Dear {{ addressee }}", "Dear {{ addressee }} ({{ previous.year if previous }})")
    (y2021 / "templates" / "_last.html.j2").write_text("<p>Last: {{ previous.year }}</p>\n")
    assert letters("build", "canterbury", "--root", str(y2021)).exit_code == 0
    approve = letters("approve", "canterbury", "--by", "Sam", "--root", str(y2021))
    assert approve.exit_code == 0, approve.output
    letters("send", "--dry-run", "--root", str(y2021))
    written = (y2021 / "build" / "email" / "canterbury.eml").read_bytes()
    body = message_from_bytes(written, policy=default).get_body().get_content()
    assert "Dear Mr Carmichael (2020)" in body


def test_two_kept_councils_of_one_name_are_named_both(project: Path, tmp_path: Path):
    y2021 = next_year(project, tmp_path / "2021")
    kept = y2021 / "history" / "2020" / "councils"
    (kept / "canterbury-2.yaml").write_text((kept / "canterbury.yaml").read_text())
    (y2021 / "councils" / "canterbury.yaml").rename(y2021 / "councils" / "city.yaml")
    result = letters("check", "--allow-unconfirmed", "--root", str(y2021))
    assert result.exit_code == 1
    assert (
        "history/2020/councils/canterbury-2.yaml: and history/2020/councils/canterbury.yaml "
        "both name 'Canterbury City Council': a letter cannot tell which was this council's: "
        "correct the name in the one that is not"
    ) in result.stderr


# Values that print as a person reads them ------------------------------------------------


def test_a_percentage_whose_part_could_pass_its_whole_is_refused(project: Path):
    fields = project / "fields.yaml"
    edit(
        fields,
        "upheld: {kind: count, at_most: investigations, help:",
        "upheld: {kind: count, help:",
    )
    result = letters("check", "--root", str(project))
    line = line_of(fields, "    upheld:") + 1  # the percentage's {of: upheld, ...}
    assert (result.exit_code, result.stderr) == (
        1,
        f"fields.yaml:{line}: statistics.percentages.upheld.of: upheld can be more than "
        f"investigations, so upheld could be over 100%: say that upheld is part of it, with "
        f"at_most: investigations under upheld\n",
    )


def test_a_typed_percent_of_minus_nought_prints_0(project: Path):
    with (project / "fields.yaml").open("a") as fields:
        fields.write("\nsurvey:\n  title: Survey\n  optional: true\n  fields:\n")
        fields.write("    satisfied: {kind: percent}\n")
    with (project / "councils" / "canterbury.yaml").open("a") as council:
        council.write("\nsurvey:\n  satisfied: -0.0\n")
    edit(
        project / "templates" / "letter.html.j2",
        "<body>\n",
        "<body>\n{% if survey %}<p>Satisfied: {{ survey.satisfied }}%</p>{% endif %}\n",
    )
    assert letters("build", "canterbury", "--html-only", "--root", str(project)).exit_code == 0
    text = " ".join(html_text(project / "build" / "html" / "canterbury.html").split())
    assert "Satisfied: 0%" in text


def test_a_filter_given_the_wrong_kind_at_render_time_fails(project: Path):
    line = add_to_letter(project, "")  # a line of its own, then the value the check cannot type
    path = project / "templates" / "letter.html.j2"
    edit(
        path,
        f"{UNREACHED}{{% endif %}}\n",
        "{% set names = [council.name] %}{{ names[0]|noun('case', 'cases') }}\n",
    )
    result = letters("check", "--root", str(project))
    assert result.stderr.startswith(
        f"templates/letter.html.j2:{line}: template error: the filter noun takes a whole number, "
        f"not 'Cannock Chase District Council'; met by councils/cannock-chase.yaml"
    )
    build = letters("build", "canterbury", "--html-only", "--root", str(project))
    assert build.exit_code == 1


def test_paragraphs_printed_whole_fail_the_build_too(project: Path):
    edit(
        project / "templates" / "letter.html.j2",
        "<body>\n",
        "<body>\n{% set report = public_report %}{% if report %}{{ report }}{% endif %}\n",
    )
    build = letters("build", "leicester", "--html-only", "--root", str(project))
    assert build.exit_code == 1
    assert (
        "template prints a list, paragraphs or a section whole, as Python would write it: "
        "print each item in a {% for %}, or one of the section's fields"
    ) in build.stderr


def without_witness_summons(year: Path) -> None:
    """A kept year from before witness_summons was declared: its fields.yaml and files lack it."""
    fields = year / "fields.yaml"
    text = fields.read_text()
    start = text.index("\nwitness_summons:\n")
    end = text.index("\n\n", start + 1)
    fields.write_text(text[:start] + text[end:])
    for council in (year / "councils").glob("*.yaml"):
        kept = council.read_text()
        if "witness_summons:" in kept:
            council.write_text(kept.split("\nwitness_summons:", 1)[0] + "\n")


def test_the_readmes_patterns_work_the_year_a_section_is_new(project: Path, tmp_path: Path):
    from test_history import readme_patterns

    y2021 = next_year(project, tmp_path / "2021")
    y2022 = next_year(y2021, tmp_path / "2022")
    for kept in ("2020", "2021"):
        without_witness_summons(y2022 / "history" / kept)
    with (y2022 / "councils" / "canterbury.yaml").open("a") as council:
        council.write("\nwitness_summons:\n  threatened: true\n")
    patterns = "\n".join(readme_patterns()) + "\n"
    canterbury = built_with_partial(y2022, "_last_year.html.j2", patterns)
    assert "In last year's letter" not in canterbury and "time in four years" not in canterbury


def test_an_optional_section_no_template_marks_is_a_problem(project: Path):
    """Without data-section on its paragraphs, the overview could not tell which letters
    print an optional section: `letters check` says so, and what to write."""
    edit(
        project / "templates" / "_witness_summons.html.j2",
        '<p data-section="witness_summons">',
        "<p>",
    )
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.stderr) == (
        1,
        "templates/letter.html.j2: no paragraph says it is the optional section "
        'witness_summons (data-section="witness_summons"): mark each of its paragraphs so, as '
        "the README's 'Adding a fact to the letter' shows, or the overview cannot list the "
        "letters that print it\n",
    )
