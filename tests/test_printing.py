"""The edition stage's messages: where a note that no layout keeps with its call is
called, and where the text that runs past the page budget starts."""

from types import SimpleNamespace

from factsheet.errors import Pos
from factsheet.layout.pdf import NotePlace
from factsheet.model import Content, Document, Note, Section, Task, Text
from factsheet.outputs.printing import locate_sentence, note_problems


def content() -> Content:
    body = (
        "First paragraph ends here.\n\n"
        "Portugal passed a law in 2000. Using or possessing\n"
        "a small amount became an offense.[@law]\n"
    )
    section = Section("s", Pos("es.yaml", 5, 5), Text("Heading", Pos("es.yaml", 6, 14)),
                      Text(body, Pos("es.yaml", 7, 11), block_indent=6))  # fmt: skip
    return Content("es", "es.yaml", Text("Title", Pos("es.yaml", 1, 8)), None,
                   Text("Lede.", Pos("es.yaml", 3, 10)), [section], None)  # fmt: skip


def test_a_laid_out_line_is_found_as_the_start_of_its_sentence():
    pos, words = locate_sentence(content(), "a small amount became an offense.1")
    assert pos == Pos("es.yaml", 10, 38)  # "Using", the sentence's first word
    assert words == "“Using or possessing a small amount …”"


def test_a_line_the_file_does_not_have_is_not_placed():
    assert locate_sentence(content(), "Página 2 de 2") is None


def test_a_note_no_layout_keeps_is_reported_at_its_call():
    note = Note(2, Pos("es.yaml", 11, 40), html="x")
    doc = Document("es", "T", "", "", [], "", [Note(1, Pos("es.yaml", 9, 1), html="y"), note])
    task = Task(SimpleNamespace(slug="s"), (doc,))
    place = NotePlace(0, "es-note-2", call_page=1, note_page=2)
    layout = SimpleNamespace(misplaced=[place])
    [problem] = note_problems(task, layout, SimpleNamespace(layouts=5))
    assert problem.pos == Pos("es.yaml", 11, 40)
    assert problem.message.startswith(
        "note 2 prints on page 2 but is called on page 1 after 5 layouts: "
    )
    assert "moving the citation" in problem.message
