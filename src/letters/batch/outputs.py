"""Put each letter's files in build/, all of them whole or none at all."""

import contextlib
import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from letters.data.project import LETTER_FILES, THE_LETTER, OutputKind, Outputs, Project
from letters.problems import Problem, fail, path_excerpt

if TYPE_CHECKING:  # a no-op build imports nothing of rendering
    from letters.letter.render_pdf import PdfLetter

# Test hooks, so that tests stop a build at a known point instead of after a guessed time:
# LETTERS_TEST_KILL_BUILD=POINT:K kills this process (as a power cut would) the K-th time the
# build passes POINT; LETTERS_TEST_HOLD_BUILD=K holds it after the K-th letter, until Ctrl-C;
# LETTERS_TEST_PAUSE_BUILD=K pauses it there until a line arrives on its standard input.
KILL_BUILD = "LETTERS_TEST_KILL_BUILD"
HOLD_BUILD = "LETTERS_TEST_HOLD_BUILD"
PAUSE_BUILD = "LETTERS_TEST_PAUSE_BUILD"
# The outputs made in memory, one file each, whose bytes the manifest records (not page images).
HASHED: tuple[OutputKind, ...] = ("html", "pdf", "pdf-a", "text")
KillPoint = Literal["half-swapped", "written", "journaled"]
passed: dict[str, int] = {}


def kill_point(point: KillPoint) -> None:
    passed[point] = passed.get(point, 0) + 1
    if os.environ.get(KILL_BUILD) == f"{point}:{passed[point]}":
        os.kill(os.getpid(), signal.SIGKILL)


def hold_point(letters_done: int, stop_asked: threading.Event) -> None:
    if os.environ.get(HOLD_BUILD) == str(letters_done):
        while not stop_asked.wait(0.05):
            pass
    if os.environ.get(PAUSE_BUILD) == str(letters_done):
        sys.stdin.readline()


def write_letter(
    outputs: Outputs,
    slug: str,
    html: str,
    pdf: "PdfLetter | None",
    png: bool,
    known_to_hold: Callable[[OutputKind], bool] = lambda kind: False,
) -> None:
    """Write one letter's outputs together: either all are replaced, or (when one cannot be
    written) none is, and an OSError says which. An output is left as it is if it has these
    bytes already: `known_to_hold` says so from what the build recorded, or its file is read."""
    contents = contents_by_kind(html, pdf)
    replace_together(
        {
            path: content
            for file in LETTER_FILES
            if (content := contents.get(file.kind)) is not None
            and not known_to_hold(file.kind)
            and not holds((path := outputs.path(file.kind, slug)), content)
        }
    )
    if pdf is not None and png:
        write_page_images(outputs, slug)  # drawn from the PDF just written


def hashes_of(html: str, pdf: "PdfLetter | None") -> dict[OutputKind, str]:
    """The SHA-256 of each output a letter has in one file, by kind: what the manifest records."""
    return {
        kind: hashlib.sha256(content).hexdigest()
        for kind, content in contents_by_kind(html, pdf).items()
        if content is not None
    }


def contents_by_kind(html: str, pdf: "PdfLetter | None") -> dict[OutputKind, bytes | None]:
    """Each output's bytes, for the kinds made in memory (page images are drawn afterwards)."""
    return {
        "html": html.encode(),
        "pdf": pdf.pdf if pdf else None,
        "pdf-a": pdf.archival if pdf else None,
        "text": pdf.text.encode() if pdf else None,
    }


def holds(path: Path, content: bytes) -> bool:
    """Whether `path` is a file with these very bytes already (rebuilt the same: left as it is)."""
    try:
        return (
            not path.is_symlink()
            and path.stat().st_size == len(content)
            and (path.read_bytes() == content)
        )
    except OSError:
        return False


def replace_together(files: dict[Path, bytes]) -> None:
    """Replace every file with its new content, or none of them: each is written in full beside
    its target first, and if any swap fails the files already swapped get their old content."""
    staged: dict[Path, Path] = {}
    kept: dict[Path, Path | None] = {}  # each file swapped so far, and where its old content is
    try:
        for path, content in files.items():
            staged[path] = staged_copy(path, content)
        for path in files:
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        for number, (path, temporary) in enumerate(staged.items()):
            if len(staged) > 1:  # one file alone needs no backup: its swap is all or nothing
                kept[path] = hard_link_beside(path) if path.exists() else None
            os.replace(temporary, path)
            if number == 0 and len(staged) > 1:
                kill_point("half-swapped")
    except BaseException:
        for path, old in kept.items():
            if old:
                os.replace(old, path)
            else:
                path.unlink(missing_ok=True)
        raise
    finally:
        for leftover in [*staged.values(), *filter(None, kept.values())]:
            leftover.unlink(missing_ok=True)


def staged_copy(path: Path, content: bytes | Iterable[bytes]) -> Path:
    """`content` written in full to a temporary file in `path`'s folder, ready to be swapped in
    (given in pieces, each is written as it comes: a large file is never held whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.writelines([content] if isinstance(content, bytes) else content)
        temporary.chmod(0o644)  # mkstemp makes private files; outputs are for sharing
    except OSError as error:  # a full disk names no file: name the one being written
        temporary.unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, error.filename or str(path)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def hard_link_beside(path: Path) -> Path:
    """A second name for `path`'s current content, kept until the swap is over."""
    while True:
        backup = path.with_name(f".{path.name}.{os.urandom(4).hex()}.old.tmp")
        try:
            os.link(path, backup)
            return backup
        except FileExistsError:
            continue


def cannot_write(project: Project, error: OSError) -> Problem:
    """An output that could not be written, said with what to do about it."""
    path = Path(error.filename) if error.filename else project.build_dir
    if path.name.startswith(".") and path.name.endswith(".tmp"):
        # A temporary file of ours: what staff can mend is the file it was to replace (a folder
        # in its place), or else the folder it was being written in.
        path = Path(error.filename2) if error.filename2 else path.parent
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        path = next(
            (folder for folder in (path, *path.parents) if folder.exists() and not folder.is_dir()),
            path,
        )
    advice = {
        errno.EISDIR: "a folder is in the way: remove or rename it",
        errno.ENOTDIR: "a file is where a folder should be: remove or rename it",
        errno.EEXIST: "a file is where a folder should be: remove or rename it",
        errno.EFBIG: "the file is larger than this system allows: free some space or "
        "raise the limit, and build again",
        errno.ENOSPC: "the disk is full: free some space and build again",
        errno.EDQUOT: "the disk quota is used up: free some space and build again",
        errno.EACCES: "check that you may write to this folder",
        errno.EPERM: "check that you may write to this folder",
        errno.EROFS: "the disk is read-only: build into a folder you can write to",
    }
    reason = os.strerror(error.errno) if error.errno else str(error)
    return Problem(
        project.shown(path),
        f"cannot be written ({reason}): "
        f"{advice.get(error.errno or 0, 'check the folder and build again')}",
    )


def write_page_images(outputs: Outputs, slug: str) -> None:
    """Page images of a letter's PDF for people to look at: <slug>-1.png, <slug>-2.png, ...
    (pdftoppm)."""
    pdf, folder = outputs.path("pdf", slug), outputs.path("png", slug).parent
    folder.mkdir(parents=True, exist_ok=True)
    for old in outputs.page_images(slug):
        old.unlink()
    with tempfile.TemporaryDirectory(dir=folder) as temporary:
        try:
            subprocess.run(
                ["pdftoppm", "-png", "-r", "96", str(pdf), str(Path(temporary) / slug)],
                check=True,
                capture_output=True,
            )
        except FileNotFoundError:
            fail(
                "pdftoppm",
                "is not installed: page images need "
                "Debian's poppler-utils (scripts/install-system-deps)",
            )
        for image in sorted(Path(temporary).glob("*.png")):
            page = int(image.stem.rsplit("-", 1)[1])
            os.replace(image, folder / f"{slug}-{page}.png")


def has_outputs(outputs: Outputs, slug: str) -> bool:
    return any(outputs.path(kind, slug).exists() for kind in THE_LETTER)


def remove_deleted_councils(
    project: Project, outputs: Outputs, recorded: dict[str, Any]
) -> list[str]:
    """Remove the outputs of councils whose files are gone, their drafts and draft emails
    included; returns their slugs."""
    current = {path.stem for path in project.council_files()}
    drafts = project.outputs(draft=True)
    removed = sorted((outputs.built_slugs() | drafts.built_slugs() | set(recorded)) - current)
    for slug in removed:
        for folder in (outputs, drafts):
            for file in LETTER_FILES:
                for path in folder.files(file.kind, slug):
                    path.unlink(missing_ok=True)
        recorded.pop(slug, None)
    return sorted({*removed, *remove_emails_of_removed_councils(project)})


def remove_emails_of_removed_councils(project: Project) -> list[str]:
    """Remove the dry-run emails (build/email/) of councils whose files are gone."""
    current = {path.stem for path in project.council_files()}
    removed = []
    for email in sorted(project.outputs().emails.glob("*.eml")):
        if email.stem not in current:
            email.unlink(missing_ok=True)
            removed.append(email.stem)
    return removed


def write_atomically(path: Path, content: bytes | Iterable[bytes]) -> None:
    """Write through a temporary file in the same folder, so readers see old or new, never half."""
    temporary = staged_copy(path, content)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def made_beside(folder: Path) -> Iterator[Path]:
    """A folder made whole or not at all: filled in a staging folder beside it, renamed into
    place at the end, and removed on any failure, so that a second try works."""
    staging = folder.parent / f".{folder.name}.being-made"
    shutil.rmtree(staging, ignore_errors=True)  # what a killed earlier try left
    try:
        staging.mkdir(parents=True)
        yield staging
        if folder.exists():
            folder.rmdir()  # empty: checked by the caller before anything was made
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def claim_build_folder(project: Project) -> None:
    """A build folder holds one project's letters: it says whose (build/project), and a build
    of another project (the folder shared through a link, say) is refused before it removes
    or replaces anything."""
    owner_file = project.build_dir / "project"
    here = str(project.root.resolve())
    try:
        owner = owner_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        with contextlib.suppress(OSError):  # the build's own writes say what is in the way
            project.build_dir.mkdir(parents=True, exist_ok=True)
            write_atomically(owner_file, f"{here}\n".encode())
        return
    except UnicodeDecodeError:
        owner = "a project it cannot name"
    except OSError:
        return  # build/ is a file, or unreadable: the build's own writes say so
    if owner != here:
        fail(
            project.shown(project.build_dir),
            f"holds the letters of another project ({path_excerpt(owner)}): give this project a "
            f"build folder of its own (is build/ a link?), or, if this project was moved, "
            f"remove build/ and build again",
        )


def remove_leftovers(outputs: Outputs) -> None:
    """Remove temporary files a killed build (SIGKILL, power cut) could not clean up."""
    for leftover in outputs.folder.glob("*/.*.tmp"):
        leftover.unlink(missing_ok=True)
