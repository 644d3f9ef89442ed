"""The messages approved, kept whole under records/approved/<digest>/ (the digest the approval
records), so an approved letter can be read and compared again after build/ is cleaned.

Each folder holds what reproduces the message byte for byte with its approval record (which
has the sender, recipients, subject and attachment's name): the PDF, the email's wording, and
for reading it again the letter's words as laid out and the figures it was made from.
"""

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from letters.batch.outputs import made_beside
from letters.data.project import Records

PDF, TEXT, EMAIL, FIGURES = "letter.pdf", "letter.txt", "email.txt", "figures.json"


@dataclass(frozen=True)
class KeptMessage:
    """One approved message, as kept."""

    folder: Path

    @property
    def pdf(self) -> Path:
        return self.folder / PDF

    def text(self) -> str | None:
        return read_text(self.folder / TEXT)

    def email(self) -> str | None:
        return read_text(self.folder / EMAIL)

    def figures(self) -> dict[str, str] | None:
        kept = read_text(self.folder / FIGURES)
        try:
            figures = json.loads(kept) if kept is not None else None
        except ValueError:
            return None
        return figures if isinstance(figures, dict) else None


def kept_message(records: Records, digest: str) -> KeptMessage | None:
    """The approved message with this digest, if it was kept (approvals recorded before the
    tool kept them have none)."""
    folder = records.approved(digest)
    return KeptMessage(folder) if (folder / PDF).is_file() else None


def keep_message(
    records: Records, digest: str, pdf: bytes, text: str, email: str, figures: dict[str, str]
) -> None:
    """Keep an approved message before its approval is recorded: the folder is made whole (each
    file on the disk) or not at all, and one already kept for the digest is left as it is."""
    folder = records.approved(digest)
    if (folder / PDF).is_file():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)  # a folder without its PDF is not a kept message
    contents = {
        PDF: pdf,
        TEXT: text.encode(),
        EMAIL: email.encode(),
        FIGURES: json.dumps(figures, ensure_ascii=False, indent=1).encode(),
    }
    with made_beside(folder) as staging:
        for name, content in contents.items():
            with open(staging / name, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
    synced(folder.parent)


def synced(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
