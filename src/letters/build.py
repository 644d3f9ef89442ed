"""Stage 7, build: the orchestrator that runs councils through the pipeline and writes outputs."""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from letters.context import letter_context, optional_paragraphs
from letters.figures import formatted_list
from letters.interrupt import stop_if_asked
from letters.load import load_document
from letters.manifest import (
    Entry,
    Summary,
    council_fingerprint,
    is_sealed,
    journal_letter,
    read_manifest,
    shared_fingerprint,
    write_manifest,
)
from letters.overview import council_summary, write_overview
from letters.parallel import in_processes
from letters.problems import LettersError, Note, Problem, excerpt
from letters.project import OutputKind, Outputs, Project
from letters.records import locked
from letters.render_html import (
    LETTER_STYLESHEET,
    TemplateFiles,
    check_references,
    html_environment,
    render_html,
)
from letters.render_pdf import PdfLetter, PdfRenderer
from letters.validate import Council, Links, Year, validate_council, validate_year
from letters.write import (
    cannot_write,
    has_outputs,
    remove_deleted_councils,
    remove_leftovers,
    write_letter,
)

Status = Literal["built", "unchanged", "skipped", "failed"]


@dataclass
class Outcome:
    """What happened to one council: built, unchanged, skipped (its data is wrong) or failed."""

    slug: str
    status: Status = "built"
    problems: list[Problem] = field(default_factory=list)
    fingerprint: str | None = None
    outputs: tuple[OutputKind, ...] = ()
    pages: int | None = None
    notes: list[Note] = field(default_factory=list)  # the proofreader's
    summary: Summary | None = None  # what the year's overview shows of it
    pdf_sha256: str | None = None  # of the PDF written (or, unchanged, recorded) for it
    stale: bool = False


@dataclass
class BuildReport:
    outcomes: list[Outcome]
    removed: list[str]
    seconds: float
    general: list[Problem] = field(default_factory=list)  # of no one council: misnamed files...

    def count(self, status: Status) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    def ok(self, strict: bool = False) -> bool:
        """Everything built; with `strict`, also nothing for the proofreader to note."""
        return not self.general and all(
            outcome.status in ("built", "unchanged") and not (strict and defects_of(outcome))
            for outcome in self.outcomes
        )

    def problem_lines(self, project: Project) -> list[str]:
        """Each problem once, as staff read it; one that is not in a council's own file (a
        template's, an image's) says which councils' letters it stopped."""
        councils: dict[str, list[str]] = {}
        for outcome in self.outcomes:
            own_file = project.shown(project.council_file(outcome.slug))
            for problem in outcome.problems:
                slugs = councils.setdefault(str(problem), [])
                if problem.path != own_file:
                    slugs.append(outcome.slug)
        lines = [f"{text}{letters_to(slugs)}" for text, slugs in councils.items()]
        return [*lines, *map(str, self.general), *map(str, self.defects(project))]

    def defects(self, project: Project) -> list[Problem]:
        """What the proofreader found wrong: each is a problem, and fails a --strict build."""
        return [
            Problem(project.shown(project.council_file(outcome.slug)), f"proofreading: {note}")
            for outcome in self.outcomes
            for note in defects_of(outcome)
        ]

    def information(self, project: Project) -> list[str]:
        """What the proofreader found worth knowing but not wrong."""
        return [
            f"{project.shown(project.council_file(outcome.slug))}: for information: {note}"
            for outcome in self.outcomes
            for note in outcome.notes
            if note.kind == "information"
        ]

    def summary(self) -> str:
        stale = sum(outcome.stale for outcome in self.outcomes)
        kept = f"; {stale} kept their last good letter, marked stale" if stale else ""
        removed = f", {len(self.removed)} removed" if self.removed else ""
        defects = sum(bool(defects_of(outcome)) for outcome in self.outcomes)
        noted = sum(
            any(note.kind == "information" for note in outcome.notes) for outcome in self.outcomes
        )
        notes = (f", {defects} with proofreading defects" if defects else "") + (
            f", {noted} with notes for information" if noted else ""
        )
        return (
            f"{self.count('built')} built, {self.count('unchanged')} unchanged, "
            f"{self.count('skipped')} skipped (data errors), {self.count('failed')} failed"
            f"{removed}{notes}{kept} in {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class Options:
    slugs: tuple[str, ...] = ()
    draft: bool = False
    force: bool = False
    html_only: bool = False
    archival: bool = False
    png: bool = False
    jobs: int = 1

    @property
    def outputs(self) -> tuple[OutputKind, ...]:
        if self.html_only:
            return ("html",)
        return (
            "html",
            "pdf",
            *(("pdf-a",) if self.archival else ()),
            *(("png",) if self.png else ()),
        )


Progress = Callable[[Outcome, int], None]  # an outcome, and how many councils are to be built


def build(
    project: Project, options: Options = Options(), progress: Progress = lambda outcome, total: None
) -> BuildReport:
    """Build the councils' letters into build/ (build/preview/ for drafts), skipping those
    whose inputs have not changed since they were last built."""
    if options.draft:  # drafts are never sent: they need not wait for a send
        return build_unlocked(project, options, progress)
    with locked(project.records(), "letters build", sending=False):
        return build_unlocked(project, options, progress)


def build_unlocked(project: Project, options: Options, progress: Progress) -> BuildReport:
    started = time.perf_counter()
    outputs = project.outputs(options.draft)
    year = read_year(project)  # load and validate the year: a problem here stops everything
    paths = council_paths(project, options.slugs)
    recorded = read_manifest(outputs)
    fingerprints = fingerprint_councils(project, paths)
    unchanged, todo = split_unchanged(paths, fingerprints, recorded, options, outputs)
    councils, skipped = read_councils(project, todo, year)  # load and validate, before rendering
    outcomes = [*unchanged, *skipped]
    for outcome in outcomes:
        progress(outcome, len(paths))
    remove_leftovers(outputs)
    try:
        # figures, render HTML, render PDF, proofread and write, each council in parallel
        for outcome in render_councils(
            project, year, councils, fingerprints, options, outputs, recorded
        ):
            outcomes.append(outcome)
            progress(outcome, len(paths))
            stop_if_asked()
    finally:  # even when stopped: the manifest and overview tell the truth about what was done
        report = BuildReport(
            outcomes,
            removed=[] if options.slugs else remove_deleted_councils(project, outputs, recorded),
            seconds=0.0,
            general=[] if options.slugs else project.misnamed_files(),
        )
        record(project, year, options, outputs, recorded, report)
        report.seconds = time.perf_counter() - started
    return report


def record(
    project: Project,
    year: Year,
    options: Options,
    outputs: Outputs,
    recorded: dict[str, Entry],
    report: BuildReport,
) -> None:
    """Mark councils that kept an older letter as stale, and write the manifest and overview."""
    for outcome in report.outcomes:
        outcome.stale = outcome.status in ("skipped", "failed") and has_outputs(
            outputs, outcome.slug
        )
    try:
        manifest = write_manifest(outputs, recorded, report.outcomes)
        if not options.draft:
            from letters.approval import standings_now  # stage 8's records, which import this

            write_overview(
                outputs, manifest, year.year, standings_now(project, year, list(manifest))
            )
    except OSError as error:
        report.general.append(cannot_write(project, error))
    except LettersError as error:  # the records cannot be read: the letters are built all the same
        report.general.extend(error.problems)


@dataclass(frozen=True)
class Rendered:
    slug: str
    html: str | None = None
    pdf: PdfLetter | None = None
    notes: tuple[Note, ...] = ()  # the proofreader's
    problems: tuple[Problem, ...] = ()


class LetterRenderer:
    """Renders one council's letter as HTML and PDF; set up once, then used for every council
    (in every worker process, which inherits it)."""

    def __init__(self, project: Project, year: Year, options: Options):
        self.project, self.year, self.options = project, year, options
        self.environment = html_environment(project)
        self.links = {getattr(year.links, name).url for name in Links.model_fields}
        self.pdf = (
            None
            if options.html_only
            else PdfRenderer(
                TemplateFiles(project).stylesheet(),
                project.shown(project.templates_dir / LETTER_STYLESHEET),
            )
        )

    def __call__(self, council: tuple[str, Council]) -> Rendered:
        slug, model = council
        shown = self.project.shown(self.project.council_file(slug))
        try:
            html = render_html(
                self.environment, letter_context(model, self.year, self.options.draft)
            )
            check_references(self.project, html, self.links)
            if self.pdf is None:
                return Rendered(slug, html)
            from letters.proof import proof  # WeasyPrint's, imported only when a PDF is made

            pages = self.pdf.lay_out(
                render_html(
                    self.environment, letter_context(model, self.year, self.options.draft, False)
                ),
                shown,
            )
            notes = proof(pages, optional_paragraphs(model))
            return Rendered(
                slug, html, self.pdf.write(pages, shown, self.options.archival), tuple(notes)
            )
        except LettersError as error:
            return Rendered(slug, problems=tuple(error.problems))
        except Exception as error:  # WeasyPrint's own failure on this letter: the others go on
            return Rendered(
                slug,
                problems=(
                    Problem(
                        shown,
                        f"PDF rendering failed: {type(error).__name__}: {excerpt(str(error), 120)}",
                    ),
                ),
            )

    def lost(self, council: tuple[str, Council]) -> Rendered:
        """The outcome of a letter whose worker process was killed while rendering it."""
        return Rendered(
            council[0],
            problems=(
                Problem(
                    self.project.shown(self.project.council_file(council[0])),
                    "the process rendering it stopped before it finished: build again",
                ),
            ),
        )


def render_councils(
    project: Project,
    year: Year,
    councils: dict[str, Council],
    fingerprints: dict[Path, str],
    options: Options,
    outputs: Outputs,
    recorded: dict[str, Entry],
):
    """Render each valid council in parallel, writing its outputs together when ready."""
    if not councils:
        return
    renderer = LetterRenderer(project, year, options)
    for rendered in in_processes(renderer, list(councils.items()), options.jobs, renderer.lost):
        model, fingerprint = (
            councils[rendered.slug],
            fingerprints[project.council_file(rendered.slug)],
        )
        problems = list(rendered.problems) or written(project, outputs, rendered, options)
        if problems:
            yield Outcome(rendered.slug, "failed", problems, fingerprint)
            continue
        pdf = rendered.pdf
        outcome = Outcome(
            rendered.slug,
            "built",
            fingerprint=fingerprint,
            outputs=options.outputs,
            pages=pdf.pages if pdf else None,
            notes=list(rendered.notes),
            summary=council_summary(model, year),
            pdf_sha256=hashlib.sha256(pdf.pdf).hexdigest() if pdf else None,
        )
        journal_letter(outputs, outcome, recorded)
        yield outcome


def written(
    project: Project, outputs: Outputs, rendered: Rendered, options: Options
) -> list[Problem]:
    """Write a letter's outputs together; the problems if they could not be written."""
    try:
        write_letter(outputs, rendered.slug, rendered.html or "", rendered.pdf, options.png)
    except OSError as error:
        return [cannot_write(project, error)]
    except LettersError as error:
        return error.problems
    return []


def defects_of(outcome: Outcome) -> list[Note]:
    return [note for note in outcome.notes if note.kind == "defect"]


def letters_to(slugs: list[str], shown: int = 3) -> str:
    """' (letters to canterbury and sevenoaks)', or nothing for no council."""
    if not slugs:
        return ""
    more = [f"{len(slugs) - shown} more"] if len(slugs) > shown + 1 else []
    slugs = sorted(slugs)
    named = formatted_list([*slugs[: shown if more else None], *more])
    return f" (letter{'s' if len(slugs) > 1 else ''} to {named})"


def check(project: Project) -> tuple[int, list[Problem]]:
    """Load and validate every file without rendering: the number of councils, and all problems."""
    paths = project.council_files()
    year, problems = None, []
    try:
        year = read_year(project)
    except LettersError as error:
        problems = error.problems
    _, outcomes = read_councils(project, paths, year)
    return len(paths), [
        *problems,
        *(problem for outcome in outcomes for problem in outcome.problems),
        *project.misnamed_files(),
    ]


def read_year(project: Project) -> Year:
    return validate_year(
        load_document(project.year_file, project.shown(project.year_file), project.root)
    )


def read_councils(
    project: Project, paths: list[Path], year: Year | None
) -> tuple[dict[str, Council], list[Outcome]]:
    """The councils whose files are valid, and a skipped outcome for each one that is not."""
    councils, skipped = {}, []
    for path in paths:
        try:
            councils[path.stem] = validate_council(
                load_document(path, project.shown(path), project.root), year
            )
        except LettersError as error:
            skipped.append(Outcome(path.stem, "skipped", error.problems))
    return councils, skipped


def council_paths(project: Project, arguments: tuple[str, ...]) -> list[Path]:
    """The council files to build; a name with no file is an error before anything is built."""
    if not arguments:
        return project.council_files()
    slugs, problems = [], []
    for argument in arguments:
        try:
            slugs.append(project.slug_of_argument(argument))
        except LettersError as error:
            problems += error.problems
    if problems:
        raise LettersError(problems)
    return [project.council_file(slug) for slug in dict.fromkeys(slugs)]


def fingerprint_councils(project: Project, paths: list[Path]) -> dict[Path, str]:
    shared = shared_fingerprint(project)
    return {
        path: council_fingerprint(shared, path)
        for path in paths
        if path.is_file() and not path.is_symlink()
    }


def split_unchanged(
    paths: list[Path],
    fingerprints: dict[Path, str],
    recorded: dict[str, Entry],
    options: Options,
    outputs: Outputs,
) -> tuple[list[Outcome], list[Path]]:
    """The councils left as they are, whose files are not even read again; and those to build."""
    unchanged, todo = [], []
    for path in paths:
        if is_unchanged(path, recorded, fingerprints, options, outputs):
            unchanged.append(unchanged_outcome(path.stem, recorded[path.stem], fingerprints[path]))
        else:
            todo.append(path)
    return unchanged, todo


def is_unchanged(
    path: Path,
    recorded: dict[str, Entry],
    fingerprints: dict[Path, str],
    options: Options,
    outputs: Outputs,
) -> bool:
    """Built before from the same inputs, with every output wanted now still there."""
    entry = recorded.get(path.stem)
    return (
        not options.force
        and path in fingerprints
        and entry is not None
        and is_sealed(entry)
        and entry["fingerprint"] == fingerprints[path]
        and set(options.outputs) <= set(entry["outputs"])
        and all(outputs.path(kind, path.stem).is_file() for kind in options.outputs)
    )


def unchanged_outcome(slug: str, entry: Entry, fingerprint: str) -> Outcome:
    """An unchanged council's outcome, from what the manifest recorded of its last build."""
    return Outcome(
        slug,
        "unchanged",
        fingerprint=fingerprint,
        outputs=tuple(entry["outputs"]),
        pages=entry["pages"],
        notes=[Note(**note) for note in entry["proofreading"]],
        summary=entry["summary"],
        pdf_sha256=entry["pdf_sha256"],
    )
