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

from factsheet.paths import FONT_FILES, FontFile, web_font_name

FONTS_FOLDER = "fonts"
# What the page's styles add to its text: list bullets, back links, separators,
# and the capitals of text-transform.
GENERATED = "0123456789•↩·–—…«»“”‘’.,:;!?()[]/%-"
# Axes pinned or narrowed, per role: (axis, value or (low, high)); any other axis
# (a width) is pinned at its default. The body's serif keeps the weights it uses,
# at the optical size of screen text; the sans keeps all of its weights.
AXES = {"serif": {"opsz": 17, "wght": (400, 700)}, "sans": {"opsz": 14}}


@dataclass(frozen=True)
class WebFont:
    family: str
    style: str
    name: str  # the file name in fonts/
    data: bytes | None  # None: the same file is already in the output folder
    weights: str = "400"  # the CSS font-weight range the file covers


def page_characters(page: str) -> str:
    """Every character the page can show: its text, in capitals too, and what the
    styles generate."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return "".join(sorted(set(text) | set(text.upper()) | set(GENERATED)))


def web_fonts(
    chars: str, existing: Path, fonts: tuple[FontFile, ...] = FONT_FILES
) -> list[WebFont]:
    """A WOFF2 subset of each face for `chars`; a file already in `existing` (the
    output's fonts folder) is not made again."""
    from fontTools import version as fonttools_version

    found = []
    for font in fonts:
        source = font.path
        limits = axis_limits(font)
        key = hashlib.sha256()
        for part in (font.filename, str(source.stat().st_size), fonttools_version, chars,
                     repr(limits)):  # fmt: skip
            key.update(part.encode())
        name = f"{web_font_name(font.family, font.style)[:-4]}-{key.hexdigest()[:10]}.woff2"
        data = None if (existing / name).is_file() else subset_font(source, limits, chars)
        low, high = limits["wght"]
        found.append(WebFont(font.family, font.style, name, data, f"{low:g} {high:g}"))
    return found


def axis_limits(font: FontFile) -> dict[str, float | tuple[float, float]]:
    """Where each axis of a face is pinned or narrowed to for the web page (wght
    always as a range, for the @font-face rule)."""
    from fontTools.ttLib import TTFont

    with TTFont(font.path, lazy=True) as face:
        axes = {a.axisTag: (a.minValue, a.defaultValue, a.maxValue) for a in face["fvar"].axes}
    limits: dict[str, float | tuple[float, float]] = {}
    for tag, (low, default, high) in axes.items():
        wanted = AXES[font.role].get(tag, default if tag != "wght" else (low, high))
        if isinstance(wanted, tuple):
            limits[tag] = (max(low, wanted[0]), min(high, wanted[1]))
        else:
            limits[tag] = min(max(low, wanted), high)
    return limits


def subset_font(source: Path, limits: dict, chars: str) -> bytes:
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
    font = instantiateVariableFont(font, limits)
    font.flavor = "woff2"
    # fontTools stamps head.modified with the clock on save: the same page would
    # get different font bytes on every build (and so would its press kit).
    font.recalcTimestamp = False
    stream = io.BytesIO()
    font.save(stream)
    return stream.getvalue()


def font_faces(fonts: list[WebFont]) -> str:
    """@font-face rules for the page, the files beside it in fonts/."""
    return "\n".join(
        f'@font-face {{ font-family: "{font.family}"; font-style: {font.style}; '
        f"font-weight: {font.weights}; font-display: swap; "
        f'src: url("{FONTS_FOLDER}/{font.name}") format("woff2"); }}'
        for font in fonts
    )


def licences(fonts: tuple[FontFile, ...], existing: Path) -> dict[str, bytes | None]:
    """Each font package's licence, which the SIL Open Font License asks to travel
    with its files, by its path beside the page (None: already there, unchanged)."""
    found: dict[str, bytes | None] = {}
    for font in fonts:
        name = f"{web_font_name(font.family, 'normal')[:-4]}-OFL.txt"
        original = font.path.parent.parent / "LICENSE"
        copy = existing / name
        same = copy.is_file() and copy.stat().st_size == original.stat().st_size
        found[f"{FONTS_FOLDER}/{name}"] = None if same else original.read_bytes()
    return found
