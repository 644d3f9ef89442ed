"""A fact staff add without Python: a new optional section declared in fields.yaml, filled in
two councils, used in a template, imported from spreadsheet columns, listed by `letters fields`,
named in the overview and in a proofreading note; every bad value and bad declaration refused
with its file, line and what to do."""

import csv
import re
import textwrap
from pathlib import Path

import openpyxl
import pytest

from helpers import REFERENCE, REPO, edit, html_text, letters, pdf_pages

DECLARATION = """
complaint_handling_code:
  title: Complaint handling code
  optional: true
  help: how the council answered our enquiries, and its self-assessment against the code
  fields:
    self_assessed: {kind: yes-no, help: it assessed itself against the code, column: Self assessed}
    published_on: {kind: date, optional: true, column: Published on}
    enquiries: {kind: count, help: enquiries we made, column: Enquiries}
    late_enquiries:
      kind: count
      at_most: enquiries
      help: of those, answered late
      column: [Late enquiries, Late]
    on_time_target: {kind: percent, optional: true, column: Target}
    contact: {kind: text, optional: true, column: Contact}
    actions: {kind: list, optional: true, help: one line each}
    summary: {kind: paragraphs, optional: true}
  percentages:
    late: {of: late_enquiries, over: enquiries, title: Late answers}
"""

TEMPLATE = (
    "{#- Added by the council file's complaint_handling_code section. -#}\n"
    "{% set code = complaint_handling_code %}\n"
    '<p data-section="complaint_handling_code">Your Council answered {{ code.late.percent }}% '
    "of our {{ code.enquiries }} enquiries late"
    "{% if code.on_time_target is not none %}, against a target of {{ code.on_time_target }}%"
    "{% endif %}. It {% if code.self_assessed %}has{% else %}has not{% endif %} assessed itself "
    "against the code{% if code.published_on %}, publishing the assessment on "
    "{{ code.published_on|long_date }}{% endif %}."
    "{% if code.contact %} Your contact is {{ code.contact }}.{% endif %}</p>\n"
    "{% if code.actions %}<ul>{% for action in code.actions %}<li>{{ action }}</li>{% endfor %}"
    "</ul>{% endif %}\n"
    "{% for paragraph in code.summary or [] %}<p>{{ paragraph }}</p>{% endfor %}\n"
)

CANTERBURY = """
complaint_handling_code:
  self_assessed: true
  published_on: 2020-03-02
  enquiries: 8
  late_enquiries: 2
  on_time_target: 90.5
  contact: Jo Bloggs
  actions:
    - publish the policy
    - train the front desk
"""

LEICESTER = """
complaint_handling_code:
  self_assessed: false
  enquiries: 30
  late_enquiries: 12
  summary: |
{summary}
"""


def declared(project: Path) -> Path:
    """The reference project with the new section declared, used in the letter, and filled in
    for Canterbury and (at length, so its letter runs to four pages) Leicester."""
    with (project / "fields.yaml").open("a", encoding="utf-8") as fields:
        fields.write(DECLARATION)
    (project / "templates" / "_complaint_handling_code.html.j2").write_text(TEMPLATE)
    edit(
        project / "templates" / "letter.html.j2",
        '{% if training_courses %}\n{% include "_training_courses.html.j2" %}\n{% endif %}',
        '{% if training_courses %}\n{% include "_training_courses.html.j2" %}\n{% endif %}\n'
        '{% if complaint_handling_code %}\n{% include "_complaint_handling_code.html.j2" %}\n'
        "{% endif %}",
    )
    with (project / "councils" / "canterbury.yaml").open("a", encoding="utf-8") as council:
        council.write(CANTERBURY)
    summary = "\n\n".join(
        "    We found that the Council's answers to our enquiries were often late and that "
        "it did not keep us informed of the reasons for the delay."
        for _ in range(14)
    )
    with (project / "councils" / "leicester.yaml").open("a", encoding="utf-8") as council:
        council.write(LEICESTER.format(summary=summary))
    return project


@pytest.fixture
def new_section(project: Path) -> Path:
    return declared(project)


def test_a_declared_section_is_checked_built_listed_and_named(new_section: Path):
    root = ["--root", str(new_section)]
    check = letters("check", *root)
    assert (check.exit_code, check.output) == (0, "5 councils OK\n")

    build = letters("build", *root)
    assert build.exit_code == 0, build.output
    canterbury = html_text(new_section / "build" / "html" / "canterbury.html")
    assert (
        "Your Council answered 25% of our 8 enquiries late, against a target of 90.5%. It has "
        "assessed itself against the code, publishing the assessment on 2\u00a0March\u00a02020. "
        "Your contact is Jo Bloggs." in canterbury
    )
    assert "publish the policy" in canterbury and "train the front desk" in canterbury
    leicester = html_text(new_section / "build" / "html" / "leicester.html")
    assert "Your Council answered 40% of our 30 enquiries late. It has not assessed" in leicester
    assert "enquiries late" not in html_text(new_section / "build" / "html" / "sevenoaks.html")
    assert "answered 25% of our 8 enquiries" in " ".join(
        pdf_pages(new_section / "build" / "pdf" / "canterbury.pdf")
    )

    # The overview and the proofreading note name the section by its title.
    assert (
        "leicester.yaml: for information: has 4 pages, not the standard 3: its optional "
        "paragraphs (public report and complaint handling code) push it over" in build.output
    )
    with (new_section / "build" / "letters.csv").open(encoding="utf-8") as overview:
        rows = {row["slug"]: row for row in csv.DictReader(overview)}
    assert rows["canterbury"]["optional_paragraphs"] == (
        "Witness summons; Training courses; Complaint handling code"
    )
    assert rows["sevenoaks"]["optional_paragraphs"] == "Training courses"
    page = (new_section / "build" / "index.html").read_text(encoding="utf-8")
    assert '<option value="complaint_handling_code">Complaint handling code</option>' in page

    fields = letters("fields", "canterbury", *root)
    listed = [line.split() for line in fields.output.splitlines()]
    assert ["complaint_handling_code.self_assessed", "yes-no", "or", "nothing", "True"] in listed
    assert ["it", "assessed", "itself", "against", "the", "code"] in listed
    assert ["complaint_handling_code.published_on", "date", "or", "nothing"] in [
        line[:4] for line in listed
    ]
    assert ["complaint_handling_code.late.percent", "percentage", "or", "nothing", "25"] in listed
    assert ["complaint_handling_code.on_time_target", "percent", "or", "nothing", "90.5"] in listed


def test_a_declared_section_is_imported_from_its_columns(new_section: Path, tmp_path: Path):
    sheet = tmp_path / "figures.csv"
    sheet.write_text(
        "council,authority_type,investigations,upheld,compliance_outcomes,implemented,"
        "satisfactory_remedies,Self assessed,Published on,Enquiries,Late,Target,Region\n"
        "Canterbury City Council,District Councils,10,5,5,5,0,no,2020-04-01,9,3,,South East\n"
        "Sevenoaks District Council,District Councils,6,2,2,2,0,yes,,4,0,95,South East\n"
        "Maidstone Borough Council,District Councils,11,7,6,6,1,,,,,,South East\n",
        encoding="utf-8",
    )
    result = letters("import", str(sheet), "--root", str(new_section))
    assert result.exit_code == 0, result.output
    assert (
        f"{sheet}: columns not imported (no field in fields.yaml names them): Region"
        in result.output
    )
    canterbury = (new_section / "councils" / "canterbury.yaml").read_text()
    assert "  self_assessed: false\n  published_on: 2020-04-01\n  enquiries: 9\n" in canterbury
    assert "  late_enquiries: 3\n  on_time_target: 90.5\n" in canterbury  # a blank cell: kept
    assert (
        (new_section / "councils" / "sevenoaks.yaml")
        .read_text()
        .endswith(
            "complaint_handling_code:\n  self_assessed: true\n  enquiries: 4\n  late_enquiries: 0\n"
            "  on_time_target: 95\n"
        )
    )
    assert (
        "complaint_handling_code" not in (new_section / "councils" / "maidstone.yaml").read_text()
    )
    check = letters("check", "--root", str(new_section))
    assert (check.exit_code, check.output) == (0, "5 councils OK\n")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("maybe,,9,3", "Self assessed: must be yes or no, not 'maybe'"),
        (
            "yes,01/04/2020,9,3",
            "Published on: must be a date, written YYYY-MM-DD or as a date cell, not '01/04/2020'",
        ),
        ("yes,,nine,3", "Enquiries: must be a whole number of 0 or more, not 'nine'"),
        ("yes,,9,", "Late: must be a whole number of 0 or more, not ''"),
        ("yes,,9,12", "Late: 12 is more than Enquiries (9)"),
    ],
)
def test_a_bad_cell_of_a_declared_column_names_its_row_and_column(
    new_section: Path, tmp_path: Path, cells: str, message: str
):
    sheet = tmp_path / "figures.csv"
    sheet.write_text(
        "council,authority_type,investigations,upheld,compliance_outcomes,implemented,"
        "satisfactory_remedies,Self assessed,Published on,Enquiries,Late\n"
        f"Canterbury City Council,District Councils,10,5,5,5,0,{cells}\n",
        encoding="utf-8",
    )
    result = letters("import", str(sheet), "--root", str(new_section))
    assert (result.exit_code, result.stderr) == (1, f"{sheet}:2: {message}\n")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "self_assessed: true",
            "self_assessed: perhaps",
            "self_assessed: must be true or false, not 'perhaps'",
        ),
        (
            "published_on: 2020-03-02",
            "published_on: 2 March 2020",
            "published_on: must be a date written as YYYY-MM-DD, not '2 March 2020'",
        ),
        (
            "published_on: 2020-03-02",
            "published_on: 2020-03-02 10:30:00",
            "published_on: must be a date written as YYYY-MM-DD, without a time, not a date "
            "and time (2020-03-02 10:30)",
        ),
        (
            "enquiries: 8",
            "enquiries: 010",
            "enquiries: must be a whole number without a leading 0, not '010'",
        ),
        (
            "enquiries: 8",
            "enquiries: -8",
            "enquiries: must be 0 or more, not -8",
        ),
        (
            "late_enquiries: 2",
            "late_enquiries: 9",
            "late_enquiries: 9 is more than complaint_handling_code.enquiries (8)",
        ),
        (
            "on_time_target: 90.5",
            "on_time_target: 90.55",
            "on_time_target: must have at most one decimal place, not 90.55",
        ),
        (
            "on_time_target: 90.5",
            "on_time_target: 100.5",
            "on_time_target: must be at most 100, not 100.5",
        ),
        (
            "contact: Jo Bloggs",
            "contact: '=?utf-8?q?x?='",
            "contact: contains '=?' and later '?=', which mail programs read as encoded text, "
            "not as written: write it without them",
        ),
        (
            "    - publish the policy",
            "    - ''",
            "actions.0: is empty: write the text, or remove that item",
        ),
        (
            "  self_assessed: true",
            "  self_asessed: true",
            "self_asessed: unknown field; did you mean self_assessed? If it is new, declare it "
            "in fields.yaml",
        ),
    ],
)
def test_each_bad_value_of_a_declared_field_is_refused(
    new_section: Path, old: str, new: str, message: str
):
    path = new_section / "councils" / "canterbury.yaml"
    edit(path, old, new)
    line = next(
        number
        for number, text in enumerate(path.read_text().splitlines(), start=1)
        if text.strip().startswith(new.strip().split(":")[0])
    )
    result = letters("check", "--root", str(new_section))
    assert result.exit_code == 1
    expected = f"councils/canterbury.yaml:{line}: complaint_handling_code.{message}"
    assert expected in result.output.splitlines()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "kind: yes-no, help: it assessed",
            "kind: yes/no, help: it assessed",
            "complaint_handling_code.fields.self_assessed.kind: 'yes/no' is not one of the "
            "choices; did you mean yes-no?",
        ),
        (
            "at_most: enquiries",
            "at_most: questions",
            "complaint_handling_code.fields.late_enquiries.at_most: names 'questions', which is "
            "not a count of this section: use one of: enquiries",
        ),
        (
            "over: enquiries",
            "over: asked",
            "complaint_handling_code.percentages.late.over: names 'asked', which is not a count "
            "of this section that is not optional: use one of: enquiries, late_enquiries",
        ),
        (
            "complaint_handling_code:\n  title",
            "recipient:\n  title",
            "recipient: 'recipient' is a name the tool uses itself (the templates already "
            "receive a value of that name): call the section something else",
        ),
        (
            "{kind: date, optional: true,",
            "{kind: date, optional: true, minimum: 1,",
            "complaint_handling_code.fields.published_on.minimum: minimum is for a count or a "
            "percent, not date: remove it",
        ),
        (
            "actions: {kind: list, optional: true,",
            "actions: {kind: list, optional: true, column: Actions,",
            "complaint_handling_code.fields.actions.column: a list is not imported from one "
            "cell: remove column, and write it in the council files",
        ),
        (
            "{kind: percent, optional: true,",
            "{kind: percent, default: 120,",
            "complaint_handling_code.fields.on_time_target.default: is not a percent: must be "
            "at most 100, not 120",
        ),
        (
            "    enquiries: {kind",
            "    Enquiries: {kind",
            "complaint_handling_code.fields.Enquiries: must be a name of small letters, digits "
            "and _, starting with a letter (templates use it as written), not 'Enquiries'",
        ),
        (
            "  title: Complaint handling code\n",
            "",
            "complaint_handling_code.title: is missing: add it (see the README's example)",
        ),
        (
            "  optional: true\n  help: how",
            "  optional: true\n  kind: list\n  help: how",
            "complaint_handling_code.kind: a section that is itself a list has no fields: "
            "remove kind, or remove fields, percentages and at_least_one",
        ),
        (
            "enquiries: {kind: count, help: enquiries we made,",
            "enquiries: {kind: count, average: true, help: enquiries we made,",
            "complaint_handling_code.fields.enquiries.average: average is for a percent given "
            "as a rate, set beside its average: remove it",
        ),
        (
            "enquiries: {kind: count, help: enquiries we made,",
            "enquiries: {kind: count, share: true, help: enquiries we made,",
            "complaint_handling_code.fields.enquiries.share: share is for a table's count "
            "column: remove it",
        ),
        (
            "  optional: true\n  help: how",
            "  optional: true\n  kind: table\n  help: how",
            "complaint_handling_code.kind: a table has columns, not fields: put its fields under "
            "columns, and remove percentages and at_least_one (a count column may say share: "
            "true)",
        ),
        (
            "{kind: yes-no, help: it assessed",
            "{kind: yes-no, sum_of: [enquiries, late_enquiries], help: it assessed",
            "complaint_handling_code.fields.self_assessed.sum_of: sum_of is for a count, the "
            "sum of others: remove it",
        ),
        (
            "enquiries: {kind: count, help: enquiries we made,",
            "enquiries: {kind: count, sum_of: [late_enquiries, enquiries], help: enquiries,",
            "complaint_handling_code.fields.enquiries.sum_of.1: names 'enquiries', which is not "
            "a count of this section: use one of: late_enquiries",
        ),
        (
            "late: {of: late_enquiries, over: enquiries, title: Late answers}",
            "upheld: {of: late_enquiries, over: enquiries, average: true}",
            "complaint_handling_code.percentages.upheld: statistics.percentages.upheld also has "
            "an average: year.yaml gives averages by name, so call one of them something else",
        ),
    ],
)
def test_each_bad_declaration_names_fields_yaml_its_line_and_what_to_write(
    new_section: Path, old: str, new: str, message: str
):
    path = new_section / "fields.yaml"
    edit(path, old, new)
    result = letters("check", "--root", str(new_section))
    assert result.exit_code == 1
    problems = result.output.splitlines()
    assert any(
        problem.startswith("fields.yaml:") and problem.endswith(f": {message}")
        for problem in problems
    ), problems


def test_a_project_without_fields_yaml_is_told_how_to_start_one(project: Path):
    (project / "fields.yaml").unlink()
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.output) == (
        1,
        "fields.yaml: is missing: it declares what each council file holds; copy it from "
        "last year's folder, or start one from the README's 'Adding a fact to the letter'\n"
        "1 problem in 1 file; 5 councils checked\n",
    )


def readme_recipe() -> list[str]:
    """The code blocks of the README's 'Adding a fact to the letter', in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Adding a fact to the letter", 1)[1].split("\n### ", 1)[0]
    section = section.split("\n#### ", 1)[0]
    return [
        textwrap.dedent(block)
        for block in re.findall(r"```(?:yaml|jinja)\n(.*?)\n\s*```", section, re.DOTALL)
    ]


def test_the_readme_recipe_adds_a_fact_to_a_letter(project: Path):
    declaration, values, template = readme_recipe()
    with (project / "fields.yaml").open("a", encoding="utf-8") as fields:
        fields.write("\n" + declaration + "\n")
    with (project / "councils" / "maidstone.yaml").open("a", encoding="utf-8") as council:
        council.write("\n" + values + "\n")
    (project / "templates" / "_enquiries.html.j2").write_text(template + "\n")
    edit(
        project / "templates" / "letter.html.j2",
        "{% if training_courses %}",
        '{% include "_enquiries.html.j2" %}\n{% if training_courses %}',
    )
    check = letters("check", "--root", str(project))
    assert (check.exit_code, check.output) == (0, "5 councils OK\n")
    build = letters("build", "maidstone", "sevenoaks", "--root", str(project))
    assert build.exit_code == 0, build.output
    maidstone = " ".join(html_text(project / "build" / "html" / "maidstone.html").split())
    assert "Your Council answered 42% of our 12 enquiries late." in maidstone
    assert "enquiries late" not in html_text(project / "build" / "html" / "sevenoaks.html")
    edit(project / "councils" / "maidstone.yaml", "late: 5", "late: 13")
    assert (
        letters("check", "--root", str(project))
        .output.splitlines()[0]
        .endswith(": enquiries.late: 13 is more than enquiries.asked (12)")
    )


SUMS = """
complaints:
  title: Complaints dealt with
  optional: true
  fields:
    dealt_with:
      kind: count
      sum_of: [not_for_us, assessed_and_closed, investigated]
      column: Dealt with
    not_for_us: {kind: count, column: Not for us}
    assessed_and_closed: {kind: count, column: Assessed and closed}
    investigated: {kind: count, column: Investigated}
"""


def test_a_count_declared_the_sum_of_others_is_checked_in_files_and_sheets(
    project: Path, tmp_path: Path
):
    with (project / "fields.yaml").open("a", encoding="utf-8") as fields:
        fields.write(SUMS)
    edit(
        project / "templates" / "letter.html.j2",
        "{% if public_report %}",
        '{% if complaints %}<p data-section="complaints">We dealt with '
        "{{ complaints.dealt_with }} complaints.</p>{% endif %}\n{% if public_report %}",
    )
    council = project / "councils" / "canterbury.yaml"
    with council.open("a", encoding="utf-8") as file:
        file.write(
            "complaints:\n  dealt_with: 30\n  not_for_us: 10\n  assessed_and_closed: 12\n"
            "  investigated: 9\n"
        )
    line = council.read_text().splitlines().index("  dealt_with: 30") + 1
    check = letters("check", "--root", str(project))
    assert check.exit_code == 1
    assert check.stderr == (
        f"councils/canterbury.yaml:{line}: complaints.dealt_with: 30 is not the sum of "
        "complaints.not_for_us + complaints.assessed_and_closed + complaints.investigated "
        "(10 + 12 + 9 = 31): correct one of them\n"
    )
    edit(council, "dealt_with: 30", "dealt_with: 31")
    assert letters("check", "--root", str(project)).exit_code == 0

    sheet = tmp_path / "figures.csv"
    example = (REFERENCE / "figures-2020.csv").read_text().splitlines()
    sheet.write_text(
        example[0]
        + ",Dealt with,Not for us,Assessed and closed,Investigated\n"
        + example[1]
        + ",30,10,12,9\n"
    )
    imported = letters("import", str(sheet), "--root", str(project))
    assert (imported.exit_code, imported.stderr) == (
        1,
        f"{sheet}:2: Dealt with: 30 is not the sum of Not for us + Assessed and closed + "
        "Investigated (10 + 12 + 9 = 31): correct one of them\n",
    )


def readme_rate_recipe() -> list[str]:
    """The blocks of the README's 'Rates given as rates, and sums', in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### Rates given as rates, and sums", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```(?:yaml|jinja)\n(.*?)\n```", section, re.S)


def test_the_readmes_rate_recipe_sets_a_typed_rate_beside_its_average(
    project: Path, tmp_path: Path
):
    """A rate given as a percentage, declared, averaged, imported from percentage cells,
    printed and charted as the README says: its bar proofread (one decimal), its column in the
    overview and letters.csv, marked against the average."""
    declaration, averages, template, _sum = readme_rate_recipe()
    with (project / "fields.yaml").open("a", encoding="utf-8") as fields:
        fields.write("\n" + declaration + "\n")
    year = project / "year.yaml"
    district = averages.splitlines()[1].strip()
    edit(year, district.replace(", uphold_rate: 55.4", ""), district)
    for kind in ("County Councils", "Metropolitan Boroughs", "Unitary Councils", "London Boroughs"):
        line = next(line for line in year.read_text().splitlines() if line.startswith(f"  {kind}:"))
        edit(year, line, line.replace("}", ", uphold_rate: 60}", 1))
    edit(
        project / "templates" / "letter.html.j2",
        '{% include "_statistics.html.j2" %}',
        '{% include "_statistics.html.j2" %}\n' + template,
    )
    check = letters("check", "--root", str(project))
    assert check.exit_code == 1
    assert "councils/canterbury.yaml: rates: is missing: letters import fills it" in check.stderr

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    rows = [line.split(",") for line in (REFERENCE / "figures-2020.csv").read_text().splitlines()]
    sheet.append([*rows[0], "Uphold rate %"])
    rates = [0.5, 0.375, 0.333, 0.641, 0.69]
    for number, (row, rate) in enumerate(zip(rows[1:], rates, strict=True), 2):
        sheet.append([*row[:2], *map(int, row[2:]), rate])
        sheet.cell(row=number, column=len(rows[0]) + 1).number_format = "0.0%"
    workbook.save(tmp_path / "figures.xlsx")
    imported = letters("import", str(tmp_path / "figures.xlsx"), "--root", str(project))
    assert imported.exit_code == 0, imported.output
    assert "  uphold_rate: 37.5\n" in (project / "councils" / "cannock-chase.yaml").read_text()

    build = letters("build", "--strict", "--root", str(project))
    assert (build.exit_code, build.stderr) == (0, ""), build.output
    text = " ".join(html_text(project / "build" / "html" / "cannock-chase.html").split())
    assert "Your uphold rate was 37.5%, against an average of 55%." in text
    pages = " ".join(" ".join(pdf_pages(project / "build" / "pdf" / "cannock-chase.pdf")).split())
    assert "Cannock Chase District Council Average for District Councils 37.5% 55%" in pages
    with (project / "build" / "letters.csv").open(encoding="utf-8") as file:
        rows_read = {row["slug"]: row for row in csv.DictReader(file)}
    assert rows_read["cannock-chase"]["uphold_rate"] == "37.5"
    assert rows_read["cannock-chase"]["uphold_rate_average"] == "55"
    assert rows_read["cannock-chase"]["uphold_rate_against_average"] == "better"
    overview = (project / "build" / "index.html").read_text()
    assert "Uphold rate (average)" in overview


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "    notes: {kind: paragraphs}\n",
            "rows.columns.notes.kind: a table's column holds one cell: one of count, percent, "
            "yes-no, date, text, not paragraphs",
        ),
        (
            "    area: {kind: text, share: true}\n",
            "rows.columns.area.share: share is for a count column: remove it",
        ),
        (
            "    decided: {kind: count, column: Decided}\n",
            "rows.columns.decided.column: column is not for a table's column: remove it",
        ),
        ("", "rows: declares no columns: list them under columns (name: {kind: text})"),
    ],
)
def test_each_bad_table_declaration_is_named(project: Path, columns: str, message: str):
    with (project / "fields.yaml").open("a", encoding="utf-8") as fields:
        fields.write(
            "rows:\n  title: Rows\n  optional: true\n  kind: table\n"
            + ("  columns:\n" + columns if columns else "")
        )
    result = letters("check", "--root", str(project))
    assert result.exit_code == 1
    assert any(line.endswith(f": {message}") for line in result.stderr.splitlines()), result.stderr
