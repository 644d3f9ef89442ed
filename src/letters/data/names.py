"""Every name templates see from the tool, and every name the data models need for themselves:
one list, which the letter's context, the static check of templates and fields.yaml all follow.
A section or field declared with one of these names would be hidden by the tool's own value, or
break the models, so fields.yaml refuses it at its line."""

from pydantic import BaseModel

# What every letter's templates receive besides the declared sections (letter_context).
CONTEXT_NAMES = (
    "draft",
    "standalone",
    "tight",
    "letter",
    "council",
    "recipient",
    "addressee",
    "signatory",
    "links",
    "previous",
    "history",
)
EMAIL_NAMES = ("resend_of",)  # the email's, besides the letter's
# What the templates' environment gives: the tool's functions and Jinja's own.
GLOBAL_NAMES = (
    "range",
    "embed",
    "stylesheet",
    "content_security_policy",
    "cycler",
    "joiner",
    "namespace",
    "lipsum",
    "dict",
)
# Jinja's own words inside a template.
TEMPLATE_WORDS = (
    "loop",
    "self",
    "super",
    "caller",
    "varargs",
    "kwargs",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
)
COUNCIL_FIELDS = ("name", "authority_type", "recipient", "predecessors")  # a council file's own
PAST_NAMES = ("year", "council", "councils")  # what an earlier year gives besides its sections
# The data models' own attributes (pydantic's): a field named so would shadow one.
MODEL_NAMES = tuple(sorted(name for name in dir(BaseModel) if not name.startswith("_")))

SECTION_NAMES_TAKEN = frozenset(
    CONTEXT_NAMES
    + EMAIL_NAMES
    + GLOBAL_NAMES
    + TEMPLATE_WORDS
    + COUNCIL_FIELDS
    + PAST_NAMES
    + MODEL_NAMES
)
FIELD_NAMES_TAKEN = frozenset(MODEL_NAMES)


def why_taken(name: str) -> str:
    """What uses a name already, in the README's words."""
    if name in MODEL_NAMES:
        return "the tool's data models use it for themselves"
    if name in TEMPLATE_WORDS:
        return "it is a word of the templates' own"
    if name in GLOBAL_NAMES:
        return "the templates have a function of that name"
    if name in PAST_NAMES:
        return "earlier years (previous, history) give a value of that name"
    return "the templates already receive a value of that name"
