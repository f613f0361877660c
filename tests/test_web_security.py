"""Every web page carries a Content-Security-Policy that lets it load only its own
files, and in Debian's Chromium it makes no request outside its folder: the
sample's pages and naloxone's (a chart inlined as SVG). A page into which
markup that fetches was slipped fetches nothing (a local server counts)."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from factsheet.document.render import CONTENT_SECURITY_POLICY
from tests.test_charts import naloxone_build  # noqa: F401 - the fixture, shared


def visit(browser, path: Path) -> tuple[list[str], list[str]]:
    """The URLs a page requests as it loads, and the CSP violations it reports."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    # Playwright runs this before the page's own content, outside its CSP.
    page.add_init_script(
        "window.violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    violations = page.evaluate("window.violations")
    context.close()
    return requests, violations


def outside(url: str, folder: Path) -> bool:
    parsed = urlparse(url)
    if parsed.scheme == "data":
        return False
    return parsed.scheme != "file" or not Path(unquote(parsed.path)).is_relative_to(folder)


@pytest.fixture(scope="module")
def web_pages(sample_build, naloxone_build) -> list[Path]:  # noqa: F811 - a fixture
    pages = [sample_build / f"decriminalization.{lang}.html" for lang in ("en", "es")]
    pages += [naloxone_build / "letter" / f"naloxone.{lang}.html" for lang in ("en", "es")]
    assert all(page.is_file() for page in pages)
    return pages


def test_every_page_carries_the_policy(web_pages):
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    for page in web_pages:
        head = page.read_text(encoding="utf-8").split("<style>", 1)[0]
        assert meta.replace("'", "&#39;") in head, page  # before any style it governs


def test_each_page_loads_only_its_own_files(browser, web_pages):
    for page in web_pages:
        requests, violations = visit(browser, page)
        assert violations == [], page
        assert [url for url in requests if outside(url, page.parent)] == [], page
        fonts = [url for url in requests if url.endswith(".woff2")]
        assert fonts, f"{page}: the test saw none of the page's own font requests"


class Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []
    handler = type("Handler", (Counter,), {"hits": hits})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_markup_slipped_into_a_page_fetches_nothing(browser, naloxone_build, listener, tmp_path):  # noqa: F811
    """What the chart attack put into an inline SVG's style, and more, in a page:
    the policy blocks each fetch (the sanitiser and the spec allowlist come first)."""
    address, hits = listener
    built = naloxone_build / "letter"
    shutil.copytree(built / "fonts", tmp_path / "fonts")
    page = tmp_path / "naloxone.en.html"
    slipped = (
        f'<svg><g style="mix-blend-mode: multiply;cursor:url({address}/cursor);'
        f'background-image:url({address}/background)"><rect width="9" height="9"/></g></svg>'
        f'<div style="background-image:url({address}/div)">x</div>'
        f'<img src="{address}/img" alt=""><script src="{address}/script"></script>'
        f'<link rel="stylesheet" href="{address}/style.css">'
        f"<style>@font-face {{font-family: X; src: url({address}/font)}} p {{font-family: X}}"
        "</style>"
    )
    html = (built / page.name).read_text(encoding="utf-8")
    page.write_text(html.replace("<main>", "<main>" + slipped, 1), encoding="utf-8")
    _, violations = visit(browser, page)
    assert hits == []  # Playwright sees the attempts; none reaches the server
    blocked = " ".join(violations)
    for name in ("img", "script", "style.css", "div"):
        assert f"{address}/{name}" in blocked, violations
