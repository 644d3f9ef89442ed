"""Stage 8, send (relay): hand messages to the organisation's SMTP relay, one at a time.

Encrypted (STARTTLS, the certificate checked) unless the relay is on this machine; credentials
only from the environment. Each message is one transaction: every recipient is accepted before
the message is handed over, or none gets it. What the relay answers is returned, never guessed.
"""

import ipaddress
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from letters.problems import LettersError, Problem

LOOPBACK_NAMES = ("localhost",)
USER, PASSWORD = "LETTERS_SMTP_USER", "LETTERS_SMTP_PASSWORD"


@dataclass(frozen=True)
class Reply:
    """The relay's answer to one message: accepted, refused for now (4xx), refused for good
    (5xx), or no answer (the connection dropped: not accepted)."""

    kind: Literal["accepted", "temporary", "permanent", "dropped"]
    text: str

    @property
    def accepted(self) -> bool:
        return self.kind == "accepted"


def relay_address(value: str) -> tuple[str, int]:
    """HOST:PORT, or [IPv6]:PORT, as --smtp takes it."""
    host, colon, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise LettersError(
            [
                Problem(
                    "--smtp", f"{value[:60]!r} is not HOST:PORT: write it like smtp.example.org:587"
                )
            ]
        )
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Relay:
    """One connection to the relay, opened when first needed and again after it dropped."""

    def __init__(self, host: str, port: int, timeout: float = 60):
        self.host, self.port, self.timeout = host, port, timeout
        self.shown = f"{host}:{port}"
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect, encrypt unless on loopback, and log in if the environment says who."""
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if not is_loopback(self.host):
                if not smtp.has_extn("starttls"):
                    smtp.close()
                    raise self.problem(
                        "does not offer STARTTLS: letters are only sent encrypted; give the "
                        "relay's submission port (often 587)"
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if os.environ.get(USER):
                smtp.login(os.environ[USER], os.environ.get(PASSWORD, ""))
        except smtplib.SMTPAuthenticationError as error:
            answer = said(error.smtp_code, error.smtp_error)
            raise self.problem(f"refused the login in {USER} and {PASSWORD}: {answer}") from None
        except ssl.SSLError as error:
            raise self.problem(
                f"encryption failed ({error.reason}): check the relay's name"
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise self.problem(
                f"cannot be reached ({error.strerror or error}): check --smtp and the network"
            ) from None
        self.smtp = smtp

    def problem(self, message: str) -> LettersError:
        return LettersError([Problem(f"the relay {self.shown}", message)])

    def deliver(
        self, sender: str, recipients: list[str], data: bytes, handing_over: Callable[[], None]
    ) -> Reply:
        """One transaction: MAIL, RCPT for each recipient, then DATA. `handing_over` is called
        just before the message goes, when the relay could first accept it."""
        if self.smtp is None:
            self.open()
        smtp = self.smtp
        assert smtp is not None
        try:
            code, text = smtp.mail(sender)
            if code != 250:
                return self.refused(code, text)
            for recipient in recipients:
                code, text = smtp.rcpt(recipient)
                if code not in (250, 251):
                    return self.refused(code, text, recipient)
            handing_over()
            code, text = smtp.data(data)
            return Reply("accepted", said(code, text)) if code == 250 else self.refused(code, text)
        except smtplib.SMTPDataError as error:
            return self.refused(error.smtp_code, error.smtp_error)
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            return Reply("dropped", f"the connection to the relay dropped ({error or 'closed'})")

    def refused(self, code: int, text: bytes | str, recipient: str | None = None) -> Reply:
        """A refusal, after taking the transaction back so that no recipient gets the message."""
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()
        about = f" for {recipient}" if recipient else ""
        kind: Literal["temporary", "permanent"] = "temporary" if 400 <= code < 500 else "permanent"
        return Reply(kind, f"{said(code, text)}{about}")

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def said(code: int, text: bytes | str) -> str:
    """The relay's reply as one line: '550 5.1.1 No such mailbox'."""
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"


def with_retries(attempt: Callable[[], Reply], retries: int, wait: float) -> Reply:
    """`attempt` again after a temporary refusal, waiting `wait`, then twice as long..."""
    reply = attempt()
    for number in range(retries):
        if reply.kind != "temporary":
            break
        time.sleep(wait * 2**number)
        reply = attempt()
    return reply
