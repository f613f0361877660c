"""What the fit stage costs: layouts per edition and time against a single layout.

    .venv/bin/python bench/fit.py            # about half a minute

Cases: the sample as it is (Letter: one layout), in A4 (Spanish needs a note
carried to the next page) and with the Spanish 8% longer (copyfitted). Each
row prints the layouts fit made and the time of the fitted edition as a
multiple of one plain layout of the same HTML. Best of three, wall-clock.
"""

from __future__ import annotations

import shutil
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


def rows() -> list[tuple[str, str, str]]:
    found = []
    with tempfile.TemporaryDirectory() as temp:
        longer = Path(temp) / "decriminalization"
        shutil.copytree(SAMPLE, longer)
        spanish = longer / "es.yaml"
        spanish.write_text(lengthen(spanish.read_text(encoding="utf-8"), 0.08), encoding="utf-8")
        for name, folder, paper in [
            ("sample es, Letter", SAMPLE, "letter"),
            ("sample es, A4 (a note to carry)", SAMPLE, "a4"),
            ("sample es 8% longer, Letter (copyfit)", longer, "letter"),
        ]:
            found.append((f"fit: {name}", *measure(folder, paper, "es")))
    return found


if __name__ == "__main__":
    print("| case | layouts | fitted vs one layout |")
    print("| --- | --- | --- |")
    for row in rows():
        print("| " + " | ".join(row) + " |")
