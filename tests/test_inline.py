import pytest

from factsheet.document.inline import inline_content, note_marker, parse_cite_item
from factsheet.errors import FactsheetError, Pos
from factsheet.model import Content, Section, Text


def content(body: str, lang: str = "en") -> Content:
    section = Section("s", Pos("x.yaml", 5, 9), Text("Heading", Pos("x.yaml", 6, 14)),
                      Text(body, Pos("x.yaml", 7, 11), block_indent=6))  # fmt: skip
    return Content(lang, "x.yaml", Text("Title", Pos("x.yaml", 1, 8)), None,
                   Text("Lede.", Pos("x.yaml", 3, 10)), [section], None)  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("@key", ("", "key", "page", "", "")),
        ("@nrc2001, p. 193", ("", "nrc2001", "page", "193", "")),
        ("see @doe99, pp. 33-35 and passim", ("see", "doe99", "page", "33-35", "and passim")),
        ("@a, chap. 6", ("", "a", "chapter", "6", "")),
        ("@a, 12", ("", "a", "page", "12", "")),
        ("@a, for example", ("", "a", "page", "", ", for example")),
        ("no key here", None),
    ],
)
def test_citation_items_parse_like_pandoc(raw, expected):
    assert parse_cite_item(raw) == expected


def test_citations_and_notes_share_one_numbering():
    doc = inline_content(content("One.[@a] Two.^[An *aside*.] Three [@b; @c, p. 4].\n"))
    assert [n.number for n in doc.notes] == [1, 2, 3]
    assert [i.key for i in doc.notes[2].items] == ["b", "c"]
    assert doc.notes[1].html == "An <em>aside</em>."
    assert note_marker(1) in doc.sections[0].body
    assert note_marker(3) in doc.sections[0].body


def test_citation_positions_point_at_the_bracket():
    doc = inline_content(content("First line.\nSecond [@key] here.\n"))
    assert doc.notes[0].pos == Pos("x.yaml", 9, 14)


def test_raw_html_and_template_syntax_print_as_text():
    body = (
        inline_content(content("<script>alert(1)</script> {{ title }} {% if x %}\n"))
        .sections[0]
        .body
    )
    assert "<script>" not in body
    assert "&lt;script&gt;" in body
    assert "{{ title }} {% if x %}" in body


def test_links_must_be_web_or_mail():
    text = "[ok](https://example.org) [mail](mailto:a@example.org)\n"
    body = inline_content(content(text)).sections[0].body
    assert '<a href="https://example.org">ok</a>' in body
    with pytest.raises(FactsheetError) as caught:
        inline_content(content("Text [bad](javascript:alert(1)).\n"))
    [problem] = caught.value.problems
    assert (
        problem.message == "link 'javascript:alert(1)' must start with https://, http:// or mailto:"
    )
    assert problem.pos == Pos("x.yaml", 8, 18)


def test_spanish_quotes_are_angled():
    body = inline_content(content('Dijo "hola".\n', lang="es")).sections[0].body
    assert "«hola»" in body


def test_a_citation_inside_a_note_is_refused():
    with pytest.raises(FactsheetError) as caught:
        inline_content(content("Text.^[See [@a].]\n"))
    assert "a citation inside an author's note is not supported" in str(caught.value)


def test_links_are_not_citations():
    doc = inline_content(content("Write to [me@example.org](mailto:me@example.org).\n"))
    assert doc.notes == []


@pytest.mark.parametrize("citation", ["[@a, p. ]", "[@a, pp. many]", "[@a, chap. ?]"])
def test_a_locator_without_a_number_is_refused(citation):
    with pytest.raises(FactsheetError) as caught:
        inline_content(content(f"Text {citation}.\n"))
    [problem] = caught.value.problems
    assert problem.pos == Pos("x.yaml", 8, 12)
    assert "needs a number or range after" in problem.message
    assert "citation '@a': locator '" in problem.message


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("![](images/chart.png)", "image 'images/chart.png' has no alt text"),
        ("![A chart](/etc/chart.png)", "image '/etc/chart.png' must be a picture file in the sheet's images/ folder"),
        ("![A chart](images/../../secret.png)", "must be a picture file in the sheet's images/ folder"),
        ("![A chart](images/missing.png)", "image 'images/missing.png' does not exist"),
    ],
)  # fmt: skip
def test_bad_images_are_refused(markdown, message):
    with pytest.raises(FactsheetError) as caught:
        inline_content(content(f"{markdown}\n"))
    assert any(message in p.message for p in caught.value.problems), caught.value.problems


def test_a_quote_of_one_paragraph_has_no_attribution_line():
    body = inline_content(content("> A whole quotation — with a dash inside.\n")).sections[0].body
    assert "attribution" not in body


def test_only_a_last_paragraph_opening_with_an_em_dash_is_the_attribution():
    body = inline_content(content("> First.\n>\n> — Not last.\n>\n> — Source\n")).sections[0].body
    assert body.count('class="attribution"') == 1
    assert '<p class="attribution">— Source</p>' in body


def test_long_lists_without_notes_may_go_in_two_columns():
    items = "".join(f"- item {n}\n" for n in range(6))
    assert '<ul class="long">' in inline_content(content(items)).sections[0].body
    cited = items + "- item with a note.[@a]\n"
    assert "long" not in inline_content(content(cited)).sections[0].body
    assert "long" not in inline_content(content("- one\n- two\n")).sections[0].body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # The body starts at x.yaml line 8, column 7 (a block scalar indented 6).
        ("Countries [@hughes2010, p. 3 and more.\n\nNext [@a].",
         "x.yaml:8:17: citation '[@hughes2010, p. 3 and m…' is not closed: add ']' after its key"),
        ("A fact.^[An aside\nthat runs on.",
         "x.yaml:8:14: note '^[An aside that runs on.…' is not closed: add ']' at its end"),
        ("See [the site](https://example.org and more.",
         "x.yaml:8:11: link '[the site](https://examp…' is not closed: add ')' after its address"),
        ("Some **strong words.",
         "x.yaml:8:12: '**' opens bold text that is not closed: add '**'"),
    ],
)  # fmt: skip
def test_markup_left_open_is_named_where_it_opens(body, expected):
    with pytest.raises(FactsheetError) as caught:
        inline_content(content(body))
    assert str(caught.value) == expected


@pytest.mark.parametrize(
    "body",
    [
        "A note ^[with [a link](https://example.org) in it] and **bold** [@a; @b].",
        "A link to [a page](https://en.wikipedia.org/wiki/Harm_reduction_(disambiguation)).",
        "A citation on two lines [see @a,\np. 4].",
    ],
)
def test_markup_closed_as_it_should_be_passes(body):
    doc = inline_content(content(body))
    html = doc.sections[0].body
    # Nothing of the markup is left for a reader to see, and what it meant is there.
    for raw in ("[@", "^[", "](", "**", "[see"):
        assert raw not in html
    assert bool(doc.notes) == ("@" in body or "^[" in body)
    if "](" in body:  # in the text, or in the note that holds it
        assert '<a href="https://' in html + "".join(note.html for note in doc.notes)


def test_a_box_is_a_tinted_panel_with_its_title_a_heading():
    doc = inline_content(content("Before.\n\n::: box If you see an overdose^[Or think so.]\n"
                                 "Call **911**.\n\n- Give naloxone\n:::\n\nAfter."))  # fmt: skip
    body = doc.sections[0].body
    assert '<div class="box">\n<h3 class="box-title">If you see an overdose' in body
    assert f"overdose{note_marker(1)}</h3>" in body
    assert "<p>Call <strong>911</strong>.</p>" in body and "<li>Give naloxone</li>" in body
    assert body.index("</div>") < body.index("<p>After.</p>")


def test_an_unknown_block_is_named_at_its_line():
    with pytest.raises(FactsheetError) as caught:
        inline_content(content("Text.\n\n::: warning Careful\nMore.\n:::"))
    assert str(caught.value) == (
        "x.yaml:10:11: unknown block '::: warning': there are '::: box' (a call-out box), "
        "'::: figures' (key figures) and '::: chart' (a chart from data)"
    )


def test_a_note_in_a_container_title_is_numbered_where_it_is_read():
    doc = inline_content(content("::: figures In 2023 [@a]\n- **1** one [@b]\n:::\n\n"
                                 "::: chart deaths Deaths [@c]\nFinal counts [@d].\n:::"))  # fmt: skip
    assert [n.items[0].key for n in doc.notes] == ["a", "b", "c", "d"]
    body = doc.sections[0].body
    assert '<h3 class="figures-title">In 2023' in body
    assert body.index("<!--chart-drawing:deaths-->") < body.index("Final counts")
    assert body.index("Final counts") < body.index("<!--chart-data:deaths-->")


def test_a_table_lines_up_its_figure_columns_on_the_right():
    doc = inline_content(content("| Year | Deaths | Note |\n| --- | --- | --- |\n"
                                 "| 2019 | 70,630 | final |\n| 2020 | 91,799 | — |"))  # fmt: skip
    body = doc.sections[0].body
    assert '<th class="number">Year</th>' in body and '<th class="number">Deaths</th>' in body
    assert "<th>Note</th>" in body and "<td>final</td>" in body
    assert '<td class="number">70,630</td>' in body


def test_key_figures_are_a_band_of_numbers_with_labels():
    doc = inline_content(content("::: figures In 2023\n- **105,007** overdose deaths[@x]\n"
                                 "- **3 in 4** involved fentanyl\n:::"))  # fmt: skip
    body = doc.sections[0].body
    assert body.startswith('<div class="figures">\n<h3 class="figures-title">In 2023</h3>\n<ul>')
    assert f"<li><strong>105,007</strong> overdose deaths{note_marker(1)}</li>" in body


URL = "https://example.org/o'neil--report...v2"


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (f"A bare {URL} in the text.", f"A bare {URL} in the text."),
        (f"[{URL}]({URL}) as a link.", f'<a href="{URL}">{URL}</a> as a link.'),
        (f"'See {URL}.' It's it.", f"‘See {URL}.’ It’s it."),
        (f"(at {URL}) -- done...", f"(at {URL}) – done…"),
    ],
)
def test_a_web_address_is_never_typeset(body, kept):
    """Smart quotes, dashes and ellipses are for words: an apostrophe, `--` or
    `...` in a URL stays as written, and the words around it are still typeset."""
    html = inline_content(content(body)).sections[0].body
    assert kept in html
