"""Import, write: put a spreadsheet's figures into the council files, changing nothing else."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from letters.load import load_document
from letters.problems import LettersError, Problem
from letters.project import Project
from letters.spreadsheet import COUNTS, FigureRow
from letters.write import write_atomically

Location = tuple[str, ...]


@dataclass
class Plan:
    """What an import would do: per council file, the old and new value of each figure."""

    changes: dict[Path, dict[Location, tuple[object, object]]] = field(default_factory=dict)
    new_files: dict[Path, str] = field(default_factory=dict)
    unchanged: list[Path] = field(default_factory=list)
    without_row: list[Path] = field(default_factory=list)


def plan_import(project: Project, figures: list[FigureRow]) -> Plan:
    """Match each row to its council file by the council's name, and work out the changes."""
    by_name, problems = council_names(project)
    if problems:
        raise LettersError(problems)
    plan, matched = Plan(), set()
    for row in figures:
        path = by_name.get(row.council.casefold())
        if path is None:
            path = project.council_file(slug_of(row.council))
            if path.exists():
                raise LettersError([Problem(project.shown(path), f"already holds another "
                                            f"council, so {row.council} cannot be created there")])
            plan.new_files[path] = new_council_file(row)
            continue
        matched.add(path)
        changes = figure_changes(load_document(path, project.shown(path)).data, row)
        missing = [".".join(location) for location, (old, _) in changes.items() if old is None]
        if missing:
            problems += [Problem(project.shown(path), "is missing: add it by hand, then import "
                                 "again", None, field) for field in missing]
        elif changes:
            plan.changes[path] = changes
        else:
            plan.unchanged.append(path)
    if problems:
        raise LettersError(problems)
    plan.without_row = [path for path in by_name.values() if path not in matched]
    return plan


def apply(plan: Plan) -> None:
    """Write the planned changes: every file is replaced whole, or not at all."""
    for path, changes in plan.changes.items():
        text = path.read_text(encoding="utf-8")
        new = {location: new_value for location, (_, new_value) in changes.items()}
        write_atomically(path, replace_values(text, new).encode("utf-8"))
    for path, text in plan.new_files.items():
        write_atomically(path, text.encode("utf-8"))


def council_names(project: Project) -> tuple[dict[str, Path], list[Problem]]:
    names, problems = {}, []
    for path in project.council_files():
        try:
            data = load_document(path, project.shown(path)).data
        except LettersError as error:
            problems += error.problems
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            names[data["name"].strip().casefold()] = path
        else:
            problems.append(Problem(project.shown(path), "has no name: the import matches rows "
                                    "to council files by name", 1, "name"))
    return names, problems


def figure_changes(data: dict, row: FigureRow) -> dict[Location, tuple[object, object]]:
    wanted = {("authority_type",): row.authority_type,
              **{("statistics", count): row.counts[count] for count in COUNTS}}
    statistics = data.get("statistics") if isinstance(data.get("statistics"), dict) else {}
    current = {("authority_type",): data.get("authority_type"),
               **{("statistics", count): statistics.get(count) for count in COUNTS}}
    return {location: (current[location], value) for location, value in wanted.items()
            if current[location] != value}


def replace_values(text: str, new: dict[Location, object]) -> str:
    """`text` with the scalar values at the given locations replaced, byte for byte otherwise:
    comments, order, quoting and every other value stay exactly as they were."""
    spans = scalar_spans(yaml.compose(text, Loader=yaml.SafeLoader), ())
    for location in sorted(new, key=lambda location: spans[location][0], reverse=True):
        start, end, style = spans[location]
        value = str(new[location])
        quoted = f"{style}{value}{style}" if style in ("'", '"') else value
        text = text[:start] + quoted + text[end:]
    return text


def scalar_spans(node: yaml.Node, location: Location) -> dict[Location, tuple[int, int, str]]:
    """Where each scalar value starts and ends in the text, and how it is quoted."""
    if isinstance(node, yaml.ScalarNode):
        return {location: (node.start_mark.index, node.end_mark.index, node.style or "")}
    spans = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                spans.update(scalar_spans(value, (*location, key.value)))
    return spans


def slug_of(name: str) -> str:
    """'Brighton and Hove City Council' -> 'brighton-and-hove-city-council'."""
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def new_council_file(row: FigureRow) -> str:
    counts = "".join(f"  {count}: {row.counts[count]}\n" for count in COUNTS)
    name = row.council.replace('"', '\\"')
    return (f"# {row.council}: made by `letters import` from the case system's figures.\n"
            f"# Fill in the recipient before building (letters check lists what is missing):\n"
            f"# recipient:\n#   title: Mr\n#   name: Surname\n#   job_title: Chief Executive\n"
            f'name: "{name}"\nauthority_type: {row.authority_type}\n'
            f"statistics:\n{counts}")
