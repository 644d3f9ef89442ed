"""Stage 1, load: read a YAML file safely, keeping the line of every value for messages."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from letters.problems import fail

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000  # far beyond any real council file; stops alias bombs from expanding

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """A loaded YAML file: its data, and the line each value starts on."""

    path: str
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int | None:
        """The line of the value at `location`, or of its nearest parent that has one."""
        while location not in self.lines and location:
            location = location[:-1]
        return self.lines.get(location)


def load_document(path: Path, shown: str) -> Document:
    """Read `path` (named `shown` in messages) into a Document, or raise LettersError."""
    text = read_text(path, shown)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            fail(shown, "the file is empty: it needs the fields described in the README")
        lines: dict[Location, int] = {}
        data = construct(loader, node, (), lines, shown)
    except yaml.MarkedYAMLError as error:
        fail(shown, yaml_error_message(error), line=mark_line(error))
    finally:
        loader.dispose()
    return Document(shown, data, lines)


def read_text(path: Path, shown: str) -> str:
    if not path.is_file():
        fail(shown, "is not a file: council files must be plain text files ending in .yaml")
    if path.stat().st_size > MAX_FILE_BYTES:
        fail(shown, f"is larger than {MAX_FILE_BYTES // 1_000_000} MB: is it the right file?")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        fail(shown, "is not UTF-8 text: save the file as UTF-8 in your editor", line=line)


def construct(loader: yaml.SafeLoader, node: yaml.Node, location: Location,
              lines: dict[Location, int], shown: str) -> Any:
    """Build Python data from a YAML node tree, recording lines and refusing duplicate keys."""
    if len(lines) >= MAX_NODES:
        fail(shown, f"has more than {MAX_NODES:,} values (aliases expanding?): simplify the file")
    lines[location] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        return construct_mapping(loader, node, location, lines, shown)
    if isinstance(node, yaml.SequenceNode):
        return [construct(loader, item, (*location, index), lines, shown)
                for index, item in enumerate(node.value)]
    return loader.construct_object(node)


def construct_mapping(loader, node, location, lines, shown) -> dict:
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str):
            fail(shown, f"{key!r} is not a field name", line=key_node.start_mark.line + 1)
        if key in mapping:
            field_name = ".".join(str(part) for part in (*location, key))
            fail(shown, f"appears twice: keep one (line {lines[(*location, key)]} has the other)",
                 line=key_node.start_mark.line + 1, field=field_name)
        mapping[key] = construct(loader, value_node, (*location, key), lines, shown)
    return mapping


def mark_line(error: yaml.MarkedYAMLError) -> int | None:
    mark = error.problem_mark or error.context_mark
    return mark.line + 1 if mark else None


def yaml_error_message(error: yaml.MarkedYAMLError) -> str:
    """A YAML syntax error as one line: what is wrong, where on the line, and the line itself."""
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "not valid YAML"
    if mark is None or mark.buffer is None:
        return f"YAML syntax error: {problem}"
    lines = mark.buffer.rstrip("\0").splitlines()
    offending = lines[mark.line] if mark.line < len(lines) else ""
    return f"YAML syntax error at column {mark.column + 1}: {problem}: {offending.strip()!r}"
