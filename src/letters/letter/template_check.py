"""Every template held against fields.yaml without running it: every branch, reached by today's
councils or not. Each filter and test must exist and get the kinds it takes; each name and
attribute path must be a value the tool gives (letters.letter.shapes); a list or paragraphs is
never printed whole. Messages name the file, the line, the expression as written and what to
write instead, in the words of fields.yaml and the README."""

import difflib
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import nodes

from letters.data.names import TEMPLATE_WORDS
from letters.data.project import Project
from letters.data.read import Year
from letters.letter.context import KINDS
from letters.letter.render_html import (
    EMAIL_TEMPLATE,
    FILTERS,
    LETTER_TEMPLATE,
    html_environment,
    kinds_taken,
    not_allowed,
    refuse_links,
    with_kind,
)
from letters.letter.shapes import (
    ANY,
    NUMBER,
    TEXT,
    WHOLE,
    Shape,
    context_shape,
    list_of,
)
from letters.problems import LettersError, Problem, excerpt

PRINTED_WHOLE = ("list", "paragraphs", "object")
# What the filters give back, where it matters for what follows them.
GIVES = {
    "length": WHOLE,
    "count": WHOLE,
    "wordcount": WHOLE,
    "int": WHOLE,
    "float": NUMBER,
    "round": NUMBER,
    "abs": NUMBER,
    "sum": NUMBER,
    "join": TEXT,
    "string": TEXT,
    "upper": TEXT,
    "lower": TEXT,
    "title": TEXT,
    "capitalize": TEXT,
    "trim": TEXT,
    "replace": TEXT,
    "format": TEXT,
    "e": TEXT,
    "escape": TEXT,
    "safe": TEXT,
    "list": ANY,
}
KEEPS_THE_LIST = ("selectattr", "rejectattr", "sort", "unique", "reverse", "list", "batch")
ITEM_OF_THE_LIST = ("first", "last", "random", "min", "max")
ACCEPTS = {
    "whole number": {"whole number", "anything"},
    "text": {"text", "text with markup", "anything"},
    "date": {"date", "anything"},
    "list": {"list", "paragraphs", "anything"},
}


def check_templates(project: Project, year: Year) -> list[Problem]:
    """Every problem in every template under templates/, found without rendering it."""
    environment = html_environment(project)
    problems = []
    files = sorted(project.templates_dir.rglob("*.j2"))
    parsed = {}
    sources = []
    for path in files:
        name = path.relative_to(project.templates_dir).as_posix()
        shown = project.shown(path)
        try:
            refuse_links(project, path, project.templates_dir)  # never read through a link
            source = path.read_text(encoding="utf-8")
            sources.append(source)
            parsed[name] = (shown, environment.parse(source, name, str(path)))
        except LettersError as error:
            problems += error.problems
        except jinja2.TemplateSyntaxError as error:
            problems.append(Problem(shown, f"template syntax error: {error.message}", error.lineno))
        except (OSError, UnicodeDecodeError):
            problems.append(Problem(shown, "cannot be read as text: save it as UTF-8 text"))
    trees = {name: tree for name, (_, tree) in parsed.items()}
    names = {path.relative_to(project.templates_dir).as_posix() for path in files}
    naming = {name: templates_named(tree) for name, tree in trees.items()}
    stored = {name: set(every_name_stored(tree)) for name, tree in trees.items()}
    for name, (shown, tree) in parsed.items():
        shapes = context_shape(year.declaration, email=name == EMAIL_TEMPLATE)
        given = names_given(set_names(tree), [stored[other] for other in includers(name, naming)])
        checker = Checker(shown, shapes, environment, given, names)
        checker.visit(tree, {})
        problems += checker.problems
    if parsed:
        problems += unmarked_sections(project, sources, year.declaration.optional_sections)
    return list(dict.fromkeys(problems))


def unmarked_sections(project: Project, sources: list[str], optional: list[str]) -> list[Problem]:
    """Each optional section no template marks a paragraph of (data-section="name"): the
    overview could not tell which letters print it (letter/printed.py)."""
    letter = project.shown(project.templates_dir / LETTER_TEMPLATE)
    return [
        Problem(
            letter,
            f'no paragraph says it is the optional section {name} (data-section="{name}"): '
            f"mark each of its paragraphs so, as the README's 'Adding a fact to the letter' "
            f"shows, or the overview cannot list the letters that print it",
        )
        for name in optional
        if not any(f'data-section="{name}"' in source for source in sources)
    ]


def names_given(own: Iterable[str], includers_stored: list[set[str]]) -> set[str]:
    """The names a template may use without the tool giving them: those it sets itself
    ({% set %}, macros, imports; loop variables and arguments are checked where they hold),
    and every name a template that includes it has where it does (a loop's variable too)."""
    return set(own).union(*includers_stored)


def set_names(tree: nodes.Template) -> Iterator[str]:
    for assign in tree.find_all(nodes.Assign):
        yield from (target.name for target in assign.target.find_all(nodes.Name))
    for block in tree.find_all(nodes.AssignBlock):
        yield from (target.name for target in block.target.find_all(nodes.Name))
    for macro in tree.find_all(nodes.Macro):
        yield macro.name
    for module in tree.find_all(nodes.Import):
        yield module.target
    for imported in tree.find_all(nodes.FromImport):
        for entry in imported.names:
            yield entry[1] if isinstance(entry, tuple) else entry


def every_name_stored(tree: nodes.Template) -> Iterator[str]:
    yield from set_names(tree)
    for node in tree.find_all(nodes.Name):
        if node.ctx in ("store", "param"):
            yield node.name


def includers(name: str, naming: dict[str, set[str]]) -> set[str]:
    """The templates that include `name`, or include one that does (`naming`: the templates
    each one includes or imports by name)."""
    found: set[str] = set()
    waiting = [name]
    while waiting:
        included = waiting.pop()
        for other, named in naming.items():
            if included in named and other not in found:
                found.add(other)
                waiting.append(other)
    return found


def templates_named(tree: nodes.Template) -> set[str]:
    """The templates a template includes or imports by name."""
    naming: list[nodes.Include | nodes.Import | nodes.FromImport] = [
        *tree.find_all(nodes.Include),
        *tree.find_all(nodes.Import),
        *tree.find_all(nodes.FromImport),
    ]
    return {n.template.value for n in naming if isinstance(n.template, nodes.Const)}


@dataclass
class Checker:
    shown: str
    shapes: dict[str, Shape]
    environment: jinja2.Environment
    assigned: set[str]
    templates: set[str]
    problems: list[Problem] = field(default_factory=list)

    def problem(self, node: nodes.Node, message: str) -> None:
        self.problems.append(Problem(self.shown, message, node.lineno))

    def visit(self, node: nodes.Node, scope: dict[str, Shape]) -> Shape:
        """Check one node and all below it; the shape of its value, if it is an expression."""
        method: Callable[[Any, dict[str, Shape]], Shape] | None = getattr(
            self, f"visit_{type(node).__name__}", None
        )
        if method is not None:
            return method(node, scope)
        for child in node.iter_child_nodes():
            self.visit(child, scope)
        return ANY

    # Scopes ---------------------------------------------------------------------------

    def visit_For(self, node: nodes.For, scope: dict[str, Shape]) -> Shape:
        items = self.visit(node.iter, scope)
        inner = {**scope, **bound(node.target, items.item or ANY), "loop": ANY}
        for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
            self.visit(child, inner)
        return ANY

    def visit_Macro(self, node: nodes.Macro, scope: dict[str, Shape]) -> Shape:
        inner = {**scope, **{a.name: ANY for a in node.args}, "varargs": ANY, "kwargs": ANY}
        inner["caller"] = ANY
        for child in [*node.defaults, *node.body]:
            self.visit(child, inner)
        return ANY

    def visit_Assign(self, node: nodes.Assign, scope: dict[str, Shape]) -> Shape:
        scope.update(bound(node.target, self.visit(node.node, scope)))
        return ANY

    def visit_With(self, node: nodes.With, scope: dict[str, Shape]) -> Shape:
        inner = dict(scope)
        for target, value in zip(node.targets, node.values, strict=False):
            inner.update(bound(target, self.visit(value, scope)))
        for child in node.body:
            self.visit(child, inner)
        return ANY

    # Values -----------------------------------------------------------------------------

    def visit_Name(self, node: nodes.Name, scope: dict[str, Shape]) -> Shape:
        if node.ctx != "load":
            return ANY
        if node.name in scope:
            return scope[node.name]
        if node.name in self.shapes:
            return self.shapes[node.name]
        if node.name in self.assigned or node.name in TEMPLATE_WORDS:
            return ANY
        self.problem(node, unknown(node.name, [*self.shapes, *scope]))
        return ANY

    def visit_Getattr(self, node: nodes.Getattr, scope: dict[str, Shape]) -> Shape:
        shape = self.visit(node.node, scope)
        if node.attr.startswith("_"):
            if not reaches_past(node.node):  # said once, at the first
                self.problem(node, not_allowed(f"attribute '{node.attr}'"))
            return ANY
        return self.attribute(node, shape, node.attr)

    def visit_Getitem(self, node: nodes.Getitem, scope: dict[str, Shape]) -> Shape:
        shape = self.visit(node.node, scope)
        self.visit(node.arg, scope)
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            return self.attribute(node, shape, node.arg.value)
        return shape.item or ANY if shape.kind in ("list", "paragraphs") else ANY

    def attribute(self, node: nodes.Getattr | nodes.Getitem, shape: Shape, name: str) -> Shape:
        if shape.kind != "object":
            return ANY
        if name in shape.fields:
            return shape.fields[name]
        self.problem(
            node, unknown(written(node), [f"{written(node.node)}.{f}" for f in shape.fields])
        )
        return ANY

    def visit_Output(self, node: nodes.Output, scope: dict[str, Shape]) -> Shape:
        for child in node.nodes:
            shape = self.visit(child, scope)
            if shape.kind in PRINTED_WHOLE and not isinstance(child, nodes.TemplateData):
                self.problem(child, printed_whole(written(child), shape))
        return ANY

    def visit_Filter(self, node: nodes.Filter, scope: dict[str, Shape]) -> Shape:
        value = self.visit(node.node, scope) if node.node is not None else ANY
        arguments = [self.visit(argument, scope) for argument in node.args]
        for keyword in node.kwargs:
            self.visit(keyword.value, scope)
        function = self.environment.filters.get(node.name)
        if function is None:
            self.problem(node, no_such("filter", node.name, self.environment.filters))
            return ANY
        self.check_call(node, "filter", function, [value, *arguments], node.args, node.kwargs)
        return self.filtered(node, value)

    def filtered(self, node: nodes.Filter, value: Shape) -> Shape:
        """The shape a filter gives back: the list it was given, one of its items, a count..."""
        if node.name in ("selectattr", "rejectattr") and node.args:
            first = node.args[0]
            if isinstance(first, nodes.Const) and isinstance(first.value, str) and value.item:
                for part in first.value.split("."):
                    if value.item.kind == "object" and part not in value.item.fields:
                        names = [f"{node.name}({f!r})" for f in value.item.fields]
                        self.problem(node, unknown(f"{node.name}({first.value!r})", names))
                        break
        if node.name in KEEPS_THE_LIST:
            return value if value.kind in ("list", "paragraphs") else ANY
        if node.name in ITEM_OF_THE_LIST:
            return value.item or ANY
        if node.name in ("default", "d"):
            return value
        if node.name == "map":
            return list_of(ANY)
        return GIVES.get(node.name, TEXT if node.name in FILTERS else ANY)

    def visit_Test(self, node: nodes.Test, scope: dict[str, Shape]) -> Shape:
        value = self.visit(node.node, scope)
        arguments = [self.visit(argument, scope) for argument in node.args]
        function = self.environment.tests.get(node.name)
        if function is None:
            self.problem(node, no_such("test", node.name, self.environment.tests))
            return ANY
        self.check_call(node, "test", function, [value, *arguments], node.args, node.kwargs)
        return Shape("true or false")

    def check_call(
        self,
        node: nodes.Filter | nodes.Test,
        what: str,
        function: Any,
        shapes: list[Shape],
        arguments: list[nodes.Expr],
        keywords: list[Any],
    ) -> None:
        """The filter or test gets as many values as it takes, and, for the tool's own
        filters, the kinds it takes."""
        signature = taken_parameters(function)
        if signature is None:
            return
        placeholders = [object()] * len(shapes)
        try:
            signature.bind(*placeholders, **{k.key: object() for k in keywords})
        except TypeError:
            written_args = ", ".join(written(a) for a in arguments)
            self.problem(node, wrong_count(what, node.name, signature, written_args))
            return
        if what != "filter" or node.name not in FILTERS:
            return
        kinds = kinds_taken(FILTERS[node.name])
        given = [(written(node.node) if node.node else "the value", shapes[0])]
        given += [(written(a), s) for a, s in zip(arguments, shapes[1:], strict=False)]
        for (expression, shape), kind in zip(given, kinds, strict=False):
            if kind and shape.kind not in ACCEPTS.get(kind, {kind}) and shape.kind != "anything":
                self.problem(node, wrong_kind(node.name, kind, expression, shape))
                return

    def visit_Const(self, node: nodes.Const, scope: dict[str, Shape]) -> Shape:
        return Shape(KINDS.get(type(node.value), "anything"))

    def visit_Include(
        self, node: nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends, scope: Any
    ) -> Shape:
        """{% include %}, {% import %}, {% from ... import %}, {% extends %}: the template
        they name is one in templates/."""
        template = node.template
        if isinstance(template, nodes.Const) and template.value not in self.templates:
            self.problem(
                node,
                f"there is no template {template.value!r} in templates/: "
                f"{did_you_mean(template.value, sorted(self.templates))}",
            )
        return ANY

    visit_Import = visit_FromImport = visit_Extends = visit_Include


def reaches_past(node: nodes.Node) -> bool:
    """Whether an expression already takes an attribute starting with `_` on its way."""
    return any(attribute.attr.startswith("_") for attribute in node.find_all(nodes.Getattr)) or (
        isinstance(node, nodes.Getattr) and node.attr.startswith("_")
    )


def bound(target: nodes.Node, shape: Shape) -> dict[str, Shape]:
    if isinstance(target, nodes.Name):
        return {target.name: shape}
    if isinstance(target, nodes.Tuple):
        return {item.name: ANY for item in target.items if isinstance(item, nodes.Name)}
    return {}


def taken_parameters(function: Callable[..., Any]) -> inspect.Signature | None:
    """What a filter or test takes from the template: its value, then its arguments (without
    what Jinja passes itself: the environment or the context)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    parameters = list(signature.parameters.values())
    if getattr(inspect.unwrap(function), "jinja_pass_arg", None) is not None:
        parameters = parameters[1:]
    return signature.replace(parameters=parameters)


def written(node: nodes.Node | None) -> str:
    """An expression as a template writes it, near enough for a message."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{written(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{written(node.node)}[{written(node.arg)}]"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Filter):
        return f"{written(node.node)}|{node.name}"
    if isinstance(node, nodes.Call):
        return f"{written(node.node)}(...)"
    return "the value"


def did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else ""


def unknown(expression: str, candidates: list[str]) -> str:
    hint = did_you_mean(expression, candidates)
    return (
        f"{excerpt(expression, 80)} is not a value the letter is given: "
        + (f"{hint} " if hint else "")
        + "(letters fields lists every value, and fields.yaml declares the sections)"
    )


def no_such(what: str, name: str, known: dict[str, Any]) -> str:
    hint = did_you_mean(name, sorted(known))
    return (
        f"there is no {what} named {name!r}"
        + (f": {hint}" if hint else "")
        + (
            " (the README's 'Filters' lists the tool's own, beside Jinja's)"
            if what == "filter"
            else ""
        )
    )


def wrong_count(what: str, name: str, signature: inspect.Signature, given: str) -> str:
    takes = [p.name for p in list(signature.parameters.values())[1:]]
    return (
        f"the {what} {name} takes {len(takes)} "
        f"{'value' if len(takes) == 1 else 'values'} in brackets"
        + (f" ({', '.join(takes)})" if takes else "")
        + f", not ({given})"
    )


def wrong_kind(name: str, kind: str, expression: str, shape: Shape) -> str:
    return f"the filter {name} takes {with_kind(kind)}, but {expression} is {with_kind(shape.kind)}"


def printed_whole(expression: str, shape: Shape) -> str:
    if shape.kind == "paragraphs":
        return (
            f"{expression} is paragraphs, which print one by one: write {{% for paragraph in "
            f"{expression} %}}<p>{{{{ paragraph }}}}</p>{{% endfor %}}"
        )
    if shape.kind == "list":
        return (
            f"{expression} is a list, which prints as Python writes it: write "
            f"{{{{ {expression}|formatted_list }}}}, or each item in a {{% for %}}"
        )
    return (
        f"{expression} is a section, not one value: print one of its fields, as "
        f"{expression}.<field>"
    )
