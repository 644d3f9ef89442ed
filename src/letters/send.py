"""Stage 8, send: approved letters to the councils' inboxes, each exactly once.

Only a letter built from its current files, with no proofreading defect (or approved despite
them), approved as the very PDF it is now, and with an address goes. Every message is recorded
in build/sent.jsonl before it is handed to the relay and again with the relay's answer, so a
run that dies in between leaves that council as "may have been sent", never guessed.
"""

import getpass
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from letters.build import council_paths, fingerprint_councils, read_councils, read_year
from letters.compose import Wording, message, recipients, wording
from letters.interrupt import stop_if_asked
from letters.manifest import read_manifest
from letters.overview import write_overview
from letters.problems import LettersError, Problem
from letters.project import Project
from letters.records import (
    Approval,
    Sending,
    append_record,
    current_approvals,
    current_sendings,
    local_time,
    now,
    sha256_of,
)
from letters.relay import Relay, Reply, with_retries
from letters.render_html import html_environment
from letters.validate import Council, EmailSettings, Year
from letters.write import write_atomically


@dataclass(frozen=True)
class BuiltLetter:
    """A council's letter as built from its current files: its PDF and what proofreading found."""

    slug: str
    pdf: Path
    sha256: str
    defects: list[str]


def built_letters(
    project: Project, slugs: tuple[str, ...]
) -> tuple[dict[str, BuiltLetter], list[Problem]]:
    """The named councils' letters (every council's without names) that are built from their
    current files, and a problem naming each that is not."""
    outputs = project.outputs()
    recorded = read_manifest(outputs)
    paths = council_paths(project, slugs)
    fingerprints = fingerprint_councils(project, paths)
    letters, problems = {}, []
    for path in paths:
        slug, entry = path.stem, recorded.get(path.stem)
        pdf = outputs.path("pdf", slug)
        sha256 = sha256_of(pdf)
        if entry is None:
            reason = "its letter has never been built: run letters build"
        elif entry["status"] != "built":
            reason = f"its letter is {entry['status']}: correct what letters build says, and build"
        elif entry["fingerprint"] != fingerprints.get(path):
            reason = "its files have changed since its letter was built: run letters build"
        elif "pdf" not in entry["outputs"] or sha256 is None:
            reason = "its letter has no PDF: run letters build (without --html-only)"
        else:
            defects = [note["text"] for note in entry["proofreading"] if note["kind"] == "defect"]
            letters[slug] = BuiltLetter(slug, pdf, sha256, defects)
            continue
        problems.append(Problem(project.shown(path), reason))
    return letters, problems


def approve(
    project: Project, slugs: tuple[str, ...], by: str | None, despite_notes: bool
) -> tuple[list[str], list[Problem]]:
    """Record that `by` (the login name if not given) approved each council's PDF as it is now:
    the councils approved, and a problem for each that could not be."""
    letters, problems = built_letters(project, slugs)
    approved = []
    for letter in letters.values():
        if letter.defects and not despite_notes:
            problems.append(
                Problem(
                    project.shown(project.council_file(letter.slug)),
                    f"{has_defects(letter)}: look at it, and approve it with --despite-notes "
                    f"only if it may go as it is",
                )
            )
            continue
        append_record(
            project.outputs().approvals,
            {
                "slug": letter.slug,
                "by": by or getpass.getuser(),
                "at": now(),
                "pdf_sha256": letter.sha256,
                "despite_notes": bool(letter.defects),
                "defects": letter.defects,
            },
        )
        approved.append(letter.slug)
    refresh_overview(project)
    return approved, problems


def approvals(project: Project) -> dict[str, Approval]:
    """Every council's approval, held against its PDF as it is now."""
    return current_approvals(project.outputs(), [path.stem for path in project.council_files()])


@dataclass
class Sent:
    """What happened to one council's letter in a `letters send`."""

    slug: str
    status: str  # sent, written (dry run), already sent, refused, may have been sent, failed
    detail: str = ""


@dataclass
class SendReport:
    outcomes: list[Sent] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    def ok(self) -> bool:
        return not self.problems and all(
            outcome.status in ("sent", "written", "already sent") for outcome in self.outcomes
        )

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
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class Plan:
    """The councils to send to now, and what happened to the others without sending."""

    to_send: list[tuple[BuiltLetter, Council]]
    outcomes: list[Sent]
    problems: list[Problem]


def plan(project: Project, year: Year, slugs: tuple[str, ...], resend: tuple[str, ...]) -> Plan:
    """Which councils go: refused by name if not good to go; those already sent, or that may
    have been, left alone unless named in `resend`."""
    # The councils named, and those to send again; every council if none is named.
    letters, refused = built_letters(project, tuple(dict.fromkeys(slugs + resend)))
    councils, skipped = read_councils(
        project, [project.council_file(slug) for slug in letters], year
    )
    refused += [problem for outcome in skipped for problem in outcome.problems]
    approvals = current_approvals(project.outputs(), councils)
    sendings = current_sendings(project.outputs(), councils)
    to_send, uncertain = [], []
    for slug, council in councils.items():
        letter, shown = letters[slug], project.shown(project.council_file(slug))
        refusal = refusal_of(letter, council, approvals[slug])
        last = sendings[slug]
        if refusal:
            refused.append(Problem(shown, refusal))
        elif slug in resend or last.state == "not sent":
            to_send.append((letter, council))
        elif last.state == "sent" and last.pdf_sha256 == letter.sha256:
            uncertain.append(Sent(slug, "already sent", str(last)))
        elif last.state == "sent":
            refused.append(Problem(shown, resent_refusal(slug, last)))
        else:
            uncertain.append(Sent(slug, "may have been sent", f"{last} {slug}"))
    refusals = {Path(problem.path).stem: problem.message for problem in refused}
    return Plan(
        to_send,
        [*uncertain, *(Sent(slug, "refused", reason) for slug, reason in refusals.items())],
        [Problem(problem.path, f"not sent: {problem.message}") for problem in refused]
        + [
            Problem(project.shown(project.council_file(outcome.slug)), outcome.detail)
            for outcome in uncertain
            if outcome.status == "may have been sent"
        ],
    )


def refusal_of(letter: BuiltLetter, council: Council, approval: Approval) -> str | None:
    """Why a built letter may not go, or None if it may."""
    if council.recipient.email is None:
        return "it has no address: add email: under recipient: in the council's file"
    if approval.state == "pending":
        return f"its letter is not approved: letters approve {letter.slug}"
    if approval.state == "changed":
        return (
            f"its letter has changed since it was approved: look at it again, then "
            f"letters approve {letter.slug}"
        )
    if letter.defects and not approval.despite_notes:
        return f"{has_defects(letter)}: approve it with --despite-notes only if it may go as it is"
    return None


def has_defects(letter: BuiltLetter) -> str:
    return f"its letter has proofreading defects ({'; '.join(letter.defects)})"


def resent_refusal(slug: str, last: Sending) -> str:
    return (
        f"it was {last} with a PDF that has since been rebuilt differently: to send the new "
        f"one as well, --resend {slug}"
    )


Progress = Callable[[Sent, int], None]


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
    progress: Progress = lambda outcome, total: None,
) -> SendReport:
    """Send each council's approved letter through `relay` (or, without one, write each message
    to build/email/<slug>.eml: a dry run), recording every message in build/sent.jsonl."""
    year = read_year(project)
    settings = year.email
    if settings is None:
        raise LettersError(
            [
                Problem(
                    project.shown(project.year_file),
                    "has no email: section: add the sender (see the README's Send the letters)",
                )
            ]
        )
    chosen = plan(project, year, slugs, resend)
    report = SendReport(list(chosen.outcomes), list(chosen.problems), dry_run=relay is None)
    total = len(chosen.to_send) + len(chosen.outcomes)
    for outcome in chosen.outcomes:
        progress(outcome, total)
    environment = html_environment(project)
    last_start = None
    try:
        for letter, council in chosen.to_send:
            texts = wording(environment, council, year)
            if relay is None:
                outcome = write_message(project, letter, council, settings, texts)
            else:
                last_start = keep_pace(pace, last_start)
                outcome = deliver(project, relay, letter, council, settings, texts, pace)
            report.outcomes.append(outcome)
            progress(outcome, total)
            stop_if_asked()
    finally:
        if relay is not None:
            relay.close()
        refresh_overview(project)
    return report


def keep_pace(pace: Pace, last_start: float | None) -> float:
    """Wait until the next message may start; when it starts."""
    if pace.per_minute and last_start is not None:
        time.sleep(max(0.0, last_start + 60 / pace.per_minute - time.monotonic()))
    return time.monotonic()


def write_message(
    project: Project, letter: BuiltLetter, council: Council, settings: EmailSettings, texts: Wording
) -> Sent:
    mail = message(council, settings, texts, letter.pdf.read_bytes(), local_time())
    path = project.outputs().email(letter.slug)
    write_atomically(path, mail.as_bytes(policy=SMTP))
    return Sent(letter.slug, "written", project.shown(path))


def deliver(
    project: Project,
    relay: Relay,
    letter: BuiltLetter,
    council: Council,
    settings: EmailSettings,
    texts: Wording,
    pace: Pace,
) -> Sent:
    """Hand one council's message to the relay, recording it before and after."""
    ledger = project.outputs().sent
    pdf = letter.pdf.read_bytes()
    mail: EmailMessage = message(council, settings, texts, pdf, local_time())
    record = {
        "slug": letter.slug,
        "to": council.recipient.email,
        "cc": list(council.recipient.cc),
        "pdf_sha256": letter.sha256,
        "message_id": mail["Message-ID"],
    }

    def handing_over() -> None:
        append_record(ledger, {**record, "event": "sending", "at": now()})

    reply: Reply = with_retries(
        lambda: relay.deliver(
            settings.sender.address, recipients(council), mail.as_bytes(policy=SMTP), handing_over
        ),
        pace.retries,
        pace.retry_wait,
    )
    event = "sent" if reply.accepted else "not sent"
    append_record(ledger, {**record, "event": event, "at": now(), "reply": reply.text})
    if reply.accepted:
        return Sent(letter.slug, "sent", f"to {council.recipient.email}: {reply.text}")
    return Sent(letter.slug, "failed", reply.text)


def refresh_overview(project: Project) -> None:
    """The year's overview again, with each council's approval and sending as they are now."""
    outputs = project.outputs()
    if not outputs.manifest.exists():
        return
    try:
        year = read_year(project).year
    except LettersError:
        return
    write_overview(outputs, read_manifest(outputs), year)
