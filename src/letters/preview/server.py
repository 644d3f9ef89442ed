"""The live draft preview: a local web server that re-renders one council's letter on every save."""

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from letters.data.project import Project
from letters.data.read import council_names, read_council, read_year
from letters.letter.figures import noun
from letters.letter.renderer import LetterRenderer, Rendered
from letters.pages.tool_pages import page
from letters.problems import LettersError, Problem, fail
from letters.review.words import as_it_reads_now, changed_passages, html_words

KEEP_ALIVE_SECONDS = 15


@dataclass(frozen=True)
class Draft:
    """One rendering of the previewed letter: its HTML, or the problems that stopped it."""

    version: int
    html: str | None
    problems: tuple[Problem, ...]
    seconds: float
    said: str = "Up to date"  # what changed since the last rendering, for the page's live region


class Preview:
    """Keeps one council's draft up to date with the files it is made from."""

    def __init__(self, project: Project, slug: str):
        self.project, self.slug = project, slug
        self.changed = threading.Condition()
        self.draft = Draft(0, None, (), 0.0)
        self.stopping = threading.Event()
        self.watching = threading.Event()  # set once a save can no longer be missed
        self.port = 0  # the one it is served on, once it is

    def refresh(self) -> None:
        """Render the draft again from the files as they are now, and tell every open page."""
        started = time.perf_counter()
        try:
            rendered = self.render()
            html, problems = rendered.html, rendered.problems
        except LettersError as error:
            html, problems = None, tuple(error.problems)
        with self.changed:
            said = what_changed(self.draft.html, html, problems)
            self.draft = Draft(
                self.draft.version + 1, html, problems, time.perf_counter() - started, said
            )
            self.changed.notify_all()

    def render(self, pdf: bool = False) -> Rendered:
        """The draft of the files as they are now, all read at once (WeasyPrint only when a PDF
        is asked for)."""
        project = self.project.snapshot()
        year = read_year(project)
        council = read_council(project, project.council_file(self.slug), year)
        return LetterRenderer(project, year, draft=True, pdf=pdf)((self.slug, council))

    def pdf(self) -> bytes:
        rendered = self.render(pdf=True)
        if rendered.problems or rendered.pdf is None:
            raise LettersError(list(rendered.problems))
        return rendered.pdf.pdf

    def wait_for_change(self, version: int, timeout: float) -> Draft:
        with self.changed:
            self.changed.wait_for(
                lambda: self.draft.version != version or self.stopping.is_set(), timeout
            )
            return self.draft

    def watch(self) -> None:
        """Re-render whenever a file the letter is made from is saved (run in a thread)."""
        from watchfiles import watch

        for changes in watch(
            self.project.root,
            watch_filter=self.shapes_the_letter,
            debounce=50,
            step=20,
            stop_event=self.stopping,
            raise_interrupt=False,
            yield_on_timeout=True,  # the first (empty) yield says the watcher is running
            rust_timeout=50,
        ):
            self.watching.set()
            if changes:
                self.refresh()

    def shapes_the_letter(self, change: object, changed: str) -> bool:
        """Only the previewed council's file, the year file, templates and assets matter."""
        return self.project.is_input_of(Path(changed), self.slug)


def make_handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    project = preview.project

    class Handler(BaseHTTPRequestHandler):
        """Answers only the preview's own routes (everything else is 404), and only requests
        addressed to this machine by name: a web page that points another name at 127.0.0.1
        (DNS rebinding) gets 403, never a draft."""

        head = False  # a HEAD request: the headers of GET, without the body

        def do_HEAD(self) -> None:
            self.head = True
            self.do_GET()

        def do_GET(self) -> None:
            if self.headers.get("Host") not in own_hosts(preview.port):
                self.send_error(HTTPStatus.FORBIDDEN, "Unknown host")
                return
            path = unquote(urlsplit(self.path).path)
            slugs = {file.stem for file in project.council_files()}
            parts = path.strip("/").split("/")
            if path == "/":
                self.redirect(f"/council/{preview.slug}")
            elif len(parts) >= 2 and parts[0] == "council" and parts[1] in slugs:
                self.council_route(parts[1], parts[2:])
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def council_route(self, slug: str, rest: list[str]) -> None:
            if rest == []:
                self.preview_page(slug)
            elif slug != preview.slug:
                self.send_error(HTTPStatus.NOT_FOUND)
            elif rest == ["letter"]:
                self.letter()
            elif rest == ["letter.pdf"]:
                self.pdf()
            elif rest == ["events"]:
                self.events()
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def preview_page(self, slug: str) -> None:
            """The preview page; opening another council's switches the preview to it."""
            if slug != preview.slug:
                preview.slug = slug
                preview.refresh()
            councils = names_by_slug(project)
            self.reply(page("page", slug=slug, councils=councils), "text/html")

        def letter(self) -> None:
            draft = preview.draft
            self.reply(
                draft.html if draft.html is not None else problems_page(draft.problems), "text/html"
            )

        def pdf(self) -> None:
            try:
                self.reply(preview.pdf(), "application/pdf")
            except LettersError as error:
                self.reply(problems_page(error.problems), "text/html", HTTPStatus.CONFLICT)

        def events(self) -> None:
            """Server-sent events: the draft's version, each time it changes."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.head:
                return
            version = 0
            try:
                while not preview.stopping.is_set():
                    draft = preview.wait_for_change(version, KEEP_ALIVE_SECONDS)
                    if draft.version != version:
                        version = draft.version
                        ok = draft.html is not None
                        event = {"version": version, "ok": ok, "said": draft.said}
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    else:
                        self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the page was closed

        def redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", location)
            self.end_headers()

        def reply(
            self, body: str | bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK
        ) -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header(
                "Content-Type",
                f"{content_type}; charset=utf-8" if isinstance(body, str) else content_type,
            )
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not self.head:
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # staff need the URL, not a line per request

    return Handler


def what_changed(before: str | None, now: str | None, problems: Iterable[Problem]) -> str:
    """What the page's live region says after a save: the problem that stops the letter, or
    each changed passage as the letter now reads (two at most), or that its words are as they
    were."""
    problems = list(problems)
    if now is None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return f"Problem: {problems[0]}{more}" if problems else "The letter cannot be shown"
    if before is None:
        return "Up to date"
    passages = changed_passages(html_words(before), html_words(now))
    if not passages:
        return "Updated: the letter's words are as they were"
    others = len(passages) - 1
    more = f" (and {others} more {noun(others, 'change', 'changes')})" if others else ""
    return f"Now reads: {as_it_reads_now(passages[0], around=6)}{more}"


def names_by_slug(project: Project) -> dict[str, str]:
    """Each council's name as its file gives it, by slug (the slug, for a file that does not)."""
    files, _ = council_names(project)
    named = {file.path.stem: file.name for file in files.values()}
    return {path.stem: named.get(path.stem, path.stem) for path in project.council_files()}


def own_hosts(port: int) -> set[str]:
    """The Host headers of requests meant for this preview."""
    return {f"127.0.0.1:{port}", f"localhost:{port}"}


def problems_page(problems: Iterable[Problem]) -> str:
    """The problems that stop the letter, worded as `letters check` words them."""
    return page("problems", problems=[str(problem) for problem in problems])


WATCHER_START_SECONDS = 30  # far beyond the 0.05 s it takes


def serve(project: Project, slug: str, port: int) -> tuple[ThreadingHTTPServer, Preview]:
    """Start the preview server on 127.0.0.1 (only this machine can reach it) and its watcher."""
    preview = Preview(project, slug)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(preview))
    preview.port = server.server_port
    server.daemon_threads = True
    # The watcher first, then the first draft: a save made the moment the address is printed
    # is either in the draft or seen by the watcher.
    threading.Thread(target=preview.watch, daemon=True).start()
    if not preview.watching.wait(WATCHER_START_SECONDS):
        fail("letters preview", "could not watch the project's files: try again")
    preview.refresh()
    return server, preview
