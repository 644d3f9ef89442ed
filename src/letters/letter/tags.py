"""Mend the tag tree WeasyPrint 70 writes, to read as a person reads.

WeasyPrint tags every letter (PDF/UA-1), but a screen reader, or `pdfinfo -struct-text`, found:
- each line of a paragraph is its own Span with nothing between them ("canbe learned"): a space
  is added at the end of every line that a line of the same paragraph follows;
- the page numbers are marked content that hangs outside the structure tree: they become
  Artifacts (pagination), as running content should be;
- what the HTML hides from screen readers (`aria-hidden`: the display figure the sentence beside
  it repeats) is read in the PDF: it becomes an Artifact (layout) too;
- `<br>` and empty inline boxes leave empty Span and NonStruct elements: removed;
- Figure bounding boxes are in CSS pixels from the top left: turned into PDF points;
- every element split by a page break (the article, a paragraph) becomes two: joined again,
  using the layout to know which elements really continue on the next page.

The mend changes WeasyPrint's own PDF objects (pydyf's) after they are made and before they are
written: it is `write_pdf`'s finisher, so each PDF is written and compressed once.
"""

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pydyf
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
CMAP_CHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
CMAP_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
HEX_STRING = re.compile(rb"<([0-9a-fA-F]*)>")

# pydyf's objects as WeasyPrint builds them (dictionaries, arrays, streams, and references to
# them as b"12 0 R"): their shape is the PDF's, so they are typed Any at this one boundary.
Obj = Any
Key = tuple[int, int]  # (page index, marked-content id)
Area = tuple[float, float, float, float]  # left, top, right, bottom in CSS pixels


@dataclass
class Layout:
    """What the mend needs to know from the layout, which the PDF objects do not say."""

    continued: list[int]  # for each page break, how many levels of elements continue over it
    hidden: list[list[Area]]  # for each page, where the elements hidden from screen readers are
    spoken: list[list[tuple[Area, str]]]  # for each page, where text is read as other words


def layout_of(document: Any) -> Layout:
    pages = [page._page_box for page in document.pages]
    return Layout(
        continued_depths(pages),
        [list(hidden_areas(page)) for page in pages],
        [list(spoken_areas(page)) for page in pages],
    )


def continued_depths(pages: list[Any]) -> list[int]:
    """For each page break, how many levels of elements continue from one page onto the next
    (main, article, paragraph: 3; 0 where the next page starts afresh)."""
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


def hidden_areas(box: Any) -> Iterator[Area]:
    """Where the page draws elements marked aria-hidden (each box's border box)."""
    element = box.element
    if element is not None and box.element_tag and element.get("aria-hidden") == "true":
        left, top = box.position_x + box.margin_left, box.position_y + box.margin_top
        yield (left, top, left + box.border_width(), top + box.border_height())
        return
    if isinstance(box, boxes.ParentBox):
        for child in box.children:
            yield from hidden_areas(child)


def spoken_areas(box: Any) -> Iterator[tuple[Area, str]]:
    """Where the page draws elements that say how they are read (`data-spoken`: 31/03/20 read
    as 31 March 2020), and the words."""
    element = box.element
    spoken = element.get("data-spoken") if element is not None and box.element_tag else None
    if spoken:
        left, top = box.position_x + box.margin_left, box.position_y + box.margin_top
        yield ((left, top, left + box.border_width(), top + box.border_height()), spoken)
        return
    if isinstance(box, boxes.ParentBox):
        for child in box.children:
            yield from spoken_areas(child)


Finisher = Callable[[Any, Obj], None]  # what write_pdf calls with its document and PDF objects


def tag_mender(layout: Layout) -> Finisher:
    """The finisher `write_pdf` calls with the PDF's objects, to mend them before they are
    written."""
    return lambda document, pdf: mend_tags(pdf, layout)


def referenced(pdf: Obj, value: Obj) -> Obj:
    """The object a reference (b"12 0 R") names; any other value as it is."""
    if isinstance(value, bytes) and value.endswith(b" R"):
        return pdf.objects[int(value.split(b" ", 1)[0])]
    return value


class Objects:
    """The PDF's objects, each found by its reference."""

    def __init__(self, pdf: Obj):
        self.pdf = pdf
        self.pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]
        self.numbers = {page.reference: index for index, page in enumerate(self.pages)}
        self.codes: dict[bytes, dict[bytes, str]] = {}

    def codes_of(self, font: bytes) -> dict[bytes, str]:
        """The character codes of the font `font` refers to, and the text each stands for."""
        if font not in self.codes:
            self.codes[font] = codes_in_cmap(cmap_of(self(font), self))
        return self.codes[font]

    def __call__(self, value: Obj) -> Obj:
        return referenced(self.pdf, value)


def mend_tags(pdf: Obj, layout: Layout) -> None:
    """Mend the PDF's tag tree as the module says; everything else stays as it is."""
    objects = Objects(pdf)
    tree = objects(pdf.catalog["StructTreeRoot"])
    document = objects(tree["K"][0])
    join_continued(objects, document, layout.continued)
    pages = [PageContent.of(objects, page) for page in objects.pages]
    text = {key: line for number, page in enumerate(pages) for key, line in page.text(number)}
    spoken = {
        key: words
        for key, line in text.items()
        for area, words in layout.spoken[key[0]]
        if line.within([area])
    }
    hidden = {
        key
        for key, line in text.items()
        if line.within(layout.hidden[key[0]]) and key not in spoken
    }
    root = kept_tree(objects, document, hidden) or Node(document, "", None, [])
    read_as_spoken(root, spoken)
    used = root.marked_content()
    parents = objects(tree["ParentTree"])["Nums"]
    for number, page in enumerate(pages):
        for mcid in page.marked_content.keys() - used.get(number, set()):
            page.make_artifact(mcid, "/Layout" if (number, mcid) in hidden else "/Pagination")
            orphan(parents, number, mcid)
    add_line_end_spaces(root, text)
    place_figures(objects, root)


def read_as_spoken(node: "Node", spoken: dict[Key, str]) -> None:
    """The innermost element whose text is all one `data-spoken` element's gets its words as
    /ActualText, which a screen reader reads instead of what is drawn."""
    keys = node.text()
    words = {spoken.get((page, mcid)) if page is not None else None for page, mcid in keys}
    if keys and len(words) == 1 and None not in words:
        inner = [kid for kid in node.kids if isinstance(kid, Node) and kid.text()]
        if len(inner) == 1 and set(inner[0].text()) == set(keys):
            read_as_spoken(inner[0], spoken)
            return
        node.element["ActualText"] = pydyf.String(words.pop())
        return
    for kid in node.kids:
        if isinstance(kid, Node):
            read_as_spoken(kid, spoken)


def orphan(parents: Obj, number: int, mcid: int) -> None:
    """The parent tree no longer points at marked content that became an artifact."""
    kids = parents[2 * number + 1]
    if mcid < len(kids):
        kids[mcid] = b"null"


@dataclass
class TextLine:
    """One piece of marked text: where it is drawn, its font, and its last text instruction."""

    x: float
    y: float  # its baseline, from the top of the page, in CSS pixels as the layout's
    font: bytes  # a reference to its font
    at: int  # the index of its last TJ instruction in the page's content
    page: "PageContent"

    def within(self, areas: list[Area]) -> bool:
        return any(
            left <= self.x <= right and top <= self.y <= bottom
            for left, top, right, bottom in areas
        )


@dataclass
class PageContent:
    """A page's content as WeasyPrint's stream holds it: one item an instruction (or, for a
    marked-content sequence, its tag, its properties and BDC), text as hex strings."""

    items: list[Obj]
    fonts: Obj  # the page's font resources: name -> font
    objects: Objects
    marked_content: dict[int, int]  # each marked-content id -> the index of its properties

    @classmethod
    def of(cls, objects: Objects, page: Obj) -> "PageContent":
        items = objects(page["Contents"]).stream
        marked = {
            item["MCID"]: index
            for index, item in enumerate(items)
            if isinstance(item, dict) and "MCID" in item
        }
        return cls(items, objects(objects(page["Resources"])["Font"]), objects, marked)

    def text(self, number: int) -> Iterator[tuple[Key, TextLine]]:
        """Each marked piece of text on the page, by (page number, marked-content id)."""
        current, last = None, None
        font, x, y = b"", 0.0, 0.0  # WeasyPrint sets the matrix and font before any text
        for index, item in enumerate(self.items):
            if isinstance(item, dict):
                current = item.get("MCID", current)
            elif not isinstance(item, bytes):
                continue
            elif item == b"EMC":
                if current is not None and last is not None:
                    yield (number, current), last
                current, last = None, None
            elif item.endswith(b" Tm"):
                x, y = (float(value) for value in item.split()[4:6])
            elif item.endswith(b" Tf"):
                font = self.fonts[item[1:].split(b" ", 1)[0].decode("ascii")]
            elif item.endswith(b" TJ") and current is not None:
                last = TextLine(x, y, font, index, self) if last is None else last
                last.font, last.at = font, index

    def make_artifact(self, mcid: int, kind: str) -> None:
        at = self.marked_content[mcid]
        self.items[at - 1 : at + 1] = ["/Artifact", pydyf.Dictionary({"Type": kind})]

    def last_string(self, at: int) -> bytes:
        strings = HEX_STRING.findall(self.items[at])
        return bytes.fromhex(strings[-1].decode("ascii")) if strings else b""

    def append(self, at: int, code: bytes) -> None:
        strings = list(HEX_STRING.finditer(self.items[at]))
        if not strings:
            return  # not text as WeasyPrint writes it: left as it is
        item, end = self.items[at], strings[-1].end(1)
        self.items[at] = item[:end] + code.hex().encode("ascii") + item[end:]


def is_element(value: Obj) -> bool:
    return isinstance(value, dict) and value.get("Type") == "/StructElem"


def join_continued(objects: Objects, document: Obj, continued: list[int]) -> None:
    """Join, at each page break, the elements that the layout says continue across it."""
    for page, depth in enumerate(continued):
        tops = [objects(kid) for kid in document["K"] if is_element(objects(kid))]
        starts = [
            index for index, top in enumerate(tops) if objects.numbers.get(top["Pg"]) == page + 1
        ]
        if not starts or starts[0] == 0:
            continue
        # What ends the page before may already hold earlier pages: it is what precedes.
        parent, left, right = document, tops[starts[0] - 1], tops[starts[0]]
        for _ in range(depth):
            if left is None or right is None or left["S"] != right["S"]:
                break
            next_left = last_element(objects, left["K"], -1)
            next_right = last_element(objects, right["K"], 0)
            for kid in right["K"]:
                if is_element(objects(kid)):
                    objects(kid)["P"] = left.reference
                left["K"].append(kid)
            parent["K"] = pydyf.Array([kid for kid in parent["K"] if kid != right.reference])
            right["K"] = pydyf.Array()  # no longer in the tree
            parent, left, right = left, next_left, next_right


def last_element(objects: Objects, kids: Obj, end: int) -> Obj:
    """The last (end -1) or first (end 0) element among `kids`; None if there is none."""
    found = [objects(kid) for kid in kids if is_element(objects(kid))]
    return found[end] if found else None


@dataclass
class Node:
    """An element of the tag tree, read once: its role, its own page, and its kids (elements,
    or the marked-content ids of its text on that page)."""

    element: Obj
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


def kept_tree(objects: Objects, element: Obj, hidden: set[Key]) -> Node | None:
    """The element read as a Node, without the text hidden from screen readers and the elements
    that have nothing in them (emptied in the PDF too); None if it has nothing itself."""
    page = objects.numbers.get(element.get("Pg"))
    kids: list[Node | int] = []
    kept = []
    for kid in element["K"]:
        if isinstance(kid, int):
            if (page, kid) in hidden:
                continue
            kids.append(kid)
        elif is_element(objects(kid)):
            node = kept_tree(objects, objects(kid), hidden)
            if node is None:
                objects(kid).clear()  # no longer in the tree
                continue
            kids.append(node)
        kept.append(kid)
    if len(kept) < len(element["K"]):
        element["K"] = pydyf.Array(kept)
    if not kept:
        return None
    return Node(element, element.get("S", ""), page, kids)


def add_line_end_spaces(root: Node, lines: dict[Key, TextLine]) -> None:
    """End with a space every line of a block that another line of the block follows."""
    for block in root.blocks():
        sequence = [key for key in block.text() if key in lines]
        for this, following in itertools.pairwise(sequence):
            here, there = lines[this], lines[following]
            if this[0] == following[0] and abs(here.y - there.y) < 0.01:
                continue  # the same line
            if not last_character(here).endswith(NO_SPACE_AFTER):
                append_space(here)


def cmap_of(font: Obj, objects: Objects) -> bytes:
    """A font's ToUnicode map, as text (WeasyPrint compresses it only when writing)."""
    if "ToUnicode" not in font:
        return b""
    return b"\n".join(pydyf._to_bytes(item) for item in objects(font["ToUnicode"]).stream)


def codes_in_cmap(cmap: bytes) -> dict[bytes, str]:
    """A font's character codes and the text each stands for."""
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


def last_character(line: TextLine) -> str:
    last = line.page.last_string(line.at)
    codes = line.page.objects.codes_of(line.font)
    width = len(next(iter(codes), b"\0\0"))
    return codes.get(last[-width:], "")


def append_space(line: TextLine) -> None:
    codes = line.page.objects.codes_of(line.font)
    space = next((code for code, text in codes.items() if text == " "), None)
    if space is None:
        return  # the font draws no space anywhere: leave the line as it is
    line.page.append(line.at, space)


def place_figures(objects: Objects, root: Node) -> None:
    """Figure bounding boxes in PDF points from the bottom left, as the PDF format has them."""
    for node in root.figures():
        figure = node.element
        if "A" not in figure or "BBox" not in figure["A"] or "Pg" not in figure:
            continue
        height = float(objects(figure["Pg"])["MediaBox"][3])
        scale = 0.75  # WeasyPrint draws in CSS pixels, 96 to the inch; a point is 1/72
        x1, y1, x2, y2 = (float(value) for value in figure["A"]["BBox"])
        figure["A"]["BBox"] = pydyf.Array(
            [
                round(x1 * scale, 3),
                round(height - y2 * scale, 3),
                round(x2 * scale, 3),
                round(height - y1 * scale, 3),
            ]
        )
