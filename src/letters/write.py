"""Stage 7, build (write): put each letter's files in build/, whole or not at all."""

import os
import subprocess
import tempfile
from pathlib import Path

from letters.problems import LettersError, Problem
from letters.project import Project
from letters.render_pdf import PdfLetter


def write_letter(outputs: Path, slug: str, html: str, pdf: PdfLetter | None, png: bool) -> None:
    """Write one letter's outputs; each file is replaced whole."""
    write_atomically(output_path(outputs, "html", slug), html.encode())
    if pdf is None:
        return
    write_atomically(output_path(outputs, "pdf", slug), pdf.pdf)
    if pdf.archival is not None:
        write_atomically(output_path(outputs, "pdf-a", slug), pdf.archival)
    if png:
        write_page_images(output_path(outputs, "pdf", slug), outputs / "png", slug)


def output_path(outputs: Path, kind: str, slug: str) -> Path:
    """Where one kind of output of a council goes (for page images: its first page)."""
    return {"html": outputs / "html" / f"{slug}.html", "pdf": outputs / "pdf" / f"{slug}.pdf",
            "pdf-a": outputs / "pdf-a" / f"{slug}.pdf",
            "png": outputs / "png" / f"{slug}-1.png"}[kind]


def write_page_images(pdf: Path, folder: Path, slug: str) -> None:
    """Page images of a PDF for people to look at: <slug>-1.png, <slug>-2.png, ... (pdftoppm)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{slug}-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(dir=folder) as temporary:
        try:
            subprocess.run(["pdftoppm", "-png", "-r", "96", str(pdf),
                            str(Path(temporary) / slug)], check=True, capture_output=True)
        except FileNotFoundError:
            raise LettersError([Problem("pdftoppm", "is not installed: page images need "
                                        "Debian's poppler-utils (scripts/install-system-deps)")
                                ]) from None
        for image in sorted(Path(temporary).glob("*.png")):
            page = int(image.stem.rsplit("-", 1)[1])
            os.replace(image, folder / f"{slug}-{page}.png")


def has_outputs(outputs: Path, slug: str) -> bool:
    return any((outputs / kind / f"{slug}.{kind}").exists() for kind in ("html", "pdf"))


def remove_deleted_councils(project: Project, outputs: Path,
                            recorded: dict[str, dict]) -> list[str]:
    """Remove the outputs of councils whose files are gone; returns their slugs."""
    current = {path.stem for path in project.council_files()}
    built = {path.stem for kind in ("html", "pdf") for path in (outputs / kind).glob(f"*.{kind}")}
    removed = sorted((built | set(recorded)) - current)
    for slug in removed:
        for kind in ("html", "pdf", "pdf-a"):
            output_path(outputs, kind, slug).unlink(missing_ok=True)
        for image in (outputs / "png").glob(f"{slug}-*.png"):
            image.unlink()
        recorded.pop(slug, None)
    return removed


def write_atomically(path: Path, content: bytes) -> None:
    """Write through a temporary file in the same folder, so readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        temporary.chmod(0o644)  # mkstemp makes private files; outputs are for sharing
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_leftovers(outputs: Path) -> None:
    """Remove temporary files a killed build (SIGKILL, power cut) could not clean up."""
    for leftover in outputs.glob("*/.*.tmp"):
        leftover.unlink(missing_ok=True)
