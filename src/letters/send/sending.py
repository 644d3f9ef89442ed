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

from letters.build.outputs import cannot_write, write_atomically
from letters.data.lock import locked
from letters.data.project import Project
from letters.data.read import read_councils, read_year
from letters.data.validate import Council, Year
from letters.interrupt import requested
from letters.letter.figures import long_date
from letters.problems import LettersError, Problem, fail
from letters.send.approval import (
    BuiltLetter,
    Messages,
    built_letters,
    has_defects,
    no_address,
    resend_date,
)
from letters.send.compose import Draft, as_bytes, message_id, recipients
from letters.send.records import (
    PART_NAMES,
    Approval,
    Event,
    Ledgers,
    Sending,
    SendRecord,
    append_record,
    approval_of,
    local_time,
    now,
    read_ledgers,
)
from letters.send.relay import Relay, RelayError, Reply, with_retries

SentStatus = Literal[
    "sent", "written", "already sent", "refused", "may have been sent", "failed", "stopped"
]


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
        return not self.problems and all(
            outcome.status in ("sent", "written", "already sent") for outcome in self.outcomes
        )

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
                for status in ("refused", "may have been sent")
                if self.count(status)
            ),
            *([f"{self.count('stopped')} not sent (stopped)"] if self.stopped else []),
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class Chosen:
    """One council to send to now: its letter, its data, and the sending it replaces."""

    letter: BuiltLetter
    council: Council
    resend_of: date | None


@dataclass(frozen=True)
class SendPlan:
    """The councils to send to now, and what happened to the others without sending."""

    to_send: list[Chosen]
    outcomes: list[Sent]
    problems: list[Problem]


def plan(
    project: Project, year: Year, ledgers: Ledgers, slugs: tuple[str, ...], resend: tuple[str, ...]
) -> SendPlan:
    """Which councils go: refused by name if not good to go; those already sent, or that may
    have been, left alone unless named in `resend`."""
    # The councils named, and those to send again; every council if none is named.
    letters, refused = built_letters(project, tuple(dict.fromkeys(slugs + resend)))
    councils, skipped = read_councils(
        project, [project.council_file(slug) for slug in letters], year
    )
    refused += [problem for found in skipped.values() for problem in found]
    to_send, uncertain = [], []
    for slug, council in councils.items():
        letter, shown = letters[slug], project.shown(project.council_file(slug))
        last = ledgers.sending(slug, council.name)
        refusal = no_address(council) or refusal_of(letter, ledgers.approval(slug) is not None)
        if refusal:
            refused.append(Problem(shown, refusal))
        elif slug in resend or last.state == "not sent":
            to_send.append(Chosen(letter, council, resend_date(last) if slug in resend else None))
        elif last.state == "sent" and last.record and last.record.to != council.recipient.email:
            refused.append(Problem(shown, readdressed_refusal(slug, last, council)))
        elif last.state == "sent" and last.record and last.record.pdf_sha256 == letter.sha256:
            uncertain.append(Sent(slug, "already sent", str(last)))
        elif last.state == "sent":
            refused.append(Problem(shown, rebuilt_refusal(slug, last)))
        else:
            uncertain.append(Sent(slug, "may have been sent", f"{last} {slug}"))
    refusals = {Path(problem.path).stem: problem.message for problem in refused}
    return SendPlan(
        to_send,
        [*uncertain, *(Sent(slug, "refused", reason) for slug, reason in refusals.items())],
        [Problem(problem.path, f"not sent: {problem.message}") for problem in refused]
        + [
            Problem(project.shown(project.council_file(outcome.slug)), outcome.detail)
            for outcome in uncertain
            if outcome.status == "may have been sent"
        ],
    )


def refusal_of(letter: BuiltLetter, approved: bool) -> str | None:
    """Why a built letter may not go before its message is even made, or None."""
    if not approved:
        return f"its letter is not approved: letters approve {letter.slug}"
    return None


def approval_refusal(letter: BuiltLetter, approval: Approval, resend_of: date | None) -> str | None:
    """Why this very message may not go: not the one approved, or defects not approved."""
    record = approval.record
    if record is not None and approval.state == "changed":
        approved_as = date.fromisoformat(record.resend_of) if record.resend_of else None
        if approved_as != resend_of and approval.changes == (PART_NAMES["body_sha256"],):
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


def readdressed_refusal(slug: str, last: Sending, council: Council) -> str:
    return (
        f"it was {last}, and its recipient is now {council.recipient.email}: to send it to "
        f"the new address as well, --resend {slug}"
    )


def rebuilt_refusal(slug: str, last: Sending) -> str:
    return (
        f"it was {last} with a PDF that has since been rebuilt differently: to send the new "
        f"one as well, --resend {slug}"
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
    # A dry run sends nothing, so it need not wait for a send; a real one holds the lock.
    with locked(records, "letters send", sending=True) if relay else nullcontext():
        try:
            ledgers = read_ledgers(records, project.shown)
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
        outcome = send_one(project, messages, ledgers, relay, choice, pace)
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
    ledgers: Ledgers,
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
        message = messages.draft(choice.council, pdf, choice.resend_of)
        approval = approval_of(ledgers.approval(slug), message.parts)
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
