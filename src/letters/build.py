"""Stage 7, build: run every council through the pipeline and write its outputs."""

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from letters.context import letter_context
from letters.load import load_document
from letters.problems import LettersError, Problem
from letters.project import Project
from letters.render_html import html_environment, render_html
from letters.render_pdf import render_pdf
from letters.validate import Council, Year, validate_council, validate_year


@dataclass
class Outcome:
    """What happened to one council in a build."""

    slug: str
    problems: list[Problem] = field(default_factory=list)
    pages: int | None = None
    stale: bool = False

    @property
    def built(self) -> bool:
        return not self.problems


@dataclass
class BuildReport:
    outcomes: list[Outcome]
    seconds: float

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.built]

    def summary(self) -> str:
        built = len(self.outcomes) - len(self.failed)
        stale = sum(outcome.stale for outcome in self.failed)
        kept = f" ({stale} kept their last good letters, now stale)" if stale else ""
        return f"{built} built, {len(self.failed)} failed{kept} in {self.seconds:.1f} s"


def build(project: Project, slugs: tuple[str, ...] = (), draft: bool = False) -> BuildReport:
    """Build the named councils' letters (all when none are named) into build/."""
    started = time.perf_counter()
    year = read_year(project)
    environment = html_environment(project)
    outputs = project.build_dir / ("preview" if draft else "")
    outcomes = []
    for path in council_paths(project, slugs):
        outcome = Outcome(path.stem)
        try:
            council = read_council(project, path, year)
            html = render_html(environment, letter_context(council, year, draft))
            pdf, outcome.pages = render_pdf(html, project.shown(path))
            write_atomically(outputs / "html" / f"{path.stem}.html", html.encode("utf-8"))
            write_atomically(outputs / "pdf" / f"{path.stem}.pdf", pdf)
        except LettersError as error:
            outcome.problems = error.problems
            outcome.stale = (outputs / "pdf" / f"{path.stem}.pdf").exists()
        outcomes.append(outcome)
    report = BuildReport(outcomes, time.perf_counter() - started)
    write_manifest(outputs, report)
    return report


def check(project: Project) -> tuple[int, list[Problem]]:
    """Load and validate every file without rendering: the number of councils, and all problems."""
    try:
        year = read_year(project)
    except LettersError as error:
        return len(project.council_files()), error.problems
    problems = []
    for path in project.council_files():
        try:
            read_council(project, path, year)
        except LettersError as error:
            problems.extend(error.problems)
    return len(project.council_files()), problems


def read_year(project: Project) -> Year:
    return validate_year(load_document(project.year_file, project.shown(project.year_file)))


def read_council(project: Project, path: Path, year: Year) -> Council:
    return validate_council(load_document(path, project.shown(path)), year)


def council_paths(project: Project, slugs: tuple[str, ...]) -> list[Path]:
    """The council files to build; a slug with no file is an error before anything is built."""
    if not slugs:
        return project.council_files()
    missing = [slug for slug in slugs if not project.council_file(slug).is_file()]
    if missing:
        known = ", ".join(path.stem for path in project.council_files())
        raise LettersError([Problem(project.shown(project.council_file(slug)),
                                    f"no such council file; the councils are: {known}")
                            for slug in missing])
    return [project.council_file(slug) for slug in slugs]


def write_atomically(path: Path, content: bytes) -> None:
    """Write through a temporary file in the same folder, so readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as f:
        f.write(content)
        temporary = Path(f.name)
    try:
        temporary.chmod(0o644)  # NamedTemporaryFile makes 0600 files; outputs are for sharing
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_manifest(outputs: Path, report: BuildReport) -> None:
    """Record each council's last build in manifest.json, keeping councils not built this time."""
    path = outputs / "manifest.json"
    councils = read_manifest(path)
    councils.update({outcome.slug: manifest_entry(outcome) for outcome in report.outcomes})
    manifest = json.dumps({"councils": councils}, indent=2, sort_keys=True) + "\n"
    write_atomically(path, manifest.encode("utf-8"))


def read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["councils"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def manifest_entry(outcome: Outcome) -> dict:
    return {
        "status": "built" if outcome.built else ("stale" if outcome.stale else "failed"),
        "html": f"html/{outcome.slug}.html",
        "pdf": f"pdf/{outcome.slug}.pdf",
        "pages": outcome.pages,
        "problems": [str(problem) for problem in outcome.problems],
    }
