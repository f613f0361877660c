"""The stage order, written once. Everything that turns a sheet into files (the
build, the build server's warm-up, watch, import's checks, the tests, the bench)
goes through these functions instead of chaining the stages itself.

    sheets/<slug>/*.yaml ──load──▶ Sheet (sources/)
        ──check──▶ Problems, sheet-wide (checks/)
        ──inline──▶ Document per language: HTML fragments, numbered notes (document/)
        ──check──▶ Problems across languages: ids, citations, numbers (checks/)
      ╌╌ prepare_sheet() ends here: cheap, run for every sheet in the main process ╌╌
        ──cite──▶ notes and the source list in the language's CSL locale (document/)
        ──i18n──▶ interface strings and dates (document/)
        ──render──▶ one HTML document per language (document/)
      ╌╌ render_language() ends here ╌╌
        ──fit ⇄ pdf──▶ PDF bytes of each output kind asked for (layout/, outputs/)
      ╌╌ run_task() ends here: one edition, in a worker; the build writes the files ╌╌
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from factsheet.errors import FactsheetError, Pos, Problem, blocking, errors_only
from factsheet.model import Document, Sheet, Task, TaskResult
from factsheet.options import Options
from factsheet.outputs import (
    bilingual_pdf,
    office_pdf,
    page_image,
    preflight,
    print_pdf,
    web_page,
)
from factsheet.outputs.printing import Job, pages_used
from factsheet.paths import family_of
from factsheet.sources.theme import theme_fonts

if TYPE_CHECKING:
    from factsheet.document.render import Download


@dataclass
class Prepared:
    """A sheet after the cheap stages: each language's document, and what failed."""

    sheet: Sheet | None
    docs: dict[str, Document] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    failed_langs: set[str] = field(default_factory=set)  # stopped by their own files
    sheet_failed: bool = False  # stopped by sheet.yaml, sources.yaml or a theme
    reading: str = ""  # each language's reading level: "en: grade 7.4 (target 8) · ..."


def prepare_sheet(
    folder: Path,
    strict: bool = False,
    texts: Mapping[Path, str] | None = None,
    draft: bool = False,
    langs: tuple[str, ...] = (),
) -> Prepared:
    """load -> check -> inline -> check across languages, for one sheet folder.
    `texts` gives language files from memory (see `load_sheet`); `langs`, the
    languages being built (--lang; () for all)."""
    # Imported here, not at the top, so a build with nothing to do never pays
    # for YAML, Babel and markdown-it.
    from factsheet.sources.load import load_sheet

    try:
        sheet = load_sheet(folder, texts)
    except FactsheetError as exc:
        return Prepared(None, problems=exc.problems, sheet_failed=True)
    return prepare(sheet, strict, draft=draft, langs=langs)


# What a draft may print: a block not translated yet (it shows in the reference's words).
DRAFT_ONLY = {"translation.untranslated"}


def prepare(
    sheet: Sheet,
    strict: bool = False,
    complete: bool = False,
    draft: bool = False,
    langs: tuple[str, ...] = (),
) -> Prepared:
    """check -> inline -> check across languages, for a loaded sheet. A sheet-wide
    error stops there, unless `complete` (commands that change files want every
    problem at once). With `draft`, untranslated blocks only warn. With `langs`,
    the problems in the files of the languages not among them are set aside
    (`set_aside`): a build of English does not wait for a Spanish still being
    written."""
    from factsheet.checks.check import check_documents, check_sheet
    from factsheet.checks.reading import check_reading
    from factsheet.document.inline import inline_content

    aside: list[Problem] = []
    prepared = Prepared(sheet, problems=set_aside(check_sheet(sheet), sheet, langs, aside))
    if errors_only(prepared.problems) and not complete:
        prepared.sheet_failed = True
        return prepared
    for lang, content in sheet.contents.items():
        try:
            prepared.docs[lang] = inline_content(content)
        except FactsheetError as exc:
            prepared.problems += exc.problems
            prepared.failed_langs.add(lang)
    reading, prepared.reading = check_reading(sheet)
    found = set_aside(check_documents(sheet, prepared.docs) + reading, sheet, langs, aside)
    if draft:
        found = [replace(p, warning=True) if p.code in DRAFT_ONLY else p for p in found]
    prepared.problems += found + aside_note(sheet, langs, aside)
    # A problem in a language's own file stops that language; any other
    # (sources.yaml, sheet.yaml) stops the whole sheet.
    stopped = {p.pos.path for p in blocking(found, strict)}
    own_files = {lang: content.path for lang, content in sheet.contents.items()}
    prepared.failed_langs |= {lang for lang, path in own_files.items() if path in stopped}
    prepared.sheet_failed = bool(stopped - set(own_files.values()))
    return prepared


def other_files(sheet: Sheet, langs: tuple[str, ...]) -> dict[str, str]:
    """The files of the languages not being built (`<lang>.yaml` and the review
    records `<lang>.*.yaml` beside it), as problems name them, by language."""
    others = [lang for lang in sheet.contents if langs and lang not in langs]
    return {lang: str(sheet.contents[lang].path) for lang in others}


def set_aside(
    problems: list[Problem], sheet: Sheet, langs: tuple[str, ...], aside: list[Problem]
) -> list[Problem]:
    """The problems that concern the languages being built; the others (in the files
    of a language left out with --lang) are added to `aside`."""
    others = other_files(sheet, langs)
    if not others:
        return problems
    prefixes = tuple(path.removesuffix(".yaml") + "." for path in others.values())
    theirs = [
        p for p in problems if p.pos.path in others.values() or p.pos.path.startswith(prefixes)
    ]
    aside += theirs
    return [p for p in problems if p not in theirs]


def aside_note(sheet: Sheet, langs: tuple[str, ...], aside: list[Problem]) -> list[Problem]:
    """One warning for the problems set aside, language by language."""
    notes = []
    for lang, path in other_files(sheet, langs).items():
        count = sum(1 for p in aside if p.pos.path.startswith(path.removesuffix(".yaml") + "."))
        if count:
            message = (
                f"{count} problem{'s' if count > 1 else ''} in {lang}'s files not shown: "
                f"{lang} is not being built (--lang {','.join(langs)}); a build of {lang} "
                "reports them"
            )
            notes.append(Problem(Pos(path, 1, 1), message, code="options.language-set-aside",
                                 warning=True))  # fmt: skip
    return notes


def check_everything(sheet: Sheet) -> list[Problem]:
    """Every check a build makes before it lays out, for commands that change
    files (`reviewed`, `import`) and must not record a failing translation."""
    return prepare(sheet, complete=True).problems


@dataclass(frozen=True)
class Rendered:
    """One language rendered for print (WeasyPrint) and, when asked, how to render
    its web page once the PDFs it offers exist: `page(downloads, font_faces)`."""

    print_html: str
    page: Callable[[list[Download], str], str] | None
    problems: list[Problem]


def render_language(
    sheet: Sheet, doc: Document, options: Options, web: bool, charts: bool = True
) -> Rendered:
    """cite -> i18n -> render for one language; raises FactsheetError on errors.

    The notes are formatted once (citeproc is the slow part) and serve both
    the print document and, with `web`, the web page. Without `charts`, none is
    drawn (the build server's warm-up: drawing runs in a process of its own, which
    warming up cannot help)."""
    from factsheet.document.charts import ChartLimits, draw_charts
    from factsheet.document.cite import cite_notes
    from factsheet.document.i18n import load_localizer
    from factsheet.document.render import render_html, render_page, screen_stylesheet
    from factsheet.sources.theme import colors_of

    locale = sheet.config.locales.get(doc.lang)
    theme = sheet.config.theme
    sans = family_of(theme_fonts(theme), "sans")
    limits = ChartLimits.of(options.run)
    drawn = draw_charts(sheet, doc.lang, colors_of(theme), sans, limits) if charts else {}
    where = sheet.config.pos_of("citation-style")
    style = sheet.config.citation_style
    cites = cite_notes(doc.notes, sheet.sources, style, doc.lang, where, locale)
    localizer, problems = load_localizer(doc.lang, options.locales_dir, locale)
    if errors_only(problems):
        raise FactsheetError(problems)
    draft = options.make.draft
    print_html = render_html(sheet.config, doc, cites, localizer, draft=draft, charts=drawn)
    if not web:
        return Rendered(print_html, None, problems)
    others = web_page.other_languages(sheet, doc.lang, options)
    style = screen_stylesheet()
    sharing = web_page.page_sharing(sheet, doc.lang, options)

    def page(downloads: list[Download], font_faces: str) -> str:
        return render_page(
            sheet.config, doc, cites, localizer, style, others, draft,
            downloads=downloads, font_faces=font_faces, sharing=sharing, charts=drawn,
        )  # fmt: skip

    return Rendered(print_html, page, problems)


def sheet_html(
    folder: Path, lang: str, options: Options | None = None, charts: bool = True
) -> tuple[Sheet, str]:
    """One language of a sheet folder as the HTML that layout gets: every stage up
    to render. For the tests, the bench and the build server's warm-up, which render
    sheets a build might refuse: the checks run, but only a sheet that does not load
    or a language that does not convert raises."""
    from factsheet.sources.load import load_sheet

    sheet = load_sheet(folder)
    prepared = prepare(sheet, complete=True)
    if lang not in prepared.docs:
        raise FactsheetError(errors_only(prepared.problems))
    doc = prepared.docs[lang]
    rendered = render_language(sheet, doc, options or Options(), web=False, charts=charts)
    return sheet, rendered.print_html


def run_task(task: Task, options: Options) -> TaskResult:
    """One edition: cite, i18n, render and (unless checking) fit and pdf, into the
    bytes of every output kind asked for."""
    sheet = task.sheet
    problems: list[Problem] = []
    rendered = []
    try:
        for doc in task.docs:
            web = options.make.wants(web_page.KIND.key) and not task.combined
            rendered.append(render_language(sheet, doc, options, web))
            problems += rendered[-1].problems
        if options.run.check_only:
            for page in (r.page for r in rendered if r.page is not None):
                page([], "")  # the web page's template runs too
            return TaskResult(task, problems)
        if task.combined:
            data, found = bilingual_pdf.make(task, [r.print_html for r in rendered], options)
            return TaskResult(task, problems + found, {bilingual_pdf.KIND.key: data})
        return print_language(task, rendered[0], options, problems)
    except FactsheetError as exc:
        return TaskResult(task, problems + exc.problems)


def print_language(
    task: Task, rendered: Rendered, options: Options, problems: list[Problem]
) -> TaskResult:
    """One language, kind by kind: the office PDF fitted to its budget with every
    note on its call's page, then when asked the print-shop PDF (same settings),
    the page image and the web page."""
    job = Job(task, rendered.print_html, options)
    office = office_pdf.make(job)
    problems = problems + office.problems
    used = pages_used(office.layout)
    files = {office_pdf.KIND.key: office.data}
    if office.overflow_draft:
        return TaskResult(task, problems, files, overflow_draft=True, pages_used=used)
    own: dict[str, list[Problem]] = {}
    shop = None
    if options.make.wants(print_pdf.KIND.key) and not errors_only(problems):
        shop = print_pdf.make(job, office)
        files[print_pdf.KIND.key], own[print_pdf.KIND.key] = shop
        if shop[0] and options.make.wants(preflight.KIND.key):
            files[preflight.KIND.key] = preflight.make(shop[0])
    if options.make.wants(page_image.KIND.key):
        files[page_image.KIND.key] = page_image.make(office.data)
    fonts: dict[str, bytes | None] = {}
    if rendered.page is not None:
        theme = theme_fonts(task.sheet.config.theme)
        page, fonts = web_page.make(job, rendered.page, office, shop, theme)
        files[web_page.KIND.key] = page
    return TaskResult(task, problems, files, (office.fitted.settings,), output_problems=own,
                      web_fonts=fonts, pages_used=used)  # fmt: skip
