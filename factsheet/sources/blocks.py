"""The translatable blocks of a language file, and writing new text back into it.

A block is what a translator translates as one unit: the title, the subtitle,
each heading, and each paragraph, list item and quoted paragraph of the
summary, the section bodies and the credit. Each has a place in its file
(`overview/2`: the second block of section 'overview'), which pairs it with
the same block of another language, and a unit key that the exports
(exchange.py) name it by: its section, its kind and a hash of its text
(`overview/p/3f2a9c1b`), so adding or removing a block renames no other, as
gettext, po4a and Sphinx key their units.

Writing back edits only the lines of blocks whose text changed, rewrapped with
the list marker or quote prefix the block had: comments, line breaks and every
untouched block stay byte for byte as the translator or writer left them.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from dataclasses import dataclass

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from factsheet.errors import Pos
from factsheet.model import Content, Text
from factsheet.sources.syntax import CONTAINERS, FENCE_HEAD, container_title

WIDTH = 78  # columns of a rewrapped line in the YAML file, indentation included
# A word that would start a new Markdown block if a wrapped line began with it.
BLOCK_START = re.compile(r"^(?:[-+*>#]|\d+[.)])$")


@dataclass(frozen=True)
class Block:
    key: str  # "title", "summary/1", "overview/heading", "overview/2", "credit/1"
    kind: str  # "line" (title, subtitle, heading), "paragraph", "item", "quote" or
    # "title" (a box's, on its `::: box` line)
    text: str  # its Markdown, source line breaks read as spaces
    lines: tuple[int, int]  # its lines in the field's value: [first, last)
    column: int = -1  # a table cell's column (its row is `lines`)


@dataclass(frozen=True)
class Field:
    """One YAML value of a language file and the blocks it holds."""

    key: str  # "title", "summary", "overview/heading", "overview/body", "credit"
    section: str | None  # the section it belongs to, None for the title and lede
    text: Text
    blocks: tuple[Block, ...]

    @property
    def structure(self) -> tuple[str, ...]:
        return tuple(block.kind for block in self.blocks)


def fields_of(content: Content) -> list[Field]:
    """Every translatable value of a language file, in reading order."""
    found = [line_field("title", None, content.title)]
    if content.subtitle is not None:
        found.append(line_field("subtitle", None, content.subtitle))
    found.append(body_field("summary", "summary", None, content.summary))
    for section in content.sections:
        found.append(line_field(f"{section.id}/heading", section.id, section.heading))
        found.append(body_field(f"{section.id}/body", section.id, section.id, section.body))
    if content.credit is not None:
        found.append(body_field("credit", "credit", None, content.credit))
    for chart in content.charts:
        key = f"charts/{chart.id}"
        found.append(line_field(f"{key}/alt", None, chart.alt))
        found += [line_field(f"{key}/fields/{n}", None, t) for n, t in chart.fields.items()]
        found += [line_field(f"{key}/labels/{v}", None, t) for v, t in chart.labels.items()]
    return found


# The kind of a block in its unit key: a list item never becomes a paragraph.
KIND_TAGS = {"paragraph": "p", "item": "li", "quote": "q", "title": "title", "cell": "cell"}
KEY_HASH = 8  # hex digits of a unit key's text hash
# What a translation may repeat from its source as it is: citations, link
# addresses, numbers, names (capitalised words) and punctuation.
AS_WRITTEN = re.compile(
    r"\[[^\]]*@[^\]]*\]|\]\([^)]*\)|https?://\S+|\S+@\S+|\d[\d.,:/–-]*"
    r"|\b[A-ZÁÉÍÓÚÑ][\w’'.-]*|[^\w\s]"
)
# Small words inside names ("Office on Drugs and Crime", "Ministerio de Salud").
IN_NAMES = {
    *("of", "on", "and", "the", "for", "in", "p", "pp"),
    *("de", "del", "la", "las", "los", "el", "y", "e"),
}


def text_hash(text: str) -> str:
    """A short hash of what a block says, not of where its lines break."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:KEY_HASH]


def unit_keys(field: Field) -> list[str]:
    """The unit key of each of a field's blocks. A line (title, heading, chart
    words) is the one block of its field, which names it; a body's block is
    named by its section, its kind and its English text, with `-2`, `-3` only
    for the same text repeated in the same section."""
    if all(block.kind == "line" for block in field.blocks):
        return [field.key for _ in field.blocks]
    prefix = field.key.removesuffix("/body")
    seen: dict[str, int] = {}
    keys = []
    for block in field.blocks:
        base = f"{prefix}/{KIND_TAGS[block.kind]}/{text_hash(block.text)}"
        seen[base] = seen.get(base, 0) + 1
        keys.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return keys


def needs_no_translation(text: str) -> bool:
    """Whether a block holds only what a translation keeps as written (names,
    numbers, addresses, citations), so a copy of it is no sign of work left."""
    words = [word for word in AS_WRITTEN.sub(" ", text).split() if word not in IN_NAMES]
    return not words


def block_pos(field: Field, block: Block) -> Pos:
    """Where a block starts in its file."""
    offset = sum(len(line) + 1 for line in field.text.value.split("\n")[: block.lines[0]])
    return field.text.pos_at(offset)


def aligned(reference: Content, translation: Content) -> list[tuple[Field, Field]]:
    """Pairs of the same field in both languages, in the translation's order."""
    references = {field.key: field for field in fields_of(reference)}
    return [
        (references[field.key], field)
        for field in fields_of(translation)
        if field.key in references
    ]


def joined(text: str) -> str:
    """Source line breaks as single spaces; other spaces (no-break ones) kept."""
    return re.sub(r"[ \t]*\n[ \t]*", " ", text.strip())


def line_field(key: str, section: str | None, text: Text) -> Field:
    lines = (0, text.value.count("\n") + 1)
    return Field(key, section, text, (Block(key, "line", joined(text.value), lines),))


def body_field(key: str, prefix: str, section: str | None, text: Text) -> Field:
    """Blocks by markdown-it's own reading of the Markdown, so they are the
    paragraphs and items the page prints."""
    parser = block_parser()
    blocks = []
    inside: list[str] = []
    start = (0, 0)
    row = column = 0
    tokens = parser.parse(text.value)
    for index, token in enumerate(tokens):
        if token.type in ("list_item_open", "blockquote_open"):
            inside.append(token.type)
        elif token.type in ("list_item_close", "blockquote_close"):
            inside.pop()
        elif token.type == "paragraph_open" and token.map:
            start = (token.map[0], token.map[1])
        elif token.type == "tr_open" and token.map:
            row, column = token.map[0], 0
        elif token.type in ("th_open", "td_open"):
            cell = tokens[index + 1].content
            number = len(blocks) + 1
            blocks.append(Block(f"{prefix}/{number}", "cell", joined(cell), (row, row + 1), column))
            column += 1
        elif token.type.startswith("container_") and token.nesting == 1 and token.map:
            name = token.type.removeprefix("container_").removesuffix("_open")
            _, title = container_title(name, token.info)
            if title:  # `::: box What to do`: its title, on the fence's own line
                first, number = token.map[0], len(blocks) + 1
                blocks.append(
                    Block(f"{prefix}/{number}", "title", joined(title), (first, first + 1))
                )
        elif token.type == "inline" and token.level > 0 and not inside_cell(tokens, index):
            kind = "paragraph"
            if inside:
                kind = "item" if inside[-1] == "list_item_open" else "quote"
            number = len(blocks) + 1
            blocks.append(Block(f"{prefix}/{number}", kind, joined(token.content), start))
    return Field(key, section, text, tuple(blocks))


def inside_cell(tokens: list, index: int) -> bool:
    """Whether an inline token is a table cell's text (taken with its cell)."""
    return index > 0 and tokens[index - 1].type in ("th_open", "td_open")


@functools.cache
def block_parser() -> MarkdownIt:
    """markdown-it set up as inline.py reads bodies (no HTML, code or headings)."""
    parser = MarkdownIt("commonmark").disable(["html_block", "code", "fence", "heading"])
    parser.enable("table")
    for name in CONTAINERS:
        parser.use(container_plugin, name)
    return parser


def prefixes(value: str, block: Block) -> tuple[str, str]:
    """The text before a block's words on its first line and on the lines after
    ("- " and "  " for a list item, "> " and "> " for a quote)."""
    lines = value.split("\n")[block.lines[0] : block.lines[1]]
    words = block.text.split(" ", 1)[0]
    first = lines[0][: max(lines[0].find(words), 0)]
    if block.kind == "title" and (head := FENCE_HEAD.match(lines[0])):
        first = head[0]  # `::: chart deaths Deaths by year`: not inside the id
    if len(lines) > 1:
        rest = lines[1][: len(lines[1]) - len(lines[1].lstrip(" >"))]
    else:
        rest = re.sub(r"[-+*]|\d+[.)]", lambda m: " " * len(m[0]), first)
    return first, rest


def wrap(text: str, first: str, rest: str, width: int) -> list[str]:
    """Greedy wrapping at spaces (never at a no-break space), and never with a
    line that starts like a new list item or quote."""
    words = [word for word in text.split(" ") if word]
    if not words:
        return [first.rstrip()]
    lines = []
    line = first + words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) <= width or BLOCK_START.match(word):
            line += " " + word
        else:
            lines.append(line)
            line = rest + word
    lines.append(line)
    return lines


def replace_blocks(value: str, changes: dict[Block, str], width: int = WIDTH) -> str:
    """`value` with each changed block's lines rewrapped around its new text."""
    lines = value.split("\n")
    # Bottom-up, and right to left in a row, so no edit moves one still to make.
    for block, text in sorted(
        changes.items(), key=lambda item: (-item[0].lines[0], -item[0].column)
    ):
        if block.kind == "line":
            return text
        if block.kind == "cell":  # its row keeps its pipes; only its text changes
            row = lines[block.lines[0]]
            start, end = cell_spans(row)[block.column]
            lines[block.lines[0]] = f"{row[:start]} {text} {row[end:]}"
            continue
        first, rest = prefixes(value, block)
        # A box's title stays on its fence's line, however long.
        room = width if block.kind != "title" else len(first) + len(text) + 1
        lines[block.lines[0] : block.lines[1]] = wrap(text, first, rest, room)
    return "\n".join(lines)


def cell_spans(row: str) -> list[tuple[int, int]]:
    """Where each cell's text lies in a table row ("| a | b |" or "a | b"), between
    its pipes (an escaped one, \\|, is text)."""
    pipes = [i for i, char in enumerate(row) if char == "|" and row[i - 1 : i] != "\\"]
    bounds = pipes if row.lstrip().startswith("|") else [-1, *pipes]
    if not row.rstrip().endswith("|"):
        bounds.append(len(row))
    return [(left + 1, right) for left, right in itertools.pairwise(bounds)]


def write_value(lines: list[str], text: Text, value: str) -> None:
    """Put `value` in place of the YAML scalar `text` in a file's lines (with
    their line ends), in the same style when it can be: a literal block stays
    one, and a one-line value stays plain unless YAML needs it quoted."""
    if text.extent is None:
        raise ValueError("a value read without its extent cannot be rewritten")
    start, end = text.extent
    head = lines[start.line - 1][: start.col - 1]
    if text.block_indent is not None:
        indent = " " * text.block_indent
        count = text.value.rstrip("\n").count("\n") + 1
        body = [f"{indent}{line}".rstrip() + "\n" for line in value.rstrip("\n").split("\n")]
        lines[start.line : start.line + count] = body
        return
    if end.col == 1 and end.line > start.line:
        # A folded or multi-line plain value ends where the next line starts
        # (after any blank lines, which stay).
        stop, tail = end.line - 1, "\n"
        while stop > start.line and not lines[stop - 1].strip():
            stop -= 1
    else:
        stop, tail = end.line, lines[end.line - 1][end.col - 1 :]
    if "\n" in value.strip():
        indent = " " * (len(head) - len(head.lstrip()) + 2)
        body = [f"{indent}{line}".rstrip() + "\n" for line in value.rstrip("\n").split("\n")]
        new = [f"{head}|\n", *body]
        if tail.strip():
            new.append(tail)
    else:
        new = [f"{head}{scalar(value.strip())}{tail}"]
    lines[start.line - 1 : stop] = new


def scalar(value: str) -> str:
    """A one-line YAML value: plain when it reads back as itself, else quoted."""
    try:
        plain = yaml.safe_load(f"key: {value}") == {"key": value}
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)
