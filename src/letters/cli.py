"""The `letters` command: thin commands that call the build pipeline and report for people."""

import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

from letters import __version__
from letters.data.project import THE_LETTER, Project
from letters.interrupt import stop_between_letters
from letters.letter.figures import noun
from letters.problems import UnexpectedError, fail, path_excerpt

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder: the one holding councils/, templates/, assets/ and year.yaml.",
)


class Letters(click.Group):
    """Every failure becomes a message and an exit status, never a traceback: the data's or the
    files' (LettersError, status 1), the machine's (OSError, status 1) or, should one ever
    happen, the tool's own (UnexpectedError, status 2)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the reader went away (| head): stop quietly
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - flushed at exit, never closed
            ctx.exit(0)
        except OSError as error:
            fail(path_excerpt(str(error.filename or "letters")), error.strerror or str(error))
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get("LETTERS_DEBUG"):
                raise
            raise UnexpectedError(f"{type(error).__name__}: {error}") from None


@contextmanager
def stopped_cleanly(outcome: str) -> Iterator[None]:
    """Ctrl-C or SIGTERM stops the command between two safe points; it says what was kept."""
    try:
        with stop_between_letters():
            yield
    except KeyboardInterrupt:
        click.echo(f"letters: stopped before the end; {outcome}", err=True)
        sys.exit(130)


LETTERS_KEPT = "every letter written so far is whole, and the others are as they were"


@click.group(cls=Letters, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="letters")
def main() -> None:
    """Build the Ombudsman's annual review letters to councils as HTML and PDF.

    Every command works on the project folder it is run in (or --root DIR): council files in
    councils/, the year's shared facts in year.yaml, wording in templates/, images and fonts in
    assets/, and outputs in build/.
    """


@main.command()
@click.argument("slugs", nargs=-1)
@root_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    help="How many letters to render at once.",
)
@click.option("--force", is_flag=True, help="Rebuild every letter, changed or not.")
@click.option("--html-only", is_flag=True, help="Write only the HTML letters, not the PDFs.")
@click.option(
    "--archival", is_flag=True, help="Also write archival PDF/A-3u letters into build/pdf-a/."
)
@click.option("--png", is_flag=True, help="Also write page images into build/png/.")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail if proofreading finds a defect (text over text or under a box, text off "
    "the page, a heading, sign-off or single line stranded, the statistics page "
    "sharing a page); notes for information never fail.",
)
def build(
    slugs: tuple[str, ...],
    root: Path,
    jobs: int,
    force: bool,
    html_only: bool,
    archival: bool,
    png: bool,
    strict: bool,
) -> None:
    """Build letters into build/html/ and build/pdf/.

    With no SLUGS, builds every council in councils/ and removes the letters of councils whose
    files are gone; otherwise builds only the named ones (a slug is a council file's name
    without .yaml, e.g. canterbury). A letter whose council file, year file, templates and
    assets have not changed since it was built is left as it is.
    """
    from letters.batch.pipeline import Options
    from letters.batch.pipeline import build as build_letters
    from letters.batch.progress import progress_for_output
    from letters.overview.refresh import refresh_overview

    options = Options(
        slugs=slugs, force=force, html_only=html_only, archival=archival, png=png, jobs=jobs
    )
    project = letters_folder(root)
    report = None
    with progress_for_output() as progress, stopped_cleanly(LETTERS_KEPT):
        try:
            report = build_letters(project, options, progress)
        finally:  # even when stopped: the overview tells the truth about what was done
            overview_problems = (
                refresh_overview(project, report.year, report.manifest or None, report.read)
                if report
                else refresh_overview(project)
            )
    report.general += overview_problems
    for line in report.problem_lines(project):
        click.echo(line, err=True)
    for line in report.information(project):
        click.echo(line)
    click.echo(report.summary())
    sys.exit(0 if report.ok(strict) else 1)


@main.command()
@root_option
@click.option(
    "--allow-unconfirmed",
    is_flag=True,
    help="Do not count facts still marked CONFIRM in year.yaml (a draft run).",
)
def check(root: Path, allow_unconfirmed: bool) -> None:
    """Check every council file, the year file and fields.yaml, without building anything.

    Facts that `letters new-year` marked to confirm are problems until their CONFIRM line is
    deleted (--allow-unconfirmed for a draft run).
    """
    from letters.data.read import check as check_files
    from letters.letter.renderer import template_problems
    from letters.letter.template_check import check_templates

    project = letters_folder(root)
    with stopped_cleanly("nothing was changed"):
        checked = check_files(project, allow_unconfirmed)
        councils, problems = checked.councils, checked.problems
        if checked.year is not None:  # every branch of every template, then every council
            static = check_templates(project, checked.year)
            said = {(problem.path, problem.line) for problem in static}
            met = template_problems(project, checked.year, checked.valid)
            problems += static + [p for p in met if (p.path, p.line) not in said]
    for notice in checked.notices:
        click.echo(notice)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        files = len({problem.path for problem in problems})
        click.echo(
            f"{len(problems)} {noun(len(problems), 'problem', 'problems')} in {files} "
            f"{noun(files, 'file', 'files')}; {councils} "
            f"{noun(councils, 'council', 'councils')} checked"
        )
        sys.exit(1)
    click.echo(f"{councils} councils OK")


@main.command()
@click.argument("slug")
@root_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="The port to serve on (default: any free one).",
)
@click.option("--no-open", is_flag=True, help="Do not open the browser.")
@click.option(
    "--once",
    is_flag=True,
    help="Build the draft into build/preview/ once, print its paths, and stop.",
)
def preview(slug: str, root: Path, port: int, no_open: bool, once: bool) -> None:
    """Preview one council's draft letter, marked DRAFT, live in the browser.

    Serves the draft on this machine only (127.0.0.1) and re-renders it every time the council's
    file, year.yaml, a template, the stylesheet or an asset is saved; the open page follows by
    itself. A mistake shows in the page instead of the letter until it is fixed. Ctrl-C stops.
    """
    from letters.data.read import council_paths

    project = letters_folder(root)
    slug = council_paths(project, (slug,))[0].stem  # an unknown one stops here
    if once:
        build_draft(project, slug)
        return
    serve_until_stopped(project, slug, port, open_browser=not no_open)


@main.command()
@click.argument("slug", required=False)
@root_option
def fields(slug: str | None, root: Path) -> None:
    """List every value the templates receive, with its kind and its value for one council.

    SLUG names the council (default: the first one). Write a value in a template as
    {{ council.name }}; the list is made from the values themselves, so it is always complete.
    """
    from letters.data.read import council_paths, read_council, read_year
    from letters.letter.context import as_listed, context_fields, declared_fields, letter_context
    from letters.letter.render_html import FILTERS

    project = letters_folder(root)
    paths = council_paths(project, (slug,) if slug is not None else ())[:1]
    if not paths:
        fail("councils/", "has no council files: add one first")
    year = read_year(project)
    council = read_council(project, paths[0], year)
    declared = declared_fields(council, year)
    declared_names = [
        f"{prefix}{name}" for name in year.declaration.sections for prefix in ("", "council.")
    ]
    rows = [  # the declared ones are listed below, with their kind and help
        row
        for row in context_fields(letter_context(council, year, slug=paths[0].stem))
        if not any(row[0] == name or row[0].startswith(f"{name}.") for name in declared_names)
    ]
    width = max(len(name) for name, *_ in [*rows, *((d.name,) for d in declared)])
    click.echo(f"Values the templates receive, shown for {project.shown(paths[0])}:")
    for name, kind, value in rows:
        click.echo(f"  {name:{width}}  {kind:20}  {value}")
    click.echo(
        "Declared in fields.yaml (also as council.<section>.<field>); 'or nothing' means it "
        "can be left out, so test it with {% if %}:"
    )
    for item in declared:
        kind = f"{item.kind}{' or nothing' if item.can_be_nothing else ''}"
        click.echo(f"  {item.name:{width}}  {kind:20}  {as_listed(item.value)}")
        if item.help:
            click.echo(f"  {'':{width}}  {'':20}  {item.help}")
    click.echo('Filters, as in {{ statistics.upheld.count|noun("decision", "decisions") }}:')
    for name, function in FILTERS.items():
        click.echo(f"  {name:{width}}  {(function.__doc__ or '').strip().splitlines()[0]}")


@main.command(name="new-year")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@root_option
@click.option(
    "--unfinished",
    is_flag=True,
    help="Start from this year although facts are still to confirm or council files are not "
    "whole (history/ keeps only the whole ones).",
)
def new_year(folder: Path, root: Path, unfinished: bool) -> None:
    """Start next year's letters in FOLDER, from this year's.

    Templates and assets are copied as they are; year.yaml gets the year and dates moved on by
    a year, each fact marked to confirm; each council keeps its name, type and recipient, and
    its figures and optional paragraphs are left to fill in. Then run `letters check` there.
    """
    from letters.year.new_year import start_new_year

    made = start_new_year(letters_folder(root), folder, unfinished)
    click.echo(f"{folder}: the {made.year} letters' folder, with {made.councils} council files")
    unkept = made.councils - made.letters_kept
    click.echo(
        f"Kept in its history/: this year's data, and the words of {made.letters_kept} "
        f"letters built from their current files"
        + (f" ({unkept} not: build them here first to keep them)" if unkept > 0 else "")
    )
    if made.left_out:
        left_out = ", ".join(made.left_out)
        click.echo(f"Not kept in its history/ (their files are not whole): {left_out}")
    click.echo(f"To confirm in {folder / 'year.yaml'} (delete each CONFIRM line once checked):")
    for line, what in made.confirm:
        click.echo(f"  line {line}: {what}")
    click.echo(
        f"Next: letters import FIGURES --root {folder}, then letters check --root {folder} "
        f"lists what is left (letters check --allow-unconfirmed for a draft run)."
    )


@main.command(name="import")
@click.argument("spreadsheet", type=click.Path(path_type=Path))
@root_option
@click.option(
    "--sheet",
    help="The workbook's sheet to read (default: the one visible sheet with council and "
    "authority_type columns).",
)
@click.option("--dry-run", is_flag=True, help="Show what would change, and write nothing.")
@click.option(
    "--new",
    multiple=True,
    metavar="NAME",
    help="A new council to give a file although its name is near an existing council's.",
)
@click.option(
    "--history",
    type=int,
    metavar="YEAR",
    help="Keep the figures as an earlier year's (history/YEAR/), for letters to compare with.",
)
def import_figures(
    spreadsheet: Path,
    root: Path,
    sheet: str | None,
    dry_run: bool,
    new: tuple[str, ...],
    history: int | None,
) -> None:
    """Put the case system's figures from a spreadsheet (.csv or .xlsx) into the council files.

    One row per council, with the columns council, authority_type and each column fields.yaml
    names (column:), such as investigations, upheld, compliance_outcomes, implemented and
    satisfactory_remedies. A council with a file gets its figures and type updated and nothing
    else; a council without one gets a new file, its recipient left for you to fill in. Nothing
    is written unless every row is right; columns no field names are listed, not imported.
    """
    from letters.data.read import read_fields
    from letters.spreadsheet.read import read_figures
    from letters.spreadsheet.update import apply, plan_import

    project = letters_folder(root)
    if history is not None:
        import_history(project, spreadsheet, sheet, history, dry_run)
        return
    with stopped_cleanly("no council file was changed"):
        figures = read_figures(spreadsheet, str(spreadsheet), read_fields(project), sheet)
        plan = plan_import(project, figures.rows, new)
    for path, changes in plan.changes.items():
        described = ", ".join(
            f"{'.'.join(location)} {'nothing' if old is None else old} → {new}"
            for location, (old, new) in changes.items()
        )
        click.echo(f"{project.shown(path)}: {described}")
    for path in plan.new_files:
        click.echo(f"{project.shown(path)}: new file; fill in its recipient")
    for path in plan.without_row:
        click.echo(f"{project.shown(path)}: no row in the spreadsheet; left as it is")
    if figures.unused:
        click.echo(
            f"{spreadsheet}: columns not imported (no field in fields.yaml names them): "
            f"{', '.join(figures.unused)}"
        )
    if not dry_run:
        with stopped_cleanly("no council file was changed"):
            apply(plan)
    click.echo(
        f"{len(plan.changes)} updated, {len(plan.new_files)} created, "
        f"{len(plan.unchanged)} unchanged, {len(plan.without_row)} without a row"
        f"{' (dry run: nothing written)' if dry_run else ''}"
    )


def import_history(
    project: Project, spreadsheet: Path, sheet: str | None, year: int, dry_run: bool
) -> None:
    from letters.data.read import read_year
    from letters.spreadsheet.read import read_figures
    from letters.spreadsheet.update import apply, plan_history, plan_kept_year, write_history

    this_year = read_year(project)
    folder = project.history_dir / str(year)
    dry = " (dry run: nothing written)" if dry_run else ""
    with stopped_cleanly("nothing was written"):
        figures = read_figures(spreadsheet, str(spreadsheet), this_year.declaration, sheet)
        contents = plan_history(project, year, this_year.facts.year, figures.rows)
        if folder.exists():  # a year kept already: its councils added to or updated, never removed
            plan = plan_kept_year(project, folder, figures.rows)
            if not dry_run:
                apply(plan)
            click.echo(
                f"{project.shown(folder)}: {len(plan.changes)} councils' "
                f"{year} figures updated, {len(plan.new_files)} added, {len(plan.unchanged)} "
                f"unchanged, {len(plan.without_row)} not in the spreadsheet left as they are{dry}"
            )
            return
        if not dry_run:
            write_history(contents, folder)
    councils = sum(path.parent.name == "councils" for path in contents)
    click.echo(f"{project.shown(folder)}: {councils} councils' {year} figures kept{dry}")


def build_draft(project: Project, slug: str) -> None:
    from letters.batch.pipeline import Options
    from letters.batch.pipeline import build as build_letters

    with stopped_cleanly(LETTERS_KEPT):
        report = build_letters(project, Options(slugs=(slug,), draft=True, jobs=1))
    for line in report.problem_lines(project):
        click.echo(line, err=True)
    if not report.ok():
        sys.exit(1)
    for kind in THE_LETTER:
        click.echo(project.shown(project.outputs(draft=True).path(kind, slug)))


def serve_until_stopped(project: Project, slug: str, port: int, open_browser: bool) -> None:
    import signal
    import webbrowser

    from letters.preview.server import serve

    server, preview = serve(project, slug, port)
    url = f"http://127.0.0.1:{server.server_address[1]}/council/{slug}"
    signal.signal(signal.SIGTERM, stop_like_ctrl_c)
    try:
        click.echo(f"Previewing {slug} at {url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Preview stopped.")
    finally:
        preview.stopping.set()
        server.server_close()


@main.command()
@click.argument("slugs", nargs=-1)
@root_option
@click.option("--by", help="Who approves (default: your login name).")
@click.option(
    "--despite-notes",
    is_flag=True,
    help="Approve the named letters even with proofreading defects, as they are (recorded).",
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Approve every letter built from its current files, without defects, not yet approved "
    "and not sent as it is.",
)
@click.option("--list", "listing", is_flag=True, help="Show every council's approval and sending.")
def approve(
    slugs: tuple[str, ...],
    root: Path,
    by: str | None,
    despite_notes: bool,
    every: bool,
    listing: bool,
) -> None:
    """Approve councils' letters for sending: each whole message as it would leave now.

    Records in records/approvals.jsonl who approved, when, and a digest of the message: the
    PDF's bytes, the recipients, the sender, the subject and the body. Anything of these that
    changes afterwards (a rebuilt PDF, a new address or cc, reworded email) must be approved
    again. An approval covers one sending: a letter sent before is approved again only when it
    has changed, or by name, as the replacement of the letter sent first (then send it with
    letters send --resend). Only a letter built from its current files can be approved; one
    with proofreading defects needs naming with --despite-notes.
    """
    from letters.data.read import read_year
    from letters.overview.refresh import refresh_overview
    from letters.send.approval import approve as approve_letters
    from letters.send.approval import standings_now

    project = letters_folder(root)
    if listing:
        year = read_year(project)
        slugs_now = [path.stem for path in project.council_files()]
        for slug, standing in standings_now(project, year, slugs_now).items():
            click.echo(f"{slug}: {standing.describe(slug)}")
        return
    if bool(slugs) == every:
        raise click.UsageError(
            "name the councils to approve (e.g. letters approve canterbury), or give --all"
        )
    if every and despite_notes:
        raise click.UsageError("--despite-notes approves defects: name each council it is for")
    with stopped_cleanly("every approval recorded so far is kept"):
        result = approve_letters(project, read_year(project), slugs, by, despite_notes)
        refresh_overview(project)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    for slug in result.replacements:
        click.echo(
            f"{slug}: approved to go again, as the replacement of the letter sent before: it "
            f"goes only with letters send --resend {slug}"
        )
    if result.already_sent:
        click.echo(
            f"Already sent as they are, so not approved again (name one to send it again): "
            f"{', '.join(result.already_sent)}"
        )
    click.echo(result.summary())
    sys.exit(1 if result.problems else 0)


@main.command()
@click.argument("slugs", nargs=-1)
@root_option
@click.option(
    "--since",
    type=click.Choice(["approval", "last-year"]),
    default="approval",
    show_default=True,
    help="Compare with the message last approved, or with the council's letter of the last "
    "year kept in history/.",
)
def changes(slugs: tuple[str, ...], root: Path, since: str) -> None:
    """Show, in words, what changed in councils' letters (every council's without names).

    Each changed passage is shown with its page and the rest of its sentence, the words gone
    marked [-like this-] and the words new {+like this+}; since approval, also what changed in
    the email (recipients, subject, wording). Compares the letters as last built: build first.
    """
    from letters.data.read import read_year
    from letters.review.changes import since_approval, since_last_year

    project = letters_folder(root)
    year = read_year(project)
    compare = since_approval if since == "approval" else since_last_year
    result = compare(project, year, slugs)
    for compared in result.compared:
        if compared.changed or slugs:
            click.echo("\n".join(compared.lines()))
    for problem in result.problems:
        click.echo(str(problem), err=True)
    click.echo(result.summary("approval" if since == "approval" else "last year"))
    sys.exit(1 if result.problems else 0)


@main.command()
@click.argument("phrase")
@root_option
def find(phrase: str, root: Path) -> None:
    """List every letter that says PHRASE, with the page and the sentence around it.

    Any case, and any spaces, line breaks or page breaks between its words. Searches the
    letters as last built from their current files: build first. Exit status 0 when a
    letter says it, 1 when none does.
    """
    from letters.review.find import find_in_letters, phrase_pattern

    project = letters_folder(root)
    pattern = phrase_pattern(phrase)
    if pattern is None:
        raise click.UsageError("give the words to find (e.g. letters find 'witness summons')")
    search = find_in_letters(project, pattern)
    for shown, places in search.found.items():
        for place in places:
            click.echo(f"{shown}: {place}")
    for problem in search.problems:
        click.echo(f"{problem} (not searched)", err=True)
    click.echo(search.summary())
    sys.exit(0 if any(search.found.values()) else 1)


class FiniteNumber(click.ParamType):  # type: ignore[type-arg, unused-ignore]  # generic in stubs only
    """A finite number (never nan or inf), at least `minimum`, or above it if `open_minimum`."""

    name = "number"

    def __init__(self, minimum: float, open_minimum: bool = False):
        self.minimum, self.open_minimum = minimum, open_minimum

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        too_small = number <= self.minimum if self.open_minimum else number < self.minimum
        if not math.isfinite(number) or too_small:
            bound = "more than" if self.open_minimum else "at least"
            self.fail(f"{value!r} is not a number {bound} {self.minimum:g}", param, ctx)
        return number


@main.command()
@click.argument("slugs", nargs=-1)
@root_option
@click.option("--dry-run", is_flag=True, help="Write each message to build/email/ instead.")
@click.option("--smtp", metavar="HOST:PORT", help="The SMTP relay to send through.")
@click.option(
    "--resend",
    multiple=True,
    metavar="SLUG",
    help="Send this council's letter even if it was (or may have been) sent before.",
)
@click.option(
    "--per-minute", type=FiniteNumber(0, open_minimum=True), help="At most N messages a minute."
)
@click.option(
    "--retry-wait",
    type=FiniteNumber(0),
    default=5.0,
    show_default=True,
    help="Seconds before retrying a temporary refusal (4xx); doubled each time, 3 retries.",
)
@click.option(
    "--timeout",
    type=FiniteNumber(0, open_minimum=True),
    default=60.0,
    show_default=True,
    help="Seconds to wait for the relay to answer.",
)
def send(
    slugs: tuple[str, ...],
    root: Path,
    dry_run: bool,
    smtp: str | None,
    resend: tuple[str, ...],
    per_minute: float | None,
    retry_wait: float,
    timeout: float,
) -> None:
    """Email each council its approved letter, exactly once, exactly as approved.

    Only letters built from their current files, whose whole message is the one approved
    (letters approve) and with an address (recipient: email:) go; the others are refused by
    name (councils never approved are listed as not approved yet). One send runs at a time.
    Every message is recorded in records/sent.jsonl; a council sent (or that may have been) is
    not sent again unless --resend SLUG says to and it was approved since, and one whose message
    went with no clear answer from the relay is reported as "may have been sent". STARTTLS is
    required except to this machine; a login comes only from the environment
    (LETTERS_SMTP_USER, LETTERS_SMTP_PASSWORD). Ctrl-C stops at once while waiting, and after
    the message under way.
    """
    from letters.batch.progress import progress_for_output
    from letters.overview.refresh import refresh_overview
    from letters.send.relay import Relay, relay_address
    from letters.send.sending import Pace
    from letters.send.sending import send as send_letters

    if dry_run == bool(smtp):
        raise click.UsageError("give either --dry-run or --smtp HOST:PORT")
    project = letters_folder(root)
    relay = Relay(*relay_address(smtp), timeout=timeout) if smtp else None
    pace = Pace(per_minute=per_minute, retry_wait=retry_wait)
    with (
        progress_for_output("Sending letters") as progress,
        stopped_cleanly("every message handed to the relay is recorded in records/sent.jsonl"),
    ):
        try:
            report = send_letters(project, slugs, relay, resend, pace, progress)
        finally:  # never in the way of what sending says
            refresh_overview(project)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    waiting = [o.slug for o in report.outcomes if o.status == "not approved yet"]
    if waiting:
        click.echo(f"Not approved yet (letters approve SLUG when ready): {', '.join(waiting)}")
    for outcome in report.outcomes:
        if outcome.status == "failed":
            click.echo(
                f"{project.shown(project.council_file(outcome.slug))}: not sent: {outcome.detail}",
                err=True,
            )
    if report.stopped:
        click.echo(
            "letters: stopped; not sent: "
            + ", ".join(o.slug for o in report.outcomes if o.status == "stopped"),
            err=True,
        )
    click.echo(report.summary())
    sys.exit(130 if report.stopped else 0 if report.ok() else 1)


def letters_folder(root: Path) -> Project:
    """The project at `root`, or exit with a message saying how to point at one."""
    project = Project(root)
    project.check_is_project()
    return project


def stop_like_ctrl_c(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
