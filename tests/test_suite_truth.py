"""The suite tells the truth: every doctest in src/ is collected (a folder pytest skips by
default, such as one named build/, once hid one)."""

import doctest
import importlib
import re
import subprocess
import sys
from pathlib import Path

from helpers import REPO

PACKAGE = REPO / "src" / "letters"


def doctests_in_src() -> set[str]:
    """Every docstring example in the package, by the name pytest gives its doctest."""
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":  # runs the command when imported
            continue
        dotted = ".".join(path.relative_to(REPO / "src").with_suffix("").parts)
        module = importlib.import_module(dotted.removesuffix(".__init__"))
        found |= {test.name for test in doctest.DocTestFinder().find(module) if test.examples}
    return found


def test_every_doctest_in_src_is_collected():
    expected = doctests_in_src()
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", "src/letters"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    collected = {line.split("::")[-1] for line in listed.splitlines() if "::" in line}
    assert expected and expected - collected == set()


def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def modules_in_the_readmes_map() -> list[str]:
    """Every module the README's table of packages names, as a path under src/letters/."""
    table = readme().split("| package | module | does |", 1)[1].split("\n\n", 1)[0]
    found, package = [], ""
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if cells[0]:
            package = "" if cells[0] == "top" else cells[0].strip("`")
        for module in re.findall(r"`([\w.]+\.py)`", cells[1]):
            found.append(f"{package}{module}")
    return found


def test_every_module_the_readme_names_exists_and_every_module_is_named():
    named = modules_in_the_readmes_map()
    assert [module for module in named if not (PACKAGE / module).is_file()] == []
    modules = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py"
    }
    assert sorted(modules - set(named)) == []


OUTPUT_OR_RECORD = re.compile(r"`((?:build|records)/[\w.-]+\.(?:json|jsonl|lock|html|csv))`")


def test_every_build_or_records_file_the_readme_names_is_one_the_tool_writes():
    from letters.data.project import Project

    project = Project(Path("/project"))
    outputs, records = project.outputs(), project.records()
    written = {
        str(path.relative_to("/project"))
        for holder in (outputs, records)
        for name in dir(holder)
        if not name.startswith("_")
        and isinstance(path := getattr(holder, name), Path)
        and path.suffix
    }
    named = set(OUTPUT_OR_RECORD.findall(readme()))
    assert named and named - written == set()
