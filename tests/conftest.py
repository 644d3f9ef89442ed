from pathlib import Path

import pytest

from helpers import copy_built, copy_project, letters, many_councils


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the project's councils, year file, templates and assets."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five councils built once, through the real command line, for the read-back tests."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    result = letters("build", "--root", str(root), "--archival")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="session")
def built_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five councils built once with a plain `letters build` (HTML and PDF), to be copied."""
    root = copy_project(tmp_path_factory.mktemp("built-plain") / "project")
    result = letters("build", "--root", str(root), "--jobs", "2")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def built_project(built_plain: Path, tmp_path: Path) -> Path:
    """A project of its own, already built as `letters build` leaves it (a copy of one build):
    a test that changes or builds it again changes nothing of another test's."""
    return copy_built(built_plain, tmp_path / "project")


@pytest.fixture(scope="session")
def ten_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten councils (each of the five twice) built once, for tests that stop a build part-way."""
    root = copy_project(tmp_path_factory.mktemp("ten") / "project")
    many_councils(root, copies=1)
    assert letters("build", "--root", str(root), "--jobs", "2").exit_code == 0
    return root
