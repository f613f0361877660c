"""Charts from data: a Vega-Lite spec in the sheet's `charts/` folder, its data
a CSV file of the sheet, its words from each language's file (`charts:`).

The body places a chart with `::: chart <id> Title`; the spec is
`charts/<id>.vl.json`. Drawn to SVG by vl-convert (Vega in an embedded
JavaScript engine, no browser), with numbers and dates as the language's
profile writes them (its CLDR number symbols and calendar). The data is read
here and handed to Vega inline, so a chart never fetches anything: a spec that
names a URL, or a file outside the sheet, is refused.

What a spec may say is an allowlist (chart_spec.py), the data is bounded
(MAX_ROWS, MAX_COLUMNS), the drawing runs in a child process under a time and a
memory limit (chart_draw.py; the run's --time-limit and --memory-limit),
and its SVG is sanitised before any page shows it (chart_svg.py).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import importlib.metadata
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.numbers import format_decimal

from factsheet.cache import cache_folder, read_entry, write_entry
from factsheet.document import chart_draw
from factsheet.document.chart_spec import check_spec
from factsheet.document.chart_svg import clean_svg
from factsheet.errors import FactsheetError, Pos, Problem, display_path
from factsheet.languages import LanguageProfile, profile
from factsheet.model import ChartWords, Content, Sheet
from factsheet.options import MEMORY_LIMIT_FLAG, TIME_LIMIT_FLAG, Run
from factsheet.paths import FONT_FILES, family_of

CHARTS_DIR = "charts"
SPEC_SUFFIX = ".vl.json"
MAX_DATA_BYTES = 1_000_000
MAX_SPEC_BYTES = 100_000
# A fact sheet's chart shows tens of values; Vega's time and memory grow with
# the rows (a 1 MB CSV took 466 s and 4.7 GB), so the data is bounded first.
MAX_ROWS = 5_000
MAX_COLUMNS = 50
# The drawing process's limits, each raised by an environment variable.
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
    if path.stat().st_size > MAX_SPEC_BYTES:
        message = f"larger than {MAX_SPEC_BYTES} bytes: a chart's spec is short"
        return None, [Problem(Pos(shown, 1, 1), message, code="file.too-large")]
    try:
        text = path.read_text(encoding="utf-8")
        spec = json.loads(text)
    except RecursionError:
        message = "nested too deeply: a chart's spec is simpler"
        return None, [Problem(Pos(shown, 1, 1), message, code="chart.spec")]
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
    refused = check_spec(spec, text, shown)
    if refused:
        return None, refused
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
        csv_text = csv_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return None, [
            Problem(
                at(name),
                f"data.url '{name}' is not UTF-8 text: save it as UTF-8",
                code="file.not-utf8",
            )
        ]
    over = past_limits(csv_text)
    if over is not None:
        line, message = over
        return None, [
            Problem(Pos(display_path(csv_path), line, 1), message, code="chart.data-limit")
        ]
    columns, rows = read_csv(csv_text)
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


def past_limits(text: str) -> tuple[int, str] | None:
    """The line of the first row past MAX_ROWS or with more than MAX_COLUMNS cells,
    and what is wrong there; read before the rows are made, so a CSV too big to
    draw costs nothing."""
    reader = csv.reader(io.StringIO(text))
    try:
        for index, row in enumerate(reader):
            if len(row) > MAX_COLUMNS:
                return reader.line_num, f"more than {MAX_COLUMNS} columns: a chart draws a few"
            if index > MAX_ROWS:  # the header, then MAX_ROWS rows
                message = f"more than {MAX_ROWS} rows of data: a chart draws fewer (sum them first)"
                return reader.line_num, message
    except csv.Error as exc:  # a cell longer than the csv module's field limit
        return reader.line_num, f"not a CSV file a chart can read: {exc}"
    return None


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


@dataclass(frozen=True)
class ChartLimits:
    """How long (wall-clock seconds) the drawing process may run and how much
    memory it may write to: the run's limits for an edition (options.Run)."""

    seconds: float = Run.time_limit
    memory_mb: int = Run.memory_limit

    @staticmethod
    def of(run: Run) -> ChartLimits:
        return ChartLimits(run.time_limit, run.memory_limit)


@dataclass(frozen=True)
class ToDraw:
    """One chart to draw: its full spec and the house look, in one language."""

    id: str
    spec_path: str
    spec: dict
    config: dict


def svgs_of(
    charts: list[ToDraw], language: LanguageProfile, limits: ChartLimits
) -> dict[str, str | Problem]:
    """Each chart's SVG as vl-convert draws it (or why it cannot), kept in the
    user's cache: the drawing process takes about 0.6 s to start, and an unchanged
    chart need not start it. Those not in the cache are drawn in one child process;
    past a limit, that raises FactsheetError naming it."""
    numbers, dates = language.vega_number_locale(), language.vega_time_locale()
    version = importlib.metadata.version("vl-convert-python")
    folder = cache_folder("charts")
    found: dict[str, str | Problem] = {}
    missing: dict[str, tuple[ToDraw, str, str]] = {}  # id -> chart, entry name, inputs
    for chart in charts:
        inputs = [chart.spec, chart.config, numbers, dates, version]
        made_from = json.dumps(inputs, sort_keys=True)
        name = f"{hashlib.sha256(made_from.encode()).hexdigest()[:32]}.svg"
        kept = read_entry(folder, name, made_from, lambda entry: entry.data.decode("utf-8"))
        if kept is not None:
            found[chart.id] = kept
        else:
            missing[chart.id] = (chart, name, made_from)
    if not missing:
        return found
    request = {
        "memory": limits.memory_mb * 2**20,
        "charts": [
            {"id": c.id, "spec": c.spec, "config": c.config, "numbers": numbers, "dates": dates}
            for c, _, _ in missing.values()
        ],
    }
    results = run_drawing(request, {c.id: c.spec_path for c, _, _ in missing.values()}, limits)
    for (chart, name, made_from), result in zip(missing.values(), results, strict=True):
        if "svg" in result:
            found[chart.id] = result["svg"]
            write_entry(folder, name, made_from, result["svg"].encode())
        else:
            found[chart.id] = Problem(
                Pos(chart.spec_path, 1, 1),
                f"Vega-Lite cannot draw this spec: {vega_reason(result['error'])}",
                code="chart.draw",
            )
    return found


def run_drawing(request: dict, spec_paths: dict[str, str], limits: ChartLimits) -> list[dict]:
    """chart_draw.py in a child process, under the limits; its results in order."""
    command = [sys.executable, "-I", chart_draw.__file__]
    first = Pos(next(iter(spec_paths.values())), 1, 1)
    try:
        run = subprocess.run(
            command, input=json.dumps(request).encode(), capture_output=True,
            timeout=limits.seconds, env={}, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        started = (exc.stderr or b"").decode(errors="replace").split()
        where = Pos(spec_paths.get(started[-1], first.path), 1, 1) if started else first
        message = (
            f"drawing this chart took longer than its time limit, {limits.seconds:g} s "
            f"(raise it with {TIME_LIMIT_FLAG} SECONDS)"
        )
        raise FactsheetError([Problem(where, message, code="chart.time-limit")]) from None
    if run.returncode == 0:
        return json.loads(run.stdout)
    said = run.stderr.decode(errors="replace")
    started = [line for line in said.splitlines() if line in spec_paths]
    where = Pos(spec_paths[started[-1]], 1, 1) if started else first
    if run.returncode < 0 or "out of memory" in said or "MemoryError" in said:
        message = (
            f"drawing this chart ran out of its memory limit, {limits.memory_mb} MB "
            f"(raise it with {MEMORY_LIMIT_FLAG} MB)"
        )
        code = "chart.memory-limit"
    else:
        last = [line for line in said.splitlines() if line.strip()][-1:] or ["no message"]
        message = f"the chart-drawing process failed (exit {run.returncode}): {last[0]}"
        code = "chart.draw"
    raise FactsheetError([Problem(where, message, code=code)])


def vega_reason(error: str) -> str:
    """vl-convert's message, then a JavaScript stack: the message."""
    lines = [line.strip() for line in error.splitlines()]
    said = [line for line in lines[1:] if line and not line.startswith("at ")]
    reason = said[0] if said else (lines[0] if lines and lines[0] else "unknown error")
    if reason.startswith("TypeError"):
        reason = f"check each mark type and channel name ({reason})"
    return reason


def spec_to_draw(data: ChartData, words: ChartWords) -> tuple[dict, list[dict[str, object]]]:
    """The spec Vega draws in one language (its data inline, its titles and
    labels in the language's words), and the rows it draws."""
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
    return spec, rows


def drawn_chart(
    data: ChartData, words: ChartWords, language: LanguageProfile, svg: str
) -> DrawnChart:
    """The chart as pages show it: the SVG sanitised, and its data as a table."""
    _, rows = spec_to_draw(data, words)
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
    try:
        safe = clean_svg(svg)
    except ValueError as exc:  # not what vl-convert writes: a damaged cache entry, say
        problem = Problem(
            Pos(data.spec_path, 1, 1), f"cannot show this chart: {exc}", code="chart.svg"
        )
        raise FactsheetError([problem]) from None
    return DrawnChart(data.id, safe, " ".join(words.alt.value.split()), headers, cells)


def draw_chart(
    data: ChartData,
    words: ChartWords,
    language: LanguageProfile,
    colors: dict[str, str],
    sans: str = family_of(FONT_FILES, "sans"),
    limits: ChartLimits = ChartLimits(),
) -> DrawnChart:
    """One chart in one language, as SVG; raises FactsheetError when it cannot be
    drawn (with Vega-Lite's message, or the limit it went past)."""
    spec, _ = spec_to_draw(data, words)
    chart = ToDraw(data.id, data.spec_path, spec, chart_config(colors, sans))
    svg = svgs_of([chart], language, limits)[data.id]
    if isinstance(svg, Problem):
        raise FactsheetError([svg])
    return drawn_chart(data, words, language, svg)


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
    sheet: Sheet, lang: str, colors: dict[str, str], sans: str, limits: ChartLimits = ChartLimits()
) -> dict[str, DrawnChart]:
    """Every chart one language places, drawn, its numbers as the language's profile
    writes them (with the sheet's `locales:`: the locale the translation checks read
    numbers in); problems raise FactsheetError."""
    language = profile(lang, sheet.config.locales.get(lang))
    content = sheet.contents[lang]
    words = {chart.id: chart for chart in content.charts}
    read: dict[str, ChartData] = {}
    problems = []
    for chart_id, where in placed_charts(content):
        data, found = read_chart(sheet.root, chart_id, where)
        problems += found
        if data is not None and chart_id in words:
            read.setdefault(chart_id, data)
    if problems:
        raise FactsheetError(problems)
    if not read:
        return {}
    config = chart_config(colors, sans)
    to_draw = [
        ToDraw(chart_id, data.spec_path, spec_to_draw(data, words[chart_id])[0], config)
        for chart_id, data in read.items()
    ]
    svgs = svgs_of(to_draw, language, limits)
    problems = [svg for svg in svgs.values() if isinstance(svg, Problem)]
    if problems:
        raise FactsheetError(problems)
    return {
        chart_id: drawn_chart(data, words[chart_id], language, str(svgs[chart_id]))
        for chart_id, data in read.items()
    }
