"""Stage 8, send (records): who approved which PDF, and what was sent, in append-only files.

build/approvals.jsonl and build/sent.jsonl get one JSON object per line, written and flushed to
the disk before the command goes on, and never rewritten: a line cut short by a kill is the last
one and is left out when read. The latest line for a council is what holds.
"""

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from letters.project import Outputs


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Add one line to the file and wait until the disk has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
    with path.open("a", encoding="utf-8") as file:
        file.write(line)
        file.flush()
        os.fsync(file.fileno())


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every whole line of the file, oldest first; none if it does not exist yet."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # cut short by a kill while it was being written
        if isinstance(record, dict) and isinstance(record.get("slug"), str):
            records.append(record)
    return records


def latest_by_council(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["slug"]: record for record in records}


def sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # none there, or something else in its place (a folder): no PDF to hold
        return None


def local_time() -> datetime:
    return datetime.now().astimezone()


def now() -> str:
    """The time as records keep it: local, to the second, with its offset from UTC."""
    return local_time().isoformat(timespec="seconds")


ApprovalState = Literal["approved", "changed", "pending"]


@dataclass(frozen=True)
class Approval:
    state: ApprovalState
    by: str | None = None
    at: str | None = None
    despite_notes: bool = False

    def __str__(self) -> str:
        if self.state == "pending":
            return "pending"
        despite = " despite proofreading notes" if self.despite_notes else ""
        changed = ", since changed: approve it again" if self.state == "changed" else ""
        return f"approved by {self.by} at {self.at}{despite}{changed}"


def approval_of(record: dict[str, Any] | None, pdf_sha256: str | None) -> Approval:
    """A council's approval, held against the PDF as it is now."""
    if record is None:
        return Approval("pending")
    state: ApprovalState = (
        "approved"
        if pdf_sha256 is not None and record.get("pdf_sha256") == pdf_sha256
        else "changed"
    )
    return Approval(
        state, str(record.get("by")), str(record.get("at")), bool(record.get("despite_notes"))
    )


SendingState = Literal["sent", "may have been sent", "not sent"]


@dataclass(frozen=True)
class Sending:
    state: SendingState
    at: str | None = None
    pdf_sha256: str | None = None
    reply: str | None = None

    def __str__(self) -> str:
        if self.state == "sent":
            return f"sent at {self.at}"
        if self.state == "may have been sent":
            return f"may have been sent at {self.at}: check, then send with --resend"
        return f"not sent: {self.reply}" if self.reply else "not sent"


def sending_of(record: dict[str, Any] | None) -> Sending:
    """A council's sending, from its latest line in the sent ledger: a message handed to the
    server with no reply recorded may have been sent; nobody can tell from here."""
    if record is None:
        return Sending("not sent")
    event = record.get("event")
    at, sha, reply = record.get("at"), record.get("pdf_sha256"), record.get("reply")
    if event == "sent":
        return Sending("sent", at, sha, reply)
    if event == "sending":
        return Sending("may have been sent", at, sha)
    return Sending("not sent", at, sha, reply)


def current_approvals(outputs: Outputs, slugs: Iterable[str]) -> dict[str, Approval]:
    """Each council's latest approval, held against its PDF as it is now."""
    records = latest_by_council(read_records(outputs.approvals))
    return {
        slug: approval_of(records.get(slug), sha256_of(outputs.path("pdf", slug))) for slug in slugs
    }


def current_sendings(outputs: Outputs, slugs: Iterable[str]) -> dict[str, Sending]:
    """Each council's sending, from its latest line in the sent ledger."""
    records = latest_by_council(read_records(outputs.sent))
    return {slug: sending_of(records.get(slug)) for slug in slugs}
