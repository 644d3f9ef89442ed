"""A project's records read once, checked as its own, and each council's place in them."""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from letters.batch.outputs import write_atomically
from letters.data.project import Records
from letters.problems import fail, path_excerpt
from letters.send.records import ApprovalRecord, SendRecord, read_records
from letters.send.state import Sending, council_lines, sending_of


@dataclass(frozen=True)
class Ledgers:
    """Both records files, read once and checked."""

    approvals: list[ApprovalRecord]
    sendings: list[SendRecord]

    def approval(self, slug: str) -> ApprovalRecord | None:
        """The council's latest approval: each new one takes the place of those before."""
        return next((r for r in reversed(self.approvals) if r.slug == slug), None)

    def sending(self, slug: str, name: str | None) -> Sending:
        """The council's sending, from every line of its record (by file or council name)."""
        return sending_of(council_lines(self.sendings, slug, name))


def read_ledgers(
    records: Records, shown: Callable[[Path], str], root: Path, writing: bool = False
) -> Ledgers:
    """The approvals and the sent ledger of the project at `root` (claimed for it when the
    command is `writing` records), refusing records that are another project's, a ledger that
    is missing while approvals say letters were on their way, and a line that cannot be read."""
    claim_records(records, root, shown, writing)
    approvals = read_records(records.approvals, shown(records.approvals), ApprovalRecord)
    if approvals and not records.sent.exists():
        fail(
            shown(records.sent),
            f"is missing, but {shown(records.approvals)} has approvals, so letters may have been "
            f"sent: put it back from a backup (if nothing was ever sent, create it empty: "
            f"touch {shown(records.sent)})",
        )
    return Ledgers(approvals, read_records(records.sent, shown(records.sent), SendRecord))


def claim_records(
    records: Records, root: Path, shown: Callable[[Path], str], writing: bool = False
) -> None:
    """Records say whose they are (records/project: the project's folder), as build/ does.
    Records of another project (a records/ that is a link, or a copied project's) are refused
    before anything in them is read. A command about to record something claims records that
    say nothing yet, and so does reading records an older version kept without saying."""
    here = str(root.resolve())
    owner = owner_of(records)
    if owner is None:
        if writing or records.approvals.exists() or records.sent.exists():
            write_owner(records, here)
    elif owner != here:
        fail(
            shown(records.owner),
            f"says these records are another project's ({shown_path(owner)}), and each project "
            f"keeps its own approvals and sending: give this project a records/ folder of its "
            f"own (is records/ a link, or this project a copy?); if this project was moved here "
            f"from there, put its new place in {shown(records.owner)}: {shown_path(here)}",
        )


def owner_of(records: Records) -> str | None:
    """The project the records say they belong to; None when they say nothing yet (no file,
    or an empty one left by a kill while it was being written)."""
    try:
        owner = records.owner.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, OSError):
        return "a project it cannot name"
    return owner or None


def write_owner(records: Records, here: str) -> None:
    """Write whose the records are, in one piece (lost or empty after a power cut, they are
    claimed again), before anything is recorded in them."""
    with contextlib.suppress(OSError):  # a read-only folder: the next record says what is wrong
        write_atomically(records.owner, f"{here}\n".encode())


def shown_path(path: str) -> str:
    """A path from a file, on one line and cut short as a message shows it."""
    return path_excerpt(" ".join(path.split()))
