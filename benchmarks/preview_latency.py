"""Times the live preview: from saving a council file to the open page showing the change.

    .venv/bin/python benchmarks/preview_latency.py [--times 10]

Starts `letters preview canterbury` on a copy of the project, opens it in Debian's chromium
(Playwright), then saves the council file with a new count again and again, each time timing
until the letter in the page shows the new percentage. Prints each time and the median.
"""

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from browser import chromium_page  # noqa: E402
from helpers import address_in, copy_project, start_preview  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=10)
    times = parser.parse_args().times
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        copy_project(root)
        council = root / "councils" / "canterbury.yaml"
        server, first_line = start_preview(root)
        url = address_in(first_line)
        seconds = []
        try:
            with chromium_page() as page:
                page.goto(url)
                page.frame_locator("#letter").get_by_text("50% of complaints").wait_for()
                text = council.read_text()
                for upheld in range(1, times + 1):  # 10%, 20%, ... of 10 investigations
                    started = time.perf_counter()
                    council.write_text(text.replace("  upheld: 5 ", f"  upheld: {upheld} "))
                    page.frame_locator("#letter").get_by_text(
                        f"{upheld * 10}% of complaints we investigated were upheld."
                    ).wait_for(timeout=10_000)
                    seconds.append(time.perf_counter() - started)
                    time.sleep(0.2)
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=10)
    print("save to page, seconds:", " ".join(f"{second:.3f}" for second in seconds))
    print(
        f"median of {len(seconds)}: {statistics.median(seconds):.3f} s; "
        f"slowest {max(seconds):.3f} s (target: within 1 s)"
    )


if __name__ == "__main__":
    main()
