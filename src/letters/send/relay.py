"""Hand messages to the organisation's SMTP relay, one at a time.

Encrypted (STARTTLS, the certificate checked) unless the relay is on this machine; credentials
only from the environment. Each message is one transaction: every recipient is accepted before
the message is handed over, or none gets it. What the relay answers is returned, never guessed.
"""

import ipaddress
import os
import re
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from letters.problems import LettersError, Problem, fail

LOOPBACK_NAMES = ("localhost",)
USER, PASSWORD = "LETTERS_SMTP_USER", "LETTERS_SMTP_PASSWORD"


@dataclass(frozen=True)
class Reply:
    """The relay's answer to one message: accepted, refused for now (4xx), refused for good
    (5xx), no answer before the message was whole (dropped: it cannot have been accepted), or no
    clear answer after it was (unsure: it may have been)."""

    kind: Literal["accepted", "temporary", "permanent", "dropped", "unsure"]
    text: str

    @property
    def accepted(self) -> bool:
        return self.kind == "accepted"


class RelayError(LettersError):
    """The relay cannot be used at all (unreachable, unencrypted, login refused): the whole
    send stops, rather than each council failing the same way."""


class Temporary(Exception):
    """The relay is there but will not take messages for now (4xx when connecting)."""


def relay_address(value: str) -> tuple[str, int]:
    """HOST:PORT, or [IPv6]:PORT, as --smtp takes it."""
    host, colon, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        fail("--smtp", f"{value[:60]!r} is not HOST:PORT: write it like smtp.example.org:587")
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
                log_in(smtp, os.environ[USER], os.environ.get(PASSWORD, ""))
        except smtplib.SMTPConnectError as error:
            if 400 <= error.smtp_code < 500:
                raise Temporary(
                    f"the relay answered {said(error.smtp_code, error.smtp_error)} on connecting"
                ) from None
            raise self.problem(
                f"refused the connection: {said(error.smtp_code, error.smtp_error)}"
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise self.problem(
                f"offers no login (AUTH), but {USER} is set: unset it if the relay needs no "
                f"login, or give the relay's submission port (often 587)"
            ) from None
        except UnicodeEncodeError:
            raise self.problem(
                f"cannot take the login in {USER} and {PASSWORD}: they may hold only ASCII "
                f"characters"
            ) from None
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

    def problem(self, message: str) -> RelayError:
        return RelayError([Problem(f"the relay {self.shown}", message)])

    def deliver(
        self, sender: str, recipients: list[str], data: bytes, handing_over: Callable[[], None]
    ) -> Reply:
        """One transaction: MAIL, RCPT for each recipient, then DATA. `handing_over` is called
        just before the message goes, when the relay could first accept it. Once the final dot
        is sent, anything but a clear answer is unsure: the relay may have the message."""
        try:
            if self.smtp is None:
                self.open()
        except Temporary as error:
            return Reply("temporary", str(error))
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
        except (OSError, smtplib.SMTPException) as error:
            return self.dropped(error)
        try:
            handing_over()
        except BaseException:  # the ledger cannot say it went: it must not go
            self.close()
            raise
        try:
            smtp.putcmd("data")
            code, text = smtp.getreply()
            if code != 354:
                return self.refused(code, text)
            smtp.send(dot_stuffed(data))
        except (OSError, smtplib.SMTPException) as error:
            return self.dropped(error)
        return self.answer_to_the_dot(smtp)

    def dropped(self, error: Exception) -> Reply:
        """The connection failed before the message was whole: the relay cannot have it."""
        self.close()
        return Reply("dropped", f"the connection to the relay dropped ({error or 'closed'})")

    def answer_to_the_dot(self, smtp: smtplib.SMTP) -> Reply:
        """Send the final dot and read the answer: from here on the relay may have it."""
        try:
            smtp.send(b".\r\n")
            code, text = smtp.getreply()
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            return Reply(
                "unsure", f"the relay gave no clear answer after the message ({reason(error)})"
            )
        if code == 250:
            return Reply("accepted", said(code, text))
        if 400 <= code < 600:
            return self.refused(code, text)
        self.close()
        return Reply(
            "unsure", f"the relay gave no clear answer after the message ({said(code, text)})"
        )

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


def with_retries(
    attempt: Callable[[], Reply], retries: int, wait: float, stop: threading.Event
) -> Reply:
    """`attempt` again after a temporary refusal, waiting `wait`, then twice as long...; a
    stop asked for during a wait ends the waiting at once."""
    reply = attempt()
    for number in range(retries):
        if reply.kind != "temporary" or stop.wait(wait * 2**number):
            break
        reply = attempt()
    return reply


def dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it: a line starting with '.' gets another, and it ends with
    a line break (the final dot goes on its own)."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def reason(error: Exception) -> str:
    """Why no answer could be read, in words: not a Python tuple."""
    if "timed out" in str(error):
        return "no answer in time"
    if isinstance(error, smtplib.SMTPResponseException):
        return said(error.smtp_code, error.smtp_error)
    return str(error) or "closed"


def log_in(smtp: smtplib.SMTP, user: str, password: str) -> None:
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("no AUTH")
    user.encode("ascii"), password.encode("ascii")  # smtplib's error would show the character
    smtp.login(user, password)
