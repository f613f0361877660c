"""Translations that drift from the reference language are caught, one line each."""

import pytest

from factsheet.checks.check import check_documents
from factsheet.document.inline import inline_content
from factsheet.sources.load import load_sheet


def document_problems(folder) -> list[str]:
    sheet = load_sheet(folder)
    docs = {lang: inline_content(content) for lang, content in sheet.contents.items()}
    return [str(p) for p in check_documents(sheet, docs)]


def mutate(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_fixtures_agree(minimal):
    assert document_problems(minimal) == []


PARITY = [
    # (old text in es.yaml, new text, expected message)
    ("participaron en 2019.[@smith2019, p. 12]", "participaron en 2019.",
     "es.yaml:6:9: section 'first' has 0 footnotes, en.yaml:6 has 1"),
    ("participaron en 2019.", "participaron en 2019.^[Una nota.]",
     "es.yaml:6:9: section 'first' has 2 footnotes, en.yaml:6 has 1"),
    ("en 2019.", "en 2018.", "es.yaml:6:9: section 'first' does not have the number '2019' as en.yaml:6 does"),
    ("en 2019.", "en 2019 y 2020.", "es.yaml:6:9: section 'first' has an extra number '2020' that en.yaml:6 lacks"),
    ("      - Sí\n", "", "es.yaml:6:9: section 'first' has 1 list items, en.yaml:6 has 2"),
    ("      > «Una línea citada del informe».[@smith2019]\n      >\n      > — El informe\n",
     "      «Una línea citada del informe».[@smith2019]\n",
     "es.yaml:14:9: section 'second' has 0 block quotes, en.yaml:13 has 1"),
    ("      - Sí\n", "      - Sí\n\n      ::: box Qué hacer\n      Llame.\n      :::\n",
     "es.yaml:6:9: section 'first' has 1 boxes, en.yaml:6 has 0"),
    ("      - Sí\n", "      - Sí\n\n      | A | B |\n      | - | - |\n      | x | y |\n",
     "es.yaml:6:9: section 'first' has 1 tables, en.yaml:6 has 0"),
    ("      - Sí\n", "      - Sí\n\n      ::: figures\n      - **31** pueblos\n      :::\n",
     "es.yaml:6:9: section 'first' has an extra number '31' that en.yaml:6 lacks"),
    ("en 2019.", "en 2019 ([web](https://example.org)).",
     "es.yaml:6:9: section 'first' has an extra link to 'https://example.org' that en.yaml:6 lacks"),
    ("Un resumen breve", "Un resumen breve de 3 líneas",
     "es.yaml:3:10: summary has an extra number '3' that en.yaml:3 lacks"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), PARITY)
def test_each_drift_is_one_line(minimal, old, new, expected):
    mutate(minimal / "es.yaml", old, new)
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    assert f"{minimal}/{expected}" in problems
    # Others may follow from the same change (a lost note is also a lost citation),
    # but every line points at the same part of the same file.
    place = expected.split(": ")[0]
    assert all(p.startswith(f"{minimal}/{place}") for p in problems), problems


def test_a_different_source_is_named(minimal):
    with (minimal / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write("- id: other\n  type: book\n  title: Other\n")
    mutate(minimal / "es.yaml", "[@smith2019, p. 12]", "[@other, p. 12]")
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    assert problems == [
        f"{minimal}/es.yaml:6:9: section 'first' does not cite 'smith2019' as en.yaml:6 does",
        f"{minimal}/es.yaml:6:9: section 'first' has an extra citation of 'other' that en.yaml:6 lacks",
    ]


def set_locale(folder, locale: str) -> None:
    with (folder / "sheet.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"locales: {{es: {locale}}}\n")


NUMBERS_AGREE = [
    # (English, Spanish, the Spanish locale): each language read as its readers write it.
    ("2,300 people and 39.4%", "2300 personas y el 39,4 %", "es"),  # RAE: four digits, no dot
    ("2,300 people and 39.4%", "2.300 personas y el 39,4 %", "es"),
    ("2,300 people and 39.4%", "2,300 personas y el 39.4 %", "es_MX"),
    ("12,345,678 and 0.5", "12.345.678 y 0,5", "es"),
    ("10,000", "10\u00a0000", "es"),  # a no-break space groups digits too
    ("1,500 in 2019-2020", "1500 en 2019-2020", "es"),
]
NUMBERS_DIFFER = [
    # (English, Spanish, locale, the whole numbers reported, as written)
    ("2,300 people", "2,300 personas", "es",
     ["does not have the number '2,300'", "has an extra number '2,300'"]),
    ("39.4%", "39.4 %", "es",
     ["does not have the number '39.4'", "has an extra number '39.4'"]),
    ("2,300 people", "2.300 personas", "es_MX",
     ["does not have the number '2,300'", "has an extra number '2.300'"]),
    ("2,300 people", "2,400 personas", "es_MX",
     ["does not have the number '2,300'", "has an extra number '2,400'"]),
]  # fmt: skip


@pytest.mark.parametrize(("english", "spanish", "locale"), NUMBERS_AGREE)
def test_numbers_agree_read_in_each_locale(minimal, english, spanish, locale):
    set_locale(minimal, locale)
    mutate(minimal / "en.yaml", "in 2019.", f"in 2019, {english}.")
    mutate(minimal / "es.yaml", "en 2019.", f"en 2019, {spanish}.")
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    assert problems == []


@pytest.mark.parametrize(("english", "spanish", "locale", "expected"), NUMBERS_DIFFER)
def test_a_number_that_differs_is_reported_whole(minimal, english, spanish, locale, expected):
    set_locale(minimal, locale)
    mutate(minimal / "en.yaml", "in 2019.", f"in 2019, {english}.")
    mutate(minimal / "es.yaml", "en 2019.", f"en 2019, {spanish}.")
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    reference = " that en.yaml:6 lacks"
    assert problems == [
        f"{minimal}/es.yaml:6:9: section 'first' {message}"
        + (reference if "extra" in message else " as en.yaml:6 does")
        for message in expected
    ]


LINKS = [
    # (English link, Spanish link, agree?)
    ("https://www.cdc.gov/heat-health/about/", "https://www.cdc.gov/heat-health/es/about/", True),
    ("https://medlineplus.gov/heatillness.html", "https://medlineplus.gov/spanish/heatillness.html",
     True),
    ("https://www.nichd.nih.gov/health/topics/sids", "https://espanol.nichd.nih.gov/salud/temas/sids",
     True),
    ("https://www.cdc.gov/heat-health/", "https://www.example.org/calor/", False),
    # Two sites under one public suffix are two sites.
    ("https://www.salud.gob.mx/calor", "https://www.imss.gob.mx/calor", False),
    ("mailto:info@example.org", "mailto:info@example.org", True),
    ("mailto:info@example.org", "mailto:es@example.org", False),
]  # fmt: skip


@pytest.mark.parametrize(("english", "spanish", "agree"), LINKS)
def test_a_translation_may_link_to_its_own_languages_page(minimal, english, spanish, agree):
    mutate(minimal / "en.yaml", "in 2019.", f"in 2019 ([more]({english})).")
    mutate(minimal / "es.yaml", "en 2019.", f"en 2019 ([más]({spanish})).")
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    expected = [
        f"{minimal}/es.yaml:6:9: section 'first' does not link to '{english}' as en.yaml:6 does",
        f"{minimal}/es.yaml:6:9: section 'first' has an extra link to '{spanish}' that "
        "en.yaml:6 lacks",
    ]
    assert problems == ([] if agree else expected)


def test_a_changed_reference_section_is_stale_until_reviewed(minimal, run_cli):
    mutate(minimal / "en.yaml", "Thirty-one towns", "Thirty-one small towns")
    warnings = [p for p in document_problems(minimal) if "warning:" in p]
    assert warnings == [
        f"{minimal}/es.yaml:7:22: warning: section 'first' is out of date: en.yaml:6 changed "
        f"since it was reviewed; see what changed: python3 make_pdf.py changes {minimal} es first; "
        f"once reviewed, run: python3 make_pdf.py reviewed {minimal} es first"
    ]
    assert run_cli(minimal, "--check").code == 0
    assert run_cli(minimal, "--check", "--strict").code == 1

    run = run_cli("reviewed", minimal, "es", "first", "--by", "Ana")
    assert run.code == 0, run.err
    assert run.out == "marked reviewed in es (by Ana): first\n"
    assert document_problems(minimal) == []
    assert run_cli(minimal, "--check", "--strict").code == 0


def test_rewrapping_a_paragraph_is_not_an_edit(minimal):
    mutate(minimal / "en.yaml", "Thirty-one towns took part", "Thirty-one towns\n      took part")
    mutate(minimal / "es.yaml", "Treinta y un pueblos", "Treinta y un\n      pueblos")
    assert document_problems(minimal) == []
    mutate(minimal / "en.yaml", "      - No\n", "      - Not\n")
    assert "is out of date" in document_problems(minimal)[0]


def test_a_sentence_added_to_the_translation_alone_is_flagged(minimal, run_cli):
    """Numbers and notes still agree, so only the review record can tell."""
    mutate(minimal / "es.yaml", "participaron en 2019.", "participaron en 2019. Fue un éxito.")
    assert document_problems(minimal) == [
        f"{minimal}/es.yaml:7:22: warning: section 'first' changed in es.yaml since it was "
        f"reviewed against en.yaml:6; once reviewed, run: python3 make_pdf.py reviewed {minimal} es first"
    ]
    assert run_cli(minimal, "--check").code == 0
    assert run_cli(minimal, "--check", "--strict").code == 1
    assert run_cli("reviewed", minimal, "es", "first").code == 0
    assert document_problems(minimal) == []


def test_reviewed_adds_a_missing_record_under_the_id(minimal, run_cli):
    path = minimal / "es.yaml"
    path.write_text(
        "\n".join(line for line in path.read_text().splitlines() if "translated-from" not in line)
        + "\n"
    )
    warnings = document_problems(minimal)
    assert f"{minimal}/es.yaml:1:8: warning: 'front' (the title, " in warnings[0]
    assert f"{minimal}/es.yaml:6:9: warning: section 'first' has no review record" in warnings[1]
    assert run_cli("reviewed", minimal, "es", "--all").code == 0
    assert "  - id: first\n    translated-from: " in path.read_text()
    assert "\ntranslated-from: " in path.read_text()  # the front's, at the end
    assert document_problems(minimal) == []


def test_reviewed_refuses_the_reference_language_and_unknown_sections(minimal, run_cli):
    assert run_cli("reviewed", minimal, "en", "--all").error_lines == [
        f"{minimal}/sheet.yaml:1:12: 'en' is not a translation of this sheet"
    ]
    assert run_cli("reviewed", minimal, "es", "nope").error_lines == [
        f"{minimal}/es.yaml:1:1: no section 'nope' in both es.yaml and en.yaml; "
        "they have: front, first, second"
    ]
    assert run_cli("reviewed", minimal, "es", "frist").error_lines == [
        f"{minimal}/es.yaml:1:1: no section 'frist' in both es.yaml and en.yaml "
        "(did you mean 'first'?)"
    ]


SPELLED = [
    # (English, Spanish, agree?): small and round numbers may be written in words.
    ("25 countries", "veinticinco países", True),
    ("21 countries", "veintiún países", True),
    ("100 towns", "cien pueblos", True),
    ("1,000 people", "mil personas", True),
    ("1,000,000 people", "un millón de personas", True),
    ("25 countries", "veintiséis países", False),  # another number
    ("2,300 people", "dos mil trescientas personas", False),  # not round: in digits
]


@pytest.mark.parametrize(("english", "spanish", "agree"), SPELLED)
def test_a_translation_may_spell_out_small_and_round_numbers(minimal, english, spanish, agree):
    mutate(minimal / "en.yaml", "in 2019.", f"in 2019, {english}.")
    mutate(minimal / "es.yaml", "en 2019.", f"en 2019, {spanish}.")
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    if agree:
        assert problems == []
    else:
        assert len(problems) == 1 and "does not have the number" in problems[0], problems
