"""Language profiles (languages.py): every profile complete, its quotation marks
CLDR's, a sheet's `locales:` honoured, and a language without a profile refused
at `languages:` rather than written with English conventions."""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import re

import pytest
from babel import Locale

from factsheet.errors import FactsheetError
from factsheet.languages import (
    CSL_LOCALES_DIR,
    HOUSE_QUOTES,
    LANGUAGES,
    QUOTES,
    LanguageProfile,
    has_profile,
    profile,
)
from factsheet.sources.load import load_sheet


@pytest.mark.parametrize("tag", LANGUAGES)
def test_every_profile_is_complete(tag):
    found = profile(tag)
    for field in dataclasses.fields(LanguageProfile):
        value = getattr(found, field.name)
        if isinstance(value, bool):
            continue
        flat = "".join(map(str, value)) if isinstance(value, tuple) else value
        assert flat, f"{tag}: {field.name} is empty"
        if isinstance(value, tuple) and isinstance(value[0], str) and field.name != "currency":
            assert all(value), f"{tag}: {field.name} has an empty entry"
    assert found.tag == tag
    assert len(found.quotes) == 4
    assert (CSL_LOCALES_DIR / f"locales-{found.csl_locale}.xml").is_file()
    assert Locale.parse(found.babel_locale).language == found.language
    assert Locale.parse(found.number_locale).language == found.language
    assert found.direction in ("ltr", "rtl")
    assert len(set(found.months)) == len(set(found.short_months)) == 12
    assert len(set(found.days)) == len(set(found.short_days)) == 7
    for pattern in (found.date_format, found.time_format, found.datetime_format):
        assert "%" in pattern and not re.search(r"[A-Za-z]{2,}", re.sub(r"%-?.", "", pattern))


def test_english_and_spanish_keep_what_the_sheets_print():
    en, es = profile("en"), profile("es")
    assert (en.babel_locale, en.number_locale, en.csl_locale) == ("en_US", "en", "en-US")
    assert (es.babel_locale, es.number_locale, es.csl_locale) == ("es_US", "es", "es-ES")
    assert en.punctuation_in_quote and not es.punctuation_in_quote
    assert (en.name, es.name) == ("English", "Español")
    assert en.vega_number_locale()["currency"] == es.vega_number_locale()["currency"] == ["$", ""]
    assert (es.decimal, es.group) == (",", ".")


@pytest.mark.parametrize(
    ("tag", "quotes"),
    [("en", "“”‘’"), ("es", "«»“”"), ("fr", "«»«»"), ("pt", "“”‘’"), ("de", "„“‚‘"),
     ("ru", "«»„“"), ("zh-Hant", "「」『』")],
)  # fmt: skip
def test_known_quotation_marks(tag, quotes):
    assert profile(tag).quotes == quotes


def icu_delimiters() -> tuple[int, object] | None:
    """ICU's `ulocdata_getDelimiter` (ICU ships its own copy of CLDR), or None."""
    name = ctypes.util.find_library("icui18n")
    if not name:
        return None
    library = ctypes.CDLL(name)
    version = re.search(r"\.so\.(\d+)", name)
    suffix = f"_{version[1]}" if version else ""
    try:
        open_data = getattr(library, f"ulocdata_open{suffix}")
        delimiter = getattr(library, f"ulocdata_getDelimiter{suffix}")
        close_data = getattr(library, f"ulocdata_close{suffix}")
    except AttributeError:
        return None
    open_data.restype = ctypes.c_void_p
    open_data.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    delimiter.restype = ctypes.c_int32
    delimiter.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int32,
                          ctypes.POINTER(ctypes.c_int)]  # fmt: skip
    close_data.argtypes = [ctypes.c_void_p]

    def quotes(locale: str) -> str:
        status = ctypes.c_int(0)
        data = open_data(locale.encode(), ctypes.byref(status))
        marks = ""
        for kind in range(4):  # ULOCDATA_QUOTATION_START ... ALT_QUOTATION_END
            buffer = ctypes.create_string_buffer(32)
            status = ctypes.c_int(0)
            length = delimiter(data, kind, buffer, 16, ctypes.byref(status))
            assert status.value <= 0, (locale, status.value)  # errors are positive
            marks += buffer.raw[: 2 * length].decode("utf-16-le")
        close_data(data)
        return marks

    return int(version[1]) if version else 0, quotes


def test_quotation_marks_are_cldrs():
    """The table against the CLDR that ICU ships (ICU 74 brought CLDR 44, where
    Spanish changed to “”‘’: before it CLDR had the RAE's «»“” these sheets keep)."""
    found = icu_delimiters()
    if found is None:
        pytest.skip("no ICU library on this machine")
    icu_version, quotes = found
    for tag in LANGUAGES:
        expected = QUOTES[tag] if icu_version >= 74 else {"es": "«»“”"}.get(tag, QUOTES[tag])
        assert quotes(str(Locale.parse(tag, sep="-"))) == expected, tag
    assert set(HOUSE_QUOTES) <= set(LANGUAGES)


def test_a_sheets_locale_changes_dates_numbers_and_notes():
    mexico = profile("es", "es_MX")
    assert (mexico.babel_locale, mexico.number_locale, mexico.csl_locale) == (
        "es_MX", "es_MX", "es-MX",
    )  # fmt: skip
    assert (mexico.decimal, mexico.group) == (".", ",")
    assert mexico.quotes == profile("es").quotes  # the language's, whatever its locale
    assert profile("es", "es_AR").csl_locale == "es-ES"  # CSL has no es-AR
    assert profile("en", "en_GB").csl_locale == "en-GB"
    assert profile("pt", "pt_PT").csl_locale == "pt-PT"
    assert profile("pt").csl_locale == "pt-BR"  # pt is Brazil's in CLDR


def test_scripts_and_directions():
    assert profile("zh-Hant").csl_locale == "zh-TW"
    assert profile("zh-Hans").csl_locale == "zh-CN"
    assert profile("sr").csl_locale == "sr-Cyrl-RS"
    assert profile("ZH-HANT").tag == "ZH-HANT"  # kept as written, for <html lang>
    assert [profile(t).direction for t in ("ar", "he", "fa", "en")] == ["rtl"] * 3 + ["ltr"]


def test_vega_gets_the_languages_month_names():
    import vl_convert

    spec = {
        "data": {"values": [{"t": "2020-01-15", "n": 1}, {"t": "2020-03-15", "n": 2}]},
        "mark": "point",
        "encoding": {"x": {"field": "t", "type": "temporal", "timeUnit": "month"},
                     "y": {"field": "n", "type": "quantitative"}},
    }  # fmt: skip
    portuguese = profile("pt")
    svg = vl_convert.vegalite_to_svg(
        spec,
        format_locale=portuguese.vega_number_locale(),
        time_format_locale=portuguese.vega_time_locale(),
    )
    assert "January" not in svg and "Jan" not in svg
    assert re.search(r">(jan\.?|janeiro)<", svg), svg


@pytest.mark.parametrize("tag", ["xx", "pt-PT", "zh", "en_US", "klingon"])
def test_a_language_without_a_profile_is_refused(tag):
    assert not has_profile(tag)
    with pytest.raises(FactsheetError) as caught:
        profile(tag)
    [problem] = caught.value.problems
    assert problem.code == "language.unknown"
    assert f"no language profile for '{tag}' (profiles exist for: af, ar, " in problem.message


def test_a_sheet_listing_a_language_without_a_profile_is_refused_in_one_line(minimal, run_cli):
    sheet_yaml = minimal / "sheet.yaml"
    sheet_yaml.write_text(sheet_yaml.read_text().replace("[en, es]", "[en, es, xx]"))
    (minimal / "xx.yaml").write_text((minimal / "en.yaml").read_text())
    with pytest.raises(FactsheetError):
        load_sheet(minimal)
    listed = ", ".join(LANGUAGES)
    assert run_cli(minimal, "--check").error_lines == [
        f"{minimal}/sheet.yaml:1:21: languages: no language profile for 'xx' "
        f"(profiles exist for: {listed})"
    ]


def test_the_readme_lists_the_languages_with_profiles():
    from factsheet.paths import PROJECT_DIR

    readme = " ".join((PROJECT_DIR / "README.md").read_text(encoding="utf-8").split())
    assert f"Profiles exist for {', '.join(LANGUAGES[:-1])} and {LANGUAGES[-1]}:" in readme
