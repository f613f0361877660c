"""Stage 1, load: read a sheet folder's YAML into the typed model.

Every file goes through `reader.Reader` (positions, types, no aliases). A
file's text may be given from memory (`texts`), so a translation can be
checked before it is written, with positions naming the real file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from factsheet.errors import FactsheetError, Pos, Problem, display_path
from factsheet.languages import has_profile, no_profile
from factsheet.model import (
    ChartWords,
    Content,
    ReadingLevel,
    Section,
    Sheet,
    SheetConfig,
    Source,
    Text,
)
from factsheet.sources.reader import Node, Reader
from factsheet.sources.theme import load_theme

# A slug names the sheet's outputs (`<slug>.<lang>.pdf`) and its web address:
# letters, digits, and `-`, `_` or `.` between them.
SLUG = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*")

DEFAULTS: dict[str, object] = {
    "locales": {},
    "url": "",
    "pages": 2,
    "paper": "letter",
    "citation-style": "chicago-notes-bibliography",
    "bibliography": True,
    "fit": True,
    "theme": "default",
    "reading-level": ReadingLevel(),
    "print-shop": "coated",
}


def load_config(path: Path) -> tuple[SheetConfig | None, list[Problem]]:
    reader = Reader(path)
    root = reader.root
    items = reader.mapping(root, "sheet.yaml") if root is not None else None
    if items is None:
        if root is None:
            reader.error(Pos(reader.path, 1, 1), "sheet.yaml is empty", code="load.empty")
        return None, reader.problems
    positions: dict[str, Pos] = {}
    readers = {
        "languages": reader.words,
        "published": reader.date,
        "updated": reader.date,
        "pages": reader.integer,
        "paper": reader.word,
        "citation-style": reader.word,
        "bibliography": reader.boolean,
        "locales": reader.word_map,
        "url": reader.word,
        "fit": reader.switch,
        "theme": reader.word,
        "reading-level": lambda node, key: reading_level(reader, node, positions),
        "print-shop": lambda node, key: print_shop(reader, node, positions),
    }
    reader.unknown_keys(items, set(readers), "sheet.yaml")
    values: dict[str, object] = dict(DEFAULTS)
    for key, read in readers.items():
        if key not in items:
            if key not in DEFAULTS:
                where = Pos(reader.path, 1, 1)
                reader.error(where, f"missing key '{key}'", code="load.missing-key", subject=key)
            continue
        value_node = items[key][1]
        positions[key] = reader.pos(value_node)
        values[key] = read(value_node, key)
        if key == "languages" and isinstance(value_node, yaml.SequenceNode):
            # Each language's own place, for what is wrong with that one.
            for item in value_node.value:
                if isinstance(item, yaml.ScalarNode):
                    positions.setdefault(language_key(item.value), reader.pos(item))
    if reader.problems or None in values.values():
        return None, reader.problems
    config = SheetConfig(
        path=reader.path,
        languages=values["languages"],  # type: ignore[arg-type]
        published=values["published"],  # type: ignore[arg-type]
        updated=values["updated"],  # type: ignore[arg-type]
        pages=values["pages"],  # type: ignore[arg-type]
        paper=values["paper"],  # type: ignore[arg-type]
        citation_style=values["citation-style"],  # type: ignore[arg-type]
        bibliography=values["bibliography"],  # type: ignore[arg-type]
        locales=values["locales"],  # type: ignore[arg-type]
        url=values["url"],  # type: ignore[arg-type]
        fit=values["fit"],  # type: ignore[arg-type]
        theme_name=values["theme"],  # type: ignore[arg-type]
        reading_level=values["reading-level"],  # type: ignore[arg-type]
        print_condition=values["print-shop"],  # type: ignore[arg-type]
        positions=positions,
    )
    return config, reader.problems


PRINT_SHOP_KEYS = {"condition"}


def print_shop(reader: Reader, node: Node, positions: dict[str, Pos]) -> str | None:
    """`print-shop: {condition: NAME}`: the printing condition of --print-shop's
    PDF/X. The name is judged where the PDF is made (outputs/pdfx.py has the list)."""
    items = reader.mapping(node, "'print-shop'")
    if items is None:
        return None
    reader.unknown_keys(items, PRINT_SHOP_KEYS, "print-shop")
    if "condition" not in items:
        return "coated"
    value = items["condition"][1]
    positions["print-shop.condition"] = reader.pos(value)
    return reader.word(value, "print-shop.condition")


READING_KEYS = {"sentence-words", "strict"}  # any other key of reading-level is a language


def reading_level(reader: Reader, node: Node, positions: dict[str, Pos]) -> ReadingLevel | None:
    """`reading-level: off`, or a mapping: a target per language (a number, or
    off), `sentence-words` and `strict`. Each key's place goes in `positions`
    (`reading-level.en`), for the checks that judge its value."""
    if isinstance(node, yaml.ScalarNode):
        on = reader.switch(node, "reading-level")
        return None if on is None else ReadingLevel(on=on)
    items = reader.mapping(node, "'reading-level'")
    if items is None:
        return None
    targets: dict[str, float | None] = {}
    settings: dict[str, object] = {}
    failed = False
    for name, (_, value) in items.items():
        key = f"reading-level.{name}"
        positions[key] = reader.pos(value)
        if name == "sentence-words":
            settings["sentence_words"] = reader.integer(value, key)
        elif name == "strict":
            settings["strict"] = reader.boolean(value, key)
        else:
            targets[name] = target = reading_target(reader, value, key)
            failed |= target == -1
    if failed or None in settings.values():
        return None
    return ReadingLevel(targets=targets, **settings)  # type: ignore[arg-type]


def reading_target(reader: Reader, node: Node, key: str) -> float | None:
    """A number on the language's scale, or off (None); -1 when it is neither."""
    word = reader.word(node, key)
    if word is None:
        return -1
    if word.lower() in ("off", "false"):
        return None
    try:
        return float(word)
    except ValueError:
        message = f"'{key}' must be a number on the language's scale, or off, not '{word}'"
        reader.error(node, message, code="load.wrong-type")
        return -1


def language_key(lang: str) -> str:
    """Where a language of `languages:` is recorded in SheetConfig.positions."""
    return f"languages.{lang}"


def language_pos(config: SheetConfig, lang: str) -> Pos:
    """The place of one language in sheet.yaml's `languages:` list."""
    return config.positions.get(language_key(lang), config.pos_of("languages"))


CONTENT_KEYS = {"title", "subtitle", "summary", "sections", "credit", "charts", "translated-from"}
# The id under which the title, subtitle, summary and credit are reviewed
# (review.py): no section may have it.
FRONT = "front"
CHART_KEYS = {"alt", "fields", "labels"}
SECTION_KEYS = {"id", "heading", "body", "translated-from"}


def load_content(
    path: Path, lang: str, text: str | None = None
) -> tuple[Content | None, list[Problem]]:
    reader = Reader(path, text)
    root = reader.root
    items = reader.mapping(root, f"{lang}.yaml") if root is not None else None
    if items is None:
        if root is None:
            reader.error(Pos(reader.path, 1, 1), f"{lang}.yaml is empty", code="load.empty")
        return None, reader.problems
    reader.unknown_keys(items, CONTENT_KEYS, f"{lang}.yaml")
    for key in ("title", "summary", "sections"):
        if key not in items:
            where = Pos(reader.path, 1, 1)
            reader.error(where, f"missing key '{key}'", code="load.missing-key", subject=key)

    def optional_text(key: str) -> Text | None:
        return reader.text(items[key][1], key) if key in items else None

    sections: list[Section] = []
    if "sections" in items:
        node = items["sections"][1]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            reader.error(node, "'sections' must be a non-empty list", code="load.wrong-type")
        else:
            sections = [s for s in (read_section(reader, n) for n in node.value) if s]
    content = Content(
        lang=lang,
        path=reader.path,
        title=optional_text("title"),  # type: ignore[arg-type]
        subtitle=optional_text("subtitle"),
        summary=optional_text("summary"),  # type: ignore[arg-type]
        sections=sections,
        credit=optional_text("credit"),
        charts=read_charts(reader, items["charts"][1]) if "charts" in items else [],
        translated_from=optional_text("translated-from"),
    )
    return (None if reader.problems else content), reader.problems


def read_charts(reader: Reader, node: Node) -> list[ChartWords]:
    """`charts:`, each chart's words by its id (the name of its spec in charts/)."""
    charts = []
    for chart_id, (key_node, value) in (reader.mapping(node, "charts") or {}).items():
        items = reader.mapping(value, f"charts.{chart_id}")
        if items is None:
            continue
        reader.unknown_keys(items, CHART_KEYS, f"charts.{chart_id}")
        if "alt" not in items or "fields" not in items:
            missing = "alt" if "alt" not in items else "fields"
            message = f"charts.{chart_id}: missing key '{missing}'"
            reader.error(key_node, message, code="load.missing-key", subject=missing)
            continue
        alt = reader.text(items["alt"][1], f"charts.{chart_id}.alt")
        texts = {}
        for key in ("fields", "labels"):
            found = {}
            if key in items:
                found = reader.mapping(items[key][1], f"charts.{chart_id}.{key}")
            texts[key] = {
                name: text
                for name, (_, text_node) in (found or {}).items()
                if (text := reader.text(text_node, f"charts.{chart_id}.{key}.{name}"))
            }
        if alt is not None:
            charts.append(
                ChartWords(chart_id, reader.pos(key_node), alt, texts["fields"], texts["labels"])
            )
    return charts


def read_section(reader: Reader, node: Node) -> Section | None:
    items = reader.mapping(node, "a section")
    if items is None:
        return None
    reader.unknown_keys(items, SECTION_KEYS, "a section")
    missing = [key for key in ("id", "heading", "body") if key not in items]
    for key in missing:
        reader.error(node, f"section is missing key '{key}'", code="load.missing-key", subject=key)
    if missing:
        return None
    section_id = reader.word(items["id"][1], "id")
    heading = reader.text(items["heading"][1], "heading")
    body = reader.text(items["body"][1], "body")
    reviewed = None
    if "translated-from" in items:
        reviewed = reader.text(items["translated-from"][1], "translated-from")
    if section_id is None or heading is None or body is None:
        return None
    if section_id == FRONT:
        message = (
            f"section id '{FRONT}' names the title, subtitle, summary and credit in review "
            "records: choose another"
        )
        reader.error(items["id"][1], message, code="sheet.section-id-reserved", subject=FRONT)
        return None
    return Section(section_id, reader.pos(items["id"][1]), heading, body, reviewed)


def load_sources(path: Path) -> tuple[list[Source], list[Problem]]:
    """sources.yaml: CSL YAML, a top-level list or a `references:` mapping."""
    reader = Reader(path)
    root = reader.root
    if root is None:
        return [], []
    if isinstance(root, yaml.MappingNode):
        items = reader.mapping(root, "sources.yaml") or {}
        if "references" not in items:
            message = "sources.yaml must be a list of sources or have 'references:'"
            reader.error(root, message, code="load.wrong-type")
            return [], reader.problems
        root = items["references"][1]
    if not isinstance(root, yaml.SequenceNode):
        reader.error(root, "sources must be a list of CSL entries", code="load.wrong-type")
        return [], reader.problems
    sources = []
    for entry in root.value:
        items = reader.mapping(entry, "a source")
        if items is None:
            continue
        csl = {key: reader.to_plain(value) for key, (_, value) in items.items()}
        positions = {key: reader.pos(value) for key, (_, value) in items.items()}
        sources.append(Source(str(csl.get("id", "")), reader.pos(entry), csl, positions))
    return sources, reader.problems


def load_sheet(folder: Path, texts: Mapping[Path, str] | None = None) -> Sheet:
    """Read sheet.yaml, every <lang>.yaml and sources.yaml of one sheet folder.

    `texts` gives some language files' text from memory (path -> text), read
    instead of what is on disk; positions still name those files."""
    texts = texts or {}
    problems: list[Problem] = []
    slug = folder.resolve().name
    if not SLUG.fullmatch(slug):
        message = (
            f"the sheet's folder name '{slug}' is its slug, which names its PDFs: use letters, "
            "digits, and '-', '_' or '.' between them"
        )
        problems.append(Problem(Pos(display_path(folder)), message, code="load.slug", subject=slug))
    config, found = load_config(folder / "sheet.yaml")
    problems += found
    contents: dict[str, Content] = {}
    sources: list[Source] = []
    for lang in config.languages if config else []:
        # A language is a name from a fixed list (its profile) before it is part of
        # a path: `../../elsewhere/secret` must never open elsewhere/secret.yaml.
        if not has_profile(lang):  # never written with another language's conventions
            problems.append(no_profile(lang, language_pos(config, lang)))
            continue
        path = folder / f"{lang}.yaml"
        if path not in texts and not path.is_file():
            where = language_pos(config, lang)
            shown = display_path(folder / f"{lang}.yaml")
            message = f"languages: '{lang}' is listed but {shown} does not exist"
            problems.append(Problem(where, message, code="file.not-found", subject=shown))
            continue
        try:
            content, found = load_content(path, lang, texts.get(path))
        except FactsheetError as exc:
            found, content = exc.problems, None
        problems += found
        if content is not None:
            contents[lang] = content
    try:
        if (folder / "sources.yaml").exists():
            sources, found = load_sources(folder / "sources.yaml")
            problems += found
    except FactsheetError as exc:
        problems += exc.problems
    if config is not None:
        known = [lang for lang in config.languages if has_profile(lang)]  # the rest refused
        theme, found = load_theme(config.theme_name, config.pos_of("theme"), known)
        problems += found
        config = dataclasses.replace(config, theme=theme)
    if problems or config is None:
        raise FactsheetError(problems)
    return Sheet(
        slug=slug,
        root=folder,
        config=config,
        contents=contents,
        sources=sources,
        sources_path=display_path(folder / "sources.yaml"),
    )
