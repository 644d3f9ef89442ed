"""The suite tells the truth: every doctest in src/ is collected (a folder pytest skips by
default, such as one named build/, once hid one)."""

import ast
import doctest
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import REPO, edit

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


def imports_of(path: Path) -> set[str]:
    """The package's modules one module imports, wherever in it (inside functions, or only for
    the type checker, too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in named if name in MODULES}


MODULES = {
    ".".join(path.relative_to(REPO / "src").with_suffix("").parts): path
    for path in PACKAGE.rglob("*.py")
    if path.name != "__init__.py"
}


def a_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports (the modules in order, the first again at the end), if any."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for imported in sorted(graph[module]):
            if circle := visit(imported, [*path, module]):
                return circle
        done.add(module)
        return None

    return next(filter(None, (visit(module, []) for module in sorted(graph))), None)


def test_imports_run_one_way():
    """Each module stands on the ones it imports, never the other way round, not even through
    an import inside a function or one only for the type checker."""
    graph = {module: imports_of(path) for module, path in MODULES.items()}
    assert a_circle(graph) is None
    assert a_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


# What staff change each year: the tests never read the folder's own copy of any of them.
THE_YEAR = ("councils", "templates", "assets", "history", "year.yaml", "fields.yaml")
READS_THE_YEAR = re.compile(
    r"REPO\s*/\s*\"(" + "|".join(map(re.escape, THE_YEAR)) + r")\"|--root\",\s*str\(REPO\)"
)


def test_no_test_reads_the_year_this_folder_holds():
    """The tests build from tests/reference/ (the README: `make test` passes whatever year this
    folder holds); only the benchmarks, which measure any year, use the folder's own."""
    found = [
        f"{path.name}:{number}"
        for path in sorted((REPO / "tests").glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if READS_THE_YEAR.search(line) and path.name != "test_suite_truth.py"
    ]
    assert found == []
    assert READS_THE_YEAR.search('REPO / "templates" / "letter.html.j2"')


def test_a_reworded_year_passes_the_tests_of_the_wording(tmp_path: Path):
    """A copy of this folder made next year's as the README says (by hand: the year's dates
    moved on, a sentence reworded, a council's count changed) passes the tests that check the
    letters' wording word for word: they read the reference year, not the folder's."""
    copy = tmp_path / "letters-2021"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, copy / name)
    edit(copy / "year.yaml", "year: 2020", "year: 2021")
    edit(
        copy / "templates" / "letter.html.j2",
        "I write to you with our annual summary",
        "I am writing to you with our yearly summary",
    )
    council = next((copy / "councils").glob("*.yaml"))
    council.write_text(re.sub(r"upheld: (\d+)", "upheld: 0", council.read_text(), count=1))
    tests = ["tests/test_golden.py", "tests/test_wording.py", "tests/test_suite_truth.py"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            *tests,
            "-k",
            "not reworded",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
