"""One edition of a sheet: the per-language stages, from citations to PDF bytes.

cite -> i18n -> render -> fit + pdf for one language (or, for the bilingual
edition, every language in one PDF). Runs in a worker process; returns bytes
and problems, and never writes a file (build does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from factsheet.errors import FactsheetError, Pos, Problem, errors_only
from factsheet.model import Content, Document, LayoutSettings, Sheet, Text
from factsheet.options import Options
from factsheet.paths import FontFile, family_of
from factsheet.sources.theme import theme_fonts

if TYPE_CHECKING:
    from factsheet.document.render import Download, Sharing
    from factsheet.layout.fit import Fitted
    from factsheet.layout.pdf import Layout


@dataclass(frozen=True)
class Task:
    """One language of one sheet, loaded, checked and converted to HTML fragments;
    or, for the bilingual edition, every language of it in one PDF."""

    sheet: Sheet
    docs: tuple[Document, ...]
    # Where fit starts, per document: a copyfit level shared by the sheet's
    # languages, and for the bilingual edition the settings each language ended with.
    start: tuple[LayoutSettings, ...] = ()

    @property
    def combined(self) -> bool:
        return len(self.docs) > 1

    @property
    def name(self) -> str:
        return f"{self.sheet.slug}.{'-'.join(doc.lang for doc in self.docs)}"

    def outputs(self, options: Options) -> list[Path]:
        """In order: the office PDF, then when asked for the print-shop PDF, the
        page-1 thumbnail and the web page (a bilingual edition has only its PDF)."""
        paths = [options.out / f"{self.name}.pdf"]
        if options.print_shop and not self.combined:
            paths.append(options.out / f"{self.name}.print.pdf")
        if options.thumbnails and not self.combined:
            paths.append(options.out / f"{self.name}.png")
        if options.html and not self.combined:
            paths.append(options.out / f"{self.name}.html")
        return paths


@dataclass(frozen=True)
class TaskResult:
    task: Task
    problems: list[Problem]
    files: list[bytes] = field(default_factory=list)  # in the order of Task.outputs
    settings: tuple[LayoutSettings, ...] = ()  # what fit chose, per document
    # A --draft past its page budget: the task failed, but its PDF, with the pages
    # over the budget marked, is written so the writer can see what to cut.
    overflow_draft: bool = False
    # Problems of one output alone (index into Task.outputs): the print-shop PDF
    # can fail while the office PDF, thumbnail and web page stand.
    output_problems: dict[int, list[Problem]] = field(default_factory=dict)
    # The web page's font files (path in the output folder -> bytes, or None when
    # that very file is there already).
    web_fonts: dict[str, bytes | None] = field(default_factory=dict)
    # Pages used of the budget, the last one counted by how full it is (1.92 of 2).
    pages_used: float = 0.0


@dataclass(frozen=True)
class Rendered:
    """One language rendered for print (WeasyPrint) and, when asked, how to render
    its web page once the PDFs it offers exist: `page(downloads, font_faces)`."""

    print_html: str
    page: Callable[[list[Download], str], str] | None
    problems: list[Problem]


def render_language(sheet: Sheet, doc: Document, options: Options, web: bool) -> Rendered:
    """cite -> i18n -> render for one language; raises FactsheetError on errors.

    The notes are formatted once (citeproc is the slow part) and serve both
    the print document and, with `web`, the web page."""
    from factsheet.document.charts import draw_charts
    from factsheet.document.cite import cite_notes
    from factsheet.document.i18n import load_localizer
    from factsheet.document.render import render_html, render_page, screen_stylesheet
    from factsheet.sources.theme import colors_of

    locale = sheet.config.locales.get(doc.lang)
    # Numbers in the locale the checks read them in (check.compare_documents).
    theme = sheet.config.theme
    sans = family_of(theme_fonts(theme), "sans")
    charts = draw_charts(sheet, doc.lang, locale or doc.lang, colors_of(theme), sans)
    where = sheet.config.pos_of("citation-style")
    style = sheet.config.citation_style
    cites = cite_notes(doc.notes, sheet.sources, style, doc.lang, where, locale)
    localizer, problems = load_localizer(doc.lang, options.locales_dir, locale)
    if errors_only(problems):
        raise FactsheetError(problems)
    print_html = render_html(
        sheet.config, doc, cites, localizer, draft=options.draft, charts=charts
    )
    if not web:
        return Rendered(print_html, None, problems)
    others = [
        {"lang": lang, "name": language_name(lang), "href": f"{sheet.slug}.{lang}.html"}
        for lang in sheet.config.languages
        if lang != doc.lang and (not options.langs or lang in options.langs)
    ]
    style = screen_stylesheet()
    sharing = page_sharing(sheet, doc.lang, options)

    def page(downloads: list[Download], font_faces: str) -> str:
        return render_page(
            sheet.config, doc, cites, localizer, style, others, options.draft,
            downloads=downloads, font_faces=font_faces, sharing=sharing, charts=charts,
        )  # fmt: skip

    return Rendered(print_html, page, problems)


def page_sharing(sheet: Sheet, lang: str, options: Options) -> Sharing:
    """What the page tells search engines and link previews about itself.

    Search engines take only absolute addresses for hreflang and canonical links,
    and link previews for images: so with the sheet's `url:` (where its web pages
    are published, side by side) the page links its languages (the reference
    language as x-default), itself as canonical and its thumbnail; without it,
    only the locales."""
    from urllib.parse import urljoin

    from factsheet.document.i18n import babel_locale
    from factsheet.document.render import Sharing

    wanted = options.langs or sheet.config.languages
    built = [other for other in sheet.config.languages if other in wanted]
    own = sheet.config.locales.get(lang) or babel_locale(lang)
    locales = [sheet.config.locales.get(other) or babel_locale(other) for other in built]
    sharing = Sharing(locales=tuple(locale for locale in locales if locale != own))
    if not sheet.config.url:
        return sharing

    def address(name: str) -> str:
        return urljoin(sheet.config.url, name)

    alternates = [(other, address(f"{sheet.slug}.{other}.html")) for other in built]
    reference = sheet.config.languages[0]
    if reference in built:
        alternates.append(("x-default", address(f"{sheet.slug}.{reference}.html")))
    return replace(
        sharing,
        alternates=tuple(alternates),
        image=address(f"{sheet.slug}.{lang}.png") if options.thumbnails else "",
        canonical=address(f"{sheet.slug}.{lang}.html"),
    )


def language_name(lang: str) -> str:
    """A language's name in itself, as a reader looks for it: English, Español."""
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def run_task(task: Task, options: Options) -> TaskResult:
    """The per-language stages: cite, i18n, render and (unless checking) fit and pdf."""
    sheet = task.sheet
    problems: list[Problem] = []
    rendered = []
    try:
        for doc in task.docs:
            web = options.html and not task.combined
            rendered.append(render_language(sheet, doc, options, web))
            problems += rendered[-1].problems
        if options.check_only:
            for page in (r.page for r in rendered if r.page is not None):
                page([], "")  # the web page's template runs too
            return TaskResult(task, problems)
        if task.combined:
            return print_combined(task, [r.print_html for r in rendered], options, problems)
        return print_language(task, rendered[0], options, problems)
    except FactsheetError as exc:
        return TaskResult(task, problems + exc.problems)


def print_combined(
    task: Task, htmls: list[str], options: Options, problems: list[Problem]
) -> TaskResult:
    """The bilingual edition: each language laid out as its own edition was."""
    from factsheet.layout.pdf import lay_out  # late: --check never loads WeasyPrint

    sheet = task.sheet
    paper = options.paper or sheet.config.paper
    where = Pos(sheet.contents[task.docs[0].lang].path, 1, 1)
    start = list(task.start) or [LayoutSettings()] * len(htmls)
    fonts = theme_fonts(sheet.config.theme)
    layout = lay_out(htmls, sheet.root, where, paper, settings=start, fonts=fonts)
    data, written = write_located(task, layout, htmls, options)
    problems += layout.problems + written + note_problems(task, layout)
    return TaskResult(task, problems, [data])


def write_located(
    task: Task, layout: Layout, htmls: list[str], options: Options
) -> tuple[bytes, list[Problem]]:
    """The PDF of a layout; a glyph the fonts lack that the layout met is reported
    as the characters that caused it, each where it is written (a language file,
    sources.yaml or a catalog), as the check stage reports the ones it finds."""
    from factsheet.checks.glyphs import BODY, find_char, glyph_message, lacking, unprintable
    from factsheet.layout.pdf import MISSING_GLYPH, write_layout

    fonts = theme_fonts(task.sheet.config.theme)
    data, problems = write_layout(layout, task.sheet.config.updated)
    fallbacks = [p for p in problems if MISSING_GLYPH in p.message]
    if not fallbacks:
        return data, problems
    chars = unprintable(" ".join(re.sub(r"<[^>]+>", " ", html) for html in htmls), fonts)
    if not chars:
        return data, problems
    sheet = task.sheet
    files = [Path(sheet.contents[doc.lang].path) for doc in task.docs]
    files.append(sheet.root / "sources.yaml")
    files += [options.locales_dir / doc.lang / "LC_MESSAGES" / "messages.po" for doc in task.docs]
    located = [
        Problem(
            find_char(char, files) or layout.where,
            glyph_message(char, lacking(char, BODY, fonts)),
        )
        for char in chars
    ]
    return data, [p for p in problems if p not in fallbacks] + located


def print_language(
    task: Task, rendered: Rendered, options: Options, problems: list[Problem]
) -> TaskResult:
    """One language: fitted to its budget with every note on its call's page, then the
    print-shop PDF (same settings), the thumbnail and the web page when asked."""
    from factsheet.document.render import Download
    from factsheet.layout.fit import fit_layout
    from factsheet.layout.pdf import lay_out, thumbnail

    sheet = task.sheet
    paper = options.paper or sheet.config.paper
    where = Pos(sheet.contents[task.docs[0].lang].path, 1, 1)
    start = task.start[0] if task.start else LayoutSettings()

    def laid_out(print_shop: bool, mark_after: int = 0) -> Callable[[LayoutSettings], Layout]:
        def lay(settings: LayoutSettings) -> Layout:
            html = rendered.print_html
            return lay_out(
                html, sheet.root, where, paper, print_shop, [settings], mark_after=mark_after,
                fonts=theme_fonts(sheet.config.theme),
            )  # fmt: skip

        return lay

    budget = sheet.config.pages
    fitted = fit_layout(laid_out(False), budget, sheet.config.fit, start)
    layout: Layout = fitted.layout  # type: ignore[assignment]
    problems += layout.problems
    if layout.pages > budget:
        # Past the budget the page breaks are not final: where notes land is moot.
        problems.append(over_budget(task, layout, fitted, options.draft))
        if options.draft and not errors_only(layout.problems):
            marked = laid_out(False, mark_after=budget)(fitted.settings)
            data, written = write_located(task, marked, [rendered.print_html], options)
            return TaskResult(task, problems + written, [data], overflow_draft=True,
                              pages_used=pages_used(layout))  # fmt: skip
    else:
        problems += note_problems(task, layout, fitted)
    data, written = write_located(task, layout, [rendered.print_html], options)
    problems += written
    files = [data]
    own: dict[int, list[Problem]] = {}
    if options.print_shop and not errors_only(problems):
        # Same page area as the office file, so the same settings; carried notes only
        # if the bleed ever changed a line.
        try:
            shop_fit = fit_layout(laid_out(True), sheet.config.pages, False, fitted.settings)
            shop_layout: Layout = shop_fit.layout  # type: ignore[assignment]
            data, written = write_located(task, shop_layout, [rendered.print_html], options)
            shop_problems = shop_layout.problems + written
            own[len(files)] = shop_problems + note_problems(task, shop_layout, shop_fit)
        except FactsheetError as exc:  # its stylesheet is missing: this file alone fails
            data, own[len(files)] = b"", exc.problems
        files.append(data)
    if options.thumbnails:
        files.append(thumbnail(files[0]))
    fonts: dict[str, bytes | None] = {}
    if rendered.page is not None:
        downloads = [Download(f"{task.name}.pdf", False, paper, layout.pages, len(files[0]))]
        if options.print_shop and len(files) > 1 and not errors_only(own.get(1, [])):
            downloads.append(Download(f"{task.name}.print.pdf", True, paper, layout.pages,
                                      len(files[1])))  # fmt: skip
        page, fonts = web_page(rendered.page, downloads, options, theme_fonts(sheet.config.theme))
        files.append(page)
    return TaskResult(
        task,
        problems,
        files,
        (fitted.settings,),
        output_problems=own,
        web_fonts=fonts,
        pages_used=pages_used(layout),
    )


def pages_used(layout: Layout) -> float:
    """1.92 of a two-page budget: the pages before the last, and how full that is."""
    return round(layout.pages - 1 + (layout.fill.pages[-1] if layout.fill.pages else 1.0), 2)


def web_page(
    page: Callable[[list[Download], str], str],
    downloads: list[Download],
    options: Options,
    fonts: tuple[FontFile, ...],
) -> tuple[bytes, dict[str, bytes | None]]:
    """The web page with its fonts cut to the characters it shows: the page, and
    each font file it links to and their licences (None: already in the output
    folder)."""
    from factsheet.layout.webfonts import (
        FONTS_FOLDER,
        font_faces,
        licences,
        page_characters,
        web_fonts,
    )

    chars = page_characters(page(downloads, ""))
    folder = options.out / FONTS_FOLDER
    made = web_fonts(chars, folder, fonts)
    html = page(downloads, font_faces(made))
    files = {f"{FONTS_FOLDER}/{font.name}": font.data for font in made}
    return html.encode("utf-8"), files | licences(fonts, folder)


def note_problems(task: Task, layout: Layout, fitted: Fitted | None = None) -> list[Problem]:
    """A note that no layout kept with its call, at the call's own place."""
    problems = []
    tries = f" after {fitted.layouts} layouts" if fitted else ""
    for place in layout.misplaced:
        pos = task.docs[place.document].notes[place.number - 1].pos
        message = (
            f"{place.describe()}{tries}: no layout keeps them together; shortening the note "
            "or moving the citation to the end of its sentence or paragraph would help"
        )
        problems.append(Problem(pos, message))
    return problems


def over_budget(task: Task, layout: Layout, fitted: Fitted, draft: bool = False) -> Problem:
    """How far past its page budget a language runs, and where the overflow starts;
    with `draft`, that its PDF is written with the pages over the budget marked."""
    sheet = task.sheet
    lang = task.docs[0].lang
    budget = sheet.config.pages
    over = sum(layout.fill.used_lines[budget:])
    message = (
        f"{lang}: the sheet runs to {layout.pages} pages, over its budget of {budget} "
        f"by about {over:.0f} lines"
    )
    if fitted.settings.level:
        message += ", even with copyfitting at its limits"
    # The first lines over the budget: one alone may hold too few words to find.
    first = " ".join([line.text for line in layout.lines if line.page > budget][:3])
    found = locate_sentence(sheet.contents[lang], first)
    if found is not None:
        pos, sentence = found
        message += f"; page {budget + 1} starts in the sentence at {pos} ({sentence})"
    longest = sorted(layout.fill.sections.items(), key=lambda item: -item[1])[:3]
    sizes = ", ".join(f"{name} ({lines:.0f})" for name, lines in longest)
    message += f"; the longest sections, in lines: {sizes}"
    if draft:
        message += f"; the draft PDF marks the pages past page {budget}"
    return Problem(sheet.config.pos_of("pages"), message)


WORD = re.compile(r"\w+")
MARKUP = re.compile(r"\^?\[[^\]]*@[^\]]*\]|\^\[[^\]]*\]|[*_>]")  # citations, notes, marks


def locate_sentence(content: Content, line: str) -> tuple[Pos, str] | None:
    """Where a laid-out line's text starts in the language file, as the start of its
    sentence (its position and first words); None when the words are not found."""
    words = WORD.findall(line)[:8]
    # The fewer words, the likelier a line's last word (a note call) is left out.
    for count in range(len(words), 2, -1):
        found = find_words(content, words[:count])
        if found is not None:
            return found
    return None


def find_words(content: Content, words: list[str]) -> tuple[Pos, str] | None:
    # Between two words of a line the file may have a citation or note call.
    between = rf"(?:{MARKUP.pattern}|\W)+"
    pattern = re.compile(between.join(re.escape(word) for word in words))
    texts: list[Text | None] = [content.title, content.subtitle, content.summary]
    for section in content.sections:
        texts += [section.heading, section.body]
    texts.append(content.credit)
    for text in texts:
        if text is None or not (match := pattern.search(text.value)):
            continue
        before = text.value[: match.start()]
        ends = [m.end() for m in re.finditer(r"[.!?»”]\s+|\n\s*\n|^\s*[-*>]\s+", before, re.M)]
        start = ends[-1] if ends else 0
        start += len(text.value[start:]) - len(text.value[start:].lstrip())
        rest = re.sub(r"(?m)^\s*(?:[-*>]|\d+\.)\s+", " ", text.value[start:])  # list marks
        words = MARKUP.sub("", rest).split()
        sentence = " ".join(words[:6]) + (" …" if len(words) > 6 else "")
        return text.pos_at(start), f"“{sentence}”"
    return None
