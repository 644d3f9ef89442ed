"""Reading a project: its year and council files, loaded and validated. Every command that needs
the year's data (build, check, send, approve, preview, fields) reads it here."""

from pathlib import Path

from letters.data.load import load_document
from letters.data.project import Project
from letters.data.validate import Council, Year, validate_council, validate_year
from letters.problems import LettersError, Problem


def read_year(project: Project) -> Year:
    return validate_year(
        load_document(project.year_file, project.shown(project.year_file), project.root)
    )


def read_councils(
    project: Project, paths: list[Path], year: Year | None
) -> tuple[dict[str, Council], dict[str, list[Problem]]]:
    """The councils whose files are valid, by slug; and the problems of each one that is not."""
    councils, invalid = {}, {}
    for path in paths:
        try:
            councils[path.stem] = read_council(project, path, year)
        except LettersError as error:
            invalid[path.stem] = error.problems
    return councils, invalid


def read_council(project: Project, path: Path, year: Year | None) -> Council:
    return validate_council(load_document(path, project.shown(path), project.root), year)


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


def check(project: Project) -> tuple[int, list[Problem]]:
    """Load and validate every file without rendering: the number of councils, and all problems."""
    paths = project.council_files()
    year, problems = None, []
    try:
        year = read_year(project)
    except LettersError as error:
        problems = error.problems
    _, invalid = read_councils(project, paths, year)
    return len(paths), [
        *problems,
        *(problem for found in invalid.values() for problem in found),
        *project.misnamed_files(),
    ]
