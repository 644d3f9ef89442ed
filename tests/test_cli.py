"""The command line as staff use it: build, check and preview, in a folder or with --root."""

import json
import re
from pathlib import Path

import pikepdf
import pytest

from helpers import REPO, SLUGS, last_line, letters, pdf_pages


def test_help_explains_each_command():
    result = letters("--help")
    assert result.exit_code == 0
    for command in ("build", "check", "preview"):
        assert command in result.output
    assert "--root" in letters("build", "--help").output


def test_check_reports_every_council_ok(project: Path):
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.output) == (0, "5 councils OK\n")


def test_build_works_on_the_folder_it_is_run_in(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project)
    result = letters("build", "maidstone")
    assert result.exit_code == 0, result.output
    assert last_line(result).startswith(
        "1 built, 0 unchanged, 0 skipped (data errors), 0 failed in "
    )
    assert (project / "build" / "html" / "maidstone.html").is_file()
    assert (project / "build" / "pdf" / "maidstone.pdf").is_file()
    assert not (project / "build" / "pdf" / "canterbury.pdf").exists()


def test_build_writes_every_council_and_a_manifest(built: Path):
    manifest = json.loads((built / "build" / "manifest.json").read_text())["councils"]
    assert sorted(manifest) == sorted(SLUGS)
    for slug in SLUGS:
        assert manifest[slug]["status"] == "built"
        assert manifest[slug]["pages"] == len(pdf_pages(built / "build" / "pdf" / f"{slug}.pdf"))
    assert sorted(path.name for path in (built / "build").rglob(".*")) == []


def test_building_one_council_keeps_the_others_in_the_manifest(project: Path):
    letters("build", "canterbury", "--root", str(project))
    letters("build", "leicester", "--root", str(project))
    manifest = json.loads((project / "build" / "manifest.json").read_text())["councils"]
    assert sorted(manifest) == ["canterbury", "leicester"]


def test_unknown_council_is_named_with_the_councils_there_are(project: Path):
    result = letters("build", "canterbry", "--root", str(project))
    assert result.exit_code == 1
    assert result.stderr == (
        "councils/canterbry.yaml: no such council file; did you mean canterbury?\n"
    )
    result = letters("build", "york", "--root", str(project))
    assert result.stderr == (
        "councils/york.yaml: no such council file; the councils are: "
        "cannock-chase, canterbury, leicester, maidstone, sevenoaks\n"
    )


@pytest.mark.parametrize("argument", ["canterbury.yaml", "councils/canterbury.yaml"])
def test_a_council_named_by_its_file(project: Path, argument: str):
    result = letters("build", argument, "--root", str(project), "--html-only")
    assert result.exit_code == 0, result.output
    assert last_line(result).startswith("1 built, 0 unchanged")


def test_preview_builds_a_draft_and_prints_its_paths(project: Path):
    result = letters("preview", "sevenoaks", "--once", "--root", str(project))
    assert result.exit_code == 0, result.output
    assert result.output == "build/preview/html/sevenoaks.html\nbuild/preview/pdf/sevenoaks.pdf\n"
    html = (project / "build" / "preview" / "html" / "sevenoaks.html").read_text()
    assert "DRAFT – not for sending" in html
    assert "DRAFT" in pdf_pages(project / "build" / "preview" / "pdf" / "sevenoaks.pdf")[0]


def test_built_letters_carry_no_draft_marker(built: Path):
    for slug in SLUGS:
        assert "DRAFT" not in (built / "build" / "html" / f"{slug}.html").read_text()
        pages = pdf_pages(built / "build" / "pdf" / f"{slug}.pdf")
        assert all("DRAFT" not in page for page in pages)


def test_links_are_real_links_in_the_pdf(built: Path):
    with pikepdf.open(built / "build" / "pdf" / "canterbury.pdf") as pdf:
        uris = {
            str(annotation.A.URI) for page in pdf.pages for annotation in page.get("/Annots", [])
        }
    assert uris == {
        "https://www.lgo.org.uk/your-councils-performance",
        "https://www.lgo.org.uk/information-centre/reports/annual-review-reports/"
        "interpreting-local-authority-statistics",
        "https://www.lgo.org.uk/training",
    }


def test_html_is_self_contained(built: Path):
    html = (built / "build" / "html" / "canterbury.html").read_text()
    assert "<link" not in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert html.count('url("data:font/woff2;base64,') == 3
    assert 'src="http' not in html and "url(http" not in html and "file:" not in html
    assert '<a href="https://www.lgo.org.uk/training">www.lgo.org.uk/training</a>' in html


def test_ctrl_c_during_an_import_says_what_was_kept(project: Path, monkeypatch: pytest.MonkeyPatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("letters.spreadsheet.read.read_figures", interrupted)
    result = letters("import", "figures.csv", "--root", str(project))
    assert result.exit_code == 130
    assert result.stderr == "letters: stopped before the end; no council file was changed\n"


def test_a_fault_of_the_tool_is_one_line_with_status_2(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(project, allow_unconfirmed=False):
        raise RuntimeError("something the tool did not expect")

    monkeypatch.setattr("letters.data.read.check", broken)
    result = letters("check", "--root", str(project))
    assert result.exit_code == 2
    assert result.stderr == (
        "letters: unexpected error, please report it (LETTERS_DEBUG=1 shows "
        "details): RuntimeError: something the tool did not expect\n"
    )


def test_fields_lists_every_value_the_templates_can_use(project: Path):
    result = letters("fields", "canterbury", "--root", str(project))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Values the templates receive, shown for councils/canterbury.yaml:"
    rows = {
        line.split()[0]: line.split(None, 1)[1]
        for line in lines[1:]
        if line.startswith("  ")
        and not line.lstrip().startswith(("noun", "with_article", "formatted_list", "thousands"))
    }
    # fields.yaml's values: the kind it declares, whether it can be nothing, its help below.
    assert rows["statistics.compliance.percent"].split() == ["percentage", "or", "nothing", "100"]
    assert rows["statistics.upheld.base"].split() == ["count", "10"]
    assert rows["witness_summons.threatened"].split() == ["yes-no", "or", "nothing", "True"]
    investigations = next(
        number
        for number, line in enumerate(lines)
        if line.split() == ["statistics.investigations", "count", "10"]
    )
    assert lines[investigations + 1].strip() == "detailed investigations"
    assert rows["letter.period_end"].endswith("'31 March 2020'")
    assert rows["recipient.title"].endswith("'Mr'")
    # Never stale: every value a shipped template names from the letter's context is listed.
    roots = {name.split(".")[0] for name in rows}
    used = {
        name
        for template in (project / "templates").glob("*.j2")
        for name in re.findall(r"\b([a-z_]+(?:\.[a-z_]+)+)\b", template.read_text())
        if name.split(".")[0] in roots
    }
    assert (
        used
        and {
            name
            for name in used
            if not any(row == name or row.startswith(f"{name}.") for row in rows)
        }
        == set()
    )


def test_the_readmes_year_file_is_a_valid_one(project: Path):
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### The year file: `year.yaml`") :]
    start = section.index("```yaml\n") + len("```yaml\n")
    block = section[start : section.index("\n```", start)]
    (project / "year.yaml").write_text(block + "\n")
    assert letters("check", "--root", str(project)).output == "5 councils OK\n"


def test_a_terminal_sees_a_bar_of_councils_done_and_failed(project: Path):
    """On a terminal the build draws click's bar (a log gets plain lines, as above)."""
    import os
    import pty
    import subprocess
    import sys

    (project / "councils" / "leicester.yaml").write_text("name: [\n", encoding="utf-8")
    leader, follower = pty.openpty()
    process = subprocess.run(
        [sys.executable, "-m", "letters", "build", "--html-only", "--root", str(project)],
        stdout=follower,
        stderr=subprocess.PIPE,
        check=False,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: everything written has been read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.returncode == 1
    screen = shown.decode()
    assert "Building letters" in screen
    assert "5/5" in screen and "1 failed" in screen
    assert "4 built, 0 unchanged, 1 skipped (data errors), 0 failed in " in screen
