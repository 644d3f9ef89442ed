"""Reviewing a year: what changed in a letter since approval and since last year (letters
changes), every letter that says a phrase (letters find), and the approved message kept."""

import hashlib
import json
import shutil
from pathlib import Path

from helpers import REFERENCE, confirmed, edit, letters


def approvals(root: Path) -> dict[str, dict]:
    lines = (root / "records" / "approvals.jsonl").read_text().splitlines()
    return {record["slug"]: record for record in map(json.loads, lines)}


def build(root: Path) -> None:
    result = letters("build", "--root", str(root))
    assert result.exit_code == 0, result.output


LEICESTER_NOW = [
    "  page 3: 31/03/20 Complaints upheld [-69% 69%-]{+67% 67%+} of complaints we "
    "investigated were upheld.",
    "  page 3: Leicester City Council [-69%-]{+67%+} Average for Unitary Councils 62% 29 upheld "
    "decisions Statistics are based on ...",
    "  page 3: ... Councils 62% 29 upheld decisions Statistics are based on a total of "
    "[-42-]{+43+} detailed investigations for the period between 1 April 2019 to 31 March ...",
    "  page 3: ... 13% 4 satisfactory remedy decisions Statistics are based on a total of "
    "[-42-]{+43+} detailed investigations for the period between 1 April 2019 to 31 March ...",
]
EMAIL_REWORDED = (
    "  email: wording: Until [-then,-]{+that day,+} please treat the letter and its statistics "
    "as confidential."
)


def test_what_changed_since_approval_is_said_in_words_even_after_cleaning(built_project: Path):
    root = built_project
    approve = letters(
        "approve", "leicester", "canterbury", "maidstone", "--by", "Sam", "--root", str(root)
    )
    assert approve.exit_code == 0, approve.output
    at = approvals(root)["leicester"]["at"]
    unchanged = letters("changes", "maidstone", "--root", str(root))
    assert (unchanged.exit_code, unchanged.stderr) == (0, "")
    assert unchanged.stdout == (
        f"councils/maidstone.yaml: no changes since approved by Sam at {at}\n"
        "no changes: 1 unchanged since approval\n"
    )

    edit(root / "councils" / "leicester.yaml", "investigations: 42", "investigations: 43")
    edit(root / "councils" / "canterbury.yaml", "email: ", "email: new.")
    edit(root / "templates" / "email.txt.j2", "Until then, please", "Until that day, please")
    build(root)
    expected = [
        f"councils/canterbury.yaml: changed since approved by Sam at {at}:",
        '  email: the recipient\'s address: was "chief.executive@canterbury.example", now '
        '"new.chief.executive@canterbury.example"',
        EMAIL_REWORDED,
        f"councils/leicester.yaml: changed since approved by Sam at {at}:",
        *LEICESTER_NOW,
        EMAIL_REWORDED,
        f"councils/maidstone.yaml: changed since approved by Sam at {at}:",
        EMAIL_REWORDED,
        "3 changed, 0 unchanged since approval; 2 with nothing to compare with",
    ]
    changes = letters("changes", "--root", str(root))
    assert (changes.exit_code, changes.stderr) == (0, "")
    assert changes.stdout.splitlines() == expected

    listing = letters("approve", "--list", "--root", str(root)).stdout.splitlines()
    assert listing[2].endswith(
        "figures changed since approval: statistics.investigations 42 -> 43, "
        "statistics.upheld % 69% -> 67%"
    )
    assert listing[1].endswith("figures changed since approval: none")

    shutil.rmtree(root / "build")  # make clean: the approved messages are kept in records/
    build(root)
    again = letters("changes", "--root", str(root))
    assert again.stdout.splitlines() == expected

    unapproved = letters("changes", "sevenoaks", "--root", str(root))
    assert (unapproved.exit_code, unapproved.stdout) == (
        1,
        "0 changed, 0 unchanged since approval; 1 not compared\n",
    )
    assert unapproved.stderr == (
        "councils/sevenoaks.yaml: has no approval to compare its letter with: approve it first, "
        "or compare it with last year's (letters changes --since last-year sevenoaks)\n"
    )


def test_the_approved_message_is_kept_whole_under_records(built_project: Path):
    root = built_project
    assert letters("approve", "canterbury", "--by", "Sam", "--root", str(root)).exit_code == 0
    record = approvals(root)["canterbury"]
    kept = root / "records" / "approved" / record["digest"]
    assert sorted(path.name for path in kept.iterdir()) == [
        "email.txt",
        "figures.json",
        "letter.pdf",
        "letter.txt",
    ]
    message = record["message"]
    assert hashlib.sha256((kept / "letter.pdf").read_bytes()).hexdigest() == message["pdf_sha256"]
    assert hashlib.sha256((kept / "email.txt").read_bytes()).hexdigest() == message["body_sha256"]
    assert (kept / "letter.pdf").read_bytes() == (
        root / "build" / "pdf" / "canterbury.pdf"
    ).read_bytes()
    assert json.loads((kept / "figures.json").read_text())["statistics.upheld %"] == "50%"
    overview = (root / "build" / "index.html").read_text()
    assert f'href="../records/approved/{record["digest"]}/letter.pdf"' in overview


def test_what_changed_since_last_year_matches_the_council_as_the_letter_does(
    built_project: Path, tmp_path: Path
):
    """Two kept years (2020, 2021) and this one (2022): a changed figure, and a council whose
    file was renamed this year, found in last year's letters by its name."""
    y2021, y2022 = tmp_path / "2021", tmp_path / "2022"
    for source, target in ((built_project, y2021), (y2021, y2022)):
        made = letters("new-year", str(target), "--root", str(source))
        assert made.exit_code == 0, made.output
        assert "the words of 5 letters built from their current files" in made.output
        assert (
            letters("import", str(REFERENCE / "figures-2020.csv"), "--root", str(target)).exit_code
            == 0
        )
        confirmed(target / "year.yaml")
        if target == y2021:
            build(y2021)
    assert sorted(path.name for path in (y2022 / "history" / "2021" / "letters").iterdir()) == [
        "cannock-chase.txt",
        "canterbury.txt",
        "leicester.txt",
        "maidstone.txt",
        "sevenoaks.txt",
    ]
    edit(y2022 / "councils" / "canterbury.yaml", "upheld: 5", "upheld: 8")
    (y2022 / "councils" / "sevenoaks.yaml").rename(y2022 / "councils" / "sevenoaks-district.yaml")
    build(y2022)
    changes = letters(
        "changes", "canterbury", "sevenoaks-district", "--since", "last-year", "--root", str(y2022)
    )
    assert (changes.exit_code, changes.stderr) == (0, ""), changes.output
    lines = changes.stdout.splitlines()
    assert lines[0] == "councils/canterbury.yaml: changed since its letter of 2021:"
    assert (
        "  page 3: [-31/03/21-]{+31/03/22+} Complaints upheld [-50% 50%-]{+80% 80%+} of "
        "complaints we investigated were upheld."
    ) in lines
    assert (
        "  page 3: Canterbury City Council [-50%-]{+80%+} Average for District Councils 45% "
        "[-5-]{+8+} upheld decisions Statistics are based on a total of 10 detailed "
        "investigations ..."
    ) in lines
    sevenoaks = lines.index(
        "councils/sevenoaks-district.yaml: changed since its letter of 2021 (as sevenoaks):"
    )
    assert lines[sevenoaks + 5] == (
        "  page 3: [-31/03/21-]{+31/03/22+} Complaints upheld 33% 33% of complaints we "
        "investigated were upheld."
    )
    assert lines[-1] == "2 changed, 0 unchanged since last year"
