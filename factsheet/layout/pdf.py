"""Stage 7, pdf: HTML and styles to PDF bytes with WeasyPrint, sandboxed.

The only module that imports WeasyPrint. WeasyPrint is lenient: it logs a
missing stylesheet, font or image and carries on. Here every warning it logs
is an error of the build, and so is any text set in a font we did not ship.
"""

from __future__ import annotations

import datetime
import functools
import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from factsheet.errors import FactsheetError, Pos, Problem
from factsheet.layout.instances import Face, static_faces, static_font_faces_css
from factsheet.layout.tags import DocumentTags, mend_tags
from factsheet.model import LayoutSettings
from factsheet.paths import FONT_FILES, STYLES_DIR, FontFile

STYLESHEETS = ("page.css", "type.css", "components.css")
PRINT_SHOP_STYLESHEET = "print-shop.css"
PRINT_SHOP_BLEED = 9  # points: the 0.125in of bleed a print shop asks for
PAPER_SIZES = {"letter": "letter", "a4": "A4"}

MISSING_GLYPH = "some text needs a glyph the embedded fonts lack"
GLYPH_FALLBACK = "glyph.fallback"  # the code of that problem, which the caller places
# A draft past its page budget: the pages over it tinted, with the template's
# `.over-budget` label (a running element, shown nowhere else) at their head.
OVER_BUDGET_CSS = """
@page :nth(n+%d) {
  background: #fbe9e7;
  @top-center { content: element(over-budget); }
}
"""


@dataclass(frozen=True)
class PageFill:
    """How full the laid-out pages are, measured on WeasyPrint's boxes."""

    line_height: float  # of body text, in CSS px
    pages: list[float]  # the used part of each page's content area, 0 to 1
    used_lines: list[float]  # the same, in body lines
    sections: dict[str, float]  # section id -> its height in body lines


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    problems: list[Problem]
    fill: PageFill | None = None


@dataclass(frozen=True)
class NotePlace:
    """Where one footnote's call and body landed, and what could carry the call over."""

    document: int  # which of the laid-out documents (a bilingual edition has several)
    note_id: str  # `<lang>-note-<n>`
    call_page: int
    note_page: int | None  # None: the layout left the note out
    # Elements (by document order) whose page break would take the call to a new page:
    # the block that was squeezed in below the call, then the call's own block.
    carry: tuple[int, ...] = ()

    @property
    def number(self) -> int:
        return int(self.note_id.rsplit("-", 1)[-1])

    @property
    def misplaced(self) -> bool:
        return self.note_page != self.call_page

    def describe(self) -> str:
        """What went wrong, as a reader would see it."""
        if self.note_page is None:
            return (
                f"note {self.number} (called on page {self.call_page}) was left out by the layout"
            )
        where = f"prints on page {self.note_page} but is called on page {self.call_page}"
        return f"note {self.number} {where}"


@dataclass(frozen=True)
class Line:
    """One line of the main text flow (not notes, not margins) as laid out."""

    page: int
    text: str


@dataclass
class Layout:
    """Laid-out documents, with what the fit stage and the build need to know of them."""

    pages: int
    notes: list[NotePlace]
    lines: list[Line]
    fill: PageFill
    problems: list[Problem]
    document: weasyprint.Document
    print_shop: bool
    where: Pos  # what problems found when writing it are reported against
    # For mending the structure tree once written (see document_tags): each document's
    # parsed HTML, pages, and what each page continues from the one before.
    roots: list[Element] = field(default_factory=list)
    page_counts: list[int] = field(default_factory=list)
    continued: list[dict[int, tuple[str, ...]]] = field(default_factory=list)
    mark_after: int = 0
    families: frozenset[str] = frozenset()  # the fonts it was laid out with

    @property
    def misplaced(self) -> list[NotePlace]:
        return [note for note in self.notes if note.misplaced]


class SandboxedFetcher(URLFetcher):
    """Fetches only files inside the allowed folders; refuses everything else."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed = [folder.resolve() for folder in allowed]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None):  # noqa: ANN201 - WeasyPrint's type
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed):
                return super().fetch(url, headers)
        elif parts.scheme == "data":
            return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"refused to fetch {url}: outside the project")


class LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0])


@contextmanager
def collected_warnings() -> Iterator[list[str]]:
    """What WeasyPrint logs meanwhile (it logs problems rather than raise them)."""
    collector = LogCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)


@contextmanager
def source_date(day: datetime.date) -> Iterator[None]:
    """Pin the timestamps fontTools writes into the fonts it instantiates.

    WeasyPrint instantiates variable fonts with fontTools, which stamps each
    font with the current time unless SOURCE_DATE_EPOCH is set: without this
    the same sheet would give different bytes on every build.
    """
    epoch = datetime.datetime.combine(day, datetime.time(), datetime.UTC).timestamp()
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


@functools.lru_cache(maxsize=2)
def font_setup(faces: tuple[Face, ...]) -> tuple[FontConfiguration, weasyprint.CSS]:
    """The fonts of every layout in this process, loaded once. WeasyPrint keeps
    what a FontConfiguration loads (fontconfig, Pango) for the life of the
    process: a new one at each layout grew a --jobs worker by about 1 MiB a
    sheet. @font-face rules only take effect through the configuration."""
    fonts = FontConfiguration()
    fetcher = SandboxedFetcher(sorted({face.path.parent for face in faces}))
    css = static_font_faces_css(list(faces))
    return fonts, weasyprint.CSS(string=css, url_fetcher=fetcher, font_config=fonts)


def lay_out(
    html: str | list[str],
    base_dir: Path,
    where: Pos,
    paper: str = "letter",
    print_shop: bool = False,
    settings: list[LayoutSettings] | None = None,
    styles_dir: Path = STYLES_DIR,
    mark_after: int = 0,
    fonts: tuple[FontFile, ...] = FONT_FILES,
) -> Layout:
    """Lay out one or more HTML documents (each with its own settings) in one PDF.

    Several documents (a bilingual edition) print one after the other, each
    keeping its own page numbers and bookmarks. With `print_shop`, the page gets
    bleed and crop marks (print-shop.css). With `mark_after`, a draft marks the
    pages past that many as over the budget. A missing stylesheet raises."""
    htmls = [html] if isinstance(html, str) else html
    settings = settings or [LayoutSettings()] * len(htmls)
    names = [*STYLESHEETS, PRINT_SHOP_STYLESHEET] if print_shop else list(STYLESHEETS)
    missing = [name for name in names if not (styles_dir / name).is_file()]
    if missing:
        raise FactsheetError(
            [
                Problem(where, f"stylesheet {styles_dir / n} is missing", code="file.not-found")
                for n in missing
            ]
        )
    fetcher = SandboxedFetcher([base_dir, styles_dir])
    with collected_warnings() as messages:
        config, faces_css = font_setup(tuple(static_faces(fonts=fonts)))
        stylesheets = [faces_css]
        stylesheets += [
            weasyprint.CSS(filename=str(styles_dir / name), url_fetcher=fetcher, font_config=config)
            for name in names
        ]
        stylesheets.append(weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}"))
        if mark_after:
            stylesheets.append(weasyprint.CSS(string=OVER_BUDGET_CSS % (mark_after + 1)))
        documents, orders, roots = [], [], []
        for text, chosen in zip(htmls, settings, strict=True):
            parsed = weasyprint.HTML(
                string=text, base_url=str(base_dir.resolve()) + "/", url_fetcher=fetcher
            )
            roots.append(parsed.etree_element)
            orders.append(apply_breaks(parsed.etree_element, chosen.breaks))
            extra = [weasyprint.CSS(string=properties_css(chosen.properties))]
            documents.append(parsed.render(stylesheets=stylesheets + extra, font_config=config))
        document = documents[0].copy([page for doc in documents for page in doc.pages])
    problems = [
        Problem(where, f"refused resource {url}", code="layout.refused-resource", subject=url)
        for url in fetcher.refused
    ]
    problems += [
        Problem(where, f"layout: {message}", code="layout.engine")
        for message in messages
        if not any(url in message for url in fetcher.refused)  # said once, above
    ]
    notes, lines, continued = read_flow(documents, orders)
    return Layout(
        pages=len(document.pages),
        notes=notes,
        lines=lines,
        fill=page_fill(document),
        problems=problems,
        document=document,
        print_shop=print_shop,
        where=where,
        roots=roots,
        page_counts=[len(laid.pages) for laid in documents],
        continued=continued,
        mark_after=mark_after,
        families=frozenset(font.family for font in fonts),
    )


def document_tags(layout: Layout) -> list[DocumentTags]:
    """What tags.py needs to know of each laid-out document that the PDF does not
    say; read from the HTML only for the layout that is written, not every try."""
    tags, first = [], 0
    for root, pages, runs_on in zip(layout.roots, layout.page_counts, layout.continued,
                                    strict=True):  # fmt: skip
        body = root.find("body")
        label = body.get("data-note-label", "Note") if body is not None else "Note"
        titles = {a.get("href"): a.get("title") for a in root.iter("a") if a.get("title")}
        note_spans, text_spans = span_languages(root)
        tags.append(
            DocumentTags(
                lang=root.get("lang", ""),
                first_page=first,
                pages=pages,
                note_label=label,
                link_titles=titles,
                note_span_langs=note_spans,
                text_span_langs=text_spans,
                kicker=text_of_class(root, "kicker"),
                sources_heading=text_of_class(root, "sources", "h2"),
                boxes_before_dates=1 if layout.mark_after and pages > layout.mark_after else 0,
                draft=root.find(".//*[@class='draft-mark']") is not None,
                continued=runs_on,
            )
        )
        first += pages
    return tags


UNTAGGED = {"qr", "draft-mark", "over-budget"}  # in the margins, or not part of the text


def text_of_class(root: Element, name: str, child: str = "") -> str:
    """The text of the first element of a class (or of its first `child` element)."""
    for element in root.iter():
        if name in (element.get("class") or "").split():
            target = element.find(f".//{child}") if child else element
            return " ".join("".join(target.itertext()).split()) if target is not None else ""
    return ""


def span_languages(root: Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The `lang` of every span (tags.py gives it back): those inside footnotes, then
    those of the text, each in document order."""
    parents = {child: parent for parent in root.iter() for child in parent}

    def inside(element: Element) -> set[str]:
        classes = set()
        while (element := parents.get(element)) is not None:
            classes.update((element.get("class") or "").split())
        return classes

    in_notes, in_text = [], []
    for span in root.iter("span"):
        around = inside(span)
        if "footnote" in (span.get("class") or "").split() or around & UNTAGGED:
            continue
        (in_notes if "footnote" in around else in_text).append(span.get("lang", ""))
    return tuple(in_notes), tuple(in_text)


def write_layout(layout: Layout, updated: datetime.date) -> tuple[bytes, list[Problem]]:
    """The PDF of a layout: tagged (PDF/UA-1), reproducible for the same `updated`.

    Problems, known only once the text is drawn: text set in a font we did not
    ship, or drawn as an empty box (.notdef) when no font on the machine has it."""
    with source_date(updated), collected_warnings() as messages:
        finisher = set_bleed_box if layout.print_shop else None
        data = layout.document.write_pdf(pdf_variant="pdf/ua-1", finisher=finisher)
    problems = []
    foreign = sorted({font.family for font in layout.document.fonts.values()} - layout.families)
    if foreign:
        message = f"{MISSING_GLYPH} and fell back to {', '.join(foreign)}"
        problems.append(Problem(layout.where, message, code="glyph.fallback"))
    data = mend_tags(data, document_tags(layout))
    for message in messages:
        code = "layout.engine"
        if ".notdef" in message:  # WeasyPrint's words: a glyph drawn as an empty box
            message = f"{MISSING_GLYPH} and no font has it ({message})"
            code = "glyph.fallback"
        problems.append(Problem(layout.where, f"layout: {message}", code=code))
    return data, problems


def write_pdf(
    html: str | list[str],
    base_dir: Path,
    where: Pos,
    updated: datetime.date,
    paper: str = "letter",
    print_shop: bool = False,
    styles_dir: Path = STYLES_DIR,
) -> PdfResult:
    """Lay out and write one PDF as it comes: no fitting; a misplaced note is a problem."""
    try:
        layout = lay_out(html, base_dir, where, paper, print_shop, styles_dir=styles_dir)
    except FactsheetError as exc:
        return PdfResult(b"", 0, exc.problems)
    data, problems = write_layout(layout, updated)
    problems += layout.problems
    problems += [
        Problem(where, place.describe(), code="layout.note-misplaced", subject=str(place.number))
        for place in layout.misplaced
    ]
    return PdfResult(data, layout.pages, problems, layout.fill)


def properties_css(properties: tuple[tuple[str, str], ...]) -> str:
    """Custom properties set after the stylesheets, so they win over their defaults."""
    if not properties:
        return ""
    return ":root { " + " ".join(f"{name}: {value};" for name, value in properties) + " }"


def apply_breaks(root: Element, breaks: frozenset[int]) -> dict[Element, int]:
    """Mark the elements that must start a new page (components.css: [data-fit-break]);
    returns every element's index in document order, the key `breaks` uses."""
    order = {element: index for index, element in enumerate(root.iter())}
    for element, index in order.items():
        if index in breaks:
            element.set("data-fit-break", "")
    return order


def thumbnail(pdf: bytes, width: int = 1200) -> bytes:
    """Page 1 as a PNG `width` pixels wide, for email and social previews."""
    import pypdfium2  # only needed when thumbnails are asked for

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=width / page.get_width()).to_pil()
        stream = io.BytesIO()
        image.save(stream, format="PNG", optimize=True)
        return stream.getvalue()
    finally:
        document.close()


def set_bleed_box(document: weasyprint.Document, pdf: object) -> None:
    """WeasyPrint puts the BleedBox at most 10pt outside the trim; make it 0.125in."""
    kids = pdf.pages["Kids"]  # type: ignore[attr-defined]
    for number in kids[::3]:  # pydyf keeps references flat: number, 0, "R"
        page = pdf.objects[number]  # type: ignore[attr-defined]
        left, top, right, bottom = page["TrimBox"]
        page["BleedBox"] = type(page["TrimBox"])(
            [left - PRINT_SHOP_BLEED, top - PRINT_SHOP_BLEED,
             right + PRINT_SHOP_BLEED, bottom + PRINT_SHOP_BLEED]
        )  # fmt: skip


def page_fill(document: weasyprint.Document) -> PageFill:
    """Measure the used height of each page and of each section, in body lines."""
    paragraph_lines = []
    fills, used_lines = [], []
    sections: dict[str, float] = {}
    for page in document.pages:
        page_box = page._page_box  # no public API for the box tree
        top = page_box.content_box_y()
        bottom = top
        notes_height = 0.0
        for child in page_box.children:
            if type(child).__name__ == "FootnoteAreaBox":
                notes_height = child.margin_height() if child.children else 0.0
                continue
            if type(child).__name__ == "MarginBox":
                continue
            for box in in_flow(child):
                element = getattr(box, "element", None)
                if type(box).__name__ == "LineBox":
                    bottom = max(bottom, box.position_y + box.height)
                    if element is not None and element.tag == "p":
                        paragraph_lines.append(box.height)
                elif box.element_tag == "section" and element.get("id"):
                    section_id = element.get("id")
                    sections[section_id] = sections.get(section_id, 0.0) + box.margin_height()
        available = page_box.height
        fills.append(min(1.0, (bottom - top + notes_height) / available))
        used_lines.append(bottom - top + notes_height)
    paragraph_lines.sort()
    line = paragraph_lines[len(paragraph_lines) // 2] if paragraph_lines else 16.0
    return PageFill(
        line_height=line,
        pages=fills,
        used_lines=[used / line for used in used_lines],
        sections={key: height / line for key, height in sections.items()},
    )


def in_flow(box: object) -> Iterator[object]:
    """A box and its descendants, less what is taken out of the flow (the draft mark
    is fixed on every page): measures of the text must not count it."""
    if getattr(box, "style", None) is not None and box.style["position"] in ("absolute", "fixed"):
        return
    yield box
    for child in getattr(box, "children", []):
        yield from in_flow(child)


CONTAINERS = {"html", "body", "main", "section", "div", "header", "footer"}
HEADINGS = {"h1", "h2", "h3", "h4"}


def read_flow(
    documents: list[weasyprint.Document], orders: list[dict[Element, int]]
) -> tuple[list[NotePlace], list[Line], list[dict[int, tuple[str, ...]]]]:
    """Where every note call and note body landed, the main text's lines, and for
    each document the elements each page continues from the page before (by
    tag, outermost first: a section, then the paragraph split across the break).

    The box tree has no public API, so this is the one place that walks it."""
    notes: list[NotePlace] = []
    lines: list[Line] = []
    continued: list[dict[int, tuple[str, ...]]] = []
    number = 0
    for index, (document, order) in enumerate(zip(documents, orders, strict=True)):
        parents = {child: parent for parent in order for child in parent}
        seen: set[Element] = set()  # elements whose first line came already
        started: set[Element] = set()  # those and their ancestors
        runs_on: dict[int, tuple[str, ...]] = {}
        continued.append(runs_on)
        calls: dict[str, tuple[int, Element, bool, int]] = {}  # id -> page, element, first, line
        bodies: dict[str, int] = {}
        page_lines: dict[int, list[tuple[Element, bool]]] = {}
        for page in document.pages:
            number += 1
            flow = page_lines.setdefault(number, [])
            for child in page._page_box.children:
                kind = type(child).__name__
                if kind == "MarginBox":
                    continue
                for box in in_flow(child):
                    element = getattr(box, "element", None)
                    if kind == "FootnoteAreaBox":
                        if type(box).__name__ == "BlockBox" and is_note(element):
                            bodies.setdefault(element.get("id"), number)
                        continue
                    if type(box).__name__ != "LineBox":
                        continue
                    first = element not in seen
                    if not flow and started:  # a page's first line, after the first page
                        chain = [*reversed(ancestors(element, parents)), element]
                        runs_on[number - 1] = tuple(
                            e.tag for e in chain if e in started and e.tag not in FRAME
                        )
                    seen.add(element)
                    started.update([element, *ancestors(element, parents)])
                    flow.append((element, first))
                    for inner in box.descendants():
                        if inner.element_tag.endswith("::footnote-call"):
                            call = (number, element, first, len(flow) - 1)
                            calls.setdefault(inner.element.get("id"), call)
                    lines.append(Line(number, line_text(box)))
        for note_id, (page, element, first, line) in calls.items():
            carry = []
            last, last_first = page_lines[page][-1]
            if line < len(page_lines[page]) - 1 and last_first and len(page_lines[page]) > 1:
                carry.append(order[carry_target(last, parents)])  # the block squeezed in below
            if line > 0 or not first:
                carry.append(order[carry_target(element, parents)])  # the call's own block
            notes.append(
                NotePlace(index, note_id, page, bodies.get(note_id), tuple(dict.fromkeys(carry)))
            )
    return notes, lines, continued


FRAME = {"html", "body", "main"}  # containers that no page break splits in the tags


def ancestors(element: Element, parents: dict[Element, Element]) -> list[Element]:
    found = []
    while (element := parents.get(element)) is not None:
        found.append(element)
    return found


def line_text(box: object) -> str:
    """The words of a line box as a reader sees them: no note call numbers."""
    if getattr(box, "element_tag", "").endswith("::footnote-call"):
        return ""
    if hasattr(box, "text"):
        return box.text
    return "".join(line_text(child) for child in getattr(box, "children", []))


def is_note(element: Element | None) -> bool:
    return element is not None and element.get("class") == "footnote"


def carry_target(element: Element, parents: dict[Element, Element]) -> Element:
    """The element to start a page with so that `element` opens the page: a list or
    quote that `element` opens moves whole, and so does the heading above it."""
    while (parent := parents.get(element)) is not None and parent.tag not in CONTAINERS:
        if parent[0] is not element or (parent.text or "").strip():
            break
        element = parent
    parent = parents.get(element)
    if parent is not None:
        siblings = list(parent)
        position = siblings.index(element)
        if position > 0 and siblings[position - 1].tag in HEADINGS:
            element = siblings[position - 1]
    return element
