"""Every kind of mistake in the data gets its exact one-line message, through the real CLI."""

import shutil
from pathlib import Path

import pytest

from helpers import last_line, letters

BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"
COUNCIL_CASES = sorted((BAD_INPUTS / "councils").glob("*.yaml"))
YEAR_CASES = sorted((BAD_INPUTS / "year").glob("*.yaml"))


def expected(case: Path) -> str:
    return case.with_suffix(".expected").read_text(encoding="utf-8")


def summary(problems: int, councils: int) -> str:
    return (f"{problems} {'problem' if problems == 1 else 'problems'} in 1 file; "
            f"{councils} councils checked\n")


def test_the_corpus_is_large_enough():
    assert len(COUNCIL_CASES) + len(YEAR_CASES) >= 40
    assert all(case.with_suffix(".expected").is_file() for case in COUNCIL_CASES + YEAR_CASES)


@pytest.mark.parametrize("case", COUNCIL_CASES, ids=lambda case: case.stem)
def test_check_names_file_line_and_field(project: Path, case: Path):
    shutil.copy(case, project / "councils" / case.name)
    result = letters("check", "--root", str(project))
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stderr == expected(case)
    assert result.stdout == summary(expected(case).count("\n"), 6)


@pytest.mark.parametrize("case", COUNCIL_CASES, ids=lambda case: case.stem)
def test_build_skips_the_council_and_says_why(project: Path, case: Path):
    shutil.copy(case, project / "councils" / case.name)
    result = letters("build", case.stem, "--root", str(project))
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stderr == expected(case)
    assert last_line(result).startswith("0 built, 0 unchanged, "
                                        "1 skipped (data errors), 0 failed in ")
    assert not (project / "build" / "pdf" / f"{case.stem}.pdf").exists()


@pytest.mark.parametrize("case", YEAR_CASES, ids=lambda case: case.stem)
def test_check_names_the_year_files_mistake(project: Path, case: Path):
    shutil.copy(case, project / "year.yaml")
    result = letters("check", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == expected(case)
    assert result.stdout == summary(1, 5)


def test_a_broken_year_file_stops_the_build_before_anything_is_written(project: Path):
    shutil.copy(BAD_INPUTS / "year" / "impossible-date.yaml", project / "year.yaml")
    result = letters("build", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == expected(BAD_INPUTS / "year" / "impossible-date.yaml")
    assert not (project / "build").exists()


def test_a_folder_named_like_a_council_file(project: Path):
    (project / "councils" / "folder.yaml").mkdir()
    result = letters("check", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == ("councils/folder.yaml: is not a file: council files must be plain "
                             "text files ending in .yaml\n")


def test_a_file_of_several_megabytes(project: Path):
    (project / "councils" / "huge.yaml").write_text("name: x\n" + "# padding\n" * 500_000)
    result = letters("check", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == "councils/huge.yaml: is larger than 1 MB: is it the right file?\n"


def test_every_problem_in_every_file_at_once(project: Path):
    for name in ("count-negative", "unknown-field-misspelt", "yaml-tab-indent"):
        shutil.copy(BAD_INPUTS / "councils" / f"{name}.yaml", project / "councils")
    (project / "councils" / "two-mistakes.yaml").write_text(
        (BAD_INPUTS / "councils" / "upheld-more-than-investigations.yaml").read_text()
        .replace("name: Testham Borough Council", "name: ''"))
    result = letters("check", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == (
        expected(BAD_INPUTS / "councils" / "count-negative.yaml")
        + "councils/two-mistakes.yaml:1: name: is empty: write the text or remove the field\n"
        "councils/two-mistakes.yaml:9: statistics.upheld: 12 is more than "
        "statistics.investigations (10)\n"
        + expected(BAD_INPUTS / "councils" / "unknown-field-misspelt.yaml")
        + expected(BAD_INPUTS / "councils" / "yaml-tab-indent.yaml"))
    assert result.stdout == "5 problems in 4 files; 9 councils checked\n"
