"""Charts from data (charts.py): the naloxone sample's chart read back from the
PDF and the web page in each language's number format, tagged as a Figure
with its alt text, and every way a chart's files can be wrong."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from factsheet.document.chart_svg import SVG_NS
from factsheet.document.charts import (
    MAX_COLUMNS,
    MAX_ROWS,
    ChartLimits,
    ToDraw,
    read_csv,
    svgs_of,
    urls_in,
)
from factsheet.errors import FactsheetError
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
SVG = SVG_NS


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
         f"{SPEC}:4:12: mark.type must be one of 'bar', 'line', 'area', 'point', 'circle', "
         "'square', 'rule', 'text', 'arc', 'tick'"),
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


BLEND = "multiply;cursor:url(http://127.0.0.1:9/c);background-image:url(http://127.0.0.1:9/b)"
SEQUENCE = [{"calculate": "sequence(0,3000000)", "as": "s"}, {"flatten": ["s"]}]


@pytest.mark.parametrize(
    ("old", "new", "at", "code", "said"),
    [
        ('"type": "bar"', f'"type": "bar", "blend": "{BLEND}"', "4:27",
         "chart.refused-property", "mark.blend: a chart does not take 'blend' in mark"),
        ('"x": {', '"href": {"field": "year"}, "x": {', "6:5",
         "chart.refused-property", "encoding.href: a chart does not take the 'href' channel"),
        ('"mark"', f'"transform": {json.dumps(SEQUENCE)}, "mark"', "4:18",
         "chart.refused-expression", "transform[0].calculate must be an expression of datum "
         "fields, numbers, strings and operators, with no call (not 'sequence(0,3000000)')"),
        ('"mark"', '"transform": [{"flatten": ["year"]}], "mark"', "4:18",
         "chart.refused-property", "transform[0].flatten: a chart does not take the 'flatten' "
         "transform"),
        ('"mark"', '"transform": [{"filter": "length(sequence(0, 9)) > 1"}], "mark"', "4:18",
         "chart.refused-expression", "transform[0].filter must be an expression"),
        ('{"type": "bar", "width": {"band": 0.6}}', '"image"', "4:3",
         "chart.refused-value", "mark must be one of 'bar', "),
        ('"type": "ordinal"', '"type": "ordinal", "axis": {"labelExpr": "datum.label"}', "6:56",
         "chart.refused-property", "encoding.x.axis.labelExpr: a chart does not take"),
        ('"type": "bar"', '"type": "bar", "color": "red;fill:url(http://x/)"', "4:27",
         "chart.refused-value", "mark.color must be a colour"),
        ('"mark"', '"params": [{"name": "p"}], "mark"', "4:3",
         "chart.refused-property", "params: a chart does not take 'params'"),
        ('"mark"', '"config": {"background": "red"}, "mark"', "4:3",
         "chart.refused-property", "config: a chart does not take 'config'"),
    ],
)  # fmt: skip
def test_a_spec_past_the_allowlist_is_refused_at_its_line(naloxone, run_cli, old, new, at, code,
                                                          said):  # fmt: skip
    """The attacks of issue 26 (a blend string that put url()s into the page's SVG,
    an href channel, an expression that allocates without bound) and what else a
    fact sheet's chart does not need: one line each, at the key, before drawing."""
    from factsheet.document.charts import read_chart
    from factsheet.errors import Pos

    spec = naloxone / SPEC
    spec.write_text(spec.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    data, problems = read_chart(naloxone, "overdose-deaths", Pos("es.yaml", 1, 1))
    assert data is None
    first = problems[0]  # the sequence attack's flatten is refused too, after it
    assert (f"{first.pos.line}:{first.pos.col}", first.code) == (at, code)
    assert problems[0].message.startswith(said), problems[0].message
    run = run_cli(naloxone, "--check")
    assert run.code == 1 and "Traceback" not in run.err
    assert f"{naloxone}/{SPEC}:{at}: {problems[0].message}" in run.error_lines, run.err


def test_a_spec_a_fact_sheet_needs_is_taken(naloxone):
    from factsheet.document.charts import read_chart
    from factsheet.errors import Pos

    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"url": "overdose-deaths.csv"},
        "transform": [{"filter": "datum.year >= 2020 && datum['deaths'] != null"},
                      {"calculate": "datum.deaths / 1000", "as": "thousands"}],
        "layer": [
            {"mark": {"type": "line", "point": True, "strokeDash": [4, 2]},
             "encoding": {"x": {"field": "year", "type": "ordinal"},
                          "y": {"field": "deaths", "type": "quantitative",
                                "scale": {"zero": False}, "axis": {"format": "~s"}}}},
            {"mark": {"type": "text", "dy": -8},
             "encoding": {"x": {"field": "year", "type": "ordinal"},
                          "y": {"field": "deaths", "type": "quantitative"},
                          "text": {"field": "deaths", "format": ",.0f"}}},
        ],
    }  # fmt: skip
    (naloxone / SPEC).write_text(json.dumps(spec, indent=2), encoding="utf-8")
    data, problems = read_chart(naloxone, "overdose-deaths", Pos("es.yaml", 1, 1))
    assert problems == [] and data is not None


@pytest.mark.parametrize(
    ("rows", "columns", "line", "said"),
    [
        (MAX_ROWS + 1, 2, MAX_ROWS + 2, f"more than {MAX_ROWS} rows of data"),
        (3, MAX_COLUMNS + 1, 1, f"more than {MAX_COLUMNS} columns"),
    ],
)
def test_data_past_its_limits_is_refused_at_its_line(naloxone, run_cli, rows, columns, line, said):
    header = ",".join(["year", "deaths", *(f"c{n}" for n in range(columns - 2))])
    body = "".join(
        ",".join([str(2000 + n), "1", *["0"] * (columns - 2)]) + "\n" for n in range(rows)
    )
    (naloxone / "overdose-deaths.csv").write_text(header + "\n" + body, encoding="utf-8")
    run = run_cli(naloxone, "--check")
    assert run.code == 1
    assert any(
        line_.startswith(f"{naloxone}/overdose-deaths.csv:{line}:1: {said}")
        for line_ in run.error_lines
    ), run.err


@pytest.mark.parametrize(
    ("svg", "kept", "gone"),
    [
        ('<g style="mix-blend-mode: multiply;cursor:url(http://a/);background-image:url(http://b/)">'
         "<rect/></g>", '<g style="mix-blend-mode: multiply"><rect/></g>', ["url(http"]),
        ('<script>alert(1)</script><g onclick="alert(1)" onload="x"><path d="M0,0"/></g>',
         '<g><path d="M0,0"/></g>', ["script", "onclick", "onload"]),
        ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
         "", ["foreignObject", "div"]),
        ('<a href="http://a/"><text>x</text></a><image href="http://i/"/>', "", ["http://a", "http://i"]),
        ('<g clip-path="url(#clip1)" fill="url(http://f/)" xlink:href="http://l/"><rect/></g>',
         '<g clip-path="url(#clip1)"><rect/></g>', ["http://f", "http://l"]),
        ("<!-- --><?x <script> ?><text>a &amp; &lt;/svg&gt;&lt;script&gt;</text>",
         "<text>a &amp; &lt;/svg&gt;&lt;script&gt;</text>", ["<!--", "<?", "<script"]),
        ('<style>@import "http://s/";</style><text style="font:x;fill:\\75rl(http://e/)">t</text>',
         "<text>t</text>", ["import", "http://s", "http://e"]),
    ],
)  # fmt: skip
def test_the_svg_keeps_only_drawing(svg, kept, gone):
    from factsheet.document.chart_svg import clean_svg

    whole = f'<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink">{svg}</svg>'
    clean = clean_svg(whole)
    assert clean == (f'<svg xmlns="{SVG}">{kept}</svg>' if kept else f'<svg xmlns="{SVG}"/>')
    assert not [word for word in gone if word in clean]


@pytest.mark.parametrize(
    "svg",
    ['<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]><svg xmlns="' + SVG_NS + '">&a;</svg>',
     "<html/>", "<svg"],
)  # fmt: skip
def test_what_is_not_a_drawing_is_refused(svg):
    from factsheet.document.chart_svg import clean_svg

    if svg.startswith("<!DOCTYPE"):
        assert "aaaa" not in clean_svg(svg)  # the entity is never expanded
        return
    with pytest.raises(ValueError):
        clean_svg(svg)


def to_draw(spec: dict) -> ToDraw:
    spec = {"data": {"values": [{"a": 1, "b": 2}]}, "mark": "bar",
            "encoding": {"x": {"field": "a", "type": "ordinal"},
                         "y": {"field": "b", "type": "quantitative"}}} | spec  # fmt: skip
    return ToDraw("attack", "charts/attack.vl.json", spec, {})


def test_vega_writes_the_blend_attack_into_the_svg_and_the_sanitiser_takes_it_out():
    """The second wall: were the allowlist to let a blend string through, what
    vl-convert draws has it in a style, and the page would not."""
    from factsheet.document.chart_svg import clean_svg

    chart = to_draw({"mark": {"type": "bar", "blend": BLEND}})
    svg = svgs_of([chart], profile("en"), ChartLimits())["attack"]
    assert isinstance(svg, str) and "url(http://127.0.0.1:9/b)" in svg
    clean = clean_svg(svg)
    assert "http:" not in clean.replace(SVG, "")
    assert "mix-blend-mode: multiply" in clean  # the blend itself is harmless


def test_drawing_leaves_the_process_free_to_fork(tmp_path):
    """vl-convert's engine starts threads: a process that imported it must not fork
    (build/pool.py). A process that draws a chart never imports it."""
    script = (
        "import sys; from tests.test_charts import to_draw\n"
        "from factsheet.document.charts import ChartLimits, svgs_of\n"
        "from factsheet.languages import profile\n"
        "svg = svgs_of([to_draw({})], profile('en'), ChartLimits())['attack']\n"
        "print(isinstance(svg, str) and svg.startswith('<svg'), 'vl_convert' in sys.modules)"
    )
    env = os.environ | {"XDG_CACHE_HOME": str(tmp_path)}  # drawn, not read from the cache
    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert run.stdout.split() == ["True", "False"], run.stderr


def test_a_chart_past_the_memory_limit_stops_with_one_line():
    """The sequence attack, past the allowlist: it took 1.7 GB and killed the
    build ("Fatal JavaScript out of memory"); now the drawing process dies alone."""
    chart = to_draw({"transform": SEQUENCE})
    with pytest.raises(FactsheetError) as caught:
        svgs_of([chart], profile("en"), ChartLimits(memory_mb=700))
    [problem] = caught.value.problems
    assert problem.code == "chart.memory-limit"
    assert str(problem) == (
        "charts/attack.vl.json:1:1: drawing this chart ran out of its memory limit, 700 MB "
        "(raise it with --memory-limit MB)"
    )


def test_a_chart_past_the_time_limit_stops_with_one_line():
    chart = to_draw({"mark": "line"})  # starting the engine alone takes longer
    with pytest.raises(FactsheetError) as caught:
        svgs_of([chart], profile("en"), ChartLimits(seconds=0.1))
    [problem] = caught.value.problems
    assert problem.code == "chart.time-limit"
    assert "longer than its time limit, 0.1 s (raise it with --time-limit SECONDS)" in str(problem)


@pytest.mark.parametrize("jobs", ["1", "2", "3"])
def test_past_a_limit_that_sheet_fails_and_the_others_build(jobs, naloxone, minimal, run_cli,
                                                            tmp_path):  # fmt: skip
    """The issue's hang: with the chart out of memory at --jobs 3, the good sheets
    were written, then the build waited forever."""
    # A width of its own, so that the cache cannot hold this drawing.
    spec = naloxone / SPEC
    spec.write_text(spec.read_text().replace('"band": 0.6', '"band": 0.59'))
    # less than the engine's start, and enough for the minimal sheet's layout
    limit = ["--memory-limit", "300"]
    run = run_cli(
        naloxone, minimal, "--out", tmp_path / "out", "--jobs", jobs, "--lang", "en", *limit
    )
    assert run.code == 1
    assert (
        f"{naloxone}/{SPEC}:1:1: drawing this chart ran out of its memory limit, 300 MB "
        "(raise it with --memory-limit MB)"
        in [line.removeprefix("error: ") for line in run.error_lines]
    ), run.err
    assert (tmp_path / "out" / "minimal.en.pdf").is_file()
    assert not (tmp_path / "out" / "naloxone.en.pdf").exists()
