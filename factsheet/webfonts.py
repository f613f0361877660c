"""Web fonts sized for the page: each face subset to the characters the page
uses, as WOFF2, with `font-display: swap`.

The PDF embeds the whole variable fonts' instances it needs; a phone on a slow
network should not download 3 MB of them. Source Serif's optical-size axis is
pinned to the page's body size and its weights narrowed to those the page
uses (400 to 700); Source Sans keeps its weight axis. A subset's file name
carries a hash of what it was made from (font, characters, fontTools), so a
rebuild whose characters did not change reuses the file already written.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from factsheet.paths import FONT_FILES, font_path, web_font_name

FONTS_FOLDER = "fonts"
# What the page's styles add to its text: list bullets, back links, separators,
# and the capitals of text-transform.
GENERATED = "0123456789•↩·–—…«»“”‘’.,:;!?()[]/%-"
# Axes pinned or narrowed, per family: (axis, value or (low, high)).
AXES = {"Source Serif 4": {"opsz": 17, "wght": (400, 700)}}
WEIGHTS = {"Source Serif 4": "400 700", "Source Sans 3": "200 900"}


@dataclass(frozen=True)
class WebFont:
    family: str
    style: str
    name: str  # the file name in fonts/
    data: bytes | None  # None: the same file is already in the output folder


def page_characters(page: str) -> str:
    """Every character the page can show: its text, in capitals too, and what the
    styles generate."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return "".join(sorted(set(text) | set(text.upper()) | set(GENERATED)))


def web_fonts(chars: str, existing: Path) -> list[WebFont]:
    """A WOFF2 subset of each face for `chars`; a file already in `existing` (the
    output's fonts folder) is not made again."""
    from fontTools import version as fonttools_version

    fonts = []
    for family, style, package, filename in FONT_FILES:
        source = font_path(package, filename)
        key = hashlib.sha256()
        for part in (filename, str(source.stat().st_size), fonttools_version, chars,
                     repr(AXES.get(family))):  # fmt: skip
            key.update(part.encode())
        name = f"{web_font_name(family, style)[:-4]}-{key.hexdigest()[:10]}.woff2"
        data = None if (existing / name).is_file() else subset_font(source, family, chars)
        fonts.append(WebFont(family, style, name, data))
    return fonts


def subset_font(source: Path, family: str, chars: str) -> bytes:
    """One face, cut to `chars` first (so instancing has few glyphs to do), then its
    axes pinned or narrowed, as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    font = TTFont(source)
    options = subset.Options()
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    if family in AXES:
        font = instantiateVariableFont(font, AXES[family])
    font.flavor = "woff2"
    stream = io.BytesIO()
    font.save(stream)
    return stream.getvalue()


def font_faces(fonts: list[WebFont]) -> str:
    """@font-face rules for the page, the files beside it in fonts/."""
    return "\n".join(
        f'@font-face {{ font-family: "{font.family}"; font-style: {font.style}; '
        f"font-weight: {WEIGHTS[font.family]}; font-display: swap; "
        f'src: url("{FONTS_FOLDER}/{font.name}") format("woff2"); }}'
        for font in fonts
    )
