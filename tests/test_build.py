"""End to end: the sample sheet, built for real and read back as a reader would."""

import re

import pytest

from .conftest import note_pages

TITLES = {
    "en": "Decriminalizing Drug Use and Possession",
    "es": "La descriminalización del consumo y la posesión de drogas",
}
KEY_FACTS = {
    "en": [
        "About two dozen countries",
        "took effect on July 1, 2001",
        "little apparent relationship between severity of sanctions prescribed for drug use "
        "and prevalence or frequency of use",
        "“Portugal’s policy has reportedly not led to an increase in drug tourism.",
        "“there is ample evidence of a successful reform.”",
        "sterile syringes and methadone maintenance therapy",
        "911 Good Samaritan laws",
        "Page 1 of 2",
        "Page 2 of 2",
        "Published February 9, 2016 · Updated November 24, 2026",
        "SOURCES",
    ],
    "es": [
        "Unos veinticuatro países",
        "julio de 2001",
        "«poca relación aparente entre la severidad de las sanciones",
        "«Según se informa, la política de Portugal no ha provocado un aumento del turismo",
        "«hay amplia evidencia de una reforma exitosa»",
        "jeringas estériles y la terapia de mantenimiento con metadona",
        "leyes del Buen Samaritano para quienes llamen al 911",
        "Página 1 de 2",
        "Página 2 de 2",
        "Publicado el 9 de febrero de 2016 · Actualizado el 24 de noviembre de 2026",
        "FUENTES",
    ],
}
BENEFITS = {"en": 9, "es": 9}
ENGLISH_INTERFACE_WORDS = ["Page ", "Published", "Updated", "Sources", "Fact sheet"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_two_letter_pages(sample_pdfs, lang):
    reader = sample_pdfs[lang].reader
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_key_facts_are_on_the_page(sample_pdfs, lang):
    text = sample_pdfs[lang].text
    for fact in KEY_FACTS[lang]:
        assert fact in text, fact


@pytest.mark.parametrize("lang", ["en", "es"])
def test_language_and_title_metadata(sample_pdfs, lang):
    reader = sample_pdfs[lang].reader
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert reader.metadata.title == TITLES[lang]
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_only_project_fonts_embedded(sample_pdfs, lang):
    names = set()
    for page in sample_pdfs[lang].reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            names.add(re.sub(r"^[A-Z]{6}\+", "", font["/BaseFont"][1:]))
    assert names, "no fonts found"
    assert all(name.startswith(("Source-Serif-4", "Source-Sans-3")) for name in names), names


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_note_is_at_the_foot_of_the_page_that_calls_it(sample_pdfs, lang):
    """Nine notes in reading order; each printed once, on the page with its call."""
    per_page = [
        [int(n) for n in re.findall(r"(?:^| )(\d)\. (?=[A-Z])", text)]
        for text in sample_pdfs[lang].pages
    ]
    assert [n for numbers in per_page for n in numbers] == list(range(1, 10))
    assert all(numbers for numbers in per_page), "every page cites something"


def test_spanish_pdf_has_no_english_interface_words(sample_pdfs):
    text = sample_pdfs["es"].text
    for word in ENGLISH_INTERFACE_WORDS:
        assert word not in text, word


def test_spanish_notes_use_spanish_conventions(sample_pdfs):
    text = sample_pdfs["es"].text
    assert "Hughes y Stevens, «What Can We Learn»." in text
    assert "Rosmarin, Ari y Niamh Eastwood." in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_note_call_links_to_its_note_on_the_same_page(sample_pdfs, lang):
    places = note_pages(sample_pdfs[lang].reader, lang)
    assert list(places) == [f"{lang}-note-{n}" for n in range(1, 10)]
    for target, (call, note) in places.items():
        assert call == note, f"{target}: called on {call}, printed on {note}"


PINNED_NOTES = {
    "en": [
        "1. Rosmarin and Eastwood, A Quiet Revolution.",
        "3. National Research Council, Informing America’s Policy on Illegal Drugs, 193.",
        "5. Hughes and Stevens, “What Can We Learn.”",
        "7. United Nations Office on Drugs and Crime, World Drug Report 2009.",
    ],
    "es": [
        "1. Rosmarin y Eastwood, A Quiet Revolution.",
        "3. National Research Council, Informing America’s Policy on Illegal Drugs, 193.",
        "5. Hughes y Stevens, «What Can We Learn».",
        "7. United Nations Office on Drugs and Crime, World Drug Report 2009.",
    ],
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_footnotes_print_exactly(sample_pdfs, lang):
    text = sample_pdfs[lang].text
    for note in PINNED_NOTES[lang]:
        assert note in text, note
