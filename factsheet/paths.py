"""Where the project's own files are: styles, templates, catalogs, fonts.

Kept apart from the stages so that build can fingerprint them without
importing WeasyPrint, Jinja or citeproc.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
STYLES_DIR = PROJECT_DIR / "styles"
TEMPLATES_DIR = PROJECT_DIR / "templates"
LOCALES_DIR = PROJECT_DIR / "locales"

# (family, style, font package, file): the fonts every sheet embeds.
FONT_FILES = (
    ("Source Serif 4", "normal", "fontpkg_source_serif_4", "SourceSerif4[opsz,wght].ttf"),
    ("Source Serif 4", "italic", "fontpkg_source_serif_4", "SourceSerif4-Italic[opsz,wght].ttf"),
    ("Source Sans 3", "normal", "fontpkg_source_sans_3", "SourceSans3[wght].ttf"),
    ("Source Sans 3", "italic", "fontpkg_source_sans_3", "SourceSans3-Italic[wght].ttf"),
)


def font_path(package: str, filename: str) -> Path:
    return Path(str(resources.files(package) / "files" / filename))


def web_font_name(family: str, style: str) -> str:
    """A plain file name for a font copied beside an HTML page: source-serif-4-italic.ttf."""
    name = family.lower().replace(" ", "-")
    return f"{name}-italic.ttf" if style == "italic" else f"{name}.ttf"
