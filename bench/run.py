"""Benchmarks: print a table of measured ratios and write bench/RESULTS.md.

    .venv/bin/python bench/run.py            # about two minutes on 2 cores

Goals (issues: fast, safe batch builds; faster than a browser, #13):
- --jobs 2 at least 1.7x faster than --jobs 1 over 20 sheets;
- a no-op rebuild of the whole set in under 0.3 s, WeasyPrint never imported;
- the pipeline at most 1.1x a bare WeasyPrint render of the same HTML and CSS;
- a warm PDF (a long-lived process: the --jobs workers, watch) in at most 0.35 s;
- the whole command for one language at most 1.0x headless Chromium's
  print-to-PDF of the same HTML (paired runs, medians);
- at least 2x faster than Paged.js (pagedjs-cli, on the system Chromium) on the
  same HTML; skipped with a line saying so when node or pagedjs-cli is missing
  (`make bench` installs it);
- 100 sheets x 2 languages, cold, --jobs 2, in under 45 s, each process under 150 MiB.
Also what fitting costs (bench/fit.py): layouts made, against one plain layout.

Timings are wall-clock on a shared machine: each is the best of a few runs.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every command measured here runs in a process of its own, but for the row that
# measures the build server (browser_comparison).
os.environ["FACTSHEET_SERVER"] = "off"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from factsheet.build.pool import warm_up  # noqa: E402
from factsheet.build.run import build  # noqa: E402
from factsheet.build.server import stop_servers  # noqa: E402
from factsheet.options import Make, Options, Run  # noqa: E402
from factsheet.pipeline import sheet_html  # noqa: E402

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
        report = build(Options(sheets=tuple(sheets), out=out, run=Run(jobs=jobs, force=True)))
        assert report.ok, report.problems

    serial = best_of(1, lambda: run(1))
    parallel = best_of(2, lambda: run(2))
    return serial, parallel


def noop_rebuild(sheets: list[Path], out: Path) -> tuple[float, bool]:
    build(Options(sheets=tuple(sheets), out=out, run=Run(jobs=2)))  # make sure all is current
    command = [sys.executable, str(ROOT / "make_pdf.py"), "--out", str(out)]
    command += [str(s) for s in sheets]

    def run() -> None:
        subprocess.run(command, check=True, capture_output=True)

    seconds = best_of(5, run)
    traced = [sys.executable, "-X", "importtime", *command[1:]]
    imports = subprocess.run(traced, check=True, capture_output=True, text=True).stderr
    return seconds, "weasyprint" in imports


def sample_html(lang: str) -> tuple[str, object]:
    sheet, html = sheet_html(SAMPLE, lang)
    return html, sheet


def weasyprint_stylesheets(extra: str = "") -> tuple[list, object]:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from factsheet.layout.instances import static_faces, static_font_faces_css
    from factsheet.layout.pdf import STYLESHEETS
    from factsheet.paths import STYLES_DIR

    fonts = FontConfiguration()
    sheets = [weasyprint.CSS(string=static_font_faces_css(static_faces()), font_config=fonts)]
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
        report = build(
            Options(
                sheets=(SAMPLE,), out=out, make=Make(langs=("en",)), run=Run(jobs=1, force=True)
            )
        )
        assert report.ok

    bare()  # warm up imports and font caches for both
    warm_up()  # as a long-lived process does: the worker each build forks starts warm
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


def sample_page(folder: Path) -> Path:
    """The sample's English HTML with its styles and fonts inlined, for browsers."""
    from factsheet.layout.instances import static_faces, static_font_faces_css
    from factsheet.layout.pdf import STYLESHEETS
    from factsheet.paths import STYLES_DIR

    html, _ = sample_html("en")
    css = static_font_faces_css(static_faces())
    css += "".join((STYLES_DIR / n).read_text() for n in STYLESHEETS)
    page = folder / "sample.html"
    page.write_text(html.replace("</head>", f"<style>{css}</style></head>"), encoding="utf-8")
    return page


def paired(
    commands: dict[str, list[str]], runs: int = 5, envs: dict[str, dict] | None = None
) -> dict:
    """Median wall time of each command, run in turn (a, b, a, b, ...) so that a
    busy moment on the machine weighs on both."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            env = (envs or {}).get(name)
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, timeout=300, env=env)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]  # fmt: skip


def browser_comparison(folder: Path) -> dict[str, float | None]:
    """Our whole command for one language, as a writer runs it day to day (its
    build server warm, factsheet/build/server.py) and in a process of its own, against
    headless Chromium's print-to-PDF and Paged.js of the same HTML (None: that tool
    is not installed)."""
    ours = [sys.executable, str(ROOT / "make_pdf.py"), str(SAMPLE), "--lang", "en",
            "--force", "--jobs", "1", "--out", str(folder / "ours")]  # fmt: skip
    runtime = folder / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    served = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    served.pop("FACTSHEET_SERVER", None)
    envs = {"ours": served, "ours-cold": {**os.environ, "FACTSHEET_SERVER": "off"}}
    subprocess.run([*ours[:2], "--version"], env=served, check=True, capture_output=True)
    for _ in range(100):  # the first run starts the server; it takes a few seconds
        if list(runtime.glob("factsheet/*.sock")):
            break
        time.sleep(0.1)
    commands = {"ours": ours, "ours-cold": ours}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    page = sample_page(folder)
    if chromium:
        profile, pdf = folder / "chromium-profile", folder / "chromium.pdf"
        commands["chromium"] = [chromium, "--headless", *CHROMIUM_FLAGS,
                                f"--user-data-dir={profile}", "--no-pdf-header-footer",
                                f"--print-to-pdf={pdf}", page.as_uri()]  # fmt: skip
        subprocess.run(commands["chromium"], check=True, capture_output=True)  # make the profile
    pagedjs = ROOT / "bench" / "node_modules" / ".bin" / "pagedjs-cli"
    if chromium and pagedjs.exists() and shutil.which("node"):
        envs["pagedjs"] = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
        commands["pagedjs"] = [str(pagedjs), str(page), "-o", str(folder / "paged.pdf"),
                               "--browserArgs", ",".join(CHROMIUM_FLAGS)]  # fmt: skip
    try:
        medians = paired(commands, envs=envs)
    finally:
        stop_servers(runtime)
    return {name: medians.get(name) for name in ("ours", "ours-cold", "chromium", "pagedjs")}


def hundred_sheets(folder: Path) -> tuple[float, float]:
    """100 copies of the sample, both languages, cold (a new process), --jobs 2:
    seconds, and the largest resident size of any of its processes in MiB."""
    sheets = folder / "hundred"
    for number in range(1, 101):
        shutil.copytree(SAMPLE, sheets / f"sheet{number:03d}")
    command = [sys.executable, str(ROOT / "make_pdf.py"), "--jobs", "2", "--force",
               "--out", str(folder / "hundred-out")]  # fmt: skip
    command += [str(sheet) for sheet in sorted(sheets.iterdir())]
    # Run through a small Python of its own: the largest resident size among the
    # children it waited for is then the build's alone (this process has run
    # Chromium, which would count too).
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(time.perf_counter() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")  # fmt: skip
    cold = {**os.environ, "FACTSHEET_SERVER": "off"}  # cold means no warm server either
    measured = subprocess.run([sys.executable, "-c", probe, *command], check=True,
                              capture_output=True, text=True, timeout=600, env=cold)  # fmt: skip
    seconds, peak = measured.stdout.split()
    return float(seconds), float(peak)


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
        ratio = pipeline / bare
        rows.append(("pipeline vs bare WeasyPrint, sample (en), in one process",
                     f"{pipeline:.2f} s vs {bare:.2f} s: {ratio:.2f}x", "<= 1.1x",
                     ratio <= 1.1))  # fmt: skip

        # The pipeline's best run is a warm PDF: the process built that sheet before.
        rows.append(("warm PDF, sample (en), a process that built it before",
                     f"{pipeline:.2f} s", "<= 0.35 s", pipeline <= 0.35))  # fmt: skip

        with_columns, without = multicolumn_cost()
        result = f"{with_columns:.3f} s vs {without:.3f} s"
        rows.append(("layout with vs without two-column lists (es)", result, "—", None))

        from fit import rows as fit_rows  # bench/fit.py

        for name, layouts, ratio in fit_rows():
            rows.append((f"{name}: {layouts}", ratio, "first right layout wins", None))

        times = browser_comparison(folder)
        for ours, how in (("ours", "build server warm"), ("ours-cold", "a process of its own")):
            for tool, label, goal, wanted in (
                ("chromium", "headless Chromium print-to-PDF", "<= 1.0x", 1.0),
                ("pagedjs", "Paged.js (pagedjs-cli)", ">= 2x faster", 0.5),
            ):
                name = f"whole command ({how}), sample (en), vs {label} (paired medians)"
                other, mine = times[tool], times[ours]
                if other is None or mine is None:
                    rows.append((name, f"skipped: {tool} not installed (make bench)", goal,
                                 None))  # fmt: skip
                    continue
                met = mine / other <= wanted if ours == "ours" else None  # the goal: day to day
                rows.append((name, f"{mine:.2f} s vs {other:.2f} s: {mine / other:.2f}x", goal,
                             met))  # fmt: skip

        seconds, peak = hundred_sheets(folder)
        rows.append(("100 sheets x 2 languages, cold, --jobs 2", f"{seconds:.1f} s", "< 45 s",
                     seconds < 45))  # fmt: skip
        rows.append(("largest process of that build (resident)", f"{peak:.0f} MiB",
                     "<= 150 MiB", peak <= 150))  # fmt: skip

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
