"""Writes a full year: 343 council files with ILLUSTRATIVE figures, beside the project's wording.

    .venv/bin/python benchmarks/make_year.py OUT_DIR

OUT_DIR gets councils/ (one file per council in data/english_councils_2019_20.csv: real names
and authority types, made-up recipients and counts, a realistic mix of optional paragraphs),
and copies of year.yaml, templates/ and assets/, so that `letters build --root OUT_DIR` builds it.
The same OUT_DIR is written the same way every time (a fixed random seed).
"""

import csv
import itertools
import random
import shutil
import sys
from pathlib import Path

from letters.spreadsheet.update import slug_of

REPO = Path(__file__).resolve().parent.parent
COUNCILS_CSV = Path(__file__).resolve().parent / "data" / "english_councils_2019_20.csv"

# Rough size of a year's detailed investigations, and the share upheld, by type (illustrative).
INVESTIGATIONS = {
    "District Councils": (2, 25),
    "Unitary Councils": (10, 80),
    "Metropolitan Boroughs": (20, 90),
    "London Boroughs": (15, 85),
    "County Councils": (30, 120),
}
UPHELD_SHARE = {
    "District Councils": 0.45,
    "Unitary Councils": 0.62,
    "Metropolitan Boroughs": 0.67,
    "London Boroughs": 0.63,
    "County Councils": 0.68,
}
TITLES = ["Mr", "Ms", "Mrs", "Dr"]
SURNAMES = [
    "Ahmed",
    "Baker",
    "Carter",
    "Davies",
    "Evans",
    "Fletcher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nolan",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Underwood",
    "Vaughan",
    "Walker",
    "Young",
]
JOB_TITLES = [
    "Chief Executive",
    "Managing Director",
    "Head of Paid Service",
    "Chief Executive & Town Clerk",
    "Chief Operating Officer",
]
COURSES = [
    "complaint handling",
    "planning complaint handling",
    "adult social care complaint handling",
    "children's services complaint handling",
]
REPORT = """This year, I issued a public report about the Council after it delayed a decision
about a resident's housing for many months, causing avoidable distress. (Illustrative text.)

The Council has since agreed to apologise, to pay the resident for the distress caused, and
to review how it handles similar cases."""


def counts(rng: random.Random, kind: str) -> dict[str, int]:
    low, high = INVESTIGATIONS[kind]
    investigations = rng.randint(low, high)
    upheld = sum(rng.random() < UPHELD_SHARE[kind] for _ in range(investigations))
    outcomes = sum(rng.random() < 0.8 for _ in range(upheld))
    implemented = outcomes - (1 if outcomes and rng.random() < 0.05 else 0)
    remedies = sum(rng.random() < 0.15 for _ in range(upheld))
    return {
        "investigations": investigations,
        "upheld": upheld,
        "compliance_outcomes": outcomes,
        "implemented": implemented,
        "satisfactory_remedies": remedies,
    }


# Every combination of the optional paragraphs, so a year holds each at least once: the first
# councils get one each, the rest at random with realistic shares.
COMBINATIONS = [
    set(combination)
    for size in range(4)
    for combination in itertools.combinations(
        ("witness_summons", "training_courses", "public_report"), size
    )
]


def paragraphs_for(rng: random.Random, index: int) -> set[str]:
    draws = {
        name
        for name, share in (
            ("witness_summons", 0.04),
            ("training_courses", 0.12),
            ("public_report", 0.04),
        )
        if rng.random() < share
    }
    return COMBINATIONS[index] if index < len(COMBINATIONS) else draws


def council_file(rng: random.Random, row: dict[str, str], index: int = len(COMBINATIONS)) -> str:
    kind = row["lgsco-type"]
    name = row["official-name"].replace('"', "'")
    statistics = "\n".join(f"  {field}: {value}" for field, value in counts(rng, kind).items())
    text = (
        f"# {name}: ILLUSTRATIVE figures and recipient made up by benchmarks/make_year.py,\n"
        f"# not the council's real ones. Name and type from mySociety's open data (MIT).\n"
        f'name: "{name}"\nauthority_type: {kind}\n'
        f"recipient:\n  title: {rng.choice(TITLES)}\n  name: {rng.choice(SURNAMES)}\n"
        f"  job_title: {rng.choice(JOB_TITLES)}\n"
        f"statistics:\n{statistics}\n"
    )
    paragraphs = paragraphs_for(rng, index)
    if "witness_summons" in paragraphs:
        text += "witness_summons:\n  threatened: true\n"
        text += f"  incomplete_response: {str(rng.random() < 0.5).lower()}\n"
    if "training_courses" in paragraphs:
        text += "training_courses:\n" + "".join(
            f'  - "{course}"\n' for course in rng.sample(COURSES, rng.choice([1, 1, 1, 2]))
        )
    if "public_report" in paragraphs:
        text += "public_report: |\n" + "".join(
            f"  {line}\n" if line else "\n" for line in REPORT.splitlines()
        )
    return text


def write_year(out: Path, wording: Path = REPO, councils: int | None = None) -> int:
    """Writes the councils (all, or the first `councils`; 8 or more have every combination of
    optional paragraphs) into `out`, with the year file, templates and assets of `wording`."""
    rng = random.Random(2020)
    shutil.rmtree(out / "councils", ignore_errors=True)
    (out / "councils").mkdir(parents=True)
    with COUNCILS_CSV.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))[:councils]
    for index, row in enumerate(rows):
        path = out / "councils" / f"{slug_of(row['nice-name'])}.yaml"
        path.write_text(council_file(rng, row, index), encoding="utf-8")
    for folder in ("templates", "assets"):
        shutil.rmtree(out / folder, ignore_errors=True)
        shutil.copytree(wording / folder, out / folder)
    shutil.copy(wording / "year.yaml", out / "year.yaml")
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"{write_year(Path(sys.argv[1]))} councils written to {sys.argv[1]}/councils")
