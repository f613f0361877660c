"""What the fit stage costs: layouts per edition and time against a single layout.

    .venv/bin/python bench/fit.py            # about a minute

Cases: the sample as it is (Letter: one layout), in A4 (Spanish needs a note
carried to the next page), with the Spanish 8% longer (copyfitted a little:
it first tries the carry, which overflows) and 15% longer (copyfitted to level
6 of 7). Each row prints the layouts fit made and the time of the fitted
edition as a multiple of one plain layout of the same HTML. Best of three,
wall-clock.

Then whole builds (`make_pdf.py --force`, no build server, both languages, each
round of the pool included): the sample, and the sample with both languages
15% longer, as a multiple of the sample's time. Best of two.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factsheet.errors import Pos  # noqa: E402
from factsheet.layout.fit import fit_layout  # noqa: E402
from factsheet.layout.pdf import lay_out  # noqa: E402
from factsheet.model import LayoutSettings  # noqa: E402
from factsheet.options import Make, Options  # noqa: E402
from factsheet.pipeline import sheet_html  # noqa: E402
from tests.test_fit_variants import lengthen  # noqa: E402

SAMPLE = ROOT / "sheets" / "decriminalization"


def best_of(runs: int, action) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return min(times), result


def measure(folder: Path, paper: str, lang: str) -> tuple[str, str]:
    options = Options(sheets=(folder,), make=Make(paper=paper))
    sheet, html = sheet_html(folder, lang, options)

    def once(settings: LayoutSettings | None = None):
        return lay_out(
            html, sheet.root, Pos("bench"), paper, settings=[settings or LayoutSettings()]
        )

    once()  # warm up fonts and imports
    single, _ = best_of(3, once)
    budget = sheet.config.pages
    fitted_time, fitted = best_of(3, lambda: fit_layout(once, budget))
    what = f"level {fitted.settings.level}, {len(fitted.settings.breaks)} carried"
    return (
        f"{fitted.layouts} layouts ({what})",
        f"{fitted_time:.2f} s vs {single:.2f} s: {fitted_time / single:.1f}x",
    )


def longer_copy(temp: Path, name: str, ratio: float, langs: tuple[str, ...]) -> Path:
    """The sample in `temp/name/decriminalization`, its `langs` files `ratio` longer."""
    folder = temp / name / SAMPLE.name
    shutil.copytree(SAMPLE, folder)
    for lang in langs:
        path = folder / f"{lang}.yaml"
        path.write_text(lengthen(path.read_text(encoding="utf-8"), ratio), encoding="utf-8")
    return folder


def build_time(folder: Path, out: Path) -> float:
    """Best of two whole builds of one sheet, both languages, from a new process."""
    command = [sys.executable, str(ROOT / "make_pdf.py"), str(folder), "--force", "--out", str(out)]
    env = {**os.environ, "FACTSHEET_SERVER": "off"}
    seconds, _ = best_of(
        2, lambda: subprocess.run(command, env=env, capture_output=True, check=True)
    )
    return seconds


def rows() -> list[tuple[str, str, str]]:
    found = []
    with tempfile.TemporaryDirectory() as name:
        temp = Path(name)
        longer = longer_copy(temp, "es8", 0.08, ("es",))
        longest = longer_copy(temp, "both15", 0.15, ("en", "es"))
        for case, folder, paper in [
            ("sample es, Letter", SAMPLE, "letter"),
            ("sample es, A4 (a note to carry)", SAMPLE, "a4"),
            ("sample es 8% longer, Letter (copyfit)", longer, "letter"),
            ("sample es 15% longer, Letter (copyfit, level 6)", longest, "letter"),
        ]:
            found.append((f"fit: {case}", *measure(folder, paper, "es")))
        plain = build_time(SAMPLE, temp / "out-plain")
        fitted = build_time(longest, temp / "out-fitted")
        found.append(("fit: build, sample (no fitting)", "en + es", f"{plain:.2f} s: 1.0x"))
        found.append((
            "fit: build, sample 15% longer (level 6)", "en + es",
            f"{fitted:.2f} s: {fitted / plain:.1f}x (goal: at most 3x)",
        ))  # fmt: skip
    return found


if __name__ == "__main__":
    print("| case | layouts | fitted vs one layout |")
    print("| --- | --- | --- |")
    for row in rows():
        print("| " + " | ".join(row) + " |")
