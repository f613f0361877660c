"""Preflight: what a print shop's and an accessibility checker's tools would look at,
read from every PDF built from the sample (office and print-shop, both languages)."""

import math
import re
from collections import Counter

import pytest

from .conftest import read_pdf
from .test_build import TITLES

PDFS = [(lang, kind) for lang in ("en", "es") for kind in ("office", "print")]
HEADINGS = {
    "en": ["What decriminalization means", "What decriminalization delivers",
           "Drug use does not go up", "The Portuguese model", "What we recommend", "Sources"],
    "es": ["Qué significa descriminalizar", "Lo que logra la descriminalización",
           "El consumo de drogas no aumenta", "El modelo portugués", "Lo que recomendamos", "Fuentes"],
}  # fmt: skip


@pytest.fixture(scope="module", params=PDFS, ids=[f"{lang}-{kind}" for lang, kind in PDFS])
def built(request, sample_build):
    lang, kind = request.param
    suffix = ".print.pdf" if kind == "print" else ".pdf"
    return lang, kind, read_pdf(sample_build / f"decriminalization.{lang}{suffix}")


def font_sizes(reader) -> Counter:
    """Characters drawn at each effective font size, in points."""
    sizes: Counter = Counter()

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes[round(size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]), 2)] += len(text)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_fonts_are_embedded_subsets_of_ours(built):
    _, _, pdf = built
    for page in pdf.reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = font["/BaseFont"][1:]
            assert re.match(r"[A-Z]{6}\+Source-(Serif-4|Sans-3)", name), name
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor


def test_page_boxes(built):
    _, kind, pdf = built
    for page in pdf.reader.pages:
        trim = [float(v) for v in page.trimbox]
        assert trim == [0, 0, 612, 792]
        if kind == "office":
            assert [float(v) for v in page.mediabox] == trim
        else:
            assert [float(v) for v in page.bleedbox] == [-9, -9, 621, 801]  # 0.125in bleed
            assert [float(v) for v in page.mediabox] == [-18, -18, 630, 810]  # room for marks


def test_tagged_with_language_title_and_bookmarks(built):
    lang, _, pdf = built
    root = pdf.reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == lang
    assert pdf.reader.metadata.title == TITLES[lang]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    top, sections = pdf.reader.outline  # the title, then the headings under it
    assert top.title == TITLES[lang]
    assert [item.title for item in sections] == HEADINGS[lang]


def test_minimum_font_sizes_on_the_page(built):
    _, _, pdf = built
    sizes = font_sizes(pdf.reader)
    assert min(sizes) >= 7.5, sorted(sizes)
    body = sizes.most_common(1)[0][0]
    assert body >= 9.5


def test_text_copies_out_cleanly_and_in_order(built):
    lang, _, pdf = built
    text = " ".join(page.extract_text() for page in pdf.reader.pages)
    assert not re.search("[\u2010\u00ad]\n", text), "hyphenation artifacts"
    assert not re.search("[\ufb00-\ufb06]", text), "ligature characters"
    positions = [text.index(heading) for heading in HEADINGS[lang][:-1]]
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_reproducible(sample_pdfs, tmp_path, lang):
    """Same input, same bytes: dates come from the sheet, never from the clock."""
    from factsheet.cli import main

    from .conftest import SAMPLE

    assert main([str(SAMPLE), "--out", str(tmp_path), "--lang", lang, "--jobs", "1"]) == 0
    again = (tmp_path / f"decriminalization.{lang}.pdf").read_bytes()
    assert again == sample_pdfs[lang].path.read_bytes()
