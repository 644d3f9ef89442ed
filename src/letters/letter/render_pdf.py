"""Lay out the HTML letter with WeasyPrint, then write the PDF from it."""

import contextlib
import io
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from letters.problems import LettersError, Problem, fail

if TYPE_CHECKING:
    from weasyprint.document import Document

    from letters.letter.tags import Finisher


class RecordProblems(logging.Handler):
    """Collects what WeasyPrint logs, so that a warning fails the letter instead of passing."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_problems(shown: str, in_file: bool = False) -> Iterator[None]:
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
        raise LettersError(
            [
                Problem(
                    shown,
                    f"PDF rendering: {shortened(message)}",
                    line_in(message) if in_file else None,
                )
                for message in handler.messages
            ]
        )


def shortened(message: str) -> str:
    """WeasyPrint's message with any embedded file's data: URI cut to its start."""
    return re.sub(r"(data:[\w/+.-]+;base64,)[A-Za-z0-9+/=]{20,}", r"\1...", message)


def line_in(message: str) -> int | None:
    found = re.search(r" at (\d+):\d+", message)
    return int(found[1]) if found else None


UA = "pdf/ua-1"  # tagged: structure, reading order, language, alt text
ARCHIVAL = "pdf/a-3u"


def load_weasyprint() -> None:
    """Import WeasyPrint, a quarter of a second sooner than it imports itself on Linux.

    WeasyPrint opens each system library (Pango, HarfBuzz, fontconfig...) by trying its Windows
    and macOS names before its Linux soname; for every name that fails, cffi asks
    ctypes.util.find_library, which runs ldconfig, gcc and ld (22 times: 0.24 s of every
    start). With find_library answering nothing, each library opens by its soname; if one does
    not (an unusual system), WeasyPrint is imported again the usual way.
    """
    if "weasyprint" in sys.modules:
        return
    import ctypes.util

    lookup = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its advice, if a library is missing
            import weasyprint  # noqa: F401
    except OSError:  # forgotten, so that the caller's import brings it in the usual way
        for name in [name for name in sys.modules if name.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = lookup


class PdfRenderer:
    """WeasyPrint set up once per process: its fonts and parsed stylesheet serve every letter.

    Letters may fetch nothing but data: URIs (the stylesheet's fonts, the embedded images), so
    no data file or template can reach the network or the disk through WeasyPrint.
    """

    def __init__(self, stylesheet: str, stylesheet_name: str):
        load_weasyprint()
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        from letters.letter.drawn_once import ImageCache

        self.fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        self.font_config = FontConfiguration()
        # Every letter embeds the same letterhead and signature: read and drawn once a process.
        self.images = ImageCache()
        with weasyprint_problems(stylesheet_name, in_file=True), refused_fetches(stylesheet_name):
            self.stylesheet = CSS(
                string=stylesheet, font_config=self.font_config, url_fetcher=self.fetcher
            )

    def lay_out(self, html: str, shown: str) -> "Document":
        """The letter's pages, laid out: what the proofreader reads and the PDF is written from."""
        from weasyprint import HTML

        with weasyprint_problems(shown), refused_fetches(shown):
            return HTML(string=html, url_fetcher=self.fetcher).render(
                stylesheets=[self.stylesheet],
                font_config=self.font_config,
                pdf_variant=UA,
                cache=self.images,
            )

    def write(self, document: "Document", shown: str, archival: bool = False) -> "PdfLetter":
        """The letter's PDF, tagged for accessibility (PDF/UA-1) with its tags mended for screen
        readers; and, if asked for, the archival PDF/A-3u written from the same layout."""
        from letters.letter.read_back import laid_out_text
        from letters.letter.tags import layout_of, tag_mender

        with weasyprint_problems(shown), refused_fetches(shown):
            mender = tag_mender(layout_of(document))
            return PdfLetter(
                pdf=document.write_pdf(pdf_variant=UA, finisher=mender),
                archival=document.write_pdf(
                    pdf_variant=ARCHIVAL,
                    pdf_tags=True,
                    finisher=archival_finisher(mender),
                )
                if archival
                else None,
                pages=len(document.pages),
                text=laid_out_text(document),
            )


# PDF/A admits only the metadata it knows or that the file describes: the archival copy, tagged
# as the other is, says it is PDF/UA-1 too, and describes the pdfuaid schema (ISO 14289-1, 6.7.1;
# ISO 19005-3, 6.6.2.3).
PDF_UA_IN_PDF_A = b"""<rdf:Description rdf:about=""
 xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>The part of ISO 14289 followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
"""


def archival_finisher(mender: "Finisher") -> "Finisher":
    """The tag mend, then the PDF/UA declaration, on the archival copy's objects."""

    def finish(document: Any, pdf: Any) -> None:
        mender(document, pdf)
        declare_ua(pdf)

    return finish


def declare_ua(pdf: Any) -> None:
    """Add the PDF/UA-1 identification to the XMP metadata WeasyPrint made for a PDF/A."""
    from letters.letter.tags import referenced

    stream = referenced(pdf, pdf.catalog["Metadata"])
    (packet,) = stream.stream
    end = packet.rindex(b"</rdf:RDF>")
    stream.stream = [packet[:end] + PDF_UA_IN_PDF_A + packet[end:]]


@dataclass(frozen=True)
class PdfLetter:
    pdf: bytes
    archival: bytes | None
    pages: int
    text: str  # its words as laid out, page by page (letter/read_back.py)


@contextmanager
def refused_fetches(shown: str) -> Iterator[None]:
    from weasyprint.urls import FatalURLFetchingError

    try:
        yield
    except FatalURLFetchingError as error:
        fail(shown, refused_fetch_message(str(error)))


def refused_fetch_message(error: str) -> str:
    url = re.sub(r'^Error fetching "(.*)"$', r"\1", error)
    url = url if len(url) <= 80 else f"{url[:77]}..."
    return (
        f"PDF rendering refused to fetch {url}: a letter may only use files in templates/ "
        f"and assets/, through embed() in a template or url() in the stylesheet"
    )
