"""Translation review records: which version of the reference text a translated
section was last checked against.

Each translated section may carry `translated-from: <hash> <hash>`: the short
hash of the reference language's section (heading and body) and of the
translated section itself, at the time a translator reviewed it. When either
text changes, its hash differs and the section is reported until the
translator reviews it again and runs `make_pdf.py reviewed SHEET_DIR LANG
[SECTION ...]`: an edit to the English, and just as well a sentence added to
the Spanish alone after its review.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from factsheet.errors import FactsheetError, Pos, Problem
from factsheet.model import Content, Section, Sheet

HASH_LENGTH = 10


def section_hash(section: Section) -> str:
    """The hash of what a section says: its words and paragraphs, not where its
    lines break (rewrapping a paragraph is not an edit)."""
    text = f"{section.heading.value}\n\n{section.body.value}"
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return hashlib.sha256("\n\n".join(paragraphs).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def review_record(reference: Section, translation: Section) -> str:
    """What `translated-from:` holds once a translator has reviewed `translation`."""
    return f"{section_hash(reference)} {section_hash(translation)}"


def stale_sections(reference: Content, translation: Content, command: str) -> list[Problem]:
    """Warnings for sections not reviewed since their reference section, or they
    themselves, last changed."""
    sources = {s.id: s for s in reference.sections}
    name = Path(reference.path).name
    own_name = Path(translation.path).name
    problems = []
    for section in translation.sections:
        source = sources.get(section.id)
        if source is None:
            continue  # a missing or extra section is the parity check's error
        hint = f"once reviewed, run: {command} {translation.lang} {section.id}"
        record = section.translated_from
        if record is None:
            message = f"section '{section.id}' has no review record (translated-from); {hint}"
            problems.append(Problem(section.pos, message, warning=True))
            continue
        reference_hash, _, own_hash = record.value.partition(" ")
        if reference_hash != section_hash(source):
            message = (
                f"section '{section.id}' is out of date: {name}:{source.pos.line} changed "
                f"since it was reviewed; {hint}"
            )
        elif own_hash.strip() != section_hash(section):
            message = (
                f"section '{section.id}' changed in {own_name} since it was reviewed "
                f"against {name}:{source.pos.line}; {hint}"
            )
        else:
            continue
        problems.append(Problem(record.pos, message, warning=True))
    return problems


def mark_reviewed(sheet: Sheet, lang: str, section_ids: list[str]) -> list[str]:
    """Record in <lang>.yaml that sections match the reference as it is now.

    Edits only the `translated-from:` lines (or adds one under the `id:`), so
    comments and formatting in the file stay as the translator wrote them.
    Returns the ids marked.
    """
    reference_lang = sheet.config.languages[0]
    if lang == reference_lang or lang not in sheet.contents:
        where = sheet.config.pos_of("languages")
        raise FactsheetError([Problem(where, f"'{lang}' is not a translation of this sheet")])
    reference = {s.id: s for s in sheet.contents[reference_lang].sections}
    content = sheet.contents[lang]
    chosen = section_ids or [s.id for s in content.sections]
    known = {s.id: s for s in content.sections}
    unknown = [i for i in chosen if i not in known or i not in reference]
    if unknown:
        where = Pos(content.path)
        raise FactsheetError(
            [Problem(where, f"no section '{i}' in both languages") for i in unknown]
        )
    path = sheet.root / f"{lang}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # Work bottom-up so inserting a line does not shift the ones still to edit.
    for section in sorted((known[i] for i in chosen), key=lambda s: -s.pos.line):
        value = review_record(reference[section.id], section)
        if section.translated_from is not None:
            index = section.translated_from.pos.line - 1
            start = section.translated_from.pos.col - 1
            old = lines[index]
            end = start + len(section.translated_from.value)
            lines[index] = old[:start] + value + old[end:]
        else:
            index = section.pos.line - 1
            # Line up with the `id:` key (section.pos is where its value starts).
            indent = " " * lines[index].rfind("id:", 0, section.pos.col)
            lines.insert(index + 1, f"{indent}translated-from: {value}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return chosen
