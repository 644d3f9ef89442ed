"""One council's letter, start to end: its wording as HTML, its references checked, then laid out
as a PDF, proofread and tagged. The build, the preview and the benchmarks all render with it."""

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from letters.data.project import OutputKind, Project
from letters.data.read import Year
from letters.data.validate import Council, Links
from letters.letter.context import letter_context
from letters.letter.printed import sections_printed
from letters.letter.render_html import (
    LETTER_STYLESHEET,
    WORK_LIMIT,
    TemplateFiles,
    check_references,
    html_environment,
    letter_text,
    render_html,
)
from letters.letter.render_pdf import PdfLetter, PdfRenderer
from letters.problems import LettersError, Note, Problem, excerpt

if TYPE_CHECKING:
    from weasyprint.document import Document

    from letters.letter.proof import TextEnd


@dataclass(frozen=True)
class Rendered:
    slug: str
    html: str | None = None
    pdf: PdfLetter | None = None
    notes: tuple[Note, ...] = ()  # the proofreader's
    printed: tuple[str, ...] = ()  # the optional sections whose paragraphs the letter holds
    problems: tuple[Problem, ...] = ()
    sha256: dict[OutputKind, str] = field(default_factory=dict)  # the build's outputs' hashes


class LetterRenderer:
    """Renders one council's letter as HTML and (unless `pdf` is false) PDF; set up once, then
    used for every council (in every worker process, which inherits it)."""

    def __init__(
        self,
        project: Project,
        year: Year,
        draft: bool = False,
        pdf: bool = True,
        archival: bool = False,
    ):
        self.project, self.year, self.draft, self.archival = project, year, draft, archival
        self.environment = html_environment(project)
        self.links = {getattr(year.facts.links, name).url for name in Links.model_fields}
        self.pdf = (
            pdf_renderer(
                TemplateFiles(project).stylesheet(),
                project.shown(project.templates_dir / LETTER_STYLESHEET),
            )
            if pdf
            else None
        )

    def __call__(self, council: tuple[str, Council]) -> Rendered:
        slug, model = council
        shown = self.project.shown(self.project.council_file(slug))
        try:
            html, text = self.html_letter(model, slug)
            declaration = self.year.declaration
            printed = tuple(sections_printed(text, declaration.optional_sections))
            if self.pdf is None:
                return Rendered(slug, html, printed=printed)
            from letters.letter.proof import proof  # WeasyPrint's, imported only for a PDF

            pdf = self.pdf
            pages, tightened_from = self.laid_out(pdf, model, slug, shown)
            if tightened_from is not None:  # the HTML set as the PDF is, so that it prints alike
                html, _ = self.html_letter(model, slug, tight=True)
            notes = proof(pages, [declaration.title(name) for name in printed], tightened_from)
            return Rendered(
                slug, html, pdf.write(pages, shown, self.archival), tuple(notes), printed=printed
            )
        except LettersError as error:
            return Rendered(slug, problems=tuple(error.problems))
        except Exception as error:  # WeasyPrint's own failure on this letter: the others go on
            failure = f"PDF rendering failed: {type(error).__name__}: {excerpt(str(error), 120)}"
            return Rendered(slug, problems=(Problem(shown, failure),))

    def html_letter(self, model: Council, slug: str, tight: bool = False) -> tuple[str, str]:
        """The HTML letter, its references checked: whole, and its own text (before the files
        it embeds go in)."""
        context = letter_context(model, self.year, self.draft, slug=slug, tight=tight)
        text = letter_text(self.environment, context)
        check_references(self.project, text, self.links, self.environment.stand_ins)
        return self.environment.stand_ins.filled(text), text

    def laid_out(
        self, pdf: PdfRenderer, model: Council, slug: str, shown: str
    ) -> tuple["Document", "TextEnd | None"]:
        """The letter laid out for its PDF; set tighter if its last few lines would take a
        page of their own and tighter saves the page (then also where its text ended before)."""
        from letters.letter.proof import STANDARD_PAGES, text_end

        def layout(tight: bool) -> "Document":
            context = letter_context(model, self.year, self.draft, False, slug, tight)
            return pdf.lay_out(render_html(self.environment, context), shown)

        pages = layout(tight=False)
        end = text_end(pages)
        if len(pages.pages) > STANDARD_PAGES and end.sparse:
            tighter = layout(tight=True)
            if len(tighter.pages) < len(pages.pages):
                return tighter, end
        return pages, None

    def lost(self, council: tuple[str, Council]) -> Rendered:
        """The outcome of a letter whose worker process was killed while rendering it."""
        shown = self.project.shown(self.project.council_file(council[0]))
        stopped = "the process rendering it stopped before it finished: build again"
        return Rendered(council[0], problems=(Problem(shown, stopped),))


@functools.lru_cache(maxsize=4)
def pdf_renderer(stylesheet: str, stylesheet_name: str) -> PdfRenderer:
    """WeasyPrint set up for a stylesheet (parsed, its fonts loaded, its images drawn once),
    kept while the process lives: the preview and the tests build again and again."""
    return PdfRenderer(stylesheet, stylesheet_name)


def template_problems(project: Project, year: Year, councils: dict[str, Council]) -> list[Problem]:
    """What rendering every council's HTML letter finds (`letters check`): each template mistake
    once, with the councils it meets."""
    renderer = LetterRenderer(project, year, pdf=False)
    met: dict[Problem, list[str]] = {}
    for number, (slug, council) in enumerate(councils.items(), 1):
        problems = renderer((slug, council)).problems
        for problem in problems:
            met.setdefault(problem, []).append(project.shown(project.council_file(slug)))
        if any(WORK_LIMIT in problem.message for problem in problems) and number < len(councils):
            # each council would wait as long again: one is enough to show the mistake
            return [*said_with(met), Problem("letters check", NOT_TRIED)]
    return said_with(met)


NOT_TRIED = (
    "the other councils were not tried, since a template asks for more work than any letter "
    "needs: correct it, then check again"
)


def said_with(met: dict[Problem, list[str]]) -> list[Problem]:
    return [
        Problem(problem.path, f"{problem.message}; met by {met_by(files)}", problem.line)
        for problem, files in met.items()
    ]


def met_by(files: list[str]) -> str:
    shown = ", ".join(files[:3])
    return shown + (f" and {len(files) - 3} more" if len(files) > 3 else "")
