"""The tag mend reads WeasyPrint's content line by line; any other content is parsed instead.
Both ways give the same tags."""

import io
import re
import subprocess
from pathlib import Path

import pikepdf

from helpers import REFERENCE
from letters.data.project import Project
from letters.data.read import read_council, read_year
from letters.letter.context import letter_context
from letters.letter.render_html import render_html
from letters.letter.render_pdf import UA
from letters.letter.renderer import LetterRenderer
from letters.letter.tags import LinesOfContent, continued_depths, mend_tags


def struct_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout


def literal(hex_string: re.Match[bytes]) -> bytes:
    """A hex string <00f3> written as the literal string (\\000\\363)."""
    data = bytes.fromhex(hex_string[1].decode())
    return b"(" + b"".join(b"\\%03o" % byte for byte in data) + b")"


def test_literal_strings_are_parsed_and_mended_as_the_lines_are(tmp_path: Path):
    project = Project(REFERENCE)
    year = read_year(project)
    renderer = LetterRenderer(project, year)
    council = read_council(project, project.council_file("canterbury"), year)
    html = render_html(
        renderer.environment, letter_context(council, year, standalone=False, slug="canterbury")
    )
    assert renderer.pdf is not None
    document = renderer.pdf.lay_out(html, "canterbury")
    raw, continued = document.write_pdf(pdf_variant=UA), continued_depths(document)

    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert LinesOfContent.of(pdf.pages[0]) is not None  # WeasyPrint's own form
        page = pdf.pages[0]
        page.Contents = pdf.make_stream(
            re.sub(rb"<([0-9a-f]+)>", literal, page.Contents.read_bytes())
        )
        assert LinesOfContent.of(page) is None  # read by parsing instead
        out = io.BytesIO()
        pdf.save(out)
    by_lines = struct_text(mend_tags(raw, continued), tmp_path)
    parsed = struct_text(mend_tags(out.getvalue(), continued), tmp_path)
    assert "Mr Carmichael " in by_lines  # a line-end space added
    assert parsed == by_lines
