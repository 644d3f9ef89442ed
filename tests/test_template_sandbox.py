"""Templates are content: they render in a sandbox. A corpus of hostile templates (escapes through
globals, values, string formatting, the environment, links, unbounded work), each refused at
`letters check` with its file and line and nothing reaching the output; and a property test that
feeds generated attribute chains to the sandbox."""

import html
import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import edit, letters

SECRET = "s3cret-relay-password"
REACHES = (
    "template reaches for {what!r}, which a letter may not use: a template may use the values "
    "`letters fields` lists and the filters the README names, nothing behind them"
)
MET_BY_ALL = (
    "met by councils/cannock-chase.yaml, councils/canterbury.yaml, councils/leicester.yaml and "
    "2 more"
)
NOT_TRIED = (
    "letters check: the other councils were not tried, since a template asks for more work than "
    "any letter needs: correct it, then check again"
)


def add_to_letter(project: Path, text: str) -> int:
    """`text` added on a line of its own after the letter's <body>; the line it is on."""
    path = project / "templates" / "letter.html.j2"
    edit(path, "<body>\n", f"<body>\n{text}\n")
    return path.read_text().splitlines().index(text) + 1


def unknown(expression: str, instead: str) -> str:
    return (
        f"{expression} is not a value the letter is given: did you mean {instead}? (letters "
        f"fields lists every value, and fields.yaml declares the sections)"
    )


@pytest.mark.parametrize(
    ("template", "said", "when"),
    [
        # refused by the static check, in every branch, before any council meets it
        ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "__init__", "check"),
        ("{{ lipsum.__globals__['os'].environ }}", "__globals__", "check"),
        ("{{ joiner.__call__.__globals__ }}", "__call__", "check"),
        ("{{ namespace.__init__.__globals__ }}", "__init__", "check"),
        ("{{ embed.__globals__.files }}", "__globals__", "check"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__", "check"),
        ("{{ self._TemplateReference__context }}", "_TemplateReference__context", "check"),
        ("{{ statistics.upheld.__class__ }}", "__class__", "check"),
        ("{{ council.__dict__ }}", "__dict__", "check"),
        (
            "{{ council.recipient.model_dump() }}",
            unknown("council.recipient.model_dump", "council.recipient.name"),
            "check",
        ),
        (
            "{{ council.recipient.model_config }}",
            unknown("council.recipient.model_config", "council.recipient.cc"),
            "check",
        ),
        (
            "{{ letter.seminars.clear() }}",
            unknown("letter.seminars.clear", "letter.seminars.cities"),
            "check",
        ),
        # refused by the sandbox when a council's letter is rendered
        ("{{ '{0.__class__.__init__.__globals__}'.format(council) }}", "__init__", "render"),
        ("{{ history.append(1) }}", "append", "render"),
        (  # once drawn by the property test below: Python's words for a method, in a letter
            "{% set wording = [letter][0] %}{{ wording.items }}",
            "template prints a function itself, as Python would write it: print a value "
            "(letters fields lists them), or call a macro with brackets",
            "render",
        ),
    ],
)
def test_a_template_reaching_past_its_values_is_refused(
    project: Path, template: str, said: str, when: str
):
    line = add_to_letter(project, template)
    result = letters("check", "--root", str(project))
    message = said if " " in said else REACHES.format(what=said)
    met = f"; {MET_BY_ALL}" if when == "render" else ""
    assert (result.exit_code, result.stderr) == (
        1,
        f"templates/letter.html.j2:{line}: {message}{met}\n",
    )


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("{% for i in range(10**9) %}{% endfor %}", "range(1000000000) gives more than 10,000"),
        ("{{ 'a' * 10**8 }}", "a text or list 100,000 long or more, made with *"),
        ("{{ 2 ** 1000000 }}", "2 ** 1000000 is larger than any letter needs"),
        (
            "{% set s = 'a' * 99999 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
            "it ran for more than 2 seconds",
        ),
        (
            "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
            "{{ f(60) }}",
            "it ran for more than 2 seconds",
        ),
    ],
)
def test_a_template_that_asks_for_unbounded_work_is_stopped(project: Path, template: str, why):
    line = add_to_letter(project, template)
    result = letters("check", "--root", str(project))
    lines = result.stderr.splitlines()
    assert result.exit_code == 1
    assert lines[0].startswith(
        f"templates/letter.html.j2:{line}: template asks for more work than any letter needs ({why}"
    )
    assert lines[1:] in ([NOT_TRIED], [])  # an alarm-free limit meets every council at once


def test_the_email_template_cannot_read_the_environment(project: Path, monkeypatch):
    monkeypatch.setenv("LETTERS_SMTP_PASSWORD", SECRET)
    email = project / "templates" / "email.txt.j2"
    edit(email, "Dear {{ addressee }}", "Dear {{ addressee }} {{ lipsum.__globals__.os.environ }}")
    assert letters("build", "canterbury", "--root", str(project)).exit_code == 0
    result = letters("send", "--dry-run", "--root", str(project))
    assert SECRET not in result.output
    assert not list((project / "build").rglob("*.eml"))


@pytest.mark.parametrize("where", ["templates/_part.html.j2", "templates/letter.css"])
def test_a_template_or_stylesheet_that_is_a_link_is_refused(project: Path, tmp_path: Path, where):
    outside = tmp_path / "outside.txt"
    target = project / where
    outside.write_text(target.read_text() if target.exists() else f"<p>{SECRET}</p>")
    target.unlink(missing_ok=True)
    os.symlink(outside, target)
    if where.endswith(".j2"):
        add_to_letter(project, "{% include '_part.html.j2' %}")
    result = letters("check", "--root", str(project))
    met = "" if where.endswith(".j2") else f"; {MET_BY_ALL}"  # a template: before any council
    assert (result.exit_code, result.stderr) == (
        1,
        f"{where}: is a link: templates, stylesheets and images are read only from the "
        f"project's own files: keep the file itself here, not a link to it{met}\n",
    )
    build = letters("build", "--root", str(project))
    assert build.exit_code == 1
    assert not list((project / "build").rglob("*.html")) or all(
        SECRET not in page.read_text() for page in (project / "build").rglob("*.html")
    )


# Generated attribute chains -----------------------------------------------------------------

ROOTS = ["council", "recipient", "statistics.upheld", "letter", "signatory", "cycler", "joiner",
         "namespace", "lipsum", "range", "embed", "stylesheet", "self", "history", "''", "(1)",
         "loop"]  # fmt: skip
NAMES = ["__class__", "__globals__", "__init__", "__mro__", "__subclasses__", "__builtins__",
         "__dict__", "__self__", "__func__", "__call__", "__code__", "__closure__", "gi_frame",
         "f_back", "f_globals", "func_globals", "model_dump", "model_config", "model_fields",
         "os", "environ", "popen", "files", "project", "root", "mro", "format", "__reduce__",
         "_TemplateReference__context", "environment", "globals", "parent", "vars", "name",
         "recipient", "upheld", "percent", "items", "keys", "update"]  # fmt: skip


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    root=st.sampled_from(ROOTS),
    chain=st.lists(st.sampled_from(NAMES), min_size=1, max_size=5),
    called=st.lists(st.booleans(), min_size=5, max_size=5),
)
@example(root="letter", chain=["items"], called=[False] * 5)  # once drawn: a method printed
def test_no_attribute_chain_reaches_past_the_values(letter_renderer, root, chain, called):
    """Whatever chain of attributes (each maybe called) a template writes, it renders text made
    of the values, or is refused: never an object of Python's, the environment or a file."""
    expression = root + "".join(
        f".{name}()" if call else f".{name}" for name, call in zip(chain, called, strict=False)
    )
    source = f"{{% for x in [1] %}}{{{{ {expression} }}}}{{% endfor %}}"
    output = letter_renderer(source)
    if output is not None:
        output = html.unescape(output)
        assert SECRET not in output
        assert "<function" not in output and "<built-in" not in output and "<class" not in output
        assert "<module" not in output and "object at 0x" not in output, output


@pytest.fixture
def letter_renderer(built_plain: Path, monkeypatch):
    """Renders a template's text in the letters' own sandbox with Canterbury's values: its
    output, or None when the tool refused it (as a LettersError, as check would say)."""
    from letters.data.project import Project
    from letters.data.read import read_councils, read_year
    from letters.letter.context import letter_context
    from letters.letter.render_html import html_environment, render_template
    from letters.problems import LettersError

    monkeypatch.setenv("LETTERS_SMTP_PASSWORD", SECRET)
    project = Project(built_plain)
    year = read_year(project)
    councils, _ = read_councils(project, [project.council_file("canterbury")], year)
    context = letter_context(councils["canterbury"], year, slug="canterbury")
    environment = html_environment(project)

    def render(source: str) -> str | None:
        template = environment.from_string(source)
        try:
            return render_template(_Loaded(environment, template), "x", context)
        except LettersError:
            return None

    return render


class _Loaded:
    """An environment whose every template is the one given: render_template's way in."""

    def __init__(self, environment, template) -> None:
        self.environment, self.template = environment, template
        self.stand_ins = environment.stand_ins

    def get_template(self, name: str):
        return self.template


def test_a_template_that_is_a_link_is_not_read_even_unused(project: Path, tmp_path: Path):
    """The static check reads every template, used or not: it refuses a link before reading
    it, so nothing of the file it leads to reaches a message."""
    outside = tmp_path / "secret.txt"
    outside.write_text(f"{{% {SECRET} %}}")  # would be quoted by a syntax error
    os.symlink(outside, project / "templates" / "_unused.html.j2")
    result = letters("check", "--root", str(project))
    assert (result.exit_code, result.stderr) == (
        1,
        "templates/_unused.html.j2: is a link: templates, stylesheets and images are read only "
        "from the project's own files: keep the file itself here, not a link to it\n",
    )
    assert SECRET not in result.output


def test_a_render_outside_the_main_thread_is_stopped_in_time_too(project: Path):
    """The preview renders in its server's threads, where no alarm rings: the render looks at
    the clock as it writes, and stops a template that runs too long there too."""
    from letters.data.project import Project
    from letters.letter.render_html import html_environment, render_template
    from letters.problems import LettersError

    environment = html_environment(Project(project))
    template = environment.from_string(
        "{% set s = 'a' * 99999 %}{% for a in s %}{% for b in s %}x{% endfor %}{% endfor %}"
    )
    said: list[str] = []

    def render() -> None:
        try:
            render_template(_Loaded(environment, template), "x", {})
        except LettersError as error:
            said.append(error.problems[0].message)

    thread = threading.Thread(target=render, daemon=True)
    thread.start()
    thread.join(60)
    assert said == [
        "template asks for more work than any letter needs (it ran for more than 2 seconds)"
    ]
