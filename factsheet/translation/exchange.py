"""Translators' round trips: a translation out to a PO or XLIFF file and back.

One unit per block (blocks.py): its key, the reference text, the translation,
and whether it needs review. A block needs review when its section's review
record is out of date (review.py); it then carries the reference text as it
was reviewed, which PO editors and CAT tools show as a diff.

Import is all or nothing: the sheet is checked as a build would, with the new
text read from memory in place of <lang>.yaml; any error is reported at the
line of the PO or XLIFF file that holds the unit, and the sheet is left as it was.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path

from factsheet import RUN
from factsheet.document.inline import ITEM
from factsheet.errors import FactsheetError, Pos, Problem, display_path, errors_only
from factsheet.model import Content, Exchange, Imported, ImportedFile, Section, Sheet, Text, Unit
from factsheet.pipeline import check_everything
from factsheet.sources.blocks import (
    WIDTH,
    Block,
    Field,
    block_pos,
    body_field,
    fields_of,
    joined,
    replace_blocks,
    scalar,
    write_value,
)
from factsheet.sources.load import load_sheet
from factsheet.sources.review import mark_reviewed, read_snapshot, stale, translation_sections
from factsheet.translation import pofile, xliff


def units_of(sheet: Sheet, lang: str) -> list[Unit]:
    """Every block of the reference language, paired with the translation's."""
    reference, translation = reference_and(sheet, lang)
    kept = read_snapshot(sheet, lang)
    sections = {s.id: s for s in translation.sections}
    ref_sections = {s.id: s for s in reference.sections}
    fields = {field.key: field for field in fields_of(translation)}
    name = Path(reference.path).name
    units = []
    for ref_field in fields_of(reference):
        field = fields.get(ref_field.key)
        section = sections.get(ref_field.section or "")
        why = stale(ref_sections[ref_field.section], section) if section else ""
        if ref_field.section and section is None:
            why = "new"
        old = old_field(ref_field, kept.get(ref_field.section or ""))
        pairs = pair_blocks(ref_field, field, old)
        for index, block in enumerate(ref_field.blocks):
            target, previous = pairs.get(index, ("", ""))
            changed = why == "reference" and (previous != block.text or old is None)
            units.append(
                Unit(
                    key=block.key,
                    source=block.text,
                    target=target,
                    where=Pos(name, block_pos(ref_field, block).line),
                    note=unit_note(block),
                    review=bool(target) and (why in ("new", "own") or changed),
                    previous=previous if changed and previous != block.text else "",
                )
            )
    return units


def review_sections(
    sheet: Sheet, lang: str, section_ids: list[str], by: str
) -> tuple[list[str], list[Problem]]:
    """`reviewed`: mark the sections asked for (all for an empty list), except
    those that still fail a check, which come back as problems, each saying so."""
    chosen = translation_sections(sheet, lang, section_ids)
    errors = errors_only(check_everything(sheet))
    own_path = sheet.contents[lang].path
    places = unit_places(sheet, lang)
    failing: dict[str, list[Problem]] = {}
    for problem in errors:
        if problem.pos.path == own_path:
            section = unit_at(places, problem.pos.line).partition("/")[0]
            failing.setdefault(section, []).append(problem)
    refused = []
    for section in chosen:
        for problem in failing.get(section.id, []):
            message = f"{problem.message} (section '{section.id}' is not marked reviewed)"
            refused.append(replace(problem, message=message))
    ready = [s.id for s in chosen if s.id not in failing]
    marked = mark_reviewed(sheet, lang, ready, by) if ready else []
    return marked, refused


def reference_and(sheet: Sheet, lang: str) -> tuple[Content, Content]:
    translation_sections(sheet, lang, [])  # refuses the reference and unknown languages
    return sheet.contents[sheet.config.languages[0]], sheet.contents[lang]


def old_field(field: Field, kept: tuple[str, str] | None) -> Field | None:
    """The reference field as it was when its section was last reviewed."""
    if kept is None or field.section is None:
        return None
    heading, body = kept
    if field.key.endswith("/heading"):
        block = Block(field.blocks[0].key, "line", " ".join(heading.split()), (0, 1))
        return Field(field.key, field.section, Text(heading, field.text.pos), (block,))
    return body_field(field.key, field.section, field.section, Text(body, field.text.pos))


def pair_blocks(
    reference: Field, translation: Field | None, old: Field | None
) -> dict[int, tuple[str, str]]:
    """Reference block index -> (translated text, reference text as reviewed).

    A translation has the shape of the reference it was made from: the current
    one when nothing was added or removed, else the one kept at its review, whose
    blocks a diff pairs with today's (an item added in English has no partner)."""
    if translation is None:
        return {}
    texts = [block.text for block in translation.blocks]
    if translation.structure == reference.structure:
        olds = [b.text for b in old.blocks] if old and old.structure == reference.structure else []
        return {i: (text, olds[i] if olds else "") for i, text in enumerate(texts)}
    if old is None or old.structure != translation.structure:
        return {i: (text, "") for i, text in enumerate(texts[: len(reference.blocks)])}
    pairs = {}
    matcher = difflib.SequenceMatcher(
        a=[b.text for b in old.blocks], b=[b.text for b in reference.blocks], autojunk=False
    )
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("equal", "replace"):
            for a, b in zip(range(a1, a2), range(b1, b2), strict=False):
                pairs[b] = (texts[a], old.blocks[a].text)
    return pairs


def unit_note(block: Block) -> str:
    """What the block is, and what in it must stay as written."""
    where, _, number = block.key.partition("/")
    kinds = {
        "line": "",
        "item": "list item",
        "quote": "quoted paragraph",
        "title": "title (of a box or figures)",
        "cell": "table cell",
    }
    kind = kinds.get(block.kind, "")
    if where == "charts":
        chart, _, part = number.partition("/")
        parts = {
            "alt": "its text for readers who cannot see it",
            "fields": "the title of data column '{}' (an axis or legend)",
            "labels": "the label a reader sees for data value '{}'",
        }
        kind, _, name = part.partition("/")
        return f"chart '{chart}': " + parts[kind].format(name)
    what = f"section '{where}'" if number and where not in ("summary", "credit") else where
    if number == "heading":
        what += ", heading"
    elif kind or number.isdigit():
        what += f", {kind or 'paragraph'} {number}"
    keys = list(dict.fromkeys(m["key"] for raw in cited(block.text) if (m := ITEM.match(raw))))
    links = link_targets(block.text)
    parts = [what]
    if keys:
        parts.append("keep the citations as written: " + ", ".join(f"@{k}" for k in keys))
    if links:
        parts.append("links to: " + ", ".join(links))
    return "; ".join(parts)


def cited(text: str) -> list[str]:
    """The citation items written in a block: `see @key, p. 3`."""
    items = []
    for bracket in re.finditer(r"(?<!\^)\[([^\[\]]*@[^\[\]]*)\](?![(\[])", text):
        items += [part.strip() for part in bracket[1].split(";")]
    return items


def link_targets(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text)


def counts(units: list[Unit]) -> str:
    """ "42 units: 3 to review, 1 untranslated"."""
    review = sum(unit.review for unit in units)
    empty = sum(not unit.target for unit in units)
    return f"{len(units)} units: {review} to review, {empty} untranslated"


def format_of(path: Path, asked: str | None) -> str:
    """po or xliff: as asked, else by the file's extension (.po, .xlf, .xliff)."""
    if asked:
        return asked
    suffix = path.suffix.lower()
    if suffix in (".xlf", ".xliff"):
        return "xliff"
    if suffix in (".po", ".pot"):
        return "po"
    message = "cannot tell the format from the file's name: end it in .po or .xlf, or give --format"
    raise FactsheetError([Problem(Pos(display_path(path)), message, code="export.format")])


def export_translation(sheet: Sheet, lang: str, fmt: str, path: Path) -> tuple[str, str]:
    """The file's text and a count of its units. Refuses to replace a file that
    holds translations not yet imported: they would be lost."""
    units = units_of(sheet, lang)
    if path.is_file():
        unsaved = not_imported(sheet, lang, path, units)
        if unsaved:
            shown = display_path(path)
            message = (
                f"{shown} holds translations not yet imported into {lang}.yaml (unit "
                f"'{unsaved}'): import it first, or delete it to export again"
            )
            problem = Problem(Pos(shown), message, code="export.unimported", subject=unsaved)
            raise FactsheetError([problem])
    reference_lang = sheet.config.languages[0]
    command = f"{RUN} import {display_path(sheet.root)} {lang} {display_path(path)}"
    header = Exchange(sheet.slug, reference_lang, lang, command)
    writer = pofile.write_units if fmt == "po" else xliff.write_units
    return writer(units, header), counts(units)


def not_imported(sheet: Sheet, lang: str, path: Path, units: list[Unit]) -> str:
    """The key of a unit whose translation in an earlier export of this sheet and
    language differs from <lang>.yaml ("" when none does, or it is another file)."""
    try:
        found = read_units(path)
    except FactsheetError:
        return ""  # not an export: the user named it to be written
    if (found.header.sheet, found.header.target_lang) != (sheet.slug, lang):
        return ""
    current = {unit.key: unit.target for unit in units}
    for item in found.units:
        if item.key in current and joined(item.target) != current[item.key]:
            return item.key
    return ""


def read_units(path: Path) -> ImportedFile:
    shown = display_path(path)
    if not path.is_file():
        raise FactsheetError([Problem(Pos(shown), "file not found", code="file.not-found")])
    raw = path.read_bytes()
    if raw.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return xliff.read_units(raw, shown)
    return pofile.read_units(raw, shown)


def import_translation(sheet: Sheet, lang: str, path: Path, by: str) -> list[str]:
    """Write a translator's file back into <lang>.yaml if the result passes every
    check; returns what to tell the user."""
    reference, translation = reference_and(sheet, lang)
    shown = display_path(path)
    imported = read_units(path)
    units = {unit.key: unit for unit in units_of(sheet, lang)}
    problems = file_problems(imported, sheet, lang, shown, set(units))
    found = {item.key: item for item in imported.units if item.key in units}
    for key in units:
        if key not in found:
            problems.append(
                Problem(
                    Pos(shown, 1, 1),
                    f"unit '{key}' is missing from the file",
                    code="import.unit-missing",
                    hint="export again to get every unit",
                    subject=key,
                )
            )
        elif not found[key].target.strip():
            message = f"unit '{key}' is not translated"
            where = Pos(shown, found[key].line, 1)
            problems.append(Problem(where, message, code="import.untranslated", subject=key))
    if problems:
        raise FactsheetError(problems)
    # A unit exported with other English was translated from text that is gone:
    # it comes in, but its section stays to review.
    outdated = {key for key, item in found.items() if joined(item.source) != units[key].source}
    targets = {key: item.target for key, item in found.items()}
    new_text = rewrite(sheet, reference, translation, targets)
    file_path = sheet.root / f"{lang}.yaml"
    old_text = file_path.read_text(encoding="utf-8")
    check_translation(sheet, lang, new_text, shown, found)
    changed = new_text != old_text
    if changed:
        file_path.write_text(new_text, encoding="utf-8")
    return [f"{display_path(file_path)}: {'text updated' if changed else 'no text changed'} "
            f"({len(found)} units read from {shown})",
            *record_reviews(load_sheet(sheet.root), lang, found, outdated, by)]  # fmt: skip


def file_problems(
    imported: ImportedFile, sheet: Sheet, lang: str, shown: str, keys: set[str]
) -> list[Problem]:
    """A file of another sheet or language, an empty one, or units it should not have."""
    header = imported.header
    if header.sheet and header.sheet != sheet.slug:
        message = f"this file was exported from the sheet '{header.sheet}', not '{sheet.slug}'"
        raise FactsheetError([Problem(Pos(shown, 1, 1), message, code="import.other-sheet")])
    if header.target_lang and header.target_lang != lang:
        message = f"this file is a translation into '{header.target_lang}', not '{lang}'"
        raise FactsheetError([Problem(Pos(shown, 1, 1), message, code="import.other-language")])
    if not imported.units:
        message = "the file has no units to import"
        raise FactsheetError([Problem(Pos(shown, 1, 1), message, code="import.no-units")])
    unknown = f"is not in {sheet.config.languages[0]}.yaml"
    return [
        Problem(
            Pos(shown, item.line, 1),
            f"unit '{item.key}' {unknown}" if item.key else f"an entry with no unit key {unknown}",
            code="import.unknown-unit",
            hint="export the translation again and carry your work over",
            subject=item.key,
        )
        for item in imported.units
        if item.key not in keys
    ]


def record_reviews(
    sheet: Sheet, lang: str, found: dict[str, Imported], outdated: set[str], by: str
) -> list[str]:
    """Mark reviewed the sections whose units all came in confirmed (not fuzzy, and
    translated from the English as it is now); say what is left."""
    section_of = {key: key.partition("/")[0] for key in found}
    reference = {s.id: s for s in sheet.contents[sheet.config.languages[0]].sections}
    current = {s.id: s for s in sheet.contents[lang].sections}
    to_review = {section_of[key] for key, item in found.items() if item.review}
    old = {section_of[key] for key in outdated}
    ready = [
        section_id
        for section_id, section in current.items()
        if section_id in reference
        and stale(reference[section_id], section)
        and section_id not in to_review | old
    ]
    out = []
    if ready:
        mark_reviewed(sheet, lang, ready, by)
        who = f" (by {by})" if by else ""
        out.append(f"marked reviewed in {lang}{who}: {', '.join(ready)}")
    pending = sorted((to_review | old) & set(current))
    stale_ones = [i for i in pending if i in reference and stale(reference[i], current[i])]
    if stale_ones:
        out.append(f"still to review in {lang}: {', '.join(stale_ones)}")
    if old & set(current):
        out.append(
            f"{len(outdated)} units were exported before {sheet.config.languages[0]}.yaml "
            f"changed ({', '.join(sorted(outdated)[:3])}…): export again to see what changed"
        )
    kept = [i for i in sorted(to_review & set(current)) if i not in stale_ones]
    if kept:
        out.append(
            f"marked for review in the file, but already reviewed in {lang}.yaml: "
            f"{', '.join(kept)} (their review records are kept; edit the text to reopen them)"
        )
    return out


def rewrite(sheet: Sheet, reference: Content, translation: Content, targets: dict[str, str]) -> str:
    """The translation's file with every block set to its target text; blocks
    whose text is unchanged keep their lines as they are."""
    path = sheet.root / f"{translation.lang}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = {field.key: field for field in fields_of(translation)}
    edits: list[tuple[Text, str]] = []
    for ref_field in fields_of(reference):
        texts = [targets[block.key] for block in ref_field.blocks]
        field = fields.get(ref_field.key)
        if field is None:
            continue  # a section the translation lacks: added whole, below
        value = field_value(ref_field, field, texts)
        if value != field.text.value:
            edits.append((field.text, value))
    own = {s.id for s in translation.sections}
    missing = [s for s in reference.sections if s.id not in own]
    inserts = new_sections(lines, reference, translation, missing, targets)
    # Bottom-up, edits and new sections alike, so that none moves the lines of
    # one still to make (each was placed by the file as it was read).
    changes = [(text.extent[0].line - 1, text, value) for text, value in edits]  # type: ignore[index]
    changes += [(at, None, new) for at, new in inserts]
    for at, text, value in sorted(changes, key=lambda change: -change[0]):
        if text is None:
            lines[at:at] = value
        else:
            write_value(lines, text, value)  # type: ignore[arg-type]
    return "".join(lines)


def field_value(reference: Field, field: Field, texts: list[str]) -> str:
    """The new value of one field: changed blocks rewritten in the translation's
    own lines; when its blocks no longer match the reference (an item added or
    removed), the reference's shape filled with the translated text."""
    width = WIDTH - (field.text.block_indent or 0)
    if field.structure == reference.structure:
        changes = {b: t for b, t in zip(field.blocks, texts, strict=True) if b.text != t}
        return replace_blocks(field.text.value, changes, width) if changes else field.text.value
    changes = dict(zip(reference.blocks, texts, strict=True))
    return replace_blocks(reference.text.value, changes, width)


def new_sections(
    lines: list[str],
    reference: Content,
    translation: Content,
    missing: list[Section],
    targets: dict[str, str],
) -> list[tuple[int, list[str]]]:
    """Sections new in the reference, translated, as (index into `lines`, the
    lines to insert there): before the translation's next section in the
    reference's order, else at the end."""
    order = [s.id for s in reference.sections]
    own = {s.id: s for s in translation.sections}
    first = translation.sections[0]
    dash = lines[first.pos.line - 1]
    head = dash[: dash.index("id:")]
    indent = " " * len(head)
    ref_fields = {field.key: field for field in fields_of(reference)}
    inserts = []
    for section in missing:
        heading = ref_fields[f"{section.id}/heading"]
        body = ref_fields[f"{section.id}/body"]
        new_body = replace_blocks(
            body.text.value,
            {b: targets[b.key] for b in body.blocks},
            WIDTH - len(indent) - 2,
        )
        new = [
            f"{head}id: {section.id}\n",
            f"{indent}heading: {scalar(targets[heading.blocks[0].key])}\n",
            f"{indent}body: |\n",
            *[f"{indent}  {line}".rstrip() + "\n" for line in new_body.rstrip("\n").split("\n")],
        ]
        later = [own[i] for i in order[order.index(section.id) + 1 :] if i in own]
        if later:
            inserts.append((start_line(later[0]) - 1, [*new, "\n"]))
        else:
            ending = "" if not lines or lines[-1].endswith("\n") else "\n"
            inserts.append((len(lines), [f"{ending}\n", *new]))
    return inserts


def start_line(section: Section) -> int:
    """The first line of a section in its file: its `- ` item."""
    texts = [section.heading, section.body, section.translated_from]
    return min([section.pos.line, *(t.extent[0].line for t in texts if t and t.extent)])


def check_translation(
    sheet: Sheet, lang: str, text: str, shown: str, found: dict[str, Imported]
) -> None:
    """Check the sheet as it would be with `text` as <lang>.yaml: that text is read
    from memory, everything else from the sheet's folder, and every position names
    the real files. Raise with every error, placed at the unit's line of the
    imported file where there is one."""
    try:
        checked = load_sheet(sheet.root, texts={sheet.root / f"{lang}.yaml": text})
        problems = errors_only(check_everything(checked))
    except FactsheetError as exc:
        problems, checked = exc.problems, None
    if not problems:
        return
    places = unit_places(checked, lang) if checked else []
    moved = []
    for problem in problems:
        if checked and problem.pos.path == checked.contents[lang].path:
            key = unit_at(places, problem.pos.line)
            if key.endswith("/heading"):  # a section's own line: which unit is it?
                key = unit_at_fault(problem, key, found)
            if key in found:
                fuzzy = " (a unit still marked for review)" if found[key].review else ""
                message = f"unit '{key}'{fuzzy}: {problem.message}"
                moved.append(replace(problem, pos=Pos(shown, found[key].line, 1), message=message))
                continue
        moved.append(problem)
    raise FactsheetError(moved)


# Parity problems whose subject (a citation key, a number as written, a link) the
# reference has and the translation lacks, or the other way round.
LACKING = {"parity.citation-missing", "parity.number-missing", "parity.link-missing"}
EXTRA = {"parity.citation-extra", "parity.number-extra", "parity.link-extra"}
NOTES = re.compile(r"\[[^\]]*@|\^\[")  # a citation or an author's note


def unit_at_fault(problem: Problem, heading: str, found: dict[str, Imported]) -> str:
    """The unit of a section that a section-wide parity problem is about: the first
    whose source has what the translation lacks (or the other way round), or whose
    notes do not add up; else the heading, which starts the section."""
    section = heading.partition("/")[0]
    units = [item for key, item in found.items() if key.partition("/")[0] == section]
    subject = problem.subject
    for item in units:
        if problem.code in LACKING and subject in item.source and subject not in item.target:
            return item.key
        if problem.code in EXTRA and subject in item.target and subject not in item.source:
            return item.key
        if problem.code == "parity.footnotes" and len(NOTES.findall(item.source)) != len(
            NOTES.findall(item.target)
        ):
            return item.key
    return heading


def unit_places(sheet: Sheet, lang: str) -> list[tuple[int, str]]:
    """(first line, unit key) of each block in a language file, in file order;
    a section's own lines (its id) count as its heading's."""
    places = []
    content = sheet.contents[lang]
    for field in fields_of(content):
        for block in field.blocks:
            places.append((block_pos(field, block).line, block.key))
    for section in content.sections:
        places.append((start_line(section), f"{section.id}/heading"))
    return sorted(places)


def unit_at(places: list[tuple[int, str]], line: int) -> str:
    key = places[0][1] if places else ""
    for first, found in places:
        if first > line:
            break
        key = found
    return key
