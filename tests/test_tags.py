"""The tag mend changes WeasyPrint's PDF objects before they are written; text in a form it does
not know is left as it is, never broken."""

import re
import subprocess
from pathlib import Path
from typing import Any

from helpers import REFERENCE
from letters.data.project import Project
from letters.data.read import read_council, read_year
from letters.letter.context import letter_context
from letters.letter.render_html import render_html
from letters.letter.render_pdf import UA
from letters.letter.renderer import LetterRenderer
from letters.letter.tags import layout_of, mend_tags


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


def canterbury() -> Any:
    project = Project(REFERENCE)
    year = read_year(project)
    renderer = LetterRenderer(project, year)
    council = read_council(project, project.council_file("canterbury"), year)
    html = render_html(
        renderer.environment, letter_context(council, year, standalone=False, slug="canterbury")
    )
    assert renderer.pdf is not None
    return renderer.pdf.lay_out(html, "canterbury")


def test_text_in_literal_strings_is_left_as_it_is(tmp_path: Path):
    document = canterbury()
    layout = layout_of(document)

    def as_literals_then_mend(_: Any, pdf: Any) -> None:
        for page in pdf.objects[1]["Kids"][::3]:
            items = pdf.objects[int(pdf.objects[page]["Contents"].split()[0])].stream
            items[:] = [
                re.sub(rb"<([0-9a-f]+)>", literal, item)
                if isinstance(item, bytes) and item.endswith(b" TJ")
                else item
                for item in items
            ]
        mend_tags(pdf, layout)

    mended = struct_text(
        document.write_pdf(pdf_variant=UA, finisher=lambda _, pdf: mend_tags(pdf, layout)), tmp_path
    )
    literals = struct_text(
        document.write_pdf(pdf_variant=UA, finisher=as_literals_then_mend), tmp_path
    )
    assert "Mr Carmichael " in mended  # a line-end space added
    assert "Mr Carmichael" in literals and "Mr Carmichael " not in literals
