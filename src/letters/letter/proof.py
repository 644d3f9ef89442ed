"""Read the laid-out pages as a proofreader would, from WeasyPrint's own boxes.

A defect is something a reader would see is wrong (text over text or under a box, text off the
page, a heading, sign-off or single line stranded, the statistics page sharing a page, a chart's
bar that does not say what its figure says): each is a note, and `letters build --strict` fails
on it. Information is worth knowing but not wrong (a
longer letter because of its optional paragraphs): it is shown, and never fails a build.
"""

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from weasyprint import Document
from weasyprint.formatting_structure import boxes

from letters.letter.figures import formatted_list
from letters.problems import Note

STANDARD_PAGES = 3  # two pages of letter, then the statistics page
LEAF_BLOCKS = {"p", "h1", "h2", "h3", "li"}
HEADINGS = {"h1", "h2", "h3"}
TOLERANCE = 0.5  # CSS pixels
Rectangle = tuple[float, float, float, float]  # left, top, right, bottom
WHOLE_PAGE = {"html", "body", "main"}  # their backgrounds are the page's, under everything


@dataclass(frozen=True)
class Placed:
    """A box on a page, with the boxes it is inside."""

    box: boxes.Box
    ancestors: tuple[boxes.Box, ...]

    @property
    def rectangle(self) -> Rectangle:
        """Where the box is drawn: its border box (margins are empty space)."""
        box = self.box
        x, y = box.border_box_x(), box.border_box_y()
        return (x, y, x + box.border_width(), y + box.border_height())


def proof(
    document: Document,
    optional_paragraphs: list[str],
    tightened_from: "TextEnd | None" = None,
) -> list[Note]:
    """What a proofreader would note on the laid-out letter; nothing for a good letter.
    `optional_paragraphs` are the titles of the optional sections the letter prints;
    `tightened_from`, where its text ended before it was set tighter, if it was."""
    pages = [laid_out(page._page_box) for page in document.pages]  # WeasyPrint's own boxes
    defects = [
        *text_over_text(pages),
        *text_and_boxes(pages),
        *text_outside_the_page(pages),
        *lonely_headings(pages),
        *stranded_sign_off(pages),
        *single_lines(pages),
        *shared_statistics_page(pages),
        *charts(pages),
    ]
    return [
        *(Note("defect", text) for text in defects),
        *page_count(len(pages), optional_paragraphs),
        *last_page_of_text(text_end(document), tightened_from),
    ]


SPARSE = 0.35  # a last page of text filled less than this is worth setting the letter tighter


@dataclass(frozen=True)
class TextEnd:
    """Where the letter's text (before the statistics page) ends: its page, and how much of
    that page's printable height it fills."""

    page: int
    filled: float

    @property
    def sparse(self) -> bool:
        return self.page > 1 and self.filled < SPARSE


def text_end(document: Document) -> TextEnd:
    for number in range(len(document.pages), 0, -1):
        page = document.pages[number - 1]._page_box
        blocks = [
            box for box, statistics in leaf_blocks_marked(page, "statistics") if not statistics
        ]
        if blocks:
            bottom = max(box.position_y + box.margin_height() for box in blocks)
            return TextEnd(number, (bottom - page.content_box_y()) / page.height)
    return TextEnd(0, 0.0)


def last_page_of_text(end: TextEnd, tightened_from: TextEnd | None) -> list[Note]:
    """How full the letter's last page of text is, when it is worth knowing."""
    if tightened_from is not None:
        return [
            Note(
                "information",
                f"set a little tighter, so that its text ends on page {end.page} instead of "
                f"filling {tightened_from.filled:.0%} of page {tightened_from.page}",
            )
        ]
    if end.sparse:  # and setting it tighter did not save the page
        return [
            Note(
                "defect",
                f"its text fills only {end.filled:.0%} of page {end.page}, the last before the "
                f"statistics page, and set tighter it still needs that page: shorten the "
                f"letter's text by a few lines, or lengthen it to fill the page",
            )
        ]
    return []


def page_count(count: int, optional_paragraphs: list[str]) -> list[Note]:
    if count == STANDARD_PAGES:
        return []
    if not optional_paragraphs or count < STANDARD_PAGES:
        return [
            Note(
                "defect",
                f"has {count} pages, not the standard {STANDARD_PAGES}, and no "
                f"optional paragraph explains it",
            )
        ]
    one = len(optional_paragraphs) == 1
    names = formatted_list([title.lower() for title in optional_paragraphs])
    return [
        Note(
            "information",
            f"has {count} pages, not the standard {STANDARD_PAGES}: its optional "
            f"{'paragraph' if one else 'paragraphs'} ({names}) {'pushes' if one else 'push'} "
            f"it over",
        )
    ]


@dataclass(frozen=True)
class LaidOutPage:
    """One page as WeasyPrint laid it out, its boxes listed once for every check to read: all
    of them, and the pieces of text with where each is drawn."""

    box: boxes.PageBox
    placed: list[Placed]
    texts: list[tuple[Placed, Rectangle]]


def laid_out(page: boxes.PageBox) -> LaidOutPage:
    placed = placed_boxes(page)
    texts = [
        (box, line_rectangle(box))
        for box in placed
        if isinstance(box.box, boxes.TextBox) and box.box.text.strip()
    ]
    return LaidOutPage(page, placed, texts)


def placed_boxes(page: boxes.PageBox) -> list[Placed]:
    """The page's boxes in document order, with their ancestors, leaving out the margin boxes
    (page numbers) and what is fixed on every page (the DRAFT marker)."""
    found: list[Placed] = []

    def visit(box: boxes.Box, ancestors: tuple[boxes.Box, ...]) -> None:
        if isinstance(box, boxes.MarginBox) or box.style["position"] == "fixed":
            return
        found.append(Placed(box, ancestors))
        if isinstance(box, boxes.ParentBox):
            for child in box.children:
                visit(child, (*ancestors, box))

    for child in page.children:
        visit(child, ())
    return found


def in_flow(page: LaidOutPage) -> list[boxes.Box]:
    return [placed.box for placed in page.placed]


def leaf_blocks(page: LaidOutPage) -> list[boxes.Box]:
    return [
        box
        for box in in_flow(page)
        if isinstance(box, boxes.BlockBox) and box.element_tag in LEAF_BLOCKS
    ]


def text_of(box: boxes.Box) -> str:
    text = " ".join(child.text for child in box.descendants() if isinstance(child, boxes.TextBox))
    text = text.replace("\u00a0", " ").strip()  # a no-break space reads as a space
    return text if len(text) <= 50 else f"{text[:47]}..."


def overlap(first: Rectangle, second: Rectangle) -> bool:
    return (
        first[0] < second[2] - TOLERANCE
        and second[0] < first[2] - TOLERANCE
        and first[1] < second[3] - TOLERANCE
        and second[1] < first[3] - TOLERANCE
    )


def line_rectangle(placed: Placed) -> Rectangle:
    """A piece of text's extent: its own width, its line's height (glyphs may reach into the
    line above or below without anything being wrong)."""
    line = next(
        (box for box in reversed(placed.ancestors) if isinstance(box, boxes.LineBox)), placed.box
    )
    x1, _, x2, _ = placed.rectangle
    return (x1, line.position_y, x2, line.position_y + line.margin_height())


def text_over_text(pages: list[LaidOutPage]) -> list[str]:
    """Text drawn over other text: one piece at most per page is named."""
    findings = []
    for number, page in enumerate(pages, start=1):
        # Top to bottom, each compared only with those that start before it ends.
        texts = sorted(
            (
                (rectangle, order, placed.box)
                for order, (placed, rectangle) in enumerate(page.texts)
            ),
            key=lambda item: item[0][1],
        )
        clash = first_overlap(texts)
        if clash:
            (_, first), (_, second) = clash
            findings.append(
                f"text runs over other text on page {number}: "
                f"'{text_of(first)}' and '{text_of(second)}'"
            )
    return findings


def first_overlap(
    texts: list[tuple[Rectangle, int, boxes.Box]],
) -> list[boxes.Box] | None:
    """The first two pieces of text (in document order) that overlap; `texts` sorted by top."""
    for index, (rectangle, order, box) in enumerate(texts):
        for other_rectangle, other_order, other in texts[index + 1 :]:
            if other_rectangle[1] >= rectangle[3] - TOLERANCE:
                break
            if overlap(rectangle, other_rectangle):
                return sorted([(order, box), (other_order, other)], key=lambda item: item[0])
    return None


def painted(placed: Placed) -> bool:
    """A box that covers what lies where it is drawn: an image or a background."""
    box = placed.box
    if box.element_tag in WHOLE_PAGE or isinstance(box, (boxes.TextBox, boxes.LineBox)):
        return False
    background = box.style["background_color"]
    return isinstance(box, boxes.ReplacedBox) or (
        background is not None and background.alpha > 0 and box.width > 0 and box.height > 0
    )


def text_and_boxes(pages: list[LaidOutPage]) -> list[str]:
    """Text drawn over or under an image or a coloured box that is not its own background
    (a chart's bar over a council's name)."""
    findings = []
    for number, page in enumerate(pages, start=1):
        covers = [(cover.box, cover.rectangle) for cover in page.placed if painted(cover)]
        clash = next(
            (
                text
                for text, rectangle in page.texts
                for cover, covered in covers
                if overlap(rectangle, covered) and cover not in text.ancestors
            ),
            None,
        )
        if clash:
            findings.append(
                f"text runs into a box or image on page {number}: '{text_of(clash.box)}'"
            )
    return findings


def lonely_headings(pages: list[LaidOutPage]) -> list[str]:
    """Headings that end a page, their text all on the next one."""
    findings = []
    for number, page in enumerate(pages[:-1], start=1):
        blocks = leaf_blocks(page)
        if blocks and blocks[-1].element_tag in HEADINGS:
            findings.append(
                f"the heading '{text_of(blocks[-1])}' stands alone at the foot of page {number}"
            )
    return findings


def has_class(box: boxes.Box, css_class: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and css_class in (element.get("class") or "").split()


def stranded_sign_off(pages: list[LaidOutPage]) -> list[str]:
    """A sign-off at the top of a page with none of the letter's text before it."""
    for number, page in enumerate(pages, start=1):
        blocks = [
            box
            for box in in_flow(page)
            if (isinstance(box, boxes.BlockBox) and box.element_tag in LEAF_BLOCKS)
            or has_class(box, "sign-off")
        ]
        if number > 1 and blocks and has_class(blocks[0], "sign-off"):
            return [
                f"the sign-off stands alone at the top of page {number}, without the end "
                f"of the letter"
            ]
    return []


def single_lines(pages: list[LaidOutPage]) -> list[str]:
    """A paragraph split over two pages that leaves one line alone on either of them."""
    findings = []
    for number, (page, following) in enumerate(itertools.pairwise(pages), start=1):
        last = leaf_blocks(page)[-1:]
        first = leaf_blocks(following)[:1]
        if not (last and first and last[0].element is first[0].element):
            continue
        before, after = (
            sum(isinstance(child, boxes.LineBox) for child in box.children)
            for box in (last[0], first[0])
        )
        if before == 1:
            findings.append(
                f"one line of a paragraph is left alone at the foot of page "
                f"{number}: '{text_of(last[0])}'"
            )
        if after == 1:
            findings.append(
                f"one line of a paragraph is left alone at the top of page "
                f"{number + 1}: '{text_of(first[0])}'"
            )
    return findings


def shared_statistics_page(pages: list[LaidOutPage]) -> list[str]:
    """The statistics page must start on a page of its own."""
    for number, page in enumerate(pages, start=1):
        inside = [in_statistics for _, in_statistics in leaf_blocks_marked(page.box, "statistics")]
        if True in inside and inside.index(True) > 0:
            return [
                f"the statistics page does not start on a page of its own: it follows the "
                f"letter's text on page {number}"
            ]
    return []


def leaf_blocks_marked(
    box: boxes.Box, css_class: str, inside: bool = False
) -> Iterator[tuple[boxes.Box, bool]]:
    """The leaf blocks under `box`, each with whether it is inside an element of `css_class`."""
    if isinstance(box, boxes.MarginBox) or box.style["position"] == "fixed":
        return
    inside = inside or has_class(box, css_class)
    if isinstance(box, boxes.BlockBox) and box.element_tag in LEAF_BLOCKS:
        yield box, inside
    elif isinstance(box, boxes.ParentBox):
        for child in box.children:
            yield from leaf_blocks_marked(child, css_class, inside)


def text_outside_the_page(pages: list[LaidOutPage]) -> list[str]:
    """Text that runs past the page's printable area (usually a very long word)."""
    findings = []
    for number, page in enumerate(pages, start=1):
        left, top = page.box.content_box_x(), page.box.content_box_y()
        right, bottom = left + page.box.width, top + page.box.height
        for box in in_flow(page):
            if isinstance(box, boxes.TextBox) and (
                box.position_x < left - TOLERANCE
                or box.position_x + box.width > right + TOLERANCE
                or box.position_y + box.height > bottom + TOLERANCE
            ):
                findings.append(
                    f"text runs outside the printable area on page {number}: '{text_of(box)}'"
                )
                break
    return findings


# A chart, as the statistics template draws one: rows (bar-row) of a name (bar-label), a figure
# (bar-value: "50%" or "none") and a track (bar) holding the bar (bar-fill); the council's row
# first, then the average's (bar-fill average). The council's figures on the page (big-figure)
# are printed in the council's colour, which its bars take too.
FIGURE = re.compile(r"(\d+(?:\.\d)?)%|none")  # a typed percent may have one decimal
BAR_TOLERANCE = 0.5  # percent of the track


@dataclass(frozen=True)
class ChartRow:
    label: str
    figure: int | float | None  # None: nothing to count
    track: boxes.Box
    bar: boxes.Box | None
    first: bool  # the first row of its chart: the council's

    @property
    def shown(self) -> str:
        return f"'{self.label} {'none' if self.figure is None else f'{self.figure}%'}'"


def charts(pages: list[LaidOutPage]) -> list[str]:
    """Each chart's bars against their figures: a bar's length is its figure's share of the
    track (within half a percent); the council's bar, first, is in the colour of its figures
    and the average's in another; a row with nothing to count has no bar, and a track that
    does not look like an empty (0%) one."""
    findings = []
    for number, page in enumerate(pages, start=1):
        rows = chart_rows(page)
        council = council_colour(page)
        empty = {look_of(row.track) for row in rows if row.figure is not None}
        for row in rows:
            findings += [
                f"{problem} on page {number}" for problem in row_problems(row, council, empty)
            ]
        findings += [f"{problem} on page {number}" for problem in greys_alike(rows, council)]
    return findings


LEAST_LUMINANCE_RATIO = 3.0  # the council's bar and the average's, apart on a grey print


def greys_alike(rows: list[ChartRow], council: str | None) -> list[str]:
    """The council's bars and the average's must be told apart without colour: printed in
    black and white (as councils' meetings read them), at least 3:1 apart in luminance. The
    council's colour is that of its figures, so this holds whether or not it has a bar."""
    averages = {
        hex_colour(row.bar.style["background_color"])
        for row in rows
        if not row.first and row.bar is not None
    } - {"none"}
    if council is None:
        return []
    return [
        f"the council's bars ({council}) and the average's ({average}) are "
        f"{luminance_ratio(council, average):.2f}:1 apart in luminance, the same grey on a "
        f"black-and-white print: make them at least {LEAST_LUMINANCE_RATIO:g}:1 apart"
        for average in sorted(averages)
        if luminance_ratio(council, average) < LEAST_LUMINANCE_RATIO
    ]


def luminance_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours: (lighter + 0.05) / (darker + 0.05).

    >>> round(luminance_ratio("#00625e", "#505a5f"), 2), round(luminance_ratio("#000", "#fff"), 1)
    (1.02, 21.0)
    """
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of #rrggbb (or #rgb)."""
    if len(colour) == 4:
        colour = "#" + "".join(digit * 2 for digit in colour[1:])
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    red, green, blue = (
        value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        for value in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def row_problems(row: ChartRow, council: str | None, empty: set[tuple[str, str]]) -> list[str]:
    if row.figure is None:
        if row.bar is not None and row.bar.border_width() > TOLERANCE:
            return [f"the chart row {row.shown} has a bar, though there was nothing to count"]
        if look_of(row.track) in empty:
            return [f"the chart row {row.shown} looks like an empty bar, as 0% would"]
        return []
    if row.bar is None:
        return [f"the chart row {row.shown} has no bar"]
    fills = len({id(box.element) for box in boxes_with_class(row.track, "bar-fill")})
    if fills > 1:
        return [f"the bar of {row.shown} has {fills} fills drawn over each other, not one"]
    problems = []
    drawn = painted_share(row.bar, row.track)
    if isinstance(drawn, str):
        problems.append(f"the bar of {row.shown} cannot be measured: {drawn}")
    elif abs(drawn - row.figure) > BAR_TOLERANCE:
        problems.append(f"the bar of {row.shown} is drawn {drawn:.1f}% long, not {row.figure}%")
    colour = hex_colour(row.bar.style["background_color"])
    if council is not None and row.first and colour != council:
        problems.append(
            f"the bar of {row.shown} is in {colour}, not in the colour of the council's "
            f"figures ({council})"
        )
    if council is not None and not row.first and colour == council:
        problems.append(
            f"the bar of {row.shown} is in the council's colour ({council}): the average's "
            f"bar must look different"
        )
    return problems


def painted_share(fill: boxes.Box, track: boxes.Box) -> float | str:
    """How much of its track a bar's fill is drawn over, in percent, as painted: the fill's
    border box after its transforms, clipped by the track if it hides what overflows, against
    the track's border box (where its background is painted) after its own transforms; or why
    it cannot be told (a rotation or skew)."""
    fill_span = painted_span(fill)
    track_span = painted_span(track)
    if isinstance(fill_span, str) or isinstance(track_span, str):
        return fill_span if isinstance(fill_span, str) else str(track_span)
    left, right = fill_span
    if track.style["overflow"] != "visible":
        inner_left = track.position_x + track.margin_left + track.border_left_width
        inner_right = inner_left + track.padding_width()
        left, right = max(left, inner_left), min(right, inner_right)
    width = track_span[1] - track_span[0]
    return 100 * max(0.0, right - left) / width if width > 0 else 0.0


def painted_span(box: boxes.Box) -> tuple[float, float] | str:
    """The left and right of a box's border box as painted, after its transforms (translations
    and scales along the line; a rotation or skew cannot be read as a length)."""
    left = box.position_x + box.margin_left
    width = box.border_width()
    origin_x = left + length_of(box.style["transform_origin"][0], width)
    points = [left, left + width]
    for name, arguments in reversed(box.style["transform"]):
        if name == "scale":
            points = [origin_x + arguments[0] * (x - origin_x) for x in points]
        elif name == "translate":
            points = [x + length_of(arguments[0], width) for x in points]
        elif name == "matrix" and arguments[1] == 0 and arguments[2] == 0:
            a, e = arguments[0], arguments[4]
            points = [origin_x + a * (x - origin_x) + e for x in points]
        else:
            return f"it is drawn with a {name} transform, which turns it off the line"
    return min(points), max(points)


def length_of(dimension: Any, whole: float) -> float:
    """A CSS length WeasyPrint computed (px, or % of `whole`) in CSS pixels."""
    if isinstance(dimension, int | float):
        return float(dimension)
    value, unit = dimension
    return whole * value / 100 if unit == "%" else float(value)


def boxes_with_class(box: boxes.Box, css_class: str) -> list[boxes.Box]:
    """Every outermost box inside `box` made by an element of `css_class`."""
    found = []
    for child in box.children if isinstance(box, boxes.ParentBox) else []:
        if has_class(child, css_class):
            found.append(child)
        else:
            found += boxes_with_class(child, css_class)
    return found


def chart_rows(page: LaidOutPage) -> list[ChartRow]:
    rows, previous = [], None
    for placed in page.placed:
        if not has_class(placed.box, "bar-row"):
            continue
        chart = placed.ancestors[-1] if placed.ancestors else None
        label, value, track = (
            first_with_class(placed.box, name) for name in ("bar-label", "bar-value", "bar")
        )
        figure = FIGURE.fullmatch(text_of(value)) if value else None
        if label is None or figure is None or track is None:
            continue  # not a row the check can read: the other checks still see it
        number = (float(figure[1]) if "." in figure[1] else int(figure[1])) if figure[1] else None
        bar = first_with_class(track, "bar-fill")
        rows.append(ChartRow(text_of(label), number, track, bar, chart is not previous))
        previous = chart
    return rows


def first_with_class(box: boxes.Box, css_class: str) -> boxes.Box | None:
    """The outermost box inside `box` made by an element of `css_class` (its lines and text
    are made by the same element)."""
    return next((inner for inner in box.descendants() if has_class(inner, css_class)), None)


def council_colour(page: LaidOutPage) -> str | None:
    """The colour the council's figures are printed in on the page, if it prints any."""
    return next(
        (
            hex_colour(placed.box.style["color"])
            for placed in page.placed
            if has_class(placed.box, "big-figure")
        ),
        None,
    )


def look_of(box: boxes.Box) -> tuple[str, str]:
    """How an empty track looks: its background and its border."""
    return hex_colour(box.style["background_color"]), box.style["border_top_style"]


def hex_colour(colour: Any) -> str:
    """A colour WeasyPrint computed, as #rrggbb ("none" if it is transparent)."""
    if colour is None or colour.alpha == 0:
        return "none"
    red, green, blue = colour.to("srgb").coordinates
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in (red, green, blue))
