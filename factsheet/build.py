"""Orchestration: plan tasks (sheet x language), run them, write results atomically.

The only module that writes files. Each task runs the stages in order:
load -> check -> inline -> cite -> i18n -> render -> pdf.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from factsheet import __version__
from factsheet.errors import FactsheetError, Pos, Problem, display_path, errors_only
from factsheet.model import Document, Sheet
from factsheet.paths import (
    FONT_FILES,
    LOCALES_DIR,
    PACKAGE_DIR,
    STYLES_DIR,
    TEMPLATES_DIR,
    font_path,
    web_font_name,
)

if TYPE_CHECKING:
    from factsheet.pdf import PdfResult

Progress = Callable[[int, int, str], None]


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
    force: bool = False  # rebuild even what is up to date
    bilingual: bool = False  # also <slug>.en-es.pdf: every language in one PDF
    thumbnails: bool = False  # also <slug>.<lang>.png of page 1, 1200 px wide
    html: bool = False  # also <slug>.<lang>.html, a standalone web page
    press_kit: bool = False  # also <slug>-press-kit.zip of all of the above
    locales_dir: Path = LOCALES_DIR  # gettext catalogs of the interface strings


@dataclass(frozen=True)
class Task:
    """One language of one sheet, loaded, checked and converted to HTML fragments;
    or, for the bilingual edition, every language of it in one PDF."""

    sheet: Sheet
    docs: tuple[Document, ...]

    @property
    def combined(self) -> bool:
        return len(self.docs) > 1

    @property
    def name(self) -> str:
        return f"{self.sheet.slug}.{'-'.join(doc.lang for doc in self.docs)}"

    def outputs(self, options: Options) -> list[Path]:
        """In order: the office PDF, then when asked for the print-shop PDF, the
        page-1 thumbnail and the web page (a bilingual edition has only its PDF)."""
        paths = [options.out / f"{self.name}.pdf"]
        if options.print_shop and not self.combined:
            paths.append(options.out / f"{self.name}.print.pdf")
        if options.thumbnails and not self.combined:
            paths.append(options.out / f"{self.name}.png")
        if options.html and not self.combined:
            paths.append(options.out / f"{self.name}.html")
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
    skipped: list[str] = field(default_factory=list)  # sheets already up to date
    failed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    passed: int = 0  # tasks (sheet x language) that went through without errors
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


STATE_FILE = ".factsheet-state.json"


def shared_inputs_digest(options: Options) -> hashlib._Hash:
    """A digest of everything every sheet depends on: this code, styles, templates,
    catalogs, fonts and the options that change the output."""
    digest = hashlib.sha256(__version__.encode())
    settings = (options.paper, options.draft, options.print_shop, options.strict, options.langs,
                options.bilingual, options.thumbnails, options.html,
                options.press_kit)  # fmt: skip
    digest.update(repr(settings).encode())
    roots = [PACKAGE_DIR, STYLES_DIR, TEMPLATES_DIR, options.locales_dir]
    files = [p for root in roots for p in sorted(root.rglob("*")) if p.is_file()]
    files += [font_path(package, name) for _, _, package, name in FONT_FILES]
    for path in files:
        if "__pycache__" not in path.parts:
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    return digest


def sheet_key(folder: Path, shared: hashlib._Hash) -> str:
    """The fingerprint of one sheet's inputs: its own files on top of the shared ones."""
    digest = shared.copy()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def read_state(options: Options) -> dict[str, dict]:
    try:
        state = json.loads((options.out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def up_to_date(entry: dict | None, key: str, options: Options) -> bool:
    if not entry or entry.get("key") != key or not entry.get("outputs"):
        return False
    return all((options.out / name).is_file() for name in entry["outputs"])


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # `<slug>.<lang>`, `<slug>.*`
    skipped: list[str] = field(default_factory=list)  # slugs whose outputs are current
    keys: dict[str, str] = field(default_factory=dict)  # slug -> input fingerprint
    problems: list[Problem] = field(default_factory=list)


def plan(options: Options, state: dict[str, dict] | None = None) -> Plan:
    """The first, cheap stages for every sheet (load, check, inline), then one task per
    language; a sheet or language that fails here never reaches the costly stages.
    A sheet whose inputs match `state` (the last build's record) is skipped unread."""
    folders, problems = find_sheets(options)
    result = Plan(problems=problems)
    incremental = state is not None and not options.force and not options.check_only
    shared = shared_inputs_digest(options) if incremental else None
    for folder in folders:
        if shared is not None:
            slug = folder.resolve().name
            result.keys[slug] = sheet_key(folder, shared)
            if up_to_date(state.get(slug), result.keys[slug], options):  # type: ignore[union-attr]
                result.skipped.append(slug)
                continue
        prepare_sheet(folder, options, result)
    return result


def prepare_sheet(folder: Path, options: Options, result: Plan) -> None:
    """load -> check -> inline for one sheet, adding its tasks or failures to `result`."""
    # Imported here, not at the top, so a build with nothing to do never pays
    # for YAML, Babel and markdown-it.
    from factsheet.check import check_documents, check_sheet
    from factsheet.inline import inline_content
    from factsheet.load import load_sheet

    try:
        sheet = load_sheet(folder)
    except FactsheetError as exc:
        result.problems += exc.problems
        result.failed.append(f"{folder.resolve().name}.*")
        return
    found = check_sheet(sheet)
    result.problems += found
    if errors_only(found):
        result.failed.append(f"{sheet.slug}.*")
        return
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
        return
    ready = []
    for lang in options.langs or sheet.config.languages:
        if lang not in sheet.config.languages:
            where = sheet.config.pos_of("languages")
            message = f"--lang asks for '{lang}', which this sheet does not list"
            result.problems.append(Problem(where, message))
        elif own_files[lang] in stopped:
            result.failed.append(f"{sheet.slug}.{lang}")
        elif lang in docs:
            ready.append(docs[lang])
            result.tasks.append(Task(sheet, (docs[lang],)))
    wanted = options.langs or sheet.config.languages
    if options.bilingual and len(ready) == len(wanted) > 1 and not options.check_only:
        result.tasks.append(Task(sheet, tuple(ready)))


@dataclass(frozen=True)
class Rendered:
    """One language rendered for print (WeasyPrint) and, when asked, for the web."""

    print_html: str
    page_html: str | None
    problems: list[Problem]


def render_language(sheet: Sheet, doc: Document, options: Options, web: bool) -> Rendered:
    """cite -> i18n -> render for one language; raises FactsheetError on errors.

    The notes are formatted once (citeproc is the slow part) and serve both
    the print document and, with `web`, the web page."""
    from factsheet.cite import cite_notes
    from factsheet.i18n import load_localizer
    from factsheet.render import render_html, render_page, screen_stylesheet

    locale = sheet.config.locales.get(doc.lang)
    where = sheet.config.pos_of("citation-style")
    style = sheet.config.citation_style
    cites = cite_notes(doc.notes, sheet.sources, style, doc.lang, where, locale)
    localizer, problems = load_localizer(doc.lang, options.locales_dir, locale)
    if errors_only(problems):
        raise FactsheetError(problems)
    print_html = render_html(sheet.config, doc, cites, localizer, draft=options.draft)
    if not web:
        return Rendered(print_html, None, problems)
    others = [
        {"lang": lang, "name": language_name(lang), "href": f"{sheet.slug}.{lang}.html"}
        for lang in sheet.config.languages
        if lang != doc.lang and (not options.langs or lang in options.langs)
    ]
    page = render_page(
        sheet.config, doc, cites, localizer, screen_stylesheet(), others, draft=options.draft
    )
    return Rendered(print_html, page, problems)


def language_name(lang: str) -> str:
    """A language's name in itself, as a reader looks for it: English, Español."""
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def run_task(task: Task, options: Options) -> TaskResult:
    """The per-language stages: cite, i18n, render and (unless checking) pdf."""
    sheet = task.sheet
    problems: list[Problem] = []
    rendered = []
    try:
        for doc in task.docs:
            web = options.html and not task.combined
            rendered.append(render_language(sheet, doc, options, web))
            problems += rendered[-1].problems
    except FactsheetError as exc:
        return TaskResult(task, problems + exc.problems)
    htmls = [r.print_html for r in rendered]
    if options.check_only:
        return TaskResult(task, problems)
    from factsheet.pdf import thumbnail, write_pdf  # late: --check never loads WeasyPrint

    paper = options.paper or sheet.config.paper
    where = Pos(sheet.contents[task.docs[0].lang].path, 1, 1)
    result = write_pdf(htmls, sheet.root, where, sheet.config.updated, paper=paper)
    problems += result.problems
    files = [result.data]
    if task.combined:
        return TaskResult(task, problems, files)
    if result.pages > sheet.config.pages:
        problems.append(over_budget(sheet, task.docs[0].lang, result))
    if options.print_shop and not blocking(problems, options.strict):
        shop = write_pdf(
            htmls, sheet.root, where, sheet.config.updated, paper=paper, print_shop=True
        )
        problems += shop.problems
        files.append(shop.data)
    if options.thumbnails:
        files.append(thumbnail(result.data))
    if rendered[0].page_html is not None:
        files.append(rendered[0].page_html.encode("utf-8"))
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
        os.chmod(temp, 0o644)  # mkstemp makes it private; outputs are meant to be shared
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run_tasks(tasks: list[Task], options: Options) -> Iterator[TaskResult]:
    """Results as tasks finish: in this process, or in a pool of --jobs processes."""
    if options.jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_task(task, options)
        return
    with ProcessPoolExecutor(max_workers=min(options.jobs, len(tasks))) as pool:
        futures = [pool.submit(run_task, task, options) for task in tasks]
        for future in as_completed(futures):
            yield future.result()


OUTPUT_NAME = re.compile(
    r"(?P<slug>.+)\.(?P<langs>[A-Za-z]+(?:-[A-Za-z]+)*)(\.print)?\.(pdf|png|html)"
)


def remove_outputs(name: str, options: Options) -> None:
    """What failed must not leave files of an earlier build that look current.

    `name` is `<slug>.<lang>` (which also removes any edition that includes
    the language), `<slug>.<lang>-<lang>`, or `<slug>.*` for all of a sheet.
    """
    slug, _, langs = name.partition(".")
    failed = set(langs.split("-"))
    if not options.out.is_dir():
        return
    (options.out / f"{slug}-press-kit.zip").unlink(missing_ok=True)
    for path in options.out.iterdir():
        match = OUTPUT_NAME.fullmatch(path.name)
        if not match or match["slug"] != slug:
            continue
        if langs == "*" or failed & set(match["langs"].split("-")):
            path.unlink()


def build(options: Options, progress: Progress | None = None) -> Report:
    """Build (or with check_only, validate) every planned sheet and language.

    Sheets whose inputs did not change since the last build are skipped (unless
    options.force); `progress(done, total, name)` hears of each finished task.
    """
    started = time.perf_counter()
    state = {} if options.check_only else read_state(options)
    planned = plan(options, state)
    report = Report(problems=planned.problems, strict=options.strict, skipped=planned.skipped)
    for name in planned.failed:
        report.failed.append(name)
        if not options.check_only:
            remove_outputs(name, options)
    written: dict[str, list[str]] = {}
    built: dict[str, Sheet] = {}
    for done, result in enumerate(run_tasks(planned.tasks, options), start=1):
        report.problems += result.problems
        if blocking(result.problems, options.strict):
            report.failed.append(result.task.name)
            if not options.check_only:
                remove_outputs(result.task.name, options)
        else:
            report.passed += 1
            for path, data in zip(result.task.outputs(options), result.files, strict=False):
                write_atomically(path, data)
                report.written.append(path)
                written.setdefault(result.task.sheet.slug, []).append(path.name)
            built[result.task.sheet.slug] = result.task.sheet
        if progress is not None:
            progress(done, len(planned.tasks), result.task.name)
    if options.html and report.written:
        copy_web_fonts(options.out / "fonts")
    if options.press_kit:
        failed = {name.partition(".")[0] for name in report.failed}
        for slug, sheet in sorted(built.items()):
            if slug not in failed:
                path = write_press_kit(sheet, written[slug], options)
                report.written.append(path)
                written[slug].append(path.name)
    if not options.check_only:
        save_state(state, planned, written, report, options)
    report.written.sort()
    report.problems = sorted(set(report.problems))
    report.seconds = time.perf_counter() - started
    return report


def write_press_kit(sheet: Sheet, names: list[str], options: Options) -> Path:
    """<slug>-press-kit.zip from the files this build wrote for the sheet."""
    from factsheet.presskit import press_kit

    files = {name: (options.out / name).read_bytes() for name in names}
    if options.html:
        for path in sorted((options.out / "fonts").iterdir()):
            files[f"fonts/{path.name}"] = path.read_bytes()
    path = options.out / f"{sheet.slug}-press-kit.zip"
    write_atomically(path, press_kit(sheet, files))
    return path


def copy_web_fonts(folder: Path) -> None:
    """The fonts the HTML pages link to, beside them (render.screen_stylesheet)."""
    folder.mkdir(parents=True, exist_ok=True)
    for family, style, package, name in FONT_FILES:
        target = folder / web_font_name(family, style)
        source = font_path(package, name)
        # The SIL Open Font License asks that the license travel with the fonts.
        license_file = folder / f"{web_font_name(family, 'normal')[:-4]}-OFL.txt"
        for copy, original in ((target, source), (license_file, source.parent.parent / "LICENSE")):
            if not copy.is_file() or copy.stat().st_size != original.stat().st_size:
                write_atomically(copy, original.read_bytes())


def save_state(
    state: dict[str, dict],
    planned: Plan,
    written: dict[str, list[str]],
    report: Report,
    options: Options,
) -> None:
    """Record what each fully built sheet was built from, for the next run."""
    failed_slugs = {name.partition(".")[0] for name in report.failed}
    for slug, key in planned.keys.items():
        if slug in failed_slugs or slug not in written:
            if slug not in planned.skipped:
                state.pop(slug, None)
        else:
            state[slug] = {"key": key, "outputs": sorted(written[slug])}
    if state or (options.out / STATE_FILE).exists():
        text = json.dumps(state, indent=1, sort_keys=True) + "\n"
        write_atomically(options.out / STATE_FILE, text.encode("utf-8"))
