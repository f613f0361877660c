"""Charts from data: a Vega-Lite spec in the sheet's `charts/` folder, its data
a CSV file of the sheet, its words from each language's file (`charts:`).

The body places a chart with `::: chart <id> Title`; the spec is
`charts/<id>.vl.json`. Drawn to SVG by vl-convert (Vega in an embedded
JavaScript engine, no browser), with numbers and dates as the language's
profile writes them (its CLDR number symbols and calendar). The data is read
here and handed to Vega inline, so a chart never fetches anything: a spec that
names a URL, or a file outside the sheet, is refused.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import importlib.metadata
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from babel.numbers import format_decimal

from factsheet.cache import cache_folder, read_entry, write_entry
from factsheet.errors import Pos, Problem, display_path
from factsheet.languages import LanguageProfile, profile
from factsheet.model import ChartWords, Content, Sheet
from factsheet.paths import FONT_FILES, family_of

CHARTS_DIR = "charts"
SPEC_SUFFIX = ".vl.json"
MAX_DATA_BYTES = 1_000_000
CHART_FENCE = re.compile(r"^[ \t]*:::[ \t]*chart\b[ \t]*([^\s]*)", re.M)
CHANNELS_WITH_TITLES = ("x", "y", "color", "size", "shape", "opacity", "theta", "x2", "y2")
# Sizes in CSS px (0.75 pt): the chart is drawn as wide as the text column of a
# Letter page and scaled down a little on A4, so its type stays near 8 pt.
WIDTH = 660
HEIGHT = 170


@dataclass(frozen=True)
class ChartData:
    """A chart's spec and data, shared by every language."""

    id: str
    spec_path: str
    spec: dict
    columns: list[str]
    rows: list[dict[str, object]]  # numbers as numbers, as Vega expects


@dataclass(frozen=True)
class DrawnChart:
    """A chart in one language: the SVG and, for screen readers, its data."""

    id: str
    svg: str
    alt: str
    headers: list[str]
    rows: list[list[str]]


def placed_charts(content: Content) -> list[tuple[str, Pos]]:
    """The charts a language's body places (`::: chart <id>`), in reading order."""
    found = []
    for text in [content.summary, *(s.body for s in content.sections)]:
        for fence in CHART_FENCE.finditer(text.value):
            found.append((fence[1], text.pos_at(fence.start(1))))
    return found


def read_chart(folder: Path, chart_id: str, where: Pos) -> tuple[ChartData | None, list[Problem]]:
    """The spec `charts/<id>.vl.json` and its CSV data, checked."""
    path = folder / CHARTS_DIR / f"{chart_id}{SPEC_SUFFIX}"
    shown = display_path(path)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", chart_id):
        message = f"'::: chart' needs a chart name (a-z, 0-9, -), not '{chart_id}'"
        return None, [Problem(where, message, code="chart.name")]
    if not path.is_file():
        known = sorted(
            p.name.removesuffix(SPEC_SUFFIX) for p in path.parent.glob(f"*{SPEC_SUFFIX}")
        )
        charts = f" (charts: {', '.join(known)})" if known else ""
        return None, [
            Problem(where, f"chart '{chart_id}': there is no {shown}{charts}", code="chart.unknown")
        ]
    try:
        text = path.read_text(encoding="utf-8")
        spec = json.loads(text)
    except UnicodeDecodeError:
        return None, [
            Problem(Pos(shown, 1, 1), "not UTF-8 text: save it as UTF-8", code="file.not-utf8")
        ]
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                Pos(shown, exc.lineno, exc.colno), f"not valid JSON: {exc.msg}", code="chart.json"
            )
        ]
    if not isinstance(spec, dict):
        return None, [
            Problem(Pos(shown, 1, 1), "a Vega-Lite spec is a JSON object", code="chart.spec")
        ]

    def at(needle: str) -> Pos:
        offset = max(text.find(needle), 0)
        line = text.count("\n", 0, offset) + 1
        return Pos(shown, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)

    data = spec.get("data")
    name = data.get("url") if isinstance(data, dict) else None
    remote = [u for u in urls_in(spec) if u is not name]
    if remote:
        return None, [
            Problem(
                at(remote[0]),
                f"'{remote[0]}': a chart takes its data from "
                "one CSV file of the sheet, named in data.url",
                code="chart.remote-data",
            )
        ]
    if not isinstance(name, str) or set(data) - {"url", "format"}:
        return None, [
            Problem(
                at('"data"') if data else Pos(shown, 1, 1),
                'data: name the CSV file of the sheet it reads, "data": {"url": "deaths.csv"}',
                code="chart.data",
            )
        ]
    csv_path = (folder / name).resolve()
    if "://" in name or name.startswith("//") or not csv_path.is_relative_to(folder.resolve()):
        folder_name = display_path(folder)
        message = f"data.url '{name}': a chart reads only a CSV file in {folder_name}, never a URL"
        return None, [Problem(at(name), message, code="chart.remote-data")]
    if csv_path.suffix.lower() != ".csv" or not csv_path.is_file():
        return None, [
            Problem(
                at(name),
                f"data.url '{name}': no CSV file {display_path(folder / name)}",
                code="file.not-found",
            )
        ]
    if csv_path.stat().st_size > MAX_DATA_BYTES:
        return None, [
            Problem(
                at(name),
                f"data.url '{name}' is larger than {MAX_DATA_BYTES} bytes",
                code="file.too-large",
            )
        ]
    try:
        columns, rows = read_csv(csv_path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        return None, [
            Problem(
                at(name),
                f"data.url '{name}' is not UTF-8 text: save it as UTF-8",
                code="file.not-utf8",
            )
        ]
    problems = [
        Problem(
            at(f'"{field}"'),
            f"field '{field}' is not a column of {name} (columns: {', '.join(columns)})",
            code="chart.unknown-field",
        )
        for field in encoded_fields(spec)
        if field not in columns
    ]
    if not rows:
        problems.append(Problem(at(name), f"{name} has no rows of data", code="chart.no-rows"))
    chart = ChartData(chart_id, shown, spec, columns, rows)
    return (None if problems else chart), problems


def read_csv(text: str) -> tuple[list[str], list[dict[str, object]]]:
    """Header and rows; a cell written as a plain number (70630, 39.4) becomes one."""
    reader = csv.DictReader(io.StringIO(text))
    rows = [{k: as_number(v or "") for k, v in row.items() if k is not None} for row in reader]
    return list(reader.fieldnames or []), rows


def as_number(cell: str) -> object:
    if re.fullmatch(r"-?\d+", cell.strip()):
        return int(cell)
    if re.fullmatch(r"-?\d*\.\d+", cell.strip()):
        return float(cell)
    return cell


def urls_in(value: object) -> list[str]:
    """Every `url` (data, images, …) a spec names, wherever it is nested."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in ("url", "href") and isinstance(v, str)]
        return found + [u for v in value.values() for u in urls_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in urls_in(v)]
    return []


def channels(spec: dict) -> list[dict]:
    """The encoding channels of a spec and of its layers."""
    return [
        channel
        for part in [spec, *spec.get("layer", [])]
        for channel in (part.get("encoding") or {}).values()
        if isinstance(channel, dict)
    ]


def encoded_fields(spec: dict) -> list[str]:
    """The data columns a spec's encodings (and its layers') name."""
    found = [c["field"] for c in channels(spec) if isinstance(c.get("field"), str)]
    return list(dict.fromkeys(found))


def check_charts(sheet: Sheet) -> list[Problem]:
    """Every placed chart has a spec, data and its words in each language; each
    language's `charts:` describes only charts it places, and names only data
    columns and values there are."""
    problems: list[Problem] = []
    read: dict[str, ChartData | None] = {}
    reference = sheet.contents[sheet.config.languages[0]]
    for content in sheet.contents.values():
        placed = placed_charts(content)
        words = {chart.id: chart for chart in content.charts}
        for chart_id, where in placed:
            if chart_id not in read:
                read[chart_id], found = read_chart(sheet.root, chart_id, where)
                problems += found
            data = read[chart_id]
            if data is None:
                continue  # said once, above
            if chart_id not in words:
                problems.append(
                    Problem(
                        where,
                        f"chart '{chart_id}' has no words in "
                        f"{Path(content.path).name}: add charts.{chart_id} "
                        "with its alt text and field titles",
                        code="chart.no-words",
                    )
                )
            else:
                problems += check_words(words[chart_id], data)
                problems += missing_labels(reference, words[chart_id])
        ids = {chart_id for chart_id, _ in placed}
        problems += [
            Problem(
                chart.pos,
                f"charts.{chart.id}: no '::: chart {chart.id}' in the body",
                code="chart.not-placed",
            )
            for chart in content.charts
            if chart.id not in ids
        ]
    return problems


def missing_labels(reference: Content, words: ChartWords) -> list[Problem]:
    """A data value the reference language labels, which a translation does not:
    the chart would print it as the CSV has it, in the reference's words."""
    labelled = next((c.labels for c in reference.charts if c.id == words.id), {})
    name = Path(reference.path).name
    return [
        Problem(
            words.pos,
            f"charts.{words.id}.labels: no label for '{value}', "
            f"which {name} labels '{labelled[value].value.strip()}'",
            code="chart.label-missing",
        )
        for value in labelled
        if value not in words.labels
    ]


def check_words(words: ChartWords, data: ChartData) -> list[Problem]:
    problems = []
    if not words.alt.value.strip():
        problems.append(
            Problem(
                words.alt.pos, f"charts.{words.id}.alt: say what the chart shows", code="chart.alt"
            )
        )
    for field in encoded_fields(data.spec):
        if field not in words.fields:
            problems.append(
                Problem(
                    words.pos,
                    f"charts.{words.id}.fields: no title for data column '{field}'",
                    code="chart.field-title",
                )
            )
    values = {str(row.get(c)) for row in data.rows for c in data.columns}
    for name, text in words.fields.items():
        if name not in data.columns:
            columns = ", ".join(data.columns)
            message = f"charts.{words.id}.fields.{name}: no such column (columns: {columns})"
            problems.append(Problem(text.pos, message, code="chart.unknown-field"))
    for value, text in words.labels.items():
        if value not in values:
            problems.append(
                Problem(
                    text.pos,
                    f"charts.{words.id}.labels.{value}: no cell of the data holds that value",
                    code="chart.unknown-value",
                )
            )
    return problems


def svg_of(spec: dict, config: dict, language: LanguageProfile) -> str:
    """The SVG vl-convert draws, kept in the user's cache: its engine takes about
    0.5 s to start in each process, and an unchanged chart need not start it."""
    numbers, dates = language.vega_number_locale(), language.vega_time_locale()
    inputs = [spec, config, numbers, dates, importlib.metadata.version("vl-convert-python")]
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    folder, name = cache_folder("charts"), f"{digest[:32]}.svg"
    kept = read_entry(folder, name, digest, lambda entry: entry.data.decode("utf-8"))
    if kept is not None:
        return kept
    import vl_convert  # a JavaScript engine: loaded only when a chart must be drawn

    svg = vl_convert.vegalite_to_svg(
        spec,
        config=config,
        allowed_base_urls=[],
        format_locale=numbers,
        time_format_locale=dates,
    )
    write_entry(folder, name, digest, svg.encode())
    return svg


def draw_chart(
    data: ChartData,
    words: ChartWords,
    language: LanguageProfile,
    colors: dict[str, str],
    sans: str = family_of(FONT_FILES, "sans"),
) -> DrawnChart:
    """One chart in one language, as SVG; raises ValueError when Vega-Lite cannot
    draw the spec (with its message)."""
    labels = {value: text.value.strip() for value, text in words.labels.items()}
    rows = [
        {k: labels.get(str(v), v) if isinstance(v, str) else v for k, v in row.items()}
        for row in data.rows
    ]
    spec = copy.deepcopy(data.spec)
    spec["data"] = {"values": rows}
    for channel in channels(spec):
        if channel.get("field") in words.fields:
            channel.setdefault("title", words.fields[channel["field"]].value.strip())
        if channel.get("type") in ("nominal", "ordinal"):
            channel.setdefault("sort", None)  # categories in the CSV's order
    spec.setdefault("width", WIDTH)
    spec.setdefault("height", HEIGHT)
    spec.setdefault("autosize", {"type": "fit", "contains": "padding"})
    svg = svg_of(spec, chart_config(colors, sans), language)
    headers = [words.fields[c].value.strip() if c in words.fields else c for c in data.columns]
    amounts = quantities(data.spec)
    cells = [
        [
            format_decimal(row[c], locale=language.number_locale)
            if c in amounts and isinstance(row[c], (int, float))
            else str(row[c])
            for c in data.columns
        ]
        for row in rows
    ]
    return DrawnChart(data.id, svg, " ".join(words.alt.value.split()), headers, cells)


def quantities(spec: dict) -> set[str]:
    """The columns encoded as amounts (years and categories stay as written)."""
    return {c["field"] for c in channels(spec) if c.get("type") == "quantitative"}


def chart_config(colors: dict[str, str], sans: str) -> dict:
    """The house look: the sheet's sans face and brand colour, no box around
    the plot, labels level (WeasyPrint spaces rotated SVG text unevenly)."""
    ink, muted, brand = colors["ink"], colors["muted"], colors["brand"]
    return {
        # The page labels the drawing as one image with the alt text; Vega's own
        # ARIA (in English, raw numbers) would let a screen reader step inside.
        "aria": False,
        "font": f"'{sans}', sans-serif",
        "background": None,
        "view": {"stroke": None},
        "mark": {"color": brand},
        "bar": {"color": brand},
        "line": {"color": brand, "strokeWidth": 2},
        "range": {"category": [brand, colors["accent"], muted, "#7a9cb0"]},
        "axis": {
            "labelFontSize": 11,
            "titleFontSize": 11,
            "labelColor": ink,
            "titleColor": ink,
            "titleFontWeight": 600,
            "domainColor": muted,
            "tickColor": muted,
            "gridColor": "#d8dde3",
        },
        "axisX": {"labelAngle": 0, "grid": False},
        "axisY": {
            "titleAngle": 0,
            "titleAlign": "left",
            "titleAnchor": "end",
            "titleBaseline": "bottom",
            "titleX": 0,
            "titleY": -8,
        },
        "legend": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": ink, "orient": "top"},
        "text": {"font": f"'{sans}', sans-serif", "fontSize": 11, "color": ink},
    }


def draw_charts(
    sheet: Sheet, lang: str, colors: dict[str, str], sans: str
) -> dict[str, DrawnChart]:
    """Every chart one language places, drawn, its numbers as the language's profile
    writes them (with the sheet's `locales:`: the locale the translation checks read
    numbers in); problems raise FactsheetError."""
    from factsheet.errors import FactsheetError

    language = profile(lang, sheet.config.locales.get(lang))
    content = sheet.contents[lang]
    words = {chart.id: chart for chart in content.charts}
    drawn: dict[str, DrawnChart] = {}
    problems = []
    for chart_id, where in placed_charts(content):
        data, found = read_chart(sheet.root, chart_id, where)
        problems += found
        if data is None or chart_id not in words or chart_id in drawn:
            continue
        try:
            drawn[chart_id] = draw_chart(data, words[chart_id], language, colors, sans)
        except (ValueError, RuntimeError) as exc:  # what vl-convert raises
            # vl-convert's message, then a JavaScript stack: keep the message.
            lines = [line.strip() for line in str(exc).splitlines()]
            said = [line for line in lines[1:] if line and not line.startswith("at ")]
            reason = said[0] if said else "unknown error"
            if reason.startswith("TypeError"):
                reason = f"check each mark type and channel name ({reason})"
            problems.append(
                Problem(
                    Pos(data.spec_path, 1, 1),
                    f"Vega-Lite cannot draw this spec: {reason}",
                    code="chart.draw",
                )
            )
    if problems:
        raise FactsheetError(problems)
    return drawn
