"""The shape of what templates are given, from fields.yaml and the tool's own values: which names
and attribute paths exist and what kind each is, whatever a council's data holds. The static
check of templates (letters.letter.template_check) holds every branch against it."""

import datetime
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from letters.data.fields import Declaration, FieldDeclaration, SectionDeclaration
from letters.data.names import CONTEXT_NAMES, EMAIL_NAMES, GLOBAL_NAMES
from letters.data.validate import Links, Recipient, Signatory


@dataclass(frozen=True)
class Shape:
    """One value as templates see it: its kind in the README's words, the names it has (an
    object's), the shape of its items (a list's), and whether it can be nothing."""

    kind: str
    fields: dict[str, "Shape"] = field(default_factory=dict)
    item: "Shape | None" = None
    nothing: bool = False

    def optional(self) -> "Shape":
        return Shape(self.kind, self.fields, self.item, True)


ANY = Shape("anything")
TEXT = Shape("text")
MARKUP = Shape("text with markup")
WHOLE = Shape("whole number")
NUMBER = Shape("number")
YES_NO = Shape("true or false")
DATE = Shape("date")
FUNCTION = Shape("function")
PARAGRAPHS = Shape("paragraphs", item=MARKUP)


def list_of(item: Shape) -> Shape:
    return Shape("list", item=item)


def obj(**fields: Shape) -> Shape:
    return Shape("object", fields)


FIELD_KINDS = {
    "count": WHOLE,
    "percent": NUMBER,
    "yes-no": YES_NO,
    "date": DATE,
    "text": TEXT,
    "paragraphs": PARAGRAPHS,
    "list": list_of(TEXT),
}
FIGURE = obj(percent=NUMBER.optional(), average=NUMBER.optional(), count=WHOLE, base=WHOLE)
RATE = obj(percent=NUMBER.optional(), average=NUMBER.optional())  # a percent with average: true


def section_shape(section: SectionDeclaration, optional: bool) -> Shape:
    """A declared section as the letter's context holds it (letter.context.shown)."""
    if section.kind == "list":
        shape = list_of(TEXT)
    elif section.kind == "paragraphs":
        shape = PARAGRAPHS
    elif section.kind == "table":
        cells = {name: field_shape(column) for name, column in section.columns.items()}
        shares = {name: FIGURE for name, column in section.columns.items() if column.share}
        shape = list_of(Shape("object", {**cells, "shares": Shape("object", shares)}))
    else:
        fields = {name: field_shape(declared) for name, declared in section.fields.items()}
        fields |= {name: FIGURE for name in section.percentages}
        shape = Shape("object", fields)
    return shape.optional() if optional or section.optional else shape


def field_shape(declared: FieldDeclaration) -> Shape:
    if declared.average:
        return RATE  # always there, its percent nothing where the council has none
    shape = FIELD_KINDS[declared.kind]
    return shape.optional() if declared.optional else shape


def sections_shape(declaration: Declaration, past: bool) -> dict[str, Shape]:
    """Every section declared now; in an earlier year each may be nothing (kept years carry
    this year's shape: a section new this year is nothing there)."""
    return {name: section_shape(s, past) for name, s in declaration.sections.items()}


def model_shape(model: type[BaseModel]) -> Shape:
    """A model of the tool's (a recipient, the signatory) as templates see its fields."""
    return obj(**{name: annotation_shape(f.annotation) for name, f in model.model_fields.items()})


def annotation_shape(annotation: Any) -> Shape:
    if typing.get_origin(annotation) is typing.Annotated:
        return annotation_shape(typing.get_args(annotation)[0])
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = annotation_shape(arguments[0]) if len(arguments) == 1 else ANY
        return inner.optional()
    if typing.get_origin(annotation) is list:
        return list_of(annotation_shape(arguments[0]) if arguments else ANY)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_shape(annotation)
    kinds = {str: TEXT, int: WHOLE, float: NUMBER, bool: YES_NO, datetime.date: DATE}
    return next(
        (s for t, s in kinds.items() if isinstance(annotation, type) and issubclass(annotation, t)),
        ANY,
    )


def letter_wording_shape() -> Shape:
    """What `letter` holds (letter.context.year_wording)."""
    return obj(
        year=WHOLE,
        date=TEXT,
        date_iso=TEXT,
        period_start=TEXT,
        period_end=TEXT,
        period_end_short=TEXT,
        publication_date=TEXT,
        letterhead=TEXT,
        seminars=obj(cities=TEXT, delegates=TEXT, authorities=TEXT).optional(),
        training=obj(courses=TEXT, people=TEXT, more_courses=TEXT).optional(),
    )


def context_shape(declaration: Declaration, email: bool = False) -> dict[str, Shape]:
    """Every name a template may use, with its shape: the tool's values, each declared
    section, earlier years, and the environment's functions."""
    sections = sections_shape(declaration, past=False)
    recipient = model_shape(Recipient)
    past_sections = sections_shape(declaration, past=True)
    past = obj(
        year=WHOLE,
        council=obj(name=TEXT, authority_type=TEXT, **past_sections),
        councils=list_of(TEXT),  # the council's name that year, or its predecessors' names
        **past_sections,
    )
    given = {
        "draft": YES_NO,
        "standalone": YES_NO,
        "tight": YES_NO,
        "letter": letter_wording_shape(),
        "council": obj(name=TEXT, authority_type=TEXT, recipient=recipient, **sections),
        "recipient": recipient,
        "addressee": TEXT,
        "signatory": model_shape(Signatory),
        "links": model_shape(Links),
        "previous": past.optional(),
        "history": list_of(past),
    }
    assert tuple(given) == CONTEXT_NAMES, "the context's names are letters.data.names'"
    functions = dict.fromkeys(GLOBAL_NAMES, FUNCTION) | {"content_security_policy": TEXT}
    extra = dict.fromkeys(EMAIL_NAMES, TEXT.optional()) if email else {}
    return {**functions, **given, **sections, **extra}
