"""Orchestration: plan, run the editions, write what they made, atomically.

The only module that writes files. The stages run in order,
load -> check -> inline (plan.py) -> cite -> i18n -> render -> fit + pdf
(edition.py, in workers.py's pool); each sheet's files are written as soon
as the sheet is done, and recorded (state.py) so the next build skips it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from factsheet.pipeline import TaskResult
from factsheet.errors import Problem, blocking
from factsheet.model import Sheet
from factsheet.options import Options
from factsheet.build.plan import plan
from factsheet.build.state import STATE_FILE, read_state, record_built, state_bytes
from factsheet.layout.webfonts import FONTS_FOLDER
from factsheet.build.pool import Progress, Stopped, run_editions, stop_on_signals


@dataclass
class Report:
    """What a build did: files written and removed, problems found, how long it took,
    and whether a signal stopped it."""

    sheets: list[str] = field(default_factory=list)  # the slugs of every sheet asked for
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # older outputs of failed editions
    skipped: list[str] = field(default_factory=list)  # sheets already up to date
    failed: list[str] = field(default_factory=list)  # `<slug>.<lang>`, `<slug>.*`, …
    problems: list[Problem] = field(default_factory=list)
    passed: int = 0  # tasks (sheet x language) that went through without errors
    fitted: list[str] = field(default_factory=list)  # what copyfitting changed, per sheet
    pdfs_planned: int = 0
    pages_used: dict[str, float] = field(default_factory=dict)  # `<slug>.<lang>` -> 1.92
    stopped: int | None = None  # the signal that stopped the build
    seconds: float = 0.0

    strict: bool = False

    @property
    def ok(self) -> bool:
        return not blocking(self.problems, self.strict) and self.stopped is None

    @property
    def failed_sheets(self) -> list[str]:
        """Sheets with a language (or all) that failed: `failed` names editions."""
        return sorted({name.partition(".")[0] for name in self.failed})

    @property
    def built_sheets(self) -> list[str]:
        failed = set(self.failed_sheets)
        return [s for s in self.sheets if s not in failed and s not in self.skipped]


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


OUTPUT_NAME = re.compile(
    r"(?P<slug>.+)\.(?P<langs>[A-Za-z]+(?:-[A-Za-z]+)*)(\.print)?\.(pdf|png|html)"
)


def remove_outputs(name: str, options: Options) -> list[Path]:
    """What failed must not leave files of an earlier build that look current; what
    did not fail stays. Returns the files removed.

    `name` is `<slug>.<lang>` (its files, and any bilingual edition with that
    language in it), `<slug>.<lang>-<lang>` (that bilingual edition alone), or
    `<slug>.*` (all of a sheet's files).
    """
    slug, _, langs = name.partition(".")
    if not options.out.is_dir():
        return []
    single = "-" not in langs
    doomed = [options.out / f"{slug}-press-kit.zip"]
    for path in sorted(options.out.iterdir()):
        match = OUTPUT_NAME.fullmatch(path.name)
        if not match or match["slug"] != slug:
            continue
        if langs == "*" or match["langs"] == langs:
            doomed.append(path)
        elif single and langs in match["langs"].split("-"):
            doomed.append(path)  # a bilingual edition with the failed language in it
    removed = [path for path in doomed if path.is_file()]
    for path in removed:
        path.unlink()
    return removed


def build(options: Options, progress: Progress | None = None) -> Report:
    """Build (or with check_only, validate) every planned sheet and language.

    Sheets whose inputs did not change since the last build are skipped (unless
    options.force); `progress(done, total, name)` hears of each finished task.
    Ctrl-C, SIGTERM or SIGHUP stop it: what finished is kept and recorded, the
    rest is left for the next run, and `Report.stopped` says which signal.
    """
    started = time.perf_counter()
    report = Report(strict=options.strict)
    state = {} if options.check_only else read_state(options)
    built: dict[str, list[str]] = {}  # slug -> files, for each sheet built whole
    keys: dict[str, str] = {}
    with stop_on_signals():
        try:
            planned = plan(options, state)
            keys = planned.keys
            report.sheets, report.skipped = planned.sheets, planned.skipped
            report.problems += planned.problems
            report.pdfs_planned = sum(len(planned_pdfs(t.outputs(options)))
                                      for t in planned.tasks + planned.combined)  # fmt: skip
            for name in planned.failed:
                report.failed.append(name)
                if not options.check_only and not options.keep_last_good:
                    report.removed += remove_outputs(name, options)
            results: list[TaskResult] = []
            with contextlib.closing(run_editions(planned, options, progress)) as sheets:
                for sheet_results in sheets:
                    results += sheet_results
                    keep_sheet(sheet_results, options, report, built)
            report.fitted = fitted_summaries(results, options)
            if options.html and not options.check_only:
                prune_web_fonts(options)
        except Stopped as stop:
            report.stopped = stop.signum
        if not options.check_only:
            save_state(record_built(state, keys, built, report.skipped), options)
    report.written.sort()
    report.problems = sorted(set(report.problems))
    report.seconds = time.perf_counter() - started
    return report


def planned_pdfs(paths: list[Path]) -> list[Path]:
    return [path for path in paths if path.suffix == ".pdf"]


def keep_sheet(
    results: list[TaskResult], options: Options, report: Report, built: dict[str, list[str]]
) -> None:
    """Write the files of one finished sheet's editions that passed, remove the older
    files of those that failed, and note the sheet as built whole if it was."""
    sheet = results[0].task.sheet
    written: list[str] = []
    fonts: list[str] = []  # the web pages' font files, for the press kit
    for result in sorted(results, key=lambda r: r.task.name):
        report.problems += result.problems
        if result.pages_used:
            report.pages_used[result.task.name] = result.pages_used
        if blocking(result.problems, options.strict):
            report.failed.append(result.task.name)
            if not options.check_only and not options.keep_last_good:
                report.removed += remove_outputs(result.task.name, options)
            if result.overflow_draft:
                path = result.task.outputs(options)[0]
                write_atomically(path, result.files[0])
                report.written.append(path)
            continue
        report.passed += 1
        for index, (path, data) in enumerate(
            zip(result.task.outputs(options), result.files, strict=False)
        ):
            own = result.output_problems.get(index, [])
            report.problems += own
            if blocking(own, options.strict):
                # This file alone failed (the print-shop PDF): the others stand.
                report.failed.append(path.name)
                if path.is_file():
                    path.unlink()
                    report.removed.append(path)
                continue
            if path.suffix == ".html":
                fonts += write_web_fonts(result.web_fonts, options)
            write_atomically(path, data)
            report.written.append(path)
            written.append(path.name)
    if options.check_only or sheet.slug in report.failed_sheets:
        return
    if options.press_kit:
        path = write_press_kit(sheet, written, fonts, options)
        report.written.append(path)
        written.append(path.name)
    built[sheet.slug] = written + fonts  # a font gone missing makes the sheet stale too


def fitted_summaries(results: list[TaskResult], options: Options) -> list[str]:
    """One line per copyfitted sheet: which languages, and what the highest level changed."""
    from factsheet.layout.fit import css_defaults, describe

    levels: dict[str, dict[str, int]] = {}
    long_lists: set[str] = set()  # sheets with a list copyfitting may set in two columns
    for result in results:
        ok = not blocking(result.problems, options.strict)
        if result.settings and result.settings[0].level and not result.task.combined and ok:
            by_lang = levels.setdefault(result.task.sheet.slug, {})
            by_lang[result.task.docs[0].lang] = result.settings[0].level
            sections = [s.body for doc in result.task.docs for s in doc.sections]
            if any('<ul class="long">' in body for body in sections):
                long_lists.add(result.task.sheet.slug)
    if not levels:
        return []
    defaults = css_defaults()
    return [
        f"fitted {slug} ({', '.join(sorted(by_lang))}) to its page budget: "
        + describe(max(by_lang.values()), defaults, slug in long_lists)
        for slug, by_lang in sorted(levels.items())
    ]


def write_press_kit(sheet: Sheet, names: list[str], fonts: list[str], options: Options) -> Path:
    """<slug>-press-kit.zip from the files this build wrote for the sheet, with the
    fonts its web pages link to."""
    from factsheet.outputs.presskit import press_kit

    files = {name: (options.out / name).read_bytes() for name in [*names, *fonts]}
    path = options.out / f"{sheet.slug}-press-kit.zip"
    write_atomically(path, press_kit(sheet, files))
    return path


def write_web_fonts(fonts: dict[str, bytes | None], options: Options) -> list[str]:
    """A web page's font files and their licences (those not already there).
    Returns the paths (in the output folder) the page needs."""
    needed = []
    for name, data in sorted(fonts.items()):
        if data is not None:
            write_atomically(options.out / name, data)
        needed.append(name)
    return needed


def prune_web_fonts(options: Options) -> None:
    """Font files no web page in the output folder links to any more (older subsets,
    the whole fonts of earlier versions) go."""
    folder = options.out / FONTS_FOLDER
    if not folder.is_dir():
        return
    pages = " ".join(p.read_text(encoding="utf-8") for p in options.out.glob("*.html"))
    for path in folder.iterdir():
        if path.suffix in (".woff2", ".ttf") and f"{FONTS_FOLDER}/{path.name}" not in pages:
            path.unlink()


def save_state(state: dict[str, dict], options: Options) -> None:
    """Record what each sheet built whole was built from, for the next run."""
    if state or (options.out / STATE_FILE).exists():
        write_atomically(options.out / STATE_FILE, state_bytes(state))
