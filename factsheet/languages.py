"""One profile per language: every fact a stage needs to write in a language, in
one place, taken from CLDR (through Babel) and from citeproc-py's CSL locales.

Each stage asks `profile(lang)` (with the sheet's `locales:` override, where
there is one) instead of keeping a table of its own. A language without a
profile is refused where sheet.yaml lists it (`no_profile`); it is never
written with English defaults.

Which languages have one: those CLDR gives quotation marks for (`QUOTES`, the
one fact Babel lacks) and citeproc-py a CSL locale for — `LANGUAGES`. A tag
with a territory (`pt-PT`) has none: a sheet lists `pt` and sets
`locales: {pt: pt_PT}`, which changes its dates, numbers and notes.

Where each field comes from:

- `tag`: the code as sheet.yaml writes it (BCP 47: `es`, `zh-Hant`), for `<html lang>`.
- `language`: its language subtag (`zh`), to compare with a source's `language`.
- `name`: CLDR's name of the language in itself, capitalized ("Español").
- `babel_locale`: dates, plural forms, `og:locale`. CLDR's locale of the language,
  except where the sheets' readers live elsewhere (`READERS`: en_US, es_US).
- `number_locale`: numbers, written and read (the checks, the charts): the
  language's own CLDR locale (`es` writes 2.300,5, as the RAE does; es_US would
  write 2,300.5). A sheet's `locales:` entry replaces both locales.
- `quotes`: primary open and close, secondary open and close (`QUOTES`).
- `csl_locale`: the first CSL locale citeproc-py ships for the Babel locale, then
  for the language's likely territory (CLDR's likely subtags: es -> es-ES,
  pt -> pt-BR), then CSL's own primary dialect of the language.
- `punctuation_in_quote`: that CSL locale's `punctuation-in-quote` option.
- `direction`: CLDR's character order (Babel's `Locale.text_direction`).
- `decimal`, `group`, `minus`, `percent`, `grouping`: CLDR's Latin-digit number
  symbols and decimal pattern of `number_locale`.
- `currency`: the currency of the Babel locale's territory (CLDR's territory
  currencies), its symbol placed as that locale's currency pattern places it.
- `months`, `short_months`, `days`, `short_days`, `periods`, `date_format`,
  `time_format`, `datetime_format`: the Babel locale's CLDR calendar, for Vega's
  time locale (d3's directives, converted from CLDR's patterns).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_currency_symbol, get_territory_currencies, parse_pattern

from factsheet.errors import FactsheetError, Pos, Problem

# CLDR's quotation marks (its <delimiters>: quotationStart, quotationEnd,
# alternateQuotationStart, alternateQuotationEnd), four characters as markdown-it's
# typographer takes them. Babel does not carry them: copied from CLDR 45
# (cldr-json, cldr-misc-full/main/<language>/delimiters.json). tests/test_profiles.py
# checks them against the copy of CLDR that ICU ships, where the machine has ICU.
QUOTES = {
    "af": "“”‘’", "ar": "”“’‘", "bg": "„“„“", "ca": "«»“”", "cs": "„“‚‘", "cy": "“”‘’",
    "da": "“”‘’", "de": "„“‚‘", "el": "«»“”", "en": "“”‘’", "es": "“”‘’", "et": "„“‚‘",
    "eu": "«»“”", "fa": "«»‹›", "fi": "””’’", "fr": "«»«»", "gl": "“”‘’", "he": "””’’",
    "hi": "“”‘’", "hr": "„“‚‘", "hu": "„”»«", "hy": "«»«»", "id": "“”‘’", "is": "„“‚‘",
    "it": "«»“”", "ja": "「」『』", "km": "“”‘’", "ko": "“”‘’", "lt": "„“„“", "lv": "“”‘’",
    "mn": "“”‘’", "ms": "“”‘’", "nb": "«»‘’", "nl": "‘’‘’", "nn": "«»‘’", "pl": "„”«»",
    "pt": "“”‘’", "ro": "„”«»", "ru": "«»„“", "sk": "„“‚‘", "sl": "„“‚‘", "sr": "„“‘‘",
    "sv": "””’’", "th": "“”‘’", "tr": "“”‘’", "uk": "«»„“", "vi": "“”‘’",
    "zh-Hans": "“”‘’", "zh-Hant": "「」『』",
}  # fmt: skip
# Where these sheets depart from CLDR. Spanish: the RAE's order, angle quotes first
# and English ones inside them (Ortografía de la lengua española, 2010, on
# comillas), as CLDR itself had it until version 44.
HOUSE_QUOTES = {"es": "«»“”"}
# The sheets' English and Spanish readers are mostly in the United States.
READERS = {"en": "en_US", "es": "es_US"}
LANGUAGES = tuple(QUOTES)

_CITEPROC = importlib.util.find_spec("citeproc")  # found, not imported: load stays light
CSL_LOCALES_DIR = (
    Path(next(iter(_CITEPROC.submodule_search_locations))) / "data" / "locales"
    if _CITEPROC and _CITEPROC.submodule_search_locations
    else Path("citeproc-py-is-missing")
)
CSL_NS = "{http://purl.org/net/xbiblio/csl}"


@dataclass(frozen=True)
class LanguageProfile:
    """What the stages need to write in one language (see the module's docstring
    for where each value comes from)."""

    tag: str
    language: str
    name: str
    babel_locale: str
    number_locale: str
    quotes: str
    csl_locale: str
    punctuation_in_quote: bool
    direction: str
    decimal: str
    group: str
    minus: str
    percent: str
    grouping: tuple[int, ...]
    currency: tuple[str, str]
    months: tuple[str, ...]
    short_months: tuple[str, ...]
    days: tuple[str, ...]  # Sunday first, as d3 takes them
    short_days: tuple[str, ...]
    periods: tuple[str, str]
    date_format: str
    time_format: str
    datetime_format: str

    def vega_number_locale(self) -> dict:
        """d3's number format locale, for Vega: the separators the prose uses."""
        return {
            "decimal": self.decimal,
            "thousands": self.group,
            "grouping": list(self.grouping),
            "currency": list(self.currency),
            "minus": self.minus,
            "percent": self.percent,
        }

    def vega_time_locale(self) -> dict:
        """d3's time format locale, for Vega: month and day names as CLDR writes them."""
        return {
            "dateTime": self.datetime_format,
            "date": self.date_format,
            "time": self.time_format,
            "periods": list(self.periods),
            "days": list(self.days),
            "shortDays": list(self.short_days),
            "months": list(self.months),
            "shortMonths": list(self.short_months),
        }


def has_profile(tag: str) -> bool:
    return tag.lower() in _KEYS


def no_profile(tag: str, where: Pos) -> Problem:
    """The one line that refuses a language without a profile."""
    message = (
        f"languages: no language profile for '{tag}' (profiles exist for: {', '.join(LANGUAGES)})"
    )
    return Problem(where, message, code="language.unknown")


def profile(tag: str, locale: str | None = None, where: Pos | None = None) -> LanguageProfile:
    """The profile of the language `tag` (BCP 47, as sheet.yaml writes it), its Babel
    locale `locale` when the sheet chooses one (`locales: {es: es_MX}`); raises
    FactsheetError (`language.unknown`) for a language without a profile."""
    if not has_profile(tag):
        raise FactsheetError([no_profile(tag, where or Pos("sheet.yaml"))])
    return _profile(tag, locale or None)


_KEYS = {key.lower(): key for key in QUOTES}


@functools.cache
def _profile(tag: str, chosen: str | None) -> LanguageProfile:
    key = _KEYS[tag.lower()]
    own = Locale.parse(key, sep="-")
    default = Locale.parse(READERS[key]) if key in READERS else own
    try:
        babel = Locale.parse(chosen) if chosen else default
    except (ValueError, UnknownLocaleError) as exc:
        message = f"locales: unknown locale '{chosen}' for '{tag}'"
        problem = Problem(Pos("sheet.yaml"), message, code="sheet.unknown-locale", subject=chosen)
        raise FactsheetError([problem]) from exc
    numbers = babel if chosen else own
    symbols = numbers.number_symbols.get("latn", {})
    pattern = parse_pattern(numbers.decimal_formats[None].pattern)
    csl = csl_locale_of([babel, default, own])
    name = own.get_display_name(own) or key
    return LanguageProfile(
        tag=tag,
        language=own.language,
        name=name[:1].upper() + name[1:],
        babel_locale=str(babel),
        number_locale=str(numbers),
        quotes=HOUSE_QUOTES.get(key, QUOTES[key]),
        csl_locale=csl,
        punctuation_in_quote=punctuation_in_quote(csl),
        direction=own.text_direction,
        decimal=symbols["decimal"],
        group=symbols["group"],
        minus=symbols.get("minusSign", "-"),
        percent=symbols.get("percentSign", "%"),
        grouping=(pattern.grouping[0],) if len(set(pattern.grouping)) == 1 else pattern.grouping,
        currency=currency_of(babel),
        months=tuple(babel.months["stand-alone"]["wide"][m] for m in range(1, 13)),
        short_months=tuple(babel.months["stand-alone"]["abbreviated"][m] for m in range(1, 13)),
        days=tuple(babel.days["stand-alone"]["wide"][d] for d in SUNDAY_FIRST),
        short_days=tuple(babel.days["stand-alone"]["abbreviated"][d] for d in SUNDAY_FIRST),
        periods=(
            babel.day_periods["format"]["abbreviated"]["am"],
            babel.day_periods["format"]["abbreviated"]["pm"],
        ),
        date_format=d3_format(babel.date_formats["short"].pattern),
        time_format=d3_format(babel.time_formats["medium"].pattern),
        datetime_format=d3_format(str(babel.datetime_formats["medium"])),
    )


SUNDAY_FIRST = (6, 0, 1, 2, 3, 4, 5)  # Babel counts from Monday (0)


def likely(locale: Locale) -> Locale:
    """The locale with CLDR's likely script and territory filled in (es -> es_Latn_ES)."""
    subtags = get_global("likely_subtags")
    for key in (str(locale), f"{locale.language}_{locale.script}", locale.language):
        found = subtags.get(key)
        if found:
            full = Locale.parse(found)
            if locale.script in (None, full.script):
                return Locale(
                    locale.language,
                    locale.territory or full.territory,
                    locale.script or full.script,
                )
    return locale


def csl_locale_of(locales: list[Locale]) -> str:
    """The first CSL locale citeproc-py ships for these Babel locales, each as it is,
    then with its likely territory; else CSL's primary dialect of the language."""
    names = []
    for locale in locales:
        for each in (locale, likely(locale)):
            parts = [each.language, each.script, each.territory]
            names += ["-".join(p for p in parts if p), "-".join(p for p in parts[::2] if p)]
    names.append(locales[-1].language)
    for name in names:
        if (CSL_LOCALES_DIR / f"locales-{name}.xml").is_file():
            return name
    index = json.loads((CSL_LOCALES_DIR / "locales.json").read_text(encoding="utf-8"))
    dialect = index.get("primary-dialects", {}).get(locales[-1].language)
    script = likely(locales[-1]).script
    if dialect and likely(Locale.parse(dialect, sep="-")).script == script:
        return dialect
    message = f"no CSL locale for {locales[-1]}"
    raise FactsheetError([Problem(Pos(str(CSL_LOCALES_DIR)), message, code="cite.no-locale")])


@functools.cache
def punctuation_in_quote(csl_locale: str) -> bool:
    """Whether the CSL locale puts commas and periods inside quotation marks."""
    root = ElementTree.parse(CSL_LOCALES_DIR / f"locales-{csl_locale}.xml").getroot()
    options = root.find(f"{CSL_NS}style-options")
    return options is not None and options.get("punctuation-in-quote") == "true"


def currency_of(locale: Locale) -> tuple[str, str]:
    """What goes before and after an amount of the locale's territory's currency."""
    territory = likely(locale).territory
    codes = get_territory_currencies(territory, tender=True) if territory else []
    if not codes:
        return ("", "")
    symbol = get_currency_symbol(codes[0], locale)
    pattern = parse_pattern(locale.currency_formats["standard"].pattern)
    return (pattern.prefix[0].replace("¤", symbol), pattern.suffix[0].replace("¤", symbol))


# CLDR date fields as d3 writes them; a field d3 lacks (era, zone) is left out.
D3_FIELDS = {
    "y": "%Y", "yy": "%y", "yyy": "%Y", "yyyy": "%Y",
    "M": "%-m", "MM": "%m", "MMM": "%b", "MMMM": "%B",
    "L": "%-m", "LL": "%m", "LLL": "%b", "LLLL": "%B",
    "d": "%-d", "dd": "%d",
    "E": "%a", "EE": "%a", "EEE": "%a", "EEEE": "%A",
    "H": "%-H", "HH": "%H", "k": "%-H", "kk": "%H",
    "h": "%-I", "hh": "%I", "K": "%-I", "KK": "%I",
    "m": "%-M", "mm": "%M", "s": "%-S", "ss": "%S",
    "a": "%p", "b": "%p", "B": "%p",
}  # fmt: skip
CLDR_PATTERN = re.compile(r"'(?:[^']|'')*'|\{[01]\}|([A-Za-z])\1*|.", re.S)


def d3_format(pattern: str) -> str:
    """A CLDR date pattern ("M/d/yy", "{1}, {0}") as a d3 time format ("%-m/%-d/%y")."""
    out = []
    for match in CLDR_PATTERN.finditer(pattern):
        token = match[0]
        if token in ("{0}", "{1}"):
            out.append("%X" if token == "{0}" else "%x")
        elif token.startswith("'"):
            out.append((token[1:-1].replace("''", "'") or "'").replace("%", "%%"))
        elif match[1]:
            out.append(D3_FIELDS.get(token, ""))
        else:
            out.append(token.replace("%", "%%"))
    return re.sub(r"\s+", " ", "".join(out)).strip()
