"""The organisation's look: `themes/<name>/theme.yaml`, named by a sheet's
`theme:` (else `default`, today's look).

A theme gives the brand colours (custom properties the styles already use),
and optionally the organisation's name, a contact line and a logo, each in
every language of the sheet that uses it. Colours are checked for WCAG AA
contrast (4.5:1 for text) where the styles put text on them, so a theme that
would print unreadable headings fails the build at its own key.
"""

from __future__ import annotations

import base64
import re
from importlib import resources
from pathlib import Path

import yaml

from factsheet.errors import Pos, Problem, display_path
from factsheet.model import GENERIC, Theme
from factsheet.paths import FONT_FILES, THEMES_DIR, FontFile
from factsheet.sources.images import image_problem
from factsheet.sources.reader import Reader, node_pos
from factsheet.styles import root_properties

COLORS = ("brand", "brand-ink", "accent", "tint", "ink", "muted")
PAPER = "#ffffff"
# Text colour, what it sits on, and where the styles do that: each must reach
# 4.5:1 (WCAG 2 AA for text of any size).
TEXT_ON = (
    ("ink", "paper", "body text on the page"),
    ("muted", "paper", "notes and dates on the page"),
    ("brand", "paper", "headings on the page"),
    ("brand-ink", "brand", "the title band's text"),
    ("ink", "tint", "text in quotes and boxes"),
    ("brand", "tint", "box titles"),
)
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}
MAX_LOGO_BYTES = 300_000
KEYS = {"colors", "organization", "contact", "logo", "logo-alt", "fonts"}


def theme_fonts(theme: Theme | None) -> tuple[FontFile, ...]:
    """The fonts a sheet prints in: its theme's, else the default ones."""
    return theme.fonts if theme is not None else FONT_FILES


def luminance(color: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def load_theme(
    name: str, where: Pos, languages: list[str], themes_dir: Path | None = None
) -> tuple[Theme | None, list[Problem]]:
    """The theme a sheet names, checked; problems at the theme file's keys (or
    at the sheet's `theme:` when there is no such theme)."""

    themes_dir = themes_dir or THEMES_DIR
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):  # a folder of themes/, not a path
        message = f"theme: a theme's folder name (a-z, 0-9, -), not '{name}'"
        return None, [Problem(where, message, code="theme.name", subject=name)]
    path = themes_dir / name / "theme.yaml"
    if not path.is_file():
        known = sorted(p.parent.name for p in themes_dir.glob("*/theme.yaml"))
        message = (
            f"theme '{name}' not found: there is no {display_path(path)} "
            f"(themes: {', '.join(known)})"
        )
        return None, [Problem(where, message, code="theme.not-found", subject=name)]
    reader = Reader(path)
    items = reader.mapping(reader.root, "theme.yaml") if reader.root is not None else {}
    items = items or {}
    reader.unknown_keys(items, KEYS, "theme.yaml")
    colors: dict[str, str] = {}
    cmyk: dict[str, tuple[float, float, float, float]] = {}
    color_nodes = {}  # where each colour is written, for the contrast checks
    if "colors" in items:
        found = reader.mapping(items["colors"][1], "colors") or {}
        reader.unknown_keys(found, set(COLORS), "colors")
        for key, (_, node) in found.items():
            if isinstance(node, yaml.MappingNode):  # {rgb: "#rrggbb", cmyk: [c, m, y, k]}
                node = color_with_cmyk(reader, node, key, cmyk)
                if node is None:
                    continue
            value = str(node.value).strip().lower()
            if not re.fullmatch(r"#[0-9a-f]{6}", value):
                message = f"colors.{key} must be a colour written #rrggbb, not '{node.value}'"
                reader.error(node, message, code="theme.color", subject=key)
            else:
                colors[key] = value
                color_nodes[key] = node
    by_language = {}
    for key in ("organization", "contact", "logo-alt"):
        if key not in items:
            by_language[key] = {}
            continue
        found = reader.mapping(items[key][1], key) or {}
        by_language[key] = {lang: str(node.value).strip() for lang, (_, node) in found.items()}
        for lang in languages:
            if lang not in by_language[key]:
                message = f"{key}: no text for '{lang}', a language of the sheet"
                reader.error(items[key][0], message, code="theme.missing-language", subject=lang)
    logo = ""
    if "logo" in items:
        node = items["logo"][1]
        file = path.parent / str(node.value)
        inside = file.resolve().is_relative_to(path.parent.resolve())
        if not inside or not file.is_file():
            message = f"logo: no file '{node.value}' in {display_path(path.parent)}"
            reader.error(node, message, code="file.not-found")
        elif file.suffix.lower() not in LOGO_TYPES:
            message = f"logo: use an .svg, .png or .jpg file, not '{file.name}'"
            reader.error(node, message, code="theme.logo-type")
        elif file.stat().st_size > MAX_LOGO_BYTES:
            message = f"logo: '{file.name}' is larger than {MAX_LOGO_BYTES} bytes"
            reader.error(node, message, code="file.too-large")
        elif found := image_problem(file):
            code, reason = found
            reader.error(node, f"logo: '{file.name}' {reason}", code=code)
        elif file.suffix.lower() == ".svg" and re.search(rb"<(?:\w+:)?text\b", file.read_bytes()):
            reader.error(node, f"logo: '{file.name}' has SVG <text>, which prints in a "
                         "fallback font: convert its text to outlines (paths)",
                         code="theme.logo-text")  # fmt: skip
        else:
            data = base64.b64encode(file.read_bytes()).decode()
            logo = f"data:{LOGO_TYPES[file.suffix.lower()]};base64,{data}"
            if not by_language["logo-alt"]:
                message = "logo: needs its text for screen readers in 'logo-alt', per language"
                reader.error(node, message, code="theme.logo-alt")
    fonts = FONT_FILES
    if "fonts" in items:
        found = reader.mapping(items["fonts"][1], "fonts") or {}
        reader.unknown_keys(found, set(GENERIC), "fonts")
        chosen = {}
        for role, (_, node) in found.items():
            files, code, message = package_fonts(role, str(node.value).strip())
            if message:
                reader.error(node, f"fonts.{role}: {message}", code=code)
            chosen[role] = files
        fonts = tuple(f for role in GENERIC for f in chosen.get(role) or by_role(role))
    theme = Theme(name, colors, by_language["organization"], by_language["contact"], logo,
                  by_language["logo-alt"], fonts, cmyk)  # fmt: skip
    if not reader.problems:
        reader.problems += contrast_problems(theme, path, color_nodes)
    return (None if reader.problems else theme), reader.problems


def color_with_cmyk(
    reader: Reader, node: yaml.MappingNode, key: str, cmyk: dict[str, tuple]
) -> yaml.Node | None:
    """The `rgb` node of a colour given both ways; its CMYK (percent) goes in `cmyk`."""
    items = reader.mapping(node, f"colors.{key}") or {}
    reader.unknown_keys(items, {"rgb", "cmyk"}, f"colors.{key}")
    if "cmyk" in items:
        values = items["cmyk"][1]
        inks = [str(v.value) for v in values.value] if isinstance(values, yaml.SequenceNode) else []
        try:
            numbers = tuple(float(v) for v in inks)
        except ValueError:
            numbers = ()
        if len(numbers) != 4 or not all(0 <= n <= 100 for n in numbers):
            message = f"colors.{key}.cmyk must be four inks in percent, [c, m, y, k], 0 to 100"
            reader.error(values, message, code="theme.color", subject=key)
        else:
            cmyk[key] = numbers  # type: ignore[assignment]
    if "rgb" not in items:
        message = f'colors.{key}: give its screen colour as rgb: "#rrggbb" beside cmyk'
        reader.error(node, message, code="theme.color", subject=key)
        return None
    return items["rgb"][1]


def by_role(role: str) -> tuple[FontFile, ...]:
    return tuple(font for font in FONT_FILES if font.role == role)


def package_fonts(role: str, name: str) -> tuple[tuple[FontFile, ...], str, str]:
    """A fontpkg-* package's upright and italic variable faces for a role, or
    the code and message of what is wrong with it. Every fontpkg package ships
    its faces as Google Fonts does: files/<Name>[axes].ttf and
    files/<Name>-Italic[axes].ttf."""
    import importlib.util

    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    module = name.replace("-", "_")
    if not re.fullmatch(r"fontpkg-[a-z0-9-]+", name) or importlib.util.find_spec(module) is None:
        message = (
            f"'{name}' is not an installed font package: name a fontpkg-* package from "
            "PyPI and add it to the dependencies in pyproject.toml, then run make"
        )
        return (), "theme.font-not-installed", message
    folder = Path(str(resources.files(module) / "files"))
    faces = sorted(folder.glob("*[[]*wght*[]].ttf"))
    upright = [f for f in faces if "-Italic" not in f.name]
    italic = [f for f in faces if "-Italic" in f.name]
    if len(upright) != 1 or len(italic) != 1:
        message = f"'{name}' has no single upright and italic font with a weight axis"
        return (), "theme.font-faces", message
    with TTFont(upright[0], lazy=True) as font:
        family = font["name"].getDebugName(16) or font["name"].getDebugName(1) or name
    files = tuple(
        FontFile(role, family, style, module, path.name)
        for style, path in (("normal", upright[0]), ("italic", italic[0]))
    )
    return files, "", ""


def contrast_problems(theme: Theme, path: Path, nodes: dict) -> list[Problem]:
    """Each colour pair the styles set text in, below 4.5:1, at its text colour's key
    (`nodes`: where the theme writes each colour it sets)."""

    colors = {**colors_of(theme), "paper": PAPER}
    shown = display_path(path)
    problems = []
    for text, ground, where in TEXT_ON:
        ratio = contrast(colors[text], colors[ground])
        if ratio < 4.5:
            pos = node_pos(shown, nodes[text]) if text in nodes else Pos(shown, 1, 1)
            problems.append(Problem(pos, (
                f"colors.{text} {colors[text]} on {ground} {colors[ground]} ({where}) has a "
                f"contrast of {ratio:.1f}:1; text needs 4.5:1 (WCAG AA)"),
                code="theme.contrast", subject=text))  # fmt: skip
    return problems


def colors_of(theme: Theme | None) -> dict[str, str]:
    """Every brand colour a sheet prints in: the theme's over the defaults."""
    return {**default_colors(), **(theme.colors if theme else {})}


def default_colors() -> dict[str, str]:
    """The colours type.css declares, which a theme's override."""
    found = root_properties().items()
    return {name[2:]: value.lower() for name, value in found if name[2:] in COLORS}
