"""The letter's words as it was laid out, line by line and page by page: what a reviewer reads,
kept beside the PDF (build/text/) so `letters changes` and `letters find` need not read PDFs."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # WeasyPrint is imported only where a PDF is made (reading these texts is not)
    from weasyprint.document import Document
    from weasyprint.formatting_structure import boxes

PAGE_BREAK = "\f"  # between pages, as pdftotext writes them


def laid_out_text(document: "Document") -> str:
    """Each page's lines in reading order, a line each, pages parted by a form feed; the page
    numbers and the draft marker (drawn on every page) left out."""
    return PAGE_BREAK.join(
        "".join(f"{line}\n" for line in page_lines(page._page_box)) for page in document.pages
    )


def page_lines(page: "boxes.PageBox") -> list[str]:
    from weasyprint.formatting_structure import boxes

    lines: list[list[str]] = []
    current: list[boxes.Box | None] = [None]

    def visit(box: boxes.Box, line: boxes.Box | None) -> None:
        if isinstance(box, boxes.MarginBox) or box.style["position"] == "fixed":
            return
        if isinstance(box, boxes.LineBox):
            line = box
        if isinstance(box, boxes.TextBox):
            if line is not current[0] or not lines:
                lines.append([])
                current[0] = line
            lines[-1].append(box.text)
        elif isinstance(box, boxes.ParentBox):
            for child in box.children:
                visit(child, line)

    visit(page, None)
    return [text for pieces in lines if (text := "".join(pieces).replace("\u00a0", " ").strip())]
