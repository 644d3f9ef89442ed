"""Sending as a state machine, tested as one: hypothesis draws sequences of approving, rebuilding
with a changed figure, sending and resending (in-process, or forked and killed at its k-th
record) against a real SMTP server (aiosmtpd) that accepts, refuses after DATA, drops the line
after the final dot, or answers 4xx before accepting. After every step, whatever came before:

- no council has more copies the relay may have kept than 1 + the resends asked for it, nor more
  than the approvals recorded for it;
- every copy after a council's first says it replaces the earlier letter;
- every message handed over is one approved: its PDF and address as an approval saw them;
- a council the relay may have a copy of is never listed as not sent.
"""

import json
import os
import re
import shutil
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from hashlib import sha256
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from helpers import copy_built, letters
from letters.send import records
from test_send import serving

REPLACES = re.compile(r"This letter replaces the one we sent on \d{1,2} \w+ \d{4}\.")
MODES = ("accept", "refuse after DATA", "drop after the dot", "4xx then accept")


class Relay:
    """What a relay does with each message, as the test says: every message it was handed, with
    whether it may have kept it (accepted, or the line dropped after the whole message)."""

    def __init__(self) -> None:
        self.mode = "accept"
        self.handed: list[tuple[str, EmailMessage, bool]] = []  # to, message, may have kept
        self.tried: set[str] = set()  # Message-IDs seen, for "4xx then accept"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=default)
        to = message["To"].addresses[0].addr_spec
        first_try = message["Message-ID"] not in self.tried
        self.tried.add(message["Message-ID"])
        if self.mode == "refuse after DATA" or (self.mode == "4xx then accept" and first_try):
            reply = "554 5.7.1 Refused" if self.mode == "refuse after DATA" else "451 4.3.0 Busy"
            self.handed.append((to, message, False))
            return reply
        self.handed.append((to, message, True))
        if self.mode == "drop after the dot":
            server.transport.close()
        return "250 2.0.0 Ok: queued"

    def kept(self, address: str) -> list[EmailMessage]:
        return [message for to, message, kept in self.handed if kept and to == address]


def upheld_in(council: Path) -> int:
    return int(re.search(r"(?m)^  upheld: (\d+)", council.read_text())[1])  # type: ignore[index]


def address(slug: str) -> str:
    return f"chief.executive@{slug}.example"


def pdf_digest(root: Path, slug: str) -> str:
    return sha256((root / "build" / "pdf" / f"{slug}.pdf").read_bytes()).hexdigest()


def attached(message: EmailMessage) -> str:
    return sha256(next(message.iter_attachments()).get_content()).hexdigest()


@dataclass(frozen=True)
class Approve:
    slug: str | None  # None: letters approve --all


@dataclass(frozen=True)
class Rebuild:
    slug: str
    fewer: int  # cases upheld fewer than the council's file started with


@dataclass(frozen=True)
class Send:
    slugs: tuple[str, ...]
    resend: tuple[str, ...]
    mode: str  # how the relay answers
    killed_at: int | None  # the record before which the sender is killed


def actions(councils: tuple[str, ...]) -> st.SearchStrategy[Approve | Rebuild | Send]:
    """One step of staff's: approving (by name more often than --all), rebuilding with a changed
    figure, or sending. Drawn as one rule's argument: hypothesis' swarm testing, which turns
    whole rules off for a run, would keep most runs from ever approving and sending both."""
    council = st.sampled_from(councils)
    return st.one_of(
        st.builds(Approve, st.sampled_from((*councils, *councils, None))),
        st.builds(Rebuild, council, st.integers(0, 2)),
        st.builds(
            Send,
            st.lists(council, unique=True, max_size=1).map(tuple),
            st.lists(council, unique=True).map(tuple),
            st.sampled_from(MODES),
            st.sampled_from([None] * 6 + list(range(1, 2 * len(councils) + 3))),
        ),
    )


def parts_of(message: EmailMessage) -> dict:
    """What an approval records of a message, read from the message as the relay got it."""
    attachment = next(message.iter_attachments())
    body = message.get_body().get_content()  # with the line ends SMTP carries: CRLF
    cc = message["Cc"]
    return {
        "sender": message["From"].addresses[0].addr_spec,
        "sender_name": message["From"].addresses[0].display_name,
        "to": message["To"].addresses[0].addr_spec,
        "to_name": message["To"].addresses[0].display_name,
        "cc": [address.addr_spec for address in cc.addresses] if cc else [],
        "reply_to": message["Reply-To"].addresses[0].addr_spec if message["Reply-To"] else None,
        "subject": str(message["Subject"]),
        "attachment": attachment.get_filename(),
        "body_sha256": sha256(body.replace("\r\n", "\n").encode()).hexdigest(),
        "pdf_sha256": sha256(attachment.get_content()).hexdigest(),
        "cc_names": copy_names
        if cc and any(copy_names := [a.display_name for a in cc.addresses])
        else None,
    }


def killed_before_record(record: int, *arguments: str) -> None:
    """`letters ...` in a process forked from this one (everything imported already: a
    hundredth of a new process's start), which the tool's own hook kills just before its
    `record`-th record, or which ends by itself when it writes fewer."""
    pid = os.fork()
    if pid == 0:  # the child never returns into the test runner
        status = 3
        try:
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)  # the runner's own channels are not the child's to write on
            os.dup2(quiet, 2)
            os.environ[records.KILL_BEFORE_RECORD] = str(record)
            records.appended = 0  # counted from this process's start, as in a new one
            result = letters(*arguments)
            status = 0 if "Traceback" not in result.output and result.exit_code in (0, 1) else 4
        finally:
            os._exit(status)
    deadline = time.monotonic() + 120
    while (ended := os.waitpid(pid, os.WNOHANG)) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"letters {' '.join(arguments)} did not end in 120 s")
        time.sleep(0.01)
    status = ended[1]
    assert (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL) or (
        os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    ), status


def sending_machine(built: Path, folders: Iterator[Path], relay: Relay, councils: tuple[str, ...]):
    """The machine for `councils`, each run from a fresh copy of the project `built`."""

    class Sending(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.root = copy_built(built, next(folders))
            for council in (self.root / "councils").glob("*.yaml"):
                if council.stem not in councils:  # --all is about these councils alone
                    council.unlink()
            relay.handed.clear()
            relay.mode = "accept"
            self.resends: Counter[str] = Counter()
            self.approved: set[tuple[str, str]] = set()  # (address, PDF digest) approved
            self.upheld: dict[str, int] = {}  # each council's figure as it started

        def run(self, *arguments: str):
            return letters(*arguments, "--root", str(self.root))

        def sending(self, slugs: tuple[str, ...], resend: tuple[str, ...]) -> list[str]:
            self.resends.update(resend)
            options = [argument for slug in resend for argument in ("--resend", slug)]
            return ["send", "--smtp", relay.address, "--retry-wait", "0", *slugs, *options]  # type: ignore[attr-defined]

        @initialize(start=st.sampled_from(("nothing done", "approved", "sent")))
        def begin(self, start: str) -> None:
            """Where the year starts: nothing done yet, every letter approved, or every letter
            approved and sent (the rules reach each from the one before, but rarely all)."""
            if start != "nothing done":
                self.approve(None)
            if start == "sent":
                self.send((), (), "accept", None)

        @rule(action=actions(councils))
        def act(self, action: Approve | Rebuild | Send) -> None:
            if isinstance(action, Approve):
                self.approve(action.slug)
            elif isinstance(action, Rebuild):
                self.rebuild_with_a_changed_figure(action.slug, action.fewer)
            else:
                self.send(action.slugs, action.resend, action.mode, action.killed_at)

        def approve(self, slug: str | None) -> None:
            result = self.run("approve", *([slug] if slug else ["--all"]), "--by", "Sam")
            assert "Traceback" not in result.output
            # --all approves some of them: every one it could have is allowed (the ledger's
            # own count of approvals bounds the copies below)
            for approved in [slug] if slug else councils:
                self.approved.add((address(approved), pdf_digest(self.root, approved)))

        def rebuild_with_a_changed_figure(self, slug: str, fewer: int) -> None:
            """The council's letter built again with `fewer` cases upheld than it started
            with: a new PDF, or one the same as an earlier one's."""
            council = self.root / "councils" / f"{slug}.yaml"
            text = council.read_text()
            start = self.upheld.setdefault(slug, upheld_in(built / "councils" / f"{slug}.yaml"))
            changed = re.sub(r"(?m)^  upheld: \d+", f"  upheld: {start - fewer}", text, count=1)
            council.write_text(changed)
            result = self.run("build", slug)
            assert result.exit_code == 0, result.output

        def send(
            self, slugs: tuple[str, ...], resend: tuple[str, ...], mode: str, killed_at: int | None
        ) -> None:
            """`letters send` to a relay that answers as `mode` says: in this process, or in
            one forked from it and killed just before its k-th record (or not at all, when it
            writes fewer)."""
            relay.mode = mode
            arguments = self.sending(slugs, resend)
            if killed_at is None:
                result = self.run(*arguments)
                assert result.exit_code in (0, 1), result.output
                assert "Traceback" not in result.output
                return
            killed_before_record(killed_at, *arguments, "--root", str(self.root))

        @invariant()
        def no_copy_beyond_the_resends_asked_nor_the_approvals(self) -> None:
            approvals = self.root / "records" / "approvals.jsonl"
            lines = approvals.read_text().splitlines() if approvals.exists() else []
            for slug in councils:
                kept = len(relay.kept(address(slug)))
                assert kept <= 1 + self.resends[slug], (slug, kept, self.resends)
                assert kept <= sum(f'"slug":"{slug}"' in line for line in lines), slug

        @invariant()
        def every_later_copy_replaces_the_first(self) -> None:
            for slug in councils:
                for later in relay.kept(address(slug))[1:]:
                    assert REPLACES.search(later.get_body().get_content()), slug

        @invariant()
        def only_approved_messages_are_handed_over(self) -> None:
            """Each message's PDF and address as this test saw them approved, and its whole
            message (subject, wording, copies, attachment) as an approval recorded it."""
            approvals = self.root / "records" / "approvals.jsonl"
            lines = approvals.read_text().splitlines() if approvals.exists() else []
            recorded = [json.loads(line)["message"] for line in lines]
            for to, message, _kept in relay.handed:
                assert (to, attached(message)) in self.approved, to
                assert parts_of(message) in recorded, to

        @invariant()
        def a_council_that_may_have_a_copy_is_never_listed_as_not_sent(self) -> None:
            if not relay.handed:
                return
            result = self.run("approve", "--list")
            assert result.exit_code == 0, result.output
            said = dict(line.split(": ", 1) for line in result.stdout.splitlines())
            for slug in councils:
                sending = said[slug].split("; ", 1)[1]
                if relay.kept(address(slug)):
                    assert not sending.startswith("not sent"), (slug, said[slug])

        def teardown(self) -> None:
            shutil.rmtree(self.root, ignore_errors=True)

    return Sending


def run_machine(built: Path, tmp_path: Path, councils: tuple[str, ...]) -> None:
    folders = (tmp_path / f"run-{number}" for number in range(10**6))
    with serving(Relay()) as relay:
        run_state_machine_as_test(
            sending_machine(built, folders, relay, councils),
            settings=settings(
                max_examples=int(os.environ.get("LETTERS_MACHINE_EXAMPLES", "20")),
                stateful_step_count=15,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )


# Two classes, so that the two machines (half a minute each) run on two cores side by side.
# Councils whose letters are laid out once (Canterbury's is laid out again, a little tighter,
# which sending does not care about and which would double each rebuild's time).
class TestOneCouncil:
    def test_sending_holds_whatever_the_sequence(self, built_plain: Path, tmp_path: Path):
        run_machine(built_plain, tmp_path, ("maidstone",))


class TestTwoCouncils:
    def test_sending_holds_whatever_the_sequence(self, built_plain: Path, tmp_path: Path):
        run_machine(built_plain, tmp_path, ("maidstone", "leicester"))
