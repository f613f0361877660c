"""Stage 2, check: rules that span keys and files, as a list of problems."""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from factsheet.errors import Pos, Problem
from factsheet.inline import MARKER
from factsheet.model import Content, Document, Note, Sheet, Source
from factsheet.review import stale_sections

PAPERS = ("letter", "a4")
SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def check_sheet(sheet: Sheet) -> list[Problem]:
    """Everything wrong with a loaded sheet that a single key cannot show."""
    return [*check_config(sheet), *check_sections(sheet), *check_sources(sheet)]


def check_config(sheet: Sheet) -> list[Problem]:
    config = sheet.config
    problems = []
    seen: set[str] = set()
    for lang in config.languages:
        where = config.pos_of("languages")
        if lang in seen:
            problems.append(Problem(where, f"language '{lang}' is listed twice"))
        seen.add(lang)
        try:
            Locale.parse(lang)
        except (ValueError, UnknownLocaleError):
            problems.append(Problem(where, f"unknown language code '{lang}'"))
    for lang, locale in config.locales.items():
        where = config.pos_of("locales")
        if lang not in config.languages:
            problems.append(Problem(where, f"locales: '{lang}' is not one of the languages"))
            continue
        try:
            parsed = Locale.parse(locale)
        except (ValueError, UnknownLocaleError):
            problems.append(Problem(where, f"locales: unknown locale '{locale}' for '{lang}'"))
            continue
        if parsed.language != Locale.parse(lang).language:
            problems.append(Problem(where, f"locales: '{locale}' is not a locale of '{lang}'"))
    if config.url and not re.fullmatch(r"https?://[^\s<>\"]+", config.url):
        problems.append(
            Problem(config.pos_of("url"), f"url must be a web address, not '{config.url}'")
        )
    if config.paper not in PAPERS:
        problems.append(
            Problem(config.pos_of("paper"), f"paper must be letter or a4, not '{config.paper}'")
        )
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
                    )
                )
            if section.id in seen:
                problems.append(
                    Problem(
                        section.pos,
                        f"section id '{section.id}' is used twice "
                        f"(first on line {seen[section.id]})",
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
            problems.append(Problem(section.pos, f"section '{section.id}' is not in {first_name}"))
    for section in first.sections:
        if section.id not in other_ids:
            problems.append(
                Problem(
                    other.title.pos,
                    f"section '{section.id}' of {first_name}:{section.pos.line} is missing",
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
                    )
                )
                break
    return problems


def check_sources(sheet: Sheet) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for source in sheet.sources:
        if not source.id:
            problems.append(Problem(source.pos, "source has no 'id'"))
            continue
        if source.id in seen:
            problems.append(
                Problem(
                    source.positions["id"],
                    f"duplicate source id '{source.id}' (first on line {seen[source.id]})",
                )
            )
        seen.setdefault(source.id, source.pos.line)
        for key in ("type", "title"):
            if not isinstance(source.csl.get(key), str) or not source.csl[key].strip():
                problems.append(Problem(source.pos, f"source '{source.id}' has no '{key}'"))
    return problems


def unknown_keys(notes: list[Note], sources: list[Source]) -> list[Problem]:
    """Citations of keys that no source has, each with the closest key as a hint."""
    known = [s.id for s in sources]
    problems = []
    for note in notes:
        for item in note.items:
            if item.key not in known:
                close = difflib.get_close_matches(item.key, known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(Problem(item.pos, f"unknown citation key '{item.key}'{hint}"))
    return problems


def check_documents(
    sheet: Sheet, docs: dict[str, Document], review_command: str = "make_pdf.py reviewed"
) -> list[Problem]:
    """Rules over the converted text of every language: sources cited, translations
    that say the same things as the reference (first) language, review records."""
    cited = {item.key for doc in docs.values() for note in doc.notes for item in note.items}
    known = {source.id for source in sheet.sources}
    problems = [p for doc in docs.values() for p in unknown_keys(doc.notes, sheet.sources)]
    problems += [
        Problem(source.pos, f"source '{source.id}' is not cited in any language", warning=True)
        for source in sheet.sources
        if source.id and source.id not in cited
    ]
    reference_lang = sheet.config.languages[0]
    if reference_lang not in docs:
        return problems
    command = f"{review_command} {sheet.root}"
    for lang, doc in docs.items():
        if lang != reference_lang:
            reference, translation = sheet.contents[reference_lang], sheet.contents[lang]
            problems += compare_documents(reference, docs[reference_lang], translation, doc, known)
            problems += stale_sections(reference, translation, command)
    return problems


@dataclass(frozen=True)
class Facts:
    """What a translation must keep from its reference, for one part of the sheet."""

    footnotes: int
    keys: Counter
    unknown_keys: int
    list_items: int
    quotes: int
    numbers: Counter
    links: Counter


def facts_of(fragment: str, notes: dict[int, Note], known_keys: set[str]) -> Facts:
    numbers_in = [int(n) for n in MARKER.findall(fragment)]
    in_notes = [notes[n] for n in numbers_in]
    text = html.unescape(re.sub(r"<[^>]+>", " ", MARKER.sub(" ", fragment)))
    text += " " + " ".join(html.unescape(re.sub(r"<[^>]+>", " ", n.html)) for n in in_notes)
    return Facts(
        footnotes=len(in_notes),
        keys=Counter(i.key for n in in_notes for i in n.items if i.key in known_keys),
        unknown_keys=sum(i.key not in known_keys for n in in_notes for i in n.items),
        list_items=fragment.count("<li>"),
        quotes=fragment.count("<blockquote>"),
        # Digit groups alone, so 1,000 and 1.000 and 2.5 and 2,5 compare equal.
        numbers=Counter(re.findall(r"\d+", text)),
        links=Counter(re.findall(r'href="([^"]+)"', fragment)),
    )


def parts_of(content: Content, doc: Document) -> list[tuple[str, Pos, str]]:
    """(label, position, html) for each part compared: lede, sections, credit."""
    parts = [("summary", content.summary.pos, doc.summary)]
    parts += [
        (f"section '{s.id}'", s.pos, f"{h.heading}\n{h.body}")
        for s, h in zip(content.sections, doc.sections, strict=True)
    ]
    if content.credit is not None:
        parts.append(("credit", content.credit.pos, doc.credit))
    return parts


def compare_documents(
    reference: Content,
    reference_doc: Document,
    translation: Content,
    doc: Document,
    known_keys: set[str],
) -> list[Problem]:
    """Each part of a translation against the same part of the reference.

    A part that cites a key no source has is not compared on its keys: the
    typo is reported once, as unknown, not again as a difference."""
    ref_notes = {n.number: n for n in reference_doc.notes}
    notes = {n.number: n for n in doc.notes}
    ref_parts = {label: (pos, facts_of(frag, ref_notes, known_keys))
                 for label, pos, frag in parts_of(reference, reference_doc)}  # fmt: skip
    name = Path(reference.path).name
    problems = []
    for label, pos, fragment in parts_of(translation, doc):
        if label not in ref_parts:
            continue  # missing and extra sections are reported by check_sections
        ref_pos, expected = ref_parts[label]
        found = facts_of(fragment, notes, known_keys)
        there = f"{name}:{ref_pos.line}"
        problems += [
            Problem(pos, message) for message in differences(label, found, expected, there)
        ]
    return problems


def differences(label: str, found: Facts, expected: Facts, there: str) -> list[str]:
    messages = []
    for attribute, what in (("footnotes", "footnotes"), ("list_items", "list items"),
                            ("quotes", "block quotes")):  # fmt: skip
        have, want = getattr(found, attribute), getattr(expected, attribute)
        if have != want:
            messages.append(f"{label} has {have} {what}, {there} has {want}")
    for attribute, verb, noun in (("keys", "cite", "citation of"),
                                  ("numbers", "have the number", "number"),
                                  ("links", "link to", "link to")):  # fmt: skip
        if attribute == "keys" and (found.unknown_keys or expected.unknown_keys):
            continue
        have, want = getattr(found, attribute), getattr(expected, attribute)
        for value in sorted((want - have).elements()):
            messages.append(f"{label} does not {verb} '{value}' as {there} does")
        for value in sorted((have - want).elements()):
            messages.append(f"{label} has an extra {noun} '{value}' that {there} lacks")
    return messages
