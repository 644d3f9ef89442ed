"""What can go wrong, said for people: a problem names its file, line and field."""

import re
from dataclasses import dataclass
from typing import IO, Any, Literal, NoReturn

import click

LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
EXCERPT = 60  # characters of a file's content a message may quote, at most


@dataclass(frozen=True)
class Problem:
    """One mistake in one place, worded so that staff know what to fix."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        what = f"{excerpt(self.field)}: {self.message}" if self.field else self.message
        return one_line(f"{where}: {what}")


def excerpt(text: str, length: int = EXCERPT) -> str:
    """The start of `text`, so that a message never quotes more than a short piece of a file."""
    return text if len(text) <= length else f"{text[: length - 3]}..."


def path_excerpt(path: str, longest: int = 200) -> str:
    """A path as a message names it: whole, unless it is longer than any real one, then its end
    (where the file's own name is)."""
    return path if len(path) <= longest else f"...{path[-(longest - 3) :]}"


def quoted(value: object) -> str:
    """A value from a file, quoted and cut short, as a message shows it: 'Canterbury'."""
    return repr(excerpt(value) if isinstance(value, str) else value)


def one_line(text: str) -> str:
    """Control characters and line breaks from the data shown escaped, so a problem is one line."""
    return LINE_BREAKING.sub(lambda match: repr(match[0])[1:-1], text)


@dataclass(frozen=True)
class Note:
    """What proofreading found: a defect (a reader would see it is wrong; fails --strict) or
    information (worth knowing, never a failure)."""

    kind: Literal["defect", "information"]
    text: str

    def __str__(self) -> str:
        return self.text


class LettersError(click.ClickException):
    """One or more problems that stop a file (or a whole command) from going further; the
    command line shows them one per line and exits with status 1."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))

    def show(self, file: IO[Any] | None = None) -> None:
        for problem in self.problems:
            click.echo(str(problem), err=True)


class UnexpectedError(click.ClickException):
    """A fault of the tool's own, not of the data: said in one line, with how to learn more."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(
            f"letters: unexpected error, please report it (LETTERS_DEBUG=1 shows details): "
            f"{self.message}",
            err=True,
        )


def fail(path: str, message: str, line: int | None = None, field: str | None = None) -> NoReturn:
    """Raise a LettersError for a single problem."""
    raise LettersError([Problem(path, message, line, field)])
