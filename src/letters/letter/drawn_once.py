"""Each SVG image a letter embeds (the letterhead, the signature) read and drawn once a process.

WeasyPrint parses an embedded SVG for every letter and draws it as vector paths, parsing each
path's `d` again: about a tenth of a letter's time, for the same drawing every time. Given
`ImageCache` as its image cache, WeasyPrint reads each image once a process; each SVG's first
drawing at a size is recorded as the PDF operators it wrote, and later letters get the same
operators. A drawing that uses anything but paths, colours and plain opacity values (a group, a
clip, a gradient, text, an image inside) is drawn afresh every time, as WeasyPrint would.
"""

from dataclasses import dataclass
from typing import Any

import pydyf
from weasyprint.images import SVGImage

Key = tuple[Any, ...]
STATE = (
    "_current_color",
    "_current_color_stroke",
    "_current_alpha",
    "_current_alpha_stroke",
    "_current_font",
)


class ImageCache(dict[str, Any]):
    """WeasyPrint's image cache (url -> image), each SVG image in it drawn once."""

    def __setitem__(self, url: str, image: Any) -> None:
        super().__setitem__(url, DrawnOnce(image) if isinstance(image, SVGImage) else image)


@dataclass(frozen=True)
class Drawing:
    """What one drawing wrote: its operators, the opacity states it named, the stream's state
    after it."""

    operators: tuple[str | bytes, ...]
    opacities: tuple[tuple[str, dict[str, Any]], ...]
    after: tuple[Any, ...]


class DrawnOnce:
    """An SVG image whose drawing at each size, from each drawing state, is written once and
    then repeated."""

    def __init__(self, image: SVGImage):
        self.image = image
        self.drawings: dict[Key, Drawing | None] = {}  # None: must be drawn every time

    def get_intrinsic_size(self, image_resolution: float, font_size: float) -> Any:
        return self.image.get_intrinsic_size(image_resolution, font_size)

    def draw(self, stream: Any, width: float, height: float, style: Any) -> None:
        key = (width, height, *state_of(stream))
        if key in self.drawings:
            drawing = self.drawings[key]
            if drawing is not None:
                repeat(drawing, stream)
                return
            self.image.draw(stream, width, height, style)
            return
        self.drawings[key] = recorded(self.image, stream, width, height, style)


def state_of(stream: Any) -> tuple[Any, ...]:
    return tuple(getattr(stream, name) for name in STATE)


def resources_of(stream: Any) -> dict[str, set[str]]:
    return {
        name: set(values) for name, values in stream._resources.items() if hasattr(values, "keys")
    }


def recorded(
    image: SVGImage, stream: Any, width: float, height: float, style: Any
) -> Drawing | None:
    """Draw the image, and what it wrote if it can be repeated as it is (None if not)."""
    start, before = len(stream.stream), resources_of(stream)
    last = stream.stream[-1] if stream.stream else None
    depth, matrix = len(stream._ctm_stack), stream.ctm.values
    images = len(stream._images)
    image.draw(stream, width, height, style)
    operators = stream.stream[start:]
    added = {name: resources_of(stream)[name] - keys for name, keys in before.items()}
    if (
        len(stream.stream) < start
        or (start and stream.stream[start - 1] is not last)
        or len(stream._ctm_stack) != depth
        or stream.ctm.values != matrix
        or len(stream._images) != images
        or any(keys for name, keys in added.items() if name != "ExtGState")
        or not all(isinstance(operator, (str, bytes)) for operator in operators)
    ):
        return None
    opacities = tuple(
        (key, dict(stream._resources["ExtGState"][key])) for key in sorted(added["ExtGState"])
    )
    if not all(set(values) <= {"CA", "ca"} for _, values in opacities):
        return None
    return Drawing(tuple(operators), opacities, state_of(stream))


def repeat(drawing: Drawing, stream: Any) -> None:
    states = stream._resources["ExtGState"]
    for key, values in drawing.opacities:
        if key not in states:
            states[key] = pydyf.Dictionary(values)
    stream.stream.extend(drawing.operators)
    for name, value in zip(STATE, drawing.after, strict=True):
        setattr(stream, name, value)
