"""Next year's folder from this one: wording and images as they are, the year's dates moved on,
each council's name, type and recipient kept, this year's data kept under history/, and
everything to be filled in left out, so that `letters check` in the new folder lists exactly
what is left to do (the facts marked to confirm among it).

Everything is made in a folder beside the target and renamed into place at the end: a failure
part-way leaves nothing behind, so a second try works."""

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from letters.batch.outputs import made_beside
from letters.data.load import Document, load_document
from letters.data.project import Project
from letters.data.read import CONFIRM, Year, confirmations, read_councils, read_year, to_confirm
from letters.data.validate import a_year_later
from letters.problems import LettersError, Problem, fail
from letters.send.approval import built_letters
from letters.spreadsheet.update import replace_values

FACTS = ("signatory", "seminars", "training", "links", "averages")  # last year's, to confirm
KEPT = ("name", "authority_type", "recipient")  # what a council keeps from one year to the next


@dataclass(frozen=True)
class NewYear:
    year: int
    councils: int
    confirm: list[tuple[int, str]]  # (line, what) of each marker in the new year.yaml
    letters_kept: int  # this year's letters whose text history/ keeps
    left_out: list[str]  # councils history/ does not keep (--unfinished): their files are not whole


def start_new_year(project: Project, folder: Path, unfinished: bool = False) -> NewYear:
    """Make `folder` next year's project, or nothing at all. A year not finished (facts still
    to confirm, councils whose files `letters check` refuses) is refused unless `unfinished`:
    then history/ keeps only its councils that are whole."""
    refuse_a_folder_inside(project, folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        fail(str(folder), "already exists and is not empty: give a new folder for next year")
    year = read_year(project)
    councils = council_documents(project)  # every file read before anything is written
    whole, not_whole = read_councils(project, list(councils), year)
    unconfirmed = confirmations(
        project.year_file.read_text(encoding="utf-8"), project.shown(project.year_file)
    )
    left = [*unconfirmed, *(problem for found in not_whole.values() for problem in found)]
    if left and not unfinished:
        raise LettersError([*left, Problem("letters new-year", NOT_FINISHED)])
    year_file = next_year_file(project, year)
    with made_beside(folder) as staging:
        for source in (project.templates_dir, project.assets_dir):
            copy_folder(project, source, staging / source.name)
        shutil.copyfile(project.fields_file, staging / project.fields_file.name)
        (staging / "year.yaml").write_bytes(year_file.encode("utf-8"))
        (staging / "councils").mkdir()
        for path, document in councils.items():
            (staging / "councils" / path.name).write_text(next_council_file(document), "utf-8")
        kept = keep_history(project, year, staging / "history", set(whole))
    return NewYear(
        year.facts.year + 1, len(councils), to_confirm(year_file), kept, sorted(not_whole)
    )


NOT_FINISHED = (
    "this year is not finished (above: what letters check finds): next year keeps it as "
    "history, so finish it first; to start from it as it is, give --unfinished (history/ then "
    "keeps only the councils whose files are whole)"
)


def refuse_a_folder_inside(project: Project, folder: Path) -> None:
    """A target inside the project would be copied into itself (templates/ into templates/...)."""
    root, target = project.root.resolve(), folder.resolve()
    if target == root or target.is_relative_to(root):
        fail(
            str(folder),
            f"is inside this year's folder ({root}): give a folder beside it instead, such as "
            f"{root.parent / 'letters-next-year'}",
        )


def council_documents(project: Project) -> dict[Path, Document]:
    """Every council file, read as `letters check` reads it (links and files outside refused)."""
    documents, problems = {}, []
    for path in project.council_files():
        try:
            documents[path] = project.document(path)
        except LettersError as error:
            problems += error.problems
    if problems:
        raise LettersError(problems)
    return documents


def copy_folder(project: Project, source: Path, target: Path) -> None:
    try:
        shutil.copytree(source, target, symlinks=True)  # links stay links
    except shutil.Error as error:  # one (source, target, reason) per file that failed
        failed, _, reason = error.args[0][0]
        fail(project.shown(Path(failed)), f"cannot be copied ({reason}): fix it, then try again")
    except OSError as error:
        shown = project.shown(Path(error.filename)) if error.filename else project.shown(source)
        fail(shown, f"cannot be copied ({error.strerror}): fix it, then try again")


def keep_history(project: Project, year: Year, history: Path, whole: set[str]) -> int:
    """Earlier years as they were, and this year's data beside them: history/<year>/, with
    the words of each letter built from its current files (for letters changes --since
    last-year); how many letters were kept."""
    if (project.root / "history").is_dir():
        copy_folder(project, project.root / "history", history)
    this_year = history / str(year.facts.year)
    (this_year / "councils").mkdir(parents=True)
    for path in project.council_files():
        if path.stem in whole:
            shutil.copyfile(path, this_year / "councils" / path.name)
    for path in (project.year_file, project.fields_file):
        shutil.copyfile(path, this_year / path.name)
    letters, _ = built_letters(project, tuple(sorted(whole)))
    kept = Project(this_year)
    for slug, letter in letters.items():
        kept.kept_letter(slug).parent.mkdir(exist_ok=True)
        kept.kept_letter(slug).write_text(letter.text, encoding="utf-8")
    return len(letters)


def next_year_file(project: Project, year: Year) -> str:
    """This year's year.yaml with the year and dates a year on; each moved date, each fact and
    each comment that names this year marked to confirm; comments, layout and line endings kept."""
    text = project.year_file.read_bytes().decode("utf-8")
    document = load_document(project.year_file, "year.yaml", project.root)
    new_year = year.facts.year + 1
    dates = {
        ("letter_date",): year.facts.letter_date,
        ("period", "start"): year.facts.period.start,
        ("period", "end"): year.facts.period.end,
        ("publication_date",): year.facts.publication_date,
    }
    moved = {location: a_year_later(day) for location, day in dates.items()}
    text = replace_values(text, {("year",): new_year, **moved}, "year.yaml", document.line_of)
    ending = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(ending)
    markers: dict[int, str] = {}  # line number (from 1) -> what to confirm above it
    for location, day in dates.items():
        line = document.key_lines.get(location) or document.line_of(location)
        if line:
            markers[line] = f"{'.'.join(location)} moved a year on from {day.isoformat()}"
    for fact in FACTS:
        if line := document.key_lines.get((fact,), 0):
            markers[line] = f"{fact}: the section below is last year's"
    moved_lines = {document.line_of(location) for location in [("year",), *dates]}
    for number, line_text in enumerate(lines, start=1):
        if not names_the_year(comment_of(line_text), year.facts.year):
            continue
        if number in moved_lines:  # "printed as 22 July 2020" follows its date
            lines[number - 1] = a_year_on_in_comment(line_text, year.facts.year)
        elif number not in markers:
            markers[number] = f"the comment on the next line was written for {year.facts.year}"
    for line in sorted(markers, reverse=True):
        indent = re.match(r"\s*", lines[line - 1])
        lines.insert(
            line - 1, f"{indent[0] if indent else ''}# CONFIRM for {new_year}: {markers[line]}"
        )
    # a year started --unfinished still has its own markers: the new ones take their place
    return ending.join(line for line in lines if not is_marker_of(line, year.facts.year))


def is_marker_of(line: str, year: int) -> bool:
    found = CONFIRM.match(line)
    return found is not None and int(found[1]) == year


def comment_of(line: str) -> str:
    """The comment on a line of YAML: all of a comment line, or what follows ' #' after a value
    without quotes (a '#' inside quotes is text)."""
    if line.lstrip().startswith("#"):
        return line
    value, hash_, comment = line.partition(" #")
    return comment if hash_ and not re.search("['\"]", value) else ""


def the_year_in(year: int) -> re.Pattern[str]:
    """'2020', or the reporting year '2019-20' or '2019/20'."""
    return re.compile(rf"\b(?:{year - 1}([-/]){year % 100:02d}|{year})\b")


def names_the_year(comment: str, year: int) -> bool:
    return bool(the_year_in(year).search(comment))


def a_year_on_in_comment(line: str, year: int) -> str:
    """The line with the year its comment names moved on: 2020 -> 2021, 2019-20 -> 2020-21."""
    comment = comment_of(line)
    moved = the_year_in(year).sub(
        lambda found: f"{year}{found[1]}{(year + 1) % 100:02d}" if found[1] else str(year + 1),
        comment,
    )
    return line[: len(line) - len(comment)] + moved


def next_council_file(document: Document) -> str:
    """A council's file for next year: its name, type and recipient, nothing else."""
    data = document.data if isinstance(document.data, dict) else {}
    kept = {key: data[key] for key in KEPT if key in data}
    return (
        "# Next year's file: the name, type and recipient are last year's; add the statistics\n"
        "# (letters import does) and any optional paragraphs. letters check lists what is left.\n"
        + yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, width=10**6)
    )
