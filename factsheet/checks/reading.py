"""The reading level of each language of a sheet, measured on what a reader reads,
and the sentences that make it hard, at their place in the language's file.

What is measured: the title, subtitle, summary, headings and bodies: paragraphs,
list items, boxes and key figures, chart titles, table cells. What is not:
citations, notes (`^[...]`), URLs, Markdown and HTML syntax, the source list
(which is not in these files), the credit line and charts' alt text. They are
blanked out of the Markdown with spaces, so every character left keeps its
offset and so its `file:line:col`. Each paragraph, list item, heading and cell
is split into sentences by pysbd; one without a full stop is a sentence of its
own, as a reader takes it. A quotation (`>`) is measured but never flagged:
quotations stay verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from factsheet.checks.readability import Counts, Scale, counts_of, scale_of, words_of
from factsheet.errors import Pos, Problem
from factsheet.model import Content, ReadingLevel, Sheet, Text
from factsheet.sources.syntax import FENCE_HEAD

MASKED = [
    re.compile(r"!\[[^\]]*\]\([^)]*\)"),  # an image: its alt is not on the page
    re.compile(r"\[[^\[\]]*@[^\[\]]*\]"),  # a citation: [@key, p. 3]
    re.compile(r"(?<![\w.])-?@[\w:.#$%&+?<>~/-]*\w"),  # a bare citation: @key
    re.compile(r"\]\([^)]*\)"),  # a link's address: [words](address)
    re.compile(r"<[^>\n]*>"),  # an autolink or an HTML tag
    re.compile(r"\b(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)]"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # an address
    re.compile(r"[*`\[\]]|(?<!\w)_|_(?!\w)|\\"),  # emphasis, code, brackets
]
LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
HEADING = re.compile(r"[ \t]*#{1,6}[ \t]+")
QUOTE = re.compile(r"[ \t]*>[ \t]?")
TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*")


@dataclass(frozen=True)
class Piece:
    """A run of text read as a unit (a paragraph, an item, a cell): its masked
    words and where they start in the Text's value."""

    text: str
    start: int
    quoted: bool


@dataclass(frozen=True)
class Sentence:
    counts: Counts
    pos: Pos
    words: int
    quoted: bool
    start: str  # its first words, to name it in a message


def blank(text: str, start: int, end: int) -> str:
    """`text` with [start, end) turned to spaces (newlines kept)."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def blank_notes(text: str) -> str:
    """Inline notes `^[...]`, brackets nested: measured apart from the body, if at all."""
    at = text.find("^[")
    while at != -1:
        depth, end = 0, at + 1
        while end < len(text):
            depth += {"[": 1, "]": -1}.get(text[end], 0)
            end += 1
            if depth == 0:
                break
        text = blank(text, at, end)
        at = text.find("^[", end)
    return text


def masked(value: str) -> str:
    """The words a reader reads, everything else turned to spaces."""
    text = blank_notes(value)
    for pattern in MASKED:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    return text


def pieces(value: str) -> Iterator[Piece]:
    """The paragraphs, list items, headings, box titles and table cells of a
    Markdown text, masked, with their offsets in it."""
    text = masked(value)
    current: list[tuple[int, str]] = []  # (offset, line's words) of the open paragraph
    quoted = False

    def close() -> Iterator[Piece]:
        if current:
            start = current[0][0]
            joined = " ".join(line for _, line in current)
            # Offsets stay right: each newline was one character, as the space is.
            yield Piece(joined, start, quoted)
        current.clear()

    offset = 0
    for line in text.split("\n"):
        at, words = offset, line
        offset += len(line) + 1
        quote = QUOTE.match(words)
        if quote:
            words = " " * quote.end() + words[quote.end() :]
        if not words.strip() or TABLE_RULE.fullmatch(words) or words.strip() == ":::":
            yield from close()
            continue
        fence = FENCE_HEAD.match(words) if words.lstrip().startswith(":::") else None
        if fence or HEADING.match(words) or "|" in words.strip()[:1]:
            yield from close()
            yield from line_pieces(words, at, bool(quote), fence.end() if fence else 0)
            continue
        item = LIST_ITEM.match(words)
        if item:
            yield from close()
            words = " " * item.end() + words[item.end() :]
        if not current:
            quoted = bool(quote)
        current.append((at, words))
    yield from close()


def line_pieces(words: str, at: int, quoted: bool, skip: int) -> Iterator[Piece]:
    """A line that stands alone: a fence's title, a heading, a table row's cells."""
    words = " " * skip + words[skip:]
    heading = HEADING.match(words)
    if heading:
        words = " " * heading.end() + words[heading.end() :]
    if "|" not in words:
        yield Piece(words, at, quoted)
        return
    start = 0
    for cell in words.split("|"):
        if cell.strip():
            yield Piece(cell, at + start, quoted)
        start += len(cell) + 1


@cache
def segmenter(lang: str) -> object:
    import pysbd

    return pysbd.Segmenter(language=lang, clean=False, char_span=True)


INNER_STOP = re.compile(r"[.!?…:;]\S*\s+\S")


@dataclass(frozen=True)
class Span:
    sent: str
    start: int


# A plain sentence end: a stop after a lowercase word of four letters or more, or
# after a figure or a closing mark, then space and a capital (or an opening mark).
PLAIN_END = re.compile(
    r"(?:(?<=[a-záéíóúüñ]{4})|(?<=[0-9%)”’»\]]))[.!?]+[”’»)]?\s+(?=[«“‘¿¡(]?[A-ZÁÉÍÓÚÑ])"
)
# What only pysbd reads right: any other stop inside the text (U.S., p. 12,
# EE. UU., Dr., etc., an ellipsis) or a stop not followed by a capital.
ANY_STOP = re.compile(r"[.!?…:;]")
QUOTES = re.compile(r"[“«\"]")


def spans(split: object, text: str) -> list[Span]:
    """pysbd's sentences; the whole text when no stop is inside it (a heading, an
    item); and the plain ends' split when every stop inside is a plain end.
    pysbd builds regular expressions per call, most of the check's cost, and
    most paragraphs have only plain ends."""
    body = text.strip()
    if not INNER_STOP.search(body):
        return [Span(text, 0)]
    if QUOTES.search(text):
        return pysbd_spans(split, text)  # pysbd keeps a quotation one sentence
    ends = list(PLAIN_END.finditer(text))
    inner = len(ANY_STOP.findall(text.rstrip().rstrip("”’»)").rstrip(".!?…")))
    if ends and inner == sum(len(ANY_STOP.findall(end[0])) for end in ends):
        starts = [0, *(end.end() for end in ends)]
        stops = [*(end.end() for end in ends), len(text)]
        return [Span(text[a:b], a) for a, b in zip(starts, stops, strict=True)]
    return pysbd_spans(split, text)


def pysbd_spans(split: object, text: str) -> list[Span]:
    found = split.segment(text)  # type: ignore[attr-defined]
    return [Span(span.sent, span.start) for span in found]


def sentences_of(text: Text | None, scale: Scale) -> Iterator[Sentence]:
    if text is None:
        return
    split = segmenter(scale.lang)
    for piece in pieces(text.value):
        if not piece.text.strip():
            continue
        for span in spans(split, piece.text):
            words = words_of(span.sent)
            if not any(word[0].isalpha() for word in words):
                continue  # a cell or figure of numbers alone: no sentence to read
            lead = len(span.sent) - len(span.sent.lstrip())
            pos = text.pos_at(piece.start + span.start + lead)
            opening = " ".join(span.sent.split()[:6])
            counts = counts_of(words, scale.syllables)
            yield Sentence(counts, pos, len(words), piece.quoted, opening)


@dataclass(frozen=True)
class Part:
    """A part of a sheet measured alone: a section, or the title and summary."""

    name: str
    pos: Pos
    sentences: list[Sentence]

    @property
    def counts(self) -> Counts:
        return sum((s.counts for s in self.sentences), Counts())


def parts_of(content: Content, scale: Scale) -> list[Part]:
    top = [content.title, content.subtitle, content.summary]
    parts = [Part("summary", content.title.pos, [s for t in top for s in sentences_of(t, scale)])]
    for section in content.sections:
        found = [*sentences_of(section.heading, scale), *sentences_of(section.body, scale)]
        parts.append(Part(section.id, section.pos, found))
    return [part for part in parts if part.sentences]


@dataclass(frozen=True)
class Measure:
    """One language's figures: the judged score, the others, the target."""

    lang: str
    scale: Scale | None
    score: float = 0.0
    others: tuple[tuple[str, float], ...] = ()
    target: float | None = None

    @property
    def over(self) -> bool:
        if self.scale is None or self.target is None:
            return False
        return not self.scale.meets(self.score, self.target)

    def __str__(self) -> str:
        if self.scale is None:
            return f"{self.lang}: not measured"
        target = "" if self.target is None else f" (target {self.scale.target_text(self.target)})"
        return f"{self.lang}: {self.scale.name} {self.scale.score_text(self.score)}{target}"


def target_of(level: ReadingLevel, lang: str, scale: Scale) -> float | None:
    if lang in level.targets:
        return level.targets[lang]
    return scale.default_target


def check_reading(sheet: Sheet) -> tuple[list[Problem], str]:
    """Each language's reading level against its target, and over it the sentences
    that make it hard; with the summary line, "en: grade 7.4 (target 8) · ..."."""
    level = sheet.config.reading_level
    if not level.on:
        return [], ""
    problems = check_targets(sheet)
    measures = []
    for lang in sheet.config.languages:
        content = sheet.contents.get(lang)
        if content is None:
            continue
        scale = scale_of(lang)
        if scale is None:
            measures.append(Measure(lang, None))
            continue
        parts = parts_of(content, scale)
        total = sum((part.counts for part in parts), Counts())
        if not total.words:
            continue
        measure = Measure(
            lang, scale, scale.judged(total),
            tuple((name, formula(total)) for name, formula in scale.others),
            target_of(level, lang, scale),
        )  # fmt: skip
        measures.append(measure)
        if measure.over:
            problems += over_target(content, measure, parts, level)
    return problems, " · ".join(str(m) for m in measures)


def over_target(
    content: Content, measure: Measure, parts: list[Part], level: ReadingLevel
) -> list[Problem]:
    """The language's figures, its hardest parts, and each sentence over the limit."""
    scale = measure.scale
    assert scale is not None and measure.target is not None
    scored = [(scale.judged(part.counts), part) for part in parts]
    scored.sort(key=lambda item: item[0], reverse=scale.lower_is_easier)
    hardest = ", ".join(f"{part.name} ({scale.score_text(score)})" for score, part in scored[:3])
    others = "; ".join(f"{name} {value:.1f}" for name, value in measure.others)
    message = (
        f"reading level: {scale.name} {scale.score_text(measure.score)}, target "
        f"{scale.target_text(measure.target)} ({others}); hardest: {hardest}"
    )
    hint = "shorter sentences and shorter words bring it down; see the sentences flagged"
    warn = not level.strict
    where = Pos(content.path, content.title.pos.line, 1)
    problems = [
        Problem(where, message, warn, code="reading.over-target", hint=hint, subject=content.lang)
    ]
    limit = level.sentence_words
    for part in parts:
        for sentence in part.sentences:
            if sentence.words > limit and not sentence.quoted:
                message = (
                    f"a sentence of {sentence.words} words (limit {limit}): “{sentence.start} …”"
                )
                hint = "split it, or say less in it"
                code = "reading.long-sentence"
                problems.append(
                    Problem(sentence.pos, message, warn, code=code, hint=hint, subject=part.name)
                )
    return problems


def check_targets(sheet: Sheet) -> list[Problem]:
    """Targets for languages the sheet has, on a scale built in, within its range."""
    config = sheet.config
    problems = []
    for lang, target in config.reading_level.targets.items():
        where = config.pos_of(f"reading-level.{lang}")
        scale = scale_of(lang)
        if lang not in config.languages:
            message = f"reading-level: '{lang}' is not one of the languages"
            problems.append(Problem(where, message, code="reading.unknown-language", subject=lang))
        elif scale is None and target is not None:
            message = f"reading-level: no formula for '{lang}' is built in; it is not measured"
            hint = f"set '{lang}: off'"
            problems.append(
                Problem(where, message, code="reading.no-formula", hint=hint, subject=lang)
            )
        elif target is not None and scale is not None and not 0 <= target <= 100:
            message = f"reading-level: {target:g} is not a {scale.name} (0 to 100)"
            problems.append(Problem(where, message, code="reading.bad-target", subject=lang))
    return problems
