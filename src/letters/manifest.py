"""Stage 7, build (record): what each letter was built from, so unchanged letters are skipped."""

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from letters import __version__
from letters.project import Project
from letters.write import write_atomically


def shared_fingerprint(project: Project) -> str:
    """A hash of everything all letters are built from: the year file, every template,
    stylesheet, image and font, and the versions of this package and WeasyPrint."""
    digest = hashlib.sha256(f"letters {__version__}; weasyprint {version('weasyprint')}".encode())
    files = [project.year_file, *sorted(project.templates_dir.rglob("*")),
             *sorted(project.assets_dir.rglob("*"))]
    for path in files:
        if path.is_file():
            digest.update(project.shown(path).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def council_fingerprint(shared: str, council_file: Path) -> str:
    """A hash of everything one council's letter is built from."""
    return hashlib.sha256(shared.encode() + council_file.read_bytes()).hexdigest()


MANIFEST = "manifest.json"
# Each letter written is recorded here at once, so that a build killed before it could rewrite
# manifest.json (power cut, SIGKILL) is still known to the next one: read_manifest merges it.
JOURNAL = "manifest.journal"


def read_manifest(outputs: Path) -> dict[str, dict]:
    """The councils recorded by the last builds, or none if there is no readable manifest."""
    try:
        councils = json.loads((outputs / MANIFEST).read_text(encoding="utf-8"))["councils"]
        councils = councils if isinstance(councils, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        councils = {}
    return {**councils, **journal_entries(outputs / JOURNAL)}


def journal_entries(path: Path) -> dict[str, dict]:
    """The letters a killed build recorded in its journal (a last line cut short is left out)."""
    entries: dict[str, dict] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return entries
    for line in lines:
        try:
            entry = json.loads(line)
            entries[entry["slug"]] = entry["entry"]
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def journal_letter(outputs: Path, outcome, recorded: dict[str, dict]) -> None:
    """Record one letter just written, before the build goes on."""
    entry = manifest_entry(outcome, recorded.get(outcome.slug, {}))
    with (outputs / JOURNAL).open("a", encoding="utf-8") as journal:
        journal.write(json.dumps({"slug": outcome.slug, "entry": entry}, sort_keys=True) + "\n")


def manifest_text(councils: dict[str, dict]) -> str:
    return json.dumps({"councils": councils}, indent=2, sort_keys=True) + "\n"


def write_manifest(outputs: Path, recorded: dict[str, dict], outcomes: list) -> dict:
    """Record each council's last build in manifest.json, keeping councils not built this time."""
    councils = dict(recorded)
    for outcome in outcomes:
        councils[outcome.slug] = manifest_entry(outcome, recorded.get(outcome.slug, {}))
    write_atomically(outputs / MANIFEST, manifest_text(councils).encode("utf-8"))
    (outputs / JOURNAL).unlink(missing_ok=True)
    return councils


def manifest_entry(outcome, previous: dict) -> dict:
    """A council's manifest entry; one that failed keeps what its last good outputs were."""
    good = outcome.status in ("built", "unchanged")
    status = "built" if outcome.status == "unchanged" else outcome.status
    return {
        "status": "stale" if outcome.stale else status,
        "rebuilt": outcome.status != "unchanged",  # the last build's own result
        "fingerprint": outcome.fingerprint if good else None,
        "outputs": list(outcome.outputs) if good else previous.get("outputs", []),
        "html": f"html/{outcome.slug}.html",
        "pdf": f"pdf/{outcome.slug}.pdf",
        "pages": outcome.pages if good else previous.get("pages"),
        "problems": [str(problem) for problem in outcome.problems],
        "proofreading": ([{"kind": note.kind, "text": note.text} for note in outcome.notes]
                         if good else previous.get("proofreading", [])),
        "summary": outcome.summary or previous.get("summary"),
    }
