"""What a template written by staff may do: format the values it is given, and nothing else.

Templates are content, as council files are, so they render in Jinja's immutable sandbox: no
attribute that starts with `_`, no method that changes a value, `str.format` checked, and, on the
values the tool gives, only their data (a council's fields, a figure's parts), never the methods
of the classes behind them. Work is bounded: `range` gives at most MAX_RANGE numbers, `*` and
`**` make nothing larger than MAX_SIZE, and a render stops after MAX_SECONDS with the template's
file and line.
"""

import dataclasses
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType, SimpleNamespace
from typing import Any

from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

MAX_RANGE = 10_000  # numbers one range() may give: a letter's tables are far shorter
MAX_SIZE = 100_000  # characters or items a * may make; digits a ** may make
MAX_SECONDS = 2.0  # for one template: a letter's takes milliseconds
CHECK_EVERY = 1_000  # calls or pieces of output between looks at the clock


class TooMuchWork(Exception):
    """A template asked for more work than any letter needs (a loop without end, say)."""


class ImmutableSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, asking once per type and name what a template may read (its
    rules look at nothing else): the tool's own pages render in it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        if key not in self.safe:
            self.safe[key] = self.allowed_on_type(obj, attr, value)
        return self.safe[key]

    def allowed_on_type(self, obj: Any, attr: str, value: Any) -> bool:
        return super().is_safe_attribute(obj, attr, value)


class Sandbox(ImmutableSandbox):
    """Jinja's immutable sandbox, with the tool's values opened only as data and every render
    bounded in time and size."""

    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, SimpleNamespace):  # each namespace has its own names
            return attr in vars(obj) and super().is_safe_attribute(obj, attr, value)
        return super().is_safe_attribute(obj, attr, value)

    def allowed_on_type(self, obj: Any, attr: str, value: Any) -> bool:
        names = None if isinstance(obj, SimpleNamespace) else data_of(obj)
        return super().allowed_on_type(obj, attr, value) and (names is None or attr in names)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and not small_power(left, right):
            raise TooMuchWork(f"{left!r} ** {right!r} is larger than any letter needs")
        if operator == "*" and too_long(left, right):
            raise TooMuchWork(f"a text or list {MAX_SIZE:,} long or more, made with *")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        Budget.current().tick()
        return super().call(__context, __obj, *args, **kwargs)

    def concat(self, pieces: Iterable[str]) -> str:
        budget = Budget.current()
        return "".join(pieces if budget.alarmed else budget.ticking(pieces))


def data_of(value: object) -> set[str] | None:
    """The names a template may read on one of the tool's values (its data), or None for the
    plain values (text, numbers, lists) the sandbox already holds to their safe methods."""
    if isinstance(value, BaseModel):
        return set(type(value).model_fields)
    if isinstance(value, SimpleNamespace):
        return set(vars(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name for field in dataclasses.fields(value)}
    return None  # text, numbers, lists, dates, Jinja's loop: the sandbox's own rules


def small_power(left: object, right: object) -> bool:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return abs(right) * len(str(int(abs(left)) or 1)) <= MAX_SIZE
    return True


def too_long(left: object, right: object) -> bool:
    for sized, times in ((left, right), (right, left)):
        if isinstance(sized, (str, list, tuple)) and isinstance(times, int):
            return len(sized) * times >= MAX_SIZE
    return False


def bounded_range(*arguments: int) -> range:
    """range() as templates have it: at most MAX_RANGE numbers."""
    numbers = range(*arguments)
    if len(numbers) > MAX_RANGE:
        written = ", ".join(str(argument) for argument in arguments)
        raise TooMuchWork(f"range({written}) gives more than {MAX_RANGE:,} numbers")
    return numbers


class Budget:
    """The time one render may take, looked at every CHECK_EVERY calls or pieces of output
    (in any thread), and kept by an alarm in the main thread, where a loop that calls nothing
    is stopped too."""

    local = threading.local()

    def __init__(self, seconds: float, alarmed: bool = False) -> None:
        self.deadline = time.monotonic() + seconds
        self.count = 0
        self.alarmed = alarmed  # the main thread's alarm stops the render: no need to look

    @classmethod
    def current(cls) -> "Budget":
        budget: Budget | None = getattr(cls.local, "budget", None)
        return budget if budget is not None else Budget(MAX_SECONDS)

    def tick(self) -> None:
        if self.alarmed:
            return
        self.count += 1
        if self.count % CHECK_EVERY == 0 and time.monotonic() > self.deadline:
            raise TooMuchWork(f"it ran for more than {MAX_SECONDS:g} seconds")

    def ticking(self, pieces: Iterable[str]) -> Iterator[str]:
        for piece in pieces:
            self.tick()
            yield piece


@contextmanager
def bounded(seconds: float = MAX_SECONDS) -> Iterator[None]:
    """Render within `seconds`: a template that takes longer stops with TooMuchWork."""
    outer = getattr(Budget.local, "budget", None)
    alarm = threading.current_thread() is threading.main_thread() and outer is None
    Budget.local.budget = Budget(seconds, alarmed=alarm or (outer is not None and outer.alarmed))
    previous = signal.signal(signal.SIGALRM, out_of_time) if alarm else None
    if alarm:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        Budget.local.budget = outer


def out_of_time(signum: int, frame: FrameType | None) -> None:
    raise TooMuchWork(f"it ran for more than {MAX_SECONDS:g} seconds")
