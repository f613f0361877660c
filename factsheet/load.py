"""Stage 1, load: read a sheet folder's YAML into the typed model.

YAML is composed into nodes, never constructed by PyYAML, so every value keeps
its position and YAML 1.1 surprises cannot happen: a Spanish list item `No`
stays the string "No", and only keys that are meant to be dates, numbers or
booleans are read as such.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import yaml

from factsheet.errors import FactsheetError, Pos, Problem, display_path, fail
from factsheet.model import ChartWords, Content, Section, Sheet, SheetConfig, Source, Text
from factsheet.theme import load_theme

MAX_FILE_BYTES = 1_000_000

DEFAULTS: dict[str, object] = {
    "locales": {},
    "url": "",
    "pages": 2,
    "paper": "letter",
    "citation-style": "chicago-notes-bibliography",
    "bibliography": True,
    "fit": True,
    "theme": "default",
}

Node = yaml.Node
# libyaml's parser when PyYAML has it (its wheels do): ten times the speed, the
# same nodes and marks.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def mark_pos(path: str, mark: yaml.Mark) -> Pos:
    """PyYAML counts lines and columns from 0; messages count from 1."""
    return Pos(path, mark.line + 1, mark.column + 1)


def node_pos(path: str, node: Node) -> Pos:
    return mark_pos(path, node.start_mark)


def yaml_hint(problem: str, text: str, mark: yaml.Mark | None) -> str:
    """The usual cause of a YAML error, in the writer's terms."""
    if "mapping values are not allowed" not in problem or mark is None:
        return ""
    key, _, value = text.splitlines()[mark.line].partition(":")
    key, value = key.strip().removeprefix("- ").strip(), value.strip()
    quote = "'" if '"' in value else '"'
    if key and value:
        example = f"{key}: {quote}{value}{quote}"
        return f"; a value with ': ' in it needs quotes around it: {example}"
    return "; a value with ': ' in it needs quotes around it"


def read_yaml(path: Path) -> tuple[Node | None, str]:
    """Parse one YAML file into a node tree (and its text); bad files raise."""
    shown = display_path(path)
    if not path.is_file():
        raise fail(Pos(shown), "file not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise fail(Pos(shown, 1, 1), f"file is larger than {MAX_FILE_BYTES} bytes")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(Pos(shown, line, 1), "file is not UTF-8 text") from None
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        root = compose_for_errors(text, shown)
    repeated = first_alias(root)
    if repeated is not None:
        message = "YAML anchors and aliases (&name, *name) are not allowed"
        raise fail(node_pos(shown, repeated), message)
    return root, text


def compose_for_errors(text: str, shown: str) -> Node | None:
    """Parse again with PyYAML's own parser, whose messages say more than
    libyaml's ("expected ',' or ']', but got ':'"), and raise with its words."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark_pos(shown, mark) if mark else Pos(shown, 1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        raise fail(where, f"YAML syntax error: {what}{yaml_hint(what, text, mark)}") from None
    except yaml.YAMLError as exc:
        raise fail(Pos(shown, 1, 1), f"YAML error: {exc}") from None


def first_alias(root: Node | None) -> Node | None:
    """A node reached twice, which only an alias can do.

    Refusing aliases outright keeps a "billion laughs" file from expanding:
    the walk sees each node once, so it stays linear in the file's size.
    """
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
    return None


class Reader:
    """Turns nodes of one file into typed values, collecting problems."""

    def __init__(self, path: Path) -> None:
        self.path = display_path(path)
        self.root, text = read_yaml(path)
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def pos(self, node: Node) -> Pos:
        return node_pos(self.path, node)

    def error(self, node: Node | Pos, message: str) -> None:
        where = node if isinstance(node, Pos) else self.pos(node)
        self.problems.append(Problem(where, message))

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]] | None:
        """Keys to (key node, value node); duplicate keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values")
            return None
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.error(key_node, f"{what}: keys must be plain words")
                continue
            if key in result:
                first = result[key][0].start_mark.line + 1
                self.error(key_node, f"duplicate key '{key}' (first defined on line {first})")
                continue
            result[key] = (key_node, value_node)
        return result

    def unknown_keys(self, items: dict, allowed: set[str], what: str) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(key_node, f"unknown key '{key}' in {what} (known keys: {known})")

    def text(self, node: Node, key: str) -> Text | None:
        if not isinstance(node, yaml.ScalarNode) or (node.tag.endswith(":null") and not node.value):
            self.error(node, f"'{key}' must be text")
            return None
        pos = self.pos(node)
        extent = (pos, mark_pos(self.path, node.end_mark))
        if node.style in ("|", ">"):
            indent = self.block_indent(node)
            block = indent if node.style == "|" else None
            return Text(node.value, pos, block, extent)
        if node.style in ("'", '"'):
            pos = Pos(pos.path, pos.line, pos.col + 1)
        return Text(node.value, pos, extent=extent)

    def block_indent(self, node: Node) -> int:
        for line in self.lines[node.start_mark.line + 1 :]:
            if line.strip():
                return len(line) - len(line.lstrip(" "))
        return node.start_mark.column

    def word(self, node: Node, key: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            self.error(node, f"'{key}' must be a single word or value")
            return None
        return node.value.strip()

    def integer(self, node: Node, key: str) -> int | None:
        value = self.word(node, key)
        if value is None:
            return None
        if not value.isdigit() or int(value) < 1:
            self.error(node, f"'{key}' must be a whole number of 1 or more, not '{value}'")
            return None
        return int(value)

    def date(self, node: Node, key: str) -> datetime.date | None:
        value = self.word(node, key)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(node, f"'{key}' must be a date written YYYY-MM-DD, not '{value}'")
            return None

    def boolean(self, node: Node, key: str) -> bool | None:
        value = self.word(node, key)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            self.error(node, f"'{key}' must be true or false, not '{value}'")
            return None
        return value.lower() == "true"

    def switch(self, node: Node, key: str) -> bool | None:
        """A setting that is on or off (`fit: off`); true and false work too."""
        value = self.word(node, key)
        if value is None:
            return None
        if value.lower() not in ("on", "off", "true", "false"):
            self.error(node, f"'{key}' must be on or off, not '{value}'")
            return None
        return value.lower() in ("on", "true")

    def words(self, node: Node, key: str) -> list[str] | None:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node, f"'{key}' must be a non-empty list, for example [en, es]")
            return None
        values = [self.word(item, key) for item in node.value]
        return None if None in values else values  # type: ignore[return-value]

    def word_map(self, node: Node, key: str) -> dict[str, str] | None:
        items = self.mapping(node, f"'{key}'")
        if items is None:
            return None
        values = {name: self.word(value, f"{key}.{name}") for name, (_, value) in items.items()}
        return None if None in values.values() else values  # type: ignore[return-value]

    def to_plain(self, node: Node) -> object:
        """Nodes to plain lists, dicts and strings (for CSL data)."""
        if isinstance(node, yaml.ScalarNode):
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.to_plain(item) for item in node.value]
        items = self.mapping(node, "entry") or {}
        return {key: self.to_plain(value) for key, (_, value) in items.items()}


def load_config(path: Path) -> tuple[SheetConfig | None, list[Problem]]:
    reader = Reader(path)
    root = reader.root
    items = reader.mapping(root, "sheet.yaml") if root is not None else None
    if items is None:
        if root is None:
            reader.error(Pos(reader.path, 1, 1), "sheet.yaml is empty")
        return None, reader.problems
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
    }
    reader.unknown_keys(items, set(readers), "sheet.yaml")
    values: dict[str, object] = dict(DEFAULTS)
    positions: dict[str, Pos] = {}
    for key, read in readers.items():
        if key not in items:
            if key not in DEFAULTS:
                reader.error(Pos(reader.path, 1, 1), f"missing key '{key}'")
            continue
        value_node = items[key][1]
        positions[key] = reader.pos(value_node)
        values[key] = read(value_node, key)
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
        positions=positions,
    )
    return config, reader.problems


CONTENT_KEYS = {"title", "subtitle", "summary", "sections", "credit", "charts"}
CHART_KEYS = {"alt", "fields", "labels"}
SECTION_KEYS = {"id", "heading", "body", "translated-from"}


def load_content(path: Path, lang: str) -> tuple[Content | None, list[Problem]]:
    reader = Reader(path)
    root = reader.root
    items = reader.mapping(root, f"{lang}.yaml") if root is not None else None
    if items is None:
        if root is None:
            reader.error(Pos(reader.path, 1, 1), f"{lang}.yaml is empty")
        return None, reader.problems
    reader.unknown_keys(items, CONTENT_KEYS, f"{lang}.yaml")
    for key in ("title", "summary", "sections"):
        if key not in items:
            reader.error(Pos(reader.path, 1, 1), f"missing key '{key}'")

    def optional_text(key: str) -> Text | None:
        return reader.text(items[key][1], key) if key in items else None

    sections: list[Section] = []
    if "sections" in items:
        node = items["sections"][1]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            reader.error(node, "'sections' must be a non-empty list")
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
            reader.error(key_node, f"charts.{chart_id}: missing key '{missing}'")
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
        reader.error(node, f"section is missing key '{key}'")
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
            reader.error(root, "sources.yaml must be a list of sources or have 'references:'")
            return [], reader.problems
        root = items["references"][1]
    if not isinstance(root, yaml.SequenceNode):
        reader.error(root, "sources must be a list of CSL entries")
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


def load_sheet(folder: Path) -> Sheet:
    """Read sheet.yaml, every <lang>.yaml and sources.yaml of one sheet folder."""
    problems: list[Problem] = []
    config, found = load_config(folder / "sheet.yaml")
    problems += found
    contents: dict[str, Content] = {}
    sources: list[Source] = []
    for lang in config.languages if config else []:
        if not (folder / f"{lang}.yaml").is_file():
            where = config.pos_of("languages")
            shown = display_path(folder / f"{lang}.yaml")
            problems.append(
                Problem(where, f"languages: '{lang}' is listed but {shown} does not exist")
            )
            continue
        try:
            content, found = load_content(folder / f"{lang}.yaml", lang)
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
        theme, found = load_theme(config.theme_name, config.pos_of("theme"), config.languages)
        problems += found
        config = dataclasses.replace(config, theme=theme)
    if problems or config is None:
        raise FactsheetError(problems)
    return Sheet(
        slug=folder.resolve().name,
        root=folder,
        config=config,
        contents=contents,
        sources=sources,
        sources_path=display_path(folder / "sources.yaml"),
    )
