"""Sending exactly once, exactly as approved: headers that data cannot forge, one sender at a
time, an approval of the whole message, unsure replies, lasting records, stopping, each council
on its own. Races and kills at deterministic points: a relay that waits to be released, and a
hook that kills the sender at its k-th record."""

import asyncio
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import default
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import SLUGS, edit, last_line, letters
from test_send import Inbox, attachment, serving

LEDGER = Path("records") / "sent.jsonl"


@pytest.fixture
def project(built_project: Path) -> Path:
    """Every test here sends from its own copy of the five letters built once."""
    return built_project


class Gate(Inbox):
    """An inbox that can hold a message in DATA until the test releases it, and answer with
    what the test says once it has the whole message."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()  # a message is whole at the server, not yet answered
        self.refused = threading.Event()  # a recipient was refused (by `answers`)
        self.release = threading.Event()
        self.hold = False
        self.drop = False  # close the line once the message is whole, without an answer
        self.reply = "250 2.0.0 Ok: queued"
        self.rcpts: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        self.rcpts.append(address)
        answer = await super().handle_RCPT(server, session, envelope, address, options)
        if not answer.startswith("250"):
            self.refused.set()
        return answer

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.original_content, policy=default))
        self.envelopes.append(list(envelope.rcpt_tos))
        self.entered.set()
        if self.hold:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        if self.drop:
            server.transport.close()
        return self.reply


@pytest.fixture
def gate():
    with serving(Gate()) as handler:
        yield handler
        handler.release.set()


def approve(project: Path, *slugs: str):
    result = letters("approve", *slugs, "--by", "Sam", "--root", str(project))
    assert result.exit_code == 0, result.output
    return result


def sender(project: Path, gate: Inbox, *arguments: str, **environment: str) -> subprocess.Popen:
    """`letters send` in a process of its own."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "letters",
            "send",
            "--smtp",
            gate.address,  # type: ignore[attr-defined]
            "--retry-wait",
            "0.05",
            "--root",
            str(project),
            *arguments,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **environment},
    )


def send(project: Path, gate: Inbox, *arguments: str):
    return letters(
        "send", "--smtp", gate.address, "--retry-wait", "0.05", "--root", str(project), *arguments
    )


def ledger(project: Path) -> list[dict]:
    return [json.loads(line) for line in (project / LEDGER).read_text().splitlines()]


# Headers from data ------------------------------------------------------------------------


ENCODED = "=?utf-8?q?x=0D=0ABcc:_evil@attacker.example?="


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("name: Canterbury City Council", f"name: Canterbury {ENCODED}", 2, "name"),
        ("  name: Carmichael", f"  name: Carmichael {ENCODED}", 7, "recipient.name"),
        ("  title: Mr", "  title: =?utf-8?q?Dr?=", 6, "recipient.title"),
    ],
)
def test_an_encoded_word_in_data_is_refused_at_check(project: Path, old, new, line, field):
    edit(project / "councils" / "canterbury.yaml", old, new)
    result = letters("check", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"councils/canterbury.yaml:{line}: {field}: contains '=?' and later '?=', which mail "
        f"programs read as encoded text, not as written: write it without them"
    )


def test_an_encoded_word_in_the_sender_or_a_spreadsheet_is_refused(project: Path):
    year = project / "year.yaml"
    edit(year, "    name: Local Government", "    name: =?utf-8?q?Bcc:_x?= Local Government")
    result = letters("check", "--root", str(project))
    assert "year.yaml:46: email.sender.name: contains '=?' and later '?='" in result.stderr
    edit(year, "    name: =?utf-8?q?Bcc:_x?= Local Government", "    name: Local Government")
    sheet = project / "figures.csv"
    sheet.write_text(
        "council,authority_type,investigations,upheld,compliance_outcomes,implemented,"
        "satisfactory_remedies\n"
        f'"Newtown {ENCODED}",District Councils,1,0,0,0,0\n'
    )
    result = letters("import", str(sheet), "--root", str(project))
    assert result.exit_code == 1
    assert "contains '=?' and later '?='" in result.stderr
    assert not list((project / "councils").glob("newtown*"))


def rfc2047(value: str) -> str:
    return str(make_header(decode_header(value.replace("\r\n", ""))))


header_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=300
) | st.sampled_from([ENCODED, "=?utf-8?b?QmNjOiB4QHguZXhhbXBsZQ==?=", "a\r\nBcc: x@x.example"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=header_text, title=header_text, sender=header_text, council=header_text)
def test_any_text_reaches_the_headers_as_written_or_is_refused(name, title, sender, council):
    """Whatever text reaches a header: refused at check, or read back as exactly that text,
    with exactly the headers intended, every line within SMTP's 998 characters."""
    from pydantic import ValidationError

    from letters.data.validate import Council, EmailSettings
    from letters.send.compose import Wording, as_bytes, draft, file_name

    try:
        model = Council.model_validate(
            {
                "name": council if council[:1].isalnum() else f"A{council}",
                "authority_type": "District Councils",
                "recipient": {
                    "title": title,
                    "name": name,
                    "job_title": "Chief Executive",
                    "email": "ceo@council.example",
                    "cc": ["CEO@council.example", "deputy@council.example"],
                },
                "statistics": dict.fromkeys(
                    ("investigations", "upheld", "compliance_outcomes", "implemented"), 0
                )
                | {"satisfactory_remedies": 0},
            }
        )
        settings_ = EmailSettings.model_validate(
            {"sender": {"address": "review@lgo.example", "name": sender}}
        )
    except ValidationError:
        return  # refused at check, with its field
    subject = f"Annual Review letter 2020 – {model.name}"
    message = draft(
        model, settings_, Wording(subject, file_name(f"{subject}.pdf"), "Dear\n"), b"%PDF-"
    )
    data = as_bytes(message, datetime.now(UTC), "<1@lgo.example>", "councils/x.yaml")
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    parsed = message_from_bytes(data, policy=default)
    assert sorted(parsed.keys()) == sorted(
        ["From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
    )
    raw = dict(message_from_bytes(head.encode() + b"\r\n\r\n").items())
    assert rfc2047(raw["Subject"]) == subject
    to_name = rfc2047(raw["To"].rsplit("<", 1)[0].strip()).strip('"').replace('\\"', '"')
    assert to_name.replace("\\\\", "\\") == f"{model.recipient.title} {model.recipient.name}"
    assert [a.addr_spec for a in parsed["To"].addresses] == ["ceo@council.example"]
    assert [a.addr_spec for a in parsed["Cc"].addresses] == ["deputy@council.example"]
    assert next(parsed.iter_attachments()).get_filename() == file_name(f"{subject}.pdf")


def test_the_same_address_in_to_and_cc_goes_once(project: Path, gate: Gate):
    edit(
        project / "councils" / "leicester.yaml",
        "  email: chief.executive@leicester.example",
        "  email: chief.executive@leicester.example\n"
        "  cc: [Chief.Executive@leicester.example, deputy@leicester.example, "
        "deputy@leicester.example]",
    )
    letters("build", "leicester", "--root", str(project))
    approve(project, "leicester")
    assert last_line(send(project, gate, "leicester")) == "1 sent, 0 already sent, 0 failed"
    assert gate.envelopes == [["chief.executive@leicester.example", "deputy@leicester.example"]]
    assert str(gate.received[0]["Cc"]) == "deputy@leicester.example"


def test_an_international_domain_goes_in_ascii_and_a_local_part_is_refused(
    project: Path, gate: Gate
):
    council = project / "councils" / "canterbury.yaml"
    edit(council, "chief.executive@canterbury.example", "chief.executive@bücher.example")
    letters("build", "canterbury", "--root", str(project))
    approve(project, "canterbury")
    assert last_line(send(project, gate, "canterbury")) == "1 sent, 0 already sent, 0 failed"
    assert gate.envelopes == [["chief.executive@xn--bcher-kva.example"]]
    edit(council, "chief.executive@bücher.example", "jörg@canterbury.example")
    result = letters("check", "--root", str(project))
    assert result.stderr == (
        "councils/canterbury.yaml:9: recipient.email: has letters outside ASCII before the @ "
        "('ö'), which most relays cannot deliver to: ask the council for another address\n"
    )


# One sender at a time ---------------------------------------------------------------------


def test_a_second_send_and_a_build_are_refused_while_one_sends(project: Path, gate: Gate):
    approve(project, *SLUGS)
    gate.hold = True
    first = sender(project, gate)
    assert gate.entered.wait(60)  # the first is in the middle of its first message
    second = send(project, gate)
    assert second.exit_code == 1
    assert second.stderr.startswith(
        "letters send: letters send is already running here, started by "
    )
    assert second.stderr.endswith(": nothing was sent; run it again when that one has finished\n")
    build = letters("build", "--force", "--root", str(project))
    assert build.exit_code == 1
    assert "build when it has finished, so that no letter changes while it is being sent" in (
        build.stderr
    )
    gate.release.set()
    _out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert sorted(m["To"].addresses[0].addr_spec for m in gate.received) == sorted(
        f"chief.executive@{slug}.example" for slug in SLUGS
    )


# What was approved is what goes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "changed"),
    [
        (
            "councils/canterbury.yaml",
            "  email: chief.executive@canterbury.example",
            "  email: someone.else@canterbury.example",
            "the recipient's address",
        ),
        (
            "councils/canterbury.yaml",
            "  email: chief.executive@canterbury.example",
            "  email: chief.executive@canterbury.example\n  cc: [press@canterbury.example]",
            "the copies (cc)",
        ),
        (
            "templates/email.txt.j2",
            "Please find attached",
            "Please find enclosed",
            "the message's wording",
        ),
        ("year.yaml", "  reply_to: link.officers@lgo.example", "", "the reply-to address"),
    ],
)
def test_any_change_to_the_message_after_approval_is_refused(
    project: Path, gate: Gate, file, old, new, changed
):
    approve(project, "canterbury")
    edit(project / file, old, new)
    letters("build", "canterbury", "--root", str(project))
    result = send(project, gate, "canterbury")
    assert result.exit_code == 1
    assert result.stderr == (
        f"councils/canterbury.yaml: not sent: its message has changed since it was approved "
        f"({changed}): look at it again, then letters approve canterbury\n"
    )
    assert gate.received == []
    approve(project, "canterbury")
    assert last_line(send(project, gate, "canterbury")) == "1 sent, 0 already sent, 0 failed"


def test_a_pdf_changed_while_sending_is_not_sent(project: Path, gate: Gate):
    approve(project, "canterbury", "leicester")
    approved_pdf = (project / "build" / "pdf" / "canterbury.pdf").read_bytes()
    gate.hold = True
    process = sender(project, gate, "canterbury", "leicester")
    assert gate.entered.wait(60)  # canterbury is being sent; leicester comes next
    pdf = project / "build" / "pdf" / "leicester.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% changed\n")
    gate.release.set()
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert err == (
        "councils/leicester.yaml: not sent: its message has changed since it was approved (the "
        "PDF): look at it again, then letters approve leicester\n"
    )
    assert len(gate.received) == 1
    assert attachment(gate.received[0])[1] == approved_pdf
    sent = [entry for entry in ledger(project) if entry["event"] == "sent"]
    assert [entry["slug"] for entry in sent] == ["canterbury"]
    assert sent[0]["pdf_sha256"] == hashlib.sha256(approved_pdf).hexdigest()


# Unsure is unsure -------------------------------------------------------------------------


def test_a_reply_slower_than_the_timeout_is_unsure_and_never_sent_again(project: Path, gate: Gate):
    approve(project, "canterbury")
    gate.hold = True
    process = sender(project, gate, "canterbury", "--timeout", "1")
    out, err = process.communicate(timeout=120)  # the relay answers only after it gives up
    gate.release.set()
    assert process.returncode == 1
    assert err == (
        "councils/canterbury.yaml: may have been sent: the relay gave no clear answer after the "
        "message (no answer in time): check with the council or the relay, then send it with "
        "--resend canterbury only if it did not arrive\n"
    )
    assert out.splitlines()[-1] == "0 sent, 0 already sent, 0 failed, 1 may have been sent"
    gate.hold = False
    again = send(project, gate, "canterbury")
    assert last_line(again) == "0 sent, 0 already sent, 0 failed, 1 may have been sent"
    assert len(gate.received) == 1


def test_a_reply_line_too_long_to_read_is_unsure(project: Path, gate: Gate):
    approve(project, "canterbury")
    gate.reply = "250 " + "x" * 10_000
    result = send(project, gate, "canterbury")
    assert result.stderr == (
        "councils/canterbury.yaml: may have been sent: the relay gave no clear answer after the "
        "message (500 Line too long.): check with the council or the relay, then send it with "
        "--resend canterbury only if it did not arrive\n"
    )
    assert [entry["event"] for entry in ledger(project)] == ["sending", "unsure"]


def test_a_resend_says_it_replaces_the_earlier_letter(project: Path, gate: Gate):
    approve(project, "canterbury")
    gate.reply = "451 4.3.0 maybe"  # after the dot: a clear refusal, so not sent
    assert "1 failed" in last_line(send(project, gate, "canterbury"))
    gate.reply = "250 Ok"
    send(project, gate, "canterbury")
    first_day = datetime.now().astimezone().strftime("%-d %B %Y")
    result = send(project, gate, "--resend", "canterbury")
    assert result.stderr.startswith("councils/canterbury.yaml: not sent: its approval of 20")
    assert result.stderr.endswith(
        ": a further copy needs approving of its own: look at it, then letters approve canterbury\n"
    )
    approve(project, "canterbury")
    assert last_line(send(project, gate, "--resend", "canterbury")).startswith("1 sent")
    body = gate.received[-1].get_body().get_content()
    assert f"This letter replaces the one we sent on {first_day}." in body
    assert "replaces" not in gate.received[-2].get_body().get_content()


# Records that last ------------------------------------------------------------------------


def test_records_outlive_cleaning_and_a_renamed_file(project: Path, gate: Gate):
    approve(project, "canterbury")
    send(project, gate, "canterbury")
    shutil.rmtree(project / "build")  # make clean
    (project / "councils" / "canterbury.yaml").rename(project / "councils" / "canterbury-city.yaml")
    letters("build", "--root", str(project))
    approve(project, "canterbury-city")
    result = send(project, gate, "canterbury-city")
    assert last_line(result) == "0 sent, 1 already sent, 0 failed"
    assert len(gate.received) == 1


def test_a_recipient_changed_after_sending_needs_resend(project: Path, gate: Gate):
    approve(project, "canterbury")
    send(project, gate, "canterbury")
    edit(
        project / "councils" / "canterbury.yaml",
        "chief.executive@canterbury.example",
        "new.chief@canterbury.example",
    )
    letters("build", "canterbury", "--root", str(project))
    approve(project, "canterbury")
    result = send(project, gate, "canterbury")
    assert "and its recipient is now new.chief@canterbury.example: to send it to the new " in (
        result.stderr
    )
    assert result.stderr.endswith("address as well, --resend canterbury\n")
    assert len(gate.received) == 1


@pytest.mark.parametrize(
    ("damage", "line", "says"),
    [
        (lambda text: text + b'{"slug": "canterb', 2, "is not a whole record"),
        (lambda text: text.replace(b"canterbury", b"canterb\xffury", 1), 1, "is not UTF-8 text"),
        (
            lambda text: json.dumps(json.loads(text.splitlines()[0]), indent=2).encode(),
            1,
            "is not a whole record",
        ),
        (lambda text: b"[" + text.strip() + b"]\n", 1, "is not a record the tool wrote"),
    ],
)
def test_a_ledger_line_that_cannot_be_read_stops_sending_with_its_line(
    project: Path, gate: Gate, damage, line, says
):
    approve(project, "canterbury")
    path = project / "records" / "approvals.jsonl"
    path.write_bytes(damage(path.read_bytes()))
    result = send(project, gate)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"records/approvals.jsonl:{line}: {says}")
    assert "nothing is sent until it is mended" in result.stderr
    assert gate.received == []
    build = letters("build", "--force", "--root", str(project))  # the letters still build
    assert build.exit_code == 1 and "5 built" in build.stdout
    assert f"records/approvals.jsonl:{line}: {says}" in build.stderr


def test_a_missing_ledger_with_approvals_stops_sending(project: Path, gate: Gate):
    approve(project, "canterbury")
    (project / "records" / "sent.jsonl").unlink()
    result = send(project, gate)
    assert result.stderr == (
        "records/sent.jsonl: is missing, but records/approvals.jsonl has approvals, so letters "
        "may have been sent: put it back from a backup (if nothing was ever sent, create it "
        "empty: touch records/sent.jsonl)\n"
    )
    assert gate.received == []


def test_an_append_after_a_cut_line_starts_its_own_line(tmp_path: Path):
    from letters.send.records import SendRecord, append_record, read_records

    path = tmp_path / "sent.jsonl"
    path.write_bytes(b'{"slug": "cut')
    record = SendRecord(
        slug="x", council="X", event="sent", at="now", to="a@b.example", cc=[], digest="d",
        pdf_sha256="p", message_id="<m>",
    )  # fmt: skip
    append_record(path, record)
    assert path.read_bytes().splitlines()[1] == record.model_dump_json().encode()
    with pytest.raises(Exception, match="is not a whole record"):
        read_records(path, "records/sent.jsonl", SendRecord)


# Stop means stop --------------------------------------------------------------------------


def test_ctrl_c_during_a_pause_stops_at_once(project: Path, gate: Gate):
    approve(project, "canterbury", "leicester")
    process = sender(project, gate, "canterbury", "leicester", "--per-minute", "0.5")
    assert gate.entered.wait(60)
    # From the moment the relay has the first message, a stop lets it finish and be recorded,
    # then ends the 120 s pause before the next at once.
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert out.splitlines()[-1] == "1 sent, 0 already sent, 0 failed, 1 not sent (stopped)"
    assert err.endswith("letters: stopped; not sent: leicester\n")
    assert len(gate.received) == 1


def test_sigterm_during_a_retry_wait_stops_at_once(project: Path, gate: Gate):
    approve(project, "canterbury", "leicester")
    gate.answers = {"chief.executive@canterbury.example": ["451 4.7.1 later"]}
    process = subprocess.Popen(
        [sys.executable, "-m", "letters", "send", "--smtp", gate.address, "--retry-wait", "600",
         "--root", str(project), "canterbury", "leicester"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert gate.refused.wait(60)  # refused once: the sender now waits 600 s to try again
    process.send_signal(signal.SIGTERM)
    out, _err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert out.splitlines()[-1] == "0 sent, 0 already sent, 1 failed, 1 not sent (stopped)"
    assert gate.received == []


def test_ctrl_c_during_data_finishes_and_records_that_message(project: Path, gate: Gate):
    approve(project, "canterbury", "leicester")
    gate.hold = True
    process = sender(project, gate, "canterbury", "leicester")
    assert gate.entered.wait(60)
    process.send_signal(signal.SIGINT)
    gate.release.set()
    out, _err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert out.splitlines()[-1] == "1 sent, 0 already sent, 0 failed, 1 not sent (stopped)"
    assert [e["event"] for e in ledger(project)] == ["sending", "sent"]


# Kills at each record boundary ------------------------------------------------------------


@pytest.mark.parametrize("k", range(1, 7))
def test_a_send_killed_before_any_record_sends_each_letter_at_most_once(
    project: Path, gate: Gate, k: int
):
    three = ("canterbury", "leicester", "maidstone")
    approve(project, *three)
    killed = sender(project, gate, *three, LETTERS_TEST_KILL_BEFORE_RECORD=str(k))
    killed.communicate(timeout=120)  # closes its pipes too
    assert killed.returncode == -signal.SIGKILL
    final = sender(project, gate, *three)
    _out, err = final.communicate(timeout=120)
    unsure = {line.split(".yaml: ")[0].removeprefix("councils/") for line in err.splitlines()
              if ": may have been sent" in line}  # fmt: skip
    received = {slug: len(gate.to(f"chief.executive@{slug}.example")) for slug in three}
    # record k is council (k+1)//2's: `sending` (odd k, before the relay has it) or `sent`
    # (even k, after the relay said yes, before it was written down)
    council = three[(k - 1) // 2]
    assert unsure == ({council} if k % 2 == 0 else set()), err
    for slug in three:
        assert received[slug] == 1, (slug, received, err)
    assert "Traceback" not in err


def test_a_cut_record_stops_the_next_send_with_its_line(project: Path, gate: Gate):
    approve(project, "canterbury", "leicester")
    cut = sender(project, gate, "canterbury", "leicester", LETTERS_TEST_CUT_RECORD="2")
    cut.communicate(timeout=120)
    result = send(project, gate)
    assert result.stderr.startswith("records/sent.jsonl:2: is not a whole record")
    assert len(gate.received) == 1  # canterbury's, before its `sent` line was cut


# Smaller ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [("--retry-wait", "nan"), ("--retry-wait", "inf"), ("--per-minute", "nan"),
     ("--per-minute", "0"), ("--timeout", "-1")],
)  # fmt: skip
def test_bad_option_values_are_refused_before_anything_is_sent(project: Path, option, value):
    result = letters("send", "--smtp", "127.0.0.1:1", option, value, "--root", str(project))
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': '{value}' is not a number" in result.stderr


def test_approve_all_and_the_list(project: Path, gate: Gate):
    with (project / "councils" / "maidstone.yaml").open("a") as council:
        council.write(f"training_courses:\n  - {'Complaint' * 40}\n")  # runs off the page
    letters("build", "maidstone", "--root", str(project))
    result = letters("approve", "--all", "--by", "Sam", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr.startswith("councils/maidstone.yaml: its letter has proofreading defects")
    assert result.stderr.endswith(
        "look at it, and letters approve maidstone with --despite-notes only if it may go as "
        "it is\n"
    )
    assert last_line(result) == "4 approved, 1 not approved"
    again = letters("approve", "--all", "--by", "Sam", "--root", str(project))
    assert last_line(again) == "0 approved, 4 already approved, 1 not approved"
    send(project, gate, "canterbury")
    listing = letters("approve", "--list", "--root", str(project)).stdout.splitlines()
    assert listing[0].startswith("cannock-chase: approved by Sam at ")
    assert listing[0].endswith("; not sent")
    assert " sent to chief.executive@canterbury.example at " in listing[1]
    assert listing[3] == "maidstone: pending; not sent"


def test_a_relay_without_auth_and_a_password_outside_ascii_are_named(project: Path, gate: Gate):
    from aiosmtpd.smtp import AuthResult

    approve(project, "canterbury")
    env = {"LETTERS_SMTP_USER": "sam", "LETTERS_SMTP_PASSWORD": "pässword"}
    process = sender(project, gate, "canterbury", **env)
    _, err = process.communicate(timeout=60)
    assert err == (
        f"the relay {gate.address}: offers no login (AUTH), but LETTERS_SMTP_USER is set: "
        "unset it if the relay needs no login, or give the relay's submission port (often 587)\n"
    )
    handler = Gate()
    accept_any_login = AuthResult(success=True)
    with serving(handler, auth_require_tls=False, authenticator=lambda *_: accept_any_login):
        _out, err = sender(project, handler, "canterbury", **env).communicate(timeout=60)
    assert err == (
        f"the relay {handler.address}: cannot take the login in LETTERS_SMTP_USER and "
        "LETTERS_SMTP_PASSWORD: they may hold only ASCII characters\n"
    )
    assert "ä" not in err and handler.received == []


def test_421_at_the_greeting_is_retried(project: Path, gate: Gate):
    """A relay that is busy (421 at the greeting) is tried again, and then takes the message."""
    approve(project, "canterbury")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    target = int(gate.address.rsplit(":", 1)[1])

    def once_busy_then_forward():
        connection, _ = busy.accept()
        connection.sendall(b"421 4.3.2 Too busy, try later\r\n")
        connection.close()
        connection, _ = busy.accept()
        upstream = socket.create_connection(("127.0.0.1", target))
        for a, b in ((connection, upstream), (upstream, connection)):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    threading.Thread(target=once_busy_then_forward, daemon=True).start()
    result = letters("send", "--smtp", f"127.0.0.1:{port}", "--retry-wait", "0.05",
                     "--root", str(project), "canterbury")  # fmt: skip
    busy.close()
    assert last_line(result) == "1 sent, 0 already sent, 0 failed", result.output
    assert len(gate.received) == 1


def pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        sink.close()


def test_a_ledger_that_cannot_be_written_stops_before_the_message_goes(project: Path, gate: Gate):
    """A full disk (a file-size limit here) when the `sending` line is due: nothing goes, the
    ledger keeps no cut line, and the run stops rather than send unrecorded."""
    import resource

    approve(project, "canterbury", "leicester")

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))  # the lock's line, not a record

    process = subprocess.Popen(
        [sys.executable, "-m", "letters", "send", "--smtp", gate.address, "--root",
         str(project)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=small_files,
    )  # fmt: skip
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert err == f"{project / LEDGER}: No space left on device\n"
    assert "Traceback" not in err
    assert gate.received == []
    assert (project / LEDGER).read_bytes() == b""


def test_a_hand_edited_manifest_or_a_replaced_pdf_is_not_approved(project: Path):
    council = project / "councils" / "maidstone.yaml"
    with council.open("a") as file:
        file.write(f"training_courses:\n  - {'Complaint' * 40}\n")  # runs off the page
    letters("build", "maidstone", "--root", str(project))
    manifest_path = project / "build" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["councils"]["maidstone"]["proofreading"] = []  # "no defects", by hand
    manifest_path.write_text(json.dumps(manifest))
    result = letters("approve", "maidstone", "--root", str(project))
    assert result.stderr == (
        "councils/maidstone.yaml: its PDF is not the one its last build proofread "
        "(build/manifest.json was edited, or the PDF replaced by hand): run letters build "
        "--force maidstone\n"
    )
    rebuilt = letters("build", "--root", str(project))  # the edited entry is not trusted
    assert "1 built, 4 unchanged" in last_line(rebuilt)
    assert "proofreading defects" in letters("approve", "maidstone", "--root", str(project)).stderr
    pdf = project / "build" / "pdf" / "canterbury.pdf"
    pdf.write_bytes((project / "build" / "pdf" / "leicester.pdf").read_bytes())
    result = letters("approve", "canterbury", "--root", str(project))
    assert result.stderr.startswith("councils/canterbury.yaml: its PDF is not the one its last")


def test_approve_by_someone_the_system_cannot_name_asks_for_by(project: Path, monkeypatch):
    """A uid with no passwd entry and no LOGNAME or USER (a container's): approve asks for --by."""
    import pwd

    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    unnamed = next(
        uid for uid in range(54321, 60000) if uid not in {e.pw_uid for e in pwd.getpwall()}
    )
    monkeypatch.setattr(os, "getuid", lambda: unnamed)  # what the process says it runs as
    result = letters("approve", "canterbury", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == (
        "letters approve: cannot tell who you are: say who approves with --by NAME\n"
    )
    assert letters("approve", "canterbury", "--by", "Sam", "--root", str(project)).exit_code == 0
