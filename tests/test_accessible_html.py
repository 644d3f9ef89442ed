"""The HTML letters pass axe-core's WCAG 2.2 AA rules in a real browser, and read as they should."""

import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser import chromium_page
from helpers import SLUGS, letters

VISUAL_COUNCILS = Path(__file__).resolve().parent / "visual" / "councils"

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def page():
    with chromium_page() as page:
        yield page


@pytest.mark.parametrize("slug", SLUGS)
def test_axe_finds_no_wcag_violations(built: Path, page, slug: str):
    page.goto((built / "build" / "html" / f"{slug}.html").as_uri())
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    assert results.response["violations"] == [], results.generate_snapshot()
    passed = {rule["id"] for rule in results.response["passes"]}
    assert {
        "color-contrast",
        "html-has-lang",
        "image-alt",
        "document-title",
        "link-name",
    } <= passed  # the rules really ran on this page


@pytest.mark.parametrize("slug", SLUGS)
def test_letter_reads_as_plain_accessible_text(built: Path, page, slug: str):
    page.goto((built / "build" / "html" / f"{slug}.html").as_uri())
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    assert page.locator("h1").count() == 1
    paragraphs = page.locator("article p, .statistics p")
    styles = paragraphs.evaluate_all(
        "elements => elements.map(e => { const s = getComputedStyle(e);"
        " return [parseFloat(s.fontSize), s.fontFamily, s.textAlign]; })"
    )
    assert all(size >= 16 for size, _, _ in styles)  # 12 pt = 16 CSS pixels
    assert all(family.endswith("sans-serif") for _, family, _ in styles)
    assert {align for _, _, align in styles} <= {"left", "start"}
    images = page.locator("img").evaluate_all("elements => elements.map(e => e.alt)")
    assert images == ["Local Government & Social Care Ombudsman", "Signature of Michael King"]


@pytest.mark.parametrize("slug", SLUGS)
def test_the_letter_asks_the_browser_for_nothing_but_itself(built: Path, page, slug: str):
    requested: list[str] = []

    def record(request) -> None:
        requested.append(request.url)

    page.on("request", record)
    letter = built / "build" / "html" / f"{slug}.html"
    page.goto(letter.as_uri())
    page.wait_for_load_state("networkidle")
    page.remove_listener("request", record)
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert policy.startswith("default-src 'none'; ")
    assert {url.split(",")[0].split(";")[0] for url in requested} <= {
        letter.as_uri(),
        "data:image/svg+xml",
        "data:font/woff2",
    }


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("slug", ["canterbury", "leicester"])
def test_the_letter_passes_axe_and_reflows_at_any_width(built: Path, page, slug: str, width: int):
    """WCAG 1.4.10: at 320 CSS pixels nothing scrolls sideways and no label is covered."""
    page.set_viewport_size({"width": width, "height": 900})
    try:
        edit_name = built / "build" / "html" / f"{slug}.html"
        page.goto(edit_name.as_uri())
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        assert results.response["violations"] == [], results.generate_snapshot()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        rows = page.locator(".bar-row").evaluate_all("""rows => rows.map(row => {
            const box = element => element.getBoundingClientRect();
            const [label, value, bar] = [".bar-label", ".bar-value", ".bar"].map(
                selector => box(row.querySelector(selector)));
            const apart = (a, b) => a.right <= b.left + 0.5 || b.right <= a.left + 0.5
                || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5;
            return [apart(label, value), apart(label, bar), apart(value, bar)];
        })""")
        assert rows and all(all(row) for row in rows), rows
    finally:
        page.set_viewport_size({"width": 1000, "height": 1400})


def test_nothing_to_count_looks_different_from_0_percent(project: Path, page):
    """A row with nothing to count says 'none' and draws a dashed outline, not the empty grey
    track a 0% row draws."""
    shutil.copy(VISUAL_COUNCILS / "all-zero.yaml", project / "councils")
    assert (
        letters("build", "all-zero", "canterbury", "--html-only", "--root", str(project)).exit_code
        == 0
    )
    tracks = []
    for slug in ("all-zero", "canterbury"):
        page.goto((project / "build" / "html" / f"{slug}.html").as_uri())
        tracks += page.locator(".bar-row").evaluate_all(
            "rows => rows.map(row => { const s = getComputedStyle(row.querySelector('.bar'));"
            " return [row.querySelector('.bar-value').textContent, s.borderTopStyle,"
            " s.backgroundColor]; })"
        )
    looks = {value: (border, background) for value, border, background in tracks}
    assert looks["none"] == ("dashed", "rgba(0, 0, 0, 0)")
    assert looks["0%"] == ("none", "rgb(243, 242, 241)")
    assert {tuple(look) for value, *look in tracks if value != "none"} == {
        ("none", "rgb(243, 242, 241)")
    }
