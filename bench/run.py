"""Benchmarks: print a table of measured ratios and write bench/RESULTS.md.

    .venv/bin/python bench/run.py            # about two minutes on 2 cores

Goals (issue: fast, safe batch builds):
- --jobs 2 at least 1.7x faster than --jobs 1 over 20 sheets;
- a no-op rebuild of the whole set in under 0.3 s, WeasyPrint never imported;
- the pipeline adds at most 15% over a bare WeasyPrint render of the same HTML and CSS;
- the two-page sample renders faster than headless Chromium's print-to-PDF of it.
Also what fitting costs (bench/fit.py): layouts made, against one plain layout.

Timings are wall-clock on a shared machine: each is the best of a few runs.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from factsheet.build import build  # noqa: E402
from factsheet.cite import cite_notes  # noqa: E402
from factsheet.i18n import load_localizer  # noqa: E402
from factsheet.options import Options  # noqa: E402
from factsheet.plan import plan  # noqa: E402
from factsheet.render import render_html  # noqa: E402

SAMPLE = ROOT / "sheets" / "decriminalization"
SHEETS = 20


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def make_sheets(folder: Path) -> list[Path]:
    sheets = []
    for number in range(1, SHEETS + 1):
        sheet = folder / f"sheet{number:02d}"
        shutil.copytree(SAMPLE, sheet)
        sheets.append(sheet)
    return sheets


def parallel_speedup(sheets: list[Path], out: Path) -> tuple[float, float]:
    def run(jobs: int) -> None:
        report = build(Options(sheets=tuple(sheets), out=out, jobs=jobs, force=True))
        assert report.ok, report.problems

    serial = best_of(1, lambda: run(1))
    parallel = best_of(2, lambda: run(2))
    return serial, parallel


def noop_rebuild(sheets: list[Path], out: Path) -> tuple[float, bool]:
    build(Options(sheets=tuple(sheets), out=out, jobs=2))  # make sure all is current
    command = [sys.executable, str(ROOT / "make_pdf.py"), "--out", str(out)]
    command += [str(s) for s in sheets]

    def run() -> None:
        subprocess.run(command, check=True, capture_output=True)

    seconds = best_of(5, run)
    traced = [sys.executable, "-X", "importtime", *command[1:]]
    imports = subprocess.run(traced, check=True, capture_output=True, text=True).stderr
    return seconds, "weasyprint" in imports


def sample_html(lang: str) -> tuple[str, object]:
    planned = plan(Options(sheets=(SAMPLE,)))
    task = next(t for t in planned.tasks if t.name.endswith(f".{lang}"))
    sheet, doc = task.sheet, task.docs[0]
    cites = cite_notes(doc.notes, sheet.sources, sheet.config.citation_style, lang, None)
    return render_html(sheet.config, doc, cites, load_localizer(lang)[0]), sheet


def weasyprint_stylesheets(extra: str = "") -> tuple[list, object]:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from factsheet.paths import STYLES_DIR, font_faces_css
    from factsheet.pdf import STYLESHEETS

    fonts = FontConfiguration()
    sheets = [weasyprint.CSS(string=font_faces_css(), font_config=fonts)]
    sheets += [weasyprint.CSS(filename=str(STYLES_DIR / n), font_config=fonts) for n in STYLESHEETS]
    sheets.append(weasyprint.CSS(string="@page { size: letter; }" + extra, font_config=fonts))
    return sheets, fonts


def pipeline_overhead(out: Path) -> tuple[float, float]:
    """The whole per-language pipeline against WeasyPrint alone on its HTML."""
    import weasyprint

    html, _ = sample_html("en")

    def bare() -> None:
        stylesheets, fonts = weasyprint_stylesheets()
        document = weasyprint.HTML(string=html, base_url=str(SAMPLE) + "/")
        document.write_pdf(stylesheets=stylesheets, font_config=fonts, pdf_variant="pdf/ua-1")

    def pipeline() -> None:
        report = build(Options(sheets=(SAMPLE,), out=out, jobs=1, force=True, langs=("en",)))
        assert report.ok

    bare()  # warm up imports and font caches for both
    pipeline()
    runs = 5
    return best_of(runs, pipeline), best_of(runs, bare)


def multicolumn_cost() -> tuple[float, float]:
    """Layout of the sample with its long list in two columns (a copyfit step) and
    the sources in two, against both in one column."""
    import weasyprint

    html, _ = sample_html("es")
    columns = ":root { --list-columns: 2; }"
    plain = ".section ul.long, .sources ul { columns: auto; }"

    def render(extra: str) -> float:
        stylesheets, fonts = weasyprint_stylesheets(extra)
        document = weasyprint.HTML(string=html, base_url=str(SAMPLE) + "/")
        return best_of(5, lambda: document.render(stylesheets=stylesheets, font_config=fonts))

    return render(columns), render(plain)


def chromium_comparison(folder: Path) -> tuple[float, float] | None:
    """Headless Chromium's print-to-PDF of the same HTML against WeasyPrint's CLI,
    both as whole commands (each starts, lays out two pages and writes a PDF)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    from factsheet.paths import STYLES_DIR, font_faces_css
    from factsheet.pdf import STYLESHEETS

    html, _ = sample_html("en")
    css = font_faces_css() + "".join((STYLES_DIR / n).read_text() for n in STYLESHEETS)
    page = folder / "sample.html"
    page.write_text(html.replace("</head>", f"<style>{css}</style></head>"), encoding="utf-8")
    profile = folder / "chromium-profile"
    chromium_command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
        f"--print-to-pdf={folder / 'chromium.pdf'}", page.as_uri(),
    ]  # fmt: skip
    weasyprint_command = [
        str(Path(sys.executable).parent / "weasyprint"),
        str(page),
        str(folder / "weasy.pdf"),
    ]

    def run(command: list[str]) -> None:
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    run(chromium_command)  # first start creates the profile
    return best_of(3, lambda: run(weasyprint_command)), best_of(3, lambda: run(chromium_command))


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        sheets = make_sheets(folder / "sheets")
        out = folder / "out"

        serial, parallel = parallel_speedup(sheets, out)
        speedup = serial / parallel
        rows.append((f"--jobs 2 vs --jobs 1, {SHEETS} sheets x 2 languages",
                     f"{serial:.1f} s vs {parallel:.1f} s: {speedup:.2f}x", ">= 1.7x",
                     speedup >= 1.7))  # fmt: skip

        noop, loaded = noop_rebuild(sheets, out)
        rows.append((f"no-op rebuild of {SHEETS} sheets (whole command)",
                     f"{noop:.3f} s, WeasyPrint imported: {'yes' if loaded else 'no'}",
                     "< 0.3 s, not imported", noop < 0.3 and not loaded))  # fmt: skip

        pipeline, bare = pipeline_overhead(folder / "one")
        overhead = pipeline / bare - 1
        rows.append(("pipeline vs bare WeasyPrint, sample (en)",
                     f"{pipeline:.2f} s vs {bare:.2f} s: +{overhead:.0%}", "<= +15%",
                     overhead <= 0.15))  # fmt: skip

        with_columns, without = multicolumn_cost()
        result = f"{with_columns:.3f} s vs {without:.3f} s"
        rows.append(("layout with vs without two-column lists (es)", result, "—", None))

        from fit import rows as fit_rows  # bench/fit.py

        for name, layouts, ratio in fit_rows():
            rows.append((f"{name}: {layouts}", ratio, "first right layout wins", None))

        compared = chromium_comparison(folder)
        if compared is None:
            rows.append(("WeasyPrint vs headless Chromium print-to-PDF", "chromium not installed",
                         "WeasyPrint faster", None))  # fmt: skip
        else:
            weasy, chrome = compared
            rows.append(("WeasyPrint vs headless Chromium print-to-PDF (commands)",
                         f"{weasy:.2f} s vs {chrome:.2f} s: {chrome / weasy:.2f}x",
                         "WeasyPrint faster", weasy < chrome))  # fmt: skip

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        "# Benchmark results",
        "",
        f"Measured by `bench/run.py` on {time.strftime('%Y-%m-%d')} ({machine}).",
        "Best of several runs, wall-clock, on a shared machine.",
        "",
        "| measure | result | goal | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, result, goal, met in rows:
        verdict = "—" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {result} | {goal} | {verdict} |")
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
