"""Last year's letter in this year's: a three-year project made by letters new-year twice, its
templates speaking of last year and of four years, built in the third year."""

import re
import textwrap
from pathlib import Path

from helpers import REFERENCE, REPO, confirmed, edit, html_text, letters

NEW_COUNCIL = """name: Newtown Borough Council
authority_type: District Councils
recipient:
  name: Sam Lee
  job_title: Chief Executive
statistics:
  investigations: 4
  upheld: 1
  compliance_outcomes: 1
  implemented: 1
  satisfactory_remedies: 0
"""
WITNESS = "\nwitness_summons:\n  threatened: true\n"


def readme_patterns() -> list[str]:
    """The template code of the README's 'Speaking of last year's letter', in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Speaking of last year's letter", 1)[1].split("\n### ", 1)[0]
    return [textwrap.dedent(block) for block in re.findall(r"```jinja\n(.*?)\n```", section, re.S)]


def next_year(root: Path, folder: Path) -> Path:
    made = letters("new-year", str(folder), "--root", str(root))
    assert made.exit_code == 0, made.output
    imported = letters("import", str(REFERENCE / "figures-2020.csv"), "--root", str(folder))
    assert imported.exit_code == 0, imported.output
    confirmed(folder / "year.yaml")
    return folder


def words(path: Path) -> str:
    return " ".join(html_text(path).split())


def test_a_template_speaks_of_last_year_and_of_four_years(project: Path, tmp_path: Path):
    y2021 = next_year(project, tmp_path / "2021")
    with (y2021 / "councils" / "canterbury.yaml").open("a") as council:
        council.write(WITNESS)
    (y2021 / "councils" / "sevenoaks.yaml").rename(y2021 / "councils" / "sevenoaks-district.yaml")
    y2022 = next_year(y2021, tmp_path / "2022")
    with (y2022 / "councils" / "canterbury.yaml").open("a") as council:
        council.write(WITNESS)
    edit(y2022 / "councils" / "canterbury.yaml", "upheld: 5", "upheld: 8")
    (y2022 / "councils" / "newtown.yaml").write_text(NEW_COUNCIL)
    (y2022 / "templates" / "_last_year.html.j2").write_text("\n".join(readme_patterns()) + "\n")
    edit(
        y2022 / "templates" / "letter.html.j2",
        "{% if public_report %}",
        '{% include "_last_year.html.j2" %}\n{% if public_report %}',
    )
    assert sorted(path.name for path in (y2022 / "history").iterdir()) == ["2020", "2021"]

    check = letters("check", "--allow-unconfirmed", "--root", str(y2022))
    assert (check.exit_code, check.stderr) == (0, "")
    assert check.stdout == (
        "councils/sevenoaks-district.yaml: for information: its earlier letter (2020) is "
        "history/2020/councils/sevenoaks.yaml, matched by the council's name (the file was "
        "renamed)\n6 councils OK\n"
    )
    build = letters("build", "--html-only", "--root", str(y2022))
    assert build.exit_code == 0, build.output
    html = y2022 / "build" / "html"
    canterbury = words(html / "canterbury.html")
    assert "In last year's letter, I also raised concerns" in canterbury
    assert "This is the third time in four years we have needed to raise" in canterbury
    assert "We upheld 80% of the complaints we investigated, against 50% last year." in canterbury
    maidstone = words(html / "maidstone.html")
    assert "In last year's letter" not in maidstone and "time in four years" not in maidstone
    assert "We upheld 64% of the complaints we investigated, against 64% last year." in maidstone
    assert "against 33% last year." in words(html / "sevenoaks-district.html")
    assert "% last year." not in words(html / "newtown.html")  # new this year: no previous

    fields = letters("fields", "canterbury", "--root", str(y2022)).output.splitlines()
    assert ["previous.year", "whole", "number", "2021"] in [line.split() for line in fields]
    assert ["previous.statistics.upheld.percent", "whole", "number", "50"] in [
        line.split() for line in fields
    ]


def test_an_earlier_year_is_checked_against_its_own_declaration(project: Path, tmp_path: Path):
    y2021 = next_year(project, tmp_path / "2021")
    edit(y2021 / "history" / "2020" / "councils" / "maidstone.yaml", "upheld: 7", "upheld: 70")
    check = letters("check", "--allow-unconfirmed", "--root", str(y2021))
    assert check.exit_code == 1
    assert check.stderr == (
        "history/2020/councils/maidstone.yaml:13: statistics.upheld: 70 is more than "
        "statistics.investigations (11)\n"
    )


def test_a_first_year_keeps_last_years_figures_from_a_spreadsheet(project: Path, tmp_path: Path):
    sheet = tmp_path / "figures-2019.csv"
    sheet.write_text(
        "Council,Authority type,Investigations,Upheld,Compliance outcomes,Implemented,"
        "Satisfactory remedies\n"
        "Canterbury City Council,District Councils,8,2,2,2,0\n"
        "Maidstone Borough Council,District Councils,9,6,5,5,1\n",
        encoding="utf-8",
    )
    imported = letters("import", str(sheet), "--history", "2019", "--root", str(project))
    assert (imported.exit_code, imported.output) == (
        0,
        "history/2019: 2 councils' 2019 figures kept\n",
    )
    assert (project / "history" / "2019" / "councils" / "canterbury.yaml").read_text() == (
        "# 2019's figures, kept by `letters import --history`.\n"
        "name: Canterbury City Council\nauthority_type: District Councils\nstatistics:\n"
        "  investigations: 8\n  upheld: 2\n  compliance_outcomes: 2\n  implemented: 2\n"
        "  satisfactory_remedies: 0\n"
    )
    kept_fields = project / "history" / "2019" / "fields.yaml"
    kept_fields.write_text("# 2019's own declaration\n" + kept_fields.read_text())
    one_council = tmp_path / "maidstone-2019.csv"  # a correction, and a council added
    one_council.write_text(
        "Council,Authority type,Investigations,Upheld,Compliance outcomes,Implemented,"
        "Satisfactory remedies\n"
        "Maidstone Borough Council,District Councils,9,5,5,5,1\n"
        "Sevenoaks District Council,District Councils,4,1,1,1,0\n",
        encoding="utf-8",
    )
    canterbury = (project / "history" / "2019" / "councils" / "canterbury.yaml").read_bytes()
    again = letters("import", str(one_council), "--history", "2019", "--root", str(project))
    assert (again.exit_code, again.stderr) == (0, "")
    assert again.stdout == (
        "history/2019: 1 councils' 2019 figures updated, 1 added, 0 unchanged, 1 not in the "
        "spreadsheet left as they are\n"
    )
    kept = project / "history" / "2019" / "councils"
    assert sorted(path.name for path in kept.iterdir()) == [
        "canterbury.yaml",
        "maidstone.yaml",
        "sevenoaks.yaml",
    ]
    assert (kept / "canterbury.yaml").read_bytes() == canterbury
    assert "  upheld: 5\n" in (kept / "maidstone.yaml").read_text()
    assert (
        (kept / "sevenoaks.yaml")
        .read_text()
        .startswith(
            "# 2019's figures, kept by `letters import --history`.\n"
            "name: Sevenoaks District Council\n"
        )
    )
    assert kept_fields.read_text().startswith("# 2019's own declaration\n")
    edit(
        one_council,
        "Maidstone Borough Council,District Councils,9,5",
        "Maidstone Borough Council,District Councils,9,12",
    )
    refused = letters("import", str(one_council), "--history", "2019", "--root", str(project))
    assert refused.exit_code == 1
    edit(kept / "maidstone.yaml", "upheld: 5", "upheld: 6")  # nothing was written
    (project / "templates" / "_last_year.html.j2").write_text(readme_patterns()[2] + "\n")
    edit(
        project / "templates" / "letter.html.j2",
        "{% if public_report %}",
        '{% include "_last_year.html.j2" %}\n{% if public_report %}',
    )
    assert letters("check", "--root", str(project)).output == "5 councils OK\n"
    build = letters("build", "--html-only", "--root", str(project))
    assert build.exit_code == 0, build.output
    html = project / "build" / "html"
    assert "We upheld 50% of the complaints we investigated, against 25% last year." in words(
        html / "canterbury.html"
    )
    assert "% last year." not in words(html / "leicester.html")


DISTRICTS = [  # (file, name, investigations, upheld): eight districts, merged in 2021
    ("craven", "Craven District Council", 10, 5),
    ("hambleton", "Hambleton District Council", 8, 3),
    ("harrogate", "Harrogate Borough Council", 6, 2),
    ("richmondshire", "Richmondshire District Council", 11, 7),
    ("ryedale", "Ryedale District Council", 4, 1),
    ("scarborough", "Scarborough Borough Council", 9, 6),
    ("selby", "Selby District Council", 7, 7),
    ("north-yorkshire-cc", "North Yorkshire County Council", 5, 0),
]
FIGURES_2021 = """recipient:
  name: Richard Flinton
  job_title: Chief Executive
statistics:
  investigations: 70
  upheld: 40
  compliance_outcomes: 30
  implemented: 30
  satisfactory_remedies: 4
"""


def readme_merged_council() -> str:
    """The README's council file for a council that replaced others."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### Councils retired, merged and replaced", 1)[1]
    return section.split("```yaml\n", 1)[1].split("\n```", 1)[0] + "\n"


def district(name: str, kind: str, investigations: int, upheld: int) -> str:
    return (
        f"name: {name}\nauthority_type: {kind}\nrecipient:\n  name: A Person\n"
        f"  job_title: Chief Executive\nstatistics:\n  investigations: {investigations}\n"
        f"  upheld: {upheld}\n  compliance_outcomes: {upheld}\n  implemented: {upheld}\n"
        f"  satisfactory_remedies: {min(upheld, 1)}\n"
    )


def test_a_council_that_replaced_eight_has_their_last_year_combined(project: Path, tmp_path: Path):
    """Eight councils kept for 2020, one in 2021 naming them as predecessors: its previous
    year adds their counts and works its percentages out again from the sums (31 of 60 upheld
    is 52%; the eight percentages averaged would be 47%)."""
    for slug, name, investigations, upheld in DISTRICTS:
        kind = "County Councils" if slug.endswith("-cc") else "District Councils"
        (project / "councils" / f"{slug}.yaml").write_text(
            district(name, kind, investigations, upheld)
        )
    y2021 = tmp_path / "2021"
    assert letters("new-year", str(y2021), "--root", str(project)).exit_code == 0
    confirmed(y2021 / "year.yaml")
    for slug, *_ in DISTRICTS:
        (y2021 / "councils" / f"{slug}.yaml").unlink()  # retired: replaced by one council
    (y2021 / "councils" / "north-yorkshire.yaml").write_text(readme_merged_council() + FIGURES_2021)
    imported = letters("import", str(REFERENCE / "figures-2020.csv"), "--root", str(y2021))
    assert imported.exit_code == 0, imported.output
    (y2021 / "templates" / "_last_year.html.j2").write_text(
        "{% if previous %}<p>Last year, {{ previous.councils|join(', ') }} upheld "
        "{{ previous.statistics.upheld.percent }}% of the {{ previous.statistics.investigations }}"
        " complaints we investigated (the average for similar authorities was "
        "{{ previous.statistics.upheld.average }}%).</p>{% endif %}\n"
    )
    edit(
        y2021 / "templates" / "letter.html.j2",
        "{% if public_report %}",
        '{% include "_last_year.html.j2" %}\n{% if public_report %}',
    )
    check = letters("check", "--root", str(y2021))
    assert (check.exit_code, check.stderr) == (0, ""), check.output
    kept = ", ".join(f"history/2020/councils/{slug}.yaml" for slug, *_ in DISTRICTS)
    assert check.stdout.splitlines()[0] == (
        f"councils/north-yorkshire.yaml: for information: its earlier letter (2020) is its "
        f"predecessors': {kept}"
    )
    built = letters("build", "north-yorkshire", "--html-only", "--root", str(y2021))
    assert built.exit_code == 0, built.output
    names = ", ".join(name for _, name, *_ in DISTRICTS)
    assert (
        f"Last year, {names} upheld 52% of the 60 complaints we investigated (the average for "
        f"similar authorities was 62%)."
    ) in words(y2021 / "build" / "html" / "north-yorkshire.html")

    edit(y2021 / "councils" / "north-yorkshire.yaml", " selby,", " Selby Town Council,")
    refused = letters("check", "--root", str(y2021))
    assert refused.exit_code == 1
    assert refused.stderr == (
        "councils/north-yorkshire.yaml:4: predecessors.6: 'Selby Town Council' is not kept in "
        "history/ (no earlier year has a council file or a council of that name): correct it, "
        "or keep that year's figures with letters import --history YEAR\n"
    )
