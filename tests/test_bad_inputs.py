"""Every kind of bad input gets its exact one-line message through the real CLI, exit status 1,
and no traceback (tests/bad_inputs/cases.py lists them)."""

import shutil
from pathlib import Path

import pytest

from bad_inputs.cases import CASES, Case
from helpers import last_line, letters

BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"
COUNCIL_CASES = sorted((BAD_INPUTS / "councils").glob("*.yaml"))
FAMILIES = {
    "council files",
    "year files",
    "spreadsheets",
    "templates",
    "command lines",
    "file-system states",
}


def expected(case: Path) -> str:
    return case.with_suffix(".expected").read_text(encoding="utf-8")


def test_the_corpus_covers_every_family():
    assert {case.family for case in CASES} == FAMILIES
    assert len(CASES) >= 140
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_bad_input_gets_its_exact_message(
    project: Path, case: Case, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(project)
    result = letters(*case.setup(project))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, result.stderr) == (case.exit_code, case.expected)
    assert "unexpected error" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("case", COUNCIL_CASES, ids=lambda case: case.stem)
def test_build_skips_the_council_and_says_why(project: Path, case: Path):
    shutil.copy(case, project / "councils" / case.name)
    result = letters("build", case.stem, "--root", str(project))
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stderr == expected(case)
    assert last_line(result).startswith(
        "0 built, 0 unchanged, 1 skipped (data errors), 0 failed in "
    )
    assert not (project / "build" / "pdf" / f"{case.stem}.pdf").exists()


def test_check_counts_the_problems_and_the_councils(project: Path):
    shutil.copy(BAD_INPUTS / "councils" / "count-negative.yaml", project / "councils")
    result = letters("check", "--root", str(project))
    assert result.stdout == "1 problem in 1 file; 6 councils checked\n"


def test_a_broken_year_file_stops_the_build_before_anything_is_written(project: Path):
    shutil.copy(BAD_INPUTS / "year" / "impossible-date.yaml", project / "year.yaml")
    result = letters("build", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == expected(BAD_INPUTS / "year" / "impossible-date.yaml")
    assert not (project / "build").exists()


def test_every_problem_in_every_file_at_once(project: Path):
    for name in ("count-negative", "unknown-field-misspelt", "yaml-tab-indent"):
        shutil.copy(BAD_INPUTS / "councils" / f"{name}.yaml", project / "councils")
    (project / "councils" / "two-mistakes.yaml").write_text(
        (BAD_INPUTS / "councils" / "upheld-more-than-investigations.yaml")
        .read_text()
        .replace("name: Testham Borough Council", "name: ''")
    )
    result = letters("check", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == (
        expected(BAD_INPUTS / "councils" / "count-negative.yaml")
        + "councils/two-mistakes.yaml:1: name: is empty: write the text\n"
        "councils/two-mistakes.yaml:9: statistics.upheld: 12 is more than "
        "statistics.investigations (10)\n"
        + expected(BAD_INPUTS / "councils" / "unknown-field-misspelt.yaml")
        + expected(BAD_INPUTS / "councils" / "yaml-tab-indent.yaml")
    )
    assert result.stdout == "5 problems in 4 files; 9 councils checked\n"
