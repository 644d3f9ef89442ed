"""The suite tells the truth: every doctest in src/ is collected (a folder pytest skips by
default, such as one named build/, once hid one)."""

import doctest
import importlib
import subprocess
import sys

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
