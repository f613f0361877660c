import datetime
import shutil
from types import SimpleNamespace

import pytest

from factsheet.errors import Pos
from factsheet.layout.pdf import STYLES_DIR, Layout, NotePlace, write_pdf

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
    assert len(messages(result)) == 1, messages(result)
    assert messages(result)[0].startswith("refused resource"), messages(result)
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


def test_notes_pushed_off_their_page_or_lost_are_caught():
    """WeasyPrint 70 can defer a note to the next page, or drop it, when a page is
    full (seen with orphans and widows at 2); the build must say which and where."""
    layout = SimpleNamespace(
        notes=[
            NotePlace(0, "en-note-1", 1, 1),
            NotePlace(0, "en-note-2", 1, 2),
            NotePlace(0, "en-note-3", 1, None),
            NotePlace(0, "en-note-4", 2, 2),
        ]
    )
    assert [place.describe() for place in Layout.misplaced.fget(layout)] == [
        "note 2 prints on page 2 but is called on page 1",
        "note 3 (called on page 1) was left out by the layout",
    ]
