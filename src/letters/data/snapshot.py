"""How a project's files are read. A build reads them once, into a snapshot, so that a file
edited while it runs reaches none of its letters and the next build sees the edit."""

import errno
import os
from pathlib import Path


class Files:
    """A project's files as they are on disk at each read (check, the preview's watch, sending)."""

    def read_bytes(self, path: Path) -> bytes:
        return path.read_bytes()

    def is_file(self, path: Path) -> bool:
        return path.is_file()


class Snapshot(Files):
    """Every file all letters are made from, read when the build starts, and each council file
    as first read: the fingerprints and every letter of one build come from the same bytes."""

    def __init__(self, shared: list[Path], places: list[Path]):
        self.files: dict[str, bytes | OSError] = {}  # by real path
        for path in shared:
            if path.is_file():
                self.files[os.path.realpath(path)] = read_or_error(path)
        # A file in these places that was not there when the build started is not read later.
        self.places = tuple(os.path.realpath(place) for place in places)

    def read_bytes(self, path: Path) -> bytes:
        key = os.path.realpath(path)
        if key not in self.files:
            if self.taken_in(key):
                raise FileNotFoundError(errno.ENOENT, "not there when the build started", str(path))
            self.files[key] = read_or_error(path)
        content = self.files[key]
        if isinstance(content, OSError):
            raise content
        return content

    def is_file(self, path: Path) -> bool:
        key = os.path.realpath(path)
        if key in self.files:
            return isinstance(self.files[key], bytes)
        return not self.taken_in(key) and path.is_file()

    def taken_in(self, key: str) -> bool:
        return key in self.places or key.startswith(tuple(place + os.sep for place in self.places))


def read_or_error(path: Path) -> bytes | OSError:
    try:
        return path.read_bytes()
    except OSError as error:  # raised again where the file is read, with that reader's message
        return error
