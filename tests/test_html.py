"""The web page (--html), loaded in a real browser: Debian's headless Chromium."""

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import axe_playwright_python
import pytest


@pytest.fixture(scope="module")
def pages(sample_build) -> Path:
    """The sample's web pages (conftest builds them with the PDFs)."""
    return sample_build


def open_page(browser, path: Path, width: int, bypass_csp: bool = False):
    """The page loaded; `bypass_csp` lets a test add its own script (axe-core),
    which the page's Content-Security-Policy would refuse."""
    page = browser.new_page(viewport={"width": width, "height": 800}, bypass_csp=bypass_csp)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


@pytest.mark.parametrize("lang", ["en", "es"])
def test_page_loads_cleanly_and_fits_a_phone(browser, pages, lang):
    page, errors = open_page(browser, pages / f"decriminalization.{lang}.html", 375)
    assert errors == []
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, "horizontal scrolling at 375 px"
    assert page.evaluate("document.documentElement.lang") == lang
    fonts = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert {'"Source Serif 4"', '"Source Sans 3"'} <= {
        f if f.startswith('"') else f'"{f}"' for f in fonts
    }


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_note_link_lands_on_its_note(browser, pages, lang):
    page, _ = open_page(browser, pages / f"decriminalization.{lang}.html", 375)
    calls = page.locator(".note-call a")
    assert calls.count() == 9
    for index in range(calls.count()):
        call = calls.nth(index)
        target = call.get_attribute("href")
        call.click()
        assert page.evaluate("location.hash") == target
        note = page.locator(target)
        assert note.evaluate("n => n.tagName") == "LI"
        top = note.evaluate("n => n.getBoundingClientRect().top")
        assert 0 <= top < 800, f"{target} is not on screen after the click"
        back = note.locator("a.back").get_attribute("href")
        assert back == "#" + call.get_attribute("id")


def test_language_switch_links_the_versions(browser, pages):
    page, _ = open_page(browser, pages / "decriminalization.en.html", 1000)
    switch = page.locator("nav.languages a")
    assert switch.count() == 1
    assert switch.inner_text() == "Español"
    switch.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("decriminalization.es.html")
    assert (
        page.locator("h1").inner_text()
        == "La descriminalización del consumo y la posesión de drogas"
    )
    assert page.locator("nav.languages a").inner_text() == "English"


def test_page_carries_its_citations_and_sources(pages):
    text = (pages / "decriminalization.es.html").read_text(encoding="utf-8")
    assert 'Hughes y Stevens, «<span lang="en">What Can We Learn</span>».' in text
    assert "<h2>Fuentes</h2>" in text
    assert "<h2>Notas</h2>" in text


AXE = (
    Path(axe_playwright_python.__file__).parent / "axe.min.js"
)  # axe-core, as the package ships it
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.mark.parametrize("width", [375, 1000])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_axe_core_finds_nothing_against_wcag_aa(browser, pages, lang, width):
    page, _ = open_page(browser, pages / f"decriminalization.{lang}.html", width, bypass_csp=True)
    page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}}
    result = page.evaluate("options => axe.run(document, options)", options)
    found = [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in result["violations"]]
    assert found == []


def test_note_calls_are_targets_of_24_px(browser, pages):
    page, _ = open_page(browser, pages / "decriminalization.en.html", 375)
    sizes = page.evaluate(
        "[...document.querySelectorAll('.note-call a')].map(a => {"
        " const r = a.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert sizes and all(w >= 24 and h >= 24 for w, h in sizes), sizes


@pytest.mark.parametrize("lang", ["en", "es"])
def test_page_is_light_and_its_fonts_are_cut_to_it(browser, pages, lang):
    """Under 200 KiB with everything it loads; the type is still Source Serif and Sans."""
    page, errors = open_page(browser, pages / f"decriminalization.{lang}.html", 375)
    html = pages / f"decriminalization.{lang}.html"
    linked = re.findall(r'url\("([^"]+)"\)', html.read_text(encoding="utf-8"))
    files = [html, *(pages / name for name in linked)]
    assert len(files) >= 5 and all(f.is_file() for f in files), files  # the page, 4 faces
    assert sum(f.stat().st_size for f in files) <= 200 * 1024
    assert errors == []
    faces = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.style)"
    )
    assert {"Source Serif 4 normal", "Source Serif 4 italic", "Source Sans 3 normal"} <= {
        face.replace('"', "") for face in faces
    }
    text = (pages / f"decriminalization.{lang}.html").read_text(encoding="utf-8")
    assert "font-display: swap" in text and ".woff2" in text and ".ttf" not in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_page_offers_its_pdf_and_tells_link_previews_about_itself(browser, pages, lang):
    page, _ = open_page(browser, pages / f"decriminalization.{lang}.html", 1000)
    links = page.locator(".downloads a")
    words = {
        "en": "Download the PDF · Letter · 2 pages · ",
        "es": "Descargar el PDF · Carta · 2 páginas · ",
    }
    assert links.first.inner_text().startswith(words[lang])
    for href in links.evaluate_all("links => links.map(a => a.href)"):
        assert Path(unquote(urlparse(href).path)).is_file(), href
    # Without the sheet's url: no hreflang or canonical (they take absolute addresses).
    assert page.locator("link[hreflang], link[rel=canonical]").count() == 0
    og = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('meta[property^=\"og:\"]')]"
        ".map(m => [m.getAttribute('property'), m.content]))"
    )
    assert og["og:locale"] == {"en": "en_US", "es": "es_US"}[lang]
    assert og["og:title"] == page.locator("h1").inner_text()
    assert page.locator("link[rel=icon]").count() == 1


def test_with_a_url_the_languages_link_each_other_by_address(minimal, tmp_path, run_cli):
    with (minimal / "sheet.yaml").open("a", encoding="utf-8") as handle:
        handle.write("url: https://example.org/sheets/small.html\n")
    assert run_cli(minimal, "--out", tmp_path, "--html", "--png").code == 0
    text = (tmp_path / "minimal.es.html").read_text(encoding="utf-8")
    base = "https://example.org/sheets/minimal"
    for hreflang, lang in (("en", "en"), ("es", "es"), ("x-default", "en")):
        assert f'<link rel="alternate" hreflang="{hreflang}" href="{base}.{lang}.html">' in text
    assert f'<link rel="canonical" href="{base}.es.html">' in text
    assert f'<meta property="og:image" content="{base}.es.png">' in text


def test_font_subsets_are_reused_while_the_characters_stay_the_same(minimal, tmp_path, run_cli):
    assert run_cli(minimal, "--out", tmp_path, "--html").code == 0
    fonts = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "fonts").glob("*.woff2")}
    assert len(fonts) == 8  # four faces for each language's page
    assert run_cli(minimal, "--out", tmp_path, "--html", "--force").code == 0
    again = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "fonts").glob("*.woff2")}
    assert again == fonts, "unchanged characters: the same files, not written again"
    # A character the pages did not have makes a new subset; the old one goes.
    path = minimal / "en.yaml"
    path.write_text(path.read_text().replace("A short lede", "A short lede (¼)"))
    assert run_cli(minimal, "--out", tmp_path, "--html").code == 0
    changed = {p.name for p in (tmp_path / "fonts").glob("*.woff2")}
    assert len(changed) == 8 and changed != set(fonts)
