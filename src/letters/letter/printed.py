"""Which optional sections a letter prints, read from the letter itself: the templates mark
each optional paragraph with its section (`<p data-section="witness_summons">`), so the overview,
`letters.csv` and the proofreader speak of the paragraphs a letter has, not of the sections its
council's file has (a section whose paragraph prints only when its count is above 0, say)."""

from letters.letter.references import parsed_html


def sections_printed(html: str, optional: list[str]) -> list[str]:
    """The optional sections, in the declaration's order, whose paragraphs `html` holds."""
    document = parsed_html(html)
    if document is None:
        return []
    marked = {element.get("data-section") for element in document.iter("*")}
    return [name for name in optional if name in marked]
