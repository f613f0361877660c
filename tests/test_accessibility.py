"""Accessible in fact: every PDF of the sample passes an independent PDF/UA-1
validator, and its structure tree reads in the order a person would read it."""

from __future__ import annotations

import subprocess

import page  # page-validation: a PDF/UA-1 and PDF/A validator, from PyPI
import pikepdf
import pytest

OUTPUTS = ["en.pdf", "es.pdf", "en.print.pdf", "es.print.pdf", "en-es.pdf"]


@pytest.mark.parametrize("name", OUTPUTS)
def test_every_pdf_passes_a_pdf_ua_1_validator(sample_build, name):
    report = page.validate_pdf(sample_build / f"decriminalization.{name}", profile="ua1")
    assert [f"{f.rule_id}: {f.message}" for f in report.failures] == []
    assert report.is_compliant


def kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def elements(element) -> list:
    """Struct elements below `element`, in reading order."""
    found = []
    for kid in kids(element):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") is not None:
            found.append(kid)
            found += elements(kid)
    return found


def structure_text(path) -> list[str]:
    """The structure tree as poppler reads it out: element names and their text."""
    run = subprocess.run(["pdfinfo", "-struct-text", path], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


@pytest.fixture(scope="module")
def english(sample_build):
    with pikepdf.open(sample_build / "decriminalization.en.pdf") as pdf:
        yield pdf


def test_each_note_is_a_note_right_after_the_paragraph_that_calls_it(english):
    document = kids(english.Root.StructTreeRoot)[0]
    notes = [e for e in elements(document) if e.S == "/Note"]
    assert [str(n.ID) for n in notes] == [f"en-note-{n}" for n in range(1, 10)]
    for note in notes:
        assert kids(note)[0].S == "/Lbl"
        siblings = [k for k in kids(note.P) if isinstance(k, pikepdf.Dictionary)]
        index = next(i for i, k in enumerate(siblings) if k.objgen == note.objgen)
        before = next(k for k in reversed(siblings[:index]) if k.S != "/Note")
        calls = [e for e in elements(before) if e.S == "/Link"]
        annotations = [k.Obj for link in calls for k in kids(link)
                       if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]  # fmt: skip
        assert str(note.ID) in [str(a.get("/Dest")) for a in annotations], str(note.ID)


def test_a_section_or_paragraph_split_by_a_page_is_one_element(english):
    document = kids(english.Root.StructTreeRoot)[0]
    sections = [e for e in kids(document) if e.get("/S") == "/Sect"]
    headings = [[k for k in kids(s) if k.get("/S") == "/H2"] for s in sections]
    assert all(len(h) == 1 for h in headings), "a section without its heading: split in two"
    assert not [e for e in elements(document) if e.S == "/NonStruct"
                and e.P.S == "/Document" and all(k.get("/S") == "/Span" for k in kids(e))]  # fmt: skip
    lists = [e for e in elements(document) if e.S == "/L"]
    assert not [e for e in lists if any(k.get("/S") == "/L" for k in kids(e))]
    benefits = lists[0]
    assert len([k for k in kids(benefits) if k.get("/S") == "/LI"]) == 9


def test_a_note_link_is_one_annotation_that_says_what_it_is(english):
    for pdf_page in english.pages:
        notes = [a for a in pdf_page.obj.get("/Annots", [])
                 if str(a.get("/Dest", "")).startswith("en-note-")]  # fmt: skip
        targets = [str(a.Dest) for a in notes]
        assert len(targets) == len(set(targets)), "a note call with two links"
        assert all(str(a.Contents) == f"Note {str(a.Dest).rsplit('-', 1)[1]}" for a in notes)


def test_the_halves_of_the_bilingual_pdf_say_their_language(sample_build):
    with pikepdf.open(sample_build / "decriminalization.en-es.pdf") as pdf:
        assert str(pdf.Root.Lang) == "en"
        document = kids(pdf.Root.StructTreeRoot)[0]
        top = [e for e in kids(document) if isinstance(e, pikepdf.Dictionary)]
        langs = [str(e.get("/Lang", "")) for e in top]
        half = langs.index("es")
        assert set(langs[:half]) == {""} and set(langs[half:]) == {"es"}
        notes = [str(e.ID) for e in elements(document) if e.S == "/Note"]
        assert notes == [f"{lang}-note-{n}" for lang in ("en", "es") for n in range(1, 10)]


def test_the_dates_are_read_once_at_the_end_and_page_numbers_are_artifacts(sample_build):
    lines = structure_text(sample_build / "decriminalization.en.pdf")
    top = [i for i, line in enumerate(lines) if line.startswith("  ") and line[2] != " "]
    assert lines[top[-1]].strip() == "P (block)"
    assert "Published February 9, 2016 · Updated November 24, 2026" in lines[top[-1] + 1]
    assert sum("Published" in line for line in lines) == 1
    assert not [line for line in lines if "Page 1 of 2" in line or "Page 2 of 2" in line]


def test_a_paragraph_split_by_the_page_break_reads_whole(sample_build):
    """The Spanish Portugal paragraph breaks across pages 1 and 2, around the notes."""
    lines = [line.strip() for line in structure_text(sample_build / "decriminalization.es.pdf")]
    words = [line for line in lines if line.startswith('"')]  # the text, without the tags
    start = next(i for i, line in enumerate(words) if "hasta el equivalente" in line)
    assert "diez días de consumo" in words[start + 1]
    # … and nothing but the paragraph's own text between: no notes, no other element.
    first, second = (lines.index(words[start]), lines.index(words[start + 1]))
    assert set(lines[first + 1 : second]) <= {"Span (inline)"}


def test_a_wrapped_link_is_one_link_described_by_its_source(english):
    links = [a for page in english.pages for a in page.obj.get("/Annots", [])
             if a.get("/A") is not None]  # fmt: skip
    addresses = [str(a.A.URI) for a in links]
    assert addresses == ["https://doi.org/10.1093/bjc/azq038", "https://doi.org/10.17226/10021"]
    wrapped = links[0]
    assert len(wrapped.QuadPoints) == 16, "one annotation over the link's two lines"
    assert str(wrapped.Contents) == (
        "What Can We Learn from the Portuguese Decriminalization of Illicit Drugs?"
    )


def test_titles_in_another_language_say_theirs(sample_build):
    """sources.yaml gives each source's language; the Spanish sheet cites English and
    Portuguese titles (the web page's `lang`, given back to the PDF's tags)."""
    with pikepdf.open(sample_build / "decriminalization.es.pdf") as pdf:
        document = kids(pdf.Root.StructTreeRoot)[0]
        notes = {str(e.ID): e for e in elements(document) if e.S == "/Note"}
        langs = {note_id: {str(e.Lang) for e in elements(note) if e.get("/Lang") is not None}
                 for note_id, note in notes.items()}  # fmt: skip
        assert langs["es-note-1"] == {"en"}  # Rosmarin and Eastwood, A Quiet Revolution
        assert langs["es-note-2"] == set()  # the author's own note, in Spanish
        assert langs["es-note-4"] == {"pt"}  # Lei n.º 30/2000
        sources = [e for e in elements(document) if e.S == "/L"][-1]
        assert {str(e.Lang) for e in elements(sources) if e.get("/Lang") is not None} == {
            "en",
            "pt",
        }


def test_words_set_in_capitals_are_read_as_written(english):
    document = kids(english.Root.StructTreeRoot)[0]
    written = {str(e.ActualText) for e in elements(document) if e.get("/ActualText") is not None}
    assert written == {"Fact sheet", "Sources"}


def test_a_draft_passes_too_and_its_mark_is_not_read_out(minimal, tmp_path, run_cli):
    assert run_cli(minimal, "--out", tmp_path, "--lang", "en", "--draft").code == 0
    path = tmp_path / "minimal.en.pdf"
    assert page.validate_pdf(path, profile="ua1").is_compliant
    assert not [line for line in structure_text(path) if "DRAFT" in line]


def test_a_box_reads_as_a_heading_and_its_text(minimal, tmp_path, run_cli):
    for lang, title, text in (("en", "What to do", "Call the hotline."),
                              ("es", "Qué hacer", "Llame a la línea.")):  # fmt: skip
        path = minimal / f"{lang}.yaml"
        body = path.read_text().replace("  - id: second", f"  - id: box\n    heading: {title}\n"
                                        f"    body: |\n      ::: box {title}\n      {text}\n"
                                        "      :::\n  - id: second")  # fmt: skip
        path.write_text(body)
    assert run_cli("reviewed", minimal, "es", "--all").code == 0
    assert run_cli(minimal, "--out", tmp_path, "--strict").code == 0
    pdf = tmp_path / "minimal.es.pdf"
    assert page.validate_pdf(pdf, profile="ua1").is_compliant
    lines = structure_text(pdf)
    heading = lines.index(next(line for line in lines if line.strip().startswith("H3")))
    assert "Qué hacer" in " ".join(lines[heading : heading + 3])
    assert any("Llame a la línea." in line for line in lines[heading:])


def test_a_table_is_a_table_with_header_cells(minimal, tmp_path, run_cli):
    for lang, head, count in (("en", "| Year | Deaths |", "70,630"),
                              ("es", "| Año | Muertes |", "70.630")):  # fmt: skip
        path = minimal / f"{lang}.yaml"
        path.write_text(path.read_text().replace(
            "      - No\n", f"      - No\n\n      {head}\n      | --- | --- |\n"
            f"      | 2019 | {count} |\n\n", 1))  # fmt: skip
    assert run_cli("reviewed", minimal, "es", "--all").code == 0
    assert run_cli(minimal, "--out", tmp_path, "--lang", "en").code == 0
    path = tmp_path / "minimal.en.pdf"
    assert page.validate_pdf(path, profile="ua1").is_compliant
    with pikepdf.open(path) as pdf:
        tags = [str(e.get("/S")) for e in elements(pdf.Root.StructTreeRoot)]
    table = tags.index("/Table")
    assert tags[table:].count("/TH") == 2 and "/TD" in tags[table:]


def test_key_figures_read_as_a_list_of_number_and_label(minimal, tmp_path, run_cli):
    for lang, label in (("en", "towns took part"), ("es", "pueblos participaron")):
        path = minimal / f"{lang}.yaml"
        path.write_text(path.read_text().replace(
            "  - id: second", f"  - id: figures\n    heading: Figures\n    body: |\n"
            f"      ::: figures\n      - **31** {label}\n      :::\n  - id: second"))  # fmt: skip
    assert run_cli("reviewed", minimal, "es", "--all").code == 0
    assert run_cli(minimal, "--out", tmp_path, "--lang", "es").code == 0
    path = tmp_path / "minimal.es.pdf"
    assert page.validate_pdf(path, profile="ua1").is_compliant
    text = " ".join(" ".join(line.split()) for line in structure_text(path))
    assert text.index('"31"') < text.index('"pueblos participaron"')  # the number, then its label
