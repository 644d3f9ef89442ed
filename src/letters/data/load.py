"""Read a YAML file safely, keeping the line of every value for messages."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from letters.problems import LettersError, Problem, excerpt, fail, quoted

MAX_FILE_BYTES = 1_000_000
MAX_VALUES = 100_000  # far beyond any real file; stops alias bombs from expanding
MAX_DEPTH = 50
YAML_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = {f"{YAML_TAG}map", f"{YAML_TAG}seq"}
INT, FLOAT, BOOL = (f"{YAML_TAG}{kind}" for kind in ("int", "float", "bool"))

Location = tuple[str | int, ...]

# Numbers and true/false read as staff read them. YAML 1.1 also reads 010 as 8, 0x5 as 5, 1:30 as
# 90, 1_000 as 1000 and yes/no/on/off as true/false: those stay text, which validation refuses
# where a number is wanted. A whole number may have correct thousands separators (1,234).
WHOLE_NUMBER = r"(?:0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)"
AS_TYPED = (
    (INT, rf"^-?{WHOLE_NUMBER}$", "-0123456789", lambda text: int(text.replace(",", ""))),
    (FLOAT, r"^-?(?:0|[1-9][0-9]*)\.[0-9]+$", "-0123456789", float),
    (BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF", lambda text: text.lower() == "true"),
)


def as_typed(loader: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    """`loader`, resolving numbers and true/false only as AS_TYPED writes them."""
    replaced = {tag for tag, *_ in AS_TYPED}
    resolvers = {
        first: [(tag, pattern) for tag, pattern in entries if tag not in replaced]
        for first, entries in loader.yaml_implicit_resolvers.items()
    }
    typed: type[yaml.SafeLoader] = type(
        f"AsTyped{loader.__name__}", (loader,), {"yaml_implicit_resolvers": resolvers}
    )
    for tag, pattern, first, convert in AS_TYPED:
        typed.add_implicit_resolver(tag, re.compile(pattern), list(first))
        typed.add_constructor(tag, constructor(convert))
    return typed


def constructor(convert: Callable[[str], Any]) -> Callable[[yaml.BaseLoader, Any], Any]:
    """A YAML constructor that converts a plain value's text with `convert`."""
    return lambda _, node: convert(node.value)


SafeLoader = as_typed(yaml.SafeLoader)
FastLoader = as_typed(getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 20 times faster


@dataclass(frozen=True)
class Document:
    """A loaded YAML file: its data, and the line each value starts on."""

    path: str
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)
    key_lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int | None:
        """The line of the value at `location`, or of its nearest parent that has one."""
        while location not in self.lines and location:
            location = location[:-1]
        return self.lines.get(location)

    def line_of_section(self, location: Location) -> int | None:
        """The line of the field whose section holds `location` (for a field missing from that
        section); None at the top level, where a missing field has no line."""
        section = location[:-1]
        if not section:
            return None
        return self.key_lines.get(section) or self.line_of(section)


def load_document(
    path: Path,
    shown: str,
    root: Path | None = None,
    read: Callable[[Path], bytes] = Path.read_bytes,
) -> Document:
    """Read `path` (named `shown` in messages) into a Document, or raise LettersError.

    With `root`, a file that is not inside that folder is refused without being read."""
    text = read_text(path, shown, root, read)
    try:
        return parse(FastLoader, text, shown)
    except LettersError:
        # libyaml words its errors tersely: parse again in pure Python for the message staff see.
        return parse(SafeLoader, text, shown)


def parse(loader_class: type[yaml.SafeLoader], text: str, shown: str) -> Document:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            fail(shown, "the file is empty: it needs the fields described in the README", line=1)
        builder = Builder(loader, shown)
        data = builder.construct(node, ())
    except RecursionError:
        fail(
            shown,
            f"is nested more than {MAX_DEPTH} levels deep: simplify the file",
            line=deepest_line(text),
        )
    except yaml.MarkedYAMLError as error:
        fail(shown, yaml_error_message(error, text), line=mark_line(error))
    except yaml.YAMLError as error:  # the reader's: a character no text file has
        position = getattr(error, "position", 0)
        character = getattr(error, "character", 0)
        fail(
            shown,
            f"contains a control character (#x{character:04x}) that text files do not "
            f"have: is it the right file?",
            line=text[:position].count("\n") + 1,
        )
    finally:
        loader.dispose()
    if builder.problems:
        raise LettersError(builder.problems)
    return Document(shown, data, builder.lines, builder.key_lines)


def deepest_line(text: str) -> int | None:
    """The line where nesting first goes deeper than MAX_DEPTH (reading events does not recurse,
    unlike building the document)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        depth += isinstance(event, yaml.CollectionStartEvent)
        depth -= isinstance(event, yaml.CollectionEndEvent)
        if depth > MAX_DEPTH and event.start_mark is not None:
            return event.start_mark.line + 1
    return None


def read_text(
    path: Path,
    shown: str,
    root: Path | None = None,
    read: Callable[[Path], bytes] = Path.read_bytes,
) -> str:
    if path.is_symlink():
        fail(shown, "is a link to another file: keep the file itself here, not a link to it")
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        fail(shown, "is outside the project folder: keep the file itself here, not a link to it")
    if path.is_dir():
        fail(shown, "is a folder, not a file: only council files belong here; move or rename it")
    if not path.is_file():
        fail(shown, "is missing or is not a plain file: save it as a plain text file")
    if path.stat().st_size > MAX_FILE_BYTES:
        fail(shown, f"is larger than {MAX_FILE_BYTES // 1_000_000} MB: is it the right file?")
    try:
        raw = read(path)
    except OSError as error:
        reason = error.strerror or error
        fail(shown, f"cannot be read ({reason}): check that it is there and that you may read it")
    if b"\0" in raw:
        fail(shown, "is a binary file, not text: is it the right file?", line=1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        fail(shown, "is not UTF-8 text: save the file as UTF-8 in your editor", line=line)


class Builder:
    """Builds Python data from YAML nodes, recording lines and collecting duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader, shown: str):
        self.loader = loader
        self.shown = shown
        self.lines: dict[Location, int] = {}
        self.key_lines: dict[Location, int] = {}
        self.problems: list[Problem] = []

    def construct(self, node: yaml.Node, location: Location) -> Any:
        if len(self.lines) >= MAX_VALUES:
            fail(
                self.shown,
                f"has more than {MAX_VALUES:,} values (are aliases repeating "
                f"each other?): simplify the file",
                line=node.start_mark.line + 1,
            )
        if len(location) > MAX_DEPTH:
            fail(
                self.shown,
                f"is nested more than {MAX_DEPTH} levels deep (does an alias "
                f"contain itself?): simplify the file",
                line=node.start_mark.line + 1,
            )
        self.lines[location] = node.start_mark.line + 1
        if not isinstance(node, yaml.ScalarNode) and node.tag not in PLAIN_TAGS:
            tag = node.tag.replace(YAML_TAG, "!!")
            fail(
                self.shown,
                f"the tag {tag} is not allowed: write plain values only",
                line=node.start_mark.line + 1,
                field=dotted(location) or None,
            )
        if isinstance(node, yaml.MappingNode):
            return self.construct_mapping(node, location)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.construct(item, (*location, index)) for index, item in enumerate(node.value)
            ]
        return self.construct_scalar(node, location)

    def construct_mapping(self, node: yaml.MappingNode, location: Location) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_scalar(key_node, location)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                fail(
                    self.shown,
                    f"{quoted(key)} is not a field name: field names are words",
                    line=line,
                )
            if key in mapping:
                self.problems.append(
                    Problem(
                        self.shown,
                        f"appears twice in the same section: keep one (the other is on "
                        f"line {self.lines[(*location, key)]})",
                        line,
                        dotted((*location, key)),
                    )
                )
                continue
            self.key_lines[(*location, key)] = line
            mapping[key] = self.construct(value_node, (*location, key))
        return mapping

    def construct_scalar(self, node: yaml.Node, location: Location) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            fail(
                self.shown,
                "a field name must be a single word, not a list or section",
                line=node.start_mark.line + 1,
            )
        try:
            return self.loader.construct_object(node)
        except ValueError as error:  # a date-like value that is no real date, e.g. 2020-13-45
            fail(
                self.shown,
                f"{quoted(node.value)} is not a real date ({error})",
                line=node.start_mark.line + 1,
                field=dotted(location) or None,
            )


def dotted(location: Location) -> str:
    return ".".join(str(part) for part in location)


def mark_line(error: yaml.MarkedYAMLError) -> int | None:
    mark = error_mark(error)
    return mark.line + 1 if mark else None


UNCLOSED = {
    "while scanning a quoted scalar": "the quotes opened here are never closed: add the closing "
    "quote",
    "while parsing a flow sequence": "the '[' opened here is never closed: add the ']'",
    "while parsing a flow mapping": "the '{' opened here is never closed: add the '}'",
}

FRIENDLIER = (
    (
        re.compile(r"found character '\\t' that cannot start any token"),
        "a tab is used for indenting: YAML needs spaces, so replace the tab with spaces",
    ),
    (
        re.compile(rf"could not determine a constructor for the tag '{YAML_TAG}merge'"),
        "'<<' (merging sections) is not supported: write the fields out in full",
    ),
    (
        re.compile(rf"could not determine a constructor for the tag '(?:{YAML_TAG})?(.*)'"),
        r"the tag !!\1 is not allowed: write plain values only",
    ),
    (
        re.compile(r"mapping values are not allowed here"),
        "a colon here cannot start a new field: check that this line is indented like the lines "
        "around it, and put quotes around a value that has ': ' in it",
    ),
)


def error_mark(error: yaml.MarkedYAMLError) -> yaml.Mark | None:
    """Where to point staff: where an unclosed quote or bracket opened, else where YAML stopped."""
    if error.context in UNCLOSED and error.context_mark:
        return error.context_mark
    return error.problem_mark or error.context_mark


def yaml_error_message(error: yaml.MarkedYAMLError, text: str) -> str:
    """A YAML error as one line: what is wrong, where on the line, and the line itself."""
    mark = error_mark(error)
    problem = (
        UNCLOSED.get(error.context or "") or error.problem or error.context or "not valid YAML"
    )
    for pattern, friendlier in FRIENDLIER:
        if pattern.search(problem):
            problem = pattern.sub(friendlier, problem)
            break
    kind = "" if isinstance(error, yaml.constructor.ConstructorError) else "YAML syntax error "
    if mark is None:
        return f"{kind}{problem}"
    lines = text.split("\n")
    offending = lines[mark.line].strip() if mark.line < len(lines) else ""
    shown_line = f": {excerpt(offending)!r}" if offending else ""
    return f"{kind}at column {mark.column + 1}: {problem}{shown_line}"
