"""The HTML letters pass axe-core's WCAG 2.2 AA rules in a real browser, and read as they should."""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pikepdf
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


# Text-only zoom, as a browser's "zoom text only" does: every font size doubled, every other
# length as it was (Chromium has no such setting of its own).
TEXT_ZOOM = """factor => {
    const sizes = [...document.querySelectorAll('body *')].map(
        element => [element, parseFloat(getComputedStyle(element).fontSize)]);
    for (const [element, size] of sizes)
        element.style.setProperty('font-size', `${size * factor}px`, 'important');
}"""
# Each figure (a display figure, a chart's figure, a count, a rate in a sentence): on how many
# lines its text is drawn, whether it stays inside the page's width, and whether it is clear of
# the text beside it (a display figure's sentences, a chart row's name).
FIGURE_LINES = """() => [...document.querySelectorAll(
        '.big-figure, .bar-value, .count strong, .headline strong, .statistic-text strong')
    ].map(element => {
        const range = document.createRange();
        range.selectNodeContents(element);
        const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        const box = range.getBoundingClientRect();  // the text itself, even if it overflows
        const beside = [...element.parentElement.querySelectorAll(
            ':scope > :not(.big-figure) p, :scope > .bar-label, :scope > .bar')].map(
            other => other.getBoundingClientRect()).filter(other =>
            other.left < box.right - 0.5 && box.left < other.right - 0.5
            && other.top < box.bottom - 0.5 && box.top < other.bottom - 0.5);
        return [element.textContent, tops.size,
                box.right <= document.documentElement.clientWidth, beside.length === 0];
    })"""


@pytest.mark.parametrize(
    ("width", "text_zoom"),
    [pytest.param(1280, 2, id="text-200"), pytest.param(320, 1, id="page-400")],
)
@pytest.mark.parametrize("slug", ["canterbury", "leicester"])
def test_figures_never_break_when_text_or_page_is_zoomed(
    built: Path, page, slug: str, width: int, text_zoom: int
):
    """WCAG 1.4.4 and 1.4.10: with text alone at 200%, or the page at 400% (a 1280 px window
    is then 320 px wide), no figure breaks inside itself ("50 / %"), none leaves the page,
    nothing scrolls sideways, and axe finds nothing."""
    page.set_viewport_size({"width": width, "height": 900})
    try:
        page.goto((built / "build" / "html" / f"{slug}.html").as_uri())
        if text_zoom != 1:
            page.evaluate(TEXT_ZOOM, text_zoom)
        figures = page.evaluate(FIGURE_LINES)
        assert len(figures) >= 12
        assert [figure for figure in figures if figure[1:] != [1, True, True]] == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        assert results.response["violations"] == [], results.generate_snapshot()
    finally:
        page.set_viewport_size({"width": 1000, "height": 1400})


def test_each_reference_letter_prints_from_the_browser_as_its_pdf(built: Path, page):
    """Printed from Chromium, each HTML letter has its PDF's pages: Canterbury's, set a little
    tighter in the PDF, is set so in the HTML too (4 printed pages before)."""
    manifest = json.loads((built / "build" / "manifest.json").read_text())["councils"]
    assert manifest["canterbury"]["pages"] == 3
    for slug, entry in sorted(manifest.items()):
        page.goto((built / "build" / "html" / f"{slug}.html").as_uri())
        printed = pikepdf.open(io.BytesIO(page.pdf(prefer_css_page_size=True)))
        assert (slug, len(printed.pages)) == (slug, entry["pages"])


def test_the_statistics_page_s_date_is_read_in_full_and_looks_as_printed(built: Path, page):
    """The real letters print "31/03/20"; a screen reader hears "31 March 2020", in the HTML
    (the short date hidden from it, the full one drawn nowhere) and in the PDF's tags
    (/ActualText, while the page still draws the short date)."""
    page.goto((built / "build" / "html" / "maidstone.html").as_uri())
    period = page.locator("p.period")
    assert period.aria_snapshot() == '- paragraph: "For the period ending: 31 March 2020"'
    spoken = period.locator(".spoken").bounding_box()
    assert spoken is not None and spoken["width"] <= 1 and spoken["height"] <= 1
    assert period.locator("[aria-hidden=true]").inner_text() == "31/03/20"

    pdf = pikepdf.open(built / "build" / "pdf" / "maidstone.pdf")
    read_as = [
        str(element.ActualText).replace("\u00a0", " ")
        for element in struct_elements(pdf.Root.StructTreeRoot)
        if "/ActualText" in element
    ]
    assert read_as == ["For the period ending: 31 March 2020"]
    assert "For the period ending: 31/03/20" in pdf_text(built / "build" / "pdf" / "maidstone.pdf")


def struct_elements(element):
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            yield kid
            yield from struct_elements(kid)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
