"""Other outputs from the same source: bilingual edition, thumbnails, new sheets."""

import html as html_module
import re
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from factsheet.errors import Pos, Problem

from .conftest import read_pdf


def test_bilingual_edition_english_then_spanish(minimal, tmp_path, run_cli):
    run = run_cli(minimal, "--out", tmp_path, "--bilingual", "--jobs", "2")
    assert run.code == 0, run.err
    reader = pypdf.PdfReader(tmp_path / "minimal.en-es.pdf")
    assert len(reader.pages) == 2
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["A Small Test Sheet", "Una pequeña hoja de prueba"]
    destinations = [reader.get_destination_page_number(item)
                    for item in reader.outline if not isinstance(item, list)]  # fmt: skip
    assert destinations == [0, 1]
    assert "Page 1 of 1" in reader.pages[0].extract_text()
    assert "Página 1 de 1" in reader.pages[1].extract_text()


def test_bilingual_note_links_stay_in_their_language(minimal, tmp_path, run_cli):
    assert run_cli(minimal, "--out", tmp_path, "--bilingual").code == 0
    reader = pypdf.PdfReader(tmp_path / "minimal.en-es.pdf")
    for number, page in enumerate(reader.pages):
        lang = ("en", "es")[number]
        targets = [a.get_object()["/Dest"] for a in page.get("/Annots", [])]
        notes = [t for t in targets if isinstance(t, str) and "-note-" in t]
        assert notes and all(t.startswith(f"{lang}-note-") for t in notes), notes
        for target in notes:
            assert reader.get_destination_page_number(reader.named_destinations[target]) == number


def test_a_failed_language_removes_the_bilingual_edition(minimal, tmp_path, run_cli):
    assert run_cli(minimal, "--out", tmp_path, "--bilingual").code == 0
    path = minimal / "es.yaml"
    path.write_text(path.read_text().replace("[@smith2019, p. 12]", "[@nope, p. 12]"))
    assert run_cli(minimal, "--out", tmp_path, "--bilingual").code == 1
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["minimal.en.pdf"]


def test_png_thumbnail_of_page_one(minimal, tmp_path, run_cli):
    assert run_cli(minimal, "--out", tmp_path, "--png", "--lang", "es").code == 0
    with Image.open(tmp_path / "minimal.es.png") as image:
        assert image.width == 1200
        assert image.height == round(1200 * 11 / 8.5)
        # The title band's brand color is in the top strip of the picture.
        assert image.convert("RGB").getpixel((600, 40)) == (13, 77, 107)


def test_new_sheet_builds_out_of_the_box(tmp_path, run_cli):
    run = run_cli("new", "overdose-prevention", "--sheets", tmp_path)
    assert run.code == 0, run.err
    folder = tmp_path / "overdose-prevention"
    assert sorted(p.name for p in folder.iterdir()) == [
        "charts",  # readers.vl.json: the example chart's Vega-Lite spec
        "en.yaml",
        "es.reviewed.yaml",  # the English its translation was reviewed against
        "es.yaml",
        "readers.csv",  # its data
        "sheet.yaml",
        "sources.yaml",
    ]
    build = run_cli(folder, "--out", tmp_path / "out", "--strict")
    assert build.code == 0, build.err
    spanish = read_pdf(tmp_path / "out" / "overdose-prevention.es.pdf").text
    assert "El título de su hoja" in spanish
    assert "Lectores por página del informe" in spanish and "Página" in spanish  # the chart
    assert run_cli("new", "overdose-prevention", "--sheets", tmp_path).error_lines == [
        f"{folder}:1:1: already exists"
    ]
    # A path, as a writer may type it, is a folder and its name.
    run = run_cli("new", tmp_path / "other-sheet")
    assert run.out.startswith(f"created {tmp_path}/other-sheet: edit its files, then run: ")


def test_press_kit_holds_every_output_with_a_true_manifest(minimal, tmp_path, run_cli):
    import hashlib
    import json
    import zipfile

    run = run_cli(minimal, "--out", tmp_path, "--press-kit", "--print-shop")
    assert run.code == 0, run.err
    with zipfile.ZipFile(tmp_path / "minimal-press-kit.zip") as archive:
        names = sorted(archive.namelist())
        fonts = [n for n in names if n.startswith("minimal/fonts/")]
        assert sorted(n for n in names if n not in fonts) == sorted(
            f"minimal/{name}"
            for name in [
                "MANIFEST.txt", "minimal.sources.json", "minimal.en-es.pdf",
                "minimal.en.pdf", "minimal.en.print.pdf", "minimal.en.png", "minimal.en.html",
                "minimal.es.pdf", "minimal.es.print.pdf", "minimal.es.png", "minimal.es.html",
                # the print shop's preflight reports travel with the print PDFs
                "minimal.en.preflight.txt", "minimal.es.preflight.txt",
            ]
        )  # fmt: skip
        # Each page's four faces, cut to its characters, and the fonts' licences.
        assert len([n for n in fonts if n.endswith(".woff2")]) == 8
        assert {
            "minimal/fonts/source-serif-4-OFL.txt",
            "minimal/fonts/source-sans-3-OFL.txt",
        } < set(fonts)
        assert sum(archive.getinfo(n).file_size for n in fonts) <= 300 * 1024
        for page in ("minimal.en.html", "minimal.es.html"):
            text = archive.read(f"minimal/{page}").decode()
            linked = re.findall(r'url\("(fonts/[^"]+)"\)', text)
            assert linked and all(f"minimal/{name}" in names for name in linked)
        manifest = archive.read("minimal/MANIFEST.txt").decode()
        assert "Published: 2020-03-05" in manifest and "Updated: 2021-10-12" in manifest
        listed = [
            line.split() for line in manifest.splitlines() if line[:1] == " " or line[:1].isdigit()
        ]
        assert len(listed) == len(names) - 1  # every file but the manifest itself
        for size, digest, name in listed:
            data = archive.read(f"minimal/{name}")
            assert int(size) == len(data)
            assert digest == hashlib.sha256(data).hexdigest()
        sources = json.loads(archive.read("minimal/minimal.sources.json"))
        assert [s["id"] for s in sources] == ["smith2019"]
        assert sources[0]["issued"] == {"date-parts": [[2019]]}


def test_a_failed_sheet_removes_its_press_kit(minimal, tmp_path, run_cli):
    assert run_cli(minimal, "--out", tmp_path, "--press-kit").code == 0
    path = minimal / "en.yaml"
    path.write_text(path.read_text().replace("title: A Small", "title: [A Small"))
    assert run_cli(minimal, "--out", tmp_path, "--press-kit").code == 1
    assert not (tmp_path / "minimal-press-kit.zip").exists()


def test_the_same_sheet_gives_the_same_web_page_and_fonts(minimal, tmp_path, run_cli):
    """Every file a build writes is reproducible, fonts cut for the web page too
    (and so the press kit, which holds them)."""
    made = []
    for name in ("one", "two"):
        out = tmp_path / name
        assert run_cli(minimal, "--out", out, "--html", "--lang", "en").code == 0
        made.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()
                     and not p.name.startswith(".")})  # fmt: skip
    assert any(path.suffix == ".woff2" for path in made[0])
    assert made[0] == made[1]


@pytest.mark.parametrize("slug", ["v2.1-decrim", "decrim"])
def test_a_failed_language_leaves_no_old_pdf_whatever_the_slug(minimal, tmp_path, run_cli, slug):
    """A slug with dots names its files like any other: a language that fails
    removes its older PDFs, the other language's stay."""
    folder = minimal.rename(minimal.parent / slug)
    out = tmp_path / "out"
    assert run_cli(folder, "--out", out, "--bilingual").code == 0
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        f"{slug}.en-es.pdf",
        f"{slug}.en.pdf",
        f"{slug}.es.pdf",
    ]
    spanish = folder / "es.yaml"
    spanish.write_text(spanish.read_text().replace("[@smith2019, p. 12]", "[@smith2091, p. 12]"))
    run = run_cli(folder, "--out", out, "--bilingual")
    assert run.code == 1
    assert sorted(p.name for p in out.glob("*.pdf")) == [f"{slug}.en.pdf"]
    assert f"removed {out}/{slug}.es.pdf: its edition failed" in run.out.replace("\\", "/")
    assert "1 sheet: 0 built, 0 up to date, 1 failed" in run.out


@pytest.mark.parametrize("name", ["two words", "-lead", "end.", "café"])
def test_a_slug_that_cannot_name_files_is_refused_at_its_folder(minimal, run_cli, name):
    folder = minimal.rename(minimal.parent / name)
    run = run_cli(folder, "--check")
    assert run.code == 1
    assert run.error_lines[0].startswith(f"{folder}:1:1: the sheet's folder name '{name}'")


def test_a_url_prints_with_a_qr_code(minimal, tmp_path, run_cli):
    with (minimal / "sheet.yaml").open("a") as handle:
        handle.write("url: https://example.org/towns\n")
    assert run_cli(minimal, "--out", tmp_path, "--lang", "en", "--html").code == 0
    text = read_pdf(tmp_path / "minimal.en.pdf").text
    assert "https://example.org/towns" in text.replace("/ ", "/")  # the footer may wrap it
    html = (tmp_path / "minimal.en.html").read_text()
    assert '<a href="https://example.org/towns">' in html


def test_a_qr_code_is_vector_and_decodes_to_the_url():
    import re
    from urllib.parse import unquote

    from factsheet.document.render import qr_code

    svg = unquote(qr_code("https://example.org/towns"))
    assert svg.startswith("data:image/svg+xml")
    assert re.search(r"<path[^>]+d=", svg), "the QR code is drawn as vector paths"


def test_a_url_must_be_a_web_address(minimal, run_cli):
    with (minimal / "sheet.yaml").open("a") as handle:
        handle.write("url: javascript:alert(1)\n")
    run = run_cli(minimal, "--check")
    assert run.error_lines == [
        f"{minimal}/sheet.yaml:8:6: url must be a web address, not 'javascript:alert(1)'"
    ]


def test_a_failing_print_shop_file_leaves_the_office_pdf(minimal, tmp_path, run_cli, monkeypatch):
    import factsheet.layout.pdf

    assert run_cli(minimal, "--out", tmp_path, "--print-shop", "--lang", "en").code == 0
    monkeypatch.setattr(factsheet.layout.pdf, "PRINT_SHOP_STYLESHEET", "gone.css")
    run = run_cli(
        minimal, "--out", tmp_path, "--print-shop", "--lang", "en", "--jobs", "1", "--force"
    )
    assert run.code == 1
    assert [line for line in run.error_lines if "warning" not in line] == [
        f"{minimal}/en.yaml:1:1: stylesheet {factsheet.layout.pdf.STYLES_DIR}/gone.css is missing"
    ]
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["minimal.en.pdf"]
    assert f"wrote {tmp_path}/minimal.en.pdf" in run.out
    assert f"removed {tmp_path}/minimal.en.print.pdf: its edition failed" in run.out


def test_a_failing_bilingual_edition_leaves_the_single_language_pdfs(
    minimal, tmp_path, run_cli, monkeypatch
):
    """A problem only the combined layout meets withdraws that edition alone."""
    import factsheet.outputs.bilingual_pdf

    assert run_cli(minimal, "--out", tmp_path, "--bilingual").code == 0
    original = factsheet.outputs.bilingual_pdf.note_problems

    def combined_fails(task, layout, fitted=None):
        found = original(task, layout, fitted)
        if task.combined:
            found.append(Problem(Pos(task.sheet.contents["es"].path, 9, 7), "only combined"))
        return found

    monkeypatch.setattr(factsheet.outputs.bilingual_pdf, "note_problems", combined_fails)
    run = run_cli(minimal, "--out", tmp_path, "--bilingual", "--force", "--jobs", "1")
    assert run.code == 1
    assert f"{minimal}/es.yaml:9:7: only combined" in run.error_lines
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["minimal.en.pdf", "minimal.es.pdf"]
    wrote = [line[6:] for line in run.out.splitlines() if line.startswith("wrote ")]
    assert all(Path(path).is_file() for path in wrote), wrote
    assert f"removed {tmp_path}/minimal.en-es.pdf: its edition failed" in run.out


def test_a_url_with_an_apostrophe_stays_the_link_in_the_pdf_and_the_web_page(
    minimal, tmp_path, run_cli
):
    """Its PDF link annotation and its web page's href are the URL as written (an
    apostrophe curled to ’ is another address), in sources.yaml and in Markdown."""
    source_url = "https://example.org/o'neil-report?a=1&b=2"
    link_url = "https://example.org/it's-here"
    with (minimal / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write(f'  URL: "{source_url}"\n')
    for name, words in (("en.yaml", "Thirty-one towns"), ("es.yaml", "Treinta y un pueblos")):
        path = minimal / name  # both: a link the translation lacks is an error
        linked = path.read_text(encoding="utf-8").replace(words, f"[{words}]({link_url})")
        path.write_text(linked, encoding="utf-8")
    run = run_cli(minimal, "--out", tmp_path, "--html", "--lang", "en")
    assert run.code == 0, run.err
    reader = pypdf.PdfReader(tmp_path / "minimal.en.pdf")
    uris = {annotation.get_object()["/A"]["/URI"] for page in reader.pages
            for annotation in page.get("/Annots") or [] if "/A" in annotation.get_object()}  # fmt: skip
    assert {source_url, link_url} <= uris
    web_page = (tmp_path / "minimal.en.html").read_text(encoding="utf-8")
    hrefs = {html_module.unescape(href) for href in re.findall(r'href="([^"]*)"', web_page)}
    assert {source_url, link_url} <= hrefs
    assert "’neil" not in web_page and "it’s-here" not in web_page
