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


def read_manifest(path: Path) -> dict[str, dict]:
    """The councils recorded by the last builds, or none if there is no readable manifest."""
    try:
        councils = json.loads(path.read_text(encoding="utf-8"))["councils"]
        return councils if isinstance(councils, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def manifest_text(councils: dict[str, dict]) -> str:
    return json.dumps({"councils": councils}, indent=2, sort_keys=True) + "\n"


def write_manifest(outputs: Path, recorded: dict[str, dict], outcomes: list) -> dict:
    """Record each council's last build in manifest.json, keeping councils not built this time."""
    councils = dict(recorded)
    for outcome in outcomes:
        councils[outcome.slug] = manifest_entry(outcome, recorded.get(outcome.slug, {}))
    write_atomically(outputs / "manifest.json", manifest_text(councils).encode("utf-8"))
    return councils


def manifest_entry(outcome, previous: dict) -> dict:
    """A council's manifest entry; one that failed keeps what its last good outputs were."""
    good = outcome.status in ("built", "unchanged")
    return {
        "status": "stale" if outcome.stale else outcome.status,
        "fingerprint": outcome.fingerprint if good else None,
        "outputs": list(outcome.outputs) if good else previous.get("outputs", []),
        "html": f"html/{outcome.slug}.html",
        "pdf": f"pdf/{outcome.slug}.pdf",
        "pages": outcome.pages if good else previous.get("pages"),
        "problems": [str(problem) for problem in outcome.problems],
        "proofreading": outcome.notes if good else previous.get("proofreading", []),
        "summary": outcome.summary or previous.get("summary"),
    }
