"""Translation review records: which version of the reference text a translated
section was last checked against, by whom and when, and what has changed since.

Each translated section may carry
`translated-from: <hash> <hash> [<date> [<reviewer>]]`: the short hash of the
reference language's section (heading and body) and of the translated section
itself, at the time a translator reviewed it. When either text changes, its
hash differs and the section is reported until the translator reviews it again
and runs `make_pdf.py reviewed SHEET_DIR LANG SECTION ...`: an edit to the
English, and just as well a sentence added to the Spanish alone after its review.

Beside the language file, `<lang>.reviewed.yaml` keeps the reference text each
section was reviewed against, so `make_pdf.py changes` (and the exports) can
show the old text beside the new one. It is plain YAML, one literal block per
section, so it diffs well in git.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

from factsheet import RUN
from factsheet.errors import FactsheetError, Pos, Problem, display_path
from factsheet.model import Content, Section, Sheet, Text
from factsheet.sources.blocks import body_field, scalar
from factsheet.sources.load import FRONT

HASH_LENGTH = 10


@dataclass(frozen=True)
class Record:
    """What `translated-from:` says."""

    reference: str  # hash of the reference section when reviewed
    own: str  # hash of the translated section when reviewed
    date: str = ""
    by: str = ""

    @classmethod
    def parse(cls, value: str) -> Record:
        reference, own, date, by = ([*value.split(maxsplit=3), "", "", ""])[:4]
        return cls(reference, own, date, by)

    def __str__(self) -> str:
        return " ".join(part for part in (self.reference, self.own, self.date, self.by) if part)

    @property
    def when(self) -> str:
        """ "reviewed 2026-11-25 by Ana López", as far as it is known."""
        by = f" by {self.by}" if self.by else ""
        return f"reviewed {self.date}{by}" if self.date else "reviewed"


# The front: the title, subtitle, summary and credit, reviewed together under
# one record (the file's top-level `translated-from:`) as if a section FRONT.
FRONT_PARTS = ("title", "subtitle", "summary", "credit")
LINE_PARTS = ("heading", "title", "subtitle")  # one line each; the rest are Markdown bodies


@dataclass(frozen=True)
class Reviewed:
    """What one review record covers: a section (its heading and body), or the
    front (FRONT: the title, subtitle, summary and credit)."""

    id: str
    pos: Pos  # a section's id, the front's title
    parts: dict[str, str]  # "heading", "body"; "title", "subtitle", "summary", "credit"
    translated_from: Text | None

    @property
    def name(self) -> str:
        """How messages name it."""
        if self.id == FRONT:
            return f"'{FRONT}' (the title, subtitle, summary and credit)"
        return f"section '{self.id}'"


def front_of(content: Content) -> Reviewed:
    texts = {name: getattr(content, name) for name in FRONT_PARTS}
    parts = {name: text.value for name, text in texts.items() if text is not None}
    return Reviewed(FRONT, content.title.pos, parts, content.translated_from)


def reviewed_section(section: Section) -> Reviewed:
    parts = {"heading": section.heading.value, "body": section.body.value}
    return Reviewed(section.id, section.pos, parts, section.translated_from)


def reviewables(content: Content) -> list[Reviewed]:
    """Everything in a language file under a review record: the front, then each section."""
    return [front_of(content), *(reviewed_section(s) for s in content.sections)]


def review_id(field_key: str, section: str | None) -> str:
    """The record a field of fields_of() is reviewed under: its section, FRONT,
    or "" (chart words, which have no record yet)."""
    if section is not None:
        return section
    return FRONT if field_key in FRONT_PARTS else ""


def section_hash(section: Section | Reviewed) -> str:
    """The hash of what a section (or the front) says: its words and paragraphs,
    not where its lines break (rewrapping a paragraph is not an edit)."""
    item = reviewed_section(section) if isinstance(section, Section) else section
    if item.id == FRONT:
        # Each part named, so a sentence moved from the summary to the credit is an edit.
        text = "\n\n".join(f"{name}:\n\n{value}" for name, value in item.parts.items())
    else:
        text = f"{item.parts['heading']}\n\n{item.parts['body']}"
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return hashlib.sha256("\n\n".join(paragraphs).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def review_record(reference: Reviewed, translation: Reviewed, date: str = "", by: str = "") -> str:
    """What `translated-from:` holds once a translator has reviewed `translation`."""
    return str(Record(section_hash(reference), section_hash(translation), date, by))


def stale(reference: Reviewed, translation: Reviewed) -> str:
    """Why a translated section (or the front) needs review: "new" (never
    reviewed), "reference" (the reference changed), "own" (the translation
    changed), or "" (current)."""
    if translation.translated_from is None:
        return "new"
    record = Record.parse(translation.translated_from.value)
    if record.reference != section_hash(reference):
        return "reference"
    if record.own != section_hash(translation):
        return "own"
    return ""


def stale_sections(reference: Content, translation: Content, sheet_dir: str) -> list[Problem]:
    """Warnings for sections (and the front) not reviewed since their reference,
    or they themselves, last changed; each says which command shows the change
    and which records the review."""
    sources = {r.id: r for r in reviewables(reference)}
    name = Path(reference.path).name
    own_name = Path(translation.path).name
    lang = translation.lang
    problems = []
    for section in reviewables(translation):
        source = sources.get(section.id)
        if source is None:
            continue  # a missing or extra section is the parity check's error
        hint = f"once reviewed, run: {RUN} reviewed {sheet_dir} {lang} {section.id}"
        why = stale(source, section)
        if why == "new":
            code = "review.no-record"
            message = f"{section.name} has no review record (translated-from)"
        elif why == "reference":
            code = "review.reference-changed"
            message = (
                f"{section.name} is out of date: {name}:{source.pos.line} changed "
                "since it was reviewed"
            )
            hint = f"see what changed: {RUN} changes {sheet_dir} {lang} {section.id}; {hint}"
        elif why == "own":
            code = "review.translation-changed"
            message = (
                f"{section.name} changed in {own_name} since it was reviewed "
                f"against {name}:{source.pos.line}"
            )
        else:
            continue
        where = section.pos if section.translated_from is None else section.translated_from.pos
        problems.append(
            Problem(where, message, warning=True, code=code, hint=hint, subject=section.id)
        )
    return problems


def snapshot_path(sheet: Sheet, lang: str) -> Path:
    """Where the reference text a translation was reviewed against is kept."""
    return sheet.root / f"{lang}.reviewed.yaml"


def read_snapshot(sheet: Sheet, lang: str) -> dict[str, dict[str, str]]:
    """Section id (or FRONT) -> its parts ("heading", "body"; "title", "summary"...)
    as the reference had them when last reviewed."""
    path = snapshot_path(sheet, lang)
    if not path.is_file():
        return {}
    try:
        # BaseLoader: every value a string, so an id like `no` stays "no".
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Pos(display_path(path), mark.line + 1, mark.column + 1) if mark else Pos(str(path))
        message = f"cannot read the review history: {exc}"
        problem = Problem(where, message, code="review.history", hint="restore it from git")
        raise FactsheetError([problem]) from None
    if not isinstance(data, dict):
        return {}
    return {
        key: {name: text for name, text in value.items() if isinstance(text, str)}
        for key, value in data.items()
        if isinstance(value, dict)
    }


def write_snapshot(sheet: Sheet, lang: str, kept: dict[str, dict[str, str]]) -> None:
    """Write the kept reference text in the reference's order, the front first."""
    reference = sheet.contents[sheet.config.languages[0]]
    order = {s.id: index for index, s in enumerate(reference.sections)}
    order[FRONT] = -1
    reference_name = Path(reference.path).name
    out = [
        f"# What {reference_name} said when each section of {lang}.yaml was last reviewed.\n",
        f"# Written by `{RUN} reviewed` and `import`; read by `changes` and `export`.\n",
        "# Keep it in git; do not edit it by hand.\n",
    ]
    for section_id in sorted(kept, key=lambda i: (order.get(i, len(order)), i)):
        out.append(f"{scalar(section_id)}:\n")
        for name, text in kept[section_id].items():
            if name in LINE_PARTS:
                out.append(f"  {name}: {scalar(text)}\n")
                continue
            chomp = "" if text.endswith("\n") else "-"
            out.append(f"  {name}: |{chomp}\n")
            out += [f"    {line}".rstrip() + "\n" for line in text.rstrip("\n").split("\n")]
    snapshot_path(sheet, lang).write_text("".join(out), encoding="utf-8")


def reviewer_name(folder: Path) -> str:
    """The git user's name, as a default for `reviewed --by`; "" when unknown."""
    import subprocess

    try:
        found = subprocess.run(
            ["git", "config", "user.name"], cwd=folder, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""


def translation_sections(sheet: Sheet, lang: str, section_ids: list[str]) -> list[Reviewed]:
    """The named sections of a translation, FRONT for its title, subtitle,
    summary and credit (all of them for an empty list); bad names raise."""
    reference_lang = sheet.config.languages[0]
    if lang == reference_lang or lang not in sheet.contents:
        where = sheet.config.pos_of("languages")
        message = f"'{lang}' is not a translation of this sheet"
        raise FactsheetError(
            [Problem(where, message, code="sheet.not-a-translation", subject=lang)]
        )
    reference = {r.id for r in reviewables(sheet.contents[reference_lang])}
    known = {r.id: r for r in reviewables(sheet.contents[lang])}
    unknown = [i for i in section_ids if i not in known or i not in reference]
    if unknown:
        where = Pos(sheet.contents[lang].path)
        both = [i for i in known if i in reference]
        names = f"{lang}.yaml and {sheet.config.languages[0]}.yaml"
        problems = []
        for name in unknown:
            close = difflib.get_close_matches(name, both, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; they have: {', '.join(both)}"
            message = f"no section '{name}' in both {names}{hint}"
            problems.append(Problem(where, message, code="sheet.unknown-section", subject=name))
        raise FactsheetError(problems)
    chosen = section_ids or [i for i in known if i in reference]
    return [known[i] for i in dict.fromkeys(chosen)]


def mark_reviewed(
    sheet: Sheet, lang: str, section_ids: list[str], by: str = "", date: str = ""
) -> list[str]:
    """Record in <lang>.yaml that sections (FRONT: the title, subtitle, summary
    and credit) match the reference as it is now, and keep that reference text
    in <lang>.reviewed.yaml. An empty list marks all.

    Edits only the `translated-from:` lines (or adds one under a section's
    `id:`, and the front's at the end of the file, where it moves no line
    above it), so comments and formatting stay as the translator wrote them.
    Returns the ids marked.
    """
    chosen = translation_sections(sheet, lang, section_ids)
    date = date or datetime.date.today().isoformat()
    reference = {r.id: r for r in reviewables(sheet.contents[sheet.config.languages[0]])}
    path = sheet.root / f"{lang}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # Work bottom-up so inserting a line does not shift the ones still to edit.
    at_end = []
    for section in sorted(chosen, key=lambda s: -(s.translated_from or s).pos.line):
        value = scalar(review_record(reference[section.id], section, date, by))
        if section.translated_from is not None:
            index = section.translated_from.pos.line - 1
            head = lines[index][: lines[index].index("translated-from:")]
            lines[index] = f"{head}translated-from: {value}\n"
        elif section.id == FRONT:
            at_end.append(f"translated-from: {value}\n")
        else:
            index = section.pos.line - 1
            # Line up with the `id:` key (section.pos is where its value starts).
            indent = " " * lines[index].rfind("id:", 0, section.pos.col)
            lines.insert(index + 1, f"{indent}translated-from: {value}\n")
    if at_end and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    path.write_text("".join(lines + at_end), encoding="utf-8")
    kept = read_snapshot(sheet, lang)
    for section in chosen:
        kept[section.id] = dict(reference[section.id].parts)
    # A section whose record still matches the reference as it is now was
    # reviewed against exactly this text: keep it too (records made before the
    # history was kept).
    for section in reviewables(sheet.contents[lang]):
        source = reference.get(section.id)
        if source is not None and section.id not in kept and stale(source, section) == "":
            kept[section.id] = dict(source.parts)
    write_snapshot(sheet, lang, kept)
    return [s.id for s in chosen]


def word_diff(old: str, new: str) -> str:
    """git's --word-diff=plain: `[-removed-]{+added+}` within the new text."""
    before, after = old.split(), new.split()
    out = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out += after[b1:b2]
            continue
        if a2 > a1:
            out.append("[-" + " ".join(before[a1:a2]) + "-]")
        if b2 > b1:
            out.append("{+" + " ".join(after[b1:b2]) + "+}")
    return " ".join(out)


def describe_changes(sheet: Sheet, lang: str, section_ids: list[str]) -> list[str]:
    """What `make_pdf.py changes` prints: for each section (or FRONT) asked for,
    else each out of date, the reference text as reviewed against the text as
    it is now, paragraph by paragraph, as a word diff."""
    asked = translation_sections(sheet, lang, section_ids)
    reference_content = sheet.contents[sheet.config.languages[0]]
    reference = {r.id: r for r in reviewables(reference_content)}
    name = Path(reference_content.path).name
    kept = read_snapshot(sheet, lang)
    out = []
    for section in asked:
        source = reference[section.id]
        why = stale(source, section)
        if not section_ids and why in ("", "own"):
            continue
        record = Record.parse(section.translated_from.value) if section.translated_from else None
        head = f"{section.name} ({name}:{source.pos.line})"
        if record is None:
            out.append(f"{head}: never reviewed; all of it is new to the translation")
            continue
        if section.id not in kept or why != "reference":
            state = (
                f"{name} is unchanged since"
                if why != "reference"
                else f"{name} changed since; the text it had then was not kept"
            )
            out.append(f"{head}, {record.when}: {state}")
            continue
        out.append(f"{head}, {record.when}; [-removed-] {{+added+}}:")
        old = pieces(kept[section.id])
        new = pieces(source.parts)
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                continue
            changed = word_diff(" ".join(old[a1:a2]), " ".join(new[b1:b2]))
            out += textwrap.wrap(changed, 76, initial_indent="  ", subsequent_indent="  ")
            out.append("")
    own = {s.id for s in sheet.contents[lang].sections}
    for source in reference_content.sections if not section_ids else []:
        if source.id not in own:
            out.append(f"section '{source.id}' ({name}:{source.pos.line}): new in {name}, "
                       f"not in {lang}.yaml yet; export or copy it to translate it")  # fmt: skip
    if not out:
        out.append(f"{lang}: every section is reviewed against {name} as it is now")
    return out


def pieces(parts: dict[str, str]) -> list[str]:
    """A section's (or the front's) text as the units a diff compares: each
    heading, title and subtitle whole, each body's paragraphs, items and quotes."""
    out = []
    for name, text in parts.items():
        out += [text] if name in LINE_PARTS else paragraphs(text)
    return out


def paragraphs(body: str) -> list[str]:
    """A body's paragraphs, list items and quotes, one string each."""
    marks = {"item": "- ", "quote": "> ", "title": "::: box ", "cell": "| "}
    field = body_field("body", "body", None, Text(body, Pos("")))
    return [marks.get(block.kind, "") + block.text for block in field.blocks]
