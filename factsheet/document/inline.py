"""Stage 3, inline: the Markdown subset to HTML fragments plus their notes.

Citations (`[@key, p. 33]`, `[see @a; @b]`) and author notes (`^[text]`) share
one numbering in reading order. Each becomes a marker in the HTML
(`note_marker(n)`) that `render` swaps for the formatted footnote, so this
stage needs to know nothing about citation styles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from factsheet.errors import FactsheetError, Pos, Problem
from factsheet.languages import profile
from factsheet.model import CiteItem, Content, Document, Note, SectionHTML, Text
from factsheet.sources.images import image_problem
from factsheet.sources.syntax import CONTAINERS, container_title

# Private-use characters cannot come from YAML text by accident in practice,
# and render refuses content that contains them.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MARKER = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")

KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
ITEM = re.compile(rf"^(?P<prefix>.*?)(?:(?<=\s)|^)-?@(?P<key>{KEY})(?P<suffix>.*)$", re.S)
LABELS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page",
    "chap": "chapter", "ch": "chapter", "chapter": "chapter",
    "sec": "section", "section": "section",
    "para": "paragraph", "paragraph": "paragraph",
    "vol": "volume", "volume": "volume",
    "fig": "figure", "figure": "figure",
    "n": "note", "note": "note",
}  # fmt: skip
NUMBER = r"(?:\d+[a-z]?|[ivxlcdm]+|[IVXLCDM]+)\b"
LOCATOR = re.compile(
    rf"^(?:(?P<label>[A-Za-z]+)\.?\s+)?(?P<value>{NUMBER}(?:[-–]{NUMBER})?"
    rf"(?:,\s*{NUMBER}(?:[-–]{NUMBER})?)*)(?P<rest>.*)$",
    re.S,
)
DISABLED = ["html_block", "html_inline", "heading", "lheading", "code", "fence",
            "hr", "reference", "backticks", "autolink", "entity"]  # fmt: skip
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp")
# A web address written in the text: kept as written, never curled or dashed (its
# last character is not the sentence's punctuation or closing quote).
URL_IN_TEXT = re.compile(r"\bhttps?://[^\s<>\"]*[^\s<>\".,;:!?)\]'’”]")


def note_marker(number: int) -> str:
    return f"{MARK_OPEN}{number}{MARK_CLOSE}"


def make_parser(lang: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "quotes": profile(lang).quotes})
    md.enable(["replacements", "smartquotes", "table"])
    md.disable(DISABLED)
    md.inline.ruler.before("link", "citation", citation_rule)
    md.inline.ruler.before("link", "author_note", author_note_rule)
    md.add_render_rule("note_call", render_note_call)
    # A line break inside a footnote's HTML ends its line in WeasyPrint: use spaces.
    md.add_render_rule("softbreak", lambda *args: " ")
    # Parse every target, then say what is wrong with it (check_targets) rather
    # than leave a refused link printed as raw Markdown.
    md.validateLink = lambda url: True
    md.core.ruler.push("check_targets", check_targets)
    # The typographer (smart quotes, dashes, ellipses) must not touch a web
    # address: `o'neil` in a URL is not an apostrophe, `--` not a dash.
    md.core.ruler.before("replacements", "set_urls_apart", set_urls_apart)
    md.core.ruler.after("smartquotes", "restore_urls", restore_urls)
    md.core.ruler.push("mark_blocks", mark_blocks)
    # `::: box What to do` ... `:::`: a call-out box, its title after the name;
    # `::: figures` around a list: key figures, printed as a band.
    for name in CONTAINERS:
        md.use(container_plugin, name, render=container_renderer(md, name))
    md.core.ruler.after("block", "container_titles", container_titles)
    return md


def set_urls_apart(state: object) -> None:
    """Each web address in a text token becomes a text token of its own, which
    remembers what it said (restore_urls puts that back after the typographer)."""
    for block in state.tokens:  # type: ignore[attr-defined]
        if not block.children:
            continue
        children = []
        for token in block.children:
            if token.type != "text" or not URL_IN_TEXT.search(token.content):
                children.append(token)
                continue
            start = 0
            for found in URL_IN_TEXT.finditer(token.content):
                pieces = [(token.content[start : found.start()], {}), (found[0], {"url": found[0]})]
                children += [Token("text", "", 0, content=text, level=token.level, meta=meta)
                             for text, meta in pieces if text]  # fmt: skip
                start = found.end()
            if token.content[start:]:
                children.append(
                    Token("text", "", 0, content=token.content[start:], level=token.level)
                )
        block.children = children


def restore_urls(state: object) -> None:
    for block in state.tokens:  # type: ignore[attr-defined]
        for token in block.children or []:
            if token.type == "text" and "url" in (token.meta or {}):
                token.content = token.meta["url"]


def container_renderer(md: MarkdownIt, name: str) -> Callable:
    """How a `::: name Title` block renders: a div of that class (a figure for a
    chart, with its drawing's marks); its title is a token of its own
    (container_titles)."""

    def render(self, tokens, idx, options, env) -> str:  # noqa: ANN001 - markdown-it API
        token = tokens[idx]
        if name != "chart":
            return f'<div class="{name}">\n' if token.nesting == 1 else "</div>\n"
        return '<figure class="chart">\n' if token.nesting == 1 else "</figure>\n"

    return render


def container_titles(state: object) -> None:
    """A container's title (`::: box What to do`) as a heading of inline tokens
    right after its opening, parsed with the rest, so that a note it cites is
    numbered where it is read; a chart's drawing goes in after its title, its
    data (on screen) last."""
    tokens = []
    charts = []  # the ids of the charts open here, innermost last
    for token in state.tokens:  # type: ignore[attr-defined]
        if token.type == "container_chart_close":
            data = chart_mark(charts.pop(), "data") + "\n"
            tokens.append(Token("html_block", "", 0, content=data, block=True))
        tokens.append(token)
        if not (token.type.startswith("container_") and token.nesting == 1):
            continue
        name = token.type.removeprefix("container_").removesuffix("_open")
        chart_id, title = container_title(name, token.info)
        tag = "figcaption" if name == "chart" else "h3"
        if title:
            heading = Token("container_title_open", tag, 1, block=True, level=token.level + 1)
            heading.attrSet("class", f"{name}-title")
            inline = Token("inline", "", 0, content=title, map=token.map, children=[],
                           level=token.level + 2)  # fmt: skip
            closing = Token("container_title_close", tag, -1, block=True, level=token.level + 1)
            tokens += [heading, inline, closing]
        if name == "chart":
            charts.append(chart_id)
            mark = Token("html_block", "", 0, content=chart_mark(chart_id) + "\n", block=True)
            tokens.append(mark)
    state.tokens = tokens  # type: ignore[attr-defined]


def chart_mark(chart_id: str, part: str = "drawing") -> str:
    """Where a chart's drawing (or its data) goes; raw HTML in content is escaped,
    so a writer cannot forge one."""
    return f"<!--chart-{part}:{chart_id}-->"


# A table cell that is a figure: "70,630", "39.4%", "$1.2 million", "−3", "n/a".
FIGURE = re.compile(r"[-−+]?[$€£]?\s?\d[\d.,\u00a0\u202f]*\s?(%|‰|[a-zA-Z]{0,8})|n/?a|—|–|-")
LONG_LIST = 6  # items: a list this long, without notes, may be set in two columns


def mark_blocks(state: object) -> None:
    """Classes the styles need and cannot select: a quote's attribution line (its last
    paragraph, when it starts with an em dash and is not its only one) and long
    bullet lists without notes (copyfitting may set them side by side)."""
    tokens = state.tokens  # type: ignore[attr-defined]
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            mark_figure_columns(tokens, index)
        if token.type not in ("blockquote_open", "bullet_list_open"):
            continue
        end = next(
            i for i in range(index + 1, len(tokens))
            if tokens[i].level == token.level and tokens[i].type == token.type[:-5] + "_close"
        )  # fmt: skip
        inside = tokens[index + 1 : end]
        if token.type == "bullet_list_open":
            items = [t for t in inside if t.type == "list_item_open" and t.level == token.level + 1]
            notes = any(c.type == "note_call" for t in inside for c in t.children or [])
            if len(items) >= LONG_LIST and not notes:
                token.attrJoin("class", "long")
            continue
        paragraphs = [
            i
            for i, t in enumerate(inside)
            if t.type == "paragraph_open" and t.level == token.level + 1
        ]
        if len(paragraphs) > 1 and inside[paragraphs[-1] + 1].content.startswith(("—", "---")):
            inside[paragraphs[-1]].attrJoin("class", "attribution")


def mark_figure_columns(tokens: list, start: int) -> None:
    """A table column whose cells are all figures lines up on the right, its
    heading with it (CSS cannot ask what a cell holds)."""
    columns: dict[int, list[int]] = {}  # column -> indexes of its cells' open tokens
    column = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            column = 0
        elif token.type in ("th_open", "td_open"):
            columns.setdefault(column, []).append(index)
            column += 1
    for cells in columns.values():
        # A cell's text is the inline token right after it opens.
        body = [tokens[i + 1].content.strip() for i in cells if tokens[i].type == "td_open"]
        if body and all(FIGURE.fullmatch(text) for text in body if text):
            for i in cells:
                tokens[i].attrJoin("class", "number")


def check_targets(state: object) -> None:
    """Links go to the web or to mail; images come from the sheet's images/ folder
    and must say what they show."""
    env = state.env  # type: ignore[attr-defined]
    for block in state.tokens:  # type: ignore[attr-defined]
        for token in block.children or []:
            if token.type == "link_open":
                href = token.attrGet("href") or ""
                if not re.match(r"^(https?://|mailto:)", href, re.I):
                    message = f"link '{href}' must start with https://, http:// or mailto:"
                    env["problems"].append(
                        Problem(env["find"](href), message, code="text.link-scheme")
                    )
                    token.attrSet("href", "")
            if token.type != "image":
                continue
            src = token.attrGet("src") or ""
            alt = "".join(child.content for child in token.children or []).strip()
            pos = env["find"](src)
            if not alt:
                env["problems"].append(
                    Problem(
                        pos,
                        f"image '{src}' has no alt text: say what it shows in ![…]",
                        code="text.image-alt",
                    )
                )
            name = src.removeprefix("images/")
            escapes = not (env["folder"] / src).resolve().is_relative_to(env["folder"].resolve())
            if (
                not src.startswith("images/")
                or ".." in src.split("/")
                or not src.lower().endswith(IMAGE_TYPES)
            ):
                env["problems"].append(
                    Problem(
                        pos,
                        f"image '{src}' must be a picture file in the sheet's images/ folder",
                        code="text.image-path",
                    )
                )
            elif escapes:
                message = f"image '{src}' is a link that leads outside the sheet's folder"
                env["problems"].append(Problem(pos, message, code="text.image-outside"))
            elif not (env["folder"] / "images" / name).is_file():
                env["problems"].append(
                    Problem(pos, f"image '{src}' does not exist", code="file.not-found")
                )
            elif found := image_problem(env["folder"] / "images" / name):
                code, reason = found
                env["problems"].append(Problem(pos, f"image '{src}' {reason}", code=code))


def render_note_call(self, tokens, idx, options, env) -> str:  # noqa: ANN001 - markdown-it API
    return note_marker(tokens[idx].meta["number"])


def parse_cite_item(raw: str) -> tuple[str, str, str, str, str] | None:
    """`see @key, pp. 3-5 and passim` -> prefix, key, label, locator, suffix."""
    match = ITEM.match(raw.strip())
    if not match:
        return None
    suffix = match["suffix"].strip()
    label, locator = "page", ""
    if suffix.startswith(","):
        found = LOCATOR.match(suffix[1:].strip())
        if found and (found["label"] is None or found["label"].lower() in LABELS):
            label = LABELS[found["label"].lower()] if found["label"] else "page"
            locator, suffix = found["value"], found["rest"].strip()
    return match["prefix"].strip(), match["key"], label, locator, suffix


def locator_problem(key: str, suffix: str) -> str | None:
    """A suffix that starts like a locator (`p.`, `chap.`) but has no number after it."""
    label = re.match(r"^,?\s*([A-Za-z]+)\.(?:\s|$)", suffix)
    if label and label[1].lower() in LABELS:
        return (
            f"citation '@{key}': locator '{suffix.lstrip(', ')}' needs a number "
            f"or range after '{label[1]}.', such as 12 or 3-5"
        )
    return None


def citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    end = state.src.find("]", state.pos)
    if end < 0 or "[" in state.src[state.pos + 1 : end]:
        return False
    if end + 1 < state.posMax and state.src[end + 1] in "([":
        return False  # a link, not a citation
    raw = state.src[state.pos + 1 : end]
    parsed = [parse_cite_item(part) for part in raw.split(";")]
    if not parsed or None in parsed:
        return False
    if not silent:
        env = state.env
        pos = env["locate"](state.src[state.pos : end + 1])
        if env["in_note"]:
            env["problems"].append(
                Problem(
                    pos,
                    "a citation inside an author's note is not supported; cite next to it",
                    code="cite.in-note",
                )
            )
        items = tuple(
            CiteItem(key, pos, prefix, suffix, locator, label)
            for prefix, key, label, locator, suffix in parsed  # type: ignore[misc]
        )
        for item in items:
            if not item.locator and (message := locator_problem(item.key, item.suffix)):
                env["problems"].append(Problem(pos, message, code="cite.locator"))
        push_note(state, Note(len(env["notes"]) + 1, pos, items=items))
    state.pos = end + 1
    return True


def author_note_rule(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if not state.src.startswith("^[", start):
        return False
    end = parseLinkLabel(state, start + 1)
    if end < 0:
        return False
    if not silent:
        env = state.env
        pos = env["locate"](state.src[start : end + 1])
        number = len(env["notes"]) + 1
        env["notes"].append(None)  # reserve the number before nested parsing
        env["in_note"] = True
        html = state.md.renderInline(state.src[start + 2 : end], env)
        env["in_note"] = False
        env["notes"].pop()
        push_note(state, Note(number, pos, html=html))
    state.pos = end + 1
    return True


def push_note(state: StateInline, note: Note) -> None:
    state.env["notes"].append(note)
    token = state.push("note_call", "", 0)
    token.meta = {"number": note.number}


class Converter:
    """Renders the fields of one language in reading order, sharing one note list."""

    def __init__(self, lang: str, folder: Path) -> None:
        self.md = make_parser(lang)
        self.env: dict = {"notes": [], "problems": [], "in_note": False, "folder": folder}

    def convert(self, text: Text | None, inline: bool = False) -> str:
        if text is None:
            return ""
        cursor = 0

        def locate(raw: str):  # noqa: ANN202 - closure over this text's cursor
            nonlocal cursor
            found = text.value.find(raw, cursor)
            if found < 0:
                return text.pos
            cursor = found + len(raw)
            return text.pos_at(found)

        if MARK_OPEN in text.value or MARK_CLOSE in text.value:
            self.env["problems"].append(
                Problem(text.pos, "text contains reserved characters", code="text.reserved")
            )
            return ""
        self.env["problems"] += unclosed_markup(text)

        def find(raw: str) -> Pos:
            """Where `raw` first occurs in the text, for checks made after parsing."""
            found = text.value.find(raw)
            return text.pos if found < 0 else text.pos_at(found)

        self.env["locate"] = locate
        self.env["find"] = find
        render = self.md.renderInline if inline else self.md.render
        return render(text.value, self.env).strip()


# Markup a writer opens and forgets to close: (what opens it, what closes it, words).
OPENERS = (
    (re.compile(r"\[@"), "]", "citation '{0}…' is not closed: add ']' after its key"),
    (re.compile(r"\^\["), "]", "note '{0}…' is not closed: add ']' at its end"),
    (re.compile(r"\]\("), ")", "link '{0}…' is not closed: add ')' after its address"),
)


def unclosed_markup(text: Text) -> list[Problem]:
    """Citations, notes, links and bold text opened and not closed within their
    paragraph, each at the place it opens: Markdown would print them as they are,
    and the checks after would only see a citation or a number gone missing."""
    problems = []
    for paragraph in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text.value):
        chunk, start = paragraph[0], paragraph.start()
        for opener, closer, message in OPENERS:
            for found in opener.finditer(chunk):
                depth, index = 0, found.end()
                while index < len(chunk):  # brackets may nest: ^[see [this](url)]
                    char = chunk[index]
                    if char in "[(":
                        depth += 1
                    elif char == closer and depth == 0:
                        break
                    elif char in "])":
                        depth -= 1
                    index += 1
                if index >= len(chunk):
                    # A link opens at its '[', before the '](' that was found.
                    first = chunk.rfind("[", 0, found.start()) if closer == ")" else found.start()
                    first = max(first, 0)
                    shown = " ".join(chunk[first : first + 24].split())
                    problems.append(
                        Problem(
                            text.pos_at(start + first), message.format(shown), code="text.unclosed"
                        )
                    )
        for fence in re.finditer(r"^[ \t]*:::[ \t]*([^\s:]+)", chunk, re.M):
            if fence[1] not in CONTAINERS:
                where = text.pos_at(start + fence.start(1))
                message = (
                    f"unknown block '::: {fence[1]}': there are '::: box' (a call-out box), "
                    "'::: figures' (key figures) and '::: chart' (a chart from data)"
                )
                problems.append(Problem(where, message, code="text.unknown-block"))
        bold = [m.start() for m in re.finditer(r"\*\*", chunk)]
        if len(bold) % 2:
            where = text.pos_at(start + bold[-1])
            problems.append(
                Problem(
                    where, "'**' opens bold text that is not closed: add '**'", code="text.unclosed"
                )
            )
    return problems


def inline_content(content: Content) -> Document:
    """Convert one language's fields; raises FactsheetError on bad notes."""
    conv = Converter(content.lang, Path(content.path).parent)
    title = conv.convert(content.title, inline=True)
    subtitle = conv.convert(content.subtitle, inline=True)
    summary = conv.convert(content.summary)
    sections = [
        SectionHTML(s.id, conv.convert(s.heading, inline=True), conv.convert(s.body))
        for s in content.sections
    ]
    credit = conv.convert(content.credit)
    if conv.env["problems"]:
        raise FactsheetError(conv.env["problems"])
    return Document(content.lang, title, subtitle, summary, sections, credit, conv.env["notes"])
