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
        out = root / "png" / slug
        out.parent.mkdir(exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-gray",
                "-png",
                "-r",
                str(RESOLUTION),
                str(root / "build" / "pdf" / f"{slug}.pdf"),
                str(out),
            ],
            check=True,
        )
        images[slug] = sorted(out.parent.glob(f"{slug}-*.png"))
    return images


def changed_share(image: Path, expected: Path) -> float:
    """The share of pixels that differ noticeably between two page images of one size."""
    with Image.open(image) as new, Image.open(expected) as old:
        assert new.size == old.size, f"{image.name} is {new.size}, expected {old.size}"
        difference = ImageChops.difference(new.convert("L"), old.convert("L"))
        changed = sum(difference.histogram()[CHANGED_LEVEL:])
        return changed / (new.size[0] * new.size[1])


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
        share = changed_share(image, reference)
        assert share <= TOLERANCE, (
            f"{image.name}: {share:.2%} of the page changed; if that "
            f"was meant, run `make visual-refresh` and look"
        )
