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
    """What happened to one council in a build: built, skipped (its data is wrong) or failed."""

    slug: str
    status: str = "built"
    problems: list[Problem] = field(default_factory=list)
    pages: int | None = None
    stale: bool = False


@dataclass
class BuildReport:
    outcomes: list[Outcome]
    seconds: float

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def ok(self) -> bool:
        return all(outcome.status == "built" for outcome in self.outcomes)

    def problems(self) -> list[Problem]:
        return [problem for outcome in self.outcomes for problem in outcome.problems]

    def summary(self) -> str:
        stale = sum(outcome.stale for outcome in self.outcomes)
        kept = f"; {stale} kept their last good letter, marked stale" if stale else ""
        return (f"{self.count('built')} built, {self.count('skipped')} skipped (data errors), "
                f"{self.count('failed')} failed{kept} in {self.seconds:.1f} s")


def build(project: Project, slugs: tuple[str, ...] = (), draft: bool = False) -> BuildReport:
    """Build the named councils' letters (all when none are named) into build/."""
    started = time.perf_counter()
    outputs = project.build_dir / ("preview" if draft else "")
    # Validate everything first: data errors are reported before any rendering starts.
    year = read_year(project)
    councils, outcomes = read_councils(project, council_paths(project, slugs), year)
    environment = html_environment(project)
    remove_leftovers(outputs)
    try:
        for slug, council in councils.items():
            outcome = Outcome(slug)
            try:
                html = render_html(environment, letter_context(council, year, draft))
                pdf, outcome.pages = render_pdf(html, project.shown(project.council_file(slug)))
                write_atomically(outputs / "html" / f"{slug}.html", html.encode("utf-8"))
                write_atomically(outputs / "pdf" / f"{slug}.pdf", pdf)
            except LettersError as error:
                outcome.status, outcome.problems = "failed", error.problems
            outcomes.append(outcome)
    finally:
        for outcome in outcomes:
            outcome.stale = outcome.status != "built" and has_outputs(outputs, outcome.slug)
        report = BuildReport(outcomes, time.perf_counter() - started)
        write_manifest(outputs, report)
    return report


def check(project: Project) -> tuple[int, list[Problem]]:
    """Load and validate every file without rendering: the number of councils, and all problems."""
    paths = project.council_files()
    year, problems = None, []
    try:
        year = read_year(project)
    except LettersError as error:
        problems = error.problems
    _, outcomes = read_councils(project, paths, year)
    return len(paths), problems + [problem for outcome in outcomes for problem in outcome.problems]


def read_year(project: Project) -> Year:
    return validate_year(load_document(project.year_file, project.shown(project.year_file)))


def read_councils(project: Project, paths: list[Path],
                  year: Year | None) -> tuple[dict[str, Council], list[Outcome]]:
    """The councils whose files are valid, and a skipped outcome for each one that is not."""
    councils, skipped = {}, []
    for path in paths:
        try:
            councils[path.stem] = validate_council(load_document(path, project.shown(path)), year)
        except LettersError as error:
            skipped.append(Outcome(path.stem, "skipped", error.problems))
    return councils, skipped


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


def has_outputs(outputs: Path, slug: str) -> bool:
    return (outputs / "pdf" / f"{slug}.pdf").exists()


def write_atomically(path: Path, content: bytes) -> None:
    """Write through a temporary file in the same folder, so readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        temporary.chmod(0o644)  # mkstemp makes private files; outputs are for sharing
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_leftovers(outputs: Path) -> None:
    """Remove temporary files a killed build (SIGKILL, power cut) could not clean up."""
    for leftover in outputs.glob("*/.*.tmp"):
        leftover.unlink(missing_ok=True)


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
        "status": "stale" if outcome.stale else outcome.status,
        "html": f"html/{outcome.slug}.html",
        "pdf": f"pdf/{outcome.slug}.pdf",
        "pages": outcome.pages,
        "problems": [str(problem) for problem in outcome.problems],
    }
