"""Properties that hold for all data: no traceback from any file, figures that obey their rules."""

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import REFERENCE, copy_project, letters
from letters.letter.figures import noun, percentage

FIELDS = [
    "name",
    "authority_type",
    "recipient",
    "title",
    "job_title",
    "statistics",
    "investigations",
    "upheld",
    "compliance_outcomes",
    "implemented",
    "satisfactory_remedies",
    "witness_summons",
    "threatened",
    "incomplete_response",
    "training_courses",
    "public_report",
]
VALID = yaml.safe_load((REFERENCE / "councils" / "canterbury.yaml").read_text())

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), st.dates()
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), children, max_size=5
        ),
    ),
    max_leaves=20,
)
yaml_text = st.text(
    alphabet=st.sampled_from(list("ab: -\n\t'\"[]{}&*!|>#%@`,?0123456789.\\é\x00")), max_size=200
)


EXAMPLES = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one council file, which each example overwrites."""
    project = copy_project(tmp_path_factory.mktemp("properties"))
    for path in (project / "councils").glob("*.yaml"):
        path.unlink()
    return project


def check_exits_cleanly(root: Path, content: bytes) -> None:
    (root / "councils" / "random.yaml").write_bytes(content)
    result = letters("check", "--root", str(root))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert all(
            line.startswith("councils/random.yaml") for line in result.stderr.splitlines()
        ), result.stderr


@EXAMPLES
@given(text=yaml_text)
def test_any_text_gets_a_clean_answer(root: Path, text: str):
    check_exits_cleanly(root, text.encode("utf-8"))


@EXAMPLES
@given(document=values)
def test_any_yaml_document_gets_a_clean_answer(root: Path, document):
    check_exits_cleanly(root, yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@EXAMPLES
@given(
    path=st.sampled_from(
        [
            ("name",),
            ("authority_type",),
            ("recipient",),
            ("recipient", "name"),
            ("statistics",),
            ("statistics", "upheld"),
            ("statistics", "investigations"),
            ("witness_summons",),
            ("witness_summons", "threatened"),
            ("training_courses",),
            ("training_courses", 0),
            ("public_report",),
        ]
    ),
    value=values,
)
def test_any_value_in_any_field_gets_a_clean_answer(root: Path, path: tuple, value):
    document = yaml.safe_load(yaml.safe_dump(VALID))
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    check_exits_cleanly(root, yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@given(whole=st.integers(min_value=0, max_value=10**6), data=st.data())
def test_percentages_lie_between_0_and_100_and_round_half_up(whole: int, data):
    part = data.draw(st.integers(min_value=0, max_value=whole))
    percent = percentage(part, whole)
    if whole == 0:
        assert percent is None
        return
    assert 0 <= percent <= 100
    exact = Decimal(100 * part) / Decimal(whole)
    assert (percent == 0) == (part == 0)
    assert (percent == 100) == (part == whole)
    if Decimal("0.5") <= exact < Decimal("99.5"):
        assert percent == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(count=st.integers(min_value=0, max_value=10**9))
def test_the_singular_is_only_for_one(count: int):
    assert (noun(count, "decision", "decisions") == "decision") == (count == 1)


KINDS = ["count", "percent", "yes-no", "date", "text", "paragraphs", "list"]
NAMES = ["alpha", "beta", "gamma", "late_share", "code2", "x"]
words = (
    st.text(alphabet=st.sampled_from(list("abc XYZé'&<>")), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
VALID_VALUES = {
    "count": st.integers(min_value=0, max_value=10**6),
    "percent": st.one_of(
        st.integers(min_value=0, max_value=100),
        st.integers(min_value=0, max_value=1000).map(lambda tenths: tenths / 10),
    ),
    "yes-no": st.booleans(),
    "date": st.dates(),
    "text": words,
    "paragraphs": words,
    "list": st.lists(words, max_size=3),
}
field_declarations = st.fixed_dictionaries(
    {"kind": st.sampled_from(KINDS)}, optional={"optional": st.booleans()}
)
section_declarations = st.fixed_dictionaries(
    {
        "title": words,
        "fields": st.dictionaries(
            st.sampled_from(NAMES), field_declarations, min_size=1, max_size=4
        ),
    },
    optional={"optional": st.booleans()},
)
declarations = st.dictionaries(
    st.sampled_from(["fact", "code", "enquiries", "extra_one"]),
    section_declarations,
    min_size=1,
    max_size=3,
)


@st.composite
def declared_and_written(draw):
    """A declaration of the supported kinds, and a council file whose values are each either
    right for its kind or anything at all."""
    declared = draw(declarations)
    council = {field: VALID[field] for field in ("name", "authority_type", "recipient")}
    for section_name, section in declared.items():
        if section.get("optional") and draw(st.booleans()):
            continue
        council[section_name] = {
            name: draw(st.one_of(VALID_VALUES[field["kind"]], values))
            for name, field in section["fields"].items()
            if not (field.get("optional") and draw(st.booleans()))
        }
    return declared, council


TRAILING_SPACE = (  # once drawn at random: text the tool trims, as it means to
    {"fact": {"title": "Fact", "fields": {"alpha": {"kind": "text"}, "beta": {"kind": "list"}}}},
    {
        **{field: VALID[field] for field in ("name", "authority_type", "recipient")},
        "fact": {"alpha": "abc ", "beta": [" x", "y "]},
    },
)


@given(declared_and_written())
@example(TRAILING_SPACE)
@EXAMPLES
def test_any_declaration_and_council_file_validate_as_written_or_are_refused_by_line(case):
    from letters.data.fields import read_declaration, validate_council
    from letters.data.load import Document, FastLoader, parse
    from letters.problems import LettersError

    declared, written = case
    declaration = read_declaration(
        parse(FastLoader, yaml.safe_dump(declared, allow_unicode=True), "fields.yaml")
    )
    document: Document = parse(
        FastLoader, yaml.safe_dump(written, allow_unicode=True), "councils/x.yaml"
    )
    try:
        council = validate_council(document, declaration)
    except LettersError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path == "councils/x.yaml"
            assert problem.line is not None or problem.message.startswith("is missing")
            assert "\n" not in str(problem)
        return
    validated, read = council.model_dump(), document.data  # the file as staff read it
    for section, declared_section in declared.items():
        if section in read:
            kinds = {field: declared_section["fields"][field]["kind"] for field in read[section]}
            assert {field: validated[section][field] for field in read[section]} == {
                field: as_the_tool_reads(kinds[field], value)
                for field, value in read[section].items()
            }
        else:
            assert validated[section] is None


def as_the_tool_reads(kind: str, value: object) -> object:
    """A value as written, with surrounding space trimmed as the tool trims it: its own rule
    (visible_text, paragraphs_text), not a second statement of it."""
    from letters.data.validate import paragraphs_text, visible_text

    if kind == "text" and isinstance(value, str):
        return visible_text(value)
    if kind == "paragraphs" and isinstance(value, str):
        return paragraphs_text(value)
    if kind == "list" and isinstance(value, list):
        return [visible_text(item) if isinstance(item, str) else item for item in value]
    return value
