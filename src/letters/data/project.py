"""Where a year's data, wording and outputs live inside a project folder."""

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from letters.data.load import Document, load_document
from letters.data.snapshot import Files, Snapshot
from letters.problems import Problem, excerpt, fail

MAX_SLUG = 200  # characters: far beyond any council's, within every file system's name limit
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
COUNCIL_SUFFIX = ".yaml"
LOOKS_LIKE_A_COUNCIL = (".yaml", ".yml")  # compared in lower case: X.YAML and x.yml too


OutputKind = Literal["html", "pdf", "text", "pdf-a", "png"]


@dataclass(frozen=True)
class LetterFile:
    """One kind of output a letter has: where it goes, and when a build makes it."""

    kind: OutputKind
    path: str  # inside the build folder
    made: Literal["always", "with a PDF", "asked for"]  # asked for: by `letters build --<option>`
    is_the_letter: bool  # the letter itself, as the overview links and a draft prints it


# Every output of a letter: writing, removal, the manifest, the overview and drafts follow this.
LETTER_FILES = (
    LetterFile("html", "html/{slug}.html", "always", True),
    LetterFile("pdf", "pdf/{slug}.pdf", "with a PDF", True),
    # its words as laid out, page by page: what letters changes and letters find read
    LetterFile("text", "text/{slug}.txt", "with a PDF", False),
    LetterFile("pdf-a", "pdf-a/{slug}.pdf", "asked for", False),  # --archival
    LetterFile("png", "png/{slug}-1.png", "asked for", False),  # --png; also {slug}-2.png...
)
FILE_OF_KIND = {file.kind: file for file in LETTER_FILES}
THE_LETTER: tuple[OutputKind, ...] = tuple(f.kind for f in LETTER_FILES if f.is_the_letter)


@dataclass(frozen=True)
class Outputs:
    """Where a build puts everything: build/, or build/preview/ for drafts. The one place that
    says where each of a letter's outputs and the build's own records go."""

    folder: Path

    def relative(self, kind: OutputKind, slug: str) -> str:
        """An output's path inside the folder, as the manifest and the overview link to it."""
        return FILE_OF_KIND[kind].path.format(slug=slug)

    def path(self, kind: OutputKind, slug: str) -> Path:
        return self.folder / self.relative(kind, slug)

    def files(self, kind: OutputKind, slug: str) -> list[Path]:
        """Every file of one kind of a letter's outputs: one, or a page image per page."""
        return self.page_images(slug) if kind == "png" else [self.path(kind, slug)]

    def page_images(self, slug: str) -> list[Path]:
        return sorted(self.path("png", slug).parent.glob(f"{slug}-*.png"))

    def built_slugs(self) -> set[str]:
        """Every council with an HTML or PDF letter in the folder."""
        return {
            path.stem for kind in THE_LETTER for path in self.folder.glob(self.relative(kind, "*"))
        }

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.json"

    @property
    def journal(self) -> Path:
        """Each letter as it is written, so a killed build's work is known to the next one."""
        return self.folder / "manifest.journal"

    @property
    def stamps(self) -> Path:
        """Each output's size and time as last seen with the bytes the manifest records."""
        return self.folder / "output-stamps.json"

    @property
    def overview(self) -> Path:
        return self.folder / "index.html"

    @property
    def overview_csv(self) -> Path:
        return self.folder / "letters.csv"

    @property
    def overview_words(self) -> Path:
        """The letters' words, for the overview's search (a script it loads, on its own)."""
        return self.folder / "letters-words.js"

    @property
    def old_records(self) -> list[Path]:
        """Where earlier versions kept approvals and the sent ledger, which cleaning removed."""
        return [self.folder / "approvals.jsonl", self.folder / "sent.jsonl"]

    @property
    def emails(self) -> Path:
        """Where a dry run writes each council's message (letters send --dry-run)."""
        return self.folder / "email"

    def email(self, slug: str) -> Path:
        return self.emails / f"{slug}.eml"


@dataclass(frozen=True)
class Records:
    """Where the records of approving and sending live: records/, beside the project's data."""

    folder: Path

    @property
    def approvals(self) -> Path:
        return self.folder / "approvals.jsonl"

    @property
    def sent(self) -> Path:
        return self.folder / "sent.jsonl"

    @property
    def lock(self) -> Path:
        return self.folder / "send.lock"

    @property
    def owner(self) -> Path:
        """Which project the records are (its folder), as build/project says for the build."""
        return self.folder / "project"

    def approved(self, digest: str) -> Path:
        """Where the message an approval covers is kept (send/kept.py), named by its digest."""
        return self.folder / "approved" / digest


@dataclass(frozen=True)
class Project:
    """The folders and files of one project: `letters --root DIR` points at another one."""

    root: Path
    files: Files = field(default_factory=Files, compare=False, repr=False)

    def snapshot(self) -> "Project":
        """This project read once: every read of the returned one gives the bytes of the moment
        it was made (council files: of the first read)."""
        places = [
            self.year_file,
            self.fields_file,
            self.templates_dir,
            self.assets_dir,
            self.history_dir,
        ]
        return Project(self.root, Snapshot(self.shared_inputs(), places))

    def document(self, path: Path) -> Document:
        """A YAML file of this project, loaded with its lines (data/load.py)."""
        return load_document(path, self.shown(path), self.root, self.files.read_bytes)

    @property
    def councils_dir(self) -> Path:
        return self.root / "councils"

    @property
    def year_file(self) -> Path:
        return self.root / "year.yaml"

    @property
    def fields_file(self) -> Path:
        """fields.yaml: what each council file holds (data/fields.py)."""
        return self.root / "fields.yaml"

    @property
    def history_dir(self) -> Path:
        """Earlier years' data, kept by letters new-year (data/history.py)."""
        return self.root / "history"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def outputs(self, draft: bool = False) -> Outputs:
        return Outputs(self.build_dir / "preview" if draft else self.build_dir)

    def kept_letter(self, slug: str) -> Path:
        """In a year kept under history/: the council's letter as built that year, its words
        page by page (as build/text/ has them), kept by letters new-year."""
        return self.root / "letters" / f"{slug}.txt"

    def records(self) -> Records:
        """Approvals and the sent ledger: records, not outputs, so never inside build/."""
        return Records(self.root / "records")

    def shared_inputs(self) -> list[Path]:
        """Every file all letters are made from: the year and fields files, templates and assets."""
        return [
            self.year_file,
            self.fields_file,
            *sorted(self.templates_dir.rglob("*")),
            *sorted(self.assets_dir.rglob("*")),
            *sorted(self.history_dir.rglob("*")),  # a letter may speak of earlier years
        ]

    def is_input_of(self, path: Path, slug: str) -> bool:
        """Whether a change to `path` (absolute) can change `slug`'s letter."""
        here = Project(self.root.resolve())
        return (
            path in (here.council_file(slug), here.year_file, here.fields_file)
            or path.is_relative_to(here.templates_dir)
            or path.is_relative_to(here.assets_dir)
            or path.is_relative_to(here.history_dir)
        )

    def check_is_project(self) -> None:
        """Refuse a folder that is not a letters project, saying how to point at one."""
        if not self.root.is_dir():
            fail(
                "letters",
                f"there is no folder {excerpt(str(self.root))}: "
                f"give --root the folder that holds year.yaml and "
                f"councils/",
            )
        missing = [
            name
            for name, there in (
                ("year.yaml", self.year_file.exists()),
                ("councils/", self.councils_dir.is_dir()),
            )
            if not there
        ]
        if len(missing) == 2:
            folder = "this folder" if self.root == Path(".") else excerpt(str(self.root))
            fail(
                "letters",
                f"{folder} is not a letters folder (it has no year.yaml and no "
                f"councils/): run letters in the folder that has them, or point at it with "
                f"--root DIR",
            )
        if missing:
            fail(
                missing[0],
                "is missing from this folder: a letters "
                "folder has year.yaml and councils/ side by side",
            )

    def council_files(self) -> list[Path]:
        """Every council file, in slug order; misnamed_files() names the files left out."""
        return sorted(path for path in self.candidates() if is_council_file_name(path.name))

    def misnamed_files(self) -> list[Problem]:
        """Files in councils/ that look like council files but are not named as one (x.yml,
        X.YAML, .yaml, 'St Albans.yaml'): they are not read, and say so."""
        return [
            Problem(
                self.shown(path),
                "is not read: a council file is named with its slug "
                "(lower-case letters, digits and hyphens) and .yaml, like "
                "canterbury.yaml: rename it",
            )
            for path in sorted(self.candidates())
            if not is_council_file_name(path.name)
        ]

    def candidates(self) -> list[Path]:
        if not self.councils_dir.is_dir():
            return []
        return [
            path
            for path in self.councils_dir.iterdir()
            if path.name.lower().endswith(LOOKS_LIKE_A_COUNCIL)
        ]

    def council_file(self, slug: str) -> Path:
        return self.councils_dir / f"{slug}{COUNCIL_SUFFIX}"

    def slug_of_argument(self, argument: str) -> str:
        """The council a command-line argument names: canterbury, canterbury.yaml or
        councils/canterbury.yaml; anything else is refused, with a suggestion."""
        if not argument.strip():
            fail(
                "letters",
                "a council's name is empty: name a council by its slug (for example canterbury)",
            )
        path = Path(argument)
        named = (
            path.name.removesuffix(COUNCIL_SUFFIX)
            if path.parent in (Path("."), Path("councils"))
            else argument
        )
        if not SLUG.fullmatch(named):
            fail(
                excerpt(argument),
                "is not a council: name a council by "
                "its slug, its file's name in councils/ without .yaml "
                "(for example canterbury)",
            )
        if len(named) > MAX_SLUG or not self.council_file(named).is_file():
            fail(
                excerpt(self.shown(self.council_file(named))),
                f"no such council file; {self.known_councils(named)}",
            )
        return named

    def known_councils(self, near: str) -> str:
        slugs = [path.stem for path in self.council_files()]
        close = difflib.get_close_matches(near, slugs, n=3)
        if close:
            return f"did you mean {' or '.join(close)}?"
        if len(slugs) <= 10:
            return f"the councils are: {', '.join(slugs)}"
        return "`letters check` lists the councils there are"

    def shown(self, path: Path) -> str:
        """A path as staff should read it in a message: relative to the project folder."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def is_council_file_name(name: str) -> bool:
    return name.endswith(COUNCIL_SUFFIX) and bool(SLUG.fullmatch(name[: -len(COUNCIL_SUFFIX)]))
