"""Writes a full year: 343 council files with ILLUSTRATIVE figures, beside the project's wording.

    .venv/bin/python benchmarks/make_year.py OUT_DIR

OUT_DIR gets councils/ (one file per council in data/english_councils_2019_20.csv: real names
and authority types, made-up recipients and counts, a realistic mix of optional paragraphs),
and copies of year.yaml, fields.yaml, templates/ and assets/, so that `letters build --root
OUT_DIR` builds it. Every section fields.yaml declares is filled in, each value as its kind
allows, and the first councils have every combination of the optional sections. The same
OUT_DIR is written the same way every time (a fixed random seed).
"""

import argparse
import csv
import itertools
import random
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from letters.data.fields import Declaration, FieldDeclaration, SectionDeclaration, read_declaration
from letters.data.load import load_document
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


# A realistic share of councils that have each optional section (others: OTHER_SHARE).
SHARES = {"witness_summons": 0.04, "training_courses": 0.12, "public_report": 0.04}
OTHER_SHARE = 0.1
SAMPLE_LISTS = {"training_courses": COURSES}


def combinations(declaration: Declaration) -> list[set[str]]:
    """Every combination of the declared optional sections, smallest first."""
    optional = declaration.optional_sections
    return [
        set(combination)
        for size in range(len(optional) + 1)
        for combination in itertools.combinations(optional, size)
    ]


def sections_for(rng: random.Random, index: int, declaration: Declaration) -> set[str]:
    """The first councils get one combination each; the rest draw with realistic shares."""
    draws = {
        name
        for name in declaration.optional_sections
        if rng.random() < SHARES.get(name, OTHER_SHARE)
    }
    every = combinations(declaration)
    return every[index] if index < len(every) else draws


def section_value(rng: random.Random, name: str, section: SectionDeclaration, kind: str) -> object:
    """Illustrative values for one section, each field as its kind and limits allow."""
    if section.kind == "paragraphs":
        return REPORT
    if section.kind == "list":
        items = SAMPLE_LISTS.get(name, [f"illustrative {name.replace('_', ' ')} {n}" for n in "ab"])
        return rng.sample(items, rng.choice([1, 1, 1, 2]))
    if name == "statistics" and set(section.fields) == set(counts(rng, kind)):
        return counts(rng, kind)
    values: dict[str, Any] = {}
    for field, declared in section.fields.items():
        if declared.optional and rng.random() < 0.3:
            continue
        values[field] = field_value(rng, declared, values)
    for field in (section.at_least_one or [])[:1]:
        values[field] = True if section.fields[field].kind == "yes-no" else values.get(field)
    return values


def field_value(rng: random.Random, field: FieldDeclaration, values: dict[str, Any]) -> object:
    low = int(field.minimum or 0)
    high = int(
        field.maximum if field.maximum is not None else 100 if field.kind == "percent" else 40
    )
    if field.at_most in values:
        high = min(high, values[field.at_most])
    generated: dict[str, Any] = {
        "count": lambda: rng.randint(low, max(low, high)),
        "percent": lambda: round(rng.uniform(low, high), 1),
        "yes-no": lambda: rng.random() < 0.5,
        "date": lambda: date(2020, rng.randint(1, 12), rng.randint(1, 28)),
        "text": lambda: "Illustrative text",
        "paragraphs": lambda: REPORT,
        "list": lambda: ["illustrative item one", "illustrative item two"][: rng.randint(1, 2)],
    }
    return generated[field.kind]()


def council_file(
    rng: random.Random, row: dict[str, str], declaration: Declaration, index: int
) -> str:
    kind = row["lgsco-type"]
    name = row["official-name"].replace('"', "'")
    text = (
        f"# {name}: ILLUSTRATIVE figures and recipient made up by benchmarks/make_year.py,\n"
        f"# not the council's real ones. Name and type from mySociety's open data (MIT).\n"
        f'name: "{name}"\nauthority_type: {kind}\n'
        f"recipient:\n  title: {rng.choice(TITLES)}\n  name: {rng.choice(SURNAMES)}\n"
        f"  job_title: {rng.choice(JOB_TITLES)}\n"
    )
    chosen = sections_for(rng, index, declaration)
    sections = {
        name: section_value(rng, name, section, kind)
        for name, section in declaration.sections.items()
        if not section.optional or name in chosen
    }
    return text + yaml.safe_dump(sections, sort_keys=False, allow_unicode=True, width=10**6)


def write_year(out: Path, wording: Path = REPO, councils: int | None = None, times: int = 1) -> int:
    """Writes the councils (all, or the first `councils`; the first 2 ** (optional sections)
    have every combination of them) into `out`, with the year and fields files, templates and
    assets of `wording`; `times` > 1 writes each council that many times ("Adur 2", adur-2),
    for a year larger than England's."""
    rng = random.Random(2020)
    declaration = read_declaration(load_document(wording / "fields.yaml", "fields.yaml"))
    shutil.rmtree(out / "councils", ignore_errors=True)
    (out / "councils").mkdir(parents=True)
    with COUNCILS_CSV.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))[:councils]
    rows = [copy_of(row, copy) for copy in range(1, times + 1) for row in rows]
    for index, row in enumerate(rows):
        path = out / "councils" / f"{slug_of(row['nice-name'])}.yaml"
        path.write_text(council_file(rng, row, declaration, index), encoding="utf-8")
    for folder in ("templates", "assets"):
        shutil.rmtree(out / folder, ignore_errors=True)
        shutil.copytree(wording / folder, out / folder)
    for name in ("year.yaml", "fields.yaml"):
        shutil.copy(wording / name, out / name)
    return len(rows)


def copy_of(row: dict[str, str], copy: int) -> dict[str, str]:
    if copy == 1:
        return row
    return {
        **row,
        "nice-name": f"{row['nice-name']} {copy}",
        "official-name": f"{row['official-name']} {copy}",
    }


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2]
    )
    parser.add_argument("out_dir", type=Path, help="the folder to write the year into")
    parser.add_argument("--councils", type=int, help="only the first N councils (default: all)")
    parser.add_argument("--times", type=int, default=1, help="each council K times (default: 1)")
    options = parser.parse_args(arguments)
    written = write_year(options.out_dir, councils=options.councils, times=options.times)
    print(f"{written} councils written to {options.out_dir}/councils")


if __name__ == "__main__":
    main(sys.argv[1:])
