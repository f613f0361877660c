"""The plain data that flows between stages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from factsheet.errors import Pos, Problem
from factsheet.paths import FONT_FILES, FontFile

GENERIC = {"serif": "serif", "sans": "sans-serif"}  # a font role's CSS fallback


@dataclass(frozen=True)
class Text:
    """A string from a YAML file that remembers where each character came from."""

    value: str
    pos: Pos
    # For literal block scalars (`|`) content lines map one to one onto source
    # lines, starting below the indicator at this 0-based column.
    block_indent: int | None = None
    # The whole scalar in the file, from its first character (a quote, `|`) to
    # just past its last: where a new value is written over it (blocks.py).
    extent: tuple[Pos, Pos] | None = None

    def pos_at(self, offset: int) -> Pos:
        """The source position of character `offset` of `value`."""
        before = self.value[:offset]
        line = before.count("\n")
        col = offset - (before.rfind("\n") + 1)
        if self.block_indent is None:
            # Plain or quoted scalar: exact on its first line, approximate after.
            if line == 0:
                return Pos(self.pos.path, self.pos.line, self.pos.col + col)
            return self.pos
        return Pos(self.pos.path, self.pos.line + 1 + line, self.block_indent + col + 1)


@dataclass(frozen=True)
class Theme:
    name: str
    colors: dict[str, str] = field(default_factory=dict)
    organization: dict[str, str] = field(default_factory=dict)  # by language
    contact: dict[str, str] = field(default_factory=dict)  # by language
    logo: str = ""  # a data: URI, so print and web page need no file beside them
    logo_alt: dict[str, str] = field(default_factory=dict)  # by language
    fonts: tuple[FontFile, ...] = FONT_FILES
    # A colour's CMYK for the press, 0 to 100 each, where the theme gives one
    # beside its RGB (`brand: {rgb: "#0d4d6b", cmyk: [90, 45, 20, 30]}`).
    cmyk: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)

    def css(self) -> str:
        """The brand colours and fonts as the custom properties the styles use."""
        values = [f"--{key}: {value}" for key, value in sorted(self.colors.items())]
        values += [
            f'--{font.role}: "{font.family}", {GENERIC[font.role]}'
            for font in self.fonts
            if font.style == "normal" and font not in FONT_FILES
        ]
        css = f":root {{ {'; '.join(values)} }}" if values else ""
        return css + self.margin_css()

    def margin_css(self) -> str:
        """The page's margin boxes (dates, page numbers) take no custom properties in
        WeasyPrint 70: page.css names the default sans and muted colour, and a
        theme that changes them says so again here."""
        sans = next(f for f in self.fonts if f.role == "sans" and f.style == "normal")
        if sans in FONT_FILES and "muted" not in self.colors:
            return ""
        look = f'font-family: "{sans.family}", sans-serif'
        if "muted" in self.colors:
            look += f"; color: {self.colors['muted']}"
        boxes = " ".join(f"@bottom-{side} {{ {look} }}" for side in ("left", "right"))
        return f"\n@page {{ {boxes} }}\n.qr {{ {look} }}"


@dataclass(frozen=True)
class ReadingLevel:
    """sheet.yaml's `reading-level:` (checks/reading.py)."""

    on: bool = True
    # Per language, a target on its scale; None turns that language off; a
    # language not here has its scale's default.
    targets: dict[str, float | None] = field(default_factory=dict)
    sentence_words: int = 25  # a sentence longer than this is flagged
    strict: bool = False  # over target is an error, not a warning


@dataclass(frozen=True)
class SheetConfig:
    """sheet.yaml: what every language of a sheet shares."""

    path: str
    languages: list[str]
    published: datetime.date
    updated: datetime.date
    pages: int
    paper: str
    citation_style: str
    bibliography: bool
    # Per language, a Babel locale other than the default (es: es_MX).
    locales: dict[str, str] = field(default_factory=dict)
    url: str = ""  # where the sheet lives online: printed with a QR code when set
    fit: bool = True  # copyfit a language that runs a little past its budget (fit.py)
    theme_name: str = "default"  # themes/<name>/theme.yaml
    theme: Theme | None = None  # loaded and checked by load_sheet
    reading_level: ReadingLevel = field(default_factory=ReadingLevel)
    print_condition: str = "coated"  # print-shop: {condition: …} (outputs/pdfx.py)
    positions: dict[str, Pos] = field(default_factory=dict)

    def pos_of(self, key: str) -> Pos:
        return self.positions.get(key, Pos(self.path, 1, 1))


@dataclass(frozen=True)
class Section:
    id: str
    pos: Pos
    heading: Text
    body: Text
    # In a translation: the hash of the reference section it was last reviewed
    # against (see review.py); None when it was never marked reviewed.
    translated_from: Text | None = None


@dataclass(frozen=True)
class ChartWords:
    """<lang>.yaml `charts: {<id>: ...}`: what one chart says in one language."""

    id: str
    pos: Pos
    alt: Text  # the chart for a reader who cannot see it
    fields: dict[str, Text]  # data column -> its axis or legend title
    labels: dict[str, Text] = field(default_factory=dict)  # data value -> its label


@dataclass(frozen=True)
class Content:
    """<lang>.yaml: the words of one language."""

    lang: str
    path: str
    title: Text
    subtitle: Text | None
    summary: Text
    sections: list[Section]
    credit: Text | None
    charts: list[ChartWords] = field(default_factory=list)
    # The review record of the title, subtitle, summary and credit, reviewed
    # together as the section FRONT (review.py); None when never reviewed.
    translated_from: Text | None = None


@dataclass(frozen=True)
class Source:
    """One entry of sources.yaml, already in CSL-JSON shape for citeproc."""

    id: str
    pos: Pos
    csl: dict
    positions: dict[str, Pos] = field(default_factory=dict)


@dataclass(frozen=True)
class Sheet:
    slug: str
    root: Path
    config: SheetConfig
    contents: dict[str, Content]
    sources: list[Source]
    sources_path: str


@dataclass(frozen=True)
class CiteItem:
    """One source inside a citation: `[see @key, p. 33]`."""

    key: str
    pos: Pos
    prefix: str = ""
    suffix: str = ""
    locator: str = ""
    label: str = "page"


@dataclass(frozen=True)
class Note:
    """One footnote in reading order: a citation (items) or an author's note (html)."""

    number: int
    pos: Pos
    items: tuple[CiteItem, ...] = ()
    html: str = ""


@dataclass(frozen=True)
class SectionHTML:
    id: str
    heading: str
    body: str


@dataclass(frozen=True)
class Document:
    """One language of a sheet as HTML fragments; notes are marked by number."""

    lang: str
    title: str
    subtitle: str
    summary: str
    sections: list[SectionHTML]
    credit: str
    notes: list[Note]


@dataclass(frozen=True)
class LayoutSettings:
    """How the fit stage changes one document's layout: a copyfit level (its custom
    property values) and the elements that must start a new page."""

    level: int = 0
    breaks: frozenset[int] = frozenset()  # elements, by their index in document order
    properties: tuple[tuple[str, str], ...] = ()  # (--name, value), set after the styles


@dataclass(frozen=True, order=True)
class Edition:
    """What a build makes files for: one sheet in one language, or in several at
    once (the bilingual edition). With no languages, every language of the sheet
    (a sheet that failed before any language could be built)."""

    slug: str
    langs: tuple[str, ...] = ()

    @property
    def combined(self) -> bool:
        return len(self.langs) > 1

    @property
    def whole_sheet(self) -> bool:
        return not self.langs

    def covers(self, other: Edition) -> bool:
        """Whether `other`'s files stand or fall with this edition: the same one, any
        edition of a whole sheet that failed, or a bilingual edition with a language
        that failed."""
        if other.slug != self.slug:
            return False
        return (
            self.whole_sheet
            or other == self
            or (not self.combined and self.langs[0] in other.langs)
        )

    def __str__(self) -> str:
        """How people see it, in progress bars: decriminalization.es."""
        return f"{self.slug}.{'-'.join(self.langs) or '*'}"


@dataclass(frozen=True)
class Task:
    """One edition to make: its sheet, loaded, checked and converted to HTML fragments,
    one document per language."""

    sheet: Sheet
    docs: tuple[Document, ...]
    # Where fit starts, per document: a copyfit level shared by the sheet's
    # languages, and for the bilingual edition the settings each language ended with.
    start: tuple[LayoutSettings, ...] = ()

    @property
    def edition(self) -> Edition:
        return Edition(self.sheet.slug, tuple(doc.lang for doc in self.docs))

    @property
    def combined(self) -> bool:
        return self.edition.combined


@dataclass(frozen=True)
class TaskResult:
    """What making one edition gave: its files' bytes by output kind, and problems."""

    task: Task
    problems: list[Problem]
    files: dict[str, bytes] = field(default_factory=dict)  # output kind's key -> bytes
    settings: tuple[LayoutSettings, ...] = ()  # what fit chose, per document
    # A --draft past its page budget: the task failed, but its PDF, with the pages
    # over the budget marked, is written so the writer can see what to cut.
    overflow_draft: bool = False
    # Problems of one output alone (by kind): the print-shop PDF can fail while the
    # office PDF, thumbnail and web page stand.
    output_problems: dict[str, list[Problem]] = field(default_factory=dict)
    # The web page's font files (path in the output folder -> bytes, or None when
    # that very file is there already).
    web_fonts: dict[str, bytes | None] = field(default_factory=dict)
    # Pages used of the budget, the last one counted by how full it is (1.92 of 2).
    pages_used: float = 0.0


@dataclass(frozen=True)
class Unit:
    """One block to translate, as the exports write it (exchange.py)."""

    key: str  # "overview/p/3f2a9c1b": its section, kind and English (blocks.unit_keys)
    source: str  # the reference block's Markdown
    target: str  # the translation's, "" when there is none yet
    where: Pos  # the reference block's place, named by its file alone: en.yaml:17
    note: str  # what the translator should know: what it is, what it cites
    review: bool  # the reference changed since review, or the translation was never reviewed
    previous: str = ""  # the reference text as it was reviewed, when it changed
    place: str = ""  # the reference block's place in its file, "overview/2" (blocks.Block.key)


@dataclass(frozen=True)
class Imported:
    """One unit read back from a translator's PO or XLIFF file."""

    key: str
    source: str  # the reference text it was exported with
    target: str
    review: bool  # still marked fuzzy / for review
    line: int  # where it is in that file


@dataclass(frozen=True)
class Exchange:
    """What an exported file says about itself: which sheet, which languages."""

    sheet: str  # the sheet's folder name (slug)
    source_lang: str
    target_lang: str
    command: str = ""  # what to run once translated, for the file's header


@dataclass(frozen=True)
class ImportedFile:
    header: Exchange
    units: list[Imported]
