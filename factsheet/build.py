"""Orchestration: plan tasks (sheet x language), run them, write results atomically.

The only module that writes files. Each task runs the stages in order:
load -> check -> inline -> cite -> i18n -> render -> pdf.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from factsheet.check import check_documents, check_sheet
from factsheet.cite import cite_notes
from factsheet.errors import FactsheetError, Pos, Problem, errors_only
from factsheet.i18n import LOCALES_DIR, load_localizer
from factsheet.inline import inline_content
from factsheet.load import display_path, load_sheet
from factsheet.model import Document, Sheet

if TYPE_CHECKING:
    from factsheet.pdf import PdfResult
from factsheet.render import render_html


@dataclass(frozen=True)
class Options:
    """Everything a build needs; the CLI fills it from argv, tests build it directly."""

    sheets: tuple[Path, ...] = ()
    sheets_root: Path = Path("sheets")
    out: Path = Path("output")
    langs: tuple[str, ...] = ()
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    paper: str | None = None
    check_only: bool = False
    strict: bool = False  # warnings fail the build too
    draft: bool = False  # a DRAFT mark on every page
    print_shop: bool = False  # also write <slug>.<lang>.print.pdf with bleed and marks
    locales_dir: Path = LOCALES_DIR  # gettext catalogs of the interface strings


@dataclass(frozen=True)
class Task:
    """One language of one sheet, loaded, checked and converted to HTML fragments."""

    sheet: Sheet
    doc: Document

    @property
    def name(self) -> str:
        return f"{self.sheet.slug}.{self.doc.lang}"

    def outputs(self, options: Options) -> list[Path]:
        """The office PDF, and with --print-shop the print-shop PDF beside it."""
        paths = [options.out / f"{self.name}.pdf"]
        if options.print_shop:
            paths.append(options.out / f"{self.name}.print.pdf")
        return paths


@dataclass(frozen=True)
class TaskResult:
    task: Task
    problems: list[Problem]
    files: list[bytes] = field(default_factory=list)  # in the order of Task.outputs


@dataclass
class Report:
    """What a build did: files written, problems found, and how long it took."""

    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    seconds: float = 0.0

    strict: bool = False

    @property
    def ok(self) -> bool:
        return not blocking(self.problems, self.strict)


def blocking(problems: list[Problem], strict: bool) -> list[Problem]:
    """The problems that stop a build: errors, and with --strict warnings too."""
    return list(problems) if strict else errors_only(problems)


def find_sheets(options: Options) -> tuple[list[Path], list[Problem]]:
    if options.sheets:
        folders = list(options.sheets)
    else:
        root = options.sheets_root
        folders = sorted(p.parent for p in root.glob("*/sheet.yaml")) if root.is_dir() else []
        if not folders:
            message = "no sheet folders (with a sheet.yaml) found"
            return [], [Problem(Pos(display_path(root)), message)]
    problems = []
    found = []
    slugs: dict[str, Path] = {}
    for folder in folders:
        if not (folder / "sheet.yaml").is_file():
            message = "not a sheet folder: it has no sheet.yaml"
            problems.append(Problem(Pos(display_path(folder)), message))
            continue
        slug = folder.resolve().name
        if slug in slugs and slugs[slug].resolve() != folder.resolve():
            message = f"two sheets are named '{slug}' ({slugs[slug]})"
            problems.append(Problem(Pos(display_path(folder)), message))
            continue
        if slug not in slugs:
            slugs[slug] = folder
            found.append(folder)
    return found, problems


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # `<slug>.<lang>`, `<slug>.*`
    problems: list[Problem] = field(default_factory=list)


def plan(options: Options) -> Plan:
    """The first, cheap stages for every sheet (load, check, inline), then one task per
    language; a sheet or language that fails here never reaches the costly stages."""
    folders, problems = find_sheets(options)
    result = Plan(problems=problems)
    for folder in folders:
        try:
            sheet = load_sheet(folder)
        except FactsheetError as exc:
            result.problems += exc.problems
            result.failed.append(f"{folder.resolve().name}.*")
            continue
        found = check_sheet(sheet)
        result.problems += found
        if errors_only(found):
            result.failed.append(f"{sheet.slug}.*")
            continue
        docs = {}
        for lang, content in sheet.contents.items():
            try:
                docs[lang] = inline_content(content)
            except FactsheetError as exc:
                result.problems += exc.problems
                result.failed.append(f"{sheet.slug}.{lang}")
        found = check_documents(sheet, docs)
        result.problems += found
        # A problem in a language's own file stops that language; any other
        # (sources.yaml, sheet.yaml) stops the whole sheet.
        stopped = {p.pos.path for p in blocking(found, options.strict)}
        own_files = {lang: content.path for lang, content in sheet.contents.items()}
        if stopped - set(own_files.values()):
            result.failed.append(f"{sheet.slug}.*")
            continue
        for lang in options.langs or sheet.config.languages:
            if lang not in sheet.config.languages:
                where = sheet.config.pos_of("languages")
                message = f"--lang asks for '{lang}', which this sheet does not list"
                result.problems.append(Problem(where, message))
            elif own_files[lang] in stopped:
                result.failed.append(f"{sheet.slug}.{lang}")
            elif lang in docs:
                result.tasks.append(Task(sheet, docs[lang]))
    return result


def run_task(task: Task, options: Options) -> TaskResult:
    """The per-language stages: cite, i18n, render and (unless checking) pdf."""
    sheet, doc = task.sheet, task.doc
    try:
        cites = cite_notes(
            doc.notes,
            sheet.sources,
            sheet.config.citation_style,
            doc.lang,
            sheet.config.pos_of("citation-style"),
            sheet.config.locales.get(doc.lang),
        )
    except FactsheetError as exc:
        return TaskResult(task, exc.problems)
    locale = sheet.config.locales.get(doc.lang)
    localizer, problems = load_localizer(doc.lang, options.locales_dir, locale)
    if errors_only(problems):
        return TaskResult(task, problems)
    html = render_html(sheet.config, doc, cites, localizer, draft=options.draft)
    if options.check_only:
        return TaskResult(task, problems)
    from factsheet.pdf import write_pdf  # imported late: --check never loads WeasyPrint

    paper = options.paper or sheet.config.paper
    where = Pos(sheet.contents[doc.lang].path, 1, 1)
    result = write_pdf(html, sheet.root, where, sheet.config.updated, paper=paper)
    problems += result.problems
    if result.pages > sheet.config.pages:
        problems.append(over_budget(sheet, doc.lang, result))
    files = [result.data]
    if options.print_shop and not blocking(problems, options.strict):
        shop = write_pdf(
            html, sheet.root, where, sheet.config.updated, paper=paper, print_shop=True
        )
        problems += shop.problems
        files.append(shop.data)
    return TaskResult(task, problems, files)


def over_budget(sheet: Sheet, lang: str, result: PdfResult) -> Problem:
    """How far past its page budget a language runs, and where the length is."""
    budget = sheet.config.pages
    message = f"{lang}: the sheet runs to {result.pages} pages, over its budget of {budget}"
    if result.fill is not None:
        over = sum(result.fill.used_lines[budget:])
        longest = sorted(result.fill.sections.items(), key=lambda item: -item[1])[:3]
        sizes = ", ".join(f"{name} ({lines:.0f})" for name, lines in longest)
        message += f" by about {over:.0f} lines; the longest sections, in lines: {sizes}"
    return Problem(sheet.config.pos_of("pages"), message)


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run_tasks(tasks: list[Task], options: Options) -> list[TaskResult]:
    if options.jobs <= 1 or len(tasks) <= 1:
        return [run_task(task, options) for task in tasks]
    with ProcessPoolExecutor(max_workers=min(options.jobs, len(tasks))) as pool:
        return list(pool.map(run_task, tasks, [options] * len(tasks)))


def remove_outputs(name: str, options: Options) -> None:
    """What failed must not leave PDFs of an earlier build that look current.

    `name` is `<slug>.<lang>`, or `<slug>.*` for every language of a sheet.
    """
    slug, _, lang = name.partition(".")
    languages = "[A-Za-z-]+" if lang == "*" else re.escape(lang)
    pattern = re.compile(rf"{re.escape(slug)}\.{languages}(\.print)?\.pdf")
    if options.out.is_dir():
        for path in options.out.iterdir():
            if pattern.fullmatch(path.name):
                path.unlink()


def build(options: Options) -> Report:
    """Build (or with check_only, validate) every planned sheet and language."""
    started = time.perf_counter()
    planned = plan(options)
    report = Report(problems=planned.problems, strict=options.strict)
    for name in planned.failed:
        report.failed.append(name)
        if not options.check_only:
            remove_outputs(name, options)
    for result in run_tasks(planned.tasks, options):
        report.problems += result.problems
        report.checked += 1
        outputs = result.task.outputs(options)
        if blocking(result.problems, options.strict):
            report.failed.append(result.task.name)
            if not options.check_only:
                remove_outputs(result.task.name, options)
        else:
            for path, data in zip(outputs, result.files, strict=False):
                write_atomically(path, data)
                report.written.append(path)
    report.problems = sorted(set(report.problems))
    report.seconds = time.perf_counter() - started
    return report
