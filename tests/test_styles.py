"""The stylesheets and fonts themselves: contrast, minimum sizes, glyph coverage."""

import re

import pytest
from fontTools.ttLib import TTFont

from factsheet.paths import FONT_FILES, STYLES_DIR
from factsheet.sources.theme import contrast  # WCAG 2, checked against known ratios in test_theme

SPANISH = "áéíóúüñÁÉÍÓÚÜÑ¿¡«»“”‘’—–·ºª€"
STYLESHEETS = sorted(STYLES_DIR.glob("*.css"))


def css_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in STYLESHEETS)


def custom_properties() -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", css_text()))


def resolve(value: str, props: dict[str, str]) -> str:
    while (match := re.fullmatch(r"var\((--[\w-]+)\)", value.strip())) is not None:
        value = props[match[1]]
    return value.strip()


def rules() -> list[tuple[str, str]]:
    """(selector, declarations) for every rule, @page margin boxes included."""
    text = re.sub(r"/\*.*?\*/", "", css_text(), flags=re.S)
    return re.findall(r"([^{}]+)\{([^{}]*)\}", text)


def text_colors() -> list[tuple[str, str]]:
    props = custom_properties()
    found = []
    for selector, body in rules():
        for value in re.findall(r"(?<![\w-])color:\s*([^;]+);", body):
            found.append((selector.strip(), resolve(value, props)))
    return found


def test_every_text_color_meets_wcag_aa_on_its_backgrounds():
    props = custom_properties()
    white, tint, brand = "#ffffff", resolve("var(--tint)", props), resolve("var(--brand)", props)
    checked = 0
    for selector, color in text_colors():
        if selector.startswith(".draft-mark"):
            continue  # a decorative watermark, not text to read
        # Text in the title band sits on the brand color; any other text may sit
        # on the page or in a tinted pull quote.
        grounds = [brand] if selector.startswith(".title-band") else [white, tint]
        for ground in grounds:
            ratio = contrast(color, ground)
            assert ratio >= 4.5, f"{selector}: {color} on {ground} is {ratio:.2f}:1"
            checked += 1
    assert checked >= 8


def test_title_band_text_contrast():
    props = custom_properties()
    ink, band = resolve("var(--brand-ink)", props), resolve("var(--brand)", props)
    assert contrast(ink, band) >= 4.5


def point_sizes() -> list[tuple[str, float]]:
    props = custom_properties()
    sizes = []
    for selector, body in rules():
        for value in re.findall(r"font-size:\s*([^;]+);", body):
            value = resolve(value, props)
            if value.endswith("pt"):
                sizes.append((selector.strip(), float(value[:-2])))
    return sizes


def test_no_text_smaller_than_the_notes_minimum():
    for selector, size in point_sizes():
        if selector.startswith(".draft-mark"):
            continue
        assert size >= 7.5, f"{selector} is {size}pt"


def test_body_and_notes_sizes():
    props = custom_properties()
    assert float(resolve("var(--body-size)", props)[:-2]) >= 9.5
    assert float(resolve("var(--note-size)", props)[:-2]) >= 7.5


@pytest.mark.parametrize("font", FONT_FILES, ids=lambda font: font.filename)
def test_fonts_have_every_glyph_spanish_needs(font):
    cmap = TTFont(font.path, lazy=True).getBestCmap()
    missing = [char for char in SPANISH if ord(char) not in cmap]
    assert missing == [], f"{font.family} {font.style} lacks {''.join(missing)}"
