from factsheet.cite import cite_notes
from factsheet.i18n import load_localizer
from factsheet.inline import inline_content
from factsheet.load import load_sheet
from factsheet.render import render_html


def render(folder, lang: str) -> str:
    sheet = load_sheet(folder)
    doc = inline_content(sheet.contents[lang])
    cites = cite_notes(doc.notes, sheet.sources, sheet.config.citation_style, lang, None)
    localizer, _ = load_localizer(lang)
    return render_html(sheet.config, doc, cites, localizer)


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
