"""Themes: the organisation's colours, name, contact line and logo, checked."""

from __future__ import annotations

import shutil

import pikepdf
import pytest

import factsheet.sources.theme
from factsheet.sources.theme import contrast
from tests.conftest import DATA, read_pdf
from tests.test_accessibility import elements, page


@pytest.fixture
def themes(tmp_path, monkeypatch):
    """A themes folder of the test's own: default and acme (tests/data/themes)."""
    folder = tmp_path / "themes"
    shutil.copytree(DATA / "themes", folder)
    monkeypatch.setattr(factsheet.sources.theme, "THEMES_DIR", folder)
    return folder


def use_theme(sheet, name: str) -> None:
    path = sheet / "sheet.yaml"
    path.write_text(path.read_text() + f"theme: {name}\n")


def test_wcag_contrast_is_computed_as_wcag_does():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#0d4d6b", "#ffffff"), 1) == 9.2
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # just under AA


def test_a_theme_prints_its_name_contact_line_and_logo(themes, minimal, tmp_path, run_cli):
    use_theme(minimal, "acme")
    run = run_cli(minimal, "--out", tmp_path / "out", "--lang", "es", "--html")
    assert run.code == 0, run.err
    pdf = tmp_path / "out" / "minimal.es.pdf"
    assert "Alianza de Salud Acme · acme.example · 555 0100" in read_pdf(pdf).text
    assert page.validate_pdf(pdf, profile="ua1").is_compliant
    with pikepdf.open(pdf) as document:
        figures = [
            e for e in elements(document.Root.StructTreeRoot) if str(e.get("/S")) == "/Figure"
        ]
        assert [str(f.get("/Alt")) for f in figures] == ["Alianza de Salud Acme"]
    html = (tmp_path / "out" / "minimal.es.html").read_text()
    assert "--brand: #5a1f6b" in html and 'alt="Alianza de Salud Acme"' in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('  brand: "#5a1f6b"', 'colors.brand #c8a2d6 on paper #ffffff (headings on the page) has '
         "a contrast of 2.2:1; text needs 4.5:1 (WCAG AA)"),
        ('  brand: "#5a1f6b"', "colors.brand must be a colour written #rrggbb, not 'purple'"),
        ("logo: logo.svg", "logo: no file 'missing.png' in"),
        ("contact: {en: \"acme.example · 555 0100\", es: \"acme.example · 555 0100\"}",
         "contact: no text for 'es', a language of the sheet"),
    ],
)  # fmt: skip
def test_a_bad_theme_is_named_at_its_key(change, message, themes, minimal, run_cli):
    path = themes / "acme" / "theme.yaml"
    replacement = {
        "  brand": '  brand: "#c8a2d6"' if "contrast" in message else "  brand: purple",
        "logo: l": "logo: missing.png",
        "contact:": 'contact: {en: "acme.example"}',
    }
    new = next(value for key, value in replacement.items() if change.startswith(key))
    path.write_text(path.read_text().replace(change, new))
    use_theme(minimal, "acme")
    run = run_cli(minimal, "--check")
    assert run.code == 1
    assert any(line.startswith(f"{path}:") and message in line for line in run.error_lines), run.err


def test_an_unknown_theme_is_named_in_the_sheet(themes, minimal, run_cli):
    use_theme(minimal, "acmee")
    run = run_cli(minimal, "--check")
    assert run.code == 1
    assert f"{minimal}/sheet.yaml:" in run.err
    assert "theme 'acmee' not found" in run.err and "(themes: acme, default, inter)" in run.err


def test_a_logo_with_svg_text_is_refused_at_its_key(themes, minimal, run_cli):
    logo = themes / "acme" / "logo.svg"
    logo.write_text(logo.read_text().replace("</svg>", '<text x="2" y="20">AHA</text></svg>'))
    use_theme(minimal, "acme")
    run = run_cli(minimal, "--check")
    assert run.code == 1
    path = themes / "acme" / "theme.yaml"
    assert any(
        line.startswith(f"{path}:3:7: logo: 'logo.svg' has SVG <text>") for line in run.error_lines
    ), run.err


def test_a_theme_prints_in_a_font_package_of_its_own(themes, minimal, tmp_path, run_cli):
    use_theme(minimal, "inter")
    # One job: a worker started fresh would not see this test's themes folder.
    run = run_cli(minimal, "--out", tmp_path / "out", "--html", "--jobs", "1")
    assert run.code == 0, run.err
    with pikepdf.open(tmp_path / "out" / "minimal.en.pdf") as document:
        fonts = {str(font.BaseFont).split("+")[1]
                 for page in document.pages for font in page.Resources.Font.values()}  # fmt: skip
    assert {"Inter", "Inter-Bold", "Source-Serif-4,"} <= fonts
    assert not any(name.startswith(("Source-Sans", "DejaVu")) for name in fonts), fonts
    html = (tmp_path / "out" / "minimal.en.html").read_text()
    assert '--sans: "Inter", sans-serif' in html
    assert '@font-face { font-family: "Inter"; font-style: italic;' in html
    assert (tmp_path / "out" / "fonts" / "inter-OFL.txt").is_file()


@pytest.mark.parametrize(
    ("fonts", "message"),
    [
        ("{sans: fontpkg-no-such-font}", "fonts.sans: 'fontpkg-no-such-font' is not an installed "
         "font package: name a fontpkg-* package from PyPI and add it to the dependencies in "
         "pyproject.toml, then run make"),
        ("{sans: pytest}", "fonts.sans: 'pytest' is not an installed font package"),
        ("{mono: fontpkg-inter}", "unknown key 'mono' in fonts (known keys: sans, serif)"),
    ],
)  # fmt: skip
def test_a_bad_theme_font_is_named_at_its_key(themes, minimal, run_cli, fonts, message):
    (themes / "inter" / "theme.yaml").write_text(f"fonts: {fonts}\n")
    use_theme(minimal, "inter")
    run = run_cli(minimal, "--check")
    assert run.code == 1
    assert any(message in line for line in run.error_lines), run.err


@pytest.mark.parametrize("name", ["../../tests/data/themes/acme", "/etc", "Acme"])
def test_a_theme_is_a_folder_of_themes_not_a_path(themes, minimal, run_cli, name):
    use_theme(minimal, f'"{name}"')
    run = run_cli(minimal, "--check")
    assert run.code == 1
    assert f"theme: a theme's folder name (a-z, 0-9, -), not '{name}'" in run.err
