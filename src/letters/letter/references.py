"""An HTML letter loads nothing, and links only where it should.

Checked on every letter as rendered, whatever the templates say: anything the letter would load
(an image, a stylesheet, a frame, a font, a script) must be data it carries itself, and its
links must be the addresses declared in year.yaml. The letter also carries a
Content-Security-Policy that tells the browser to load nothing from anywhere.
"""

import functools
import re

import lxml.etree

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; font-src data:; "
    "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
# Attributes that make a browser load or send to an address.
LOADING = frozenset(
    {
        "src",
        "srcset",
        "imagesrcset",
        "poster",
        "data",
        "action",
        "formaction",
        "background",
        "cite",
        "longdesc",
        "ping",
        "manifest",
        "codebase",
        "archive",
        "lowsrc",
        "dynsrc",
        "icon",
        "profile",
        "usemap",
        "xlink:href",
        "href",
    }
)
NEVER = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "base",
        "portal",
        "fencedframe",
    }
)
LINKS = frozenset({"a", "area"})
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\\(.)", re.DOTALL)
CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
CSS_LOADS = re.compile(
    r"(url|image-set|src|image)\(\s*(['\"]?)([^'\")]*)|@import\s*(['\"]?)"
    r"([^'\";\s]*)",
    re.IGNORECASE,
)


def loaded_addresses(html: str, links: set[str]) -> tuple[list[str], bool]:
    """Every address `html` would load, or link to outside `links` (none for a safe letter),
    and whether it carries our Content-Security-Policy. Read with libxml2's HTML parser
    (lxml), which reads a letter four times as fast as Python's own."""
    found: list[str] = []
    has_policy = False
    document = parsed_html(html)
    if document is None:
        return found, has_policy
    for element in document.iter():
        tag = element.tag
        if not isinstance(tag, str):  # a comment or a processing instruction: never loaded
            continue
        tag = tag.lower()
        if tag in NEVER:
            found.append(f"<{tag}>")
        if tag == "style":
            found += css_loads(element.text or "")
        if not element.attrib:
            continue
        values = {str(name).lower(): str(value) for name, value in element.attrib.items()}
        if tag == "meta":
            equiv = values.get("http-equiv", "").lower()
            if equiv == "content-security-policy":
                has_policy = values.get("content") == CONTENT_SECURITY_POLICY
            elif equiv:
                found.append(f'<meta http-equiv="{equiv}">')
        for name, value in values.items():
            if name == "style":
                found += css_loads(value)
            elif name in LOADING and not allowed(tag, name, value.strip(), links):
                found.append(value.strip() or f"an empty {name}")
    return found, has_policy


# Plain elements: lxml.html's own element classes cost a Python call for every element read.
HTML_PARSER = lxml.etree.HTMLParser()


@functools.lru_cache(maxsize=2)  # the reference check and printed.py read the same letter
def parsed_html(html: str) -> lxml.etree._Element | None:
    """The letter as libxml2's HTML parser reads it; None if there is nothing in it at all."""
    try:
        return lxml.etree.fromstring(html, HTML_PARSER)
    except lxml.etree.XMLSyntaxError:  # an empty document
        return None


def allowed(tag: str, name: str, value: str, links: set[str]) -> bool:
    if tag in LINKS and name == "href":
        return value in links or value.startswith("#")
    if name in ("href", "xlink:href") and value.startswith("#"):
        return True  # a part of the letter itself, as SVG's <use> names one
    return is_data(value) and name not in ("srcset", "imagesrcset", "ping", "action")


@functools.lru_cache(maxsize=16)  # every letter carries the same stylesheet
def css_loads(css: str) -> tuple[str, ...]:
    """What a piece of CSS would load that is not its own data (escapes and comments seen
    through: u\\72 l( is url()."""
    css = CSS_ESCAPE.sub(
        lambda match: chr(int(match[1], 16)) if match[1] else match[2], CSS_COMMENT.sub("", css)
    )
    found = []
    for match in CSS_LOADS.finditer(css):
        function, address = match[1], (match[3] if match[1] else match[5]).strip()
        if function is None or function.lower() != "url" or not is_data(address):
            found.append(address or (f"{function}()" if function else "@import"))
    return tuple(found)


def is_data(address: str) -> bool:
    return address[:5].lower() == "data:"
