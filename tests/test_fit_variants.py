"""Layouts that hold when the words change: the sample sheet, edited as writers
edit (a sentence cut or repeated, a citation moved, the lede shortened, another
citation style), built in both paper sizes and read back. Each variant either
builds with every note on the page of its call, or fails only for its page
budget; a note is never the reason."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import page
import pikepdf
import pypdf
import pytest

from factsheet.build.run import build
from factsheet.options import Make, Options, Run
from factsheet.outputs.registry import kinds_asked

from .conftest import SAMPLE, note_pages
from .test_accessibility import elements

LANGS = ("en", "es")
PROSE = re.compile(r"^ {6}[^\s\-\d>].{39,}$")  # a body line of plain prose


def prose_lines(lines: list[str]) -> list[int]:
    """Lines of section text a writer could cut or repeat without touching a
    citation, a note, a number or a list (so the translations stay in step)."""
    return [
        i for i, line in enumerate(lines)
        if PROSE.match(line) and not re.search(r"[\d\[\]^*@]", line)
    ]  # fmt: skip


def cut_line(lines: list[str], pick: float) -> list[str]:
    found = prose_lines(lines)
    index = found[int(pick * (len(found) - 1))]
    return lines[:index] + lines[index + 1 :]


def repeat_line(lines: list[str], pick: float) -> list[str]:
    found = prose_lines(lines)
    index = found[int(pick * (len(found) - 1))]
    return [*lines[: index + 1], lines[index], *lines[index + 1 :]]


def move_citation(lines: list[str], pick: float) -> list[str]:
    """Take a citation off its sentence and put it at the end of the next line."""
    cited = [
        i for i, line in enumerate(lines)
        if re.search(r"\[@[^\]]+\]", line) and i + 1 < len(lines) and PROSE.match(lines[i + 1])
    ]  # fmt: skip
    index = cited[int(pick * (len(cited) - 1))]
    citation = re.search(r"\[@[^\]]+\]", lines[index])[0]
    lines = list(lines)
    lines[index] = lines[index].replace(citation, "", 1)
    lines[index + 1] = lines[index + 1].rstrip() + citation
    return lines


def shorten_summary(lines: list[str], pick: float) -> list[str]:
    """Drop the lede's last line (its last sentence, or most of it)."""
    start = lines.index("summary: |")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("  "))
    last = max(i for i in range(start, end) if lines[i].strip())
    return lines[:last] + lines[last + 1 :]


EDITS = {
    "cut": (cut_line, (0.0, 0.5, 1.0)),
    "repeat": (repeat_line, (0.2, 0.6, 0.9)),
    "move-citation": (move_citation, (0.0, 0.7)),
    "shorter-lede": (shorten_summary, (0.0,)),
}
VARIANTS = [("as-is", None, None, 0.0), ("apa", None, None, 0.0)] + [
    (name, lang, edit, pick)
    for lang in LANGS
    for name, (edit, picks) in EDITS.items()
    for pick in picks
]


def make_variant(folder: Path, name: str, lang: str | None, edit, pick: float) -> None:
    shutil.copytree(SAMPLE, folder)
    if name == "apa":
        sheet = folder / "sheet.yaml"
        text = sheet.read_text(encoding="utf-8")
        sheet.write_text(re.sub(r"citation-style: .*", "citation-style: apa", text), "utf-8")
    if edit is not None:
        path = folder / f"{lang}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(edit(lines, pick)) + "\n", encoding="utf-8")


def test_the_variants_are_thirty_different_layouts(tmp_path):
    """Thirty and more layouts (two papers each) of sheets that differ from the
    sample and from each other: an edit that changed nothing would test nothing."""
    sheets = {}
    for index, (name, lang, edit, pick) in enumerate(VARIANTS):
        folder = tmp_path / str(index)
        make_variant(folder, name, lang, edit, pick)
        files = tuple((folder / f).read_bytes() for f in ("sheet.yaml", "en.yaml", "es.yaml"))
        sheets.setdefault(files, []).append((name, lang, pick))
    assert all(name == "as-is" for name, _, _ in sheets[next(iter(sheets))])
    assert len(sheets) * 2 >= 30


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize(
    ("name", "lang", "edit", "pick"),
    VARIANTS,
    ids=[f"{v[0]}-{v[1] or 'both'}-{v[3]}" for v in VARIANTS],
)
def test_every_note_stays_with_its_call(tmp_path, paper, name, lang, edit, pick):
    folder = tmp_path / "decriminalization"
    make_variant(folder, name, lang, edit, pick)
    out = tmp_path / "out"
    report = build(Options(sheets=(folder,), out=out, make=Make(paper=paper), run=Run(jobs=1)))
    blocking = [p for p in report.problems if not p.warning]
    if blocking:
        assert all("over its budget" in p.message for p in blocking), blocking
        return
    for built in LANGS:
        reader = pypdf.PdfReader(out / f"decriminalization.{built}.pdf")
        places = note_pages(reader, built)
        assert places, "no note calls found"
        notes = [name for name in reader.named_destinations if name.startswith(f"{built}-note-")]
        assert sorted(places) == sorted(notes), "a note without its call, or a call without note"
        for note_id, (call, note) in places.items():
            assert call == note, f"{built} {note_id}: called on page {call}, printed on {note}"
        # Wherever the pages break, the mended tags hold: PDF/UA-1, every note a Note.
        path = out / f"decriminalization.{built}.pdf"
        report = page.validate_pdf(path, profile="ua1")
        assert [f.message for f in report.failures] == []
        with pikepdf.open(path) as pdf:
            tagged = [e for e in elements(pdf.Root.StructTreeRoot) if e.S == "/Note"]
            assert len(tagged) == len(notes)


def lengthen(text: str, ratio: float) -> str:
    """Repeat prose lines, spread over the sheet, until the text is `ratio` longer."""
    lines = text.splitlines()
    target = len(text) * (1 + ratio)
    pick = 0
    while len("\n".join(lines)) < target:
        found = prose_lines(lines)
        index = found[(pick * 7) % len(found)]
        lines.insert(index + 1, lines[index])
        pick += 1
    return "\n".join(lines) + "\n"


def serif_sizes(reader: pypdf.PdfReader) -> set[float]:
    """The sizes, in points, at which the serif face (body, lede, quotes) is set."""
    sizes = set()

    def visit(text, cm, tm, font, size):
        if text.strip() and font and "Serif" in str(font.get("/BaseFont")):
            scale = (tm[0] * cm[0] + tm[1] * cm[2]) if cm else tm[0]
            sizes.add(round(abs(size * scale), 2))

    for pdf_page in reader.pages:
        pdf_page.extract_text(visitor_text=visit)
    return sizes


@pytest.mark.parametrize("fit", ["on", "off"])
def test_spanish_eight_percent_longer_is_fitted_to_its_budget(tmp_path, fit):
    folder = tmp_path / "decriminalization"
    shutil.copytree(SAMPLE, folder)
    spanish = folder / "es.yaml"
    spanish.write_text(lengthen(spanish.read_text(encoding="utf-8"), 0.08), encoding="utf-8")
    with (folder / "sheet.yaml").open("a", encoding="utf-8") as sheet:
        sheet.write(f"fit: {fit}\n")
    out = tmp_path / "out"
    report = build(Options(sheets=(folder,), out=out, run=Run(jobs=1)))
    if fit == "off":
        [problem] = [p for p in report.problems if not p.warning]
        assert problem.message.startswith("es: the sheet runs to 3 pages, over its budget of 2")
        assert report.fitted == []
        return
    assert report.ok, report.problems
    [line] = report.fitted
    assert line.startswith("fitted decriminalization (en, es) to its page budget: ")
    for lang in LANGS:
        reader = pypdf.PdfReader(out / f"decriminalization.{lang}.pdf")
        assert len(reader.pages) == 2
        sizes = serif_sizes(reader)
        assert min(sizes) >= 9.5, sizes
    english = serif_sizes(pypdf.PdfReader(out / "decriminalization.en.pdf"))
    assert english == serif_sizes(pypdf.PdfReader(out / "decriminalization.es.pdf"))


def test_a4_print_shop_and_bilingual_editions_keep_notes_with_their_calls(tmp_path):
    """In A4 the Spanish sample needs a carried paragraph; the print-shop and the
    bilingual editions must carry it too."""
    out = tmp_path / "out"
    kinds = kinds_asked({"--print-shop", "--bilingual"})
    options = Options(sheets=(SAMPLE,), out=out, make=Make(paper="a4", kinds=kinds))
    report = build(options)
    assert report.ok, report.problems
    for name, langs in [("es.print", ["es"]), ("en.print", ["en"]), ("en-es", LANGS)]:
        reader = pypdf.PdfReader(out / f"decriminalization.{name}.pdf")
        for lang in langs:
            places = note_pages(reader, lang)
            assert len(places) == 9, (name, lang)
            for note_id, (call, note) in places.items():
                assert call == note, f"{name} {note_id}: called on page {call}, printed on {note}"
