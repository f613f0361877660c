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


def section_hash(section: Section) -> str:
    """The hash of what a section says: its words and paragraphs, not where its
    lines break (rewrapping a paragraph is not an edit)."""
    text = f"{section.heading.value}\n\n{section.body.value}"
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return hashlib.sha256("\n\n".join(paragraphs).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def review_record(reference: Section, translation: Section, date: str = "", by: str = "") -> str:
    """What `translated-from:` holds once a translator has reviewed `translation`."""
    return str(Record(section_hash(reference), section_hash(translation), date, by))


def stale(reference: Section, translation: Section) -> str:
    """Why a translated section needs review: "new" (never reviewed), "reference"
    (the reference changed), "own" (the translation changed), or "" (current)."""
    if translation.translated_from is None:
        return "new"
    record = Record.parse(translation.translated_from.value)
    if record.reference != section_hash(reference):
        return "reference"
    if record.own != section_hash(translation):
        return "own"
    return ""


def stale_sections(reference: Content, translation: Content, sheet_dir: str) -> list[Problem]:
    """Warnings for sections not reviewed since their reference section, or they
    themselves, last changed; each says which command shows the change and
    which records the review."""
    sources = {s.id: s for s in reference.sections}
    name = Path(reference.path).name
    own_name = Path(translation.path).name
    lang = translation.lang
    problems = []
    for section in translation.sections:
        source = sources.get(section.id)
        if source is None:
            continue  # a missing or extra section is the parity check's error
        hint = f"once reviewed, run: {RUN} reviewed {sheet_dir} {lang} {section.id}"
        why = stale(source, section)
        if why == "new":
            code = "review.no-record"
            message = f"section '{section.id}' has no review record (translated-from)"
        elif why == "reference":
            code = "review.reference-changed"
            message = (
                f"section '{section.id}' is out of date: {name}:{source.pos.line} changed "
                "since it was reviewed"
            )
            hint = f"see what changed: {RUN} changes {sheet_dir} {lang} {section.id}; {hint}"
        elif why == "own":
            code = "review.translation-changed"
            message = (
                f"section '{section.id}' changed in {own_name} since it was reviewed "
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


def read_snapshot(sheet: Sheet, lang: str) -> dict[str, tuple[str, str]]:
    """Section id -> (heading, body) of the reference as last reviewed."""
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
        key: (value.get("heading", ""), value.get("body", ""))
        for key, value in data.items()
        if isinstance(value, dict)
    }


def write_snapshot(sheet: Sheet, lang: str, sections: dict[str, tuple[str, str]]) -> None:
    """Write the kept reference text in the reference's section order."""
    reference = sheet.contents[sheet.config.languages[0]]
    order = {s.id: index for index, s in enumerate(reference.sections)}
    reference_name = Path(reference.path).name
    out = [
        f"# What {reference_name} said when each section of {lang}.yaml was last reviewed.\n",
        f"# Written by `{RUN} reviewed` and `import`; read by `changes` and `export`.\n",
        "# Keep it in git; do not edit it by hand.\n",
    ]
    for section_id in sorted(sections, key=lambda i: (order.get(i, len(order)), i)):
        heading, body = sections[section_id]
        out.append(f"{scalar(section_id)}:\n  heading: {scalar(heading)}\n")
        chomp = "" if body.endswith("\n") else "-"
        out.append(f"  body: |{chomp}\n")
        out += [f"    {line}".rstrip() + "\n" for line in body.rstrip("\n").split("\n")]
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


def translation_sections(sheet: Sheet, lang: str, section_ids: list[str]) -> list[Section]:
    """The named sections of a translation (all for an empty list); bad names raise."""
    reference_lang = sheet.config.languages[0]
    if lang == reference_lang or lang not in sheet.contents:
        where = sheet.config.pos_of("languages")
        message = f"'{lang}' is not a translation of this sheet"
        raise FactsheetError(
            [Problem(where, message, code="sheet.not-a-translation", subject=lang)]
        )
    reference = {s.id for s in sheet.contents[reference_lang].sections}
    known = {s.id: s for s in sheet.contents[lang].sections}
    unknown = [i for i in section_ids if i not in known or i not in reference]
    if unknown:
        where = Pos(sheet.contents[lang].path)
        both = sorted(set(known) & reference)
        names = f"{lang}.yaml and {sheet.config.languages[0]}.yaml"
        problems = []
        for name in unknown:
            close = difflib.get_close_matches(name, both, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; they have: {', '.join(both)}"
            message = f"no section '{name}' in both {names}{hint}"
            problems.append(Problem(where, message, code="sheet.unknown-section", subject=name))
        raise FactsheetError(problems)
    chosen = section_ids or [s.id for s in sheet.contents[lang].sections if s.id in reference]
    return [known[i] for i in chosen]


def mark_reviewed(
    sheet: Sheet, lang: str, section_ids: list[str], by: str = "", date: str = ""
) -> list[str]:
    """Record in <lang>.yaml that sections match the reference as it is now, and
    keep that reference text in <lang>.reviewed.yaml. An empty list marks all.

    Edits only the `translated-from:` lines (or adds one under the `id:`), so
    comments and formatting in the file stay as the translator wrote them.
    Returns the ids marked.
    """
    chosen = translation_sections(sheet, lang, section_ids)
    date = date or datetime.date.today().isoformat()
    reference = {s.id: s for s in sheet.contents[sheet.config.languages[0]].sections}
    path = sheet.root / f"{lang}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # Work bottom-up so inserting a line does not shift the ones still to edit.
    for section in sorted(chosen, key=lambda s: -s.pos.line):
        value = scalar(review_record(reference[section.id], section, date, by))
        if section.translated_from is not None:
            index = section.translated_from.pos.line - 1
            head = lines[index][: lines[index].index("translated-from:")]
            lines[index] = f"{head}translated-from: {value}\n"
        else:
            index = section.pos.line - 1
            # Line up with the `id:` key (section.pos is where its value starts).
            indent = " " * lines[index].rfind("id:", 0, section.pos.col)
            lines.insert(index + 1, f"{indent}translated-from: {value}\n")
    path.write_text("".join(lines), encoding="utf-8")
    kept = read_snapshot(sheet, lang)
    for section in chosen:
        source = reference[section.id]
        kept[section.id] = (source.heading.value, source.body.value)
    # A section whose record still matches the reference as it is now was
    # reviewed against exactly this text: keep it too (records made before the
    # history was kept).
    for section in sheet.contents[lang].sections:
        source = reference.get(section.id)
        if source is not None and section.id not in kept and stale(source, section) == "":
            kept[section.id] = (source.heading.value, source.body.value)
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
    """What `make_pdf.py changes` prints: for each section asked for (else each
    out of date), the reference text as reviewed against the text as it is now,
    paragraph by paragraph, as a word diff."""
    asked = translation_sections(sheet, lang, section_ids)
    reference_content = sheet.contents[sheet.config.languages[0]]
    reference = {s.id: s for s in reference_content.sections}
    name = Path(reference_content.path).name
    kept = read_snapshot(sheet, lang)
    out = []
    for section in asked:
        source = reference[section.id]
        why = stale(source, section)
        if not section_ids and why in ("", "own"):
            continue
        record = Record.parse(section.translated_from.value) if section.translated_from else None
        head = f"section '{section.id}' ({name}:{source.pos.line})"
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
        old_heading, old_body = kept[section.id]
        old = [old_heading, *paragraphs(old_body)]
        new = [source.heading.value, *paragraphs(source.body.value)]
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


def paragraphs(body: str) -> list[str]:
    """A body's paragraphs, list items and quotes, one string each."""
    marks = {"item": "- ", "quote": "> ", "title": "::: box ", "cell": "| "}
    field = body_field("body", "body", None, Text(body, Pos("")))
    return [marks.get(block.kind, "") + block.text for block in field.blocks]
