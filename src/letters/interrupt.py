"""Stopping cleanly: Ctrl-C or SIGTERM asks a build to stop at the next letter it finishes.

Stopping only between letters, never in the middle of one, keeps every output whole and never
breaks into the worker pool while it holds a lock. A second Ctrl-C stops at once.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

requested = threading.Event()


def ask_to_stop(signum: int, frame: FrameType | None) -> None:
    if requested.is_set():
        raise KeyboardInterrupt
    requested.set()


def stop_if_asked() -> None:
    """Called between letters: end the build here if someone asked it to stop."""
    if requested.is_set():
        raise KeyboardInterrupt


@contextmanager
def stop_between_letters() -> Iterator[None]:
    """While inside, Ctrl-C and SIGTERM ask the build to stop instead of breaking into it."""
    requested.clear()
    previous = {
        number: signal.signal(number, ask_to_stop) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
