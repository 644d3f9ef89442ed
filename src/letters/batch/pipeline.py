"""The build: runs every council through the letter stage, in parallel, and records what it did.

read the year → fingerprint each council → leave unchanged ones → read and validate the rest
→ render each (HTML, PDF, proofreading) in a worker → write its outputs together → journal
→ manifest
"""

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from letters.batch.manifest import (
    Entry,
    OutputStamps,
    fingerprint_councils,
    is_sealed,
    journal_letter,
    read_manifest,
    write_manifest,
)
from letters.batch.outcome import (
    BuildStatus,
    LetterOutcome,
    council_summary,
    defects_of,
)
from letters.batch.outputs import (
    cannot_write,
    claim_build_folder,
    has_outputs,
    hashes_of,
    hold_point,
    kill_point,
    remove_deleted_councils,
    remove_leftovers,
    write_letter,
)
from letters.data.lock import locked
from letters.data.project import LETTER_FILES, OutputKind, Outputs, Project
from letters.data.read import Year, council_paths, read_councils, read_year
from letters.data.validate import Council
from letters.interrupt import requested, stop_if_asked
from letters.letter.figures import formatted_list
from letters.problems import LettersError, Note, Problem

if TYPE_CHECKING:  # rendering (Jinja, WeasyPrint) is imported only by a build that renders
    from letters.letter.renderer import Rendered


@dataclass
class BuildReport:
    outcomes: list[LetterOutcome]
    removed: list[str]
    seconds: float
    general: list[Problem] = field(default_factory=list)  # of no one council: misnamed files...
    manifest: dict[str, Entry] = field(default_factory=dict)  # as written at the end
    year: Year | None = None  # as the build read it, for the overview made after it
    read: dict[Path, str] | None = None  # every council file's fingerprint, read by a full build

    def count(self, status: BuildStatus) -> int:
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
        """The kinds of output this build makes of each letter (LETTER_FILES says when)."""
        asked = {"pdf-a": self.archival, "png": self.png}
        return tuple(
            file.kind
            for file in LETTER_FILES
            if file.made == "always"
            or (not self.html_only and (file.made == "with a PDF" or asked[file.kind]))
        )


# Called with each council's outcome, and how many councils the build has.
BuildProgress = Callable[[LetterOutcome, int], None]


def build(
    project: Project,
    options: Options = Options(),
    progress: BuildProgress = lambda outcome, total: None,
) -> BuildReport:
    """Build the councils' letters into build/ (build/preview/ for drafts), skipping those
    whose inputs have not changed since they were last built."""
    if options.draft:  # drafts are never sent: they need not wait for a send
        return build_unlocked(project, options, progress)
    with locked(project.records(), "letters build", sending=False):
        return build_unlocked(project, options, progress)


def build_unlocked(project: Project, options: Options, progress: BuildProgress) -> BuildReport:
    started = time.perf_counter()
    project = project.snapshot()  # every letter of this build from the same bytes
    outputs = project.outputs(options.draft)
    paths = council_paths(project, options.slugs)
    recorded = read_manifest(outputs)
    fingerprints = fingerprint_councils(project, paths)
    stamps = OutputStamps.read(outputs)
    unchanged, todo = split_unchanged(paths, fingerprints, recorded, options, outputs, stamps)
    # Load and validate the year (a problem there stops everything), unless no letter is to be
    # built: an unchanged letter's fingerprint says the year's files are the ones read then.
    year = read_year(project) if todo or not paths else None
    claim_build_folder(project)  # this project's build folder, not another's
    councils, invalid = read_councils(project, todo, year) if year else ({}, {})
    skipped = [LetterOutcome(slug, "skipped", problems) for slug, problems in invalid.items()]
    outcomes = [*unchanged, *skipped]
    for outcome in outcomes:
        progress(outcome, len(paths))
    remove_leftovers(outputs)
    try:
        # figures, render HTML, render PDF, proofread and write, each council in parallel
        rendering = (
            render_councils(
                project, year, councils, fingerprints, options, outputs, recorded, stamps
            )
            if year
            else iter(())
        )
        for outcome in rendering:
            outcomes.append(outcome)
            progress(outcome, len(paths))
            hold_point(len(outcomes) - len(unchanged) - len(skipped), requested)
            stop_if_asked()
    finally:  # even when stopped: the manifest and overview tell the truth about what was done
        report = BuildReport(
            outcomes,
            removed=[] if options.slugs else remove_deleted_councils(project, outputs, recorded),
            seconds=0.0,
            general=[] if options.slugs else project.misnamed_files(),
            year=year,
            read=None if options.slugs else fingerprints,
        )
        record(project, outputs, recorded, report, stamps)
        report.seconds = time.perf_counter() - started
    return report


def record(
    project: Project,
    outputs: Outputs,
    recorded: dict[str, Entry],
    report: BuildReport,
    stamps: OutputStamps,
) -> None:
    """Mark councils that kept an older letter as stale, and write the manifest and the outputs'
    stamps."""
    for outcome in report.outcomes:
        outcome.stale = outcome.status in ("skipped", "failed") and has_outputs(
            outputs, outcome.slug
        )
    try:
        report.manifest = write_manifest(outputs, recorded, report.outcomes)
        stamps.write(outputs, report.outcomes)
    except OSError as error:
        report.general.append(cannot_write(project, error))


def by_slug(
    function: Callable[[tuple[str, Council]], "Rendered"], councils: dict[str, Council]
) -> Callable[[str], "Rendered"]:
    return lambda slug: function((slug, councils[slug]))


def hashed(rendered: "Rendered") -> "Rendered":
    """The letter with its outputs' hashes, taken in the worker that rendered it."""
    if rendered.problems:
        return rendered
    return dataclasses.replace(rendered, sha256=hashes_of(rendered.html or "", rendered.pdf))


def render_councils(
    project: Project,
    year: Year,
    councils: dict[str, Council],
    fingerprints: dict[Path, str],
    options: Options,
    outputs: Outputs,
    recorded: dict[str, Entry],
    stamps: OutputStamps,
) -> Iterator[LetterOutcome]:
    """Render each valid council in parallel, writing its outputs together when ready."""
    if not councils:
        return
    from letters.batch.parallel import in_processes
    from letters.letter.renderer import LetterRenderer

    renderer = LetterRenderer(project, year, options.draft, not options.html_only, options.archival)
    # Only slugs cross to the workers: they are forked with the councils (whose models
    # fields.yaml declares, so pickle cannot name their classes) already in memory.
    render = by_slug(renderer, councils)
    # An HTML letter alone takes about 2 ms: less than handing it to a worker and back costs.
    jobs = 1 if options.html_only else options.jobs
    for rendered in in_processes(
        lambda slug: hashed(render(slug)), list(councils), jobs, by_slug(renderer.lost, councils)
    ):
        model, fingerprint = (
            councils[rendered.slug],
            fingerprints[project.council_file(rendered.slug)],
        )
        problems = list(rendered.problems) or write_problems(
            project, outputs, rendered, options, stamps
        )
        if problems:
            yield LetterOutcome(rendered.slug, "failed", problems, fingerprint)
            continue
        pdf = rendered.pdf
        outcome = LetterOutcome(
            rendered.slug,
            "built",
            fingerprint=fingerprint,
            outputs=options.outputs,
            pages=pdf.pages if pdf else None,
            notes=list(rendered.notes),
            summary=council_summary(model, year, list(rendered.printed)),
            sha256=rendered.sha256,
        )
        kill_point("written")
        journal_letter(outputs, outcome, recorded)
        kill_point("journaled")
        yield outcome


def write_problems(
    project: Project,
    outputs: Outputs,
    rendered: "Rendered",
    options: Options,
    stamps: OutputStamps,
) -> list[Problem]:
    """Write a letter's outputs together; the problems if they could not be written."""
    slug = rendered.slug
    try:
        write_letter(
            outputs,
            slug,
            rendered.html or "",
            rendered.pdf,
            options.png,
            lambda kind: rendered.sha256[kind] == stamps.known_hash(outputs, kind, slug),
        )
    except OSError as error:
        return [cannot_write(project, error)]
    except LettersError as error:
        return error.problems
    return []


def letters_to(slugs: list[str], shown: int = 3) -> str:
    """Which councils' letters a problem stopped, or nothing for no council.

    >>> letters_to(["sevenoaks", "canterbury"])
    ' (letters to canterbury and sevenoaks)'
    >>> letters_to(["a", "b", "c", "d", "e"])
    ' (letters to a, b, c and 2 more)'
    """
    if not slugs:
        return ""
    more = [f"{len(slugs) - shown} more"] if len(slugs) > shown + 1 else []
    slugs = sorted(slugs)
    named = formatted_list([*slugs[: shown if more else None], *more])
    return f" (letter{'s' if len(slugs) > 1 else ''} to {named})"


def split_unchanged(
    paths: list[Path],
    fingerprints: dict[Path, str],
    recorded: dict[str, Entry],
    options: Options,
    outputs: Outputs,
    stamps: OutputStamps,
) -> tuple[list[LetterOutcome], list[Path]]:
    """The councils left as they are, whose files are not even read again; and those to build."""
    unchanged, todo = [], []
    for path in paths:
        if is_unchanged(path, recorded, fingerprints, options, outputs, stamps):
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
    stamps: OutputStamps,
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
        and stamps.as_recorded(path.stem, entry, outputs, options.outputs)
    )


def unchanged_outcome(slug: str, entry: Entry, fingerprint: str) -> LetterOutcome:
    """An unchanged council's outcome, from what the manifest recorded of its last build."""
    return LetterOutcome(
        slug,
        "unchanged",
        fingerprint=fingerprint,
        outputs=tuple(entry["outputs"]),
        pages=entry["pages"],
        notes=[Note(**note) for note in entry["proofreading"]],
        summary=entry["summary"],
        sha256=entry["sha256"],
    )
