"""One send at a time, and no build while one runs: the lock beside the records of a project."""

import fcntl
import getpass
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from letters.data.project import Records
from letters.problems import fail


@contextmanager
def locked(records: Records, shown: str, sending: bool) -> Iterator[None]:
    """Hold the lock beside the ledger while the command runs: a send holds it alone (a second
    send, or a build, is refused while it runs); builds share it with each other."""
    records.folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(records.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, (fcntl.LOCK_EX if sending else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 400, 0).decode("utf-8", "replace").strip()
            fail(shown, refusal(holder, sending))
        if sending:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, holder_line().encode(), 0)
            os.fsync(descriptor)
        try:
            yield
        finally:
            if sending:
                os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)  # closing the file releases the lock


def holder_line() -> str:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = f"uid {os.getuid()}"
    since = datetime.now().astimezone().isoformat(timespec="seconds")
    return f"{who} on {socket.gethostname()} (process {os.getpid()}) since {since}"


def refusal(holder: str, sending: bool) -> str:
    """Why the lock could not be had: a send is running (the holder wrote its line), or builds."""
    if not holder:
        return "letters build is running in this folder: send when it has finished"
    if sending:
        return (
            f"letters send is already running here, started by {holder}: nothing was sent; "
            f"run it again when that one has finished"
        )
    return (
        f"letters send is running here, started by {holder}: build when it has finished, so "
        f"that no letter changes while it is being sent"
    )
