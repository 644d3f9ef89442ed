"""The tool's own pages (the year's overview, the preview): one strict Jinja environment."""

import functools
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


@functools.cache
def pages() -> "jinja2.Environment":
    """Made on first use (with Jinja's import): a build that leaves its overview as it was
    renders no page."""
    import jinja2

    from letters.letter.sandbox import ImmutableSandbox

    # The tool's own templates, but they show staff's data: rendered in the sandbox too.
    return ImmutableSandbox(
        loader=jinja2.PackageLoader("letters", "pages"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def source_of(name: str) -> str:
    """A page's template as written: what it looks like, for knowing when a page must change."""
    return (files("letters") / "pages" / f"{name}.html.j2").read_text(encoding="utf-8")


def page(name: str, **values: object) -> str:
    """One of the tool's pages, from `src/letters/pages/<name>.html.j2`."""
    return pages().get_template(f"{name}.html.j2").render(**values)
