"""Where one council's letter stands, derived from its whole record: a state machine.

A council's record is every line the sent ledger holds for it (by file name or by council name)
and its approvals. The lines of one message (one Message-ID) are one attempt, and the last of
them says how it ended:

    last line      the attempt
    -----------    ----------------------------------------------------------
    sent           delivered: the relay said it has the message
    not sent       refused: the relay refused it, or it never reached the relay
    unsure         unsure: the message was whole at the relay, no clear answer came
    sending        unsure: the message was being handed over, nothing written since

The attempts, oldest first, move the letter from state to state:

    state now            refused              delivered    unsure
    ------------------   ------------------   ----------   ------------------
    never sent           never sent           sent         may have been sent
    sent                 sent                 sent         may have been sent
    may have been sent   may have been sent   sent         may have been sent

A refused attempt never lowers what is known: once a copy was delivered, or may have been, the
letter stays sent (or may have been) whatever fails after. Each copy delivered or unsure is
counted, and the first one's date is the one every later copy says it replaces.

An approval covers one message and one sending. It is waiting until a copy is delivered or
unsure under it, and used from then on: sending again needs a new approval. Held against the
message as it would leave now (after a rebuild, a new address...), a waiting approval is
`approved` if nothing differs, else `changed`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from typing import Literal

from letters.letter.figures import long_date
from letters.send.records import (
    ApprovalRecord,
    MessageParts,
    SendRecord,
    changed_parts,
)

Ending = Literal["delivered", "refused", "unsure"]
SendingState = Literal["never sent", "sent", "may have been sent"]
ENDINGS: dict[str, Ending] = {
    "sent": "delivered",
    "not sent": "refused",
    "unsure": "unsure",
    "sending": "unsure",
}
NEXT: dict[tuple[SendingState, Ending], SendingState] = {
    ("never sent", "refused"): "never sent",
    ("never sent", "delivered"): "sent",
    ("never sent", "unsure"): "may have been sent",
    ("sent", "refused"): "sent",
    ("sent", "delivered"): "sent",
    ("sent", "unsure"): "may have been sent",
    ("may have been sent", "refused"): "may have been sent",
    ("may have been sent", "delivered"): "sent",
    ("may have been sent", "unsure"): "may have been sent",
}


@dataclass(frozen=True)
class Attempt:
    """One message handed, or about to be handed, to the relay: its first line, and how it
    ended (with the relay's words, if any)."""

    first: SendRecord
    ending: Ending
    reply: str | None

    @property
    def at(self) -> str:
        return self.first.at

    @property
    def day(self) -> date:
        return datetime.fromisoformat(self.first.at).date()

    @property
    def copy(self) -> bool:
        """Whether the council has, or may have, this message."""
        return self.ending != "refused"


def attempts_of(lines: Iterable[SendRecord]) -> list[Attempt]:
    """The ledger's lines for one council as attempts, in the order they began."""
    by_message: dict[str, list[SendRecord]] = {}
    for line in lines:
        by_message.setdefault(line.message_id, []).append(line)
    return [
        Attempt(group[0], ENDINGS[group[-1].event], group[-1].reply)
        for group in by_message.values()
    ]


@dataclass(frozen=True)
class Sending:
    """A council's letter as its record says: its state, every copy it has or may have (oldest
    first), and the latest attempt of any ending."""

    state: SendingState
    copies: tuple[Attempt, ...] = ()
    last: Attempt | None = None

    @property
    def first(self) -> Attempt | None:
        return self.copies[0] if self.copies else None

    @property
    def latest(self) -> Attempt | None:
        return self.copies[-1] if self.copies else None

    @property
    def at(self) -> str | None:
        """When the first copy went: the letter's date of sending."""
        return self.first.at if self.first else None

    @property
    def replaces(self) -> date | None:
        """The day of the letter every further copy replaces: the first copy's."""
        return self.first.day if self.first else None

    def __str__(self) -> str:
        latest = self.latest
        refused = self.last if self.last is not None and not self.last.copy else None
        if latest is None:
            return f"not sent: {refused.reply}" if refused and refused.reply else "not sent"
        delivered = [copy for copy in self.copies if copy.ending == "delivered"]
        said = []
        if delivered:
            again = [copy.at for copy in delivered[1:]]
            said.append(
                f"sent to {delivered[0].first.to} at {delivered[0].at}"
                + (f", and again at {', '.join(again)}" if again else "")
            )
        if latest.ending == "unsure":
            said.append(
                f"may have been sent to {latest.first.to} at {latest.at}: check with the "
                f"council or the relay, then send it with --resend only if it did not arrive"
            )
        if refused:
            said.append(f"a later copy was not sent: {refused.reply or 'refused'}")
        return "; ".join(said)


def step(sending: Sending, attempt: Attempt) -> Sending:
    """The letter's state after one more attempt (the table above)."""
    copies = (*sending.copies, attempt) if attempt.copy else sending.copies
    return Sending(NEXT[sending.state, attempt.ending], copies, attempt)


def sending_of(lines: Iterable[SendRecord]) -> Sending:
    """A council's sending, from every line of its record, oldest first."""
    return reduce(step, attempts_of(lines), Sending("never sent"))


ApprovalState = Literal["approved", "changed", "pending", "used"]


@dataclass(frozen=True)
class Approval:
    """A council's latest approval, held against its sending and its message as it would leave
    now: pending (none), used (a copy went under it), approved (waiting, the message as
    approved), or changed (waiting, the message differs: `changes` says how)."""

    state: ApprovalState
    record: ApprovalRecord | None = None
    changes: tuple[str, ...] = ()
    used_by: Attempt | None = None

    @property
    def by(self) -> str | None:
        return self.record.by if self.record else None

    @property
    def at(self) -> str | None:
        return self.record.at if self.record else None

    @property
    def despite_notes(self) -> bool:
        return bool(self.record and self.record.despite_notes)

    @property
    def waiting(self) -> bool:
        return self.state in ("approved", "changed")

    @property
    def replaces(self) -> date | None:
        """The day of the sending this approved message replaces, if it is a further copy."""
        record = self.record
        return date.fromisoformat(record.resend_of) if record and record.resend_of else None

    def __str__(self) -> str:
        record = self.record
        if record is None:
            return "pending"
        despite = " despite proofreading notes" if record.despite_notes else ""
        said = f"approved by {record.by} at {record.at}{despite}"
        if self.state == "used" and self.used_by is not None:
            return f"{said}, used by the copy of {self.used_by.at}"
        if self.replaces is not None:
            said += (
                f" to replace the letter sent on {long_date(self.replaces)}: it goes only with "
                f"letters send --resend {record.slug}"
            )
        if self.state == "changed":
            said += f", since changed ({', '.join(self.changes)}): approve it again"
        return said


def used_by(record: ApprovalRecord, sending: Sending) -> Attempt | None:
    """The first copy that went under this approval, if any: a copy that names it, or, from
    ledgers written before copies named their approval, one that began after it."""
    key = record.key()
    approved_at = datetime.fromisoformat(record.at)
    for copy in sending.copies:
        named = copy.first.approval
        if named == key or (named is None and datetime.fromisoformat(copy.at) >= approved_at):
            return copy
    return None


def approval_of(
    record: ApprovalRecord | None, sending: Sending, now: MessageParts | None
) -> Approval:
    """A council's latest approval, held against its sending and its message as it would leave
    now (None when it has no message now: no PDF, or no address)."""
    if record is None:
        return Approval("pending")
    copy = used_by(record, sending)
    if copy is not None:
        return Approval("used", record, used_by=copy)
    if now is None:
        return Approval("changed", record, ("the PDF or the address",))
    changes = tuple(changed_parts(record.message, now))
    return Approval("changed" if changes else "approved", record, changes)


def unchanged_since_sent(sending: Sending, pdf_sha256: str | None, to: str | None) -> bool:
    """Whether the letter as built now is the one last sent (or maybe sent), to the same
    address: then there is nothing new to send."""
    latest = sending.latest
    return latest is not None and (latest.first.pdf_sha256, latest.first.to) == (pdf_sha256, to)


def identity(name: str) -> str:
    """What makes two records the same council's, whatever its file is called."""
    return " ".join(name.casefold().split())


def council_lines(lines: Sequence[SendRecord], slug: str, name: str | None) -> list[SendRecord]:
    """The ledger's lines for one council: by its file's name, or by the council's name, so a
    council file renamed after sending is still known as sent."""
    key = identity(name) if name else None
    return [
        line
        for line in lines
        if line.slug == slug or (key is not None and identity(line.council) == key)
    ]
