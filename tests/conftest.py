"""Shared fixtures: real sheets in temporary folders, real builds, read-back PDFs.

The suite runs on every core (pytest-xdist); each worker has its own cache and
temporary folders. Tests in the modules of QUICK lay out no PDF: `make
test-quick` runs only those (`-m "not pdf"`), and a guard fails any of them that
lays out a page in its own process. A new module is marked `pdf` until it is
listed here.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from factsheet.build.pool import warm_up
from factsheet.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "sheets" / "decriminalization"


QUICK = {
    "test_blocks", "test_cache", "test_check", "test_cite", "test_fit", "test_i18n", "test_inline",
    "test_instances", "test_load", "test_options", "test_outputs", "test_parity",
    "test_printing", "test_problems", "test_profiles", "test_render", "test_review",
    "test_structure", "test_styles",
}  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module.__name__.rpartition(".")[2] not in QUICK:
            item.add_marker(pytest.mark.pdf)


@pytest.fixture(scope="session", autouse=True)
def warm_workers(request):
    """Builds fork their workers from the test's process: warmed once, every worker
    starts warm (build/pool.py's warm_up), as under the build server or watch,
    instead of loading WeasyPrint and its fonts each build (0.6 s more a build)."""
    if any(item.get_closest_marker("pdf") for item in request.session.items):
        warm_up()


@pytest.fixture(autouse=True)
def quick_tests_lay_out_nothing(request, monkeypatch):
    """A test outside the pdf mark that lays out a page fails: the quick subset
    stays quick, and its promise true."""
    if request.node.get_closest_marker("pdf") is not None:
        return
    import factsheet.layout.pdf as pdf_stage

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("this test lays out a PDF: take its module out of QUICK")

    monkeypatch.setattr(pdf_stage, "lay_out", refuse)


def pytest_configure(config: pytest.Config) -> None:
    """The tests make their own font instances and formatted notes (cache.py), in
    a folder of the run's, not the user's, shared by the workers (entries are
    written atomically) and by the processes they start. Nor do the make_pdf.py
    processes use or start a build server (server.py), but for test_server.py's
    own."""
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the process that started it set these
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="factsheet-tests-cache-")
    os.environ["FACTSHEET_SERVER"] = "off"


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ["XDG_CACHE_HOME"], ignore_errors=True)


@pytest.fixture(autouse=True)
def fail_on_unexpected_logs(caplog):
    """Any warning logged (by WeasyPrint or us) that a test did not expect fails it."""
    caplog.set_level(logging.WARNING)
    yield
    unexpected = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING]
    if unexpected:
        pytest.fail("unexpected log: " + "; ".join(r.getMessage() for r in unexpected))


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed: make test installs it (scripts/test-deps.sh)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def minimal(tmp_path) -> Path:
    """A copy of tests/data/minimal that a test may change."""
    folder = tmp_path / "minimal"
    shutil.copytree(DATA / "minimal", folder)
    return folder


@pytest.fixture
def two_sheets(tmp_path) -> list[Path]:
    """Two copies of the minimal sheet, "fine" and "broken" (which a test breaks)."""
    folders = [tmp_path / "sheets" / name for name in ("fine", "broken")]
    for folder in folders:
        shutil.copytree(DATA / "minimal", folder)
    return folders


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def run_cli(capsys):
    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def pdf_text(page: pypdf.PageObject) -> str:
    """Page text as a reader would copy it: hyphenated breaks joined, spaces plain."""
    text = page.extract_text()
    text = re.sub("\u2010\n", "", text)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


@dataclass
class BuiltPdf:
    path: Path
    reader: pypdf.PdfReader

    @property
    def pages(self) -> list[str]:
        return [pdf_text(page) for page in self.reader.pages]

    @property
    def text(self) -> str:
        return " ".join(self.pages)


def note_pages(reader: pypdf.PdfReader, lang: str) -> dict[str, tuple[int, int | None]]:
    """Each note call's link, as a reader clicks it: note id -> (the page of the call,
    the page of the note it jumps to), pages counted from 0."""
    destinations = {name: reader.get_destination_page_number(dest)
                    for name, dest in reader.named_destinations.items()}  # fmt: skip
    calls = {}
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            target = annotation.get_object().get("/Dest")
            if isinstance(target, str) and target.startswith(f"{lang}-note-"):
                calls.setdefault(target, (number, destinations.get(target)))
    return dict(sorted(calls.items(), key=lambda item: int(item[0].rsplit("-")[-1])))


def read_pdf(path: Path) -> BuiltPdf:
    return BuiltPdf(path, pypdf.PdfReader(io.BytesIO(path.read_bytes())))


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A build that every worker of the run shares, read only: the first to ask
    makes it, under a lock; the others wait for it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    out = root / f"shared-{name}"
    with (root / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / ".built").exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            build(out)
            (out / ".built").touch()
    return out


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample sheet built once, in parallel: office, print-shop and bilingual PDFs,
    web pages."""

    def build(out: Path) -> None:
        args = ["--jobs", "2", "--print-shop", "--html", "--bilingual"]
        assert main([str(SAMPLE), "--out", str(out), *args]) == 0

    return built_once(tmp_path_factory, "sample", build)


@pytest.fixture(scope="session")
def sample_pdfs(sample_build) -> dict[str, BuiltPdf]:
    """The office PDFs of the sample, by language."""
    return {lang: read_pdf(sample_build / f"decriminalization.{lang}.pdf") for lang in ("en", "es")}
