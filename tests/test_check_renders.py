"""letters check finds everything a build would: every template is tried on every council, a
value that is nothing where a template compares or prints it is named in words, and each mistake
is given once with the councils it meets."""

from pathlib import Path

from helpers import edit, letters

COMPARES = (
    "{% if statistics.compliance.percent < 100 %}<p>Some recommendations were not "
    "implemented.</p>{% endif %}\n"
)
ONE_BRANCH = "{% if public_report %}<p>{{ public_report.title }}</p>{% endif %}\n"
PRINTS = "<p>{{ witness_summons }}</p>\n"


def add_to_letter(project: Path, text: str) -> int:
    """`text` added after the letter's 'Complaint statistics' heading; the line it is on."""
    path = project / "templates" / "letter.html.j2"
    edit(path, "<h2>Complaint statistics</h2>\n", "<h2>Complaint statistics</h2>\n" + text)
    return path.read_text().splitlines().index(text.rstrip("\n")) + 1


def test_check_names_a_comparison_with_nothing_and_the_council_that_meets_it(project: Path):
    edit(
        project / "councils" / "sevenoaks.yaml",
        "compliance_outcomes: 2",
        "compliance_outcomes: 0",
    )
    edit(project / "councils" / "sevenoaks.yaml", "implemented: 2", "implemented: 0")
    line = add_to_letter(project, COMPARES)
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.stderr) == (
        1,
        f"templates/letter.html.j2:{line}: statistics.compliance.percent is nothing for this "
        "letter (statistics.compliance_outcomes is 0, so there is nothing to divide by): test "
        "it with `is not none` first, as {% if statistics.compliance.percent is not none %}; "
        "met by councils/sevenoaks.yaml\n",
    )
    edit(
        project / "templates" / "letter.html.j2",
        "{% if statistics.compliance.percent < 100 %}",
        "{% if statistics.compliance.percent is not none\n"
        "and statistics.compliance.percent < 100 %}",
    )
    fixed = letters("check", "--root", str(project))
    assert (fixed.exit_code, fixed.output) == (0, "5 councils OK\n")


def test_check_finds_an_unknown_value_in_a_branch_one_council_reaches(project: Path):
    line = add_to_letter(project, ONE_BRANCH)
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.stderr) == (
        1,
        f"templates/letter.html.j2:{line}: template uses an unknown value: 'list object' has no "
        "attribute 'title'; met by councils/leicester.yaml\n",
    )


def test_check_names_a_value_printed_as_nothing_once_for_every_council_it_meets(project: Path):
    line = add_to_letter(project, PRINTS)
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.stderr) == (
        1,
        f"templates/letter.html.j2:{line}: witness_summons is a section, not one value: print "
        "one of its fields, as witness_summons.<field>\n",
    )  # found in every branch, before any council meets it
    build = letters("build", "maidstone", "--html-only", "--root", str(project))
    assert build.exit_code == 1  # the build refuses it too, rather than print "None"
    assert "witness_summons is nothing for this letter" in build.output
