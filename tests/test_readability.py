"""The formulas against figures worked by hand, and the syllable counts they take."""

import pytest

from factsheet.checks.readability import (
    Counts,
    counts_of,
    english_syllables,
    fernandez_huerta,
    flesch_kincaid_grade,
    scale_of,
    smog_grade,
    spanish_syllables,
    szigriszt_pazos,
    words_of,
)
from factsheet.checks.reading import sentences_of
from factsheet.errors import Pos
from factsheet.model import Text

# 2 sentences, 20 words, 30 syllables, 3 words of three syllables or more.
COUNTS = Counts(2, 20, 30, 3)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (flesch_kincaid_grade, 0.39 * 10 + 11.8 * 1.5 - 15.59),  # 6.01
        (smog_grade, 1.0430 * 45**0.5 + 3.1291),  # 10.13
        (fernandez_huerta, 206.84 - 0.60 * 150 - 1.02 * 10),  # 106.64
        (szigriszt_pazos, 206.835 - 62.3 * 1.5 - 10),  # 103.385
    ],
)
def test_formulas(formula, expected):
    assert formula(COUNTS) == pytest.approx(expected)


def measure(text: str, lang: str) -> Counts:
    scale = scale_of(lang)
    return sum((s.counts for s in sentences_of(Text(text, Pos("x.yaml")), scale)), Counts())


def test_english_by_hand():
    # Naloxone 3 (not in the dictionary: na-lox-one), reverses 3, an 1, overdose 3;
    # Call 1 for 1 help 1: 2 sentences, 7 words, 13 syllables, 3 polysyllables.
    counts = measure("Naloxone reverses an overdose. Call for help.", "en")
    assert counts == Counts(2, 7, 13, 3)
    assert flesch_kincaid_grade(counts) == pytest.approx(7.69, abs=0.01)
    assert smog_grade(counts) == pytest.approx(10.13, abs=0.01)


def test_spanish_by_hand():
    # el ni-ño co-me pan / la ca-sa es gran-de: 2 sentences, 8 words, 12 syllables.
    counts = measure("El niño come pan. La casa es grande.", "es")
    assert counts == Counts(2, 8, 12, 0)
    assert szigriszt_pazos(counts) == pytest.approx(109.385)
    assert fernandez_huerta(counts) == pytest.approx(91.34)


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("agua", 2), ("día", 2), ("país", 2), ("teatro", 3), ("heroína", 4), ("ciudad", 2),
     ("huevo", 2), ("ley", 1), ("muy", 1), ("y", 1), ("ayuda", 3), ("pingüino", 3),
     ("despenalización", 6), ("2022", 1)],
)  # fmt: skip
def test_spanish_syllables(word, syllables):
    assert spanish_syllables(word) == syllables


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("every", 3), ("people", 2), ("decriminalization", 7), ("the", 1), ("Possession", 3),
     ("naloxone", 3), ("drug-related", 4), ("Portugal’s", 3), ("1,234", 1)],
)  # fmt: skip
def test_english_syllables(word, syllables):
    assert english_syllables(word) == syllables


def test_words_keep_numbers_abbreviations_and_compounds_whole():
    found = words_of("In 2022, 100 000 people in the U.S. died: 4.0% more, drug-related.")
    assert found == ["In", "2022", "100 000", "people", "in", "the", "U.S.", "died",
                     "4.0%", "more", "drug-related"]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "text", "sentences"),
    [
        ("en", "Dozens of U.S. cities moved. See p. 193 of the report. Dr. Smith agrees.", 3),
        ("es", "Murieron en EE. UU. en 2022. Véase la p. 193 del informe.", 2),
    ],
)
def test_sentences_know_abbreviations(lang, text, sentences):
    assert measure(text, lang).sentences == sentences


def test_polysyllables_count_words_of_three_or_more():
    assert counts_of(["every", "cat", "overdose"], english_syllables) == Counts(1, 3, 7, 2)


def test_only_english_and_spanish_have_formulas():
    assert scale_of("en").name == "grade"
    assert scale_of("es-MX").name == "INFLESZ"
    assert scale_of("fr") is None
