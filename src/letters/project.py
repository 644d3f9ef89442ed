"""Where a year's data, wording and outputs live inside a project folder."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """The folders and files of one project: `letters --root DIR` points at another one."""

    root: Path

    @property
    def councils_dir(self) -> Path:
        return self.root / "councils"

    @property
    def year_file(self) -> Path:
        return self.root / "year.yaml"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def council_files(self) -> list[Path]:
        """Every council file, in slug order."""
        return sorted(self.councils_dir.glob("*.yaml"))

    def council_file(self, slug: str) -> Path:
        return self.councils_dir / f"{slug}.yaml"

    def shown(self, path: Path) -> str:
        """A path as staff should read it in a message: relative to the project folder."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)
