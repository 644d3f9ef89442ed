"""Stage 6, render PDF: lay out the HTML letter with WeasyPrint."""

import logging
import multiprocessing
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from letters.problems import LettersError, Problem


class RecordProblems(logging.Handler):
    """Collects what WeasyPrint logs, so that a warning fails the letter instead of passing."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_problems(shown: str, in_file: bool = False):
    """Turn anything WeasyPrint logs as a warning or error into a LettersError for `shown`.

    `in_file`: the line numbers WeasyPrint gives ("at 28:8") are lines of the file `shown`.
    """
    logger = logging.getLogger("weasyprint")
    handler = RecordProblems()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        raise LettersError([Problem(shown, f"PDF rendering: {message}",
                                    line_in(message) if in_file else None)
                            for message in handler.messages])


def line_in(message: str) -> int | None:
    found = re.search(r" at (\d+):\d+", message)
    return int(found[1]) if found else None


class PdfRenderer:
    """WeasyPrint set up once per process: its fonts and parsed stylesheet serve every letter.

    Letters may fetch nothing but data: URIs (the stylesheet's fonts, the embedded images), so
    no data file or template can reach the network or the disk through WeasyPrint.
    """

    def __init__(self, stylesheet: str, stylesheet_name: str):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        self.fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        self.font_config = FontConfiguration()
        with weasyprint_problems(stylesheet_name, in_file=True), refused_fetches(stylesheet_name):
            self.stylesheet = CSS(string=stylesheet, font_config=self.font_config,
                                  url_fetcher=self.fetcher)

    def render(self, html: str, shown: str) -> tuple[bytes, int]:
        """The PDF of one letter's HTML, and its page count."""
        from weasyprint import HTML

        with weasyprint_problems(shown), refused_fetches(shown):
            document = HTML(string=html, url_fetcher=self.fetcher).render(
                stylesheets=[self.stylesheet], font_config=self.font_config)
            return document.write_pdf(), len(document.pages)


@contextmanager
def refused_fetches(shown: str):
    from weasyprint.urls import FatalURLFetchingError

    try:
        yield
    except FatalURLFetchingError as error:
        raise LettersError([Problem(shown, refused_fetch_message(str(error)))]) from None


def refused_fetch_message(error: str) -> str:
    url = re.sub(r'^Error fetching "(.*)"$', r"\1", error)
    url = url if len(url) <= 80 else f"{url[:77]}..."
    return (f"PDF rendering refused to fetch {url}: a letter may only use files in templates/ "
            f"and assets/, through embed() in a template or url() in the stylesheet")


@dataclass(frozen=True)
class PdfJob:
    slug: str
    html: str
    shown: str


@dataclass(frozen=True)
class PdfResult:
    slug: str
    pdf: bytes | None
    pages: int | None
    problems: list[Problem]


# Each worker process renders with the renderer the main process set up before forking.
worker_renderer: PdfRenderer | None = None


def start_worker(renderer: PdfRenderer) -> None:
    global worker_renderer
    worker_renderer = renderer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C for all
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def render_job(job: PdfJob, renderer: PdfRenderer | None = None) -> PdfResult:
    try:
        pdf, pages = (renderer or worker_renderer).render(job.html, job.shown)
        return PdfResult(job.slug, pdf, pages, [])
    except LettersError as error:
        return PdfResult(job.slug, None, None, error.problems)


def render_pdfs(renderer: PdfRenderer, jobs: list[PdfJob], processes: int) -> Iterator[PdfResult]:
    """Render the jobs, in `processes` worker processes when there is more than one.

    The first letter is rendered here, before forking, so that every worker starts with
    WeasyPrint imported, the stylesheet and fonts parsed and the font machinery warmed up.
    Workers live for the whole build: with one shared FontConfiguration their memory stays flat
    (measured in benchmarks/RESULTS.md), so they need no recycling.
    """
    if not jobs:
        return
    yield render_job(jobs[0], renderer)
    if processes <= 1 or len(jobs) <= 2:
        yield from (render_job(job, renderer) for job in jobs[1:])
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, start_worker, (renderer,)) as pool:
        yield from pool.imap_unordered(render_job, jobs[1:])
