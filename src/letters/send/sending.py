"""Approved letters to the councils' inboxes, each exactly once, as approved.

Only a letter built from its current files, with no proofreading defect (or approved despite
them), whose whole message is the one approved, and with an address goes. One send runs at a
time (a lock beside the ledger). Every message is recorded in records/sent.jsonl before it is
handed to the relay and again with the relay's answer, so a run that dies in between, or hears
no clear answer, leaves that council as "may have been sent", never guessed.
"""

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from letters.batch.outputs import (
    cannot_write,
    remove_emails_of_removed_councils,
    write_atomically,
)
from letters.data.lock import locked
from letters.data.project import Project
from letters.data.read import Year, read_councils, read_year
from letters.data.validate import Council
from letters.interrupt import requested
from letters.letter.figures import long_date
from letters.problems import LettersError, Problem, fail
from letters.send.approval import (
    BuiltLetter,
    Messages,
    built_letters,
    has_defects,
    no_address,
)
from letters.send.compose import Draft, as_bytes, message_id, recipients
from letters.send.ledgers import Ledgers, claim_records, read_ledgers
from letters.send.records import (
    PART_NAMES,
    ApprovalRecord,
    Event,
    SendRecord,
    append_record,
    local_time,
    now,
)
from letters.send.relay import Relay, RelayError, Reply, with_retries
from letters.send.state import Approval, Sending, approval_of, unchanged_since_sent, used_by

SentStatus = Literal[
    "sent",
    "written",
    "already sent",
    "not approved yet",
    "refused",
    "may have been sent",
    "failed",
    "stopped",
]
DONE: tuple[SentStatus, ...] = ("sent", "written", "already sent", "not approved yet")


@dataclass
class Sent:
    """What happened to one council's letter in a `letters send`."""

    slug: str
    status: SentStatus
    detail: str = ""


@dataclass
class SendReport:
    outcomes: list[Sent] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def count(self, status: SentStatus) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    def ok(self) -> bool:
        return not self.problems and all(outcome.status in DONE for outcome in self.outcomes)

    @property
    def stopped(self) -> bool:
        return self.count("stopped") > 0

    def summary(self) -> str:
        done = (
            f"{self.count('written')} written to build/email/ (dry run: nothing sent)"
            if self.dry_run
            else f"{self.count('sent')} sent"
        )
        parts = [
            done,
            f"{self.count('already sent')} already sent",
            f"{self.count('failed')} failed",
            *(
                f"{self.count(status)} {status}"
                for status in ("refused", "may have been sent", "not approved yet")
                if self.count(status)
            ),
            *([f"{self.count('stopped')} not sent (stopped)"] if self.stopped else []),
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class Chosen:
    """One council to send to now: its letter, its data, its sending so far and the approval
    the message goes under."""

    letter: BuiltLetter
    council: Council
    sending: Sending
    approval: ApprovalRecord

    @property
    def resend_of(self) -> date | None:
        """The day of the letter this copy replaces: the first copy's, if any went."""
        return self.sending.replaces


@dataclass(frozen=True)
class SendPlan:
    """The councils to send to now, and what happened to the others without sending."""

    to_send: list[Chosen]
    outcomes: list[Sent]
    problems: list[Problem]


def plan(
    project: Project, year: Year, ledgers: Ledgers, slugs: tuple[str, ...], resend: tuple[str, ...]
) -> SendPlan:
    """Which councils go now, each decided from its whole record (see letters.send.state):
    only a letter approved since its last copy goes, and a letter sent (or maybe sent) goes
    again only when named in `resend`."""
    named = tuple(dict.fromkeys(slugs + resend))
    letters, unbuilt = built_letters(project, named)
    not_built = {Path(problem.path).stem: problem.message for problem in unbuilt}
    paths = [project.council_file(slug) for slug in [*letters, *not_built]]
    councils, unreadable = read_councils(project, sorted(paths), year)
    to_send, outcomes, problems = [], [], []
    for path in sorted(paths):
        slug, shown = path.stem, project.shown(path)
        if slug in unreadable:
            problems += [
                Problem(p.path, f"not sent: {p.message}", p.line) for p in unreadable[slug]
            ]
            outcomes.append(Sent(slug, "refused", unreadable[slug][0].message))
            continue
        council = councils[slug]
        decided = decide(
            slug,
            council,
            letters.get(slug) or not_built[slug],
            ledgers.sending(slug, council.name),
            ledgers.approval(slug),
            named=bool(named),
            resend=slug in resend,
        )
        if isinstance(decided, Chosen):
            to_send.append(decided)
            continue
        outcomes.append(decided)
        if decided.status == "refused":
            problems.append(Problem(shown, f"not sent: {decided.detail}"))
        elif decided.status == "may have been sent":
            problems.append(Problem(shown, decided.detail))
    return SendPlan(to_send, outcomes, problems)


def decide(
    slug: str,
    council: Council,
    letter: BuiltLetter | str,
    sending: Sending,
    approval: ApprovalRecord | None,
    named: bool,
    resend: bool,
) -> Chosen | Sent:
    """What to do with one council's letter, from its sending and its latest approval: send
    it (with the approval it goes under), or why not. `letter` is the built letter, or why
    there is none; `named`: the councils were named; `resend`: this one with --resend."""
    built = letter if isinstance(letter, BuiltLetter) else None
    waiting = approval is not None and used_by(approval, sending) is None
    latest = sending.latest
    if latest is not None and not resend:
        if sending.state == "may have been sent":
            return Sent(slug, "may have been sent", maybe_sent(slug, sending))
        if unchanged_since_sent(sending, built.sha256 if built else None, council.recipient.email):
            return Sent(slug, "already sent", str(sending))
        if not waiting:
            return Sent(slug, "already sent", f"{sending}; {changed_since_sent(slug)}")
        if built is None:
            return Sent(slug, "refused", str(letter))
        if latest.first.to != council.recipient.email:
            return Sent(slug, "refused", readdressed_refusal(slug, sending, council))
        return Sent(slug, "refused", rebuilt_refusal(slug, sending))
    if not waiting and latest is None and not named:
        return Sent(slug, "not approved yet", f"letters approve {slug} when it is ready")
    if built is None:
        return Sent(slug, "refused", str(letter))
    if approval is None or not waiting:
        return Sent(slug, "refused", not_approved(slug, approval, sending))
    refusal = no_address(council)
    if refusal:
        return Sent(slug, "refused", refusal)
    return Chosen(built, council, sending, approval)


def not_approved(slug: str, approval: ApprovalRecord | None, sending: Sending) -> str:
    """Why a letter with no approval waiting may not go."""
    copy = used_by(approval, sending) if approval else None
    if approval is not None and copy is not None:
        return (
            f"its approval of {approval.at} went with the copy of {copy.at}: a further copy "
            f"needs approving of its own: look at it, then letters approve {slug}"
        )
    if sending.latest is not None:
        return f"it needs approving before it goes again: look at it, then letters approve {slug}"
    return f"its letter is not approved: letters approve {slug}"


def maybe_sent(slug: str, sending: Sending) -> str:
    latest = sending.latest
    assert latest is not None
    return (
        f"may have been sent to {latest.first.to} at {latest.at}: check with the council or "
        f"the relay, then send it with --resend {slug} only if it did not arrive"
    )


def changed_since_sent(slug: str) -> str:
    return (
        f"its letter has changed since it was sent: if it should go again, approve it, then "
        f"letters send --resend {slug}"
    )


def approval_refusal(letter: BuiltLetter, approval: Approval, resend_of: date | None) -> str | None:
    """Why this very message may not go: not the one approved, or defects not approved."""
    record = approval.record
    if record is not None and approval.state == "changed":
        if approval.replaces != resend_of and approval.changes == (PART_NAMES["body_sha256"],):
            replaces = f"the letter sent on {long_date(resend_of)}" if resend_of else "none"
            return (
                f"it goes as the replacement of {replaces}, which is not what was approved: "
                f"look at it, then letters approve {letter.slug}"
            )
        return (
            f"its message has changed since it was approved ({', '.join(approval.changes)}): "
            f"look at it again, then letters approve {letter.slug}"
        )
    if letter.defects and not approval.despite_notes:
        return f"{has_defects(letter)}: approve it with --despite-notes only if it may go as it is"
    return None


def went(sending: Sending) -> str:
    latest = sending.latest
    assert latest is not None
    return f"sent to {latest.first.to} at {latest.at}"


def readdressed_refusal(slug: str, sending: Sending, council: Council) -> str:
    return (
        f"it was {went(sending)}, and its recipient is now {council.recipient.email}: to send "
        f"it to the new address as well, --resend {slug}"
    )


def rebuilt_refusal(slug: str, sending: Sending) -> str:
    return (
        f"it was {went(sending)} with a PDF that has since been rebuilt differently: to send "
        f"the new one as well, --resend {slug}"
    )


SendProgress = Callable[[Sent, int], None]


@dataclass(frozen=True)
class Pace:
    """How fast to send and how patiently: at most `per_minute` messages a minute; a temporary
    refusal retried `retries` times, after `retry_wait` seconds, then twice as long..."""

    per_minute: float | None = None
    retries: int = 3
    retry_wait: float = 5.0


def send(
    project: Project,
    slugs: tuple[str, ...] = (),
    relay: Relay | None = None,
    resend: tuple[str, ...] = (),
    pace: Pace = Pace(),
    progress: SendProgress = lambda outcome, total: None,
) -> SendReport:
    """Send each council's approved letter through `relay` (or, without one, write each message
    to build/email/<slug>.eml: a dry run), recording every message in records/sent.jsonl. A stop
    asked for (Ctrl-C, SIGTERM) ends waiting at once and sending after the message under way."""
    year = read_year(project)
    messages = Messages(project, year)
    messages.settings()  # no sender: nothing to do
    records = project.records()
    refuse_old_records(project)
    claim_records(records, project.root, project.shown, writing=relay is not None)
    # A dry run sends nothing, so it need not wait for a send; a real one holds the lock.
    with locked(records, "letters send", sending=True) if relay else nullcontext():
        try:
            ledgers = read_ledgers(records, project.shown, project.root)
            return send_all(project, messages, ledgers, slugs, resend, relay, pace, progress)
        finally:
            if relay is not None:
                relay.close()


def send_all(
    project: Project,
    messages: Messages,
    ledgers: Ledgers,
    slugs: tuple[str, ...],
    resend: tuple[str, ...],
    relay: Relay | None,
    pace: Pace,
    progress: SendProgress,
) -> SendReport:
    chosen = plan(project, messages.year, ledgers, slugs, resend)
    if relay is None and not slugs and not resend:
        remove_emails_of_removed_councils(project)
    report = SendReport(list(chosen.outcomes), list(chosen.problems), dry_run=relay is None)
    total = len(chosen.to_send) + len(chosen.outcomes)
    for outcome in chosen.outcomes:
        progress(outcome, total)
    last_start = None
    for number, choice in enumerate(chosen.to_send):
        if relay is not None:
            last_start = keep_pace(pace, last_start)
        if requested.is_set():
            for rest in chosen.to_send[number:]:
                report.outcomes.append(Sent(rest.letter.slug, "stopped", "stopped before its turn"))
            break
        outcome = send_one(project, messages, relay, choice, pace)
        report.outcomes.append(outcome)
        if outcome.status in ("refused", "may have been sent"):
            shown = project.shown(project.council_file(choice.letter.slug))
            said = "not sent: " if outcome.status == "refused" else ""
            report.problems.append(Problem(shown, f"{said}{outcome.detail}"))
        progress(outcome, total)
    return report


def send_one(
    project: Project,
    messages: Messages,
    relay: Relay | None,
    choice: Chosen,
    pace: Pace,
) -> Sent:
    """One council: its message made from its PDF's bytes read once, held against its approval,
    then written (dry run) or handed to the relay. Any problem fails this council alone."""
    slug, shown = choice.letter.slug, project.shown(project.council_file(choice.letter.slug))
    try:
        pdf = choice.letter.pdf.read_bytes()
    except OSError as error:
        return Sent(slug, "failed", f"its PDF cannot be read ({error.strerror or error})")
    try:
        message = messages.draft(slug, choice.council, pdf, choice.resend_of)
        approval = approval_of(choice.approval, choice.sending, message.parts)
        refusal = approval_refusal(choice.letter, approval, choice.resend_of)
        if refusal:
            return Sent(slug, "refused", refusal)
        if relay is None:
            return write_message(project, slug, message, shown)
        return deliver(project, relay, slug, choice, message, pace, shown)
    except RelayError:
        raise
    except LettersError as error:
        return Sent(slug, "failed", "; ".join(p.message for p in error.problems))


def keep_pace(pace: Pace, last_start: float | None) -> float:
    """Wait until the next message may start (a stop ends the wait); when it starts."""
    if pace.per_minute and last_start is not None:
        requested.wait(max(0.0, last_start + 60 / pace.per_minute - time.monotonic()))
    return time.monotonic()


def write_message(project: Project, slug: str, message: Draft, shown: str) -> Sent:
    data = as_bytes(message, local_time(), message_id(message.parts), shown)
    path = project.outputs().email(slug)
    try:
        write_atomically(path, data)
    except OSError as error:  # said as the council's "not sent: <the file>: <why>"
        problem = cannot_write(project, error)
        fail(shown, f"{problem.path}: {problem.message}")
    return Sent(slug, "written", project.shown(path))


def deliver(
    project: Project,
    relay: Relay,
    slug: str,
    choice: Chosen,
    message: Draft,
    pace: Pace,
    shown: str,
) -> Sent:
    """Hand one council's message to the relay, recording it before and after."""
    ledger = project.records().sent
    identifier = message_id(message.parts)
    data = as_bytes(message, local_time(), identifier, shown)

    def record(event: Event, reply: str | None = None) -> SendRecord:
        return SendRecord(
            slug=slug,
            council=choice.council.name,
            event=event,
            at=now(),
            to=message.parts.to,
            cc=message.parts.cc,
            digest=message.parts.digest(),
            pdf_sha256=message.parts.pdf_sha256,
            message_id=identifier,
            reply=reply,
            resend_of=choice.resend_of.isoformat() if choice.resend_of else None,
            approval=choice.approval.key(),
        )

    reply: Reply = with_retries(
        lambda: relay.deliver(
            message.parts.sender,
            recipients(message.parts),
            data,
            lambda: append_record(ledger, record("sending")),
        ),
        pace.retries,
        pace.retry_wait,
        requested,
    )
    event: Event = (
        "sent" if reply.kind == "accepted" else "unsure" if reply.kind == "unsure" else "not sent"
    )
    append_record(ledger, record(event, reply.text))
    if reply.accepted:
        return Sent(slug, "sent", f"to {message.parts.to}: {reply.text}")
    if reply.kind == "unsure":
        return Sent(
            slug,
            "may have been sent",
            f"may have been sent: {reply.text}: check with the council or the relay, then send "
            f"it with --resend {slug} only if it did not arrive",
        )
    return Sent(slug, "failed", reply.text)


def refuse_old_records(project: Project) -> None:
    """Records an earlier version kept in build/ are not read, and not ignored either."""
    for path in project.outputs().old_records:
        if path.exists():
            fail(
                project.shown(path),
                f"is a record kept by an earlier version of letters, where cleaning removes it: "
                f"move it to {project.shown(project.records().folder)}/ if that folder has no "
                f"such file, else keep it elsewhere and check what it says was sent",
            )
