"""Translators' round trips: a translation out to a PO or XLIFF file and back.

One unit per block (blocks.py): its key, the reference text, the translation,
and whether it needs review. A block needs review when its section's review
record is out of date (review.py); it then carries the reference text as it
was reviewed, which PO editors and CAT tools show as a diff.

Import is all or nothing: the new text is written into a copy of the sheet and
checked there like a build would; any error is reported at the line of the
PO or XLIFF file that holds the unit, and the sheet is left as it was.
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
from pathlib import Path

from factsheet import pofile, xliff
from factsheet.blocks import (
    WIDTH,
    Block,
    Field,
    block_pos,
    body_field,
    fields_of,
    replace_blocks,
    scalar,
    write_value,
)
from factsheet.check import check_everything
from factsheet.errors import FactsheetError, Pos, Problem, display_path, errors_only
from factsheet.inline import ITEM
from factsheet.load import load_sheet
from factsheet.model import Content, Imported, Section, Sheet, Text, Unit
from factsheet.review import mark_reviewed, read_snapshot, stale, translation_sections

FORMATS = ("po", "xliff")


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
                    where=f"{name}:{block_pos(ref_field, block).line}",
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
            refused.append(Problem(problem.pos, message))
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
    kind = {"line": "", "item": "list item", "quote": "quoted paragraph"}.get(block.kind, "")
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


def export_translation(sheet: Sheet, lang: str, fmt: str) -> tuple[str, str]:
    """The file's text and a count of its units."""
    units = units_of(sheet, lang)
    reference_lang = sheet.config.languages[0]
    source = display_path(sheet.root / f"{reference_lang}.yaml")
    writer = pofile.write_units if fmt == "po" else xliff.write_units
    return writer(units, reference_lang, lang, source), counts(units)


def read_units(path: Path) -> list[Imported]:
    shown = display_path(path)
    if not path.is_file():
        raise FactsheetError([Problem(Pos(shown), "file not found")])
    raw = path.read_bytes()
    if raw.lstrip().startswith(b"<"):
        return xliff.read_units(raw, shown)
    return pofile.read_units(raw, shown)


def import_translation(sheet: Sheet, lang: str, path: Path, by: str) -> list[str]:
    """Write a translator's file back into <lang>.yaml if the result passes every
    check; returns what to tell the user."""
    reference, translation = reference_and(sheet, lang)
    shown = display_path(path)
    imported = read_units(path)
    units = {unit.key: unit for unit in units_of(sheet, lang)}
    unknown = (
        f"is not in {Path(reference.path).name}; export the translation again "
        "and carry your work over"
    )
    problems = [
        Problem(Pos(shown, item.line, 1), f"unit '{item.key}' {unknown}")
        if item.key
        else Problem(Pos(shown, item.line, 1), f"an entry with no unit key {unknown}")
        for item in imported
        if item.key not in units
    ]
    found = {item.key: item for item in imported if item.key in units}
    for key, unit in units.items():
        target = found[key].target if key in found else unit.target
        if not target.strip():
            line = found[key].line if key in found else 1
            problems.append(Problem(Pos(shown, line, 1), f"unit '{key}' is not translated"))
    if problems:
        raise FactsheetError(problems)
    targets = {
        key: (found[key].target if key in found else unit.target) for key, unit in units.items()
    }
    new_text = rewrite(sheet, reference, translation, targets)
    file_path = sheet.root / f"{lang}.yaml"
    old_text = file_path.read_text(encoding="utf-8")
    lines_of = {item.key: item.line for item in imported}
    check_in_copy(sheet, lang, new_text, shown, lines_of)
    changed = new_text != old_text
    if changed:
        file_path.write_text(new_text, encoding="utf-8")
    sheet = load_sheet(sheet.root)
    review = {key for key, item in found.items() if item.review} | (set(units) - set(found))
    current = {s.id: s for s in sheet.contents[lang].sections}
    ref_sections = {s.id: s for s in sheet.contents[sheet.config.languages[0]].sections}
    done = [
        s.id
        for s in ref_sections.values()
        if s.id in current
        and stale(s, current[s.id])
        and not any(key.split("/")[0] == s.id for key in review)
    ]
    if done:
        mark_reviewed(sheet, lang, done, by)
    state = "updated" if changed else "unchanged"
    out = [f"{state}: {display_path(file_path)} ({len(found)} units read from {shown})"]
    if done:
        out.append(f"marked reviewed in {lang}: {', '.join(done)}")
    left = sorted({key.split("/")[0] for key in review if "/" in key} & set(current))
    if left:
        out.append(f"still to review in {lang} (fuzzy): {', '.join(left)}")
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
    # Bottom-up, so an edit never moves the lines of one still to make.
    for text, value in sorted(edits, key=lambda edit: -edit[0].extent[0].line):  # type: ignore[index]
        write_value(lines, text, value)
    own = {s.id for s in translation.sections}
    missing = [s for s in reference.sections if s.id not in own]
    if missing:
        lines = add_sections(lines, reference, translation, missing, targets)
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


def add_sections(
    lines: list[str],
    reference: Content,
    translation: Content,
    missing: list[Section],
    targets: dict[str, str],
) -> list[str]:
    """Sections new in the reference, translated, each in its place: before the
    translation's next section in the reference's order, else at the end."""
    order = [s.id for s in reference.sections]
    own = {s.id: s for s in translation.sections}
    first = translation.sections[0]
    dash = lines[first.pos.line - 1]
    head = dash[: dash.index("id:")]
    indent = " " * len(head)
    ref_fields = {field.key: field for field in fields_of(reference)}
    for section in sorted(missing, key=lambda s: -order.index(s.id)):
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
            "\n",
        ]
        later = [own[i] for i in order[order.index(section.id) + 1 :] if i in own]
        if later:
            at = start_line(later[0]) - 1
        else:
            at = len(lines)
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            new = ["\n", *new[:-1]]
        lines[at:at] = new
    return lines


def start_line(section: Section) -> int:
    """The first line of a section in its file: its `- ` item."""
    texts = [section.heading, section.body, section.translated_from]
    return min([section.pos.line, *(t.extent[0].line for t in texts if t and t.extent)])


def check_in_copy(sheet: Sheet, lang: str, text: str, shown: str, lines_of: dict[str, int]) -> None:
    """Check the sheet as it would be with `text` as <lang>.yaml; raise with every
    error, placed at the unit's line of the imported file where there is one."""
    with tempfile.TemporaryDirectory(prefix="factsheet-import-") as folder:
        copy = Path(folder) / sheet.root.resolve().name
        shutil.copytree(sheet.root, copy)
        (copy / f"{lang}.yaml").write_text(text, encoding="utf-8")
        try:
            copied = load_sheet(copy)
            problems = errors_only(check_everything(copied))
        except FactsheetError as exc:
            problems = exc.problems
            copied = None
        if not problems:
            return
        copy_prefix = display_path(copy)
        places = unit_places(copied, lang) if copied else []
        moved = []
        for problem in problems:
            pos = problem.pos
            if copied and pos.path == copied.contents[lang].path:
                key = unit_at(places, pos.line)
                if key in lines_of:
                    moved.append(
                        Problem(Pos(shown, lines_of[key], 1), f"unit '{key}': {problem.message}")
                    )
                    continue
            path = pos.path.replace(copy_prefix, display_path(sheet.root), 1)
            moved.append(Problem(Pos(path, pos.line, pos.col), problem.message))
        raise FactsheetError(moved)


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
