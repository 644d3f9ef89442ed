"""How a long command shows its progress: click's bar on a terminal, plain lines in logs and CI."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import click

NOT_DONE = ("failed", "skipped", "refused", "may have been sent")  # counted on the bar as failed


class CouncilDone(Protocol):
    """What happened to one council, as the progress shows it: a build's or a sending's."""

    @property
    def slug(self) -> str: ...

    @property
    def status(self) -> str: ...


class PlainProgress:
    """One line per council rendered, skipped or failed; unchanged councils stay quiet."""

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, outcome: CouncilDone, total: int) -> None:
        self.done += 1
        if outcome.status != "unchanged":
            click.echo(f"[{self.done}/{total}] {outcome.slug}: {outcome.status}")


class BarProgress:
    """A bar of councils done, with how many failed and the time left; made at the first
    council, when the total is known."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.bar: Any = None  # click's ProgressBar, which click does not export as a type
        self.failed = 0

    def __call__(self, outcome: CouncilDone, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(
                length=total,
                label=self.description,
                show_pos=True,
                item_show_func=lambda _: f"{self.failed} failed",
                file=sys.stdout,
            )
        self.failed += outcome.status in NOT_DONE
        self.bar.update(1, outcome)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


@contextmanager
def progress_for_output(description: str = "Building letters") -> Iterator[Any]:
    """A progress reporter that suits where standard output goes."""
    if not sys.stdout.isatty():
        yield PlainProgress()
        return
    bar = BarProgress(description)
    try:
        yield bar
    finally:
        bar.finish()
