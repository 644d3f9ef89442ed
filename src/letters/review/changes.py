"""What changed in a council's letter, in words (`letters changes`): since the message was last
approved (kept under records/approved/), or since the council's letter of the last kept year
(kept under history/<year>/letters/ by `letters new-year`)."""

from dataclasses import dataclass, field
from datetime import date

from letters.data.project import Project
from letters.data.read import Year, read_councils
from letters.data.validate import Council
from letters.problems import LettersError, Problem
from letters.review.words import Passage, changed_passages
from letters.send.approval import BuiltLetter, Messages, built_letters
from letters.send.kept import kept_message, read_text
from letters.send.ledgers import read_ledgers
from letters.send.records import PART_NAMES, ApprovalRecord, MessageParts

WORDED_ELSEWHERE = ("body_sha256", "pdf_sha256")  # compared word by word, not as digests


@dataclass(frozen=True)
class Compared:
    """One council's letter now, held against what it was."""

    shown: str  # the council's file
    against: str  # what it was compared with, in words
    passages: list[Passage]
    email: list[str] = field(default_factory=list)
    only_the_pdf: bool = False  # its bytes differ, its words do not

    @property
    def changed(self) -> bool:
        return bool(self.passages or self.email or self.only_the_pdf)

    def lines(self) -> list[str]:
        if not self.changed:
            return [f"{self.shown}: no changes since {self.against}"]
        return [
            f"{self.shown}: changed since {self.against}:",
            *(f"  {passage}" for passage in self.passages),
            *(f"  email: {line}" for line in self.email),
            *(
                ["  the PDF: its bytes changed but not its words (its layout or images)"]
                if self.only_the_pdf
                else []
            ),
        ]


@dataclass
class Comparison:
    compared: list[Compared] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)  # with nothing to compare with

    def summary(self, since: str) -> str:
        changed = sum(1 for c in self.compared if c.changed)
        if self.compared and not changed:
            said = f"no changes: {len(self.compared)} unchanged since {since}"
        else:
            said = f"{changed} changed, {len(self.compared) - changed} unchanged since {since}"
        if self.not_compared:
            said += f"; {len(self.not_compared)} with nothing to compare with"
        return said + (f"; {len(self.problems)} not compared" if self.problems else "")


def since_approval(project: Project, year: Year, slugs: tuple[str, ...]) -> Comparison:
    """Each named council's letter and email now against the message last approved (every
    approved council's without names)."""
    records = project.records()
    ledgers = read_ledgers(records, project.shown, project.root)
    result = Comparison()
    letters, result.problems = built_letters(project, slugs)
    councils = current_councils(project, year, letters, result)
    messages = Messages(project, year) if councils else None
    for slug, council in councils.items():
        shown, record = project.shown(project.council_file(slug)), ledgers.approval(slug)
        if record is None:
            if slugs:
                result.problems.append(Problem(shown, NOT_APPROVED.format(slug=slug)))
            else:
                result.not_compared.append(slug)
            continue
        assert messages is not None
        try:
            compared = against_approval(project, messages, slug, council, letters[slug], record)
        except LettersError as error:
            result.problems += error.problems
            continue
        result.compared.append(compared)
    return result


NOT_APPROVED = (
    "has no approval to compare its letter with: approve it first, or compare it with last "
    "year's (letters changes --since last-year {slug})"
)


def current_councils(
    project: Project, year: Year, letters: dict[str, BuiltLetter], result: Comparison
) -> dict[str, Council]:
    councils, skipped = read_councils(project, [project.council_file(s) for s in letters], year)
    result.problems += [problem for found in skipped.values() for problem in found]
    return councils


def against_approval(
    project: Project,
    messages: Messages,
    slug: str,
    council: Council,
    letter: BuiltLetter,
    record: ApprovalRecord,
) -> Compared:
    shown = project.shown(project.council_file(slug))
    approved = f"approved by {record.by} at {record.at}"
    kept = kept_message(project.records(), record.digest)
    text, email = (kept.text(), kept.email()) if kept else (None, None)
    if text is None or email is None:
        raise LettersError(
            [
                Problem(
                    shown,
                    f"its letter cannot be compared word by word: it was {approved}, before "
                    f"the tool kept approved letters (letters approve --list says whether "
                    f"it has changed)",
                )
            ]
        )
    resend_of = date.fromisoformat(record.resend_of) if record.resend_of else None
    now = messages.draft(slug, council, letter.pdf.read_bytes(), resend_of)
    passages = changed_passages(text, letter.text)
    said = [*changed_headers(record.message, now.parts)]
    said += [f"wording: {passage.marked}" for passage in changed_passages(email, now.body)]
    only_the_pdf = not passages and record.message.pdf_sha256 != now.parts.pdf_sha256
    return Compared(shown, approved, passages, said, only_the_pdf)


def changed_headers(before: MessageParts, now: MessageParts) -> list[str]:
    """Each of the message's parts that differs, but its wording and PDF: 'the subject: was
    "...", now "..."'."""
    return [
        f"{words}: was {shown_part(getattr(before, name))}, now {shown_part(getattr(now, name))}"
        for name, words in PART_NAMES.items()
        if name not in WORDED_ELSEWHERE and getattr(before, name) != getattr(now, name)
    ]


def shown_part(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    return f'"{value}"'


def since_last_year(project: Project, year: Year, slugs: tuple[str, ...]) -> Comparison:
    """Each named council's letter now against its letter of the last kept year it is in
    (found as the letter finds it: by file name, else by its name)."""
    result = Comparison()
    letters, result.problems = built_letters(project, slugs)
    for slug, council in current_councils(project, year, letters, result).items():
        shown = project.shown(project.council_file(slug))
        matches = year.history.of(slug, council.name)
        if not matches:
            if slugs:
                result.problems.append(Problem(shown, NO_EARLIER_YEAR))
            else:
                result.not_compared.append(slug)
            continue
        match = matches[0]
        kept_path = Project(match.past.folder).kept_letter(match.slug)
        kept = read_text(kept_path)
        if kept is None:
            result.problems.append(Problem(shown, NOT_KEPT.format(kept=project.shown(kept_path))))
            continue
        as_named = f" (as {match.slug})" if match.slug != slug else ""
        against = f"its letter of {match.past.year}{as_named}"
        result.compared.append(Compared(shown, against, changed_passages(kept, letters[slug].text)))
    return result


NO_EARLIER_YEAR = (
    "has no earlier year kept in history/ to compare its letter with (a council new this year)"
)
NOT_KEPT = (
    "its letter of last year was not kept ({kept} is missing): letters new-year keeps the text "
    "of each letter built from its current files when it runs"
)
