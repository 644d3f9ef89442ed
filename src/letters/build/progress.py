"""How a build shows its progress: a live bar on a terminal, plain lines in logs and CI."""

import sys
from contextlib import contextmanager
from typing import Protocol

import click

NOT_DONE = ("failed", "skipped", "refused", "may have been sent")  # counted on the bar as failed


class Outcome(Protocol):
    """What happened to one council: a build's outcome, or a sending's."""

    @property
    def slug(self) -> str: ...

    @property
    def status(self) -> str: ...


class PlainProgress:
    """One line per council rendered, skipped or failed; unchanged councils stay quiet."""

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, outcome: Outcome, total: int) -> None:
        self.done += 1
        if outcome.status != "unchanged":
            click.echo(f"[{self.done}/{total}] {outcome.slug}: {outcome.status}")


class BarProgress:
    """A rich progress bar: councils done, how many failed, and the time left."""

    def __init__(self, bar, description: str) -> None:
        self.bar = bar
        self.description = description
        self.task = None
        self.failed = 0

    def __call__(self, outcome: Outcome, total: int) -> None:
        if self.task is None:
            self.task = self.bar.add_task(self.description, total=total, failed=0)
        self.failed += outcome.status in NOT_DONE
        self.bar.update(self.task, advance=1, failed=self.failed)


@contextmanager
def progress_for_output(description: str = "Building letters"):
    """A progress reporter that suits where standard output goes."""
    if not sys.stdout.isatty():
        yield PlainProgress()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        yield BarProgress(bar, description)
