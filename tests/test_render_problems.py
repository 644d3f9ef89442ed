"""A letter that cannot be rendered properly fails with the file to fix; the others still build."""

import subprocess
import sys
from pathlib import Path

from helpers import edit, last_line, letters


def build(project: Path, *slugs: str):
    return letters("build", *slugs, "--root", str(project))


def test_missing_signature_image_fails_with_its_path(project: Path):
    (project / "assets" / "signature-michael-king.svg").unlink()
    result = build(project, "maidstone")
    assert result.exit_code == 1
    assert result.stderr == (
        "assets/signature-michael-king.svg: is missing: add the file or "
        "correct the name that refers to it (letter to maidstone)\n"
    )
    assert last_line(result).startswith(
        "0 built, 0 unchanged, 0 skipped (data errors), 1 failed in "
    )


def test_missing_stylesheet_fails_with_its_path(project: Path):
    (project / "templates" / "letter.css").unlink()
    result = build(project, "maidstone")
    assert result.exit_code == 1
    assert "templates/letter.css: is missing: add the file" in result.stderr


def test_missing_font_fails_with_its_path(project: Path):
    (project / "assets" / "fonts" / "Inter-Bold.woff2").unlink()
    result = build(project, "maidstone")
    assert result.exit_code == 1
    assert "assets/fonts/Inter-Bold.woff2: is missing: add the file" in result.stderr


def test_a_weasyprint_warning_fails_the_letter(project: Path):
    edit(project / "templates" / "letter.css", "body { margin: 0; }", "body { margn: 0; }")
    result = build(project, "maidstone")
    assert result.exit_code == 1
    assert result.stderr == (
        "templates/letter.css:28: PDF rendering: Ignored `margn: 0` at 28:8, unknown property.\n"
    )
    assert not (project / "build" / "pdf" / "maidstone.pdf").exists()


def test_template_with_an_unknown_value_names_the_template_and_line(project: Path):
    edit(
        project / "templates" / "_statistics.html.j2",
        "{{ letter.period_end_short }}",
        "{{ letter.period_end_shrt }}",
    )
    result = build(project, "maidstone")
    assert result.exit_code == 1
    line = next(
        number
        for number, text in enumerate(
            (project / "templates" / "_statistics.html.j2").read_text().splitlines(), start=1
        )
        if "period_end_shrt" in text
    )
    assert result.stderr == (
        f"templates/_statistics.html.j2:{line}: template uses an unknown "
        f"value: 'dict object' has no attribute 'period_end_shrt' "
        f"(letter to maidstone)\n"
    )


def test_template_syntax_error_names_the_template_and_line(project: Path):
    edit(project / "templates" / "_training_courses.html.j2", "{% else %}", "{% elsee %}")
    result = build(project, "sevenoaks")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "templates/_training_courses.html.j2:4: template syntax "
        "error: Encountered unknown tag 'elsee'."
    )


def test_a_bad_council_is_reported_and_the_others_still_build(project: Path):
    edit(project / "councils" / "leicester.yaml", "  upheld: 29", "  upheld: 50")
    result = build(project)
    assert result.exit_code == 1
    assert result.stderr == (
        "councils/leicester.yaml:14: statistics.upheld: 50 is more than "
        "statistics.investigations (42)\n"
    )
    assert last_line(result).startswith(
        "4 built, 0 unchanged, 1 skipped (data errors), 0 failed, 1 with notes for information in "
    )
    assert sorted(p.stem for p in (project / "build" / "pdf").iterdir()) == [
        "cannock-chase",
        "canterbury",
        "maidstone",
        "sevenoaks",
    ]


def test_a_council_that_fails_later_keeps_its_last_good_letter_marked_stale(project: Path):
    assert build(project, "leicester").exit_code == 0
    good = (project / "build" / "pdf" / "leicester.pdf").read_bytes()
    edit(project / "councils" / "leicester.yaml", "  upheld: 29", "  upheld: 50")
    result = build(project, "leicester")
    assert result.exit_code == 1
    assert "; 1 kept their last good letter, marked stale in " in result.stdout
    assert (project / "build" / "pdf" / "leicester.pdf").read_bytes() == good


def test_a_template_error_that_some_councils_meet_fails_only_those(project: Path):
    import json

    edit(project / "templates" / "_training_courses.html.j2", "{% if", "{{ 1 / 0 }}\n{% if")
    result = build(project)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "templates/_training_courses.html.j2:2: template error: ZeroDivisionError: division by "
        "zero (letters to canterbury and sevenoaks)\n"
    )
    assert last_line(result).startswith("3 built, 0 unchanged, 0 skipped (data errors), 2 failed")
    manifest = json.loads((project / "build" / "manifest.json").read_text())["councils"]
    assert {slug: entry["status"] for slug, entry in manifest.items()} == {
        "cannock-chase": "built",
        "leicester": "built",
        "maidstone": "built",
        "canterbury": "failed",
        "sevenoaks": "failed",
    }
    assert sorted(path.stem for path in (project / "build" / "pdf").iterdir()) == [
        "cannock-chase",
        "leicester",
        "maidstone",
    ]


QUICK_LOAD = """
import cffi
real = cffi.FFI.dlopen

def dlopen(self, name, flags=0):
    if name == "libpango-1.0.so.0":
        raise OSError("this system names Pango otherwise")
    return real(self, name, flags)

cffi.FFI.dlopen = dlopen
from letters.letter.render_pdf import load_weasyprint

load_weasyprint()
from weasyprint.text import ffi

print("pango", ffi.pango is not None)
"""


def test_weasyprint_loads_even_where_a_library_is_not_found_by_its_soname():
    """The quick way of loading WeasyPrint's libraries (by soname only) falls back to
    WeasyPrint's own, quietly, where a library has another name."""
    result = subprocess.run(
        [sys.executable, "-c", QUICK_LOAD], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (0, "pango True\n"), result.stderr
