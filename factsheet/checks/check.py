"""Stage 2, check: rules that span keys and files, as a list of problems."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol
from publicsuffixlist import PublicSuffixList

from factsheet.checks.glyphs import content_glyphs, source_glyphs
from factsheet.checks.limits import check_limits
from factsheet.document.charts import check_charts
from factsheet.document.cite import unknown_keys
from factsheet.document.inline import MARKER
from factsheet.errors import Pos, Problem
from factsheet.languages import profile
from factsheet.model import Content, Document, Note, Sheet
from factsheet.sources.blocks import (
    Block,
    aligned,
    block_pos,
    needs_no_translation,
    unit_keys,
)
from factsheet.sources.review import stale_sections
from factsheet.sources.theme import theme_fonts

PAPERS = ("letter", "a4")
SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Ids the templates give their own parts: a section may not take them.
RESERVED_ID = re.compile(r"^(?:sources|[a-z]{2,3}-(?:note|call)-\d+)$")


def check_sheet(sheet: Sheet) -> list[Problem]:
    """Everything wrong with a loaded sheet that a single key cannot show."""
    return [*check_config(sheet), *check_sections(sheet), *check_sources(sheet),
            *check_charts(sheet)]  # fmt: skip


def check_config(sheet: Sheet) -> list[Problem]:
    config = sheet.config
    problems = []
    seen: set[str] = set()
    for lang in config.languages:
        where = config.pos_of("languages")
        if lang in seen:
            message = f"language '{lang}' is listed twice"
            problems.append(Problem(where, message, code="sheet.duplicate-language", subject=lang))
        seen.add(lang)
    for lang, locale in config.locales.items():
        where = config.pos_of("locales")
        if lang not in config.languages:
            message = f"locales: '{lang}' is not one of the languages"
            problems.append(Problem(where, message, code="sheet.locale-language", subject=lang))
            continue
        try:
            parsed = Locale.parse(locale)
        except (ValueError, UnknownLocaleError):
            message = f"locales: unknown locale '{locale}' for '{lang}'"
            problems.append(Problem(where, message, code="sheet.unknown-locale", subject=locale))
            continue
        if parsed.language != profile(lang).language:
            message = f"locales: '{locale}' is not a locale of '{lang}'"
            problems.append(Problem(where, message, code="sheet.locale-mismatch", subject=locale))
    if config.updated < config.published:
        message = f"updated ({config.updated}) is earlier than published ({config.published})"
        problems.append(Problem(config.pos_of("updated"), message, code="sheet.dates"))
    if config.url and not re.fullmatch(r"https?://[^\s<>\"]+", config.url):
        message = f"url must be a web address, not '{config.url}'"
        problems.append(Problem(config.pos_of("url"), message, code="sheet.url"))
    if config.paper not in PAPERS:
        message = f"paper must be letter or a4, not '{config.paper}'"
        problems.append(Problem(config.pos_of("paper"), message, code="sheet.paper"))
    return problems


def check_sections(sheet: Sheet) -> list[Problem]:
    problems = []
    for content in sheet.contents.values():
        seen: dict[str, int] = {}
        for section in content.sections:
            if not SECTION_ID.match(section.id):
                problems.append(
                    Problem(
                        section.pos,
                        f"section id '{section.id}' must use lowercase letters, digits and '-'",
                        code="sheet.bad-section-id",
                        subject=section.id,
                    )
                )
            if RESERVED_ID.match(section.id):
                problems.append(
                    Problem(
                        section.pos,
                        f"section id '{section.id}' is the sheet's own (its source list or "
                        "notes use it): choose another",
                        code="sheet.section-id-reserved",
                        subject=section.id,
                    )
                )
            if section.id in seen:
                problems.append(
                    Problem(
                        section.pos,
                        f"section id '{section.id}' is used twice "
                        f"(first on line {seen[section.id]})",
                        code="sheet.duplicate-section-id",
                        subject=section.id,
                    )
                )
            seen.setdefault(section.id, section.pos.line)
    languages = [lang for lang in sheet.config.languages if lang in sheet.contents]
    if languages:
        first = sheet.contents[languages[0]]
        for lang in languages[1:]:
            problems += compare_section_ids(first, sheet.contents[lang])
    return problems


def compare_section_ids(first: Content, other: Content) -> list[Problem]:
    """Translations carry the same sections, in the same order."""
    first_ids = [s.id for s in first.sections]
    other_ids = [s.id for s in other.sections]
    if first_ids == other_ids:
        return []
    first_name = first.path.rsplit("/", 1)[-1]
    problems = []
    for section in other.sections:
        if section.id not in first_ids:
            message = f"section '{section.id}' is not in {first_name}"
            problems.append(
                Problem(section.pos, message, code="sheet.section-ids", subject=section.id)
            )
    for section in first.sections:
        if section.id not in other_ids:
            problems.append(
                Problem(
                    other.title.pos,
                    f"section '{section.id}' of {first_name}:{section.pos.line} is missing",
                    code="sheet.section-ids",
                    subject=section.id,
                )
            )
    common_first = [i for i in first_ids if i in other_ids]
    common_other = [i for i in other_ids if i in first_ids]
    if not problems and common_first != common_other:
        for section, expected in zip(
            [s for s in other.sections if s.id in first_ids], common_first, strict=True
        ):
            if section.id != expected:
                problems.append(
                    Problem(
                        section.pos,
                        f"section '{section.id}' is out of order: "
                        f"{first_name} has '{expected}' here",
                        code="sheet.section-ids",
                        subject=section.id,
                    )
                )
                break
    return problems


def check_sources(sheet: Sheet) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for source in sheet.sources:
        if not source.id:
            problems.append(
                Problem(source.pos, "source has no 'id'", code="source.missing-key", subject="id")
            )
            continue
        if source.id in seen:
            problems.append(
                Problem(
                    source.positions["id"],
                    f"duplicate source id '{source.id}' (first on line {seen[source.id]})",
                    code="source.duplicate-id",
                    subject=source.id,
                )
            )
        seen.setdefault(source.id, source.pos.line)
        for key in ("type", "title"):
            if not isinstance(source.csl.get(key), str) or not source.csl[key].strip():
                message = f"source '{source.id}' has no '{key}'"
                problems.append(
                    Problem(source.pos, message, code="source.missing-key", subject=key)
                )
    return problems


def check_documents(sheet: Sheet, docs: dict[str, Document]) -> list[Problem]:
    """Rules over the text of every language: characters the fonts can print, sources
    cited, translations that say the same things as the reference (first)
    language, review records."""
    fonts = theme_fonts(sheet.config.theme)
    problems = [p for c in sheet.contents.values() for p in content_glyphs(c, fonts)]
    problems += source_glyphs(sheet.sources, fonts)
    problems += check_limits(docs)
    cited = {item.key for doc in docs.values() for note in doc.notes for item in note.items}
    known = {source.id for source in sheet.sources}
    problems += [p for doc in docs.values() for p in unknown_keys(doc.notes, sheet.sources)]
    # A language whose citations could not be read says so itself: its sources
    # are not "uncited".
    every_language_read = len(docs) == len(sheet.contents)
    problems += [
        Problem(
            source.pos,
            f"source '{source.id}' is not cited in any language",
            warning=True,
            code="source.uncited",
            subject=source.id,
        )
        for source in sheet.sources
        if source.id and source.id not in cited and every_language_read
    ]
    reference_lang = sheet.config.languages[0]
    if reference_lang not in docs:
        return problems
    for lang, doc in docs.items():
        if lang != reference_lang:
            reference, translation = sheet.contents[reference_lang], sheet.contents[lang]
            problems += compare_documents(
                reference, docs[reference_lang], translation, doc, known, sheet.config.locales
            )
            problems += stale_sections(reference, translation, str(sheet.root))
            problems += block_lengths(reference, translation)
            problems += untranslated_blocks(reference, translation)
    return problems


def untranslated_blocks(reference: Content, translation: Content) -> list[Problem]:
    """Errors for blocks a translation still has in the reference's words (what an
    import leaves where no final translation came in): they fail the sheet, and
    `--draft` prints it marked as a draft (pipeline.prepare)."""
    name = Path(reference.path).name
    problems = []
    for source, field in aligned(reference, translation):
        if source.structure != field.structure:
            continue
        keys = unit_keys(source)
        for index, (ref_block, block) in enumerate(zip(source.blocks, field.blocks, strict=True)):
            if block.text != ref_block.text or needs_no_translation(block.text):
                continue
            there = f"{name}:{block_pos(source, ref_block).line}"
            message = (
                f"{describe(block, field.key)} (unit '{keys[index]}') is not translated: "
                f"it is {there} as written"
            )
            problems.append(
                Problem(
                    block_pos(field, block),
                    message,
                    code="translation.untranslated",
                    hint="translate it (export, then import), or build with --draft",
                    subject=block.key,
                )
            )
    return problems


BLOCK_WORDS = 8  # blocks shorter than this (in the longer language) are not compared
SHORT_BLOCK = 0.5  # a translation under this share of its source's length...
LONG_BLOCK = 2.0  # ...or over this multiple of it is worth a second look
# What a reader does not see of a block: citations, link targets, emphasis marks.
UNSEEN = re.compile(r"\[[^\]]*@[^\]]*\]|\]\([^)]*\)|[*_\[\]^]")


def block_lengths(reference: Content, translation: Content) -> list[Problem]:
    """Warnings for a paragraph or list item much shorter than its source (a
    sentence left out) or much longer (two blocks run together, as when one
    line of a two-line bullet is deleted). Spanish runs 15-30% longer than English."""
    name = Path(reference.path).name
    problems = []
    for source, field in aligned(reference, translation):
        if source.structure != field.structure:
            continue  # blocks do not pair up; the list and quote counts say why
        for ref_block, block in zip(source.blocks, field.blocks, strict=True):
            want, have = UNSEEN.sub("", ref_block.text), UNSEEN.sub("", block.text)
            if len(want.split()) >= BLOCK_WORDS and len(have) < SHORT_BLOCK * len(want):
                question = "was part of it left out?"
                what = "shorter"
            elif len(have.split()) >= BLOCK_WORDS and len(have) > LONG_BLOCK * len(want):
                question = "did two paragraphs or items run together?"
                what = "longer"
            else:
                continue
            there = f"{name}:{block_pos(source, ref_block).line}"
            message = (
                f"{describe(block)} is much {what} than in {there} ({len(have)} characters "
                f"against {len(want)}): {question}"
            )
            problems.append(
                Problem(block_pos(field, block), message, warning=True, code="parity.block-length")
            )
    return problems


def describe(block: Block, field_key: str = "") -> str:
    """ "section 'benefits', list item 'reduce el número de…'"."""
    where = block.key.partition("/")[0]
    if block.kind == "line":
        return f"the {field_key.replace('/', ' ')}" if field_key else "the line"
    kinds = {
        "item": "list item",
        "quote": "quoted paragraph",
        "title": "title (of a box or figures)",
        "cell": "table cell",
    }
    kind = kinds.get(block.kind, block.kind)
    place = f"section '{where}'" if where not in ("summary", "credit") else f"the {where}"
    words = block.text.split()
    start = " ".join(words[:5]) + ("…" if len(words) > 5 else "")
    return f"{place}, {kind} '{start}'"


@dataclass(frozen=True)
class Facts:
    """What a translation must keep from its reference, for one part of the sheet."""

    footnotes: int
    keys: Counter
    unknown_keys: int
    list_items: int
    quotes: int
    boxes: int
    charts: list[str]  # the ids of the charts placed, in order
    tables: list[tuple[int, int]]  # (rows, columns) of each table, header row included
    numbers: Counter  # value (a Decimal, or the text of a malformed number) -> how often
    written: dict[Decimal | str, str]  # each value as first written, for messages
    links: list[str]
    words: str = ""  # the plain text, lower case: where a number may be spelled out


# No-break, narrow no-break and thin spaces group digits in every language ("10 000").
SPACE_GROUPS = "\u00a0\u202f\u2009"
NUMBER = re.compile(rf"(?<!\d)\d+(?:[.,{SPACE_GROUPS}]\d+)*(?!\d)")


def number_value(written: str, locale: str) -> Decimal | str:
    """A number as `locale` writes it: "2,300.5" in English, "2.300,5" or "2300,5" in
    Spanish (the RAE writes four digits without a separator), "2,300.5" in es_MX.
    One the locale would not write so ("39.4" in Spanish) stays text, as written."""
    whole, _, part = written.partition(get_decimal_symbol(locale))
    groups = re.split(f"[{re.escape(get_group_symbol(locale))}{SPACE_GROUPS}]", whole)
    grouped = len(groups) == 1 or (
        len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    )
    digits = "".join(groups)
    if not grouped or not digits.isdigit() or (part and not part.isdigit()):
        return written
    return Decimal(f"{digits}.{part}" if part else digits)


def read_numbers(text: str, locale: str) -> list[tuple[Decimal | str, str]]:
    """Each number in `text`, read in `locale`: its value and how it was written."""
    return [(number_value(m[0], locale), m[0]) for m in NUMBER.finditer(text)]


def facts_of(fragment: str, notes: dict[int, Note], known_keys: set[str], locale: str) -> Facts:
    numbers_in = [int(n) for n in MARKER.findall(fragment)]
    in_notes = [notes[n] for n in numbers_in]
    text = html.unescape(re.sub(r"<[^>]+>", " ", MARKER.sub(" ", fragment)))
    text += " " + " ".join(html.unescape(re.sub(r"<[^>]+>", " ", n.html)) for n in in_notes)
    numbers = read_numbers(text, locale)
    written: dict[Decimal | str, str] = {}
    for value, as_written in numbers:
        written.setdefault(value, as_written)
    return Facts(
        footnotes=len(in_notes),
        keys=Counter(i.key for n in in_notes for i in n.items if i.key in known_keys),
        unknown_keys=sum(i.key not in known_keys for n in in_notes for i in n.items),
        list_items=fragment.count("<li>"),
        quotes=fragment.count("<blockquote>"),
        boxes=fragment.count('<div class="box">'),
        charts=re.findall(r"<!--chart-drawing:(.*?)-->", fragment),
        tables=[table_shape(table) for table in re.findall(r"<table>.*?</table>", fragment, re.S)],
        numbers=Counter(value for value, _ in numbers),
        written=written,
        links=re.findall(r'href="([^"]+)"', fragment),
        words=" ".join(text.lower().split()),
    )


def table_shape(table: str) -> tuple[int, int]:
    """(rows, columns) of a table's HTML."""
    rows = re.findall(r"<tr>.*?</tr>", table, re.S)
    return len(rows), max((len(re.findall(r"<t[hd][ >]", row)) for row in rows), default=0)


def spelled_out(value: Decimal | str, words: str, lang: str) -> bool:
    """Whether a translation writes the number in words, as ordinary style does for
    an integer up to a hundred or a round number ("veinticinco", "mil", "un
    millón"); num2words knows how in Spanish and many other languages."""
    if not isinstance(value, Decimal) or value != value.to_integral_value() or value < 2:
        return False  # "one" is also "un", "una", "um": an article, not a number
    number = int(value)
    if number > 100 and int(str(number)[1:] or 0) != 0:
        return False  # not round: 2300 stays in digits
    from num2words import num2words

    try:
        spelled = num2words(number, lang=profile(lang).language).lower()
    except (NotImplementedError, OverflowError):
        return False
    forms = {spelled}
    if spelled.endswith("uno"):  # "veintiún países", "una", "veintiuna"
        forms |= {spelled[:-3] + "ún", spelled[:-3] + "un", spelled[:-1] + "a"}
    if spelled == "cien":
        forms.add("ciento")
    forms |= {form.removeprefix("un ") for form in forms}  # "millón de", "mil"
    return any(re.search(rf"(?<!\w){re.escape(form)}(?!\w)", words) for form in forms)


@cache
def public_suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list shipped with the package: nothing is fetched


def site_of(url: str) -> str | None:
    """The site a web address belongs to, as its registrable domain (cdc.gov for
    www.cdc.gov, salud.gob.mx for www.salud.gob.mx); None for mail and the like."""
    parts = urlsplit(html.unescape(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    return public_suffixes().privatesuffix(host) or host


def unmatched_links(found: list[str], expected: list[str]) -> tuple[list[str], list[str]]:
    """The reference's links the translation lacks, and the translation's extra ones.

    A link matches the same address, or else a page of the same site: a translation
    may link to its own language's version (www.cdc.gov/heat-health/es/…,
    medlineplus.gov/spanish/…, espanol.nichd.nih.gov)."""
    same = Counter(found) & Counter(expected)
    extra = list((Counter(found) - same).elements())
    missing = []
    for url in (Counter(expected) - same).elements():
        site = site_of(url)
        partner = next((other for other in extra if site and site_of(other) == site), None)
        if partner is None:
            missing.append(url)
        else:
            extra.remove(partner)
    return missing, extra


def parts_of(content: Content, doc: Document) -> list[tuple[str, Pos, str]]:
    """(label, position, html) for each part compared: lede, sections, credit."""
    parts = [("summary", content.summary.pos, doc.summary)]
    parts += [
        (f"section '{s.id}'", s.pos, f"{h.heading}\n{h.body}")
        for s, h in zip(content.sections, doc.sections, strict=True)
    ]
    if content.credit is not None:
        parts.append(("credit", content.credit.pos, doc.credit))
    # A chart's alt text says what its shared data shows: the same numbers.
    parts += [
        (f"charts.{chart.id}.alt", chart.alt.pos, html.escape(chart.alt.value))
        for chart in content.charts
    ]
    return parts


def compare_documents(
    reference: Content,
    reference_doc: Document,
    translation: Content,
    doc: Document,
    known_keys: set[str],
    locales: dict[str, str] | None = None,
) -> list[Problem]:
    """Each part of a translation against the same part of the reference, each read
    in its own locale (`locales`: the sheet's, by language; else the language's own).

    A part that cites a key no source has is not compared on its keys: the
    typo is reported once, as unknown, not again as a difference."""
    reference_locale = profile(reference.lang, (locales or {}).get(reference.lang)).number_locale
    locale = profile(translation.lang, (locales or {}).get(translation.lang)).number_locale
    ref_notes = {n.number: n for n in reference_doc.notes}
    notes = {n.number: n for n in doc.notes}
    ref_parts = {label: (pos, facts_of(frag, ref_notes, known_keys, reference_locale))
                 for label, pos, frag in parts_of(reference, reference_doc)}  # fmt: skip
    name = Path(reference.path).name
    problems = []
    for label, pos, fragment in parts_of(translation, doc):
        if label not in ref_parts:
            continue  # missing and extra sections are reported by check_sections
        ref_pos, expected = ref_parts[label]
        found = facts_of(fragment, notes, known_keys, locale)
        there = f"{name}:{ref_pos.line}"
        problems += [
            Problem(pos, difference.message, code=difference.code, subject=difference.subject)
            for difference in differences(label, found, expected, there, translation.lang)
        ]
    return problems


class Difference(NamedTuple):
    """One way a part of a translation differs from the same part of the reference:
    the problem's code, its message, and what is missing or extra (a citation key,
    a number as written, a link), which an import uses to find the unit at fault."""

    code: str
    message: str
    subject: str = ""


# What a translation has as many of as its reference: (Facts attribute, the words
# for it, the problem's code).
COUNTED = (
    ("footnotes", "footnotes", "parity.footnotes"),
    ("list_items", "list items", "parity.list-items"),
    ("quotes", "block quotes", "parity.quotes"),
    ("boxes", "boxes", "parity.boxes"),
)


def differences(
    label: str, found: Facts, expected: Facts, there: str, lang: str
) -> list[Difference]:
    out = []
    for attribute, what, code in COUNTED:
        have, want = getattr(found, attribute), getattr(expected, attribute)
        if have != want:
            out.append(Difference(code, f"{label} has {have} {what}, {there} has {want}"))
    if found.charts != expected.charts:
        have, want = ", ".join(found.charts) or "none", ", ".join(expected.charts) or "none"
        message = f"{label} places the charts {have}, {there} places {want}"
        out.append(Difference("parity.charts", message))
    if len(found.tables) != len(expected.tables):
        message = f"{label} has {len(found.tables)} tables, {there} has {len(expected.tables)}"
        out.append(Difference("parity.tables", message))
    else:
        pairs = zip(found.tables, expected.tables, strict=True)
        for number, (have, want) in enumerate(pairs, start=1):
            if have != want:
                message = (
                    f"{label}: table {number} has {have[0]} rows and {have[1]} columns, "
                    f"{there} has {want[0]} and {want[1]}"
                )
                out.append(Difference("parity.table-shape", message, str(number)))
    if not (found.unknown_keys or expected.unknown_keys):
        missing = sorted((expected.keys - found.keys).elements())
        extra = sorted((found.keys - expected.keys).elements())
        out += [Difference("parity.citation-missing",
                           f"{label} does not cite '{key}' as {there} does", key)
                for key in missing]  # fmt: skip
        out += [Difference("parity.citation-extra",
                           f"{label} has an extra citation of '{key}' that {there} lacks", key)
                for key in extra]  # fmt: skip
    missing = sorted(
        expected.written[v]
        for v in (expected.numbers - found.numbers).elements()
        if not spelled_out(v, found.words, lang)
    )
    extra = sorted(found.written[v] for v in (found.numbers - expected.numbers).elements())
    out += [Difference("parity.number-missing",
                       f"{label} does not have the number '{number}' as {there} does", number)
            for number in missing]  # fmt: skip
    out += [Difference("parity.number-extra",
                       f"{label} has an extra number '{number}' that {there} lacks", number)
            for number in extra]  # fmt: skip
    missing_links, extra_links = unmatched_links(found.links, expected.links)
    out += [Difference("parity.link-missing",
                       f"{label} does not link to '{url}' as {there} does", url)
            for url in missing_links]  # fmt: skip
    out += [Difference("parity.link-extra",
                       f"{label} has an extra link to '{url}' that {there} lacks", url)
            for url in extra_links]  # fmt: skip
    return out
