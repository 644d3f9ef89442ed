"""Shared test helpers: copy the project, run the real CLI, read letters back as text."""

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner, Result

from letters.cli import main

REPO = Path(__file__).resolve().parent.parent
# The 2020 reference year the tests build from, whatever year the working folder holds.
REFERENCE = Path(__file__).resolve().parent / "reference"
EXPECTED = Path(__file__).resolve().parent / "expected"
SLUGS = ("canterbury", "cannock-chase", "sevenoaks", "maidstone", "leicester")
PAGE_FOOTER = re.compile(r"^Page \d+ of \d+$", re.MULTILINE)


def copy_project(target: Path, source: Path = REFERENCE) -> Path:
    """A copy of a project's data, wording and assets (the 2020 reference year unless told),
    to build without side effects."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("councils", "templates", "assets"):
        shutil.copytree(source / folder, target / folder)
    for name in ("year.yaml", "fields.yaml"):
        shutil.copy(source / name, target / name)
    return target


def copy_built(source: Path, target: Path) -> Path:
    """A copy of a built project, its build folder saying it is the copy's (build/project), as
    if it had been built where it now is."""
    shutil.copytree(source, target)
    (target / "build" / "project").write_text(f"{target.resolve()}\n", encoding="utf-8")
    return target


def many_councils(project: Path, copies: int = 2) -> list[str]:
    """Each council file copied `copies` times (canterbury-0, canterbury-1...): every slug."""
    for path in list((project / "councils").glob("*.yaml")):
        for copy in range(copies):
            shutil.copy(path, project / "councils" / f"{path.stem}-{copy}.yaml")
    return sorted(path.stem for path in (project / "councils").glob("*.yaml"))


def start_preview(root: Path, slug: str = "canterbury") -> tuple[subprocess.Popen, str]:
    """`letters preview SLUG` in a new process on a free port: the process, and the first line
    it printed (the address, when it started)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "letters", "preview", slug, "--no-open", "--root", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline()


def address_in(first_line: str) -> str:
    """The address in "Previewing canterbury at http://127.0.0.1:PORT/... (Ctrl-C to stop)"."""
    return first_line.split(" at ")[1].split(" (")[0]


def letters(*args: str) -> Result:
    """Run the `letters` command line in-process, as a user would type it."""
    return CliRunner().invoke(main, list(args))


def edit(path: Path, old: str, new: str) -> None:
    """Change a file as staff would in an editor: `old` (which must be there) becomes `new`."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def confirmed(year_file: Path) -> None:
    """Every fact of a year file confirmed, as staff do: each CONFIRM line deleted."""
    lines = year_file.read_text(encoding="utf-8").splitlines(keepends=True)
    year_file.write_text("".join(line for line in lines if "# CONFIRM for " not in line))


def last_line(result: Result) -> str:
    """The summary a build ends with, after its progress lines."""
    return result.stdout.splitlines()[-1]


def normalise(text: str) -> str:
    """Fold white space, ligatures, typographic quotes and dashes, as the golden tests compare."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[‘’′]", "'", text)
    text = re.sub(r"[“”]", '"', text)
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def expected_paragraphs(slug: str) -> list[str]:
    text = (EXPECTED / f"{slug}.txt").read_text(encoding="utf-8")
    return [normalise(block) for block in text.split("\n\n") if block.strip()]


class TextOfHtml(HTMLParser):
    """The text a reader sees in an HTML page: no head, styles or scripts; blocks on new lines."""

    BLOCKS = frozenset(
        {"p", "h1", "h2", "h3", "div", "section", "header", "article", "br", "li", "span"}
    )
    HIDDEN = frozenset({"head", "style", "script", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = TextOfHtml()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF, read back with pdftotext, without the page-number footer;
    a no-break space is a space, as a reader sees it."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout.replace("\u00a0", " ")
    return [PAGE_FOOTER.sub("", page) for page in text.split("\f")[:-1]]


def find_in_order(paragraphs: list[str], text: str) -> list[str]:
    """The paragraphs that are missing from `text`, or out of order in it."""
    missing, position = [], 0
    for paragraph in paragraphs:
        found = text.find(paragraph, position)
        if found == -1:
            missing.append(paragraph)
        else:
            position = found + len(paragraph)
    return missing


def build_stopped_after(project: Path, hook: str, letters: int, *args: str) -> subprocess.Popen:
    """`letters build` in a process of its own, with a test hook (batch/outputs.py) that stops
    it after `letters` letters; returned once it has written them."""
    build = subprocess.Popen(
        [sys.executable, "-m", "letters", "build", "--root", str(project), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, hook: str(letters)},
    )
    assert build.stdout is not None
    written = 0
    while written < letters:  # each letter written prints its line
        line = build.stdout.readline()
        assert line, "the build ended before it was stopped"
        written += line.endswith(": built\n")
    return build


BLOCK_TAGS = {"P", "H1", "H2", "H3", "LI"}


def tag_text_blocks(path: Path) -> list[tuple[str, str]]:
    """The tag tree as `pdfinfo -struct-text` reads it (poppler, not the tool that wrote it):
    each block element with the text of everything inside it, joined as a reader joins it."""
    output = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], check=True, capture_output=True, text=True
    ).stdout
    blocks: list[list[str]] = []
    stack: list[tuple[int, str]] = []
    for line in output.splitlines():
        depth = len(line) - len(line.lstrip(" "))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        content = line.strip()
        if content.startswith('"'):
            if any(tag in BLOCK_TAGS for _, tag in stack):
                blocks[-1][1] += content[1:-1]
        elif content:
            tag = content.split(" ")[0].rstrip(":")
            stack.append((depth, tag))
            if tag in BLOCK_TAGS and not any(t in BLOCK_TAGS for _, t in stack[:-1]):
                blocks.append([tag, ""])
    return [(tag, text) for tag, text in blocks]
