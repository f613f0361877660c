"""Orchestration: plan, run the editions, write what they made, atomically.

The only module that writes outputs. plan.py runs the cheap stages of every
sheet, pool.py runs each edition (pipeline.run_task) in a worker; each sheet's
files are written here as soon as the sheet is done, named by the output kinds
(outputs/registry.py), and recorded (state.py) so the next build skips it.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from factsheet.build.plan import plan
from factsheet.build.pool import Progress, Stopped, run_editions, stop_on_signals
from factsheet.build.state import STATE_FILE, read_state, record_built, state_bytes, state_lock
from factsheet.cache import write_atomically as replace_atomically
from factsheet.errors import Pos, Problem, blocking, display_path
from factsheet.layout.webfonts import FONTS_FOLDER
from factsheet.model import Edition, Sheet, TaskResult
from factsheet.options import Options
from factsheet.outputs import office_pdf, press_kit, web_page
from factsheet.outputs.kinds import Output
from factsheet.outputs.registry import existing_outputs, outputs_of, sheet_output


@dataclass
class Report:
    """What a build did: files written and removed, problems found, how long it took,
    and whether a signal stopped it."""

    sheets: list[str] = field(default_factory=list)  # the slugs of every sheet asked for
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # older outputs of failed editions
    # Of `written`: the --draft PDFs of editions past their budget (written, yet failed).
    drafts: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sheets already up to date
    failed: list[Edition] = field(default_factory=list)
    failed_outputs: list[Output] = field(default_factory=list)  # a file that failed alone
    problems: list[Problem] = field(default_factory=list)
    passed: int = 0  # tasks (sheet x language) that went through without errors
    fitted: list[str] = field(default_factory=list)  # what copyfitting changed, per sheet
    reading: list[str] = field(default_factory=list)  # each sheet's reading level, per language
    pdfs_planned: int = 0
    pages_used: dict[Edition, float] = field(default_factory=dict)  # -> 1.92 (of 2)
    stopped: int | None = None  # the signal that stopped the build
    seconds: float = 0.0

    strict: bool = False

    @property
    def ok(self) -> bool:
        return not blocking(self.problems, self.strict) and self.stopped is None

    @property
    def failed_sheets(self) -> list[str]:
        """Sheets with a language (or all, or one file) that failed."""
        editions = [*self.failed, *(output.edition for output in self.failed_outputs)]
        return sorted({edition.slug for edition in editions})

    @property
    def built_sheets(self) -> list[str]:
        failed = set(self.failed_sheets)
        return [s for s in self.sheets if s not in failed and s not in self.skipped]


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never half of it; outputs are
    meant to be shared (0644), where cache entries stay private."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, data, mode=0o644)


def remove_outputs(failed: Edition, options: Options) -> list[Path]:
    """What failed must not leave files of an earlier build that look current; what
    did not fail stays. Removes the files of `failed` (of any kind, as an earlier
    build may have asked for more), of every bilingual edition with its language,
    and the sheet's press kit; a whole sheet's failure removes all of its files.
    Returns the files removed."""
    removed = []
    for output in existing_outputs(options.out, failed.slug):
        path = output.path(options.out)
        if (failed.covers(output.edition) or output.kind is press_kit.KIND) and path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def build(options: Options, progress: Progress | None = None) -> Report:
    """Build (or with check_only, validate) every planned sheet and language.

    Sheets whose inputs did not change since the last build are skipped (unless
    options.force); `progress(done, total, name)` hears of each finished task.
    Ctrl-C, SIGTERM or SIGHUP stop it: what finished is kept and recorded, the
    rest is left for the next run, and `Report.stopped` says which signal.
    """
    started = time.perf_counter()
    report = Report(strict=options.make.strict)
    state = {} if options.run.check_only else read_state(options)
    built: dict[str, list[str]] = {}  # slug -> files, for each sheet built whole
    keys: dict[str, str] = {}
    with stop_on_signals():
        try:
            planned = plan(options, state)
            keys = planned.keys
            report.sheets, report.skipped = planned.sheets, planned.skipped
            report.problems += planned.problems
            report.reading = planned.reading
            editions = [task.edition for task in planned.tasks + planned.combined]
            report.pdfs_planned = sum(output.name.endswith(".pdf") for edition in editions
                                      for output in outputs_of(edition, options.make))  # fmt: skip
            for edition in planned.failed:
                report.failed.append(edition)
                if not options.run.check_only and not options.run.keep_last_good:
                    report.removed += remove_outputs(edition, options)
            results: list[TaskResult] = []
            with contextlib.closing(run_editions(planned, options, progress)) as sheets:
                for sheet_results in sheets:
                    results += sheet_results
                    try:
                        keep_sheet(sheet_results, options, report, built)
                    except OSError as exc:  # a full or read-only disk: the next sheet may fit
                        slug = sheet_results[0].task.sheet.slug
                        report.problems.append(unwritable(exc, options, f"the files of {slug}"))
                        editions = {result.task.edition for result in sheet_results}
                        report.failed += sorted(editions - set(report.failed))
            report.fitted = fitted_summaries(results, options)
            if options.make.wants(web_page.KIND.key) and not options.run.check_only:
                prune_web_fonts(options)
        except Stopped as stop:
            report.stopped = stop.signum
        if not options.run.check_only:
            try:
                save_state(keys, built, report.skipped, options)
            except OSError as exc:  # the next build redoes what it could not record
                report.problems.append(unwritable(exc, options, f"the record {STATE_FILE}"))
    report.written.sort()
    report.problems = sorted(set(report.problems))
    report.seconds = time.perf_counter() - started
    return report


def unwritable(exc: OSError, options: Options, what: str) -> Problem:
    """Files the build could not write, as one line: the disk, not the sheet."""
    target = Path(exc.filename) if exc.filename else options.out
    if target.name.startswith(".") and target.name.endswith(".tmp"):
        target = target.parent  # the temporary file beside the output: name its folder
    reason = exc.strerror or type(exc).__name__
    message = f"cannot write {what} here: {reason}"
    return Problem(Pos(display_path(target)), message, code="output.unwritable")


def keep_sheet(
    results: list[TaskResult], options: Options, report: Report, built: dict[str, list[str]]
) -> None:
    """Write the files of one finished sheet's editions that passed, remove the older
    files of those that failed, and note the sheet as built whole if it was."""
    sheet = results[0].task.sheet
    strict = options.make.strict
    written: list[str] = []
    fonts: list[str] = []  # the web pages' font files, for the press kit
    for result in sorted(results, key=lambda r: r.task.edition):
        edition = result.task.edition
        report.problems += result.problems
        if result.pages_used:
            report.pages_used[edition] = result.pages_used
        if blocking(result.problems, strict):
            report.failed.append(edition)
            if not options.run.check_only and not options.run.keep_last_good:
                report.removed += remove_outputs(edition, options)
            if result.overflow_draft:
                path = Output(edition, office_pdf.KIND).path(options.out)
                write_atomically(path, result.files[office_pdf.KIND.key])
                # The draft takes the older copy's place: it was replaced, not removed.
                report.removed = [p for p in report.removed if p != path]
                report.written.append(path)
                report.drafts.append(path)
            continue
        report.passed += 1
        for output in outputs_of(edition, options.make):
            if output.kind.key not in result.files:
                continue  # checking only: nothing was made
            path = output.path(options.out)
            own = result.output_problems.get(output.kind.key, [])
            report.problems += own
            if blocking(own, strict):
                # This file alone failed (the print-shop PDF): the others stand.
                report.failed_outputs.append(output)
                if path.is_file():
                    path.unlink()
                    report.removed.append(path)
                continue
            if output.kind is web_page.KIND:
                fonts += write_web_fonts(result.web_fonts, options)
            write_atomically(path, result.files[output.kind.key])
            report.written.append(path)
            written.append(path.name)
    if options.run.check_only or sheet.slug in report.failed_sheets:
        return
    if options.make.wants(press_kit.KIND.key):
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
        ok = not blocking(result.problems, options.make.strict)
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
    files = {name: (options.out / name).read_bytes() for name in [*names, *fonts]}
    path = sheet_output(sheet.slug, press_kit.KIND).path(options.out)
    write_atomically(path, press_kit.make(sheet, files))
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


def save_state(
    keys: dict[str, str], built: dict[str, list[str]], skipped: list[str], options: Options
) -> None:
    """Record what each sheet built whole was built from, for the next run; forget
    the sheets planned but not built whole. Another build into the same folder may
    have recorded its sheets since this one began: the record is read again and
    changed only for this build's sheets, under the lock."""
    if not built and not (options.out / STATE_FILE).exists():
        return  # nothing to record, nothing recorded to forget
    with state_lock(options.out):
        state = record_built(read_state(options), keys, built, skipped)
        if state or (options.out / STATE_FILE).exists():
            write_atomically(options.out / STATE_FILE, state_bytes(state))
