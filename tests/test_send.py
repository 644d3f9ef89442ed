"""letters approve and letters send, against a real SMTP server (aiosmtpd) on loopback."""

import asyncio
import csv
import hashlib
import json
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from helpers import REPO, SLUGS, copy_project, edit, html_text, last_line, letters
from letters.send.records import MessageParts

SUBJECT = "Annual Review letter 2020 – Canterbury City Council"


class Inbox:
    """What the SMTP server accepted; `answers` makes it refuse or drop for some addresses."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.answers: dict[str, list[str]] = {}  # address -> answers, one used per try
        self.delay = 0.0  # between keeping a message and saying so

    def answer_for(self, address: str) -> str | None:
        """The next answer for `address`; the last one holds for every try after it."""
        answers = self.answers.get(address) or [None]
        return answers.pop(0) if len(answers) > 1 else answers[0]

    async def handle_RCPT(self, server, session, envelope, address, options):
        answer = self.answer_for(address)
        if answer and not answer.startswith(("250", "drop")):
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(self.answers.get(address) == ["drop"] for address in envelope.rcpt_tos):
            server.transport.close()  # in the middle: the message never acknowledged
            return "451 gone"
        self.received.append(message_from_bytes(envelope.original_content, policy=default))
        self.envelopes.append(list(envelope.rcpt_tos))
        await asyncio.sleep(self.delay)  # kept, but slow to say so: a kill can fall in between
        return "250 2.0.0 Ok: queued"

    def to(self, address: str) -> list[EmailMessage]:
        return [
            message for message in self.received if message["To"].addresses[0].addr_spec == address
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(handler, **options) -> Iterator:
    """A real SMTP server (aiosmtpd) on loopback for `handler`, its address in handler.address."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    handler.address = f"127.0.0.1:{controller.port}"
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def inbox():
    with serving(Inbox()) as handler:
        yield handler


@pytest.fixture
def project(built_project: Path) -> Path:
    """Every test here starts from the five letters built (its own copy of one build)."""
    return built_project


def approved(project: Path, *slugs: str) -> Path:
    """The project built as it is now (the letters changed since), and its letters (all,
    unless named) approved."""
    result = letters("build", "--root", str(project), "--jobs", "2")
    assert result.exit_code == 0, result.output
    approval = letters("approve", *(slugs or SLUGS), "--by", "Sam Reviewer", "--root", str(project))
    assert approval.exit_code == 0, approval.output
    return project


def send(project: Path, inbox: Inbox, *arguments: str):
    return letters(
        "send", "--smtp", inbox.address, "--retry-wait", "0.05", "--root", str(project), *arguments
    )


def ledger(project: Path) -> list[dict]:
    return [
        json.loads(line) for line in (project / "records" / "sent.jsonl").read_text().splitlines()
    ]


def attachment(message: EmailMessage) -> tuple[str, bytes]:
    part = next(message.iter_attachments())
    return part.get_filename(), part.get_content()


def test_every_approved_letter_arrives_once_as_built(project: Path, inbox: Inbox):
    approved(project)
    edit(
        project / "councils" / "leicester.yaml",
        "  email: chief.executive@leicester.example",
        "  email: chief.executive@leicester.example\n  cc: [monitoring.officer@leicester.example]",
    )
    letters("build", "--root", str(project))
    letters("approve", "leicester", "--root", str(project))
    started = time.time()
    result = send(project, inbox)
    assert (result.exit_code, last_line(result)) == (0, "5 sent, 0 already sent, 0 failed")
    assert len(inbox.received) == 5
    for slug in SLUGS:
        (message,) = inbox.to(f"chief.executive@{slug}.example")
        pdf = (project / "build" / "pdf" / f"{slug}.pdf").read_bytes()
        assert attachment(message)[1] == pdf  # byte for byte
    canterbury = inbox.to("chief.executive@canterbury.example")[0]
    assert str(canterbury["From"]) == (
        "Local Government and Social Care Ombudsman <annual.review@lgo.example>"
    )
    assert str(canterbury["To"]) == "Mr Carmichael <chief.executive@canterbury.example>"
    assert str(canterbury["Reply-To"]) == "link.officers@lgo.example"
    assert canterbury["Subject"] == SUBJECT
    assert attachment(canterbury)[0] == f"{SUBJECT}.pdf"
    assert abs(parsedate_to_datetime(canterbury["Date"]).timestamp() - started) < 60
    assert canterbury.get_body().get_content().splitlines()[0] == "Dear Mr Carmichael"
    leicester = inbox.to("chief.executive@leicester.example")[0]
    assert str(leicester["Cc"]) == "monitoring.officer@leicester.example"
    assert inbox.envelopes[[m["To"] for m in inbox.received].index(leicester["To"])] == [
        "chief.executive@leicester.example",
        "monitoring.officer@leicester.example",
    ]
    sent = [entry for entry in ledger(project) if entry["event"] == "sent"]
    assert {entry["message_id"] for entry in sent} == {m["Message-ID"] for m in inbox.received}
    assert all(entry["reply"] == "250 2.0.0 Ok: queued" for entry in sent)

    again = send(project, inbox)
    assert (again.exit_code, last_line(again)) == (0, "0 sent, 5 already sent, 0 failed")
    assert len(inbox.received) == 5


def test_an_address_that_is_not_one_is_named_with_its_line(project: Path):
    edit(
        project / "councils" / "canterbury.yaml",
        "  email: chief.executive@canterbury.example",
        "  email: Chief Executive <chief.executive@canterbury>",
    )
    result = letters("check", "--root", str(project))
    assert result.stderr == (
        "councils/canterbury.yaml:9: recipient.email: is not an email address (the part after "
        "the @-sign is not valid; it should have a period): write the address alone, like "
        "name@example.org\n"
    )


def test_a_dry_run_names_a_folder_in_the_way_of_its_message(project: Path):
    approved(project, "canterbury")
    (project / "build" / "email" / "canterbury.eml").mkdir(parents=True)
    result = letters("send", "--dry-run", "canterbury", "--root", str(project))
    assert result.exit_code == 1
    assert (
        "councils/canterbury.yaml: not sent: build/email/canterbury.eml: cannot be written "
        "(Is a directory): a folder is in the way: remove or rename it"
        in result.stderr.splitlines()
    )


def test_a_dry_run_writes_each_message_and_sends_nothing(project: Path):
    approved(project, "canterbury")
    result = letters("send", "--dry-run", "canterbury", "--root", str(project))
    assert (result.exit_code, last_line(result)) == (
        0,
        "1 written to build/email/ (dry run: nothing sent), 0 already sent, 0 failed",
    )
    message = message_from_bytes(
        (project / "build" / "email" / "canterbury.eml").read_bytes(), policy=default
    )
    assert message["Subject"] == SUBJECT
    assert attachment(message) == (
        f"{SUBJECT}.pdf",
        (project / "build" / "pdf" / "canterbury.pdf").read_bytes(),
    )
    assert (project / "records" / "sent.jsonl").read_text() == ""  # made by approve, empty


def test_only_good_letters_go_and_each_refusal_says_why(tmp_path: Path, inbox: Inbox):
    project = copy_project(tmp_path / "never-built")
    result = send(project, inbox, "canterbury")
    assert result.stderr == (
        "councils/canterbury.yaml: not sent: its letter has never been built: run letters build\n"
    )
    approved(project, "canterbury", "maidstone", "sevenoaks")
    edit(project / "councils" / "canterbury.yaml", "investigations: 10", "investigations: 11")
    sevenoaks = project / "councils" / "sevenoaks.yaml"
    edit(sevenoaks, "  email: chief.executive@sevenoaks.example", "  # no address yet")
    letters("build", "sevenoaks", "--root", str(project))
    assert letters("approve", "sevenoaks", "--root", str(project)).stderr == (
        "councils/sevenoaks.yaml: it has no address: add email: under recipient: in the "
        "council's file, then approve it\n"
    )
    edit(project / "councils" / "maidstone.yaml", "upheld: 7", "upheld: 6")
    letters("build", "maidstone", "--root", str(project))
    result = send(project, inbox)
    assert result.exit_code == 1
    assert result.stderr == (
        "councils/canterbury.yaml: not sent: its files have changed since its letter was built: "
        "run letters build\n"
        "councils/sevenoaks.yaml: not sent: it has no address: add email: under recipient: in "
        "the council's file\n"
        "councils/maidstone.yaml: not sent: its message has changed since it was approved (the "
        "PDF): look at it again, then letters approve maidstone\n"
    )
    assert result.stdout.splitlines()[-2:] == [
        "Not approved yet (letters approve SLUG when ready): cannock-chase, leicester",
        "0 sent, 0 already sent, 0 failed, 3 refused, 2 not approved yet",
    ]
    assert inbox.received == []


def test_a_letter_with_proofreading_defects_needs_approving_despite_them(
    project: Path, inbox: Inbox
):
    edit(
        project / "templates" / "letter.css",
        ".statistics { break-before: page; }",
        ".statistics { break-before: auto; }",
    )
    letters("build", "maidstone", "--root", str(project))
    result = letters("approve", "maidstone", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == (
        "councils/maidstone.yaml: its letter has proofreading defects (the statistics page does "
        "not start on a page of its own: it follows the letter's text on page 2): look at it, "
        "and approve it with --despite-notes only if it may go as it is\n"
    )
    assert send(project, inbox, "maidstone").exit_code == 1
    result = letters(
        "approve", "maidstone", "--despite-notes", "--by", "Sam", "--root", str(project)
    )
    assert result.exit_code == 0
    record = json.loads((project / "records" / "approvals.jsonl").read_text())
    assert (record["by"], record["despite_notes"]) == ("Sam", True)
    assert last_line(send(project, inbox, "maidstone")) == "1 sent, 0 already sent, 0 failed"


def test_refusals_and_dropped_connections_leave_councils_unsent(project: Path, inbox: Inbox):
    approved(project)
    inbox.answers = {
        "chief.executive@canterbury.example": ["451 4.7.1 Try again later", "250 OK"],
        "chief.executive@maidstone.example": ["451 4.3.0 Mailbox busy"],
        "chief.executive@leicester.example": ["550 5.1.1 No such mailbox here"],
        "chief.executive@sevenoaks.example": ["drop"],
    }
    result = send(project, inbox)
    assert result.exit_code == 1
    assert last_line(result) == "2 sent, 0 already sent, 2 failed, 1 may have been sent"
    assert result.stderr.splitlines() == [
        "councils/sevenoaks.yaml: may have been sent: the relay gave no clear answer after the "
        "message (Connection unexpectedly closed): check with the council or the relay, then "
        "send it with --resend sevenoaks only if it did not arrive",
        "councils/leicester.yaml: not sent: 550 5.1.1 No such mailbox here for "
        "chief.executive@leicester.example",
        "councils/maidstone.yaml: not sent: 451 4.3.0 Mailbox busy for "
        "chief.executive@maidstone.example",
    ]
    assert sorted(m["To"].addresses[0].addr_spec for m in inbox.received) == [
        "chief.executive@cannock-chase.example",
        "chief.executive@canterbury.example",  # accepted on its second try
    ]
    inbox.answers = {}
    result = send(project, inbox)
    assert last_line(result) == "2 sent, 2 already sent, 0 failed, 1 may have been sent"
    assert len(inbox.received) == 4  # sevenoaks's is with the relay, or lost: not sent again


def test_a_letter_rebuilt_after_sending_goes_again_only_when_asked(project: Path, inbox: Inbox):
    approved(project, "canterbury")
    send(project, inbox, "canterbury")
    edit(project / "councils" / "canterbury.yaml", "investigations: 10", "investigations: 11")
    letters("build", "canterbury", "--root", str(project))
    letters("approve", "canterbury", "--root", str(project))
    result = send(project, inbox, "canterbury")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "councils/canterbury.yaml: not sent: it was sent to chief.executive@canterbury.example "
        "at 20"
    ) and result.stderr.endswith(
        " with a PDF that has since been rebuilt differently: to send the new one as well, "
        "--resend canterbury\n"
    )
    assert last_line(send(project, inbox, "--resend", "canterbury")) == (  # it alone
        "1 sent, 0 already sent, 0 failed"
    )
    assert len(inbox.received) == 2


def test_the_overview_shows_approval_and_sending(project: Path, inbox: Inbox):
    approved(project, "canterbury", "maidstone")
    send(project, inbox, "canterbury")
    rows = {
        row["slug"]: row
        for row in csv.DictReader((project / "build" / "letters.csv").read_text().splitlines())
    }
    assert (rows["canterbury"]["approval"], rows["canterbury"]["approved_by"]) == (
        "used",  # by the copy sent
        "Sam Reviewer",
    )
    assert rows["canterbury"]["sending"] == "sent" and rows["canterbury"]["sent_at"]
    assert (rows["maidstone"]["approval"], rows["maidstone"]["sending"]) == (
        "approved",
        "never sent",
    )
    assert (rows["leicester"]["approval"], rows["leicester"]["sending"]) == (
        "pending",
        "never sent",
    )
    page = (project / "build" / "index.html").read_text()
    assert (
        "approved by Sam Reviewer at " in page
        and "<div>sent to chief.executive@canterbury.example at " in page
    )


def test_a_relay_off_this_machine_must_offer_starttls(project: Path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: only picks an interface
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("this machine has no address but loopback")
    handler = Inbox()
    controller = Controller(handler, hostname=address, port=free_port())
    controller.start()
    try:
        approved(project, "canterbury")
        result = letters("send", "--smtp", f"{address}:{controller.port}", "--root", str(project))
    finally:
        controller.stop()
    assert result.exit_code == 1
    assert result.stderr == (
        f"the relay {address}:{controller.port}: does not offer STARTTLS: letters are only sent "
        "encrypted; give the relay's submission port (often 587)\n"
    )
    assert handler.received == []


NAMED_COPIES = """  cc:
    - name: Jo Bloggs
      role: Link Officer
      email: link.officer@leicester.example
    - monitoring.officer@leicester.example
    - {name: Zoë Ørsted, role: Monitoring Officer, email: deputy.monitoring@leicester.example}
"""


def test_copies_named_as_the_letter_names_them(project: Path, inbox: Inbox):
    """A copy may be an address or a name, role and address: the Cc header carries the names
    (non-ASCII ones as encoded words), the approval covers them, and a bad copy is named."""
    council = project / "councils" / "leicester.yaml"
    edit(council, "\n\nstatistics:", "\n" + NAMED_COPIES + "\nstatistics:")
    approved(project, "leicester")
    edit(council, "role: Link Officer", "role: Complaints Link Officer")
    listing = letters("approve", "--list", "--root", str(project)).stdout.splitlines()
    assert "since changed (the copies' names)" in listing[2]
    edit(council, "role: Complaints Link Officer", "role: Link Officer")
    result = send(project, inbox)
    assert result.exit_code == 0, result.output
    (message,) = inbox.received
    copies = [(a.display_name, a.addr_spec) for a in message["Cc"].addresses]
    assert copies == [
        ("Jo Bloggs, Link Officer", "link.officer@leicester.example"),
        ("", "monitoring.officer@leicester.example"),
        ("Zoë Ørsted, Monitoring Officer", "deputy.monitoring@leicester.example"),
    ]
    assert inbox.envelopes[0] == [
        "chief.executive@leicester.example",
        "link.officer@leicester.example",
        "monitoring.officer@leicester.example",
        "deputy.monitoring@leicester.example",
    ]

    edit(council, "    - name: Jo Bloggs\n      role", "    - name: Jo Bloggs\n      rank")
    check = letters("check", "--root", str(project))
    line = council.read_text().splitlines().index("      rank: Link Officer") + 1
    assert f"councils/leicester.yaml:{line}: recipient.cc.0.rank: unknown field" in check.stderr


def test_an_approval_of_copies_without_names_keeps_its_digest():
    """Approvals recorded before copies had names hold: their digest is that of the same
    message without the new part."""
    parts = MessageParts(
        sender="a@lgo.example",
        sender_name="A",
        to="b@council.example",
        to_name="B",
        cc=["c@council.example"],
        reply_to=None,
        subject="S",
        attachment="S.pdf",
        body_sha256="0" * 64,
        pdf_sha256="1" * 64,
    )
    before = json.dumps(
        {k: v for k, v in parts.model_dump().items() if k != "cc_names"}, separators=(",", ":")
    )
    assert parts.digest() == hashlib.sha256(before.encode()).hexdigest()


def test_the_readmes_copy_line_lists_the_copies_in_the_letter(project: Path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("A copy with a name and role goes out", 1)[1]
    block = section.split("```jinja\n", 1)[1].split("\n```", 1)[0]
    edit(
        project / "templates" / "letter.html.j2",
        "{% if public_report %}",
        block + "\n{% if public_report %}",
    )
    edit(
        project / "councils" / "leicester.yaml",
        "\n\nstatistics:",
        "\n" + NAMED_COPIES + "\nstatistics:",
    )
    check = letters("check", "--root", str(project))
    assert (check.exit_code, check.output) == (0, "5 councils OK\n")
    built = letters("build", "leicester", "--html-only", "--root", str(project))
    assert built.exit_code == 0, built.output
    assert (
        "cc: Jo Bloggs, Link Officer; monitoring.officer@leicester.example; Zoë Ørsted, "
        "Monitoring Officer"
    ) in " ".join(html_text(project / "build" / "html" / "leicester.html").split())


@pytest.mark.parametrize(
    ("attachment", "plain"),
    [
        ("A – b.pdf", "A - b.pdf"),  # short: its header is not folded
        ("Letter.pdf", "Letter.pdf"),  # plain already: named once
        (
            "Annual Review letter {{ letter.year }} – {{ council.name }} – a name long enough to "
            "fold its header more than once.pdf",
            "Annual Review letter 2020 - Canterbury City Council - a name long enough to fold its "
            "header more than once.pdf",
        ),
    ],
)
def test_any_attachment_name_is_named_plainly_too(project: Path, attachment: str, plain: str):
    template = project / "templates" / "email.txt.j2"
    line = next(
        line for line in template.read_text().splitlines() if line.startswith("Attachment: ")
    )
    edit(template, line, f"Attachment: {attachment}")
    approved(project, "canterbury")
    dry = letters("send", "--dry-run", "--root", str(project))
    assert dry.exit_code == 0, dry.output
    raw = (project / "build" / "email" / "canterbury.eml").read_bytes()
    disposition = re.search(rb"Content-Disposition: attachment;[^\r\n]*(\r\n [^\r\n]*)*", raw)[0]
    assert disposition.count(b' filename="') == 1
    assert disposition.endswith(f'filename="{plain}"'.encode())


def test_the_pdf_is_named_plainly_beside_its_encoded_name(project: Path):
    """Mail programs that read only a plain filename= get one in ASCII; those that read RFC 2231
    get the name as written (its dash), which comes first."""
    approved(project, "canterbury")
    dry = letters("send", "--dry-run", "--root", str(project))
    assert dry.exit_code == 0, dry.output
    raw = (project / "build" / "email" / "canterbury.eml").read_bytes()
    disposition = re.search(rb"Content-Disposition: attachment;(\r\n [^\r\n]*)+", raw)[0]
    assert b"filename*" in disposition
    assert disposition.endswith(
        b';\r\n filename="Annual Review letter 2020 - Canterbury City Council.pdf"'
    )
    message = message_from_bytes(raw, policy=default)
    assert attachment(message)[0] == f"{SUBJECT}.pdf"
