"""Which optional sections a letter prints, read from the letter itself: the templates mark
each optional paragraph with its section (`<p data-section="witness_summons">`), so the overview,
`letters.csv` and the proofreader speak of the paragraphs a letter has, not of the sections its
council's file has (a section whose paragraph prints only when its count is above 0, say)."""

import lxml.etree
import lxml.html


def sections_printed(html: str, optional: list[str]) -> list[str]:
    """The optional sections, in the declaration's order, whose paragraphs `html` holds."""
    try:
        document = lxml.html.document_fromstring(html)
        marked = {element.get("data-section") for element in document.iter("*")}
    except lxml.etree.ParserError:  # nothing in it at all
        return []
    return [name for name in optional if name in marked]
