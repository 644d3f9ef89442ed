"""The year's overview made again from what is on disk: the build's manifest, and each
council's approval and sending as the records say now. Run after every build, approval and send."""

import hashlib
from pathlib import Path

from letters import __version__
from letters.batch.manifest import Entry, fingerprint_councils, read_manifest
from letters.batch.outputs import cannot_write
from letters.data.project import THE_LETTER, Outputs, Project
from letters.data.read import Year, read_year
from letters.pages.tool_pages import source_of
from letters.problems import LettersError, Problem


def refresh_overview(
    project: Project,
    year: Year | None = None,
    manifest: dict[str, Entry] | None = None,
    fingerprints: dict[Path, str] | None = None,
) -> list[Problem]:
    """Write build/index.html and build/letters.csv for the letters built so far; the problems
    that stopped it, which stop nothing else (no letter depends on the overview). `year`,
    `manifest` and the council files' `fingerprints`: as the command just read and wrote them,
    rather than read again."""
    outputs = project.outputs()
    if not outputs.manifest.is_file():
        return []
    try:
        made_from = inputs_key(project, outputs, fingerprints)
        if is_made_from(outputs, made_from):
            return []  # nothing it shows has changed: a no-op build reads nothing more
        # Imported only when the overview is made again (the pages' Jinja, the records' models).
        from letters.overview.table import write_overview
        from letters.send.approval import standings_now

        year = year or read_year(project)
        manifest = read_manifest(outputs) if manifest is None else manifest
        standings = standings_now(project, year, list(manifest))
        write_overview(outputs, manifest, year.facts.year, standings, year.declaration, made_from)
    except OSError as error:
        return [cannot_write(project, error)]
    except LettersError as error:  # the records cannot be read: the letters stand all the same
        return error.problems
    return []


def inputs_key(
    project: Project, outputs: Outputs, fingerprints: dict[Path, str] | None = None
) -> str:
    """A hash of everything the overview is made from, read as bytes: the manifest (and a
    killed build's journal), the records, the council files and the files all letters share
    (year.yaml, fields.yaml, templates, history/), which letters are there, and the tool's own
    pages."""
    digest = hashlib.sha256(f"{__version__}\n{source_of('overview')}{source_of('page')}".encode())
    records = project.records()
    for path in (outputs.manifest, outputs.journal, records.approvals, records.sent):
        digest.update(f"\n{path.name}:".encode())
        if path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    if fingerprints is None:
        fingerprints = fingerprint_councils(project, project.council_files())
    for path, fingerprint in sorted(fingerprints.items()):
        digest.update(f"\n{path.name}:{fingerprint}".encode())
    for kind in THE_LETTER:
        names = sorted(path.name for path in outputs.folder.glob(outputs.relative(kind, "*")))
        digest.update(f"\n{kind}:{','.join(names)}".encode())
    return digest.hexdigest()


def is_made_from(outputs: Outputs, made_from: str) -> bool:
    """Whether build/index.html (written last) says it was made from `made_from`, beside
    build/letters.csv."""
    try:
        with outputs.overview.open(encoding="utf-8") as html:
            head = html.read(2000)
    except (OSError, UnicodeDecodeError):
        return False
    return (
        f'<meta name="made-from" content="{made_from}">' in head and outputs.overview_csv.is_file()
    )
