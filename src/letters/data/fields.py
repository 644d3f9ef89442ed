"""fields.yaml: what each council file holds besides the tool's own name, authority_type and
recipient, declared by staff and checked like the rest of the project's content. From it come
the models council files and the year's averages are validated with."""

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic.functional_validators import AfterValidator

from letters.data.load import Document
from letters.data.names import FIELD_NAMES_TAKEN, SECTION_NAMES_TAKEN, why_taken
from letters.data.validate import (
    IDENTIFIER,
    IMPORTED,
    AuthorityType,
    Council,
    Count,
    Date,
    Model,
    Paragraphs,
    Percent,
    Recipient,
    Text,
    YearFacts,
    by_line,
    plain_message,
    validate,
    year_contradictions,
)
from letters.problems import LettersError, Problem

FieldKind = Literal["count", "percent", "yes-no", "date", "text", "paragraphs", "list"]
SectionKind = Literal["list", "paragraphs", "table"]
ONE_CELL = ("count", "percent", "yes-no", "date", "text")  # the kinds a table's column may be
Identifier = Annotated[str, Field(strict=True, pattern=IDENTIFIER)]
Number = StrictInt | StrictFloat


class FieldDeclaration(Model):
    kind: FieldKind
    optional: StrictBool = False
    default: Any = None
    help: Text | None = None
    at_most: Identifier | None = None  # another count of the section, which this is part of
    sum_of: Annotated[list[Identifier], Field(min_length=2)] | None = None  # counts it adds up
    minimum: Number | None = None
    maximum: Number | None = None
    column: Text | Annotated[list[Text], Field(min_length=1)] | None = None  # import's headers
    # A percent given as a rate may be set beside its type's average, as a worked-out one is:
    average: StrictBool = False  # year.yaml gives the average for each type of authority
    better: Literal["higher", "lower"] | None = None  # which way the overview marks it
    title: Text | None = None  # how the overview heads it
    share: StrictBool = False  # a table's count column: each row's share of the column's total

    @property
    def columns(self) -> list[str]:
        return [self.column] if isinstance(self.column, str) else list(self.column or [])


class PercentageDeclaration(Model):
    """A percentage worked out from two counts, never typed."""

    of: Identifier
    over: Identifier
    base: Identifier | None = None  # the count the letter says it is based on; `over` without
    title: Text | None = None  # how the overview heads it
    help: Text | None = None
    average: StrictBool = False  # year.yaml gives the average for each type of authority
    better: Literal["higher", "lower"] | None = None  # which way the overview marks it


class SectionDeclaration(Model):
    title: Text
    optional: StrictBool = False
    help: Text | None = None
    kind: SectionKind | None = None  # a section that is itself a list, paragraphs or a table
    columns: dict[Identifier, FieldDeclaration] = Field(default_factory=dict)  # a table's
    fields: dict[Identifier, FieldDeclaration] = Field(default_factory=dict)
    percentages: dict[Identifier, PercentageDeclaration] = Field(default_factory=dict)
    at_least_one: Annotated[list[Identifier], Field(min_length=2)] | None = None


@dataclass(frozen=True)
class Averaged:
    """A percentage set beside the average for similar authorities: worked out from two counts
    (fields.yaml's percentages) or given as a rate (a percent field with average: true)."""

    section: str
    name: str
    title: str | None
    better: str | None
    given: bool  # a typed rate, not worked out


class Declarations(Model):
    sections: dict[Identifier, SectionDeclaration]


Headers = Text | Annotated[list[Text], Field(min_length=1)]


class OwnColumns(Model):
    """fields.yaml's `import:`: the spreadsheet's headers for the tool's own columns, where the
    case system names them otherwise ("Organisation" for the council)."""

    council: Headers = "council"
    authority_type: Headers = "authority_type"

    def headers(self) -> dict[str, list[str]]:
        """Each own column's headers, the first a sheet has being the one read."""
        return {
            name: [value] if isinstance(value, str) else list(value)
            for name, value in self.model_dump().items()
        }


IMPORT = "import"  # fields.yaml's one key that is not a section (import is Jinja's word too)


@dataclass(frozen=True)
class Declaration:
    """fields.yaml, checked: each section of a council file, and the models built from it."""

    path: str
    sections: dict[str, SectionDeclaration]
    year: type[YearFacts]  # its averages as the percentages declare them
    own_columns: OwnColumns = dataclasses.field(default_factory=OwnColumns)

    # The councils' models are built when a council is first read (a no-op build reads none).
    @functools.cached_property
    def models(self) -> dict[str, type[Model]]:
        """The model of each section that has fields."""
        return {
            name: section_model(name, section) if not section.kind else row_model(name, section)
            for name, section in self.sections.items()
            if not section.kind or section.kind == "table"
        }

    @functools.cached_property
    def council(self) -> type[Council]:
        return council_model(self.sections, self.models)

    @functools.cached_property
    def past_council(self) -> type[Council]:
        """In history/: imported from a spreadsheet, with no recipient."""
        return create_model(
            "PastCouncil", __base__=self.council, recipient=(Recipient | None, None)
        )

    @property
    def optional_sections(self) -> list[str]:
        """In the order fields.yaml gives them, which is the order the letter has them."""
        return [name for name, section in self.sections.items() if section.optional]

    def title(self, section: str) -> str:
        return self.sections[section].title

    def percentages(self) -> list[tuple[str, PercentageDeclaration]]:
        return [
            (name, percentage)
            for section in self.sections.values()
            for name, percentage in section.percentages.items()
        ]

    def averaged(self) -> list[Averaged]:
        """The percentages the letters set beside the average for similar authorities."""
        return averaged_in(self.sections)

    def sums(self, section: str) -> list[tuple[str, list[str]]]:
        """(whole, its parts) for each count declared the sum of others."""
        return [
            (name, list(field.sum_of))
            for name, field in self.sections[section].fields.items()
            if field.sum_of
        ]

    def parts(self, section: str) -> list[tuple[str, str]]:
        """(part, whole) for each count declared at_most another."""
        return [
            (name, field.at_most)
            for name, field in self.sections[section].fields.items()
            if field.at_most
        ]


def read_declaration(document: Document) -> Declaration:
    """fields.yaml as a Declaration; or every problem in it, with its line and what to write."""
    if not isinstance(document.data, dict):
        validate(SectionDeclaration, document)  # says what it must hold instead
    own_columns = OwnColumns()
    if IMPORT in document.data:
        try:
            own_columns = validate(OwnColumns, part_of(document, IMPORT))
        except LettersError as error:
            raise LettersError(
                [
                    Problem(p.path, p.message, p.line, f"{IMPORT}.{p.field}" if p.field else IMPORT)
                    for p in error.problems
                ]
            ) from None
    try:
        data = {"sections": {k: v for k, v in document.data.items() if k != IMPORT}}
        sections = validate(Declarations, Document(document.path, data, *shifted(document)))
    except LettersError as error:
        raise LettersError([unwrapped(problem) for problem in error.problems]) from None
    problems = [
        *named_like_the_tool(document, sections.sections),
        *(
            problem
            for name, section in sections.sections.items()
            for problem in section_problems(document, name, section)
        ),
        *averages_named_twice(document, sections.sections),
    ]
    if problems:
        raise LettersError(problems)
    return Declaration(
        document.path,
        sections.sections,
        year_model(averages_model(sections.sections)),
        own_columns,
    )


def part_of(document: Document, key: str) -> Document:
    """One top-level key's value as a document of its own, its lines kept."""

    def under(lines: dict[Any, int]) -> dict[Any, int]:
        return {location[1:]: line for location, line in lines.items() if location[:1] == (key,)}

    return Document(
        document.path, document.data[key], under(document.lines), under(document.key_lines)
    )


def shifted(document: Document) -> tuple[dict[Any, int], dict[Any, int]]:
    """The document's lines, under the `sections` the model wraps its top level in."""
    return (
        {("sections", *location): line for location, line in document.lines.items()},
        {("sections", *location): line for location, line in document.key_lines.items()},
    )


def unwrapped(problem: Problem) -> Problem:
    field = (problem.field or "").removeprefix("sections").removeprefix(".") or None
    return Problem(problem.path, problem.message, problem.line, field)


def named_like_the_tool(
    document: Document, sections: dict[str, SectionDeclaration]
) -> list[Problem]:
    """A section, field or percentage named as something the tool gives or needs itself
    (letters.data.names): refused at its line, before any model is made of it."""
    problems = [
        taken(document, (name,), name, "section")
        for name in sections
        if name in SECTION_NAMES_TAKEN
    ]
    for name, section in sections.items():
        for part in ("fields", "percentages", "columns"):
            for field in getattr(section, part):
                if field in FIELD_NAMES_TAKEN:
                    problems.append(taken(document, (name, part, field), field, part[:-1]))
    return problems


def taken(document: Document, path: tuple[str, ...], name: str, what: str) -> Problem:
    return Problem(
        document.path,
        f"'{name}' is a name the tool uses itself ({why_taken(name)}): call the {what} "
        f"something else",
        document.key_lines.get(path) or document.line_of(path),
        ".".join(path),
    )


def section_problems(document: Document, name: str, section: SectionDeclaration) -> list[Problem]:
    def problem(location: tuple[str | int, ...], message: str) -> Problem:
        return Problem(
            document.path,
            message,
            document.line_of((name, *location)),
            ".".join(str(part) for part in (name, *location)),
        )

    if section.kind == "table":
        return table_problems(problem, section)
    if section.columns:
        return [problem(("columns",), "only a table has columns: say kind: table, or remove them")]
    if section.kind and (section.fields or section.percentages or section.at_least_one):
        return [
            problem(
                ("kind",),
                f"a section that is itself a {section.kind} has no fields: remove kind, or "
                f"remove fields, percentages and at_least_one",
            )
        ]
    if not section.kind and not section.fields:
        return [
            problem(
                (),
                "declares no fields: list them under fields (name: {kind: count}), or give the "
                "section a kind (list or paragraphs)",
            )
        ]
    counts = [field for field, declared in section.fields.items() if declared.kind == "count"]
    always = [field for field in counts if not section.fields[field].optional]
    problems = [
        *(
            problem(location, message)
            for field, declared in section.fields.items()
            for location, message in field_problems(field, declared, counts)
        ),
        *(
            problem(("percentages", percentage, key), must_name_a_count(value, always, "always"))
            for percentage, declared in section.percentages.items()
            for key in ("of", "over", "base")
            if (value := getattr(declared, key)) is not None and value not in always
        ),
        *(
            problem(
                ("percentages", percentage),
                f"has the name of the field {percentage}, which it is not a percentage of: "
                f"call it something else",
            )
            for percentage, declared in section.percentages.items()
            if percentage in section.fields and declared.of != percentage
        ),
        *(
            problem(("at_least_one", index), must_name_a_field(field, list(section.fields)))
            for index, field in enumerate(section.at_least_one or [])
            if field not in section.fields
        ),
        *(
            problem(
                ("percentages", percentage, "of"),
                f"{declared.of} can be more than {declared.over}, so {percentage} could be "
                f"over 100%: say that {declared.of} is part of it, with at_most: "
                f"{declared.over} under {declared.of}",
            )
            for percentage, declared in section.percentages.items()
            if declared.of in section.fields
            and declared.over in section.fields
            and section.fields[declared.of].at_most != declared.over
        ),
    ]
    return problems


def table_problems(
    problem: Callable[[tuple[str | int, ...], str], Problem], section: SectionDeclaration
) -> list[Problem]:
    """A table declares its columns, each one cell of a row: no fields, nothing imported."""
    if section.fields or section.percentages or section.at_least_one:
        return [
            problem(
                ("kind",),
                "a table has columns, not fields: put its fields under columns, and remove "
                "percentages and at_least_one (a count column may say share: true)",
            )
        ]
    if not section.columns:
        return [problem((), "declares no columns: list them under columns (name: {kind: text})")]
    problems = []
    for name, column in section.columns.items():
        here: tuple[str | int, ...] = ("columns", name)
        if column.kind not in ONE_CELL:
            problems.append(
                problem(
                    (*here, "kind"),
                    f"a table's column holds one cell: one of {', '.join(ONE_CELL)}, not "
                    f"{column.kind}",
                )
            )
        for key in ("column", "at_most", "sum_of", "average"):
            if getattr(column, key) not in (None, False):
                problems.append(
                    problem((*here, key), f"{key} is not for a table's column: remove it")
                )
        if column.share and column.kind != "count":
            problems.append(problem((*here, "share"), "share is for a count column: remove it"))
    return problems


def field_problems(
    name: str, field: FieldDeclaration, counts: list[str]
) -> list[tuple[tuple[str | int, ...], str]]:
    here: tuple[str | int, ...] = ("fields", name)
    problems = []
    if field.at_most is not None and (field.kind != "count" or field.at_most not in counts):
        problems.append(
            (
                (*here, "at_most"),
                "at_most is for a count, part of another: remove it"
                if field.kind != "count"
                else must_name_a_count(field.at_most, [c for c in counts if c != name]),
            )
        )
    if field.share:
        problems.append(((*here, "share"), "share is for a table's count column: remove it"))
    for key in ("average", "better", "title"):
        if getattr(field, key) not in (None, False) and field.kind != "percent":
            problems.append(
                (
                    (*here, key),
                    f"{key} is for a percent given as a rate, set beside its average: remove it",
                )
            )
    if field.sum_of is not None and field.kind != "count":
        problems.append(((*here, "sum_of"), "sum_of is for a count, the sum of others: remove it"))
    elif field.sum_of is not None:
        problems += [
            ((*here, "sum_of", index), must_name_a_count(part, [c for c in counts if c != name]))
            for index, part in enumerate(field.sum_of)
            if part not in counts or part == name
        ]
    for limit in ("minimum", "maximum"):
        if getattr(field, limit) is not None and field.kind not in ("count", "percent"):
            problems.append(
                (
                    (*here, limit),
                    f"{limit} is for a count or a percent, not {field.kind}: remove it",
                )
            )
    if field.column is not None and field.kind in ("list", "paragraphs"):
        problems.append(
            (
                (*here, "column"),
                f"a {field.kind} is not imported from one cell: remove column, and write it in "
                f"the council files",
            )
        )
    if field.optional and field.default is not None:
        problems.append(
            (
                (*here, "default"),
                "an optional field has no default (left out, it is nothing): remove one of them",
            )
        )
    elif field.default is not None:
        default: type[Model] = create_model(
            "Default", __base__=Model, value=(field_annotation(field), ...)
        )
        try:
            default.model_validate({"value": field.default})
        except ValidationError as error:  # worded as a council file's value would be
            problems.append(
                (
                    (*here, "default"),
                    f"is not a {field.kind}: {plain_message(default, error.errors()[0])}",
                )
            )
    return problems


def must_name_a_count(value: str, counts: list[str], always: str = "") -> str:
    """`always`: a percentage needs counts that every council has (not optional)."""
    choices = ", ".join(counts) or "none declared"
    which = "a count of this section that is not optional" if always else "a count of this section"
    return f"names {value!r}, which is not {which}: use one of: {choices}"


def must_name_a_field(value: str, fields: list[str]) -> str:
    return f"names {value!r}, which is not a field of this section: use one of: {', '.join(fields)}"


def averaged_in(sections: dict[str, SectionDeclaration]) -> list[Averaged]:
    """Each percentage with an average, worked out or given, in fields.yaml's order."""
    return [
        averaged
        for name, section in sections.items()
        for averaged in [
            *(
                Averaged(name, field_name, field.title, field.better, True)
                for field_name, field in section.fields.items()
                if field.average
            ),
            *(
                Averaged(name, percentage_name, percentage.title, percentage.better, False)
                for percentage_name, percentage in section.percentages.items()
                if percentage.average
            ),
        ]
    ]


def averages_named_twice(
    document: Document, sections: dict[str, SectionDeclaration]
) -> list[Problem]:
    """year.yaml gives each type's averages by the percentage's name: one name, one average."""
    seen: dict[str, str] = {}
    problems = []
    for averaged in averaged_in(sections):
        part = "fields" if averaged.given else "percentages"
        where = f"{averaged.section}.{part}.{averaged.name}"
        if averaged.name in seen:
            problems.append(
                Problem(
                    document.path,
                    f"{seen[averaged.name]} also has an average: year.yaml gives averages by "
                    f"name, so call one of them something else",
                    document.line_of((averaged.section, part, averaged.name)),
                    where,
                )
            )
        seen[averaged.name] = where
    return problems


def one_decimal(value: int | float) -> int | float:
    if isinstance(value, float) and round(value, 1) != value:
        raise ValueError(f"must have at most one decimal place, not {value}")
    return value


def field_annotation(field: FieldDeclaration) -> Any:
    """The type a council's value of this kind is validated as."""
    limits = Field(ge=field.minimum, le=field.maximum)
    annotation: Any = {
        "count": Annotated[Count, limits],
        "percent": Annotated[Percent, AfterValidator(one_decimal), limits],
        "yes-no": StrictBool,
        "date": Date,
        "text": Text,
        "paragraphs": Paragraphs,
        "list": list[Text],
    }[field.kind]
    return annotation | None if field.optional else annotation


def section_model(name: str, section: SectionDeclaration) -> type[Model]:
    fields: dict[str, Any] = {
        field: (
            field_annotation(declared),
            None
            if declared.optional
            else declared.default
            if declared.default is not None
            else ...,
        )
        for field, declared in section.fields.items()
    }
    validators: dict[str, Any] = {}
    if section.at_least_one:
        validators["says_something"] = model_validator(mode="after")(
            says_something(name, section, section.at_least_one)
        )
    return create_model(f"Section_{name}", __base__=Model, __validators__=validators, **fields)


def says_something(name: str, section: SectionDeclaration, fields: list[str]) -> Any:
    """A section that is there says something: at least one of `fields` is set."""
    all_yes_no = all(section.fields[field].kind == "yes-no" for field in fields)
    if len(fields) == 2:
        which = f"neither {fields[0]} nor {fields[1]}"
        how = "set one or both to true" if all_yes_no else "fill in one or both"
    else:
        which = f"none of {', '.join(fields[:-1])} or {fields[-1]}"
        how = "set at least one to true" if all_yes_no else "fill in at least one"
    message = f"says {which}: {how}" + (f", or remove {name}" if section.optional else "")

    def check(value: Model) -> Model:
        if not any(getattr(value, field) for field in fields):
            raise ValueError(message)
        return value

    return check


def row_model(name: str, section: SectionDeclaration) -> type[Model]:
    """A table's row: one field per declared column."""
    return section_model(name, SectionDeclaration(title=section.title, fields=section.columns))


def section_annotation(section: SectionDeclaration, model: type[Model] | None) -> Any:
    annotation: Any = (
        list[Text]
        if section.kind == "list"
        else Annotated[list[model], Field(min_length=1)]  # type: ignore[valid-type]
        if section.kind == "table"
        else Paragraphs
        if section.kind
        else model
    )
    return annotation | None if section.optional else annotation


def council_model(
    sections: dict[str, SectionDeclaration], models: dict[str, type[Model]]
) -> type[Council]:
    """A council file's model: the tool's own fields, and each declared section."""
    fields: dict[str, Any] = {
        name: (
            section_annotation(section, models.get(name)),
            Field(
                None if section.optional else ...,
                description=IMPORTED if is_imported(section) else None,
            ),
        )
        for name, section in sections.items()
    }
    return create_model("DeclaredCouncil", __base__=Council, **fields)


def is_imported(section: SectionDeclaration) -> bool:
    """Whether letters import fills the section (one of its fields names a column)."""
    return any(field.column for field in section.fields.values())


def averages_model(sections: dict[str, SectionDeclaration]) -> type[Model]:
    """One type of authority's averages, as year.yaml gives them: one per averaged percentage."""
    fields: dict[str, Any] = {averaged.name: (Percent, ...) for averaged in averaged_in(sections)}
    return create_model("Averages", __base__=Model, **fields)


def year_model(averages: type[Model]) -> type[YearFacts]:
    """year.yaml's model, its averages those fields.yaml declares."""
    return create_model(
        "DeclaredYear",
        __base__=YearFacts,
        averages=(dict[AuthorityType, averages], ...),  # type: ignore[valid-type]
    )


def validate_year(document: Document, declaration: Declaration) -> YearFacts:
    year = validate(declaration.year, document)
    problems = [
        Problem(document.path, message, document.line_of(location), ".".join(location))
        for location, message in year_contradictions(year)
    ]
    if problems:
        raise LettersError(problems)
    return year


def validate_council(
    document: Document,
    declaration: Declaration,
    year: YearFacts | None = None,
    past: bool = False,
) -> Council:
    """A council file as its declared model, or every problem in it. With the year file
    (`year`), also checks that the year has averages for the council's type. A `past` year's
    file (history/) may have no recipient."""
    try:
        council = validate(declaration.past_council if past else declaration.council, document)
    except LettersError as error:
        raise LettersError(
            by_line(error.problems + contradictions_in_raw(document, declaration))
        ) from None
    problems = contradictions(document, declaration, council.model_dump())
    if year and council.authority_type not in year.averages:
        problems.append(
            Problem(
                document.path,
                f"the year file has no averages for "
                f"{council.authority_type}: add them under averages there",
                document.line_of(("authority_type",)),
                "authority_type",
            )
        )
    if problems:
        raise LettersError(problems)
    return council


def contradictions(
    document: Document, declaration: Declaration, values: dict[str, Any]
) -> list[Problem]:
    """Counts that are more than the count they are declared part of (at_most), and counts
    that are not the sum of the counts they are declared the sum of (sum_of)."""
    return [
        *(
            Problem(
                document.path,
                f"{counts[part]} is more than {section}.{whole} ({counts[whole]})",
                document.line_of((section, part)),
                f"{section}.{part}",
            )
            for section in declaration.sections
            if isinstance(counts := values.get(section), dict)
            for part, whole in parts_over_wholes(declaration.parts(section), counts)
        ),
        *(
            Problem(
                document.path,
                not_the_sum(counts, whole, parts, f"{section}.{{}}".format),
                document.line_of((section, whole)),
                f"{section}.{whole}",
            )
            for section in declaration.sections
            if isinstance(counts := values.get(section), dict)
            for whole, parts in sums_not_adding_up(declaration.sums(section), counts)
        ),
    ]


def sums_not_adding_up(
    sums: list[tuple[str, list[str]]], counts: dict[str, Any]
) -> list[tuple[str, list[str]]]:
    """(whole, parts) for each count that is not the sum of its parts; one whose counts are not
    all known (None) contradicts nothing."""
    return [
        (whole, parts)
        for whole, parts in sums
        if all(isinstance(counts.get(name), int) for name in [whole, *parts])
        and counts[whole] != sum(counts[part] for part in parts)
    ]


def not_the_sum(
    counts: dict[str, Any], whole: str, parts: list[str], named: Callable[[str], str]
) -> str:
    """'30 is not the sum of statistics.a + statistics.b (10 + 12 = 22): correct one of them'."""
    figures = " + ".join(str(counts[part]) for part in parts)
    total = sum(counts[part] for part in parts)
    return (
        f"{counts[whole]} is not the sum of {' + '.join(named(part) for part in parts)} "
        f"({figures} = {total}): correct one of them"
    )


def parts_over_wholes(
    parts: list[tuple[str, str]], counts: dict[str, Any]
) -> list[tuple[str, str]]:
    """(part, whole) for each count that is more than the count it is part of; a count that is
    not known (None) contradicts nothing."""
    return [
        (part, whole)
        for part, whole in parts
        if isinstance(part_count := counts.get(part), int)
        and isinstance(whole_count := counts.get(whole), int)
        and part_count > whole_count
    ]


def contradictions_in_raw(document: Document, declaration: Declaration) -> list[Problem]:
    """Counts that contradict each other in a section that is valid, in a file that has other
    problems too."""
    data = document.data if isinstance(document.data, dict) else {}
    valid = {}
    for name in declaration.sections:
        if name not in declaration.models or not isinstance(data.get(name), dict):
            continue
        try:
            valid[name] = declaration.models[name].model_validate(data[name]).model_dump()
        except ValidationError:
            continue
    return contradictions(document, declaration, valid)
