"""Next year's folder from this one: wording and images as they are, the year's dates moved on,
each council's name, type and recipient kept, and everything to be filled in left out, so that
`letters check` in the new folder lists exactly what is left to do."""

import shutil
from datetime import date
from pathlib import Path

import yaml

from letters.data.load import load_document
from letters.data.project import Project
from letters.data.read import read_year
from letters.problems import fail
from letters.spreadsheet.update import replace_values

DATES = (("letter_date",), ("period", "start"), ("period", "end"), ("publication_date",))
FACTS = ("signatory", "seminars", "training", "links", "averages")  # last year's, to confirm
KEPT = ("name", "authority_type", "recipient")  # what a council keeps from one year to the next


def start_new_year(project: Project, folder: Path) -> tuple[int, list[Path]]:
    """Make `folder` next year's project; returns the new year and the council files made."""
    if folder.exists() and any(folder.iterdir()):
        fail(str(folder), "already exists and is not empty: give a new folder for next year")
    year = read_year(project)
    folder.mkdir(parents=True, exist_ok=True)
    for source in (project.templates_dir, project.assets_dir):
        shutil.copytree(source, folder / source.name, symlinks=True)  # links stay links
    shutil.copyfile(project.fields_file, folder / project.fields_file.name)  # as declared
    (folder / "year.yaml").write_text(next_year_file(project, year.year + 1), encoding="utf-8")
    (folder / "councils").mkdir()
    made = [write_council(path, folder / "councils") for path in project.council_files()]
    return year.year + 1, made


def next_year_file(project: Project, new_year: int) -> str:
    """This year's year.yaml with the year and dates a year on and each fact marked to confirm;
    comments and layout stay as they were."""
    text = project.year_file.read_bytes().decode("utf-8")
    document = load_document(project.year_file, "year.yaml", project.root)
    new: dict[tuple[str, ...], object] = {("year",): new_year}
    for location in DATES:
        value = document.data
        for part in location:
            value = value[part]
        new[location] = a_year_later(value)
    text = replace_values(text, new, "year.yaml", document.line_of)
    lines = text.split("\n")
    for line in sorted((document.key_lines.get((fact,), 0) for fact in FACTS), reverse=True):
        if line:
            lines.insert(line - 1, f"# CONFIRM for {new_year}: the section below is last year's")
    return "\n".join(lines)


def a_year_later(day: date) -> date:
    return day.replace(year=day.year + 1, day=min(day.day, 28) if day.month == 2 else day.day)


def write_council(path: Path, councils: Path) -> Path:
    """A council's file for next year: its name, type and recipient, nothing else."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    kept = {key: data[key] for key in KEPT if isinstance(data, dict) and key in data}
    target = councils / path.name
    target.write_text(
        "# Next year's file: the name, type and recipient are last year's; add the statistics\n"
        "# (letters import does) and any optional paragraphs. letters check lists what is left.\n"
        + yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, width=10**6),
        encoding="utf-8",
    )
    return target
