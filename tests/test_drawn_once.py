"""The letterhead and signature are read and drawn once a process, then repeated: every letter's
PDF is byte for byte the one WeasyPrint writes drawing them afresh, whatever the SVG holds."""

from pathlib import Path

import pytest

from helpers import copy_project, edit
from letters.data.project import Project
from letters.data.read import read_councils, read_year
from letters.letter.drawn_once import Drawing, DrawnOnce
from letters.letter.renderer import LetterRenderer, pdf_renderer

SLUGS = ("canterbury", "cannock-chase", "leicester")


def pdfs(root: Path, repeated: bool) -> tuple[list[bytes], LetterRenderer]:
    """Three letters' PDFs from one renderer; drawn afresh each time unless `repeated`."""
    pdf_renderer.cache_clear()  # a renderer of its own, not one an earlier call left
    project = Project(root)
    year = read_year(project)
    councils, _ = read_councils(project, [project.council_file(slug) for slug in SLUGS], year)
    renderer = LetterRenderer(project, year)
    assert renderer.pdf is not None
    written = []
    for council in councils.items():
        if not repeated:
            renderer.pdf.images.clear()  # as if each letter were the first
        rendered = renderer(council)
        assert rendered.pdf is not None, rendered.problems
        written.append(rendered.pdf.pdf)
    return written, renderer


def drawings(renderer: LetterRenderer) -> list[Drawing | None]:
    assert renderer.pdf is not None
    return [
        drawing
        for image in renderer.pdf.images.values()
        if isinstance(image, DrawnOnce)
        for drawing in image.drawings.values()
    ]


SIGNATURE = "assets/signature-michael-king.svg"


@pytest.mark.parametrize(
    ("change", "repeatable"),
    [
        pytest.param(None, True, id="the reference images"),
        pytest.param(('<g fill="none"', '<g opacity="0.5" fill="none"'), False, id="a group"),
        pytest.param(
            (
                "<title>",
                '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/>'
                '<stop offset="1" stop-color="blue"/></linearGradient></defs><title>',
            ),
            True,  # defined but not used: nothing of it is drawn
            id="an unused gradient",
        ),
        pytest.param(
            ('stroke="#14143c"', 'stroke="url(#g)"'),
            False,
            id="a gradient stroke",
        ),
        pytest.param(('<g fill="none"', '<g fill="none" stroke-opacity="0.4"'), True, id="alpha"),
    ],
)
def test_a_repeated_drawing_writes_the_pdf_weasyprint_writes(
    tmp_path: Path, change: tuple[str, str] | None, repeatable: bool
):
    root = copy_project(tmp_path / "project")
    if change:
        edit(root / SIGNATURE, *change)
        if "url(#g)" in change[1]:
            edit(
                root / SIGNATURE,
                "<title>",
                '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/>'
                '<stop offset="1" stop-color="blue"/></linearGradient></defs><title>',
            )
    repeated, renderer = pdfs(root, repeated=True)
    afresh, _ = pdfs(root, repeated=False)
    assert repeated == afresh
    signature = drawings(renderer)[-1]  # the letterhead's is first, drawn at the top
    assert (signature is not None) == repeatable
    assert drawings(renderer)[0] is not None
