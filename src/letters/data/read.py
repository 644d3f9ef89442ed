"""Reading a project: its year and council files, loaded and validated. Every command that needs
the year's data (build, check, send, approve, preview, fields) reads it here."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from letters.data.fields import Declaration, read_declaration, validate_council, validate_year
from letters.data.history import History, read_history
from letters.data.load import Document
from letters.data.project import Project
from letters.data.validate import Council, YearFacts, name_key
from letters.problems import LettersError, Problem, fail


@dataclass(frozen=True)
class Year:
    """What every letter of a year is made from besides its council's file: year.yaml's facts,
    fields.yaml's declaration of what each council file holds, and the earlier years kept
    under history/."""

    facts: YearFacts
    declaration: Declaration
    history: History = field(default_factory=History)


def read_year(project: Project) -> Year:
    """year.yaml, fields.yaml and history/, each checked."""
    declaration = read_fields(project)
    facts = validate_year(project.document(project.year_file), declaration)
    return Year(facts, declaration, read_history(project, facts.year))


def read_fields(project: Project) -> Declaration:
    path = project.fields_file
    if not path.exists() and not path.is_symlink():
        fail(
            project.shown(path),
            "is missing: it declares what each council file holds; copy it from last year's "
            "folder, or start one from the README's 'Adding a fact to the letter'",
        )
    return read_declaration(project.document(path))


def read_councils(
    project: Project, paths: list[Path], year: Year
) -> tuple[dict[str, Council], dict[str, list[Problem]]]:
    """The councils whose files are valid, by slug; and the problems of each one that is not."""
    councils, invalid = {}, {}
    for path in paths:
        try:
            councils[path.stem] = read_council(project, path, year)
        except LettersError as error:
            invalid[path.stem] = error.problems
    return councils, invalid


def read_council(
    project: Project, path: Path, year: Year | None, declaration: Declaration | None = None
) -> Council:
    """One council file, checked against the year's fields.yaml; without the year (`check`, when
    year.yaml is wrong), against `declaration` alone."""
    document = project.document(path)
    declared = year.declaration if year else declaration
    assert declared is not None, "read_council needs the year or its declaration"
    council = validate_council(document, declared, year.facts if year else None)
    if year is not None and council.predecessors:
        refuse_unkept_predecessors(document, council, year)
    return council


def refuse_unkept_predecessors(document: Document, council: Council, year: Year) -> None:
    """A predecessor no kept year holds would leave its part out of `previous` unseen."""
    unkept = year.history.unkept(council.predecessors)
    if unkept:
        raise LettersError(
            [
                Problem(
                    document.path,
                    f"{name!r} is not kept in history/ (no earlier year has a council file or a "
                    f"council of that name): correct it, or keep that year's figures with "
                    f"letters import --history YEAR",
                    document.line_of(("predecessors", council.predecessors.index(name))),
                    f"predecessors.{council.predecessors.index(name)}",
                )
                for name in unkept
            ]
        )


def council_paths(project: Project, arguments: tuple[str, ...]) -> list[Path]:
    """The council files named (every one, with no names); a name with no file is an error
    before anything is read."""
    if not arguments:
        return project.council_files()
    slugs, problems = [], []
    for argument in arguments:
        try:
            slugs.append(project.slug_of_argument(argument))
        except LettersError as error:
            problems += error.problems
    if problems:
        raise LettersError(problems)
    return [project.council_file(slug) for slug in dict.fromkeys(slugs)]


# How `letters new-year` marks what staff must confirm: `letters check` lists each one left.
CONFIRM = re.compile(r"^\s*# CONFIRM for (\d+): (.*?)\s*$")


def to_confirm(text: str) -> list[tuple[int, str]]:
    """(line, what) of each `# CONFIRM for <year>: what` marker still in a year file."""
    return [
        (number, found[2])
        for number, line in enumerate(text.splitlines(), start=1)
        if (found := CONFIRM.match(line))
    ]


def confirmations(text: str, shown: str) -> list[Problem]:
    return [
        Problem(
            shown, f"still marked to confirm ({what}): check it, then delete the CONFIRM line", line
        )
        for line, what in to_confirm(text)
    ]


def unconfirmed(project: Project) -> list[Problem]:
    try:
        text = project.files.read_bytes(project.year_file).decode("utf-8", errors="replace")
    except OSError:
        return []  # reading the year itself says why
    return confirmations(text, project.shown(project.year_file))


@dataclass
class Checked:
    """What `letters check` found in the data: the number of councils, every problem, and the
    year and councils that are valid (for the templates to be tried on)."""

    councils: int
    problems: list[Problem]
    year: Year | None = None
    valid: dict[str, Council] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # for information, not problems


def check(project: Project, allow_unconfirmed: bool = False) -> Checked:
    """Load and validate every file without rendering (facts still marked to confirm are
    problems, unless allowed)."""
    paths = project.council_files()
    checked = Checked(len(paths), [] if allow_unconfirmed else unconfirmed(project))
    try:
        declaration = read_fields(project)
    except LettersError as error:  # no council can be checked without it
        checked.problems += [*error.problems, *project.misnamed_files()]
        return checked
    try:
        facts = validate_year(project.document(project.year_file), declaration)
    except LettersError as error:
        checked.problems += error.problems
    else:
        try:
            checked.year = Year(facts, declaration, read_history(project, facts.year))
        except LettersError as error:
            checked.problems += error.problems
            checked.year = Year(facts, declaration)
    for path in paths:
        try:
            checked.valid[path.stem] = read_council(project, path, checked.year, declaration)
        except LettersError as error:
            checked.problems += error.problems
    checked.problems += project.misnamed_files()
    if checked.year is not None:
        checked.notices += matched_by_name(project, checked.year, checked.valid)
    return checked


def matched_by_name(project: Project, year: Year, councils: dict[str, Council]) -> list[str]:
    """Each council found in an earlier year under another file name, or under its file name
    with another council's name (renamed, or merged), or through its predecessors: said, never
    silent."""
    merged = [
        f"{project.shown(project.council_file(slug))}: for information: its earlier letter "
        f"({m.past.year}) is its predecessors': "
        + ", ".join(f"{project.shown(m.past.folder / 'councils' / s)}.yaml" for s in m.slugs)
        for slug, council in councils.items()
        if council.predecessors
        for m in year.history.of_predecessors(council.predecessors)
    ]
    return merged + [
        f"{project.shown(project.council_file(slug))}: for information: its earlier letter "
        f"({match.past.year}) is {project.shown(match.past.folder / 'councils' / match.slug)}"
        f".yaml, matched by {BY[match.by]}"
        for slug, council in councils.items()
        if not council.predecessors
        for match in year.history.of(slug, council.name)
        if match.by != "file name"
    ]


BY = {
    "name": "the council's name (the file was renamed)",
    "file name only": "the file name, though it names another council there: if they are not "
    "one council, rename this file",
}


@dataclass(frozen=True)
class Named:
    """A council file, and the name it holds."""

    path: Path
    name: str
    line: int | None


def council_names(project: Project) -> tuple[dict[str, Named], list[Problem]]:
    """The council files by their names' key; a file without a name, or with the name of
    another file, is a problem."""
    files: dict[str, Named] = {}
    problems = []
    for path in project.council_files():
        try:
            document = project.document(path)
        except LettersError as error:
            problems += error.problems
            continue
        name = document.data.get("name") if isinstance(document.data, dict) else None
        if not isinstance(name, str) or not name_key(name):
            problems.append(
                Problem(
                    project.shown(path),
                    "has no name: the import matches rows to council files by name",
                    None,
                    "name",
                )
            )
            continue
        named = Named(path, name.strip(), document.line_of(("name",)))
        other = files.setdefault(name_key(name), named)
        if other is not named:
            problems.append(
                Problem(
                    project.shown(path),
                    f"names the same council as "
                    f"{project.shown(other.path)} ({other.name}): keep one file "
                    f"per council",
                    named.line,
                    "name",
                )
            )
    return files, problems
