"""Stage 5, i18n: interface strings from gettext catalogs, dates from Babel."""

from __future__ import annotations

import datetime
import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from factsheet.errors import Pos, Problem
from factsheet.languages import profile
from factsheet.paths import LOCALES_DIR

SOURCE_LANGUAGE = "en"  # the language the interface strings are written in


def N_(message: str) -> str:  # noqa: N802 - the name pybabel extract looks for
    """Mark a string for the catalog where it is defined, translate it later."""
    return message


@dataclass(frozen=True)
class Localizer:
    """What render needs to speak one language."""

    lang: str
    locale: str
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def date(self, day: datetime.date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def pages(self, count: int) -> str:
        """ "2 pages", in the language."""
        return self.translations.ngettext("%(num)d page", "%(num)d pages", count) % {"num": count}

    def kilobytes(self, size: int) -> str:
        """A file size as readers of the language write it: "54 KB", "1.234 KB"."""
        return f"{format_decimal(max(1, round(size / 1024)), locale=self.locale)} KB"


def catalog_path(lang: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / "messages.po"


def load_localizer(
    lang: str, locales_dir: Path = LOCALES_DIR, locale: str | None = None
) -> tuple[Localizer, list[Problem]]:
    """Read and compile the language's catalog in memory; report missing strings.

    `locale` overrides the default Babel locale of the language (dates)."""
    locale = profile(lang, locale).babel_locale
    if lang == SOURCE_LANGUAGE:
        return Localizer(lang, locale, gettext.NullTranslations()), []
    path = catalog_path(lang, locales_dir)
    shown = (
        str(path.relative_to(locales_dir.parent))
        if path.is_relative_to(locales_dir.parent)
        else str(path)
    )
    if not path.is_file():
        problem = Problem(
            Pos(shown), f"no interface catalog for language '{lang}'", code="i18n.no-catalog"
        )
        return Localizer(lang, locale, gettext.NullTranslations()), [problem]
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    problems = [
        Problem(
            Pos(shown, message.lineno or 0, 1),
            f"string '{msgid}' has no {lang} translation",
            code="i18n.untranslated",
        )
        for message in catalog
        if message.id and (untranslated(message.string) or message.fuzzy)
        for msgid in [message.id[0] if isinstance(message.id, tuple) else message.id]
    ]
    problems += [
        Problem(
            Pos(shown), f"string '{msgid}' is missing from the catalog", code="i18n.missing-string"
        )
        for msgid in template_messages(locales_dir)
        if msgid not in catalog
    ]
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Localizer(lang, locale, Translations(compiled)), problems


def untranslated(string: str | tuple[str, ...]) -> bool:
    """An empty msgstr, or a plural message with any of its forms empty."""
    return not string or (isinstance(string, tuple) and not all(string))


def template_messages(locales_dir: Path) -> list[str]:
    """The msgids of the extracted template (messages.pot)."""
    pot = locales_dir / "messages.pot"
    if not pot.is_file():
        return []
    with pot.open("rb") as handle:
        return [m.id for m in read_po(handle) if m.id]
