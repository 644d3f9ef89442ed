"""The house by stages: each package imports only from the stages before it, never up."""

import ast
from pathlib import Path

import letters

PACKAGE = Path(letters.__file__).parent

# Earlier stages first: a module may import from its own stage and those listed before it.
STAGES = [
    ("problems", "interrupt"),
    ("data",),
    ("letter",),
    ("pages",),
    ("batch",),
    ("send",),
    ("review",),
    ("overview",),
    ("preview", "spreadsheet"),
    ("year",),
    ("cli", "__main__"),
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}


def stage_of(module: str) -> str:
    """'letters.batch.pipeline' -> 'batch'."""
    return module.split(".")[1]


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("letters.")
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("letters.")
    ]


def test_every_module_belongs_to_a_stage():
    modules = {
        path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in PACKAGE.rglob("*.py")
    }
    assert modules - {"__init__"} == set(RANK)


def test_no_module_imports_from_a_later_stage():
    climbs = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if here == "__init__":
            continue
        for module in imports_of(path):
            if RANK[stage_of(module)] > RANK[here]:
                climbs.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert climbs == []


def test_only_the_commands_call_the_orchestrator():
    """Reading a project and rendering a letter live in their stages, not in batch/pipeline.py."""
    callers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "letters.batch.pipeline" in imports_of(path)
    )
    assert callers == ["cli.py"]
