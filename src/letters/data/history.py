"""Earlier years kept under history/<year>/ (letters new-year, letters import --history): each
read and checked against its own fields.yaml, so a letter can speak of last year's."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from letters.data.fields import (
    Declaration,
    SectionDeclaration,
    read_declaration,
    validate_council,
    validate_year,
)
from letters.data.project import Project
from letters.data.validate import Council, YearFacts, name_key
from letters.problems import LettersError, Problem, fail

YEAR_FOLDER = re.compile(r"[12][0-9]{3}")


@dataclass(frozen=True)
class PastYear:
    """One earlier year: its declaration, its year file if it has one (a year imported from a
    spreadsheet has none) and its councils by slug."""

    year: int
    declaration: Declaration
    year_data: YearFacts | None
    councils: dict[str, Council]
    folder: Path

    def slug_of(self, predecessor: str) -> str | None:
        """A predecessor's file this year: by its file name, else by its council's name."""
        return predecessor if predecessor in self.councils else self.slug_named(predecessor)

    def slug_named(self, name: str) -> str | None:
        """The kept council of this name; two of one name are a problem naming both files."""
        named = [slug for slug, c in self.councils.items() if name_key(c.name) == name_key(name)]
        if len(named) > 1:
            first, second = (f"history/{self.folder.name}/councils/{s}.yaml" for s in named[:2])
            fail(
                first,
                f"and {second} both name {name!r}: a letter cannot tell which was this "
                f"council's: correct the name in the one that is not",
            )
        return named[0] if named else None


@dataclass(frozen=True)
class Match:
    """How a council of this year was found in an earlier one."""

    past: PastYear
    slug: str
    by: str  # "file name", "file name only" (it names another council there) or "name" (renamed)


@dataclass(frozen=True)
class Merged:
    """An earlier year of a council that replaced others: its predecessors' files that year."""

    past: PastYear
    slugs: list[str]

    def combined(self, authority_type: str) -> Council:
        """The predecessors' figures as one council's: counts added (percentages are worked out
        again from the sums), yes-no true if any says so, lists and paragraphs each one's in
        turn; a text, date or typed percent only where they all say the same."""
        councils = [self.past.councils[slug] for slug in self.slugs]
        sections = {
            name: combined_section([getattr(c, name) for c in councils], section)
            for name, section in self.past.declaration.sections.items()
        }
        model = self.past.declaration.past_council
        return model.model_construct(
            name=" and ".join(council.name for council in councils),
            authority_type=authority_type,
            recipient=None,
            predecessors=[],
            **sections,
        )


def combined_section(values: list[Any], section: SectionDeclaration) -> Any:
    present = [value for value in values if value is not None]
    if not present:
        return None
    if section.kind in ("list", "table"):
        return [item for value in present for item in value]
    if section.kind == "paragraphs":
        return "\n\n".join(present)
    fields = {
        name: combined_field([getattr(value, name) for value in present], declared.kind)
        for name, declared in section.fields.items()
    }
    return type(present[0]).model_construct(**fields)


def combined_field(values: list[Any], kind: str) -> Any:
    known = [value for value in values if value is not None]
    if not known:
        return None
    if kind == "count":
        return sum(known) if len(known) == len(values) else None
    if kind == "yes-no":
        return any(known)
    if kind == "list":
        return [item for value in known for item in value]
    if kind == "paragraphs":
        return "\n\n".join(known)
    return known[0] if all(value == known[0] for value in values) else None


@dataclass
class History:
    years: list[PastYear] = field(default_factory=list)  # newest first

    def of_predecessors(self, predecessors: list[str]) -> list[Merged]:
        """The kept years holding any of a council's predecessors (by file name or name),
        newest first, each with the files found that year."""
        found = []
        for past in self.years:
            slugs = [slug for name in predecessors if (slug := past.slug_of(name)) is not None]
            if slugs:
                found.append(Merged(past, list(dict.fromkeys(slugs))))
        return found

    def unkept(self, predecessors: list[str]) -> list[str]:
        """The predecessors no kept year holds."""
        return [
            name for name in predecessors if all(past.slug_of(name) is None for past in self.years)
        ]

    def of(self, slug: str, name: str) -> list[Match]:
        """The council's earlier years, newest first: by file name, else by its name (a
        renamed file). `letters check` says which were not matched by file name and name."""
        found = []
        for past in self.years:
            same_file = past.councils.get(slug)
            if same_file is not None:
                same_name = name_key(same_file.name) == name_key(name)
                found.append(Match(past, slug, "file name" if same_name else "file name only"))
            elif (named := past.slug_named(name)) is not None:
                found.append(Match(past, named, "name"))
        return found


def history_folders(project: Project) -> list[Path]:
    """history/<year>/ folders, newest first (anything else in history/ is a problem)."""
    if not project.history_dir.is_dir():
        return []
    return sorted(
        (path for path in project.history_dir.iterdir() if path.is_dir()),
        key=lambda path: path.name,
        reverse=True,
    )


def read_history(project: Project, this_year: int) -> History:
    """Every earlier year kept, checked; or a LettersError naming each problem in them."""
    history, problems = History(), []
    for folder in history_folders(project):
        if not YEAR_FOLDER.fullmatch(folder.name) or int(folder.name) >= this_year:
            problems.append(
                Problem(
                    project.shown(folder),
                    f"is not an earlier year's folder: history/ holds one folder per year "
                    f"before {this_year}, named by the year (history/{this_year - 1}/)",
                )
            )
            continue
        try:
            history.years.append(read_past_year(project, folder))
        except LettersError as error:
            problems += error.problems
    if problems:
        raise LettersError(problems)
    return history


def read_past_year(project: Project, folder: Path) -> PastYear:
    past = Project(folder)
    fields_path = past.fields_file
    if not fields_path.is_file():
        fail(project.shown(fields_path), "is missing: an earlier year keeps its own fields.yaml")
    declaration = read_declaration(project.document(fields_path))
    year_data = None
    problems = []
    if past.year_file.exists():
        try:
            year_data = validate_year(project.document(past.year_file), declaration)
        except LettersError as error:
            problems += error.problems
    councils = {}
    for path in past.council_files():
        try:
            document = project.document(path)
            councils[path.stem] = validate_council(document, declaration, year_data, past=True)
        except LettersError as error:
            problems += error.problems
    if problems:
        raise LettersError(problems)
    return PastYear(int(folder.name), declaration, year_data, councils, folder)
