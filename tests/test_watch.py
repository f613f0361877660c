"""`make_pdf.py watch --serve`: a writer's save shows in the browser by itself."""

from __future__ import annotations

import http.client
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from factsheet.live.watcher import Rebuild, touched
from tests.conftest import ROOT, SAMPLE

WAIT_MS = 30_000  # generous: the speed goal is measured in bench/watch.py, not here


class Watching:
    """A `watch --serve` process and the lines it prints."""

    def __init__(self, folder: Path, out: Path) -> None:
        command = [sys.executable, str(ROOT / "make_pdf.py"), "watch", str(folder),
                   "--serve", "--port", "0", "--out", str(out)]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self.read, daemon=True).start()
        first = self.wait_for("preview at ")
        self.port = int(re.search(r":(\d+)/", first)[1])
        self.token = re.search(r"\?token=([\w-]+)", first)[1]
        self.wait_for("watching ")  # the first build is done

    def read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"watch never printed {text!r}; it printed: {self.seen}")
            self.seen.append(line)
            if text in line:
                return line

    def url(self, path: str) -> str:
        """The address a browser opens: the token makes it the preview's cookie."""
        return f"http://127.0.0.1:{self.port}{path}?token={self.token}"

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        cookie = {"Cookie": f"factsheet-preview-{self.port}={self.token}"}
        connection.request("GET", path, headers=cookie)  # as written: no client cleans up '..'
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status, response.getheader("Content-Type", "")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=20)


@pytest.fixture
def watching(tmp_path):
    folder = tmp_path / "decriminalization"
    shutil.copytree(SAMPLE, folder)
    watch = Watching(folder, tmp_path / "out")
    yield watch
    if watch.process.poll() is None:
        watch.process.kill()
        watch.process.wait()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_save_shows_in_the_preview_and_problems_come_and_go(watching, browser, tmp_path):
    es = tmp_path / "decriminalization" / "es.yaml"
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(watching.url("/sheet/decriminalization"))
    assert page.url == f"http://127.0.0.1:{watching.port}/sheet/decriminalization"
    spanish = page.locator("#lang-es .page-text")
    assert "ya han dado pasos en esta dirección" in " ".join(spanish.all_text_contents())
    assert re.fullmatch(r"es: 1\.\d\d of 2 pages", page.locator("#heading-es").inner_text())
    assert page.locator(".problems li.none").count() == 1

    edit(es, "ya han dado pasos en esta dirección", "ya avanzaron en esta dirección")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#lang-es .page-text')]"
        ".some(p => p.textContent.includes('ya avanzaron en esta dirección'))",
        timeout=WAIT_MS,
    )
    watching.wait_for("decriminalization.es: built")

    pdf = tmp_path / "out" / "decriminalization.es.pdf"
    good = pdf.read_bytes()
    edit(es, "dirección.[@rosmarin2012]", "dirección.[@rosmarin2021]")
    problem = page.locator(".problems li.error", has_text="unknown citation key 'rosmarin2021'")
    problem.wait_for(timeout=WAIT_MS)
    assert "es.yaml:22:" in problem.inner_text()
    assert page.locator("#lang-es .stale").count() == 1  # the last good pages are shown
    assert pdf.read_bytes() == good  # and the last good PDF is kept

    edit(es, "dirección.[@rosmarin2021]", "dirección.[@rosmarin2012]")
    problem.wait_for(state="detached", timeout=WAIT_MS)
    assert page.locator("#lang-es .stale").count() == 0
    assert errors == []


def test_a_broken_save_never_stops_the_watch(watching, tmp_path):
    es = tmp_path / "decriminalization" / "es.yaml"
    text = es.read_text(encoding="utf-8")
    es.write_text("title: [half written\n", encoding="utf-8")
    watching.wait_for("decriminalization.es: failed")
    line = watching.wait_for("es.yaml:")
    assert "YAML syntax error" in line
    es.write_text(text, encoding="utf-8")
    watching.wait_for("decriminalization.es: built")
    assert watching.process.poll() is None


def test_only_built_files_are_served(watching):
    assert watching.get("/files/decriminalization.es.pdf") == (200, "application/pdf")
    assert watching.get("/pages/decriminalization.es-1.png") == (200, "image/png")
    for path in (
        "/../sheet.yaml",
        "/files/../decriminalization/sheet.yaml",
        "/files/..%2fdecriminalization%2fes.yaml",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/",
        "/files/.factsheet-state.json",
        "/pages/",
        "/pages/../decriminalization.es.pdf",
        "/assets/../../factsheet/cli.py",
        "/sheet/../../sheets",
        "/decriminalization/es.yaml",
        "/sheet/nope",
    ):
        assert watching.get(path)[0] == 404, path


def test_ctrl_c_ends_it_cleanly(watching, tmp_path):
    assert watching.stop() == 0
    watching.wait_for("stopped watching")
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["es.yaml"], [("s", ("es",))]),
        (["es.yaml", "en.yaml"], [("s", ("en", "es"))]),
        (["sources.yaml"], [("s", ())]),
        (["es.reviewed.yaml"], []),
        (["sed9Xk2Lq"], []),  # sed -i's temporary file, gone by now
    ],
)
def test_a_save_rebuilds_what_it_touches(changed, expected, tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    rebuilds = touched([folder / name for name in changed], [folder])
    assert rebuilds == [Rebuild(folder, langs) for _, langs in expected]


def test_nothing_to_watch_is_one_line_not_a_traceback(tmp_path, run_cli):
    run = run_cli("watch", tmp_path / "nope")
    assert run.code == 1
    assert run.out.splitlines() == [
        f"{tmp_path}/nope:1:1: not a sheet folder: it has no sheet.yaml",
        "nothing to watch: name a sheet folder, or run where sheets/ is",
    ]


def test_the_preview_page_passes_axe_core(watching, browser):
    """The preview is a web page too: WCAG 2.2 AA, by axe-core in Chromium."""
    from tests.test_html import AXE, WCAG_AA

    page = browser.new_page(viewport={"width": 1300, "height": 900})
    for path in ("/", "/sheet/decriminalization"):
        page.goto(watching.url(path))
        page.add_script_tag(path=str(AXE))
        options = {"runOnly": {"type": "tag", "values": WCAG_AA}}
        result = page.evaluate("options => axe.run(document, options)", options)
        found = [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in result["violations"]]
        assert found == [], path
