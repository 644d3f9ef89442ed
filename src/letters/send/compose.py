"""One council's message, its letter's PDF attached, as RFC 5322 bytes.

The wording is the template templates/email.txt.j2: its first lines are headers the tool reads
(`Subject:` and `Attachment:`, the PDF's file name), then a blank line, then the body. It gets the
same values as the letter (`letters fields`), and `resend_of` for a letter sent again.

Headers are written here, never by parsing text: a value is plain ASCII in quotes, or RFC 2047
encoded words that decode to exactly the value, folded well inside SMTP's 998 characters. Then the
message is read back as a mail program would read it, and refused if it says anything else.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_bytes
from email.header import Header, decode_header, make_header
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import format_datetime, make_msgid

from letters.data.read import Year
from letters.data.validate import Council, EmailSettings
from letters.letter.context import letter_context
from letters.letter.figures import long_date
from letters.letter.render_html import EMAIL_TEMPLATE, LetterSandbox, render_template
from letters.problems import fail
from letters.send.records import MessageParts

HEADERS = ("Subject", "Attachment")
EMAIL_TEMPLATE_FILE = f"templates/{EMAIL_TEMPLATE}"
UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|]')
ENCODED_WORD = re.compile(r"=\?.*\?=", re.DOTALL)
LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
FOLD_AT = 78  # RFC 5322's advice; 998 is the limit
LINE_LIMIT = 998


@dataclass(frozen=True)
class Wording:
    subject: str
    attachment: str
    body: str


def wording(
    environment: LetterSandbox,
    council: Council,
    year: Year,
    slug: str,
    resend_of: date | None = None,
) -> Wording:
    """The message's subject, attachment name and body for one council, from the template:
    the letter's own values (earlier years found as the letter finds them), and resend_of."""
    context = {
        **letter_context(council, year, slug=slug),
        "resend_of": long_date(resend_of) if resend_of else None,
    }
    text = render_template(environment, EMAIL_TEMPLATE, context)
    head, blank, body = text.partition("\n\n")
    headers = dict(header_line(line, number) for number, line in enumerate(head.splitlines(), 1))
    missing = [name for name in HEADERS if not headers.get(name)]
    if missing or not blank or not body.strip():
        fail(
            EMAIL_TEMPLATE_FILE,
            "must start with a 'Subject: ...' line and an 'Attachment: ... .pdf' line, "
            "then a blank line, then the message",
            1,
        )
    return Wording(headers["Subject"], file_name(headers["Attachment"]), body.strip() + "\n")


def header_line(line: str, number: int) -> tuple[str, str]:
    name, colon, value = line.partition(":")
    if not colon or name not in HEADERS:
        fail(
            EMAIL_TEMPLATE_FILE,
            f"{line[:40]!r} is not a header the tool knows (Subject, Attachment): "
            f"leave a blank line between the headers and the message",
            number,
        )
    value = value.strip()
    if ENCODED_WORD.search(value) or LINE_BREAKS.search(value):
        fail(
            EMAIL_TEMPLATE_FILE,
            f"{name}: would hold '=?...?=' or a control character, which mail programs "
            f"read as more than the text: change the wording or the data it shows",
            number,
        )
    return name, value


def file_name(name: str) -> str:
    """A file name every mail program can save: no folder separators or reserved characters."""
    name = UNSAFE_IN_FILE_NAMES.sub("-", name).strip(" .")
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


@dataclass(frozen=True)
class Draft:
    """One council's message, all but the moment it leaves: what is approved, and what goes."""

    parts: MessageParts
    body: str
    pdf: bytes  # read once: the bytes the digest covers are the bytes attached


def draft(council: Council, settings: EmailSettings, text: Wording, pdf: bytes) -> Draft:
    """The message for one council: From, To, Cc (each address once), Reply-To, Subject, the
    body and the PDF, as they will leave."""
    recipient = council.recipient
    if recipient.email is None:
        raise ValueError("a council without an address has no message")
    seen = {recipient.email.casefold()}
    cc, names = [], []
    for copy in recipient.cc:
        if copy.email.casefold() not in seen:
            seen.add(copy.email.casefold())
            cc.append(copy.email)
            names.append(copy.named if copy.name or copy.role else "")
    parts = MessageParts(
        sender=settings.sender.address,
        sender_name=settings.sender.name,
        to=recipient.email,
        to_name=addressee_name(council),
        cc=cc,
        cc_names=names if any(names) else None,
        reply_to=settings.reply_to,
        subject=text.subject,
        attachment=text.attachment,
        body_sha256=hashlib.sha256(text.body.encode()).hexdigest(),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    return Draft(parts, text.body, pdf)


def addressee_name(council: Council) -> str:
    recipient = council.recipient
    return f"{recipient.title} {recipient.name}" if recipient.title else recipient.name


def recipients(parts: MessageParts) -> list[str]:
    """Whom the relay delivers to: the addressee and each copy, once."""
    return [parts.to, *parts.cc]


def message_id(parts: MessageParts) -> str:
    return make_msgid(domain=parts.sender.rsplit("@", 1)[1])


def as_bytes(message: Draft, sent_at: datetime, identifier: str, shown: str) -> bytes:
    """The message as it leaves: headers written here, then the body and the PDF as MIME;
    refused (naming `shown`) if a mail program would read it as anything else."""
    parts = message.parts
    headers = [
        f"From: {mailbox('From', parts.sender_name, parts.sender)}",
        f"To: {mailbox('To', parts.to_name, parts.to)}",
        *([f"Cc: {copies(parts)}"] if parts.cc else []),
        *([f"Reply-To: {parts.reply_to}"] if parts.reply_to else []),
        f"Subject: {unstructured('Subject', parts.subject)}",
        f"Date: {format_datetime(sent_at)}",
        f"Message-ID: {identifier}",
    ]
    mime = EmailMessage()
    mime.set_content(message.body)
    mime.add_attachment(
        message.pdf,
        maintype="application",
        subtype="pdf",
        filename=("utf-8", "", parts.attachment),  # RFC 2231: any name, folded
    )
    body = with_plain_file_name(mime.as_bytes(policy=SMTP), parts.attachment)
    data = "\r\n".join(headers).encode("ascii") + b"\r\n" + body
    check_reads_as_written(data, parts, identifier, shown)
    return data


# The attachment's Content-Disposition header, on one line or folded over several.
ATTACHMENT = re.compile(rb"Content-Disposition: attachment;[^\r\n]*(?:\r\n[ \t][^\r\n]*)*")


def with_plain_file_name(mime: bytes, name: str) -> bytes:
    """The attachment named twice: as RFC 2231 encodes it (first, which mail programs that
    know it prefer), then as a plain ASCII `filename=` for those that read only that (a name
    in plain ASCII already has only that one)."""
    plain = f';\r\n filename="{plain_file_name(name)}"'.encode("ascii")

    def named_plainly(found: re.Match[bytes]) -> bytes:
        return found[0] if b' filename="' in found[0] else found[0] + plain

    return ATTACHMENT.sub(named_plainly, mime, count=1)


def plain_file_name(name: str) -> str:
    """The name in plain ASCII, as a quoted string may hold it: dashes and quotes as their ASCII
    kin, accents dropped, anything else left out.

    >>> plain_file_name("Annual Review letter 2020 \u2013 Ynys M\u00f4n \u201cCouncil\u201d.pdf")
    "Annual Review letter 2020 - Ynys Mon 'Council'.pdf"
    """
    name = name.translate(ASCII_KIN)
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_only if c.isprintable() and c not in '"\\')


ASCII_KIN = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": "'", "\u201d": "'"}
)


def copies(parts: MessageParts) -> str:
    """The Cc header's value: each address, or named mailbox, a line each when named."""
    if parts.cc_names is None:
        return ", ".join(parts.cc)
    return ",\r\n ".join(
        mailbox("Cc", name, address) if name else address
        for name, address in zip(parts.cc_names, parts.cc, strict=True)
    )


def mailbox(header: str, name: str, address: str) -> str:
    """`"Name" <address>`, the name quoted when it is plain ASCII, else encoded words."""
    if is_plain(name) and len(header) + len(name) + len(address) + 7 <= FOLD_AT:
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{address}>'
    return f"{encoded_words(header, name)} <{address}>"


def unstructured(header: str, text: str) -> str:
    if is_plain(text) and len(header) + 2 + len(text) <= FOLD_AT:
        return text
    return encoded_words(header, text)


def is_plain(text: str) -> bool:
    return text.isascii() and text.isprintable() and "=?" not in text


def encoded_words(header: str, text: str) -> str:
    """RFC 2047 words, folded at 78 characters, that decode to exactly `text`."""
    return Header(text, "utf-8", header_name=header, maxlinelen=FOLD_AT).encode(linesep="\r\n")


def check_reads_as_written(data: bytes, parts: MessageParts, identifier: str, shown: str) -> None:
    """Read the message back as a mail program would: exactly the headers written, each saying
    exactly its value, no line over SMTP's limit. Never expected to fail: the last guard."""
    parsed = message_from_bytes(data, policy=default)
    expected = {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}
    expected |= {"Cc"} if parts.cc else set()
    expected |= {"Reply-To"} if parts.reply_to else set()
    attachments = list(parsed.iter_attachments())
    says = {
        "no line is over 998 characters": all(
            len(line) <= LINE_LIMIT for line in data.split(b"\r\n")
        ),
        "exactly the headers written": sorted(parsed.keys()) == sorted(expected),
        "From": addresses(parsed, "From") == [parts.sender],
        "To": addresses(parsed, "To") == [parts.to],
        "Cc": addresses(parsed, "Cc") == parts.cc,
        "the copies' names": parts.cc_names is None or copy_names(parsed) == parts.cc_names,
        "Reply-To": addresses(parsed, "Reply-To") == ([parts.reply_to] if parts.reply_to else []),
        "the sender's name": display_name(parsed, "From") == parts.sender_name,
        "the recipient's name": display_name(parsed, "To") == parts.to_name,
        "Subject": decoded(parsed, "Subject") == parts.subject,
        "Message-ID": parsed["Message-ID"] == identifier,
        "the attachment": len(attachments) == 1
        and attachments[0].get_filename() == parts.attachment,
        "the attachment's plain name": f'filename="{plain_file_name(parts.attachment)}"'.encode()
        in data,
    }
    wrong = [what for what, right in says.items() if not right]
    if wrong:
        fail(
            shown,
            f"its message would not read as written ({', '.join(wrong)}): nothing was "
            f"sent; simplify the names and wording that reach the email's headers",
        )


def addresses(parsed: EmailMessage, header: str) -> list[str]:
    value = parsed[header]
    return [address.addr_spec for address in value.addresses] if value is not None else []


def display_name(parsed: EmailMessage, header: str) -> str:
    """The display name as RFC 2047 decodes it: encoded words side by side join up (Python's
    address parser puts a space between them, so the raw header is decoded here instead)."""
    value = next(value for name, value in parsed.raw_items() if name == header)
    return phrase_of(value)


def copy_names(parsed: EmailMessage) -> list[str]:
    """Each copy's display name, read from the raw Cc header a mailbox a line ("" for none)."""
    value = next(value for name, value in parsed.raw_items() if name == "Cc")
    return [phrase_of(mailbox) if "<" in mailbox else "" for mailbox in re.split(r",\r?\n ", value)]


def phrase_of(mailbox: str) -> str:
    phrase = mailbox.rsplit("<", 1)[0].strip()
    if phrase.startswith('"') and phrase.endswith('"'):
        return re.sub(r"\\(.)", r"\1", phrase[1:-1])
    return decoded_text(phrase)


def decoded(parsed: EmailMessage, header: str) -> str:
    value = next(value for name, value in parsed.raw_items() if name == header)
    return decoded_text(value)


def decoded_text(value: str) -> str:
    return str(make_header(decode_header(re.sub(r"\r?\n", "", value))))
