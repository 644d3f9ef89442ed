"""What a reader sees: every page of the five reference letters and of the edge letters
(tests/visual/councils/: the longest real name, every optional paragraph at once, all-zero
counts, thousands) as images, compared with the committed ones (tests/visual/expected/).

After a deliberate change to the look, refresh the images and look at them before committing:

    make visual-refresh
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from helpers import SLUGS, copy_project, letters

VISUAL = Path(__file__).resolve().parent / "visual"
EXPECTED = VISUAL / "expected"
EDGES = tuple(sorted(path.stem for path in (VISUAL / "councils").glob("*.yaml")))
RESOLUTION = 40  # dots per inch: enough to see a misplaced line, small enough to commit
CHANGED_LEVEL = 64  # of 255: a pixel this much darker or lighter has changed
TOLERANCE = 0.002  # of a page's pixels (anti-aliasing may differ by a few)
STRIP = 10  # pixels high: a bar's height at this resolution, so a short bar is seen in one
STRIP_TOLERANCE = 0.02  # of a strip's pixels: a bar 20% short changes about 4% of its strip
REFRESH = bool(os.environ.get("LETTERS_VISUAL_REFRESH"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Each letter's page images, rendered as the reader sees the PDF."""
    root = copy_project(tmp_path_factory.mktemp("visual"))
    for council in (VISUAL / "councils").glob("*.yaml"):
        shutil.copy(council, root / "councils" / council.name)
    result = letters("build", "--root", str(root), "--strict")
    assert result.exit_code == 0, result.output
    images = {}
    for slug in (*SLUGS, *EDGES):
        images[slug] = page_images(root / "build" / "pdf" / f"{slug}.pdf", root / "png")
    return images


def page_images(pdf: Path, folder: Path, *pages: str) -> list[Path]:
    """The PDF's pages (all, or those named: "-f", "3", "-l", "3") as grey images in
    `folder`, as a reader of a black-and-white print sees them."""
    folder.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-png",
            "-r",
            str(RESOLUTION),
            *pages,
            str(pdf),
            str(folder / pdf.stem),
        ],
        check=True,
    )
    return sorted(folder.glob(f"{pdf.stem}-*.png"))


def changed_share(image: Path, expected: Path) -> tuple[float, float]:
    """The share of pixels that differ noticeably between two page images of one size: of the
    page, and of the horizontal strip (STRIP pixels high) that changed most, where a small
    change (a bar drawn short) is not lost in the page."""
    with Image.open(image) as new, Image.open(expected) as old:
        assert new.size == old.size, f"{image.name} is {new.size}, expected {old.size}"
        difference = ImageChops.difference(new.convert("L"), old.convert("L"))
        width, height = new.size
        changed = sum(difference.histogram()[CHANGED_LEVEL:])
        strips = [
            sum(
                difference.crop((0, top, width, min(top + STRIP, height))).histogram()[
                    CHANGED_LEVEL:
                ]
            )
            / (width * min(STRIP, height - top))
            for top in range(0, height, STRIP // 2)
        ]
        return changed / (width * height), max(strips)


@pytest.mark.parametrize("slug", (*SLUGS, *EDGES))
def test_every_page_looks_as_it_did(pages: dict[str, list[Path]], slug: str):
    if REFRESH:
        for old in EXPECTED.glob(f"{slug}-*.png"):
            old.unlink()
        for image in pages[slug]:
            shutil.copy(image, EXPECTED / image.name)
        pytest.skip("refreshed: look at the new images before committing them")
    expected = sorted(EXPECTED.glob(f"{slug}-*.png"))
    assert [image.name for image in pages[slug]] == [image.name for image in expected], (
        "a different number of pages: run `make visual-refresh` after a deliberate change"
    )
    for image, reference in zip(pages[slug], expected, strict=True):
        share, strip = changed_share(image, reference)
        assert share <= TOLERANCE and strip <= STRIP_TOLERANCE, (
            f"{image.name}: {share:.2%} of the page changed, {strip:.2%} of one strip; if that "
            f"was meant, run `make visual-refresh` and look"
        )


def test_a_bar_20_percent_short_is_seen(tmp_path: Path):
    """The comparison's sensitivity: Maidstone's statistics page with the council's bars drawn
    20% short differs from its reference in a strip by far more than the strip's tolerance,
    where the page as a whole changes by a hair over its own."""
    root = copy_project(tmp_path / "project")
    statistics = root / "templates" / "_statistics.html.j2"
    statistics.write_text(
        statistics.read_text().replace(
            'style="width: {{ figure.percent }}%"', 'style="width: {{ figure.percent * 0.8 }}%"'
        )
    )
    assert letters("build", "maidstone", "--root", str(root)).exit_code == 0
    (image,) = page_images(
        root / "build" / "pdf" / "maidstone.pdf", tmp_path / "png", "-f", "3", "-l", "3"
    )
    _page, strip = changed_share(image, EXPECTED / "maidstone-3.png")
    assert strip > 2 * STRIP_TOLERANCE  # 5.7% of a strip (the page as a whole: 0.21%)
