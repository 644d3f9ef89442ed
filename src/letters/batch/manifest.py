"""What each letter was built from, so unchanged letters are skipped."""

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Literal, TypeGuard

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic reads this one's fields on Python 3.11

from letters import __version__
from letters.batch.outcome import LetterOutcome, Summary
from letters.batch.outputs import HASHED, holds, write_atomically
from letters.data.project import SLUG, OutputKind, Outputs, Project


def shared_fingerprint(project: Project) -> str:
    """A hash of everything all letters are built from: the year file, every template,
    stylesheet, image and font, and the versions of this package and WeasyPrint."""
    digest = hashlib.sha256(f"letters {__version__}; weasyprint {version('weasyprint')}".encode())
    for path in project.shared_inputs():
        if project.files.is_file(path):
            digest.update(project.shown(path).encode())
            digest.update(hashlib.sha256(project.files.read_bytes(path)).digest())
    return digest.hexdigest()


def council_fingerprint(shared: str, council_file: bytes) -> str:
    """A hash of everything one council's letter is built from."""
    return hashlib.sha256(shared.encode() + council_file).hexdigest()


def fingerprint_councils(project: Project, paths: list[Path]) -> dict[Path, str]:
    """Each readable council file's fingerprint; reading the others says what is wrong."""
    shared = shared_fingerprint(project)
    fingerprints = {}
    for path in paths:
        if path.is_file() and not path.is_symlink():
            try:
                fingerprints[path] = council_fingerprint(shared, project.files.read_bytes(path))
            except OSError:
                continue
    return fingerprints


def read_manifest(outputs: Outputs) -> dict[str, "Entry"]:
    """The councils recorded by the last builds, or none if there is no readable manifest;
    letters a killed build recorded only in its journal are merged in."""
    try:
        councils = json.loads(outputs.manifest.read_text(encoding="utf-8"))["councils"]
        councils = councils if isinstance(councils, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        councils = {}
    recorded = {**councils, **journal_entries(outputs.journal)}
    return {
        slug: entry
        for slug, raw in recorded.items()
        if (entry := checked_entry(slug, raw)) is not None
    }


class NoteEntry(TypedDict):
    kind: Literal["defect", "information"]
    text: str


class Entry(TypedDict):
    """One council's record of its last build."""

    status: Literal["built", "failed", "skipped", "stale"]
    rebuilt: bool  # False: the last build found it unchanged and left it
    fingerprint: str | None
    outputs: list[OutputKind]
    html: str
    pdf: str
    pages: int | None
    problems: list[str]
    proofreading: list[NoteEntry]
    summary: Summary | None
    pdf_sha256: str | None  # the PDF this entry's proofreading read
    sha256: dict[OutputKind, str]  # each one-file output as written, by kind: checked before reuse
    seal: str  # seal_of(the rest): an entry edited by hand no longer matches it


ENTRY = TypeAdapter(Entry)


def checked_entry(slug: object, raw: object) -> Entry | None:
    """A recorded entry as it should be; None for anything else (the council is then built
    again), and for a slug that is not one (which could name files outside build/)."""
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        return None
    try:
        return ENTRY.validate_python(raw, strict=True)
    except ValidationError:
        return None


def journal_entries(path: Path) -> dict[str, object]:
    """The letters a killed build recorded in its journal (a last line cut short is left out)."""
    entries: dict[str, object] = {}
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


def journal_letter(outputs: Outputs, outcome: LetterOutcome, recorded: dict[str, Entry]) -> None:
    """Record one letter just written, before the build goes on."""
    entry = manifest_entry(outputs, outcome, recorded.get(outcome.slug))
    with outputs.journal.open("a", encoding="utf-8") as journal:
        journal.write(json.dumps({"slug": outcome.slug, "entry": entry}, sort_keys=True) + "\n")


def manifest_text(councils: dict[str, Entry]) -> str:
    """The manifest as JSON, a council a line (what a diff of two builds shows best; and JSON's
    fast encoder writes each line, where indenting all of it takes ten times as long)."""
    lines = [
        f"  {json.dumps(slug)}: {json.dumps(entry, sort_keys=True)}"
        for slug, entry in sorted(councils.items())
    ]
    return '{"councils": {\n' + ",\n".join(lines) + "\n}}\n"


def write_manifest(
    outputs: Outputs, recorded: dict[str, Entry], outcomes: list[LetterOutcome]
) -> dict[str, Entry]:
    """Record each council's last build in manifest.json, keeping councils not built this time."""
    councils = dict(recorded)
    for outcome in outcomes:
        councils[outcome.slug] = manifest_entry(outputs, outcome, recorded.get(outcome.slug))
    text = manifest_text(councils).encode("utf-8")
    if not outputs.journal.exists() and holds(outputs.manifest, text):
        return councils  # a build that changed nothing: the manifest already says so
    write_atomically(outputs.manifest, text)
    outputs.journal.unlink(missing_ok=True)
    return councils


def seal_of(entry: Entry) -> str:
    """A checksum of what approving trusts in an entry: which inputs made which PDF, and what
    proofreading found in it. Not a secret: it catches a hand-edited manifest, not a forger."""
    trusted = [
        entry["fingerprint"],
        entry["pdf_sha256"],
        entry["proofreading"],
        entry["status"],
        entry["sha256"],
    ]
    return hashlib.sha256(json.dumps(trusted, sort_keys=True).encode()).hexdigest()


def is_sealed(entry: Entry) -> bool:
    return entry["seal"] == seal_of(entry)


def is_left_as_recorded(previous: Entry | None, outcome: LetterOutcome) -> TypeGuard[Entry]:
    """An unchanged council whose entry already says so: left by this build and the last."""
    return (
        outcome.status == "unchanged"
        and previous is not None
        and (previous["status"], previous["rebuilt"]) == ("built", False)
    )


def manifest_entry(outputs: Outputs, outcome: LetterOutcome, previous: Entry | None) -> Entry:
    """A council's manifest entry; one that failed keeps what its last good outputs were."""
    if is_left_as_recorded(previous, outcome):
        return previous
    good = outcome.status in ("built", "unchanged")
    kept = previous if previous is not None and not good else None
    entry: Entry = {
        "status": "stale"
        if outcome.stale
        else ("built" if outcome.status == "unchanged" else outcome.status),
        "rebuilt": outcome.status != "unchanged",  # the last build's own result
        "fingerprint": outcome.fingerprint if good else None,
        "outputs": list(outcome.outputs) if good else (kept["outputs"] if kept else []),
        "html": outputs.relative("html", outcome.slug),
        "pdf": outputs.relative("pdf", outcome.slug),
        "pages": outcome.pages if good else (kept["pages"] if kept else None),
        "problems": [str(problem) for problem in outcome.problems],
        "proofreading": (
            [{"kind": note.kind, "text": note.text} for note in outcome.notes]
            if good
            else (kept["proofreading"] if kept else [])
        ),
        "summary": outcome.summary or (previous["summary"] if previous else None),
        "pdf_sha256": outcome.pdf_sha256 if good else (kept["pdf_sha256"] if kept else None),
        "sha256": outcome.sha256 if good else (kept["sha256"] if kept else {}),
        "seal": "",
    }
    entry["seal"] = seal_of(entry)
    return entry


@dataclass
class OutputStamps:
    """Each output's size and modification time when its bytes were last known to be the ones
    the manifest records (written by the build, or hashed): an output put back from a backup,
    or edited, has others, and is hashed again before it may count as unchanged."""

    stamps: dict[str, list[object]]  # by the output's path inside the build folder
    path: Path

    @classmethod
    def read(cls, outputs: Outputs) -> "OutputStamps":
        try:
            stamps = json.loads(outputs.stamps.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stamps = {}
        return cls(stamps if isinstance(stamps, dict) else {}, outputs.stamps)

    def as_recorded(
        self, slug: str, entry: Entry, outputs: Outputs, kinds: tuple[OutputKind, ...]
    ) -> bool:
        """Whether each of the letter's outputs of `kinds` has the bytes the manifest records."""
        return all(
            self.file_as_recorded(outputs, kind, slug, entry["sha256"].get(kind))
            for kind in kinds
            if kind in HASHED
        )

    def file_as_recorded(
        self, outputs: Outputs, kind: OutputKind, slug: str, recorded: str | None
    ) -> bool:
        path, key = outputs.path(kind, slug), outputs.relative(kind, slug)
        try:
            seen = [*stamp_of(path), recorded]
            if recorded is None or self.stamps.get(key) == seen:
                return recorded is not None
            if hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
                return False
        except OSError:
            return False
        self.stamps[key] = seen
        return True

    def known_hash(self, outputs: Outputs, kind: OutputKind, slug: str) -> str | None:
        """The SHA-256 of an output's bytes, if its stamp says they are still those hashed
        (without reading the file)."""
        path = outputs.path(kind, slug)
        try:
            stamp = self.stamps.get(outputs.relative(kind, slug))
            if not isinstance(stamp, list) or len(stamp) != 3 or path.is_symlink():
                return None
            return str(stamp[2]) if stamp[:2] == stamp_of(path) else None
        except OSError:
            return None

    def write(self, outputs: Outputs, outcomes: list[LetterOutcome]) -> None:
        for outcome in outcomes:
            if outcome.status != "built":
                continue
            for kind, recorded in outcome.sha256.items():
                path = outputs.path(kind, outcome.slug)
                if path.is_file():
                    self.stamps[outputs.relative(kind, outcome.slug)] = [*stamp_of(path), recorded]
        write_atomically(self.path, json.dumps(self.stamps, sort_keys=True).encode("utf-8"))


def stamp_of(path: Path) -> list[object]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]
