"""The live preview in a real browser: it follows saved files, shows mistakes, answers only its
own routes, and stops cleanly."""

import contextlib
import http.client
import os
import re
import signal
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser import chromium_page
from helpers import address_in, edit, letters, pdf_pages, start_preview

WAIT_MS = 5000
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def server(project: Path):
    """`letters preview canterbury` running on a free port; yields its URL."""
    process, first_line = start_preview(project)
    assert first_line.startswith("Previewing canterbury at http://127.0.0.1:"), (
        first_line + process.stderr.read()
    )
    try:
        yield address_in(first_line)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == "Preview stopped.\n"
    finally:
        process.kill()
        process.communicate()


def status_of(url: str, path: str) -> int:
    """The HTTP status for `path` sent exactly as written (no client-side clean-up of '..')."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_page_follows_the_files_and_shows_mistakes(project: Path, server: str):
    council = project / "councils" / "canterbury.yaml"
    with chromium_page() as page:
        page.goto(server)
        letter = page.frame_locator("#letter")
        letter.get_by_text("50% of complaints we investigated were upheld.").wait_for(
            timeout=WAIT_MS
        )
        assert page.locator(".draft").inner_text() == "DRAFT"
        page.evaluate("window.notReloaded = true")
        page.frame(url=f"{server}/letter").evaluate("window.scrollTo(0, 900)")

        edit(council, "  upheld: 5 ", "  upheld: 6 ")
        letter.get_by_text("60% of complaints we investigated were upheld.").wait_for(
            timeout=WAIT_MS
        )
        assert page.evaluate("window.notReloaded") is True
        assert page.frame(url=f"{server}/letter").evaluate("window.scrollY") == 900
        shoot(page)

        edit(council, "  upheld: 6 ", "  upheld: 60 ")
        expected = letters("check", "--root", str(project)).stderr.strip()
        assert expected.startswith("councils/canterbury.yaml:13: statistics.upheld: 60 is more")
        letter.get_by_text(expected).wait_for(timeout=WAIT_MS)

        edit(council, "recipient:", "recipient: [")
        letter.get_by_text("YAML syntax error").wait_for(timeout=WAIT_MS)

        edit(council, "recipient: [", "recipient:")
        edit(council, "  upheld: 60 ", "  upheld: 7 ")
        letter.get_by_text("70% of complaints we investigated were upheld.").wait_for(
            timeout=WAIT_MS
        )


def shoot(page) -> None:
    """The README's screenshot; refreshed with LETTERS_SCREENSHOTS=docs make test."""
    folder = os.environ.get("LETTERS_SCREENSHOTS")
    image = page.screenshot(full_page=False)
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    if folder:
        Path(folder, "preview.png").write_bytes(image)


def test_the_page_names_each_council_as_its_file_does(project: Path, server: str):
    (project / "councils" / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    with chromium_page() as page:
        page.goto(server)
        assert page.title() == "DRAFT preview – Canterbury City Council"
        assert page.locator("h1").inner_text() == "Preview of Canterbury City Council"
        options = page.locator("#council option")
        assert options.all_inner_texts() == [
            "broken",  # a file that names no council yet is listed by its file name
            "Cannock Chase District Council",
            "Canterbury City Council",
            "Leicester City Council",
            "Maidstone Borough Council",
            "Sevenoaks District Council",
        ]
        assert page.locator("#council").input_value() == "canterbury"
        page.select_option("#council", label="Maidstone Borough Council")
        page.get_by_role("button", name="Show").click()
        page.locator("h1", has_text="Preview of Maidstone Borough Council").wait_for(
            timeout=WAIT_MS
        )


def test_a_template_error_shows_in_the_page(project: Path, server: str):
    with chromium_page() as page:
        page.goto(server)
        letter = page.frame_locator("#letter")
        letter.get_by_text("Annual Review letter 2020").first.wait_for(timeout=WAIT_MS)
        edit(project / "templates" / "letter.html.j2", "{{ letter.date }}", "{{ letter.dat }}")
        letter.get_by_text("templates/letter.html.j2:").wait_for(timeout=WAIT_MS)


def test_the_draft_pdf_is_rendered_on_request(server: str):
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", f"{parts.path}/letter.pdf")
    response = connection.getresponse()
    assert (response.status, response.getheader("Content-Type")) == (200, "application/pdf")
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"preview-{os.getpid()}.pdf"
    path.write_bytes(response.read())
    assert "DRAFT" in pdf_pages(path)[0]
    path.unlink()


@pytest.mark.parametrize(
    "path",
    [
        "/council/../year.yaml",
        "/council/%2e%2e/year.yaml",
        "/council/canterbury/../../year.yaml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "/councils/",
        "/council/nowhere",
        "/council/canterbury/letter/extra",
        "/templates/letter.css",
        "/council/canterbury/events/../../year.yaml",
    ],
)
def test_only_its_own_routes_answer(server: str, path: str):
    assert status_of(server, path) == 404


def test_it_listens_on_this_machine_only(server: str):
    """What is bound, not what is printed: 127.0.0.1 answers; another address of this machine
    (127.0.0.2, which a server bound to 0.0.0.0 would also answer) is refused."""
    port = urlsplit(server).port
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", port), timeout=5).close()


def request(url: str, path: str, host: str | None = None, method: str = "GET"):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest(method, path, skip_host=host is not None)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1",
        "127.0.0.2:{port}",
        "localhost.evil.example:{port}",
        "",
    ],
)
def test_a_page_on_another_host_name_cannot_read_the_draft(server: str, host: str):
    """DNS rebinding: a web page that points its own name at 127.0.0.1 gets nothing."""
    path = f"{urlsplit(server).path}/letter"
    status, body = request(server, path, host.format(port=urlsplit(server).port))
    assert status == 403 and b"Annual Review" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}"])
def test_its_own_address_reads_the_draft_and_head_works(server: str, host: str):
    path = f"{urlsplit(server).path}/letter"
    host = host.format(port=urlsplit(server).port)
    status, body = request(server, path, host)
    assert status == 200 and b"Annual Review letter 2020" in body
    assert request(server, path, host, "HEAD") == (200, b"")


def test_a_save_the_moment_the_address_is_printed_is_not_missed(project: Path):
    """The watcher runs before the address is printed: a save at once still shows."""
    process, first_line = start_preview(project)
    try:
        edit(project / "councils" / "canterbury.yaml", "  upheld: 5 ", "  upheld: 6 ")
        parts = urlsplit(address_in(first_line))
        seen = ""
        for _ in range(100):  # each round waits on the server's next event; 100 is plenty
            seen = re.sub(r"<[^>]+>", "", get(parts.hostname, parts.port, f"{parts.path}/letter"))
            if "60% of complaints" in seen:
                break
            with contextlib.suppress(TimeoutError, OSError):
                get(parts.hostname, parts.port, f"{parts.path}/events", timeout=1, line=True)
        assert "60% of complaints we investigated were upheld." in seen
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


def get(
    host: str | None, port: int | None, path: str, timeout: float = 5, line: bool = False
) -> str:
    """A page of the preview (or only its first line, for the event stream)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return (response.readline() if line else response.read()).decode()
    finally:
        connection.close()


def test_the_keyboard_chooses_deliberately_and_a_refresh_keeps_the_reader_s_place(
    project: Path, server: str
):
    """Arrow keys move through the councils without loading one (WCAG 3.2.2), Enter loads it;
    a save reloads the letter where the reader was, keeps the focus, and the live region says
    what the letter now says, or the problem that stops it."""
    with chromium_page() as page:
        page.goto(server)
        page.frame_locator("#letter").get_by_text("Annual Review letter 2020").first.wait_for(
            timeout=WAIT_MS
        )
        page.locator("#council").focus()
        page.keyboard.press("ArrowDown")  # Leicester: were it loaded, the page and focus go
        page.keyboard.press("ArrowDown")  # Maidstone
        page.keyboard.press("Enter")
        page.locator("h1", has_text="Preview of Maidstone Borough Council").wait_for(
            timeout=WAIT_MS
        )

        page.goto(server)
        letter = page.frame_locator("#letter")
        letter.get_by_text("50% of complaints we investigated were upheld.").wait_for(
            timeout=WAIT_MS
        )
        page.locator("#council").focus()
        edit(project / "councils" / "canterbury.yaml", "  upheld: 5 ", "  upheld: 6 ")
        status = page.get_by_role("status")
        status.filter(has_text="Now reads:").wait_for(timeout=WAIT_MS)
        assert status.inner_text() == (
            "Now reads: 31 March 2020 Complaints upheld 60% of complaints we investigated "
            "were upheld. (and 1 more change)"
        )
        assert page.evaluate("document.activeElement.id") == "council"

        letter.get_by_role("link").first.focus()
        edit(project / "councils" / "canterbury.yaml", "  upheld: 6 ", "  upheld: 7 ")
        status.filter(has_text="70%").wait_for(timeout=WAIT_MS)
        letter.get_by_text("70% of complaints we investigated were upheld.").wait_for(
            timeout=WAIT_MS
        )
        assert page.evaluate("document.activeElement.id") == "letter"

        edit(project / "templates" / "letter.html.j2", "{{ letter.date }}", "{{ letter.dat }}")
        status.filter(has_text="Problem:").wait_for(timeout=WAIT_MS)
        assert status.inner_text().startswith("Problem: templates/letter.html.j2:")


@pytest.mark.parametrize("width", [320, 1280])
def test_the_preview_reflows_and_passes_axe(project: Path, server: str, width: int):
    """Nothing to scroll sideways at 320 px, with the longest council name of 2019-20 in the
    list (a list is as wide as its longest name)."""
    from axe_playwright_python.sync_playwright import Axe

    canterbury = (project / "councils" / "canterbury.yaml").read_text()
    (project / "councils" / "bcp.yaml").write_text(
        canterbury.replace(
            "name: Canterbury City Council", "name: Bournemouth, Christchurch and Poole Council"
        )
    )
    with chromium_page(width, 800) as page:
        page.goto(server)
        page.frame_locator("#letter").get_by_text("Annual Review letter 2020").first.wait_for(
            timeout=WAIT_MS
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        assert results.response["violations"] == [], results.generate_snapshot()
