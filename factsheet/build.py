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
from dataclasses import dataclass, field, replace
from pathlib import Path

from factsheet import __version__
from factsheet.edition import Task, TaskResult, run_task
from factsheet.errors import FactsheetError, Pos, Problem, display_path, errors_only
from factsheet.model import LayoutSettings, Sheet
from factsheet.options import Options
from factsheet.paths import (
    FONT_FILES,
    PACKAGE_DIR,
    STYLES_DIR,
    TEMPLATES_DIR,
    font_path,
    web_font_name,
)

Progress = Callable[[int, int, str], None]


@dataclass
class Report:
    """What a build did: files written, problems found, and how long it took."""

    sheets: list[str] = field(default_factory=list)  # the slugs of every sheet asked for
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sheets already up to date
    failed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    passed: int = 0  # tasks (sheet x language) that went through without errors
    fitted: list[str] = field(default_factory=list)  # what copyfitting changed, per sheet
    seconds: float = 0.0

    strict: bool = False

    @property
    def ok(self) -> bool:
        return not blocking(self.problems, self.strict)

    @property
    def failed_sheets(self) -> list[str]:
        """Sheets with a language (or all) that failed: `failed` names editions."""
        return sorted({name.partition(".")[0] for name in self.failed})

    @property
    def built_sheets(self) -> list[str]:
        failed = set(self.failed_sheets)
        return [s for s in self.sheets if s not in failed and s not in self.skipped]


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
    combined: list[Task] = field(default_factory=list)  # bilingual editions: run last
    failed: list[str] = field(default_factory=list)  # `<slug>.<lang>`, `<slug>.*`
    skipped: list[str] = field(default_factory=list)  # slugs whose outputs are current
    sheets: list[str] = field(default_factory=list)  # slugs of every sheet found
    keys: dict[str, str] = field(default_factory=dict)  # slug -> input fingerprint
    problems: list[Problem] = field(default_factory=list)


def plan(options: Options, state: dict[str, dict] | None = None) -> Plan:
    """The first, cheap stages for every sheet (load, check, inline), then one task per
    language; a sheet or language that fails here never reaches the costly stages.
    A sheet whose inputs match `state` (the last build's record) is skipped unread;
    with --force it is built anyway, and its key still recorded for the next run."""
    folders, problems = find_sheets(options)
    result = Plan(problems=problems)
    recorded = state is not None and not options.check_only
    shared = shared_inputs_digest(options) if recorded else None
    for folder in folders:
        result.sheets.append(folder.resolve().name)
        if shared is not None:
            slug = folder.resolve().name
            result.keys[slug] = sheet_key(folder, shared)
            current = up_to_date(state.get(slug), result.keys[slug], options)  # type: ignore[union-attr]
            if current and not options.force:
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
        result.combined.append(Task(sheet, tuple(ready)))


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
    report = Report(
        sheets=planned.sheets,
        problems=planned.problems,
        strict=options.strict,
        skipped=planned.skipped,
    )
    for name in planned.failed:
        report.failed.append(name)
        if not options.check_only:
            remove_outputs(name, options)
    results = run_editions(planned, options, progress)
    written: dict[str, list[str]] = {}
    built: dict[str, Sheet] = {}
    for result in results:
        report.problems += result.problems
        if blocking(result.problems, options.strict):
            report.failed.append(result.task.name)
            if not options.check_only:
                remove_outputs(result.task.name, options)
            if result.overflow_draft:
                path = result.task.outputs(options)[0]
                write_atomically(path, result.files[0])
                report.written.append(path)
            continue
        report.passed += 1
        for path, data in zip(result.task.outputs(options), result.files, strict=False):
            write_atomically(path, data)
            report.written.append(path)
            written.setdefault(result.task.sheet.slug, []).append(path.name)
        built[result.task.sheet.slug] = result.task.sheet
    report.fitted = fitted_summaries(results, options)
    if options.html and report.written:
        copy_web_fonts(options.out / "fonts")
    if options.press_kit:
        failed = set(report.failed_sheets)
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


def run_editions(planned: Plan, options: Options, progress: Progress | None) -> list[TaskResult]:
    """Every edition, in three rounds: each language fitted on its own; the languages
    of a sheet that fitted with less copyfitting than another, again from that
    level (so English and Spanish look alike); then the bilingual editions, from
    the settings each of their languages ended with."""
    total = len(planned.tasks) + len(planned.combined)
    done = 0

    def run(tasks: list[Task]) -> dict[str, TaskResult]:
        nonlocal done, total
        finished = {}
        for result in run_tasks(tasks, options):
            finished[result.task.name] = result
            done += 1
            if progress is not None:
                progress(done, total, result.task.name)
        return finished

    results = run(planned.tasks)
    again = shared_level_tasks(list(results.values()), options)
    total += len(again)
    results.update(run(again))
    combined = []
    for task in planned.combined:
        parts = [results.get(f"{task.sheet.slug}.{doc.lang}") for doc in task.docs]
        if all(part and part.settings and not blocking(part.problems, options.strict)
               for part in parts):  # fmt: skip
            combined.append(replace(task, start=tuple(p.settings[0] for p in parts)))  # type: ignore[union-attr]
        else:
            total -= 1
    results.update(run(combined))
    return list(results.values())


def shared_level_tasks(results: list[TaskResult], options: Options) -> list[Task]:
    """The languages to lay out again at their sheet's highest copyfit level (among
    the languages that built: one that failed does not set the others' look)."""
    built = [r for r in results if r.settings and not blocking(r.problems, options.strict)]
    levels: dict[str, int] = {}
    for result in built:
        slug = result.task.sheet.slug
        levels[slug] = max(levels.get(slug, 0), result.settings[0].level)
    return [
        replace(result.task, start=(LayoutSettings(level=levels[result.task.sheet.slug]),))
        for result in built
        if result.settings[0].level < levels[result.task.sheet.slug]
    ]


def fitted_summaries(results: list[TaskResult], options: Options) -> list[str]:
    """One line per copyfitted sheet: which languages, and what the highest level changed."""
    from factsheet.fit import css_defaults, describe

    levels: dict[str, dict[str, int]] = {}
    for result in results:
        ok = not blocking(result.problems, options.strict)
        if result.settings and result.settings[0].level and not result.task.combined and ok:
            by_lang = levels.setdefault(result.task.sheet.slug, {})
            by_lang[result.task.docs[0].lang] = result.settings[0].level
    if not levels:
        return []
    defaults = css_defaults()
    return [
        f"fitted {slug} ({', '.join(sorted(by_lang))}) to its page budget: "
        + describe(max(by_lang.values()), defaults)
        for slug, by_lang in sorted(levels.items())
    ]


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
    failed_slugs = set(report.failed_sheets)
    for slug, key in planned.keys.items():
        if slug in failed_slugs or slug not in written:
            if slug not in planned.skipped:
                state.pop(slug, None)
        else:
            state[slug] = {"key": key, "outputs": sorted(written[slug])}
    if state or (options.out / STATE_FILE).exists():
        text = json.dumps(state, indent=1, sort_keys=True) + "\n"
        write_atomically(options.out / STATE_FILE, text.encode("utf-8"))
