"""Lighthouse (mobile profile: a slow 4G phone) on the sample's web pages, served
from localhost, in the Chromium the tests use. Writes bench/LIGHTHOUSE.md.

    make bench-web      # installs Lighthouse (npm) into bench/node_modules, then runs this

Goals (issue #18): page weight <= 200 KiB, performance >= 0.95, accessibility,
best practices and SEO 1.0.
"""

from __future__ import annotations

import datetime
import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOALS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def audit(url: str, chrome: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
             f"--chrome-flags={CHROME_FLAGS}"],
            check=True, env={"CHROME_PATH": chrome, "PATH": "/usr/bin:/bin"}, timeout=300,
        )  # fmt: skip
        return json.loads(report.read_text(encoding="utf-8"))


def main() -> int:
    chrome = shutil.which("chromium")
    if not LIGHTHOUSE.exists() or not chrome:
        print("skipped: Lighthouse or chromium missing (make bench-web installs Lighthouse)")
        return 0
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, str(ROOT / "make_pdf.py"), str(ROOT / "sheets" / "decriminalization"),
             "--out", out, "--html"],
            check=True, capture_output=True,
        )  # fmt: skip
        server = serve(Path(out))
        rows = []
        try:
            for lang in ("en", "es"):
                url = f"http://127.0.0.1:{server.server_port}/decriminalization.{lang}.html"
                result = audit(url, chrome)
                scores = {c: result["categories"][c]["score"] for c in CATEGORIES}
                weight = result["audits"]["total-byte-weight"]["numericValue"] / 1024
                paint = result["audits"]["largest-contentful-paint"]["numericValue"] / 1000
                met = (
                    weight <= 200
                    and paint <= 2.5
                    and all(scores[c] >= GOALS[c] for c in CATEGORIES)
                )
                rows.append(
                    f"| {lang} | {weight:.0f} KiB | {paint:.1f} s | "
                    + " | ".join(f"{scores[c]:.2f}" for c in CATEGORIES)
                    + f" | {'yes' if met else '**no**'} |"
                )
        finally:
            server.shutdown()
    table = [
        "# Lighthouse on the web pages",
        "",
        f"Measured by `bench/lighthouse.py` on {datetime.date.today()}: Lighthouse "
        f"{result['lighthouseVersion']}, mobile profile (simulated slow 4G), pages served from "
        "localhost.",
        "",
        "| page | weight | largest contentful paint | performance | accessibility "
        "| best practices | SEO | goals met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "Goals: weight <= 200 KiB, LCP <= 2.5 s, performance >= 0.95, the rest 1.0.",
        "",
    ]
    text = "\n".join(table)
    (ROOT / "bench" / "LIGHTHOUSE.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
