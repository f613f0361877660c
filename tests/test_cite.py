import re

import pytest

from factsheet.document.cite import Marked, cite_notes, marked_to_html
from factsheet.document.inline import inline_content
from factsheet.errors import FactsheetError, Pos
from factsheet.model import CiteItem, Note, Source
from factsheet.sources.load import load_sheet

from .conftest import SAMPLE

HERE = Pos("sheet.yaml", 6, 17)


@pytest.fixture(scope="module")
def sample():
    return load_sheet(SAMPLE)


def without_lang(text: str) -> str:
    """Formatted text without the marks of a title's language (tested on their own)."""
    return re.sub(r'<span lang="[a-z]+">(.*?)</span>', r"\1", text)


def sample_notes(sample, lang: str, style: str | None = None) -> dict[int, str]:
    doc = inline_content(sample.contents[lang])
    notes = cite_notes(
        doc.notes, sample.sources, style or sample.config.citation_style, lang, HERE
    ).notes
    return {number: without_lang(text) for number, text in notes.items()}


PINNED = {
    "en": {
        1: "Rosmarin and Eastwood, <i>A Quiet Revolution</i>.",
        3: "National Research Council, <i>Informing America’s Policy on Illegal Drugs</i>, 193.",
        5: "Hughes and Stevens, “What Can We Learn.”",
        7: "United Nations Office on Drugs and Crime, <i>World Drug Report 2009</i>.",
    },
    "es": {
        1: "Rosmarin y Eastwood, <i>A Quiet Revolution</i>.",
        3: "National Research Council, <i>Informing America’s Policy on Illegal Drugs</i>, 193.",
        5: "Hughes y Stevens, «What Can We Learn».",
        7: "United Nations Office on Drugs and Crime, <i>World Drug Report 2009</i>.",
    },
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_sample_notes_print_exactly(sample, lang):
    notes = sample_notes(sample, lang)
    for number, text in PINNED[lang].items():
        assert notes[number] == text


def test_full_notes_spell_out_names_and_have_no_stray_edition(sample):
    notes = sample_notes(sample, "en", "chicago-notes-bibliography")
    assert notes[5].startswith("Caitlin Elizabeth Hughes and Alex Stevens, “What Can We Learn from")
    assert "edition" not in " ".join(notes.values())
    later = sample_notes(sample, "es", "chicago-notes-bibliography")[6]
    assert later == "Hughes y Stevens, «What Can We Learn»."


def test_bibliography_is_sorted_and_linked(sample):
    doc = inline_content(sample.contents["en"])
    entries = cite_notes(
        doc.notes, sample.sources, sample.config.citation_style, "en", HERE
    ).bibliography
    names = [without_lang(e)[:10] for e in entries]
    assert names == sorted(names)
    hughes = next(e for e in entries if e.startswith("Hughes"))
    assert hughes == (
        "Hughes, Caitlin Elizabeth, and Alex Stevens. “What Can We Learn from the Portuguese "
        "Decriminalization of Illicit Drugs?” <i>British Journal of Criminology</i> 50, no. 6 "
        '(2010): 999–1022. <a title="What Can We Learn from the Portuguese Decriminalization '
        'of Illicit Drugs?" href="https://doi.org/10.1093/bjc/azq038">'
        "https://doi.org/10.1093/bjc/azq038</a>."
    )


def test_apa_cites_in_the_text(sample):
    doc = inline_content(sample.contents["en"])
    cites = cite_notes(doc.notes, sample.sources, "apa", "en", HERE)
    assert cites.notes[1] == "(Rosmarin &amp; Eastwood, 2012)"
    assert 1 in cites.in_text and 2 not in cites.in_text  # note 2 is an author's note


def note(key: str) -> Note:
    return Note(1, Pos("en.yaml", 4, 9), (CiteItem(key, Pos("en.yaml", 4, 9)),))


def source(**csl) -> Source:
    return Source(csl["id"], Pos("sources.yaml", 1, 3), {"type": "book", **csl})


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("smith2018", "(did you mean 'smith2019'?)"),  # one slip: a typo
        ("smtih2019", "(did you mean 'smith2019'?)"),  # two letters swapped
        ("cdc2024", ": add its source to sources.yaml, with id: cdc2024"),  # another source
        ("smith2024", ": add its source to sources.yaml, with id: smith2024"),
    ],
)
def test_unknown_key_suggests_a_key_only_for_a_likely_typo(typed, expected):
    sources = [source(id="smith2019", title="T"), source(id="cdc2019", title="C")]
    with pytest.raises(FactsheetError) as caught:
        cite_notes([note(typed)], sources, "apa", "en", HERE)
    assert str(caught.value) == f"en.yaml:4:9: unknown citation key '{typed}' {expected}".replace(
        " :", ":"
    )


def test_unknown_style_names_the_key():
    with pytest.raises(FactsheetError) as caught:
        cite_notes([], [], "no-such-style", "en", HERE)
    assert str(caught.value) == "sheet.yaml:6:17: unknown citation style 'no-such-style'"


def test_source_text_is_escaped_once():
    cites = cite_notes(
        [note("x")], [source(id="x", title="<b>Bold</b> & Co", language="en")], "apa", "en", HERE
    )
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in cites.bibliography[0]
    assert "<b>" not in cites.bibliography[0]


def test_marks_become_tags():
    assert marked_to_html(Marked.Italic("a < b")) == "<i>a &lt; b</i>"


WEB_PAGE = {
    "id": "web",
    "type": "webpage",
    "title": "Drug Decriminalization in Portugal",
    "container-title": "Example Policy Site",
    "URL": "https://example.org/portugal",
    "accessed": "2020-03-05",
    "author": [{"family": "Pérez", "given": "Ana María"}, {"family": "Lee", "given": "Sam"}],
    "language": "en",
}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Ana María Pérez and Sam Lee, “Drug Decriminalization in Portugal,” Example Policy "
               "Site, accessed March 5, 2020, "),
        ("es", "Ana María Pérez y Sam Lee, «Drug Decriminalization in Portugal», Example Policy "
               "Site, accedido 5 de marzo de 2020, "),
    ],
)  # fmt: skip
def test_each_language_formats_in_its_own_csl_locale(lang, expected):
    style = "chicago-notes-bibliography-access-dates"
    cites = cite_notes([note("web")], [source(**WEB_PAGE)], style, lang, HERE)
    link = '<a href="https://example.org/portugal">https://example.org/portugal</a>.'
    assert without_lang(cites.notes[1]) == expected + link


FOUR_AUTHORS = {
    "id": "four",
    "type": "article-journal",
    "title": "Salud pública y políticas de drogas",
    "container-title": "Revista de Salud",
    "author": [{"family": f, "given": g} for f, g in
               (("Smith", "Ann"), ("Jones", "Bo"), ("Lee", "Cy"), ("Diaz", "Dee"))],
    "issued": "2019-11-02",
    "language": "es",
}  # fmt: skip
TWO_AUTHORS_WEB = {
    "id": "two",
    "type": "webpage",
    "title": "Heat and your health",
    "author": [{"family": "Smith", "given": "Ann"}, {"family": "Jones", "given": "Bo"}],
    "issued": "2019-11-02",
    "language": "en",
}


@pytest.mark.parametrize(
    ("style", "lang", "expected"),
    [
        # Chicago's serial comma and "and" are English; Spanish writes "… Lee y Diaz".
        ("chicago-shortened-notes-bibliography", "es",
         ["Smith, Ann y Bo Jones. «Heat and Your Health». 2 de noviembre de 2019.",
          "Smith, Ann, Bo Jones, Cy Lee y Dee Diaz. «Salud pública y políticas de drogas». "
          "<i>Revista de Salud</i>, 2 de noviembre de 2019."]),
        ("chicago-shortened-notes-bibliography", "en",
         ["Smith, Ann, and Bo Jones. “Heat and Your Health.” November 2, 2019.",
          "Smith, Ann, Bo Jones, Cy Lee, and Dee Diaz. “Salud pública y políticas de drogas.” "
          "<i>Revista de Salud</i>, November 2, 2019."]),
        # APA's "&" and its month-day order are English too.
        ("apa", "es",
         ["Smith, A. y Jones, B. (2019, 2 de noviembre). <i>Heat and your health</i>.",
          "Smith, A., Jones, B., Lee, C. y Diaz, D. (2019). Salud pública y políticas de "
          "drogas. <i>Revista de Salud</i>."]),
        ("apa", "en",
         ["Smith, A., &amp; Jones, B. (2019, November 2). <i>Heat and your health</i>.",
          "Smith, A., Jones, B., Lee, C., &amp; Diaz, D. (2019). Salud pública y políticas de "
          "drogas. <i>Revista de Salud</i>."]),
    ],
)  # fmt: skip
def test_source_lists_join_names_and_dates_as_each_language_does(style, lang, expected):
    sources = [source(**FOUR_AUTHORS), source(**TWO_AUTHORS_WEB)]
    notes = [note("four"), Note(2, HERE, (CiteItem("two", HERE),))]
    entries = cite_notes(notes, sources, style, lang, HERE).bibliography
    assert [without_lang(entry) for entry in entries] == expected


def test_titles_are_title_cased_only_when_english():
    """citeproc-py takes a source without `language` to be in the style's language."""
    style = "chicago-shortened-notes-bibliography"

    def first_note(lang: str, **csl: str) -> str:
        sources = [source(id="x", title="Informe anual de salud", **csl)]
        return cite_notes([note("x")], sources, style, lang, HERE).notes[1]

    assert "<i>Informe anual de salud</i>" in first_note("es")
    assert "<i>Informe Anual De Salud</i>" in first_note("en")  # taken for English
    assert "<i>Informe anual de salud</i>" in first_note("en", language="es")


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        # A note style keeps the writer's order…
        (
            "chicago-shortened-notes-bibliography",
            "Zeta Institute, <i>Z</i>; Alpha Group, <i>A</i>.",
        ),
        # … a style that sorts its citations (APA: by author) sorts them.
        ("apa", "(Alpha Group, n.d.; Zeta Institute, n.d.)"),
    ],
)
def test_several_sources_in_one_citation_keep_the_order_written(style, expected):
    sources = [
        source(id="alpha", title="A", author=[{"literal": "Alpha Group"}]),
        source(id="zeta", title="Z", author=[{"literal": "Zeta Institute"}]),
    ]
    first = note("alpha")
    both = Note(2, HERE, (CiteItem("zeta", HERE), CiteItem("alpha", HERE)))
    assert cite_notes([first, both], sources, style, "en", HERE).notes[2] == expected


def test_a_title_in_another_language_says_so():
    """A screen reader then reads it in its own language (the web page's `lang`)."""
    sources = [source(id="x", title="What's Next", language="en-US", author=[{"literal": "O"}])]
    es = cite_notes([note("x")], sources, "chicago-shortened-notes-bibliography", "es", HERE)
    assert es.notes[1] == 'O, <i><span lang="en">What’s Next</span></i>.'
    assert es.bibliography == ['O. <i><span lang="en">What’s Next</span></i>. s.\xa0f.']
    en = cite_notes([note("x")], sources, "chicago-shortened-notes-bibliography", "en", HERE)
    assert en.notes[1] == "O, <i>What’s Next</i>."


def test_formatted_notes_are_reused_until_a_note_or_source_changes():
    """A warm process formats a language's notes once; what decides them (the
    citations, the sources, the style and locale) is the key, where they are
    written is not."""
    source = Source("lee2021", Pos("s.yaml", 1, 1), {"id": "lee2021", "type": "report",
                    "title": "Heat and health", "author": [{"literal": "Lee Institute"}],
                    "issued": "2021"})  # fmt: skip
    note = Note(1, Pos("en.yaml", 5, 3), items=(CiteItem("lee2021", Pos("en.yaml", 5, 3)),))
    first = cite_notes([note], [source], "chicago-notes-bibliography", "en", Pos("x"))
    moved = Note(1, Pos("en.yaml", 9, 7), items=(CiteItem("lee2021", Pos("en.yaml", 9, 7)),))
    assert cite_notes([moved], [source], "chicago-notes-bibliography", "en", Pos("x")) is first
    retitled = Source(source.id, source.pos, {**source.csl, "title": "Heat, health and work"})
    again = cite_notes([note], [retitled], "chicago-notes-bibliography", "en", Pos("x"))
    assert "Heat and Health" in first.notes[1]
    assert "Heat, Health and Work" in again.notes[1]
    paged = Note(1, note.pos, items=(CiteItem("lee2021", note.pos, locator="4"),))
    assert (
        "4" in cite_notes([paged], [source], "chicago-notes-bibliography", "en", Pos("x")).notes[1]
    )


def test_formatted_notes_are_kept_for_the_next_process(tmp_path, monkeypatch):
    """Another process (cleared memory) reads them from the cache folder; a
    changed source is a new entry, formatted anew."""
    from factsheet.document.cite import format_notes

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    source = Source("kim2020", Pos("s.yaml", 1, 1), {"id": "kim2020", "type": "book",
                    "title": "Cool roofs", "author": [{"literal": "Kim Lab"}], "issued": "2020"})  # fmt: skip
    note = Note(1, Pos("en.yaml", 1, 1), items=(CiteItem("kim2020", Pos("en.yaml", 1, 1)),))
    first = cite_notes([note], [source], "chicago-notes-bibliography", "en", Pos("x"))
    [entry] = (tmp_path / "factsheet" / "citations").glob("*.stamp")
    format_notes.cache_clear()
    again = cite_notes([note], [source], "chicago-notes-bibliography", "en", Pos("x"))
    assert again is not first and again == first
    renamed = Source(source.id, source.pos, {**source.csl, "title": "Green roofs"})
    format_notes.cache_clear()
    changed = cite_notes([note], [renamed], "chicago-notes-bibliography", "en", Pos("x"))
    assert "Green Roofs" in changed.notes[1]
    assert len(list(entry.parent.glob("*.stamp"))) == 2


@pytest.mark.parametrize(
    ("raw", "lang", "expected"),
    [
        ('@lee2021, "Heat\n  Illness"', "en", "Lee Institute, <i>Heat and Health</i> (2021), “Heat Illness.”"),
        ('@lee2021, "Heat\n  Illness"', "es", "Lee Institute, <i>Heat and health</i> (2021), «Heat Illness»."),
        ("@lee2021, see the\n  summary", "en", "Lee Institute, <i>Heat and Health</i> (2021), see the summary."),
    ],
)  # fmt: skip
def test_a_suffix_reads_as_written_text(raw, lang, expected):
    """One space between words whatever the wrapping, curled quotes, no space
    before the suffix's comma."""
    from factsheet.document.inline import parse_cite_item

    prefix, key, label, locator, suffix = parse_cite_item(raw)
    item = CiteItem(key, Pos("x"), prefix, suffix, locator, label)
    source = Source("lee2021", Pos("s.yaml", 1, 1), {"id": "lee2021", "type": "report",
                    "title": "Heat and health", "author": [{"literal": "Lee Institute"}],
                    "issued": "2021"})  # fmt: skip
    note = Note(1, Pos("x"), items=(item,))
    assert (
        cite_notes([note], [source], "chicago-notes-bibliography", lang, Pos("x")).notes[1]
        == expected
    )


def test_a_url_in_a_note_is_linked_as_written_and_the_words_around_it_typeset():
    """An apostrophe in a source's URL is part of the address, not one to curl."""
    text = marked_to_html("O'Neil, “Why?”. https://example.org/o'neil?a=1&b=2. It's.", True)
    assert '<a href="https://example.org/o\'neil?a=1&amp;b=2">' in text
    assert text.startswith("O’Neil, “Why?”") and text.endswith("</a>. It’s.")
