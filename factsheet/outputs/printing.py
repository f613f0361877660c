"""What every printed kind shares: one edition laid out (fit + pdf) on its paper,
its PDF written with the problems placed where the writer can fix them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from factsheet.errors import Pos, Problem
from factsheet.model import Content, LayoutSettings, Task, Text
from factsheet.options import Options
from factsheet.sources.theme import theme_fonts

if TYPE_CHECKING:
    from factsheet.layout.fit import Fitted
    from factsheet.layout.pdf import Layout


@dataclass(frozen=True)
class Job:
    """One language of an edition, rendered for print, and how to lay it out."""

    task: Task
    print_html: str
    options: Options

    @property
    def paper(self) -> str:
        return self.options.make.paper or self.task.sheet.config.paper

    @property
    def where(self) -> Pos:
        return Pos(self.task.sheet.contents[self.task.docs[0].lang].path, 1, 1)

    def laid_out(self, print_shop: bool, mark_after: int = 0) -> Callable[[LayoutSettings], Layout]:
        """Lay the document out with given settings (what fit varies)."""
        from factsheet.layout.pdf import lay_out  # late: --check never loads WeasyPrint

        sheet = self.task.sheet

        def lay(settings: LayoutSettings) -> Layout:
            return lay_out(
                self.print_html, sheet.root, self.where, self.paper, print_shop, [settings],
                mark_after=mark_after, fonts=theme_fonts(sheet.config.theme),
            )  # fmt: skip

        return lay


def write_located(
    task: Task, layout: Layout, htmls: list[str], options: Options
) -> tuple[bytes, list[Problem]]:
    """The PDF of a layout; a glyph the fonts lack that the layout met is reported
    as the characters that caused it, each where it is written (a language file,
    sources.yaml or a catalog), as the check stage reports the ones it finds."""
    from factsheet.checks.glyphs import BODY, find_char, glyph_message, lacking, unprintable
    from factsheet.layout.pdf import GLYPH_FALLBACK, write_layout

    fonts = theme_fonts(task.sheet.config.theme)
    data, problems = write_layout(layout, task.sheet.config.updated)
    fallbacks = [p for p in problems if p.code == GLYPH_FALLBACK]
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
            code="glyph.missing",
            subject=char,
        )
        for char in chars
    ]
    return data, [p for p in problems if p not in fallbacks] + located


def pages_used(layout: Layout) -> float:
    """1.92 of a two-page budget: the pages before the last, and how full that is."""
    return round(layout.pages - 1 + (layout.fill.pages[-1] if layout.fill.pages else 1.0), 2)


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
        problems.append(Problem(pos, message, code="layout.note-misplaced"))
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
    found = first_sentence_past(layout, budget, sheet.contents[lang])
    if found is not None:
        pos, sentence = found
        message += f"; page {budget + 1} starts in the sentence at {pos} ({sentence})"
    else:  # no line of the language's file past the budget: the notes or sources run over
        path = sheet.contents[lang].path
        message += f"; page {budget + 1} holds no line of {path}, only notes or sources"
    longest = sorted(layout.fill.sections.items(), key=lambda item: -item[1])[:3]
    sizes = ", ".join(f"{name} ({lines:.0f})" for name, lines in longest)
    message += f"; the longest sections, in lines: {sizes}"
    if draft:
        message += f"; the draft PDF marks the pages past page {budget}"
    return Problem(sheet.config.pos_of("pages"), message, code="layout.over-budget")


def first_sentence_past(layout: Layout, budget: int, content: Content) -> tuple[Pos, str] | None:
    """The sentence of the language's file where the first page past the budget
    starts: the first lines there, three at a time (one alone may hold too few
    words to find), moving on past lines the file does not hold (a chart's
    labels, a heading made by the template)."""
    past = [line.text for line in layout.lines if line.page > budget]
    for start in range(min(len(past), 12)):
        found = locate_sentence(content, " ".join(past[start : start + 3]))
        if found is not None:
            return found
    return None


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
