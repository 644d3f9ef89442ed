"""A council's sending derived from its whole record: the sequences that once sent a letter twice,
approvals that follow the state, exit status and words that mean what happened, records that
know whose they are, and a removed council's outputs. Against a real SMTP server (aiosmtpd)."""

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from helpers import SLUGS, edit, last_line, letters
from test_sending_exactly_once import LEDGER, Gate, approve, ledger, send
from test_sending_exactly_once import gate as gate  # the fixture, for these tests too
from test_sending_exactly_once import project as project

REPLACES = "This letter replaces the one we sent on {day}."


def listing(project: Path) -> dict[str, str]:
    """`letters approve --list`, by council."""
    result = letters("approve", "--list", "--root", str(project))
    assert result.exit_code == 0, result.output
    return dict(line.split(": ", 1) for line in result.stdout.splitlines())


def today() -> str:
    return datetime.now().astimezone().strftime("%-d %B %Y")


def dated_back(project: Path, day: str) -> None:
    """Every line the ledger has so far, as if written on `day` (2026-07-01): the first copy's
    date is then told apart from today's."""
    path = project / LEDGER
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        line["at"] = f"{day}{line['at'][10:]}"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def body(message) -> str:
    return message.get_body().get_content()


# A failed attempt never lowers what is known ----------------------------------------------


def test_a_failed_resend_after_a_delivered_letter_never_lets_a_plain_send_go(
    project: Path, gate: Gate
):
    approve(project, "canterbury")
    assert last_line(send(project, gate, "canterbury")) == "1 sent, 0 already sent, 0 failed"
    dated_back(project, "2026-07-01")
    approve(project, "canterbury")
    gate.reply = "554 5.7.1 Message refused"
    refused = send(project, gate, "--resend", "canterbury")
    assert (refused.exit_code, last_line(refused)) == (1, "0 sent, 0 already sent, 1 failed")
    assert refused.stderr == "councils/canterbury.yaml: not sent: 554 5.7.1 Message refused\n"
    approve(project, "canterbury")
    gate.reply = "250 2.0.0 Ok: queued"
    plain = send(project, gate)
    assert plain.exit_code == 0, plain.output
    assert last_line(plain) == "0 sent, 1 already sent, 0 failed, 4 not approved yet"
    assert len(gate.received) == 2  # the first copy, and the refused one the relay saw
    said = listing(project)["canterbury"]
    first_copy = ledger(project)[0]["at"]  # 2026-07-01T..., as dated back
    assert said.startswith("approved by Sam at ")
    assert said.endswith(
        f" to replace the letter sent on 1 July 2026: it goes only with letters send --resend "
        f"canterbury; sent to chief.executive@canterbury.example at {first_copy}; a later copy "
        f"was not sent: 554 5.7.1 Message refused; approved again because the same letter, by "
        f"name"
    )
    again = send(project, gate, "--resend", "canterbury")
    assert last_line(again) == "1 sent, 0 already sent, 0 failed"
    assert REPLACES.format(day="1 July 2026") in body(gate.received[-1])


def test_every_later_copy_replaces_the_first_letter_whatever_failed_between(
    project: Path, gate: Gate
):
    approve(project, "leicester")
    send(project, gate, "leicester")
    dated_back(project, "2026-07-01")
    approve(project, "leicester")
    assert last_line(send(project, gate, "--resend", "leicester")).startswith("1 sent")
    approve(project, "leicester")
    gate.reply = "550 5.1.1 No such mailbox"
    send(project, gate, "--resend", "leicester")
    gate.reply = "250 2.0.0 Ok: queued"
    plain = send(project, gate, "leicester")
    assert (plain.exit_code, last_line(plain)) == (0, "0 sent, 1 already sent, 0 failed")
    assert last_line(send(project, gate, "--resend", "leicester")).startswith("1 sent")
    bodies = [body(message) for message in gate.received]
    assert len(bodies) == 4  # first, second, refused, fourth
    assert "replaces" not in bodies[0]
    for later in bodies[1:]:
        assert REPLACES.format(day="1 July 2026") in later


def test_an_approval_goes_with_one_copy(project: Path, gate: Gate):
    approve(project, "canterbury")
    send(project, gate, "canterbury")
    approve(project, "canterbury")
    assert last_line(send(project, gate, "--resend", "canterbury")).startswith("1 sent")
    result = send(project, gate, "--resend", "canterbury")
    assert result.exit_code == 1
    second_copy = ledger(project)[2]["at"]  # sending, sent, sending, sent
    approvals = (project / "records" / "approvals.jsonl").read_text().splitlines()
    approved_at = json.loads(approvals[-1])["at"]
    assert result.stderr == (
        f"councils/canterbury.yaml: not sent: its approval of {approved_at} went with the copy "
        f"of {second_copy}: a further copy needs approving of its own: look at it, then letters "
        f"approve canterbury\n"
    )
    assert len(gate.received) == 2


def test_a_copy_that_may_have_gone_is_never_sent_again_by_a_plain_send(project: Path, gate: Gate):
    approve(project, "sevenoaks")
    send(project, gate, "sevenoaks")
    approve(project, "sevenoaks")
    gate.drop = True  # the line drops after the final dot: the relay may have it
    unsure = send(project, gate, "--resend", "sevenoaks")
    assert last_line(unsure) == "0 sent, 0 already sent, 0 failed, 1 may have been sent"
    gate.drop = False
    approve(project, "sevenoaks")
    for plain in (send(project, gate), send(project, gate, "sevenoaks")):
        assert plain.exit_code == 1
        assert plain.stderr.startswith(
            "councils/sevenoaks.yaml: may have been sent to chief.executive@sevenoaks.example at "
        )
        assert plain.stderr.endswith(
            ": check with the council or the relay, then send it with --resend sevenoaks only "
            "if it did not arrive\n"
        )
    assert len(gate.received) == 2  # the first copy, and the one that may have arrived
    assert last_line(send(project, gate, "--resend", "sevenoaks")).startswith("1 sent")
    assert (
        listing(project)["sevenoaks"]
        .split("; ")[1]
        .startswith("sent to chief.executive@sevenoaks.example at ")
    )


# Approvals follow the state ---------------------------------------------------------------


def test_approve_all_leaves_letters_sent_as_they_are_alone(project: Path, gate: Gate):
    approve(project, *SLUGS)
    send(project, gate)
    again = letters("approve", "--all", "--by", "Sam", "--root", str(project))
    assert (again.exit_code, again.stdout.splitlines()) == (
        0,
        [
            "Already sent as they are, so not approved again (name one to send it again): "
            "cannock-chase, canterbury, leicester, maidstone, sevenoaks",
            "0 approved, 5 already sent, 0 not approved",
        ],
    )
    edit(project / "councils" / "leicester.yaml", "upheld: 29", "upheld: 28")
    letters("build", "leicester", "--root", str(project))
    said = listing(project)["leicester"]
    assert said.endswith(
        "; its letter has changed since it was sent: if it should go again, approve it, then "
        "letters send --resend leicester"
    )
    changed = letters("approve", "--all", "--by", "Sam", "--root", str(project))
    assert changed.stdout.splitlines() == [
        "leicester: approved to go again, as the replacement of the letter sent before: it goes "
        "only with letters send --resend leicester",
        "Already sent as they are, so not approved again (name one to send it again): "
        "cannock-chase, canterbury, maidstone, sevenoaks",
        "1 approved, 4 already sent, 0 not approved",
    ]
    said = listing(project)["leicester"]
    assert f"to replace the letter sent on {today()}: it goes only with letters send --resend " in (
        said
    )
    assert said.endswith("; approved again because it has changed since")
    plain = send(project, gate)
    assert plain.exit_code == 1
    assert plain.stderr.startswith(
        "councils/leicester.yaml: not sent: it was sent to chief.executive@leicester.example at "
    )
    assert len(gate.received) == 5
    by_name = letters("approve", "canterbury", "--by", "Sam", "--root", str(project))
    assert by_name.stdout.splitlines()[-1] == "1 approved, 0 not approved"


# Exit status and words --------------------------------------------------------------------


def test_a_send_where_every_approved_letter_went_exits_0(project: Path, gate: Gate):
    approve(project, "canterbury", "leicester")
    result = send(project, gate)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-2:] == [
        "Not approved yet (letters approve SLUG when ready): cannock-chase, maidstone, sevenoaks",
        "2 sent, 0 already sent, 0 failed, 3 not approved yet",
    ]
    named = send(project, gate, "maidstone")
    assert (named.exit_code, named.stderr) == (
        1,
        "councils/maidstone.yaml: not sent: its letter is not approved: letters approve "
        "maidstone\n",
    )
    assert last_line(named) == "0 sent, 0 already sent, 0 failed, 1 refused"


# Records know whose they are --------------------------------------------------------------


def test_records_of_another_project_are_refused_before_anything_is_read(
    project: Path, gate: Gate, tmp_path: Path
):
    approve(project, "canterbury")
    send(project, gate, "canterbury")
    other = tmp_path / "other"
    shutil.copytree(project, other, ignore=shutil.ignore_patterns("records", "build"))
    letters("build", "--root", str(other))
    shutil.rmtree(other / "records")
    os.symlink(project / "records", other / "records")  # one folder for both
    for command in (
        ("approve", "--list"),
        ("approve", "canterbury", "--by", "Sam"),
        ("send", "--smtp", gate.address, "canterbury"),
        ("send", "--dry-run"),
    ):
        result = letters(*command, "--root", str(other))
        assert (result.exit_code, result.stderr) == (
            1,
            f"records/project: says these records are another project's ({project.resolve()}), "
            f"and each project keeps its own approvals and sending: give this project a records/ "
            f"folder of its own (is records/ a link, or this project a copy?); if this project "
            f"was moved here from there, put its new place in records/project: "
            f"{other.resolve()}\n",
        ), command
    assert len(gate.received) == 1
    assert (project / "records" / "project").read_text() == f"{project.resolve()}\n"


# A removed council's outputs go with it ---------------------------------------------------


def test_a_removed_council_takes_its_draft_email_with_it(project: Path):
    approve(project, "maidstone", "canterbury")
    letters("send", "--dry-run", "--root", str(project))
    email = project / "build" / "email"
    assert sorted(path.name for path in email.iterdir()) == ["canterbury.eml", "maidstone.eml"]
    (project / "councils" / "maidstone.yaml").unlink()
    result = letters("build", "--root", str(project))
    assert "0 failed, 1 removed" in last_line(result)
    assert sorted(path.name for path in email.iterdir()) == ["canterbury.eml"]
    assert not (project / "build" / "pdf" / "maidstone.pdf").exists()
    (project / "councils" / "canterbury.yaml").unlink()
    letters("send", "--dry-run", "--root", str(project))
    assert list(email.iterdir()) == []
