"""Stage 6b, proof: read the laid-out pages as a proofreader would, and say what looks wrong."""

from weasyprint.formatting_structure import boxes

STANDARD_PAGES = 3  # two pages of letter, then the statistics page
LEAF_BLOCKS = {"p", "h1", "h2", "h3", "li"}
HEADINGS = {"h1", "h2", "h3"}
TOLERANCE = 0.5  # CSS pixels


def proof(document, optional_paragraphs: list[str]) -> list[str]:
    """What a proofreader would flag on the laid-out letter; nothing for a good letter."""
    pages = [page._page_box for page in document.pages]  # WeasyPrint's laid-out boxes
    return [*page_count(len(pages), optional_paragraphs), *lonely_headings(pages),
            *shared_statistics_page(pages), *text_outside_the_page(pages)]


def page_count(count: int, optional_paragraphs: list[str]) -> list[str]:
    if count == STANDARD_PAGES:
        return []
    cause = (f": its optional {'paragraph' if len(optional_paragraphs) == 1 else 'paragraphs'} "
             f"{' and '.join(optional_paragraphs)} push it over" if optional_paragraphs else "")
    return [f"has {count} pages, not the standard {STANDARD_PAGES}{cause}"]


def in_flow(page) -> list:
    """The page's boxes in document order, leaving out the margin boxes (page numbers) and
    what is fixed on every page (the DRAFT marker)."""
    return [box for child in page.children if not isinstance(child, boxes.MarginBox)
            for box in descendants_in_flow(child)]


def descendants_in_flow(box):
    if box.style["position"] == "fixed":
        return
    yield box
    if isinstance(box, boxes.ParentBox):
        for child in box.children:
            yield from descendants_in_flow(child)


def leaf_blocks(page) -> list:
    return [box for box in in_flow(page)
            if isinstance(box, boxes.BlockBox) and box.element_tag in LEAF_BLOCKS]


def text_of(box) -> str:
    text = " ".join(child.text for child in box.descendants() if isinstance(child, boxes.TextBox))
    return text if len(text) <= 50 else f"{text[:47]}..."


def lonely_headings(pages: list) -> list[str]:
    """Headings that end a page, their text all on the next one."""
    findings = []
    for number, page in enumerate(pages[:-1], start=1):
        blocks = leaf_blocks(page)
        if blocks and blocks[-1].element_tag in HEADINGS:
            findings.append(f"the heading '{text_of(blocks[-1])}' stands alone at the foot of "
                            f"page {number}")
    return findings


def shared_statistics_page(pages: list) -> list[str]:
    """The statistics page must start on a page of its own."""
    for number, page in enumerate(pages, start=1):
        inside = [in_statistics for _, in_statistics in
                  leaf_blocks_marked(page, "statistics")]
        if True in inside and inside.index(True) > 0:
            return [f"the statistics page does not start on a page of its own: it follows the "
                    f"letter's text on page {number}"]
    return []


def leaf_blocks_marked(box, css_class: str, inside: bool = False):
    """The leaf blocks under `box`, each with whether it is inside an element of `css_class`."""
    if isinstance(box, boxes.MarginBox) or box.style["position"] == "fixed":
        return
    element = getattr(box, "element", None)
    inside = inside or (element is not None and css_class in (element.get("class") or "").split())
    if isinstance(box, boxes.BlockBox) and box.element_tag in LEAF_BLOCKS:
        yield box, inside
    elif isinstance(box, boxes.ParentBox):
        for child in box.children:
            yield from leaf_blocks_marked(child, css_class, inside)


def text_outside_the_page(pages: list) -> list[str]:
    """Text that runs past the page's printable area (usually a very long word)."""
    findings = []
    for number, page in enumerate(pages, start=1):
        left, top = page.content_box_x(), page.content_box_y()
        right, bottom = left + page.width, top + page.height
        for box in in_flow(page):
            if isinstance(box, boxes.TextBox) and (
                    box.position_x < left - TOLERANCE
                    or box.position_x + box.width > right + TOLERANCE
                    or box.position_y + box.height > bottom + TOLERANCE):
                findings.append(f"text runs outside the printable area on page {number}: "
                                f"'{text_of(box)}'")
                break
    return findings
