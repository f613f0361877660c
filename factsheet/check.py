"""Stage 2, check: rules that span keys and files, as a list of problems."""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError

from factsheet.errors import Problem
from factsheet.model import Content, Document, Sheet

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


def check_documents(sheet: Sheet, docs: dict[str, Document]) -> list[Problem]:
    """Rules over the converted text of every language."""
    cited = {item.key for doc in docs.values() for note in doc.notes for item in note.items}
    return [
        Problem(source.pos, f"source '{source.id}' is not cited in any language", warning=True)
        for source in sheet.sources
        if source.id and source.id not in cited
    ]
