"""Fill the Jinja templates into one self-contained HTML letter."""

import base64
import functools
import inspect
import os
import re
import secrets
import traceback
import typing
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import jinja2.bccache
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from markupsafe import Markup

from letters.data.project import Project
from letters.letter.context import KINDS
from letters.letter.figures import (
    MONTHS,
    formatted_list,
    long_date,
    noun,
    ordinal,
    thousands,
    with_article,
)
from letters.letter.references import CONTENT_SECURITY_POLICY, css_loads, loaded_addresses
from letters.letter.sandbox import Sandbox, TooMuchWork, bounded, bounded_range
from letters.problems import LettersError, Problem, excerpt, fail

LETTER_TEMPLATE = "letter.html.j2"
EMAIL_TEMPLATE = "email.txt.j2"  # the message that carries each letter (letters send)
# The filters a template may use besides Jinja's own: {{ count|noun("case", "cases") }}.
FILTERS: dict[str, Callable[..., Any]] = {
    "noun": noun,
    "with_article": with_article,
    "formatted_list": formatted_list,
    "thousands": thousands,
    "long_date": long_date,  # a date field fields.yaml declares, as the letters write dates
    "ordinal": ordinal,  # "the {{ times|ordinal }} time in four years"
}


def kinds_taken(function: Callable[..., Any]) -> list[str | None]:
    """The kind each parameter of one of the tool's filters takes (None: any)."""
    hints = typing.get_type_hints(function)
    kinds = []
    for name in inspect.signature(function).parameters:
        hint = hints.get(name)
        origin = typing.get_origin(hint) or hint
        kinds.append(KINDS.get(origin) if isinstance(origin, type) else None)
    return kinds


def with_kind(kind: str) -> str:
    """'a whole number', 'a date', 'text', 'paragraphs'."""
    return (
        kind if kind in ("text", "text with markup", "paragraphs", "true or false") else f"a {kind}"
    )


class WrongKind(Exception):
    """A filter of the tool's was given a value of a kind it does not take."""


def strict(function: Callable[..., Any]) -> Callable[..., Any]:
    """The filter, refusing a value of another kind than it takes (rather than printing a
    wrong word): `{{ "x"|noun("case", "cases") }}` is a mistake, not "cases"."""
    types = {kind: type_ for type_, kind in KINDS.items()}
    kinds = kinds_taken(function)

    @functools.wraps(function)
    def checked(*arguments: Any) -> Any:
        for kind, value in zip(kinds, arguments, strict=False):
            if kind and (not isinstance(value, types[kind]) or isinstance(value, bool)):
                shown = "nothing" if value is None else excerpt(repr(value), 40)
                raise WrongKind(
                    f"the filter {function.__name__} takes {with_kind(kind)}, not {shown}"
                )
        return function(*arguments)

    return checked


LETTER_STYLESHEET = "letter.css"

MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)""")


class TemplateFiles:
    """Reads the files templates may embed: only those inside templates/ and assets/."""

    def __init__(self, project: Project):
        self.project = project
        self.allowed = [project.templates_dir.resolve(), project.assets_dir.resolve()]
        self.stylesheets: dict[str, str] = {}  # made once for every letter of a build
        self.data_uris: dict[tuple[str, Path], str] = {}

    def resolve(self, reference: str, relative_to: Path) -> Path:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", reference):
            raise self.problem(
                reference,
                "is a web or file address: only files in templates/ and assets/ can be used",
            )
        written = Path(os.path.abspath(relative_to / reference))  # as named, links unfollowed
        path = written.resolve()
        for folder in (self.project.templates_dir, self.project.assets_dir):
            if written.is_relative_to(os.path.abspath(folder)):
                refuse_links(self.project, written, Path(os.path.abspath(folder)))
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise self.problem(
                reference,
                "is outside the templates/ and assets/ folders: only files there can be used",
            )
        if not self.project.files.is_file(path):
            raise self.problem(
                self.project.shown(path),
                "is missing: add the file or correct the name that refers to it",
            )
        return path

    def data_uri(self, reference: str, relative_to: Path) -> str:
        if (reference, relative_to) not in self.data_uris:
            self.data_uris[reference, relative_to] = self.embedded(reference, relative_to)
        return self.data_uris[reference, relative_to]

    def embedded(self, reference: str, relative_to: Path) -> str:
        path = self.resolve(reference, relative_to)
        media_type = MEDIA_TYPES.get(path.suffix.lower())
        if media_type is None:
            raise self.problem(
                reference, f"is not a kind of file a letter can embed ({', '.join(MEDIA_TYPES)})"
            )
        return f"data:{media_type};base64,{base64_of(self.project.files.read_bytes(path))}"

    def stylesheet(self, name: str = LETTER_STYLESHEET) -> str:
        """The stylesheet's text with every url(...) it names embedded as a data URI."""
        if name not in self.stylesheets:
            self.stylesheets[name] = self.embedded_stylesheet(name)
        return self.stylesheets[name]

    def embedded_stylesheet(self, name: str) -> str:
        path = self.resolve(name, self.project.templates_dir)
        return CSS_URL.sub(
            lambda match: f'url("{self.data_uri(match[2], path.parent)}")',
            self.project.files.read_bytes(path).decode("utf-8"),
        )

    def problem(self, reference: str, message: str) -> LettersError:
        return LettersError([Problem(reference, message)])


def refuse_links(project: Project, path: Path, folder: Path) -> None:
    """A template, stylesheet or image is read from inside its folder itself, never through a
    link (to a file outside the project, say): one that is, or is reached by, a link is refused
    by name, as council files are."""
    for place in [path, *path.parents]:
        if place.is_symlink():
            fail(
                project.shown(place),
                "is a link: templates, stylesheets and images are read only from the project's "
                "own files: keep the file itself here, not a link to it",
            )
        if place == folder:
            return


@functools.lru_cache(maxsize=64)
def base64_of(content: bytes) -> str:
    """A file's bytes in base64, encoded once while they stay the same (every letter embeds
    the same fonts and images)."""
    return base64.b64encode(content).decode("ascii")


class ProjectLoader(jinja2.BaseLoader):
    """Loads templates from templates/ as the project reads its files (a build: from its
    snapshot), so every letter of one build has the same wording."""

    def __init__(self, project: Project):
        self.project = project

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.project.templates_dir.joinpath(*split_template_path(template))
        refuse_links(self.project, path, self.project.templates_dir)
        try:
            source = self.project.files.read_bytes(path).decode("utf-8")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise jinja2.TemplateNotFound(template) from None
        # An environment serves one build, draft or command: what it read stays as read.
        return source, os.path.normpath(path), lambda: True


class CompiledOnce(jinja2.BytecodeCache):
    """Each template's compiled code, kept for as long as the process runs (the preview and
    `letters check` make environments again and again): a template whose source changed is
    compiled again, since its checksum no longer matches."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledOnce()  # only for html_environment's: their settings are all the same


class StandIns:
    """What embed() and stylesheet() give a template while it renders: a short stand-in for
    each file's text, put in only once the letter's own text has been treated and checked (a
    letter is a few kilobytes of text and a hundred of embedded fonts and images). The stand-ins
    hold a number drawn for each process, so no council's data can write one."""

    def __init__(self) -> None:
        self.prefix = f"data:letters-{secrets.randbelow(10**18):018d}-"
        self.found = re.compile(re.escape(self.prefix) + r"(\d+)\.")
        self.contents: list[str] = []
        self.numbers: dict[str, int] = {}
        self.stylesheets: set[int] = set()

    def stand_in(self, content: str, stylesheet: bool = False) -> str:
        if content not in self.numbers:
            self.numbers[content] = len(self.contents)
            self.contents.append(content)
        number = self.numbers[content]
        if stylesheet:
            self.stylesheets.add(number)
        return f"{self.prefix}{number}."

    def filled(self, text: str) -> str:
        """The text with each stand-in replaced by the file's text it stands for."""
        return self.found.sub(lambda match: self.contents[int(match[1])], text)

    def stylesheets_in(self, text: str) -> list[str]:
        """The stylesheets the text embeds (each once)."""
        numbers = dict.fromkeys(int(number) for number in self.found.findall(text))
        return [self.contents[number] for number in numbers if number in self.stylesheets]


class LetterSandbox(Sandbox):
    """The sandbox staff's templates render in, with the files they embed stood in for."""

    stand_ins: StandIns


def html_environment(project: Project) -> LetterSandbox:
    """The one Jinja environment for staff's templates: a sandbox (letters.letter.sandbox),
    strict about missing values, escaping all data in HTML (a plain-text template, *.txt.j2,
    such as the email's, is not HTML and is not escaped)."""
    files = TemplateFiles(project)
    stand_ins = StandIns()
    environment = LetterSandbox(
        loader=ProjectLoader(project),
        undefined=jinja2.StrictUndefined,
        autoescape=lambda name: not (name or "").endswith(".txt.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=printable,
        bytecode_cache=COMPILED,
    )
    environment.filters.update({name: strict(f) for name, f in FILTERS.items()})
    environment.globals.update(
        range=bounded_range,
        embed=lambda reference: stand_ins.stand_in(files.data_uri(reference, project.root)),
        stylesheet=lambda name=LETTER_STYLESHEET: Markup(
            stand_ins.stand_in(files.stylesheet(name), stylesheet=True)
        ),
        content_security_policy=CONTENT_SECURITY_POLICY,
    )
    environment.stand_ins = stand_ins
    return environment


class PrintsNothing(Exception):
    """A template printed a value that is nothing (None), which would read as 'None'."""


class PrintsWhole(Exception):
    """A template printed a list or a section whole, which would read as Python writes it."""


class PrintsFunction(Exception):
    """A template printed a function, method or macro itself instead of calling it."""


def printable(value: object) -> object:
    if value is None:
        raise PrintsNothing
    if isinstance(value, (list, tuple, SimpleNamespace)):
        raise PrintsWhole
    if callable(value) and not isinstance(value, jinja2.Undefined):  # unknown: said as such
        raise PrintsFunction
    return value


def render_html(environment: LetterSandbox, context: dict[str, Any]) -> str:
    """The letter as one HTML document, or a LettersError naming the template and line."""
    return environment.stand_ins.filled(letter_text(environment, context))


def letter_text(environment: LetterSandbox, context: dict[str, Any]) -> str:
    """The letter as its templates wrote it, dates kept whole, with stand-ins for the files it
    embeds (StandIns)."""
    return dates_kept_whole(written(environment, LETTER_TEMPLATE, context))


DATE = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})\b")


def dates_kept_whole(html: str) -> str:
    """Each date ("31 March 2020"), whether a template or a value wrote it, with non-breaking
    spaces: a line may break before or after it, never inside.

    >>> dates_kept_whole("from 1 April 2019 to 31 March 2020") == (
    ...     "from 1\u00a0April\u00a02019 to 31\u00a0March\u00a02020"
    ... )
    True
    """
    return DATE.sub("\\1\u00a0\\2\u00a0\\3", html)


def render_template(environment: LetterSandbox, name: str, context: dict[str, Any]) -> str:
    """A template filled in, the files it embeds included, or a LettersError naming the
    template and line."""
    return environment.stand_ins.filled(written(environment, name, context))


def written(environment: LetterSandbox, name: str, context: dict[str, Any]) -> str:
    """A template filled in, with stand-ins for the files it embeds."""
    try:
        with bounded():
            return environment.get_template(name).render(context)
    except TooMuchWork as error:
        filename, line = template_frame(error)
        raise template_problem(filename, line, f"template {WORK_LIMIT} ({error})") from None
    except SecurityError as error:
        filename, line = template_frame(error)
        raise template_problem(filename, line, not_allowed(str(error))) from None
    except jinja2.TemplateSyntaxError as error:
        raise template_problem(
            error.filename or str(error.name or ""),
            error.lineno,
            f"template syntax error: {error.message}",
        ) from None
    except jinja2.TemplateNotFound as error:
        raise template_problem(str(error.name), None, "template is missing") from None
    except jinja2.UndefinedError as error:
        filename, line = template_frame(error)
        raise template_problem(
            filename, line, f"template uses an unknown value: {error.message}"
        ) from None
    except LettersError:
        raise
    except (PrintsNothing, TypeError) as error:
        filename, line = template_frame(error)
        nothing = values_that_are_nothing(filename, line, context)
        if nothing or isinstance(error, PrintsNothing):
            raise template_problem(filename, line, nothing_message(nothing)) from None
        raise template_problem(
            filename, line, f"template error: {type(error).__name__}: {excerpt(str(error), 120)}"
        ) from None
    except WrongKind as error:
        filename, line = template_frame(error)
        raise template_problem(filename, line, f"template error: {error}") from None
    except PrintsWhole as error:
        filename, line = template_frame(error)
        raise template_problem(
            filename,
            line,
            "template prints a list, paragraphs or a section whole, as Python would write it: "
            "print each item in a {% for %}, or one of the section's fields",
        ) from None
    except PrintsFunction as error:
        filename, line = template_frame(error)
        raise template_problem(
            filename,
            line,
            "template prints a function itself, as Python would write it: print a value "
            "(letters fields lists them), or call a macro with brackets",
        ) from None
    except RecursionError as error:
        filename, line = template_frame(error)
        raise template_problem(
            filename,
            line,
            "template includes itself, or nests too deeply: "
            "correct the {% include %} or {% extends %}",
        ) from None
    except Exception as error:  # a template's own mistake, met by only some councils' data
        filename, line = template_frame(error)
        raise template_problem(
            filename, line, f"template error: {type(error).__name__}: {excerpt(str(error), 120)}"
        ) from None


WORK_LIMIT = "asks for more work than any letter needs"
UNSAFE = re.compile(r"attribute '([^']*)'|^(.*?) is not safely callable")


def not_allowed(message: str) -> str:
    """What the sandbox refused, in the words of the README rather than Python's."""
    found = UNSAFE.search(message)
    what = excerpt((found[1] or found[2]) if found else "", 60)
    return (
        f"template reaches for {what or 'something'!r}, which a letter may not use: a template "
        f"may use the values `letters fields` lists and the filters the README names, nothing "
        f"behind them"
    )


def check_references(project: Project, text: str, links: set[str], stand_ins: StandIns) -> None:
    """Fail the letter if its HTML would load anything, or link outside `links`, naming the
    template that wrote the address. Read on the letter's text with its stand-ins, each
    embedded file being data and each embedded stylesheet read as CSS."""
    addresses, has_policy = loaded_addresses(text, links)
    addresses += [found for css in stand_ins.stylesheets_in(text) for found in css_loads(css)]
    addresses = [stand_ins.filled(address) for address in addresses]
    problems = [
        Problem(
            path,
            f"the letter would load {excerpt(address, 80)}: a letter may only "
            f"use files in templates/ and assets/ (through embed()) and link to the "
            f"addresses in year.yaml",
            line,
        )
        for address in dict.fromkeys(addresses)
        for path, line in [where_written(project, address)]
    ]
    if not has_policy:
        problems.append(
            Problem(
                project.shown(project.templates_dir / LETTER_TEMPLATE),
                "the letter has no Content-Security-Policy: keep the line <meta "
                'http-equiv="Content-Security-Policy" content="{{ '
                'content_security_policy }}"> in its <head>',
            )
        )
    if problems:
        raise LettersError(problems)


def where_written(project: Project, address: str) -> tuple[str, int | None]:
    """The template file and line where `address` is written (the letter template if it is
    nowhere to be found as written, e.g. escaped)."""
    for path in sorted(project.templates_dir.rglob("*")):
        try:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if address in line:
                    return project.shown(path), number
        except (OSError, UnicodeDecodeError):
            continue
    return project.shown(project.templates_dir / LETTER_TEMPLATE), None


def template_frame(error: Exception) -> tuple[str | None, int | None]:
    """The template file and line where rendering failed (Jinja rewrites its tracebacks so)."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.endswith(".j2")
    ]
    return (frames[-1].filename, frames[-1].lineno) if frames else (None, None)


JINJA_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
NAME = re.compile(r"(?<![\w.'\"])[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")


def values_that_are_nothing(
    filename: str | None, line: int | None, context: dict[str, Any]
) -> list[tuple[str, str]]:
    """The values the template's line names that are nothing for this letter, each with why
    (a percentage of 0, a field or section left out)."""
    if not filename or not line:
        return []
    try:
        text = Path(filename).read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return []
    found: list[tuple[str, str]] = []
    code = " ".join(JINJA_CODE.findall(text))  # names in {{ }} and {% %}, not the wording
    for name in dict.fromkeys(NAME.findall(code)):
        parent: object = None
        value: object = context
        known = True
        for part in name.split("."):
            parent = value
            value, known = lookup(value, part)
            if not known:
                break
        if known and value is None:
            found.append((name, why_nothing(name, parent)))
    return found


def lookup(value: object, part: str) -> tuple[object, bool]:
    if isinstance(value, dict):
        return value.get(part), part in value
    return getattr(value, part, None), hasattr(value, part)


def why_nothing(name: str, parent: object) -> str:
    """Why a value is nothing: a percentage of a count that is 0, or a field left out."""
    over = getattr(parent, "over", None)
    if name.endswith(".percent") and over:
        section = name.rsplit(".", 2)[0]
        return f" ({section}.{over} is 0, so there is nothing to divide by)"
    return " (it is left out of the council's file)"


def nothing_message(nothing: list[tuple[str, str]]) -> str:
    if not nothing:
        return (
            "template prints a value that is nothing for this letter: test it with "
            "`is not none` first"
        )
    name, why = nothing[0]
    return (
        f"{name} is nothing for this letter{why}: test it with `is not none` first, as "
        f"{{% if {name} is not none %}}"
    )


def template_problem(filename: str | None, line: int | None, message: str) -> LettersError:
    shown = f"templates/{Path(filename).name}" if filename else "templates"
    return LettersError([Problem(shown, message, line)])
