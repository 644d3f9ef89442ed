"""The tool's own pages (the year's overview, the preview): one strict Jinja environment."""

import jinja2

PAGES = jinja2.Environment(
    loader=jinja2.PackageLoader("letters", "pages"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(name: str, **values: object) -> str:
    """One of the tool's pages, from `src/letters/pages/<name>.html.j2`."""
    return PAGES.get_template(f"{name}.html.j2").render(**values)
