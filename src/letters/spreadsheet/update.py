"""Import, write: put a spreadsheet's figures into the council files, changing nothing else."""

import copy
import difflib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from letters.batch.outputs import made_beside, replace_together
from letters.data.fields import read_declaration, validate_council
from letters.data.load import Document, SafeLoader, parse
from letters.data.project import Project
from letters.data.read import Named, council_names
from letters.data.validate import name_key
from letters.problems import LettersError, Problem, fail
from letters.spreadsheet.read import FigureRow

Location = tuple[str, ...]
Span = tuple[int, int, str]  # where a value's text starts and ends, and its quote style


@dataclass
class ImportPlan:
    """What an import would do: per council file, the old and new value of each figure, and
    the new content of every file it writes."""

    changes: dict[Path, dict[Location, tuple[object, object]]] = field(default_factory=dict)
    new_files: dict[Path, str] = field(default_factory=dict)
    unchanged: list[Path] = field(default_factory=list)
    without_row: list[Path] = field(default_factory=list)
    contents: dict[Path, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class KeptYear:
    """A year kept under history/ that an import adds to: its year, and this year's file name
    of each council by its name's key (a council added there is named as it is here)."""

    year: int
    slugs: dict[str, str]


def plan_import(
    project: Project,
    figures: list[FigureRow],
    new: tuple[str, ...] = (),
    kept: KeptYear | None = None,
) -> ImportPlan:
    """Match each row to its council file by the council's name, and work out the changes.
    Nothing is planned unless every row and every file it touches can be updated safely. A
    row whose name is near a council file's but not the same gets a file only when its name
    is among `new` (letters import --new NAME). `kept`: the year kept under history/ that
    `project` is."""
    files, problems = council_names(project)
    new_keys = {name_key(name) for name in new}
    plan, matched = ImportPlan(), set()
    for row in figures:
        named = files.get(name_key(row.council))
        if named is None:
            is_new = name_key(row.council) in new_keys
            problems += plan_new_file(project, row, files, plan, is_new, kept)
            continue
        matched.add(named.path)
        try:
            plan_update(project, named.path, row, plan)
        except LettersError as error:
            problems += error.problems
    if problems:
        raise LettersError(problems)
    plan.without_row = [named.path for named in files.values() if named.path not in matched]
    return plan


def apply(plan: ImportPlan) -> None:
    """Write the planned files: all of them, or (if one cannot be written) none."""
    replace_together(plan.contents)


def plan_new_file(
    project: Project,
    row: FigureRow,
    files: dict[str, Named],
    plan: ImportPlan,
    is_new: bool,
    kept: KeptYear | None = None,
) -> list[Problem]:
    """Plan a file for a council that has none, unless its name is near a council's that has a
    file (a misspelling, or a short name, would give one council two letters): then ask."""
    near = None if is_new else nearest_council(row.council, files)
    if near is not None:
        return [
            row.problem(
                "council",
                f"{row.council} has no council file; did you mean {near.name} "
                f"({project.shown(near.path)})? Correct the name in the spreadsheet or in that "
                f"file, or, for a new council, import again with --new {row.council!r}",
            )
        ]
    slug = kept.slugs.get(name_key(row.council)) if kept else None
    path = project.council_file(slug or slug_of(row.council))
    if path in plan.new_files or path.exists() or path.is_symlink():
        holder = "another row needs too" if path in plan.new_files else "holds another council"
        return [
            row.problem(
                "council",
                f"{row.council} would need the file "
                f"{project.shown(path)}, which {holder}: rename one of "
                f"them",
            )
        ]
    text = new_council_file(row) if kept is None else kept_council_file(row, kept.year)
    if yaml.load(text, Loader=SafeLoader) != council_data(row):
        return [
            row.problem(
                "council",
                f"{row.council} cannot be written to a file safely: create its file by hand",
            )
        ]
    plan.new_files[path] = text
    plan.contents[path] = text.encode("utf-8")
    return []


# Words that many councils' names share, which say nothing about which council it is.
GENERIC = frozenset(
    [
        "council",
        "city",
        "borough",
        "district",
        "county",
        "metropolitan",
        "royal",
        "of",
        "the",
        "and",
        "upon",
        "on",
    ]
)


def nearest_council(name: str, files: dict[str, Named]) -> Named | None:
    """The council file whose name is near `name` without being the same: spelt alike, or all
    the distinctive words of one are in the other ('York' and 'City of York Council')."""
    words = set(name_key(name).split()) - GENERIC
    close = difflib.get_close_matches(name_key(name), files, n=1, cutoff=0.8)
    if close:
        return files[close[0]]
    return next(
        (
            named
            for key, named in files.items()
            if words
            and (other := set(key.split()) - GENERIC)
            and (words <= other or other <= words)
        ),
        None,
    )


def plan_update(project: Project, path: Path, row: FigureRow, plan: ImportPlan) -> None:
    """Plan the changed figures of one council file, checked by reading the new text back. A
    section the file does not have yet (a new year's file has no statistics) is added at its
    end."""
    shown = project.shown(path)
    text = path.read_bytes().decode("utf-8")  # as it is: line endings kept
    document = project.document(path)
    added = sections_to_add(document.data, row)
    if added:
        text, document = with_sections(text, added, shown)
    changes = figure_changes(document.data, row)
    missing = [location for location, (old, _) in changes.items() if old is None]
    if missing:
        raise LettersError(
            [
                Problem(
                    shown,
                    "is missing: add it by hand, then import again",
                    document.line_of_section(location),
                    ".".join(location),
                )
                for location in missing
            ]
        )
    if not changes and not added:
        plan.unchanged.append(path)
        return
    new = {location: value for location, (_, value) in changes.items()}
    updated = replace_values(text, new, shown, document.line_of) if new else text
    if not reads_back_as(updated, document.data, new):
        fail(
            shown,
            "cannot be updated safely (its figures do not read "
            "back as imported): write them by hand",
        )
    new_sections: dict[Location, tuple[object, object]] = {
        (section, name): (None, value)
        for section, fields in added.items()
        for name, value in fields.items()
    }
    plan.changes[path] = {**new_sections, **changes}
    plan.contents[path] = updated.encode("utf-8")


def sections_to_add(data: object, row: FigureRow) -> dict[str, dict[str, object]]:
    """The row's values of each section the file does not have, by section."""
    if not isinstance(data, dict):
        return {}
    return by_section(
        {location: v for location, v in row.values.items() if location[0] not in data}
    )


def by_section(values: dict[tuple[str, str], object]) -> dict[str, dict[str, object]]:
    sections: dict[str, dict[str, object]] = {}
    for (section, name), value in values.items():
        sections.setdefault(section, {})[name] = value
    return sections


def with_sections(
    text: str, sections: dict[str, dict[str, object]], shown: str
) -> tuple[str, Document]:
    """The file with `sections` added at its end, as YAML writes them; the text and what it
    reads as."""
    ending = "\r\n" if "\r\n" in text else "\n"
    block = yaml.safe_dump(sections, sort_keys=False, allow_unicode=True, width=10**6)
    text = text + ("" if text.endswith(("\n", "\r")) else ending) + block.replace("\n", ending)
    return text, parse(SafeLoader, text, shown)


def figure_changes(data: dict[str, Any], row: FigureRow) -> dict[Location, tuple[object, object]]:
    wanted: dict[Location, object] = {("authority_type",): row.authority_type}
    for location, value in row.values.items():
        wanted[location] = value
    current: dict[Location, object] = {
        ("authority_type",): data.get("authority_type"),
        **{
            (section, field): (data.get(section) or {}).get(field)
            if isinstance(data.get(section), dict)
            else None
            for section, field in row.values
        },
    }
    return {
        location: (current[location], value)
        for location, value in wanted.items()
        if current[location] != value
    }


def replace_values(
    text: str, new: dict[Location, object], shown: str, line_of: Callable[[Location], int | None]
) -> str:
    """`text` with the scalar values at the given locations replaced, byte for byte otherwise:
    comments, order, quoting, line endings and every other value stay exactly as they were.
    A value shared through a YAML anchor and alias (&five, *five) cannot be changed in one
    place alone: it is refused."""
    node = yaml.compose(text, Loader=SafeLoader)
    if node is None:
        fail(shown, "is empty: it needs the fields described in the README")
    spans, shared = scalar_spans(node, ())
    aliased = [
        location
        for location in new
        if location in shared or text[spans[location][0] : spans[location][0] + 1] in "&*"
    ]
    if aliased:
        raise LettersError(
            [
                Problem(
                    shown,
                    "uses a YAML anchor or alias (& or *): write the "
                    "value itself, then import again",
                    line_of(location),
                    ".".join(location),
                )
                for location in aliased
            ]
        )
    for location in sorted(new, key=lambda location: spans[location][0], reverse=True):
        start, end, style = spans[location]
        text = text[:start] + emitted(new[location], style) + text[end:]
    return text


def scalar_spans(
    node: yaml.Node, location: Location, seen: dict[int, Location] | None = None
) -> tuple[dict[Location, Span], set[Location]]:
    """Where each scalar value starts and ends in the text, and how it is quoted; and the
    locations whose value is the same node as another's (an alias)."""
    seen = {} if seen is None else seen
    spans: dict[Location, Span] = {}
    shared: set[Location] = set()
    if id(node) in seen:
        shared |= {location, seen[id(node)]}
    seen.setdefault(id(node), location)
    if isinstance(node, yaml.ScalarNode):
        spans[location] = (node.start_mark.index, node.end_mark.index, node.style or "")
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                inner, aliases = scalar_spans(value, (*location, key.value), seen)
                spans.update(inner)
                shared |= aliases
    return spans, shared


def emitted(value: object, style: str) -> str:
    """`value` as YAML writes it, in the quote style the old value had (for text)."""
    text = yaml.safe_dump(
        value,
        default_style=(style or None) if isinstance(value, str) else None,
        allow_unicode=True,
        width=10**6,
    )
    return text.removesuffix("\n...\n").removesuffix("\n")


def reads_back_as(text: str, old: dict[str, Any], new: dict[Location, object]) -> bool:
    """Whether `text` reads as `old` with only the values in `new` changed."""
    expected = copy.deepcopy(old)
    for location, value in new.items():
        section = expected
        for part in location[:-1]:
            section = section[part]
        section[location[-1]] = value
    try:
        return bool(yaml.load(text, Loader=SafeLoader) == expected)
    except yaml.YAMLError:
        return False


def slug_of(name: str) -> str:
    """'Brighton and Hove City Council' -> 'brighton-and-hove-city-council'; 'Ynys Môn' ->
    'ynys-mon' (accents dropped, every other character a separator)."""
    # Lower case last: NFKD turns styled capitals (double-struck, fullwidth) into plain ones.
    letters = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in letters).split()) or "council"


def council_data(row: FigureRow) -> dict[str, Any]:
    return {"name": row.council, "authority_type": row.authority_type, **by_section(row.values)}


def new_council_file(row: FigureRow) -> str:
    return (
        "# Made by `letters import` from the case system's figures.\n"
        "# Fill in the recipient before building (letters check lists what is missing):\n"
        "# recipient:\n#   title: Mr\n#   name: Surname\n#   job_title: Chief Executive\n"
        + yaml.safe_dump(council_data(row), sort_keys=False, allow_unicode=True, width=10**6)
    )


def kept_council_file(row: FigureRow, year: int) -> str:
    return f"# {year}'s figures, kept by `letters import --history`.\n" + yaml.safe_dump(
        council_data(row), sort_keys=False, allow_unicode=True, width=10**6
    )


def plan_history(
    project: Project, year: int, this_year: int, figures: list[FigureRow]
) -> dict[Path, bytes]:
    """An earlier year's figures kept as history/<year>/ (`letters import --history`): a file
    per row, named as this year's file for the same council, and this year's fields.yaml."""
    folder = project.history_dir / str(year)
    if year >= this_year:
        fail(str(year), f"is not a year before {this_year}: give the year the figures are for")
    files, _ = council_names(project)
    contents = {folder / "fields.yaml": project.fields_file.read_bytes()}
    for row in figures:
        named = files.get(name_key(row.council))
        slug = named.path.stem if named else slug_of(row.council)
        path = folder / "councils" / f"{slug}.yaml"
        if path in contents:
            raise LettersError([row.problem("council", f"{row.council} is named twice")])
        contents[path] = kept_council_file(row, year).encode("utf-8")
    return contents


def plan_kept_year(project: Project, folder: Path, figures: list[FigureRow]) -> ImportPlan:
    """The figures imported into a year already kept (`letters import --history`): the rows'
    councils updated or added as `letters import` does this year's, each file checked against
    that year's own fields.yaml, and the councils the rows do not name left as they are."""
    kept = Project(folder)
    here, _ = council_names(project)
    slugs = {key: named.path.stem for key, named in here.items()}
    plan = plan_import(kept, figures, kept=KeptYear(int(folder.name), slugs))
    declaration = read_declaration(kept.document(kept.fields_file))
    problems = []
    for path, content in plan.contents.items():
        document = parse(SafeLoader, content.decode("utf-8"), project.shown(path))
        try:
            validate_council(document, declaration, past=True)
        except LettersError as error:
            problems += error.problems
    if problems:
        raise LettersError(problems)
    return plan


def write_history(contents: dict[Path, bytes], folder: Path) -> None:
    """Write an earlier year whole, or not at all."""
    with made_beside(folder) as staging:
        for path, data in contents.items():
            target = staging / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
