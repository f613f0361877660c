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
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
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
    needs_no_translation,
    replace_blocks,
    scalar,
    unit_keys,
    write_value,
)
from factsheet.sources.load import load_sheet
from factsheet.sources.review import (
    FRONT,
    FRONT_PARTS,
    LINE_PARTS,
    mark_reviewed,
    read_snapshot,
    review_id,
    reviewables,
    stale,
    translation_sections,
)
from factsheet.translation import pofile, xliff


def units_of(sheet: Sheet, lang: str) -> list[Unit]:
    """Every block of the reference language, paired with the translation's."""
    reference, translation = reference_and(sheet, lang)
    kept = read_snapshot(sheet, lang)
    sections = {r.id: r for r in reviewables(translation)}
    ref_sections = {r.id: r for r in reviewables(reference)}
    fields = {field.key: field for field in fields_of(translation)}
    name = Path(reference.path).name
    units = []
    for ref_field in fields_of(reference):
        field = fields.get(ref_field.key)
        owner = review_id(ref_field.key, ref_field.section)  # "" for chart words
        section = sections.get(owner)
        why = stale(ref_sections[owner], section) if section else ""
        if ref_field.section and section is None:
            why = "new"
        old = old_field(ref_field, kept.get(owner))
        pairs = pair_blocks(ref_field, field, old)
        keys = unit_keys(ref_field)
        for index, block in enumerate(ref_field.blocks):
            target, previous = pairs.get(index, ("", ""))
            if target == block.text and not needs_no_translation(target):
                target = ""  # left in English by an import: not translated yet
            changed = why == "reference" and (previous != block.text or old is None)
            units.append(
                Unit(
                    key=keys[index],
                    source=block.text,
                    target=target,
                    where=Pos(name, block_pos(ref_field, block).line),
                    note=unit_note(block),
                    review=bool(target) and (why in ("new", "own") or changed),
                    previous=previous if changed and previous != block.text else "",
                    place=block.key,
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
            section = section_of(unit_at(places, problem.pos.line))
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


def old_field(field: Field, kept: dict[str, str] | None) -> Field | None:
    """The reference field as it was when its section (or the front) was last
    reviewed; None when that text was not kept."""
    part = field.key.rpartition("/")[2]  # "heading", "body"; "title", "summary"...
    if kept is None or part not in kept:
        return None
    text = Text(kept[part], field.text.pos)
    if part in LINE_PARTS:
        block = Block(field.blocks[0].key, "line", " ".join(text.value.split()), (0, 1))
        return Field(field.key, field.section, text, (block,))
    return body_field(field.key, field.section or field.key, field.section, text)


def pair_blocks(
    reference: Field, translation: Field | None, old: Field | None
) -> dict[int, tuple[str, str]]:
    """Reference block index -> (translated text, reference text as reviewed).

    A translation has the shape of the reference it was made from: the one kept
    at its review, whose blocks a diff pairs with today's (an unchanged block
    with itself, an edited one with its most similar old block of the same
    kind, as msgmerge does; an added one with nothing), else the current one."""
    if translation is None:
        return {}
    texts = [block.text for block in translation.blocks]
    if old is not None and old.structure == translation.structure == ("line",):
        # A title or heading: the field is the unit, however much it changed.
        return {0: (texts[0], old.blocks[0].text)}
    if old is not None and old.structure == translation.structure:
        return {
            b: (texts[a], old.blocks[a].text)
            for b, a in realign(list(old.blocks), list(reference.blocks)).items()
        }
    if translation.structure == reference.structure:
        # Realigned by an import: its blocks are today's; the English each was
        # reviewed against is still the old block a diff pairs with it.
        olds = realign(list(old.blocks), list(reference.blocks)) if old else {}
        return {
            i: (text, old.blocks[olds[i]].text if old and i in olds else "")
            for i, text in enumerate(texts)
        }
    # Nothing says which English each block was made from: pair them only as
    # far as their kinds line up (each is to review: the section is stale).
    matcher = difflib.SequenceMatcher(a=translation.structure, b=reference.structure)
    pairs = {}
    for op, a1, a2, b1, _ in matcher.get_opcodes():
        if op == "equal":
            pairs.update({b1 + i: (texts[a1 + i], "") for i in range(a2 - a1)})
    return pairs


FUZZY = 0.6  # the least difflib ratio that makes an edited block its old self (msgmerge's)


def similarity(old: str, new: str) -> float:
    return difflib.SequenceMatcher(a=old, b=new, autojunk=False).ratio()


def realign(old: list[Block], new: list[Block]) -> dict[int, int]:
    """New block index -> the old block it was made from: the same text, else
    (in a run of changed blocks) the most similar old block of its kind."""
    pairs: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(
        a=[b.text for b in old], b=[b.text for b in new], autojunk=False
    )
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pairs.update({b1 + i: a1 + i for i in range(a2 - a1)})
        elif op == "replace":
            found = closest(
                [(a, old[a].kind, old[a].text) for a in range(a1, a2)],
                [(b, new[b].kind, new[b].text) for b in range(b1, b2)],
            )
            pairs.update({b: a for a, b in found.items()})
    return pairs


def closest(
    olds: list[tuple[int, str, str]], news: list[tuple[int, str, str]], ordered: bool = True
) -> dict[int, int]:
    """Old index -> new index, the most similar pairs first, each of the same kind
    and at least FUZZY alike; `ordered`: no pair crosses another."""
    candidates = sorted(
        (
            (similarity(old_text, new_text), a, b)
            for a, old_kind, old_text in olds
            for b, new_kind, new_text in news
            if old_kind == new_kind
        ),
        reverse=True,
    )
    chosen: dict[int, int] = {}
    for ratio, a, b in candidates:
        if ratio < FUZZY:
            break
        if a in chosen or b in chosen.values():
            continue
        if ordered and any((a < x) != (b < y) for x, y in chosen.items()):
            continue
        chosen[a] = b
    return chosen


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
    check; returns what to tell the user.

    Each unit of the file goes where the English it was translated from is now
    (a stale file is realigned, never applied by position): the same English,
    else the most similar changed block of its kind in its section (kept, to
    review); a unit whose English is gone is obsolete and goes nowhere. Only a
    final translation counts as done: fuzzy, `new`, `needs-*` and empty units
    leave the block as <lang>.yaml has it, or, a new block, in English, which
    the build refuses to print without --draft."""
    reference, translation = reference_and(sheet, lang)
    shown = display_path(path)
    imported = read_units(path)
    units = units_of(sheet, lang)
    problems = file_problems(imported, sheet, lang, shown, units)
    if problems:
        raise FactsheetError(problems)
    placed, obsolete = place_units(imported.units, units)
    problems = [
        problem
        for key, (item, _) in placed.items()
        if not item.review and (problem := citation_order(item, shown)) is not None
    ]
    if problems:
        raise FactsheetError(sorted(problems, key=lambda p: p.pos.line))
    outcome = Outcome()
    texts: dict[str, str] = {}
    for unit in units:
        item, exact = placed.get(unit.key, (None, False))
        text, state = unit_outcome(unit, item, exact)
        texts[unit.place] = text
        outcome.add(unit, item, state)
    new_text = rewrite(sheet, reference, translation, texts)
    file_path = sheet.root / f"{lang}.yaml"
    old_text = file_path.read_text(encoding="utf-8")
    by_key = {unit.key: unit.place for unit in units}
    found = {by_key[key]: item for key, (item, _) in placed.items()}
    check_translation(sheet, lang, new_text, shown, found)
    changed = new_text != old_text
    if changed:
        file_path.write_text(new_text, encoding="utf-8")
    read = f"{len(imported.units)} units read from {shown}"
    return [
        f"{display_path(file_path)}: {'text updated' if changed else 'no text changed'} ({read})",
        *record_reviews(load_sheet(sheet.root), lang, outcome, by),
        *outcome.report(sheet, shown, obsolete),
    ]


BODY_KEY = re.compile(r"(?P<prefix>.+)/(?P<tag>p|li|q|title|cell)/[0-9a-f]{8}(?:-\d+)?")
# A line unit (title, subtitle, heading, chart words): its key is its field's.
LINE_KEY = re.compile(r"title|subtitle|[^/]+/heading|charts/.+")


def place_units(
    items: list[Imported], units: list[Unit]
) -> tuple[dict[str, tuple[Imported, bool]], list[Imported]]:
    """Unit key -> (the file's unit placed there, whether its English is the
    same), and the file's units whose English is gone."""
    placed: dict[str, tuple[Imported, bool]] = {}
    lines = {unit.key: unit for unit in units if not BODY_KEY.fullmatch(unit.key)}
    groups: dict[tuple[str, str], list[Unit]] = {}
    for unit in units:
        if match := BODY_KEY.fullmatch(unit.key):
            groups.setdefault((match["prefix"], match["tag"]), []).append(unit)
    left: dict[tuple[str, str], list[Imported]] = {}
    obsolete = []
    for item in items:
        if item.key in lines:
            placed[item.key] = (item, joined(item.source) == lines[item.key].source)
        elif match := BODY_KEY.fullmatch(item.key):
            left.setdefault((match["prefix"], match["tag"]), []).append(item)
        else:
            obsolete.append(item)
    for group, found in left.items():
        free = [u for u in groups.get(group, []) if u.key not in placed]
        rest = []
        for item in found:  # the same English: its own key first, else a repeat
            same = [u for u in free if u.source == joined(item.source)]
            same.sort(key=lambda u: u.key != item.key)
            if same:
                placed[same[0].key] = (item, True)
                free.remove(same[0])
            else:
                rest.append(item)
        pairs = closest(
            [(i, "", joined(item.source)) for i, item in enumerate(rest)],
            [(i, "", unit.source) for i, unit in enumerate(free)],
            ordered=False,
        )
        for i, j in pairs.items():
            placed[free[j].key] = (rest[i], False)
        obsolete += [item for i, item in enumerate(rest) if i not in pairs]
    return placed, sorted(obsolete, key=lambda item: item.line)


def cited_keys(text: str) -> list[str]:
    """The citation keys of a block, in the order it cites them."""
    return [m["key"] for raw in cited(text) if (m := ITEM.match(raw))]


def citation_order(item: Imported, shown: str) -> Problem | None:
    """An error when a translation cites the same sources as its English in
    another order: each claim would cite another's source. (Missing and extra
    citations are the build's parity checks.)"""
    want, have = cited_keys(item.source), cited_keys(item.target)
    if want == have or sorted(want) != sorted(have):
        return None
    first = next(i for i, (a, b) in enumerate(zip(want, have, strict=True)) if a != b)
    message = (
        f"unit '{item.key}': cites @{have[first]} where the English cites @{want[first]}: "
        "keep the citations in the English order, each after the words it supports"
    )
    return Problem(Pos(shown, item.line, 1), message, code="import.citation-order",
                   subject=want[first])  # fmt: skip


def unit_outcome(unit: Unit, item: Imported | None, exact: bool) -> tuple[str, str]:
    """The block's text in <lang>.yaml after the import, and what it is: "final",
    "changed" (translated from English that has changed since), "review" (marked
    unfinished in the file), "copy" (the English as it is), "missing" (not in
    the file) or "empty"."""
    kept = unit.target or unit.source  # what <lang>.yaml has, else the English
    if item is None:
        return kept, "missing"
    target = joined(item.target)
    if not target:
        return kept, "empty"
    if item.review:
        return kept, "review"
    if target == unit.source and not needs_no_translation(target):
        return kept, "copy"
    return target, "final" if exact else "changed"


@dataclass
class Outcome:
    """What an import did with each unit, for its report and the review records."""

    states: dict[str, list[Unit]] = dataclass_field(default_factory=dict)
    lines: dict[str, int] = dataclass_field(default_factory=dict)  # unit key -> file line

    def add(self, unit: Unit, item: Imported | None, state: str) -> None:
        self.states.setdefault(state, []).append(unit)
        if item is not None:
            self.lines[unit.key] = item.line

    def of(self, *states: str) -> list[Unit]:
        return [unit for state in states for unit in self.states.get(state, [])]

    def sections(self, *states: str) -> set[str]:
        return {section_of(unit.place) for unit in self.of(*states)}

    def report(self, sheet: Sheet, shown: str, obsolete: list[Imported]) -> list[str]:
        reference_name = f"{sheet.config.languages[0]}.yaml"
        out = [
            f"{shown}:{item.line}: unit '{item.key}' is obsolete: its English is no longer "
            f"in {reference_name}, so it was applied nowhere"
            for item in obsolete
        ]
        for unit in self.of("copy"):
            out.append(f"{shown}:{self.lines[unit.key]}: unit '{unit.key}' is the English "
                       "text as it is: not taken as a translation")  # fmt: skip
        untranslated = [u for u in self.of("missing", "empty", "review", "copy") if not u.target]
        if untranslated:
            keys = ", ".join(f"{u.key} ({u.where.path}:{u.where.line})" for u in untranslated)
            out.append(f"not translated yet, left in English (the sheet builds only "
                       f"with --draft until they are): {keys}")  # fmt: skip
        unfinished = [u for u in self.of("review", "empty") if u.target]
        if unfinished:
            keys = ", ".join(u.key for u in unfinished)
            out.append("not final in the file (fuzzy, new or to review), so the language "
                       f"file keeps its text: {keys}")  # fmt: skip
        absent = [u for u in self.of("missing") if u.target]
        if absent:
            keys = ", ".join(u.key for u in absent)
            out.append(f"not in the file, kept as the language file has them: {keys}")
        return out


def section_of(place: str) -> str:
    """The review record a block's place ("overview/2", "summary/1") is under:
    its section, FRONT for the title, subtitle, summary and credit, "" for a
    chart's words."""
    prefix = place.partition("/")[0]
    if prefix in FRONT_PARTS:
        return FRONT
    return "" if prefix == "charts" else prefix


def file_problems(
    imported: ImportedFile, sheet: Sheet, lang: str, shown: str, units: list[Unit]
) -> list[Problem]:
    """A file of another sheet or language, an empty one, or units that no export
    of this sheet could have."""
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
    keys = {unit.key for unit in units}
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
        and not BODY_KEY.fullmatch(item.key)
        and not LINE_KEY.fullmatch(item.key)
    ]


def record_reviews(sheet: Sheet, lang: str, outcome: Outcome, by: str) -> list[str]:
    """Mark reviewed the sections whose units all came in final (translated from
    the English as it is now); say what is left."""
    reference = {r.id: r for r in reviewables(sheet.contents[sheet.config.languages[0]])}
    current = {r.id: r for r in reviewables(sheet.contents[lang])}
    to_review = outcome.sections("review")
    old = outcome.sections("changed")
    left = outcome.sections("missing", "empty", "copy")
    ready = [
        section_id
        for section_id, section in current.items()
        if section_id in reference
        and stale(reference[section_id], section)
        and section_id not in to_review | old | left
    ]
    out = []
    if ready:
        mark_reviewed(sheet, lang, ready, by)
        who = f" (by {by})" if by else ""
        out.append(f"marked reviewed in {lang}{who}: {', '.join(ready)}")
    pending = sorted((to_review | old | left) & set(current))
    stale_ones = [i for i in pending if i in reference and stale(reference[i], current[i])]
    if stale_ones:
        out.append(f"still to review in {lang}: {', '.join(stale_ones)}")
    outdated = sorted(unit.key for unit in outcome.of("changed"))
    if outdated:
        out.append(
            f"{len(outdated)} units were exported before {sheet.config.languages[0]}.yaml "
            f"changed ({', '.join(outdated[:3])}…): export again to see what changed"
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
            # After the last section, not at the end of the file: a top-level
            # key (the credit, charts, the front's record) may follow it.
            at = end_line(translation.sections[-1])
            ending = "" if not at or lines[at - 1].endswith("\n") else "\n"
            inserts.append((at, [f"{ending}\n", *new]))
    return inserts


def end_line(section: Section) -> int:
    """The number of the last line of a section in its file (its last value's)."""
    texts = [section.heading, section.body, section.translated_from]
    ends = [t.extent[1] for t in texts if t and t.extent]
    return max([section.pos.line, *(end.line - (end.col == 1) for end in ends)])


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
    imported file where there is one (`found`: by the block's place, "overview/2").
    Blocks left in English are no error here: the build refuses them."""
    try:
        checked = load_sheet(sheet.root, texts={sheet.root / f"{lang}.yaml": text})
        problems = errors_only(check_everything(checked))
    except FactsheetError as exc:
        problems, checked = exc.problems, None
    # What the sheet already fails on (a block kept stale, left in English) is
    # the build's to report; the import refuses only what it would bring in.
    before = {(p.code, p.subject, p.message) for p in errors_only(check_everything(sheet))}
    problems = [
        p
        for p in problems
        if p.code != "translation.untranslated" and (p.code, p.subject, p.message) not in before
    ]
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
                message = f"unit '{found[key].key}'{fuzzy}: {problem.message}"
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
    units = [(place, item) for place, item in found.items() if place.partition("/")[0] == section]
    subject = problem.subject
    for place, item in units:
        if problem.code in LACKING and subject in item.source and subject not in item.target:
            return place
        if problem.code in EXTRA and subject in item.target and subject not in item.source:
            return place
        if problem.code == "parity.footnotes" and len(NOTES.findall(item.source)) != len(
            NOTES.findall(item.target)
        ):
            return place
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
