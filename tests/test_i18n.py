import datetime

import pytest

from factsheet.document.i18n import LOCALES_DIR, load_localizer, template_messages


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "February 9, 2016"),
        ("es", "9 de febrero de 2016"),
        ("fr", "9 février 2016"),
        ("pt", "9 de fevereiro de 2016"),
        ("ru", "9 февраля 2016\u202fг."),  # CLDR's narrow no-break space
    ],
)
def test_dates_are_localized(lang, expected):
    localizer, problems = load_localizer(lang)
    assert problems == []
    assert localizer.date(datetime.date(2016, 2, 9)) == expected


# Words the same as the English in a language: no sign of a missing translation.
PAGE = ("%(num)d page", "%(num)d pages")
SAME = {"es": {"A4"}, "fr": {"A4", "Note", "Notes", "Sources", PAGE}, "pt": {"A4"}, "ru": {"A4"}}
PAGES = {
    "es": ["1 página", "2 páginas", "5 páginas"],
    "fr": ["1 page", "2 pages", "5 pages"],
    "pt": ["1 página", "2 páginas", "5 páginas"],
    "ru": ["1 страница", "2 страницы", "5 страниц"],
}


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_each_catalog_translates_every_interface_string(lang):
    localizer, problems = load_localizer(lang)
    assert problems == []
    messages = template_messages(LOCALES_DIR)
    assert "Sources" in messages
    for message in messages:
        if message in SAME[lang]:
            continue
        if isinstance(message, tuple):  # a plural: every form translated
            singular, plural = message
            forms = [localizer.translations.ngettext(singular, plural, n) for n in (1, 2)]
            assert forms[0] != singular and forms[1] != plural, message
        else:
            assert localizer.gettext(message) != message, message
    assert [localizer.pages(n) for n in (1, 2, 5)] == PAGES[lang]


def test_a_missing_translation_is_a_problem(tmp_path):
    (tmp_path / "messages.pot").write_text('msgid "Sources"\nmsgstr ""\n\nmsgid "New"\nmsgstr ""\n')
    catalog = tmp_path / "es" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (catalog / "messages.po").write_text('msgid "Sources"\nmsgstr ""\n')
    _, problems = load_localizer("es", tmp_path)
    found = [p.message for p in problems]
    assert "string 'Sources' has no es translation" in found
    assert "string 'New' is missing from the catalog" in found


def test_a_language_without_catalog_is_a_problem(tmp_path):
    _, problems = load_localizer("fr", tmp_path)
    assert [p.message for p in problems] == ["no interface catalog for language 'fr'"]
