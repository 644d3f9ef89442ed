from pathlib import Path

import pytest

from helpers import copy_project, letters


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
