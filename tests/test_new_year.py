"""letters new-year: next year's folder, made whole or not at all, with exactly what is left to
do listed by letters check (the facts to confirm among it)."""

import os
from datetime import date
from pathlib import Path

import pytest

from helpers import REFERENCE, SLUGS, edit, letters
from letters.data.validate import a_year_later


def confirm_lines(year_file: Path) -> list[str]:
    return [line for line in year_file.read_text().splitlines() if "# CONFIRM for " in line]


def test_new_year_leaves_exactly_the_figures_and_facts_to_fill_in(project: Path, tmp_path: Path):
    next_year = tmp_path / "letters-2021"
    result = letters("new-year", str(next_year), "--root", str(project))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{next_year}: the 2021 letters' folder, with 5 council files"
    assert lines[1] == (
        "Kept in its history/: this year's data, and the words of 0 letters built from their "
        "current files (5 not: build them here first to keep them)"
    )
    lines.pop(1)
    assert (
        lines[1]
        == f"To confirm in {next_year / 'year.yaml'} (delete each CONFIRM line once checked):"
    )
    assert "  line 6: letter_date moved a year on from 2020-07-22" in lines
    assert "  line 18: signatory: the section below is last year's" in lines
    year = (next_year / "year.yaml").read_text()
    assert 'year: 2021                     # "Annual Review letter 2021"\n' in year
    assert 'letter_date: 2021-07-22        # printed as "22 July 2021"\n' in year
    assert (
        "  # CONFIRM for 2021: period.start moved a year on from 2019-04-01\n  start: 2020-04-01\n"
        "  # CONFIRM for 2021: period.end moved a year on from 2020-03-31\n  end: 2021-03-31\n"
    ) in year
    assert year.count(": the section below is last year's\n") == 5
    assert (
        "# CONFIRM for 2021: the comment on the next line was written for 2020\n"
        "# District Councils are the real 2019-20 averages" in year
    )
    assert len(lines) == 2 + len(confirm_lines(next_year / "year.yaml")) + 1
    for same in ("templates/letter.html.j2", "fields.yaml"):  # the wording, and what it uses
        assert (next_year / same).read_bytes() == (project / same).read_bytes()
    for kept in ("year.yaml", "fields.yaml", "councils/leicester.yaml"):  # this year, as it was
        assert (next_year / "history" / "2020" / kept).read_bytes() == (project / kept).read_bytes()

    check = letters("check", "--root", str(next_year), "--allow-unconfirmed")
    assert check.stderr == "".join(
        f"councils/{slug}.yaml: statistics: is missing: letters import fills it from the case "
        f"system's spreadsheet (the README's yearly routine, step 3), or add it by hand as the "
        f"README's example shows\n"
        for slug in sorted(SLUGS)
    )
    imported = letters("import", str(REFERENCE / "figures-2020.csv"), "--root", str(next_year))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.endswith("5 updated, 0 created, 0 unchanged, 0 without a row\n")
    unconfirmed = letters("check", "--root", str(next_year))
    assert unconfirmed.exit_code == 1
    assert unconfirmed.stderr.splitlines()[0] == (
        "year.yaml:6: still marked to confirm (letter_date moved a year on from 2020-07-22): "
        "check it, then delete the CONFIRM line"
    )
    assert unconfirmed.stdout == "10 problems in 1 file; 5 councils checked\n"
    assert letters("check", "--root", str(next_year), "--allow-unconfirmed").output == (
        "5 councils OK\n"
    )
    (next_year / "year.yaml").write_text(
        "".join(
            line
            for line in (next_year / "year.yaml").read_text().splitlines(keepends=True)
            if "# CONFIRM for " not in line
        )
    )
    assert letters("check", "--root", str(next_year)).output == "5 councils OK\n"
    built = letters("build", "maidstone", "--root", str(next_year), "--html-only")
    assert built.exit_code == 0, built.output
    assert (
        "Annual Review letter 2021" in (next_year / "build" / "html" / "maidstone.html").read_text()
    )


def test_new_year_will_not_write_into_a_folder_in_use(project: Path):
    result = letters("new-year", str(project / "templates"), "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{project / 'templates'}: is inside this year's folder ({project.resolve()}): give a "
        f"folder beside it instead, such as {project.resolve().parent / 'letters-next-year'}\n"
    )


@pytest.mark.parametrize("inside", ["assets/fonts/next", "next-year", "."])
def test_a_target_inside_the_project_is_refused_before_anything_is_written(
    project: Path, inside: str
):
    before = sorted(path for path in project.rglob("*"))
    result = letters("new-year", str(project / inside), "--root", str(project))
    assert result.exit_code == 1
    assert "is inside this year's folder" in result.stderr
    assert sorted(path for path in project.rglob("*")) == before


def test_a_council_file_that_is_a_link_is_refused_and_nothing_is_made(
    project: Path, tmp_path: Path
):
    outside = tmp_path / "outside.yaml"
    outside.write_text((project / "councils" / "leicester.yaml").read_text())
    (project / "councils" / "leicester.yaml").unlink()
    (project / "councils" / "leicester.yaml").symlink_to(outside)
    next_year = tmp_path / "letters-2021"
    result = letters("new-year", str(next_year), "--root", str(project))
    assert (result.exit_code, result.stderr) == (
        1,
        "councils/leicester.yaml: is a link to another file: keep the file itself here, not a "
        "link to it\n",
    )
    assert not next_year.exists()


def test_a_failure_part_way_leaves_nothing_and_a_second_try_works(project: Path, tmp_path: Path):
    os.mkfifo(project / "templates" / "_pipe.html.j2")  # a file that cannot be copied
    next_year = tmp_path / "letters-2021"
    result = letters("new-year", str(next_year), "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr.startswith("templates/_pipe.html.j2: cannot be copied (")
    assert result.stderr.endswith("): fix it, then try again\n")
    assert list(tmp_path.iterdir()) == [project]  # nothing made, nothing half-made beside it
    (project / "templates" / "_pipe.html.j2").unlink()
    retried = letters("new-year", str(next_year), "--root", str(project))
    assert retried.exit_code == 0, retried.output
    assert len(list((next_year / "councils").glob("*.yaml"))) == 5


def test_a_broken_council_file_stops_it_before_anything_is_written(project: Path, tmp_path: Path):
    (project / "councils" / "sevenoaks.yaml").write_text("name: [\n")
    next_year = tmp_path / "letters-2021"
    result = letters("new-year", str(next_year), "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr.startswith("councils/sevenoaks.yaml:")
    assert not next_year.exists()


@pytest.mark.parametrize(
    ("day", "a_year_on"),
    [
        (date(2020, 7, 22), date(2021, 7, 22)),
        (date(2019, 2, 28), date(2020, 2, 29)),  # the month's last day stays its last day
        (date(2020, 2, 29), date(2021, 2, 28)),
        (date(2020, 2, 28), date(2021, 2, 28)),  # not the last day in a leap year
        (date(2020, 3, 31), date(2021, 3, 31)),
        (date(2020, 4, 30), date(2021, 4, 30)),
    ],
)
def test_dates_move_a_year_on_keeping_month_ends(day: date, a_year_on: date):
    assert a_year_later(day) == a_year_on


def test_a_period_ending_in_february_quoted_dates_and_crlf_lines(project: Path, tmp_path: Path):
    year_file = project / "year.yaml"
    edit(
        year_file,
        "  start: 2019-04-01\n  end: 2020-03-31",
        "  start: 2018-03-01\n  end: 2019-02-28",
    )
    edit(year_file, "letter_date: 2020-07-22", "letter_date: '2020-07-22'")
    year_file.write_bytes(year_file.read_bytes().replace(b"\n", b"\r\n"))
    next_year = tmp_path / "letters-2021"
    result = letters("new-year", str(next_year), "--root", str(project))
    assert result.exit_code == 0, result.output
    raw = (next_year / "year.yaml").read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")  # every line ends as the old file's did
    text = raw.decode().replace("\r\n", "\n")
    assert "  start: 2019-03-01\n" in text and "  end: 2020-02-29\n" in text
    assert "letter_date: 2021-07-22 " in text


def test_a_year_not_finished_is_refused_or_kept_only_where_whole(project: Path, tmp_path: Path):
    """Facts still to confirm and a council without figures: refused, saying why; with
    --unfinished, next year is made, its markers not stacked, the incomplete council left out
    of history/ (which next year could not read)."""
    first = tmp_path / "letters-2021"
    assert letters("new-year", str(first), "--root", str(project)).exit_code == 0
    assert (
        letters("import", str(REFERENCE / "figures-2020.csv"), "--root", str(first)).exit_code == 0
    )
    edit(first / "councils" / "maidstone.yaml", "statistics:", "figures:")
    second = tmp_path / "letters-2022"
    refused = letters("new-year", str(second), "--root", str(first))
    assert refused.exit_code == 1 and not second.exists()
    problems = refused.stderr.splitlines()
    assert problems[0] == (
        "year.yaml:6: still marked to confirm (letter_date moved a year on from 2020-07-22): "
        "check it, then delete the CONFIRM line"
    )
    assert (
        "councils/maidstone.yaml: statistics: is missing: letters import fills it from the case "
        "system's spreadsheet (the README's yearly routine, step 3), or add it by hand as the "
        "README's example shows"
    ) in problems
    assert problems[-1] == (
        "letters new-year: this year is not finished (above: what letters check finds): next "
        "year keeps it as history, so finish it first; to start from it as it is, give "
        "--unfinished (history/ then keeps only the councils whose files are whole)"
    )

    made = letters("new-year", str(second), "--unfinished", "--root", str(first))
    assert made.exit_code == 0, made.output
    assert "Not kept in its history/ (their files are not whole): maidstone" in made.stdout
    year = (second / "year.yaml").read_text()
    assert "# CONFIRM for 2021" not in year
    assert year.count("# CONFIRM for 2022: letter_date moved a year on from 2021-07-22\n") == 1
    kept = sorted(path.stem for path in (second / "history" / "2021" / "councils").iterdir())
    assert kept == sorted(set(SLUGS) - {"maidstone"})
    assert (
        letters("import", str(REFERENCE / "figures-2020.csv"), "--root", str(second)).exit_code == 0
    )
    check = letters("check", "--allow-unconfirmed", "--root", str(second))
    assert (check.exit_code, check.stderr) == (0, ""), check.output
