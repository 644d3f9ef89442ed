"""The floor: a year's HTML letters rendered to PDF by WeasyPrint alone, one process per core.

    .venv/bin/python benchmarks/floor.py HTML_DIR OUT_DIR

Nothing of ours: no validation, no fingerprints, no tags mended, no proofreading, no manifest;
the same kind of PDF (tagged, PDF/UA-1) from the same HTML files `letters build` wrote. The first
letter is rendered before the pool forks, so every worker starts warm, as ours do. A build can
only come near this by doing less than WeasyPrint does; benchmarks/run.py times it as a process,
start-up and imports included, like the clean build it is compared with.
"""

import multiprocessing
import os
import sys
from pathlib import Path

from weasyprint import HTML

OUT = Path()


def render(page: Path) -> None:
    HTML(filename=page).write_pdf(OUT / f"{page.stem}.pdf", pdf_variant="pdf/ua-1")


def main(html_dir: Path, out: Path) -> int:
    global OUT
    OUT = out
    out.mkdir(parents=True, exist_ok=True)
    pages = sorted(html_dir.glob("*.html"))
    render(pages[0])
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        pool.map(render, pages[1:], chunksize=1)
    return len(pages)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(f"{main(Path(sys.argv[1]), Path(sys.argv[2]))} letters rendered to {sys.argv[2]}")
