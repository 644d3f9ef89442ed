"""What a letter's approval covers, and where each council stands.

An approval covers the whole message as it would leave (the PDF's bytes, every recipient, the
sender, the subject and the body: all but Date and Message-ID), so a changed address, a new copy
or reworded email since approval is caught as surely as a rebuilt PDF.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from letters.batch.manifest import Entry, fingerprint_councils, is_sealed, read_manifest
from letters.batch.outcome import council_figures
from letters.data.project import Project
from letters.data.read import Year, council_paths, read_councils
from letters.data.validate import Council, EmailSettings
from letters.problems import LettersError, Problem, fail
from letters.send.kept import keep_message, kept_message
from letters.send.ledgers import Ledgers, read_ledgers
from letters.send.records import ApprovalRecord, append_record, login_name, now, sha256_of
from letters.send.state import Approval, Sending, approval_of, unchanged_since_sent

if TYPE_CHECKING:  # composing messages (Jinja, email) is imported only when a message is made
    from letters.send.compose import Draft


@dataclass(frozen=True)
class BuiltLetter:
    """A council's letter as built from its current files: its PDF and what proofreading found."""

    slug: str
    pdf: Path
    sha256: str
    defects: list[str]
    text: str  # its words as laid out (build/text/), kept with its approval


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
        text = read_built_text(outputs.path("text", slug), entry)
        if entry is None:
            reason = "its letter has never been built: run letters build"
        elif entry["status"] != "built":
            reason = f"its letter is {entry['status']}: correct what letters build says, and build"
        elif entry["fingerprint"] != fingerprints.get(path):
            reason = "its files have changed since its letter was built: run letters build"
        elif "pdf" not in entry["outputs"] or sha256 is None:
            reason = "its letter has no PDF: run letters build (without --html-only)"
        elif "text" not in entry["outputs"]:
            reason = "its letter was built by an earlier version of the tool: run letters build"
        elif not is_sealed(entry) or entry["pdf_sha256"] != sha256 or text is None:
            reason = (
                f"its PDF is not the one its last build proofread (build/manifest.json was "
                f"edited, or the PDF replaced by hand): run letters build --force {slug}"
            )
        else:
            defects = [note["text"] for note in entry["proofreading"] if note["kind"] == "defect"]
            letters[slug] = BuiltLetter(slug, pdf, sha256, defects, text)
            continue
        problems.append(Problem(project.shown(path), reason))
    return letters, problems


def read_built_text(path: Path, entry: Entry | None) -> str | None:
    """A letter's text as its last build recorded it; None if it is not that one."""
    try:
        content = path.read_bytes()
    except OSError:
        return None
    recorded = entry["sha256"].get("text") if entry else None
    if recorded != hashlib.sha256(content).hexdigest():
        return None
    return content.decode("utf-8")


class Messages:
    """Each council's message as it would leave now, made from its file, the year and the email
    template, and the PDF's bytes read once."""

    def __init__(self, project: Project, year: Year):
        from letters.letter.render_html import html_environment

        self.project, self.year = project, year
        self.environment = html_environment(project)

    def settings(self) -> EmailSettings:
        if self.year.facts.email is None:
            fail(
                self.project.shown(self.project.year_file),
                "has no email: section: add the sender (see the README's Sending the letters)",
            )
        return self.year.facts.email

    def draft(self, slug: str, council: Council, pdf: bytes, resend_of: date | None) -> "Draft":
        from letters.send.compose import draft, wording

        texts = wording(self.environment, council, self.year, slug, resend_of)
        return draft(council, self.settings(), texts, pdf)


def no_address(council: Council) -> str | None:
    if council.recipient.email is None:
        return "it has no address: add email: under recipient: in the council's file"
    return None


def has_defects(letter: BuiltLetter) -> str:
    return f"its letter has proofreading defects ({'; '.join(letter.defects)})"


@dataclass
class Approved:
    approved: list[str]
    already: list[str]  # approved as they are, and not sent since
    already_sent: list[str]  # sent (or may have been) as they are: left alone by --all
    replacements: list[str]  # approved as a further copy of a letter sent before
    problems: list[Problem]

    def summary(self) -> str:
        """'3 approved, 1 already approved, 2 already sent, 0 not approved'."""
        counts = [
            f"{len(self.approved)} approved",
            *([f"{len(self.already)} already approved"] if self.already else []),
            *([f"{len(self.already_sent)} already sent"] if self.already_sent else []),
            f"{len(self.problems)} not approved",
        ]
        return ", ".join(counts)


def approve(
    project: Project,
    year: Year,
    slugs: tuple[str, ...],
    by: str | None,
    despite_notes: bool,
) -> Approved:
    """Record that `by` (the login name if not given) approved each council's message as it
    would leave now. With no slugs, every built letter without defects, not approved as it is
    and not sent as it is; a letter with defects needs naming with `despite_notes`, and so
    does a letter sent before that has not changed since."""
    records = project.records()
    ledgers = read_ledgers(records, project.shown, project.root, writing=True)
    letters, problems = built_letters(project, slugs)
    councils, skipped = read_councils(project, [project.council_file(s) for s in letters], year)
    problems += [problem for found in skipped.values() for problem in found]
    messages = Messages(project, year)
    who = by or login_name()
    result = Approved([], [], [], [], problems)
    for slug, council in councils.items():
        letter, shown = letters[slug], project.shown(project.council_file(slug))
        sending = ledgers.sending(slug, council.name)
        if not slugs and unchanged_since_sent(sending, letter.sha256, council.recipient.email):
            result.already_sent.append(slug)
            continue
        if letter.defects and not despite_notes:
            how = "approve it" if slugs else f"letters approve {slug}"
            problems.append(
                Problem(
                    shown,
                    f"{has_defects(letter)}: look at it, and {how} with --despite-notes only "
                    f"if it may go as it is",
                )
            )
            continue
        refusal = no_address(council)
        if refusal:
            problems.append(Problem(shown, f"{refusal}, then approve it"))
            continue
        try:
            message = messages.draft(slug, council, letter.pdf.read_bytes(), sending.replaces)
        except LettersError as error:
            problems += error.problems
            continue
        current = approval_of(ledgers.approval(slug), sending, message.parts)
        if not slugs and current.state == "approved":
            result.already.append(slug)
            continue
        if not records.sent.exists():
            records.sent.parent.mkdir(parents=True, exist_ok=True)
            records.sent.touch()  # from the first approval on, a missing ledger is an error
        digest = message.parts.digest()
        figures = council_figures(council, year)
        keep_message(records, digest, message.pdf, letter.text, message.body, figures)
        append_record(
            records.approvals,
            ApprovalRecord(
                slug=slug,
                council=council.name,
                by=who,
                at=now(),
                digest=digest,
                message=message.parts,
                despite_notes=bool(letter.defects),
                defects=letter.defects,
                resend_of=sending.replaces.isoformat() if sending.replaces else None,
                id=uuid.uuid4().hex,
            ),
        )
        result.approved.append(slug)
        if sending.replaces:
            result.replacements.append(slug)
    return result


@dataclass(frozen=True)
class Standing:
    """Where one council stands: its approval, held against its message now, its sending, and
    whether its letter is still the one last sent."""

    approval: Approval
    sending: Sending
    changed_since_sent: bool = False
    figures_changed: tuple[str, ...] | None = None  # since approval, when it says (kept)
    approved_pdf: Path | None = None  # the PDF its latest approval covered, as kept

    def describe(self, slug: str) -> str:
        """The council's line in `letters approve --list`: its approval, its sending, and, for
        a letter sent before, whether the letter now is the one sent."""
        said = f"{self.approval}; {self.sending}"
        if self.approval.state == "changed" and self.figures_changed is not None:
            changed = ", ".join(self.figures_changed) or "none"
            said += f"; figures changed since approval: {changed}"
        if not self.sending.copies:
            return said
        if not self.approval.waiting and self.changed_since_sent:
            return (
                f"{said}; its letter has changed since it was sent: if it should go again, "
                f"approve it, then letters send --resend {slug}"
            )
        if self.approval.waiting:
            why = "it has changed since" if self.changed_since_sent else "the same letter, by name"
            return f"{said}; approved again because {why}"
        return said


def standings(
    project: Project, year: Year, ledgers: Ledgers, slugs: list[str]
) -> dict[str, Standing]:
    """Each council's approval and sending as they are now. A council approved but whose
    letter or file cannot be read now shows as changed."""
    approved = [slug for slug in slugs if ledgers.approval(slug) is not None]
    councils, _ = read_councils(project, [project.council_file(slug) for slug in slugs], year)
    messages = Messages(project, year) if approved else None
    result = {}
    for slug in slugs:
        council = councils.get(slug)
        sending = ledgers.sending(slug, council.name if council else None)
        record = ledgers.approval(slug)
        approval = approval_now(project, messages, council, slug, record, sending)
        changed = bool(sending.copies) and not unchanged_since_sent(
            sending,
            sha256_of(project.outputs().path("pdf", slug)),
            council.recipient.email if council else None,
        )
        figures = (
            figures_changed(project, year, council, record)
            if council and record and approval.state == "changed"
            else None
        )
        kept = kept_message(project.records(), record.digest) if record else None
        result[slug] = Standing(approval, sending, changed, figures, kept.pdf if kept else None)
    return result


def figures_changed(
    project: Project, year: Year, council: Council, record: ApprovalRecord
) -> tuple[str, ...] | None:
    """Each figure of the council's file that differs from those its approved letter was made
    from ('statistics.upheld 5 -> 6'); None if the approval kept none."""
    kept = kept_message(project.records(), record.digest)
    before = kept.figures() if kept else None
    if before is None:
        return None
    now = council_figures(council, year)
    return tuple(
        f"{name} {shown_figure(before.get(name))} -> {shown_figure(now.get(name))}"
        for name in [*now, *(name for name in before if name not in now)]
        if before.get(name) != now.get(name)
    )


def shown_figure(value: str | None) -> str:
    """A figure as one line shows it: a list or paragraphs cut short, a left-out one said so."""
    if value is None:
        return "(left out)"
    line = " / ".join(value.split("\n"))
    return line if len(line) <= 40 else f"{line[:37]}..."


def approval_now(
    project: Project,
    messages: Messages | None,
    council: Council | None,
    slug: str,
    record: ApprovalRecord | None,
    sending: Sending,
) -> Approval:
    """An approval held against the message as it would leave now, worded as that approval
    saw it (a first sending, or the replacement of one)."""
    if record is None or messages is None:
        return approval_of(record, sending, None)
    pdf = project.outputs().path("pdf", slug)
    if council is None or council.recipient.email is None or not pdf.is_file():
        return approval_of(record, sending, None)
    resend_of = date.fromisoformat(record.resend_of) if record.resend_of else None
    try:
        parts = messages.draft(slug, council, pdf.read_bytes(), resend_of).parts
    except (LettersError, OSError):
        return approval_of(record, sending, None)
    return approval_of(record, sending, parts)


def standings_now(project: Project, year: Year, slugs: list[str]) -> dict[str, Standing]:
    """Every named council's approval and sending, reading the council files only when the
    records hold anything (a year not yet approved costs nothing)."""
    ledgers = read_ledgers(project.records(), project.shown, project.root)
    if not ledgers.approvals and not ledgers.sendings:
        return {slug: Standing(Approval("pending"), Sending("never sent")) for slug in slugs}
    return standings(project, year, ledgers, slugs)
