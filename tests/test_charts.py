"""Charts from data (charts.py): the naloxone sample's chart read back from the
PDF and the web page in each language's number format, tagged as a Figure
with its alt text, and every way a chart's files can be wrong."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest

from factsheet.document.charts import read_csv, urls_in
from factsheet.languages import profile
from factsheet.paths import PROJECT_DIR as PROJECT
from tests.conftest import built_once, read_pdf
from tests.test_accessibility import elements, page

NALOXONE = PROJECT / "sheets" / "naloxone"
ALT = {
    "en": "Bar chart of overdose deaths by year: 70,630 in 2019, 91,799 in 2020, 106,699 in "
    "2021, 107,941 in 2022 and 105,007 in 2023.",
    "es": "Gráfico de barras de las muertes por sobredosis por año: 70.630 en 2019, 91.799 en "
    "2020, 106.699 en 2021, 107.941 en 2022 y 105.007 en 2023.",
}


@pytest.fixture(scope="session")
def naloxone_build(tmp_path_factory):
    """The naloxone sample, both languages: PDFs on Letter and A4, web pages on Letter."""
    from factsheet.cli import main

    def build(out: Path) -> None:
        # Web pages on Letter only: the tests read no other, and each costs some
        # 14 s of CPU in web fonts.
        for paper, web in (("letter", ["--html"]), ("a4", [])):
            args = ["--out", str(out / paper), "--paper", paper, *web, "--jobs", "2"]
            assert main([str(NALOXONE), *args]) == 0

    return built_once(tmp_path_factory, "naloxone", build)


@pytest.fixture
def naloxone(tmp_path):
    folder = tmp_path / "naloxone"
    shutil.copytree(NALOXONE, folder)
    return folder


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_sample_fits_its_two_pages(naloxone_build, paper):
    for lang in ("en", "es"):
        assert len(read_pdf(naloxone_build / paper / f"naloxone.{lang}.pdf").pages) == 2


@pytest.mark.parametrize(
    ("lang", "ticks", "titles"),
    [
        ("en", ["20,000", "60,000", "100,000"], ["Deaths", "Year"]),
        ("es", ["20.000", "60.000", "100.000"], ["Muertes", "Año"]),
    ],
)
def test_chart_ticks_print_in_the_languages_number_format(naloxone_build, lang, ticks, titles):
    text = read_pdf(naloxone_build / "letter" / f"naloxone.{lang}.pdf").pages[0]

    def printed(label: str) -> bool:
        return re.search(rf"(?<![\d.,]){re.escape(label)}(?![\d.,])", text) is not None

    for label in [*ticks, *titles, "2019", "2023"]:
        assert printed(label), label
    assert not printed("100.000" if lang == "en" else "100,000")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_chart_is_a_figure_with_alt_text_and_the_table_has_headers(naloxone_build, lang):
    pdf = naloxone_build / "letter" / f"naloxone.{lang}.pdf"
    with pikepdf.open(pdf) as document:
        found = list(elements(document.Root.StructTreeRoot))
        alts = [str(e.get("/Alt")) for e in found if str(e.get("/S")) == "/Figure"]
        assert ALT[lang] in alts
        tables = [e for e in found if str(e.get("/S")) == "/Table"]
        assert len(tables) == 1
        headers = [e for e in elements(tables[0]) if str(e.get("/S")) == "/TH"]
        assert len(headers) == 2
    assert page.validate_pdf(pdf, profile="ua1").is_compliant


def test_the_web_page_has_the_svg_and_its_data_as_a_table(naloxone_build):
    html = (naloxone_build / "letter" / "naloxone.es.html").read_text(encoding="utf-8")
    assert f'<svg role="img" aria-label="{ALT["es"]}"' in html
    data = re.search(r'<details class="chart-data">(.*?)</details>', html, re.S)
    assert data is not None
    assert "<summary>Los datos del gráfico</summary>" in data[1]
    assert '<th scope="col">Año</th><th scope="col">Muertes</th>' in data[1]
    assert "<td>2022</td><td>107.941</td>" in data[1]
    assert 'id="overdose-deaths-clip' in html or "clip" not in html  # ids kept unique


def test_number_locale_follows_babel():
    assert profile("es").vega_number_locale()["thousands"] == "."
    assert profile("es", "es_MX").vega_number_locale()["thousands"] == ","
    assert profile("en").vega_number_locale()["decimal"] == "."


def test_csv_cells_that_are_numbers_become_numbers():
    columns, rows = read_csv("year,deaths,kind\n2019,70630,all\n2020,3.5,\n")
    assert columns == ["year", "deaths", "kind"]
    assert rows == [{"year": 2019, "deaths": 70630, "kind": "all"},
                    {"year": 2020, "deaths": 3.5, "kind": ""}]  # fmt: skip


def test_every_url_in_a_spec_is_found():
    spec = {"data": {"url": "a.csv"}, "layer": [{"mark": {"type": "image", "url": "x"}}]}
    assert urls_in(spec) == ["a.csv", "x"]


SPEC = "charts/overdose-deaths.vl.json"


@pytest.mark.parametrize(
    ("path", "old", "new", "message"),
    [
        (SPEC, '"mark"', '"mark" "bar",', f"{SPEC}:4:10: not valid JSON: Expecting ':' delimiter"),
        ("overdose-deaths.csv", "year,deaths", "year,death",
         f"{SPEC}:7:20: field 'deaths' is not a column of overdose-deaths.csv "
         "(columns: year, death)"),
        (SPEC, '"overdose-deaths.csv"', '"https://example.org/deaths.csv"',
         f"{SPEC}:3:20: data.url 'https://example.org/deaths.csv': a chart reads only a CSV "
         "file in {sheet}, never a URL"),
        (SPEC, '"overdose-deaths.csv"', '"../../secret.csv"',
         f"{SPEC}:3:20: data.url '../../secret.csv': a chart reads only a CSV file in {{sheet}}, "
         "never a URL"),
        (SPEC, '"mark"', '"layer": [{"mark": {"type": "image", "url": "https://x.org/a.png"}}],'
         ' "mark"', f"{SPEC}:4:48: 'https://x.org/a.png': a chart takes its data from one CSV "
         "file of the sheet, named in data.url"),
        ("es.yaml", "70.630 en 2019", "70.360 en 2019",
         "es.yaml:105:11: charts.overdose-deaths.alt does not have the number '70,630' as "
         "en.yaml:93 does"),
        ("es.yaml", "::: chart overdose-deaths", "::: chart overdose",
         "es.yaml:21:17: chart 'overdose': there is no {sheet}/charts/overdose.vl.json "
         "(charts: overdose-deaths)"),
        ("es.yaml", "fields: {year: Año, deaths: Muertes}", "fields: {year: Año}",
         "es.yaml:104:3: charts.overdose-deaths.fields: no title for data column 'deaths'"),
        ("es.yaml", "::: figures", "::: cuadro",
         "es.yaml:15:11: unknown block '::: cuadro': there are '::: box' (a call-out box), "
         "'::: figures' (key figures) and '::: chart' (a chart from data)"),
        (SPEC, '{"url": "overdose-deaths.csv"}', '[1, 2]',
         f"{SPEC}:3:3: data: name the CSV file of the sheet it reads, "
         '"data": {"url": "deaths.csv"}'),
        ("overdose-deaths.csv", "year,deaths", "a\xf1o,deaths",
         f"{SPEC}:3:20: data.url 'overdose-deaths.csv' is not UTF-8 text: save it as UTF-8"),
        (SPEC, '"bar"', '"bars"',
         f"{SPEC}:1:1: Vega-Lite cannot draw this spec: check each mark type and channel name "
         "(TypeError: Cannot read properties of undefined (reading 'filled'))"),
    ],
)  # fmt: skip
def test_bad_chart(naloxone, run_cli, tmp_path, path, old, new, message):
    target = naloxone / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    # The CSV with an "ñ" is saved as Latin-1, as a spreadsheet may save it.
    encoding = "latin-1" if path.endswith(".csv") and "\xf1" in new else "utf-8"
    target.write_bytes(text.replace(old, new, 1).encode(encoding))
    run = run_cli(naloxone, "--out", tmp_path / "out", "--jobs", "1")
    expected = message.replace("{sheet}", str(naloxone))
    if not expected.startswith(str(naloxone)):
        expected = f"{naloxone}/{expected}"
    assert run.code == 1
    assert "Traceback" not in run.err
    assert expected in [line.removeprefix("error: ") for line in run.error_lines], run.err
    # An edition that failed is not written (one that did not may be: English here).
    failed = {"es"} if path == "es.yaml" else {"en", "es"}
    assert not any((tmp_path / "out" / f"naloxone.{lang}.pdf").exists() for lang in failed)


def test_categories_keep_the_csvs_order_and_print_their_labels():
    from factsheet.document.charts import ChartData, draw_chart
    from factsheet.errors import Pos
    from factsheet.model import ChartWords, Text
    from factsheet.sources.theme import colors_of

    spec = {"mark": "bar", "encoding": {"x": {"field": "drug", "type": "nominal"},
                                        "y": {"field": "n", "type": "quantitative"}}}  # fmt: skip
    rows = [{"drug": "opioids", "n": 3}, {"drug": "cocaine", "n": 2}, {"drug": "alcohol", "n": 1}]
    data = ChartData("drugs", "charts/drugs.vl.json", spec, ["drug", "n"], rows)
    here = Pos("es.yaml", 1, 1)
    words = ChartWords(
        "drugs", here, Text("Barras.", here),
        {"drug": Text("Droga", here), "n": Text("Muertes", here)},
        {"opioids": Text("Opioides", here), "cocaine": Text("Cocaína", here)},
    )  # fmt: skip
    drawn = draw_chart(data, words, profile("es"), colors_of(None))
    labels = re.findall(r">(Opioides|Cocaína|alcohol)<", drawn.svg)
    assert labels == ["Opioides", "Cocaína", "alcohol"]
    assert drawn.headers == ["Droga", "Muertes"]
    assert drawn.rows[0] == ["Opioides", "3"]


def test_a_translation_labels_every_value_the_reference_labels(naloxone, run_cli):
    csv = naloxone / "overdose-deaths.csv"
    csv.write_text(csv.read_text().replace("year,deaths", "year,deaths,kind")
                   .replace("\n2", ",final\n2").rstrip("\n") + ",final\n")  # fmt: skip
    for name, label in (("en.yaml", "Final"), ("es.yaml", None)):
        path = naloxone / name
        words = "    fields: {year: Year, deaths: Deaths}" if name == "en.yaml" else None
        text = path.read_text()
        if label:
            text = text.replace(words, f"{words}\n    labels: {{final: {label}}}")
        path.write_text(text)
    run = run_cli(naloxone, "--check")
    assert run.code == 1
    assert any(
        line.startswith(f"{naloxone}/es.yaml:")
        and "charts.overdose-deaths.labels: no label for 'final', which en.yaml labels 'Final'"
        in line
        for line in run.error_lines
    ), run.err
