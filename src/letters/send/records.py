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
from datetime import datetime
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from letters.problems import fail

# Test hooks: kill this process just before it appends its k-th record, or halfway through
# writing it, so the tests can stop a send at each record boundary without guessing a time.
KILL_BEFORE_RECORD = "LETTERS_TEST_KILL_BEFORE_RECORD"
CUT_RECORD = "LETTERS_TEST_CUT_RECORD"
appended = 0  # records appended by this process, for the hooks


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


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
    cc_names: list[str] | None = None  # each copy's name and role ("" for none), if any has one

    def digest(self) -> str:
        """What an approval records of the message. Copies without names leave cc_names out,
        so a message approved before copies had names keeps its digest."""
        unnamed = {"cc_names"} if self.cc_names is None else None
        return hashlib.sha256(self.model_dump_json(exclude=unnamed).encode()).hexdigest()


PART_NAMES = {
    "sender": "the sender's address",
    "sender_name": "the sender's name",
    "to": "the recipient's address",
    "to_name": "the recipient's name",
    "cc": "the copies (cc)",
    "cc_names": "the copies' names",
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
    id: str | None = None  # new for each approval: two alike in one second are still two

    def key(self) -> str:
        """What names this approval in the sent ledger: its id (the digest of its line for an
        approval recorded before approvals had one)."""
        return self.id or hashlib.sha256(self.model_dump_json().encode()).hexdigest()


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
    approval: str | None = None  # the key of the approval it went under (none in older ledgers)


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
