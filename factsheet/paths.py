"""Where the project's own files are: styles, templates, catalogs, fonts.

Kept apart from the stages so that build can fingerprint them without
importing WeasyPrint, Jinja or citeproc.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
STYLES_DIR = PROJECT_DIR / "styles"
TEMPLATES_DIR = PROJECT_DIR / "templates"
LOCALES_DIR = PROJECT_DIR / "locales"
THEMES_DIR = PROJECT_DIR / "themes"
PROFILES_DIR = PROJECT_DIR / "profiles"  # ICC output profiles for the print shop


def font_path(package: str, filename: str) -> Path:
    return Path(str(resources.files(package) / "files" / filename))


@dataclass(frozen=True)
class FontFile:
    """One variable face of a font package (fontpkg-*): the serif prints the body
    text, the sans the headings, notes and the rest."""

    role: str  # "serif" or "sans"
    family: str
    style: str  # "normal" or "italic"
    package: str  # the Python package whose files/ folder holds it
    filename: str

    @property
    def path(self) -> Path:
        return font_path(self.package, self.filename)


# The fonts every sheet embeds unless its theme names others.
FONT_FILES = (
    FontFile("serif", "Source Serif 4", "normal", "fontpkg_source_serif_4",
             "SourceSerif4[opsz,wght].ttf"),
    FontFile("serif", "Source Serif 4", "italic", "fontpkg_source_serif_4",
             "SourceSerif4-Italic[opsz,wght].ttf"),
    FontFile("sans", "Source Sans 3", "normal", "fontpkg_source_sans_3", "SourceSans3[wght].ttf"),
    FontFile("sans", "Source Sans 3", "italic", "fontpkg_source_sans_3",
             "SourceSans3-Italic[wght].ttf"),
)  # fmt: skip


def missing_font_packages(fonts: tuple[FontFile, ...] = FONT_FILES) -> list[str]:
    """The font packages of `fonts` that are not installed, as pip names them: the
    environment is broken (`make` sets it up), not the sheet."""
    import importlib.util

    missing = set()
    for font in fonts:
        try:
            found = importlib.util.find_spec(font.package) is not None and font.path.is_file()
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.add(font.package.replace("_", "-"))
    return sorted(missing)


def family_of(fonts: tuple[FontFile, ...], role: str) -> str:
    return next(font.family for font in fonts if font.role == role)


def web_font_name(family: str, style: str) -> str:
    """A plain file name for a font copied beside an HTML page: source-serif-4-italic.ttf."""
    name = family.lower().replace(" ", "-")
    return f"{name}-italic.ttf" if style == "italic" else f"{name}.ttf"
