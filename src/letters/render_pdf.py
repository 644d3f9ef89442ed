"""Stage 6, render PDF: lay out the self-contained HTML letter with WeasyPrint."""

import logging
import re
from contextlib import contextmanager

from letters.problems import LettersError, Problem


class RecordProblems(logging.Handler):
    """Collects what WeasyPrint logs, so that a warning fails the letter instead of passing."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_problems(shown: str):
    """Turn anything WeasyPrint logs as a warning or error into a LettersError for `shown`."""
    logger = logging.getLogger("weasyprint")
    handler = RecordProblems()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        raise LettersError([Problem(shown, f"PDF rendering: {message}")
                            for message in handler.messages])


def render_pdf(html: str, shown: str) -> tuple[bytes, int]:
    """The PDF of a self-contained HTML letter, and its page count.

    The letter may fetch nothing but its own data: URIs, so no data file can reach the network
    or the disk through it.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    with weasyprint_problems(shown):
        try:
            document = HTML(string=html, url_fetcher=fetcher).render()
            return document.write_pdf(), len(document.pages)
        except FatalURLFetchingError as error:
            raise LettersError([Problem(shown, refused_fetch_message(str(error)))]) from None


def refused_fetch_message(error: str) -> str:
    url = re.sub(r'^Error fetching "(.*)"$', r"\1", error)
    url = url if len(url) <= 80 else f"{url[:77]}..."
    return (f"PDF rendering refused to fetch {url}: a letter may only use files in templates/ "
            f"and assets/, through embed() in a template or url() in the stylesheet")
