"""Who approved which message, and what was sent, in append-only files.

records/approvals.jsonl and records/sent.jsonl get one JSON object per line, written in one piece
and flushed to the disk before the command goes on, and never rewritten. They live outside build/,
so cleaning the outputs never removes them. Every line is read strictly: one that cannot be read
stops the command with its file and line, because a record skipped is a letter sent twice.
"""

import getpass
import hashlib
import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from letters.data.project import Records
from letters.problems import fail

# Test hooks: kill this process just before it appends its k-th record, or halfway through
# writing it, so the tests can stop a send at each record boundary without guessing a time.
KILL_BEFORE_RECORD = "LETTERS_TEST_KILL_BEFORE_RECORD"
CUT_RECORD = "LETTERS_TEST_CUT_RECORD"
appended = 0  # records appended by this process, for the hooks


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class MessageParts(Record):
    """Everything a council's message says, but its Date and Message-ID: what an approval covers."""

    sender: str
    sender_name: str
    to: str
    to_name: str
    cc: list[str]
    reply_to: str | None
    subject: str
    attachment: str
    body_sha256: str
    pdf_sha256: str

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


PART_NAMES = {
    "sender": "the sender's address",
    "sender_name": "the sender's name",
    "to": "the recipient's address",
    "to_name": "the recipient's name",
    "cc": "the copies (cc)",
    "reply_to": "the reply-to address",
    "subject": "the subject",
    "attachment": "the attachment's name",
    "body_sha256": "the message's wording",
    "pdf_sha256": "the PDF",
}


def changed_parts(before: MessageParts, now: MessageParts) -> list[str]:
    """What differs between two messages, in words: ['the recipient's address', 'the PDF']."""
    return [
        words for name, words in PART_NAMES.items() if getattr(before, name) != getattr(now, name)
    ]


class ApprovalRecord(Record):
    slug: str
    council: str  # the council's name: a renamed file is still the same council
    by: str
    at: str
    digest: str
    message: MessageParts
    despite_notes: bool
    defects: list[str]
    resend_of: str | None = None  # the day of the sending this message replaces


Event = Literal["sending", "sent", "not sent", "unsure"]


class SendRecord(Record):
    """One line of the sent ledger: `sending` just before the message is handed over, then what
    the relay said: `sent`, `not sent`, or `unsure` (the message went, no clear answer came)."""

    slug: str
    council: str
    event: Event
    at: str
    to: str
    cc: list[str]
    digest: str
    pdf_sha256: str
    message_id: str
    reply: str | None = None
    resend_of: str | None = None


R = TypeVar("R", bound=Record)


def append_record(path: Path, record: Record) -> None:
    """Add one line to the file and wait until the disk has it. The line starts on a line of
    its own, and a write that fails part-way is taken back, so no line is ever left cut."""
    global appended
    appended += 1
    if os.environ.get(KILL_BEFORE_RECORD) == str(appended):
        os.kill(os.getpid(), signal.SIGKILL)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = record.model_dump_json().encode() + b"\n"
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":
            line = b"\n" + line
        if os.environ.get(CUT_RECORD) == str(appended):
            os.write(descriptor, line[: len(line) // 2])
            os.fsync(descriptor)
            os.kill(os.getpid(), signal.SIGKILL)
        try:
            written = os.write(descriptor, line)
            if written != len(line):
                raise OSError(28, "No space left on device", str(path))
            os.fsync(descriptor)
        except BaseException:
            os.ftruncate(descriptor, size)
            raise
    finally:
        os.close(descriptor)


def read_records(path: Path, shown: str, model: type[R]) -> list[R]:
    """Every line of the file as a record, oldest first; none if it does not exist yet. A line
    that is not a whole record as the tool writes it stops everything, with its line."""
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        records.append(record_from(line, model, shown, number))
    return records


MEND = (
    "nothing is sent until it is mended: put the file back from a backup, or delete the line if "
    "it was cut short (see the README's Sending the letters)"
)


def record_from(line: bytes, model: type[R], shown: str, number: int) -> R:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        fail(shown, f"is not UTF-8 text: {MEND}", number)
    try:
        raw = json.loads(text)
    except ValueError:
        fail(shown, f"is not a whole record (cut short, or edited): {MEND}", number)
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        detail = error.errors()[0]
        where = ".".join(str(part) for part in detail["loc"]) or "the line"
        fail(shown, f"is not a record the tool wrote ({where}: {detail['msg']}): {MEND}", number)


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


def login_name() -> str:
    """Who is running the command, for records; refused if the system cannot say."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid with no passwd entry, and no LOGNAME or USER
        fail("letters approve", "cannot tell who you are: say who approves with --by NAME")


ApprovalState = Literal["approved", "changed", "pending"]


@dataclass(frozen=True)
class Approval:
    state: ApprovalState
    record: ApprovalRecord | None = None
    changes: tuple[str, ...] = ()  # what differs from the approved message, in words

    @property
    def by(self) -> str | None:
        return self.record.by if self.record else None

    @property
    def at(self) -> str | None:
        return self.record.at if self.record else None

    @property
    def despite_notes(self) -> bool:
        return bool(self.record and self.record.despite_notes)

    def __str__(self) -> str:
        if self.record is None:
            return "pending"
        despite = " despite proofreading notes" if self.record.despite_notes else ""
        changed = (
            f", since changed ({', '.join(self.changes)}): approve it again"
            if self.state == "changed"
            else ""
        )
        return f"approved by {self.record.by} at {self.record.at}{despite}{changed}"


def approval_of(record: ApprovalRecord | None, now: MessageParts | None) -> Approval:
    """A council's approval, held against its message as it would leave now (None when it has
    no message: no PDF, or no address); only the PDF is compared when that is all there is."""
    if record is None:
        return Approval("pending")
    if now is None:
        return Approval("changed", record, ("the PDF or the address",))
    changes = tuple(changed_parts(record.message, now))
    return Approval("changed" if changes else "approved", record, changes)


SendingState = Literal["sent", "may have been sent", "not sent"]


@dataclass(frozen=True)
class Sending:
    state: SendingState
    record: SendRecord | None = None

    @property
    def at(self) -> str | None:
        return self.record.at if self.record else None

    def __str__(self) -> str:
        record = self.record
        if record is None:
            return "not sent"
        if self.state == "sent":
            return f"sent to {record.to} at {record.at}"
        if self.state == "may have been sent":
            return (
                f"may have been sent to {record.to} at {record.at}: check with the council or "
                f"the relay, then send it with --resend only if it did not arrive"
            )
        return f"not sent: {record.reply}" if record.reply else "not sent"


def sending_of(record: SendRecord | None) -> Sending:
    """A council's sending, from its latest line in the ledger: a message handed to the relay
    with no clear answer recorded may have been sent; nobody can tell from here."""
    if record is None:
        return Sending("not sent")
    if record.event == "sent":
        return Sending("sent", record)
    if record.event in ("sending", "unsure"):
        return Sending("may have been sent", record)
    return Sending("not sent", record)


def identity(name: str) -> str:
    """What makes two records the same council's, whatever its file is called."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Ledgers:
    """Both records files, read once and checked."""

    approvals: list[ApprovalRecord]
    sendings: list[SendRecord]

    def approval(self, slug: str) -> ApprovalRecord | None:
        return next((r for r in reversed(self.approvals) if r.slug == slug), None)

    def sending(self, slug: str, name: str | None) -> Sending:
        """The council's latest sending, found by its file's name or by the council's name, so
        a council file renamed after sending is still known as sent."""
        key = identity(name) if name else None
        record = next(
            (
                r
                for r in reversed(self.sendings)
                if r.slug == slug or (key is not None and identity(r.council) == key)
            ),
            None,
        )
        return sending_of(record)


def read_ledgers(records: Records, shown: Callable[[Path], str]) -> Ledgers:
    """The approvals and the sent ledger, refusing a ledger that is missing while approvals
    say letters were on their way, and records an older version left in build/."""
    approvals = read_records(records.approvals, shown(records.approvals), ApprovalRecord)
    if approvals and not records.sent.exists():
        fail(
            shown(records.sent),
            f"is missing, but {shown(records.approvals)} has approvals, so letters may have been "
            f"sent: put it back from a backup (if nothing was ever sent, create it empty: "
            f"touch {shown(records.sent)})",
        )
    return Ledgers(approvals, read_records(records.sent, shown(records.sent), SendRecord))
