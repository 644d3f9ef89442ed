"""The year's overview made again from what is on disk: the build's manifest, and each
council's approval and sending as the records say now. Run after every build, approval and send."""

from letters.batch.manifest import Entry, read_manifest
from letters.batch.outputs import cannot_write
from letters.data.project import Project
from letters.data.read import Year, read_year
from letters.overview.table import write_overview
from letters.problems import LettersError, Problem
from letters.send.approval import standings_now


def refresh_overview(
    project: Project, year: Year | None = None, manifest: dict[str, Entry] | None = None
) -> list[Problem]:
    """Write build/index.html and build/letters.csv for the letters built so far; the problems
    that stopped it, which stop nothing else (no letter depends on the overview). `year` and
    `manifest`: as the command just read and wrote them, rather than read again."""
    outputs = project.outputs()
    if not outputs.manifest.is_file():
        return []
    try:
        year = year or read_year(project)
        manifest = read_manifest(outputs) if manifest is None else manifest
        standings = standings_now(project, year, list(manifest))
        write_overview(outputs, manifest, year.facts.year, standings, year.declaration)
    except OSError as error:
        return [cannot_write(project, error)]
    except LettersError as error:  # the records cannot be read: the letters stand all the same
        return error.problems
    return []
