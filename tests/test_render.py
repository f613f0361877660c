import pytest

from factsheet.document.cite import Citations
from factsheet.document.inline import note_marker
from factsheet.document.render import fill_notes
from factsheet.pipeline import sheet_html


def render(folder, lang: str) -> str:
    return sheet_html(folder, lang)[1]


def test_document_language_title_and_dates(minimal):
    html = render(minimal, "es")
    assert '<html lang="es">' in html
    assert "<title>Una pequeña hoja de prueba</title>" in html
    assert 'data-page-before="Página "' in html
    assert 'data-page-middle=" de "' in html
    assert "Publicado el 5 de marzo de 2020 · Actualizado el 12 de octubre de 2021" in html
    assert '<meta name="dcterms.created" content="2020-03-05">' in html


def test_notes_become_footnote_elements(minimal):
    html = render(minimal, "en")
    assert (
        '<span class="footnote" id="en-note-1">Smith, <i>Towns and Their Choices</i>, 12.</span>'
        in html
    )
    assert "\ue000" not in html


def test_content_cannot_inject_markup_or_template_code(minimal):
    path = minimal / "en.yaml"
    text = path.read_text().replace("A Small Test Sheet", '"<img src=x> {{ 7*7 }}"')
    path.write_text(text)
    html = render(minimal, "en")
    assert "&lt;img src=x&gt; {{ 7*7 }}" in html
    assert "<img" not in html
    assert "49" not in html


def footnotes(*numbers: int, in_text: tuple[int, ...] = ()) -> Citations:
    notes = {n: f"(Lee 202{n})" if n in in_text else f"Note {n}." for n in numbers}
    return Citations(notes, frozenset(in_text), [])


def call(n: int) -> str:
    return (
        f'<a class="note-call" href="#en-note-{n}">'
        f'<span class="footnote" id="en-note-{n}">Note {n}.</span></a>'
    )


M1, M2 = note_marker(1), note_marker(2)


@pytest.mark.parametrize(
    ("fragment", "in_text", "expected"),
    [
        # Pandoc's rule for note styles: the call follows the punctuation, no space before.
        (f"more than in 2019 {M1}.", (), f"more than in 2019.{call(1)}"),
        (f"first {M1}, then", (), f"first,{call(1)} then"),
        (f"why {M1}?!", (), f"why?!{call(1)}"),
        (f"the 2019 {M1} study", (), f"the 2019{call(1)} study"),
        (f"both {M1} {M2}.", (), f"both.{call(1)}{call(2)}"),
        # An author-date style keeps "(Lee 2021)." where it was written.
        (f"in 2019 {M1}.", (1,), 'in 2019 <span class="cite">(Lee 2021)</span>.'),
        # … but an author's note in it is still a footnote, after the full stop.
        (f"so {M1} {M2}.", (1,), f'so <span class="cite">(Lee 2021)</span>.{call(2)}'),
    ],
)
def test_note_calls_follow_punctuation_as_pandoc_places_them(fragment, in_text, expected):
    cites = footnotes(1, 2, in_text=in_text)
    assert fill_notes(fragment, cites, "en") == expected


def test_web_page_calls_follow_punctuation_too():
    html = fill_notes(f"in 2019 {M1}.", footnotes(1), "en", screen=True)
    assert html == 'in 2019.<sup class="note-call"><a href="#en-note-1" id="en-call-1">1</a></sup>'
