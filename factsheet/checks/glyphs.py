"""Stage 2, check (continued): characters the embedded fonts can print.

Known from the fonts' character maps, before any layout: a character that the
font of its text lacks would print in a system font (WeasyPrint falls back
silently), so `--check` and the build refuse it alike, at its line and column.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from factsheet.errors import Pos, Problem
from factsheet.model import Content, Source, Text
from factsheet.paths import FONT_FILES, FontFile

# Which fonts print a field (styles/): body text is serif, and its notes and
# quote attributions are sans; headings, notes, credit and sources are sans.
BODY = ("serif", "sans")
DISPLAY = ("sans",)
Fonts = tuple[FontFile, ...]


@cache
def font_chars(fonts: Fonts = FONT_FILES) -> dict[str, tuple[str, frozenset[int]]]:
    """Each role's family and characters: those every one of its styles has."""
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    chars: dict[str, tuple[str, frozenset[int]]] = {}
    for font in fonts:
        with TTFont(font.path, lazy=True) as face:
            cmap = frozenset(face.getBestCmap())
        if font.role in chars:
            cmap &= chars[font.role][1]
        chars[font.role] = (font.family, cmap)
    return chars


def printable(char: str) -> bool:
    """A character that needs a glyph: not a space, control or format character."""
    return not char.isspace() and not unicodedata.category(char).startswith("C")


def lacking(char: str, roles: tuple[str, ...], fonts: Fonts = FONT_FILES) -> list[str]:
    """The families (of these roles) that lack a character."""
    chars = font_chars(fonts)
    return [chars[role][0] for role in roles if ord(char) not in chars[role][1]]


def glyph_message(char: str, fonts: list[str]) -> str:
    name = unicodedata.name(char, "")
    shown = f"'{char}' (U+{ord(char):04X}{' ' + name if name else ''})"
    if len(fonts) == 1:
        where = f"is not in {fonts[0]}, the embedded font that prints this text"
    else:
        where = f"is in neither {' nor '.join(fonts)}, the embedded fonts that print this text"
    fix = "leave it out or write it another way"
    return f"{shown} {where}, so it would print in a system font: {fix}"


def missing(
    value: str, roles: tuple[str, ...], fonts: Fonts = FONT_FILES
) -> Iterator[tuple[int, str, list[str]]]:
    """Each character of `value` that a font of `roles` lacks, once, at its first
    place: (index, character, the fonts that lack it)."""
    seen: set[str] = set()
    for index, char in enumerate(value):
        if char in seen or not printable(char):
            continue
        seen.add(char)
        if families := lacking(char, roles, fonts):
            yield index, char, families


def text_problems(text: Text | None, roles: tuple[str, ...], fonts: Fonts) -> Iterator[Problem]:
    if text is not None:
        for index, char, families in missing(text.value, roles, fonts):
            message = glyph_message(char, families)
            yield Problem(text.pos_at(index), message, code="glyph.missing", subject=char)


def content_glyphs(content: Content, fonts: Fonts = FONT_FILES) -> list[Problem]:
    """Characters of one language's file that its fonts cannot print."""
    fields = [(content.title, DISPLAY), (content.subtitle, DISPLAY), (content.summary, BODY)]
    for section in content.sections:
        fields += [(section.heading, DISPLAY), (section.body, BODY)]
    fields.append((content.credit, DISPLAY))
    return [problem for text, roles in fields for problem in text_problems(text, roles, fonts)]


def source_glyphs(sources: list[Source], fonts: Fonts = FONT_FILES) -> list[Problem]:
    """Characters of sources.yaml (printed in the sans notes and source list)."""
    return [
        Problem(
            source.positions.get(key, source.pos),
            glyph_message(char, families),
            code="glyph.missing",
            subject=char,
        )
        for source in sources
        for key, value in source.csl.items()
        for _, char, families in missing("".join(strings_in(value)), DISPLAY, fonts)
    ]


def strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def unprintable(text: str, fonts: Fonts = FONT_FILES) -> list[str]:
    """The characters of laid-out text that some embedded font lacks, in order."""
    return [char for _, char, _ in missing(text, BODY, fonts)]


def find_char(char: str, paths: list[Path]) -> Pos | None:
    """Where a character first occurs in these files (language files, sources,
    catalogs): for a missing glyph only the layout met."""
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, 1):
            if char in line:
                return Pos(str(path), number, line.index(char) + 1)
    return None
