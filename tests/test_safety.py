"""Nothing written in a data file or template reaches anything outside the letter."""

import os
from pathlib import Path

import pytest

from helpers import REFERENCE, edit, html_text, letters, normalise
from letters.letter.references import loaded_addresses

LOADS = (
    "{where}: the letter would load {url}: a letter may only use files in templates/ and "
    "assets/ (through embed()) and link to the addresses in year.yaml (letter to maidstone)"
)
OUTSIDE = " (letter to maidstone)"


def build_maidstone(project: Path):
    return letters("build", "maidstone", "--root", str(project))


TEMPLATE, STYLESHEET = "templates/letter.html.j2", "templates/letter.css"
DATE_LINE = next(
    number
    for number, line in enumerate((REFERENCE / TEMPLATE).read_text().splitlines(), start=1)
    if '<p class="date">' in line
)
IMAGE_IN_TEMPLATE = '<img src="{}" alt=""><p class="date">'


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        pytest.param(
            TEMPLATE,
            '<p class="date">',
            IMAGE_IN_TEMPLATE.format(url),
            LOADS.format(where=f"templates/letter.html.j2:{DATE_LINE}", url=url),
            id=f"template-{url[:5]}",
        )
        for url in (
            "file:///etc/passwd",
            "http://127.0.0.1:9/logo.png",
            "https://www.lgo.org.uk/logo.png",
            "../../../etc/passwd",
        )
    ]
    + [
        pytest.param(
            STYLESHEET,
            'url("../assets/fonts/Inter-Bold.woff2")',
            'url("../../../etc/passwd")',
            "../../../etc/passwd: is outside the templates/ "
            "and assets/ folders: only files there can be used",
            id="stylesheet-url-outside",
        ),
        pytest.param(
            STYLESHEET,
            "@page {",
            '@import url("http://127.0.0.1:9/x.css");\n@page {',
            "http://127.0.0.1:9/x.css: is a web or file address: only files in templates/ "
            "and assets/ can be used",
            id="stylesheet-import-from-the-web",
        ),
    ],
)
def test_a_template_reference_outside_the_project_fails_the_render(
    project: Path, file: str, old: str, new: str, message: str
):
    edit(project / file, old, new)
    result = build_maidstone(project)
    assert result.exit_code == 1
    assert result.stderr == f"{message}\n"
    assert not (project / "build" / "pdf" / "maidstone.pdf").exists()


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "../../etc/passwd",
            "../../etc/passwd: is outside the templates/ and assets/ folders: only "
            "files there can be used",
        ),
        (
            "/etc/passwd",
            "/etc/passwd: is outside the templates/ and assets/ folders: only files "
            "there can be used",
        ),
        (
            "file:///etc/passwd",
            "file:///etc/passwd: is a web or file address: only files in "
            "templates/ and assets/ can be used",
        ),
        (
            "http://127.0.0.1:9/signature.svg",
            "http://127.0.0.1:9/signature.svg: is a web or file "
            "address: only files in templates/ and assets/ can be "
            "used",
        ),
        (
            "councils/maidstone.yaml",
            "councils/maidstone.yaml: is outside the templates/ and assets/ "
            "folders: only files there can be used",
        ),
    ],
)
def test_year_file_image_outside_the_assets_fails_the_render(
    project: Path, reference: str, message: str
):
    edit(
        project / "year.yaml",
        "signature: assets/signature-michael-king.svg",
        f"signature: {reference}",
    )
    result = build_maidstone(project)
    assert result.exit_code == 1
    own_file = reference == "councils/maidstone.yaml"  # the council's own file: no suffix
    assert result.stderr == f"{message}{'' if own_file else OUTSIDE}\n"


def test_a_link_in_assets_pointing_outside_is_refused(project: Path):
    (project / "assets" / "signature-michael-king.svg").unlink()
    os.symlink("/etc/passwd", project / "assets" / "signature-michael-king.svg")
    result = build_maidstone(project)
    assert result.exit_code == 1
    assert result.stderr == (
        "assets/signature-michael-king.svg: is a link: templates, stylesheets and images are "
        "read only from the project's own files: keep the file itself here, not a link to it "
        "(letter to maidstone)\n"
    )


def test_an_image_that_refers_to_a_file_outside_fails_the_render(project: Path):
    edit(
        project / "assets" / "signature-michael-king.svg",
        "</svg>",
        '<image href="file:///etc/passwd" width="10" height="10"/></svg>',
    )
    result = build_maidstone(project)
    assert result.exit_code == 1
    assert result.stderr.startswith("councils/maidstone.yaml: PDF rendering")


@pytest.mark.parametrize(
    "text",
    [
        '<script>alert("x")</script>',
        '<img src="file:///etc/passwd">',
        "Brighton & Hove <b>bold</b>",
    ],
)
def test_markup_in_data_comes_out_as_visible_text(project: Path, text: str):
    edit(
        project / "councils" / "maidstone.yaml",
        "name: Maidstone Borough Council",
        f"name: 'Maidstone {text}'",
    )
    (project / "councils" / "maidstone.yaml").write_text(
        (project / "councils" / "maidstone.yaml").read_text() + f"public_report: '{text}'\n"
    )
    result = build_maidstone(project)
    assert result.exit_code == 0, result.output
    html_file = project / "build" / "html" / "maidstone.html"
    assert normalise(html_text(html_file)).count(normalise(text)) >= 4
    html = html_file.read_text()
    assert "<script>" not in html and '<img src="file:' not in html and "<b>" not in html


def test_public_report_accepts_paragraph_breaks_and_emphasis_only(project: Path):
    (project / "councils" / "maidstone.yaml").write_text(
        (project / "councils" / "maidstone.yaml").read_text()
        + "public_report: |\n  It was *not* right <em>at all</em>.\n\n  Second paragraph.\n"
    )
    assert build_maidstone(project).exit_code == 0
    html = (project / "build" / "html" / "maidstone.html").read_text()
    assert (
        '<p data-section="public_report">It was <em>not</em> right &lt;em&gt;at all&lt;/em&gt;.'
        '</p>\n<p data-section="public_report">Second paragraph.</p>'
    ) in html


EVIL_ADDRESS = "http://127.0.0.1:9/x"


@pytest.mark.parametrize(
    ("html", "found"),
    [
        (f'<IMG SRC="{EVIL_ADDRESS}">', [EVIL_ADDRESS]),
        (f"<img src={EVIL_ADDRESS} alt=x>", [EVIL_ADDRESS]),
        (f'<img/src="{EVIL_ADDRESS}">', [EVIL_ADDRESS]),
        (f'<svg><image xlink:href="{EVIL_ADDRESS}"/></svg>', [EVIL_ADDRESS]),
        (f'<svg><use href="{EVIL_ADDRESS}#a"/></svg>', [f"{EVIL_ADDRESS}#a"]),
        (f'<p style="background: url({EVIL_ADDRESS})">x</p>', [EVIL_ADDRESS]),
        (f"<style>@import '{EVIL_ADDRESS}';</style>", [EVIL_ADDRESS]),
        (f'<base href="{EVIL_ADDRESS}">', ["<base>", EVIL_ADDRESS]),
        (f'<object data="{EVIL_ADDRESS}"></object>', ["<object>", EVIL_ADDRESS]),
        ('<meta http-equiv="refresh" content="0; url=x">', ['<meta http-equiv="refresh">']),
        (f'<a href="{EVIL_ADDRESS}">x</a>', [EVIL_ADDRESS]),
        ("<img src>", ["an empty src"]),
        (f'<!-- <img src="{EVIL_ADDRESS}"> --><p>x</p>', []),
        ('<img src="data:image/png;base64,AAAA" alt=""><a href="#top">x</a>', []),
        ("", []),
    ],
)
def test_the_reference_check_reads_html_as_written_however_it_is_written(html: str, found):
    """Each way of writing a tag or an address that loads, as a browser would read it."""
    assert loaded_addresses(f"<!DOCTYPE html><html><body>{html}</body></html>", set()) == (
        found,
        False,
    )
