"""Mend the tag tree WeasyPrint 70 writes, to read as a person reads.

WeasyPrint tags every letter (PDF/UA-1), but a screen reader, or `pdfinfo -struct-text`, found:
- each line of a paragraph is its own Span with nothing between them ("canbe learned"): a space
  is added at the end of every line that a line of the same paragraph follows;
- the page numbers are marked content that hangs outside the structure tree: they become
  Artifacts (pagination), as running content should be;
- `<br>` and empty inline boxes leave empty Span and NonStruct elements: removed;
- Figure bounding boxes are in CSS pixels from the top left: turned into PDF points;
- every element split by a page break (the article, a paragraph) becomes two: joined again,
  using the layout to know which elements really continue on the next page.
"""

import functools
import io
import itertools
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import pikepdf
from weasyprint.formatting_structure import boxes

BLOCKS = frozenset(
    {
        "/P",
        "/H1",
        "/H2",
        "/H3",
        "/H4",
        "/H5",
        "/H6",
        "/LI",
        "/LBody",
        "/Caption",
        "/TD",
        "/TH",
        "/BlockQuote",
    }
)
NO_SPACE_AFTER = ("-", "\u2010", " ", "\u00a0")  # a hyphenated word, or a space already there
PAGINATION = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
WATCHED = frozenset({b"BDC", b"EMC", b"Tf", b"Tm", b"TJ", b"Tj"})
CMAP_CHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
CMAP_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


# pikepdf's objects as this module reads them (dictionaries, arrays, names, operators): their
# shape is the PDF's, known only at run time, so they are typed Any at this one boundary.
Pdf = Any
PageNumbers = dict[Any, int]  # a page object's (number, generation) -> its page's index


@dataclass
class TextLine:
    """Where one line of text is drawn: its height on the page, font, and instruction."""

    y: float
    font: Pdf
    at: int  # the index of its TJ or Tj instruction in the page's content
    page: Pdf
    content: "PageContent"


def continued_depths(document: Any) -> list[int]:
    """For each page break, how many levels of elements continue from one page onto the next
    (main, article, paragraph: 3; 0 where the next page starts afresh), from the layout."""
    pages = [page._page_box for page in document.pages]
    return [
        sum(
            1
            for _ in itertools.takewhile(
                lambda pair: pair[0] is pair[1],
                zip(chain_of(before, last=True), chain_of(after, last=False), strict=False),
            )
        )
        for before, after in itertools.pairwise(pages)
    ]


def chain_of(page: Any, last: bool) -> list[Any]:
    """The HTML elements along the last (or first) edge of a page, outermost first, as the tag
    tree has them (no html or body; down to the block whose children are lines)."""
    chain, box = [], page
    while isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
        children = [child for child in box.children if not isinstance(child, boxes.MarginBox)]
        if not children:
            break
        box = children[-1 if last else 0]
        if box.element_tag not in ("html", "body") and not isinstance(box, boxes.LineBox):
            chain.append(box.element)
    return chain


def mend_tags(pdf_bytes: bytes, continued: list[int]) -> bytes:
    """The PDF with its tag tree mended as the module says; everything else as it was."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        tree = pdf.Root.StructTreeRoot
        document = tree.K[0]
        numbers = {page.objgen: number for number, page in enumerate(pdf.pages)}
        join_continued(document, continued, numbers)
        root = kept_tree(document, numbers) or Node(document, "", None, [])
        used = root.marked_content()
        pages: list[PageContent] = [
            LinesOfContent.of(page) or ParsedContent.of(page) for page in pdf.pages
        ]
        lines = {}
        for number, content in enumerate(pages):
            lines.update(content.mark(number, used.get(number, set()), tree))
        add_line_end_spaces(root, lines)
        for page, content in zip(pdf.pages, pages, strict=True):
            page.Contents = pdf.make_stream(content.unparsed())
        place_figures(root)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


class PageContent(Protocol):
    """A page's content stream, read so that its marked content and text can be changed."""

    def mark(self, number: int, used: set[int], tree: Pdf) -> dict[tuple[int, int], TextLine]:
        """Turn marked content no element refers to into artifacts; where each text is."""

    def last_string(self, at: int) -> bytes:
        """The last string the text instruction at `at` shows."""

    def append(self, at: int, code: bytes) -> None:
        """Show `code` after the last string of the text instruction at `at`."""

    def unparsed(self) -> bytes: ...


def orphan(tree: Pdf, number: int, mcid: int) -> None:
    """The parent tree no longer points at marked content that became an artifact."""
    parents = tree.ParentTree.Nums[2 * number + 1]
    if mcid < len(parents):
        parents[mcid] = None


LINE_ENDS = frozenset({b"BDC", b"EMC", b" Tf", b" Tm", b" TJ", b" Tj"})
MCID_LINE = re.compile(rb"^<</MCID (\d+)>>$")  # as pydyf writes a BDC's properties
HEX_STRING = re.compile(rb"<([0-9a-fA-F]*)>")


@dataclass
class LinesOfContent:
    """The content as WeasyPrint (pydyf) writes it, one instruction a line and text as hex
    strings: read and changed line by line, without parsing the page (the drawing is most of
    it) into objects and writing it out again."""

    page: Pdf
    lines: list[bytes]

    @classmethod
    def of(cls, page: Pdf) -> "LinesOfContent | None":
        """The page read as lines; None if it is not in that form (then ParsedContent)."""
        streams = page.Contents if isinstance(page.Contents, pikepdf.Array) else [page.Contents]
        lines = b"\n".join(stream.read_bytes() for stream in streams).split(b"\n")
        shows = (line for line in lines if line.endswith((b" TJ", b" Tj")))
        if any(b"(" in line or b"\\" in line for line in shows):
            return None  # a literal string, whose parentheses and escapes lines cannot read
        marks = [index for index, line in enumerate(lines) if line == b"BDC"]
        if any(index < 2 or not lines[index - 2].startswith(b"/") for index in marks):
            return None  # a BDC not as "/Tag", its properties and "BDC" on three lines
        return cls(page, lines)

    def mark(self, number: int, used: set[int], tree: Pdf) -> dict[tuple[int, int], TextLine]:
        text: dict[tuple[int, int], TextLine] = {}
        current, font, y = None, None, 0.0
        for index, line in enumerate(self.lines):
            if line[-3:] not in LINE_ENDS:
                continue  # most of a page is drawing
            if line == b"BDC":
                found = MCID_LINE.match(self.lines[index - 1])
                if found and int(found[1]) not in used:
                    self.lines[index - 2 : index] = [b"/Artifact", b"<</Type /Pagination>>"]
                    orphan(tree, number, int(found[1]))
                    current = None
                elif found:
                    current = (number, int(found[1]))
            elif line == b"EMC":
                current = None
            elif line.endswith(b" Tf"):
                font = pikepdf.Name(line.split()[0].decode("ascii"))
            elif line.endswith(b" Tm"):
                y = float(line.split()[5])
            elif line.endswith((b" TJ", b" Tj")) and current is not None:
                text[current] = TextLine(y, font, index, self.page, self)
        return text

    def last_string(self, at: int) -> bytes:
        strings = HEX_STRING.findall(self.lines[at])
        return bytes.fromhex(strings[-1].decode("ascii")) if strings else b""

    def append(self, at: int, code: bytes) -> None:
        line = self.lines[at]
        last = list(HEX_STRING.finditer(line))[-1]
        self.lines[at] = line[: last.end(1)] + code.hex().encode("ascii") + line[last.end(1) :]

    def unparsed(self) -> bytes:
        return b"\n".join(self.lines)


@dataclass
class ParsedContent:
    """Any other content, parsed into instructions by pikepdf and written out again."""

    page: Pdf
    operations: list[Pdf]

    @classmethod
    def of(cls, page: Pdf) -> "ParsedContent":
        return cls(page, list(pikepdf.parse_content_stream(page)))

    def mark(self, number: int, used: set[int], tree: Pdf) -> dict[tuple[int, int], TextLine]:
        return mark_page(self.page, self, number, used, tree)

    def last_string(self, at: int) -> bytes:
        shown = self.operations[at].operands[0]
        index = last_shown(shown)
        return bytes(shown if index is None else shown[index])

    def append(self, at: int, code: bytes) -> None:
        instruction = self.operations[at]
        shown = instruction.operands[0]
        index = last_shown(shown)
        if index is None:
            shown = pikepdf.String(bytes(shown) + code)
        else:
            shown[index] = pikepdf.String(bytes(shown[index]) + code)
        self.operations[at] = pikepdf.ContentStreamInstruction([shown], instruction.operator)

    def unparsed(self) -> bytes:
        return bytes(pikepdf.unparse_content_stream(self.operations))


def elements(kids: Pdf) -> list[Pdf]:
    return [
        kid
        for kid in kids
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem"
    ]


def join_continued(document: Pdf, continued: list[int], numbers: PageNumbers) -> None:
    """Join, at each page break, the elements that the layout says continue across it."""
    for page, depth in enumerate(continued):
        tops = elements(document.K)
        starts = [index for index, top in enumerate(tops) if numbers.get(top.Pg.objgen) == page + 1]
        if not starts or starts[0] == 0:
            continue
        # What ends the page before may already hold earlier pages: it is what precedes.
        parent, left, right = document, tops[starts[0] - 1], tops[starts[0]]
        for _ in range(depth):
            if left is None or right is None or left.S != right.S:
                break
            next_left = (elements(left.K) or [None])[-1]
            next_right = (elements(right.K) or [None])[0]
            for kid in right.K:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                    kid.P = left
                left.K.append(kid)
            parent.K = pikepdf.Array(
                [
                    kid
                    for kid in parent.K
                    if not (isinstance(kid, pikepdf.Dictionary) and kid.objgen == right.objgen)
                ]
            )
            parent, left, right = left, next_left, next_right


@dataclass
class Node:
    """An element of the tag tree, read once: its role, its own page, and its kids (elements,
    or the marked-content ids of its text on that page)."""

    element: Pdf
    role: str
    page: int | None
    kids: list["Node | int"]

    def marked_content(
        self, found: dict[int | None, set[int]] | None = None
    ) -> dict[int | None, set[int]]:
        """Page number -> the marked-content ids the tag tree refers to on that page."""
        found = {} if found is None else found
        for kid in self.kids:
            if isinstance(kid, int):
                found.setdefault(self.page, set()).add(kid)
            else:
                kid.marked_content(found)
        return found

    def text(self) -> list[tuple[int | None, int]]:
        """(page, marked-content id) of each piece of text inside, in reading order."""
        return [
            found
            for kid in self.kids
            for found in ([(self.page, kid)] if isinstance(kid, int) else kid.text())
        ]

    def blocks(self) -> Iterator["Node"]:
        for kid in self.kids:
            if isinstance(kid, Node):
                if kid.role in BLOCKS:
                    yield kid
                else:
                    yield from kid.blocks()

    def figures(self) -> Iterator["Node"]:
        for kid in self.kids:
            if isinstance(kid, Node):
                if kid.role == "/Figure":
                    yield kid
                yield from kid.figures()


def kept_tree(element: Pdf, numbers: PageNumbers) -> Node | None:
    """The element read as a Node, with the elements that have nothing in them removed (from
    the PDF too); None if it has nothing itself."""
    kids: list[Node | int] = []
    kept: list[Pdf] = []
    for kid in element.K:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            node = kept_tree(kid, numbers)
            if node is None:
                continue  # empty: a <br> or an empty inline box
            kids.append(node)
        elif isinstance(kid, int):
            kids.append(int(kid))
        kept.append(kid)
    if len(kept) < len(element.K):
        element.K = pikepdf.Array(kept)
    if not kept:
        return None
    page = numbers.get(element.Pg.objgen) if "/Pg" in element else None
    return Node(element, str(element.get("/S", "")), page, kids)


def mark_page(
    page: Pdf, content: "ParsedContent", number: int, used: set[int], tree: Pdf
) -> dict[tuple[int, int], TextLine]:
    """Turn the page's marked content that no element refers to (the page numbers) into
    pagination artifacts; return, for the rest, where each piece of text is."""
    lines: dict[tuple[int, int], TextLine] = {}
    current = None
    font = None
    y = 0.0  # WeasyPrint sets the text matrix (Tm) before it shows any text
    operations = content.operations
    for index, instruction in enumerate(operations):
        name = instruction.operator.unparse()
        if name not in WATCHED:
            continue  # most of a page is drawing: look at its operands only where needed
        operands = instruction.operands
        if (
            name == b"BDC"
            and isinstance(operands[1], pikepdf.Dictionary)
            and ("/MCID" in operands[1])
        ):
            mcid = int(operands[1].MCID)
            if mcid not in used:
                operations[index] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Name.Artifact, PAGINATION], pikepdf.Operator("BDC")
                )
                orphan(tree, number, mcid)
                current = None
            else:
                current = (number, mcid)
        elif name == b"EMC":
            current = None
        elif name == b"Tf":
            font = operands[0]
        elif name == b"Tm":
            y = float(operands[5])
        elif name in (b"TJ", b"Tj") and current is not None:
            lines[current] = TextLine(y, font, index, page, content)
    return lines


def add_line_end_spaces(root: Node, lines: dict[tuple[int, int], TextLine]) -> None:
    """End with a space every line of a block that another line of the block follows."""
    for block in root.blocks():
        sequence = [key for key in block.text() if key in lines]
        for this, following in itertools.pairwise(sequence):
            here, there = lines[this], lines[following]
            if this[0] == following[0] and abs(here.y - there.y) < 0.01:
                continue  # the same line
            if not last_character(here).endswith(NO_SPACE_AFTER):
                append_space(here)


def font_codes(font: Pdf) -> dict[bytes, str]:
    """A font's character codes and the text each stands for (its ToUnicode map)."""
    if "/ToUnicode" not in font:
        return {}
    return codes_in_cmap(font.ToUnicode.read_raw_bytes(), font.ToUnicode.get("/Filter"))


@functools.lru_cache(maxsize=64)  # each letter has two fonts, each line asks again
def codes_in_cmap(raw: bytes, compression: Pdf) -> dict[bytes, str]:
    cmap = zlib.decompress(raw) if compression == "/FlateDecode" else raw
    codes: dict[bytes, str] = {}
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for start, end, text in CMAP_RANGE.findall(section):
            width = len(start) // 2
            for offset in range(int(end, 16) - int(start, 16) + 1):
                code = (int(start, 16) + offset).to_bytes(width, "big")
                codes[code] = chr(int(text, 16) + offset)
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for code, text in CMAP_CHAR.findall(section):
            codes[bytes.fromhex(code.decode())] = bytes.fromhex(text.decode()).decode(
                "utf-16-be", "replace"
            )
    return codes


def space_code(font: Pdf) -> bytes | None:
    """The code that draws a space in `font`, if the font has one."""
    if "/ToUnicode" not in font:
        return None
    return space_in_cmap(font.ToUnicode.read_raw_bytes(), font.ToUnicode.get("/Filter"))


@functools.lru_cache(maxsize=64)
def space_in_cmap(raw: bytes, compression: Pdf) -> bytes | None:
    return next(
        (code for code, text in codes_in_cmap(raw, compression).items() if text == " "), None
    )


def last_shown(shown: Pdf) -> int | None:
    """Where in a TJ array the last string is (from the end: a line has one string per
    kerning pair); None for a Tj string itself."""
    if not isinstance(shown, pikepdf.Array):
        return None
    return next(
        index for index in range(len(shown) - 1, -1, -1) if isinstance(shown[index], pikepdf.String)
    )


def last_character(line: TextLine) -> str:
    last = line.content.last_string(line.at)
    codes = font_codes(line.page.Resources.Font[line.font])
    width = len(next(iter(codes), b"\0\0"))
    return codes.get(last[-width:], "")


def append_space(line: TextLine) -> None:
    space = space_code(line.page.Resources.Font[line.font])
    if space is None:
        return  # the font draws no space anywhere: leave the line as it is
    line.content.append(line.at, space)


def place_figures(root: Node) -> None:
    """Figure bounding boxes in PDF points from the bottom left, as the PDF format has them."""
    for node in root.figures():
        figure = node.element
        if "/A" not in figure or "/BBox" not in figure.A or "/Pg" not in figure:
            continue
        height = float(figure.Pg.MediaBox[3])
        scale = 0.75  # WeasyPrint draws in CSS pixels, 96 to the inch; a point is 1/72
        x1, y1, x2, y2 = (float(value) for value in figure.A.BBox)
        figure.A.BBox = pikepdf.Array(
            [
                round(x1 * scale, 3),
                round(height - y2 * scale, 3),
                round(x2 * scale, 3),
                round(height - y1 * scale, 3),
            ]
        )
