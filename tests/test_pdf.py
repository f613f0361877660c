import datetime
import shutil

import pytest

from factsheet.cite import cite_notes
from factsheet.errors import Pos
from factsheet.i18n import load_localizer
from factsheet.inline import inline_content
from factsheet.load import load_sheet
from factsheet.pdf import STYLES_DIR, write_pdf
from factsheet.render import render_html

from .conftest import SAMPLE

WHERE = Pos("en.yaml", 1, 1)
DAY = datetime.date(2026, 1, 2)


def page(body: str) -> str:
    return f'<!doctype html><html lang="en"><head><title>T</title></head><body>{body}</body></html>'


@pytest.fixture
def styles(tmp_path):
    folder = tmp_path / "styles"
    shutil.copytree(STYLES_DIR, folder)
    return folder


def messages(result) -> list[str]:
    return [p.message for p in result.problems]


def test_a_plain_page_has_no_problems(tmp_path):
    result = write_pdf(page("<p>Hello, señor.</p>"), tmp_path, WHERE, DAY)
    assert result.problems == []
    assert result.pages == 1
    assert result.data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    "url", ["/etc/hostname", "file:///etc/hostname", "../outside.png", "https://example.org/a.png"]
)
def test_resources_outside_the_project_are_refused(tmp_path, caplog, url):
    (tmp_path / "sheet").mkdir()
    result = write_pdf(page(f'<img src="{url}" alt="x">'), tmp_path / "sheet", WHERE, DAY)
    assert any(m.startswith("refused resource") for m in messages(result)), messages(result)
    caplog.clear()  # WeasyPrint logs the refusal too; the build turns it into a problem


def test_a_missing_stylesheet_fails_the_build(tmp_path, styles):
    (styles / "components.css").unlink()
    result = write_pdf(page("<p>x</p>"), tmp_path, WHERE, DAY, styles_dir=styles)
    assert messages(result) == [f"stylesheet {styles / 'components.css'} is missing"]


def test_a_css_error_fails_the_build(tmp_path, styles, caplog):
    with (styles / "type.css").open("a") as handle:
        handle.write("p { colr: red; }\n")
    result = write_pdf(page("<p>x</p>"), tmp_path, WHERE, DAY, styles_dir=styles)
    assert any("colr" in m for m in messages(result)), messages(result)
    caplog.clear()


def test_text_our_fonts_cannot_show_is_an_error(tmp_path):
    result = write_pdf(page("<p>Snow: \u2603</p>"), tmp_path, WHERE, DAY)
    assert any("fell back to" in m for m in messages(result)), messages(result)


def test_notes_pushed_off_their_page_are_caught(styles, caplog):
    """With orphans and widows at 2, WeasyPrint 70 defers notes of the Spanish sample."""
    with (styles / "type.css").open("a") as handle:
        handle.write("p, li { orphans: 2; widows: 2; }\n")
    sheet = load_sheet(SAMPLE)
    doc = inline_content(sheet.contents["es"])
    cites = cite_notes(doc.notes, sheet.sources, sheet.config.citation_style, "es", WHERE)
    html = render_html(sheet.config, doc, cites, load_localizer("es")[0])
    result = write_pdf(html, SAMPLE, WHERE, DAY, styles_dir=styles)
    found = messages(result)
    assert any("but is called on page" in m or "left out by the layout" in m for m in found), found
    caplog.clear()  # WeasyPrint also logs the link to the lost note
