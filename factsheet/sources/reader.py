"""The YAML reader every source file goes through: nodes with positions, types
checked by the reader, aliases and oversized files refused.

YAML is composed into nodes, never constructed by PyYAML, so every value keeps
its position and YAML 1.1 surprises cannot happen: a Spanish list item `No`
stays the string "No", and only keys that are meant to be dates, numbers or
booleans are read as such. A file's text may come from memory (an import
checks a translation before it is written) while positions name the real file.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml

from factsheet.errors import Pos, Problem, display_path, fail
from factsheet.model import Text

MAX_FILE_BYTES = 1_000_000
# Lists and mappings inside each other: a sheet needs five or six levels; the
# composer recurses, so thousands of brackets would exhaust Python's stack.
MAX_DEPTH = 40

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
    """The usual cause of a YAML error, in the writer's terms ("" when unknown)."""
    if "mapping values are not allowed" not in problem or mark is None:
        return ""
    key, _, value = text.splitlines()[mark.line].partition(":")
    key, value = key.strip().removeprefix("- ").strip(), value.strip()
    quote = "'" if '"' in value else '"'
    if key and value:
        example = f"{key}: {quote}{value}{quote}"
        return f"a value with ': ' in it needs quotes around it: {example}"
    return "a value with ': ' in it needs quotes around it"


def read_yaml(path: Path, text: str | None = None) -> tuple[Node | None, str]:
    """Parse one YAML file into a node tree (and its text); bad files raise.

    `text`, when given, is the file's text as it would be written (from memory):
    it is read instead of the disk, under the file's own name."""
    shown = display_path(path)
    if text is None:
        text = read_text(path, shown)
    elif len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise fail(
            Pos(shown, 1, 1), f"file is larger than {MAX_FILE_BYTES} bytes", code="file.too-large"
        )
    too_deep = first_too_deep(text)
    if too_deep is not None:
        message = f"lists and mappings are nested more than {MAX_DEPTH} deep"
        raise fail(mark_pos(shown, too_deep), message, code="yaml.too-deep")
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        root = compose_for_errors(text, shown)
    repeated = first_alias(root)
    if repeated is not None:
        message = "YAML anchors and aliases (&name, *name) are not allowed"
        raise fail(node_pos(shown, repeated), message, code="yaml.alias")
    return root, text


def first_too_deep(text: str) -> yaml.Mark | None:
    """Where nesting first passes MAX_DEPTH, read from the parser's events (the
    parser keeps a stack of its own, not Python's); None when it never does, or
    when the file does not parse (composing it again says why). libyaml refuses
    some deep files outright, unhelpfully; PyYAML's own parser then says where."""
    for loader in dict.fromkeys((LOADER, yaml.SafeLoader)):
        depth = 0
        try:
            for event in yaml.parse(text, Loader=loader):
                if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                    depth += 1
                    if depth > MAX_DEPTH:
                        return event.start_mark
                elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                    depth -= 1
            return None
        except yaml.YAMLError:
            continue
    return None


def read_text(path: Path, shown: str) -> str:
    """A source file's text from disk: bounded in size, UTF-8 or a clear error."""
    if not path.is_file():
        raise fail(Pos(shown), "file not found", code="file.not-found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise fail(
            Pos(shown, 1, 1), f"file is larger than {MAX_FILE_BYTES} bytes", code="file.too-large"
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(Pos(shown, line, 1), "file is not UTF-8 text", code="file.not-utf8") from None


def compose_for_errors(text: str, shown: str) -> Node | None:
    """Parse again with PyYAML's own parser, whose messages say more than
    libyaml's ("expected ',' or ']', but got ':'"), and raise with its words."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark_pos(shown, mark) if mark else Pos(shown, 1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        hint = yaml_hint(what, text, mark)
        raise fail(where, f"YAML syntax error: {what}", code="yaml.syntax", hint=hint) from None
    except yaml.YAMLError as exc:
        raise fail(Pos(shown, 1, 1), f"YAML error: {exc}", code="yaml.syntax") from None


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

    def __init__(self, path: Path, text: str | None = None) -> None:
        self.path = display_path(path)
        self.root, text = read_yaml(path, text)
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def pos(self, node: Node) -> Pos:
        return node_pos(self.path, node)

    def error(self, node: Node | Pos, message: str, *, code: str, subject: str = "") -> None:
        where = node if isinstance(node, Pos) else self.pos(node)
        self.problems.append(Problem(where, message, code=code, subject=subject))

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]] | None:
        """Keys to (key node, value node); duplicate keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values", code="load.wrong-type")
            return None
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.error(key_node, f"{what}: keys must be plain words", code="load.wrong-type")
                continue
            if key in result:
                first = result[key][0].start_mark.line + 1
                message = f"duplicate key '{key}' (first defined on line {first})"
                self.error(key_node, message, code="load.duplicate-key", subject=key)
                continue
            result[key] = (key_node, value_node)
        return result

    def unknown_keys(self, items: dict, allowed: set[str], what: str) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                message = f"unknown key '{key}' in {what} (known keys: {known})"
                self.error(key_node, message, code="load.unknown-key", subject=key)

    def text(self, node: Node, key: str) -> Text | None:
        if not isinstance(node, yaml.ScalarNode) or (node.tag.endswith(":null") and not node.value):
            self.error(node, f"'{key}' must be text", code="load.wrong-type")
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
            self.error(node, f"'{key}' must be a single word or value", code="load.wrong-type")
            return None
        return node.value.strip()

    def integer(self, node: Node, key: str) -> int | None:
        value = self.word(node, key)
        if value is None:
            return None
        if not value.isdigit() or int(value) < 1:
            message = f"'{key}' must be a whole number of 1 or more, not '{value}'"
            self.error(node, message, code="load.wrong-type")
            return None
        return int(value)

    def date(self, node: Node, key: str) -> datetime.date | None:
        value = self.word(node, key)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            message = f"'{key}' must be a date written YYYY-MM-DD, not '{value}'"
            self.error(node, message, code="load.wrong-type")
            return None

    def boolean(self, node: Node, key: str) -> bool | None:
        value = self.word(node, key)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            self.error(
                node, f"'{key}' must be true or false, not '{value}'", code="load.wrong-type"
            )
            return None
        return value.lower() == "true"

    def switch(self, node: Node, key: str) -> bool | None:
        """A setting that is on or off (`fit: off`); true and false work too."""
        value = self.word(node, key)
        if value is None:
            return None
        if value.lower() not in ("on", "off", "true", "false"):
            self.error(node, f"'{key}' must be on or off, not '{value}'", code="load.wrong-type")
            return None
        return value.lower() in ("on", "true")

    def words(self, node: Node, key: str) -> list[str] | None:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            message = f"'{key}' must be a non-empty list, for example [en, es]"
            self.error(node, message, code="load.wrong-type")
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
