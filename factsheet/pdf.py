"""Stage 7, pdf: HTML and styles to PDF bytes with WeasyPrint, sandboxed.

The only module that imports WeasyPrint. WeasyPrint is lenient: it logs a
missing stylesheet, font or image and carries on. Here every warning it logs
is an error of the build, and so is any text set in a font we did not ship.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from factsheet.errors import Pos, Problem

STYLES_DIR = Path(__file__).resolve().parent.parent / "styles"
STYLESHEETS = ("page.css", "type.css", "components.css")
PAPER_SIZES = {"letter": "letter", "a4": "A4"}

# (family, style, font package, file): the fonts every sheet embeds.
FONT_FILES = (
    ("Source Serif 4", "normal", "fontpkg_source_serif_4", "SourceSerif4[opsz,wght].ttf"),
    ("Source Serif 4", "italic", "fontpkg_source_serif_4", "SourceSerif4-Italic[opsz,wght].ttf"),
    ("Source Sans 3", "normal", "fontpkg_source_sans_3", "SourceSans3[wght].ttf"),
    ("Source Sans 3", "italic", "fontpkg_source_sans_3", "SourceSans3-Italic[wght].ttf"),
)
FONT_FAMILIES = {family for family, *_ in FONT_FILES}


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    problems: list[Problem]


def font_path(package: str, filename: str) -> Path:
    return Path(str(resources.files(package) / "files" / filename))


def font_faces_css() -> str:
    rules = []
    for family, style, package, filename in FONT_FILES:
        url = font_path(package, filename).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-style: {style}; src: url("{url}"); }}'
        )
    return "\n".join(rules)


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


def write_pdf(
    html: str,
    base_dir: Path,
    where: Pos,
    updated: datetime.date,
    paper: str = "letter",
    styles_dir: Path = STYLES_DIR,
) -> PdfResult:
    """Lay out and write one PDF; problems cover logged warnings and foreign fonts."""
    missing = [name for name in STYLESHEETS if not (styles_dir / name).is_file()]
    if missing:
        return PdfResult(
            b"", 0, [Problem(where, f"stylesheet {styles_dir / n} is missing") for n in missing]
        )
    fetcher = SandboxedFetcher(
        [base_dir, styles_dir, *{font_path(p, f).parent for _, _, p, f in FONT_FILES}]
    )
    collector = LogCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    fonts = FontConfiguration()  # @font-face rules only take effect through this
    try:
        stylesheets = [
            weasyprint.CSS(string=font_faces_css(), url_fetcher=fetcher, font_config=fonts)
        ]
        stylesheets += [
            weasyprint.CSS(filename=str(styles_dir / name), url_fetcher=fetcher, font_config=fonts)
            for name in STYLESHEETS
        ]
        stylesheets.append(weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}"))
        document = weasyprint.HTML(
            string=html, base_url=str(base_dir.resolve()) + "/", url_fetcher=fetcher
        ).render(stylesheets=stylesheets, font_config=fonts)
        with source_date(updated):
            data = document.write_pdf(pdf_variant="pdf/ua-1")
    finally:
        logger.removeHandler(collector)
    problems = [Problem(where, f"refused resource {url}") for url in fetcher.refused]
    problems += [Problem(where, f"layout: {message}") for message in collector.messages]
    foreign = sorted({font.family for font in document.fonts.values()} - FONT_FAMILIES)
    if foreign:
        problems.append(
            Problem(
                where,
                "some text needs a glyph the embedded fonts lack and fell back to "
                + ", ".join(foreign),
            )
        )
    problems += [Problem(where, message) for message in misplaced_notes(document)]
    return PdfResult(data, len(document.pages), problems)


def misplaced_notes(document: weasyprint.Document) -> list[str]:
    """Notes that WeasyPrint lost or printed on another page than their call.

    WeasyPrint defers a footnote that does not fit to a later page, and in
    some layouts drops it: both would mislead a reader, so both fail the build.
    """
    calls: dict[str, int] = {}
    bodies: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():  # no public API for the box tree
            element = getattr(box, "element", None)
            if element is None or element.get("class") != "footnote":
                continue
            if box.element_tag.endswith("::footnote-call"):
                calls.setdefault(element.get("id"), number)
            elif box.element_tag == element.tag and box.__class__.__name__ == "BlockBox":
                bodies.setdefault(element.get("id"), number)
    messages = []
    for note_id, call_page in sorted(calls.items(), key=lambda item: int(item[0].split("-")[1])):
        label = note_id.replace("note-", "note ")
        if note_id not in bodies:
            messages.append(f"{label} (called on page {call_page}) was left out by the layout")
        elif bodies[note_id] != call_page:
            messages.append(
                f"{label} prints on page {bodies[note_id]} but is called on page {call_page}"
            )
    return messages
