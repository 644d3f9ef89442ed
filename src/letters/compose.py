"""Stage 8, send (compose): one council's message, its letter's PDF attached, as RFC 5322.

The wording is the template templates/email.txt.j2: its first lines are headers the tool reads
(`Subject:` and `Attachment:`, the PDF's file name), then a blank line, then the body. It gets the
same values as the letter (`letters fields`).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import jinja2

from letters.context import letter_context
from letters.problems import LettersError, Problem
from letters.render_html import render_template
from letters.validate import Council, EmailSettings, Year

EMAIL_TEMPLATE = "email.txt.j2"
HEADERS = ("Subject", "Attachment")
SHOWN = f"templates/{EMAIL_TEMPLATE}"
UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|]')


@dataclass(frozen=True)
class Wording:
    subject: str
    attachment: str
    body: str


def wording(environment: jinja2.Environment, council: Council, year: Year) -> Wording:
    """The message's subject, attachment name and body for one council, from the template."""
    text = render_template(environment, EMAIL_TEMPLATE, letter_context(council, year))
    head, blank, body = text.partition("\n\n")
    headers = dict(header_line(line, number) for number, line in enumerate(head.splitlines(), 1))
    missing = [name for name in HEADERS if not headers.get(name)]
    if missing or not blank or not body.strip():
        raise LettersError(
            [
                Problem(
                    SHOWN,
                    "must start with a 'Subject: ...' line and an 'Attachment: ... .pdf' line, "
                    "then a blank line, then the message",
                    1,
                )
            ]
        )
    return Wording(headers["Subject"], file_name(headers["Attachment"]), body.strip() + "\n")


def header_line(line: str, number: int) -> tuple[str, str]:
    name, colon, value = line.partition(":")
    if not colon or name not in HEADERS:
        raise LettersError(
            [
                Problem(
                    SHOWN,
                    f"{line[:40]!r} is not a header the tool knows (Subject, Attachment): "
                    f"leave a blank line between the headers and the message",
                    number,
                )
            ]
        )
    return name, value.strip()


def file_name(name: str) -> str:
    """A file name every mail program can save: no folder separators or reserved characters."""
    name = UNSAFE_IN_FILE_NAMES.sub("-", name).strip(" .")
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def message(
    council: Council, settings: EmailSettings, text: Wording, pdf: bytes, sent_at: datetime
) -> EmailMessage:
    """The message for one council: From, To, Cc, Reply-To, Subject, Date (when it is sent or,
    for a dry run, written) and a new Message-ID; the body, and the PDF attached as it is."""
    recipient = council.recipient
    if recipient.email is None:
        raise ValueError("a council without an address has no message")
    mail = EmailMessage()
    mail["From"] = Address(settings.sender.name, addr_spec=settings.sender.address)
    mail["To"] = Address(addressee_name(council), addr_spec=recipient.email)
    if recipient.cc:
        mail["Cc"] = [Address(addr_spec=address) for address in recipient.cc]
    if settings.reply_to:
        mail["Reply-To"] = Address(addr_spec=settings.reply_to)
    mail["Subject"] = text.subject
    mail["Date"] = format_datetime(sent_at)
    mail["Message-ID"] = make_msgid(domain=settings.sender.address.rsplit("@", 1)[1])
    mail.set_content(text.body)
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=text.attachment)
    return mail


def addressee_name(council: Council) -> str:
    recipient = council.recipient
    return f"{recipient.title} {recipient.name}" if recipient.title else recipient.name


def recipients(council: Council) -> list[str]:
    return [address for address in (council.recipient.email, *council.recipient.cc) if address]
