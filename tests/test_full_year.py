"""A whole year: the 343 councils of 2019-20 (illustrative figures) check and build cleanly."""

import re
import sys
from pathlib import Path

from pypdf import PdfReader

from helpers import REPO, last_line, letters

sys.path.insert(0, str(REPO / "benchmarks"))
from make_year import write_year


def test_the_343_councils_check_and_build_without_errors(tmp_path: Path):
    assert write_year(tmp_path) == 343
    check = letters("check", "--root", str(tmp_path))
    assert (check.exit_code, check.output) == (0, "343 councils OK\n")

    result = letters("build", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert re.match(r"343 built, 0 unchanged, 0 skipped \(data errors\), 0 failed"
                    r"(, \d+ with proofreading notes)? in ", last_line(result))
    notes = result.stderr.splitlines()
    assert all(re.search(r": proofreading: has 4 pages, not the standard 3: its optional "
                         r"paragraphs? .+ push it over$", note) for note in notes), notes
    pdfs = sorted((tmp_path / "build" / "pdf").glob("*.pdf"))
    assert len(pdfs) == 343
    assert "Hammersmith & Fulham" in PdfReader(
        tmp_path / "build" / "pdf" / "hammersmith-and-fulham.pdf").pages[0].extract_text()
