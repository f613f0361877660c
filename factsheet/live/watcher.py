"""The watch loop's state: what a save touches, the sheets' last builds, and
who to tell (the preview listens). `watch.py` runs the loop around it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from factsheet.build.plan import find_sheets
from factsheet.build.run import Report, build
from factsheet.errors import FactsheetError, blocking
from factsheet.model import Edition
from factsheet.options import Options, Run
from factsheet.outputs import office_pdf
from factsheet.paths import LOCALES_DIR, STYLES_DIR, TEMPLATES_DIR, THEMES_DIR

SHARED_DIRS = (
    STYLES_DIR,
    TEMPLATES_DIR,
    LOCALES_DIR,
    THEMES_DIR,
)  # a change here touches every sheet


@dataclass
class SheetView:
    """What the preview shows of one sheet after its last build."""

    slug: str
    folder: Path
    langs: list[str] = field(default_factory=list)
    budget: int = 0
    pages_used: dict[str, float] = field(default_factory=dict)  # lang -> 1.92
    failed: set[str] = field(default_factory=set)  # languages whose last build failed
    drafts: set[str] = field(default_factory=set)  # ...and wrote a draft past the budget
    problems: list[str] = field(default_factory=list)
    built_at: float = 0.0


@dataclass
class Rebuild:
    """A sheet to build again, and which of its languages (all when empty)."""

    folder: Path
    langs: tuple[str, ...] = ()


def touched(changed: Iterable[Path], folders: list[Path]) -> list[Rebuild]:
    """What a set of saved files asks to rebuild."""
    changed = [path.resolve() for path in changed]
    if any(path.is_relative_to(shared) for path in changed for shared in SHARED_DIRS):
        return [Rebuild(folder) for folder in folders]
    rebuilds = []
    for folder in folders:
        names = {p.name for p in changed if p.is_relative_to(folder.resolve()) and is_input(p)}
        if not names:
            continue
        languages = [name for name in names if is_language_file(name)]
        whole = len(languages) < len(names)  # sheet.yaml, sources.yaml, an image
        langs = () if whole else tuple(sorted(n.removesuffix(".yaml") for n in languages))
        rebuilds.append(Rebuild(folder, langs))
    return rebuilds


def is_input(path: Path) -> bool:
    """A file a build reads: not an editor's swap or temporary file (gone by the
    time we look), nor the review history, which changes nothing printed."""
    if path.name.endswith(".reviewed.yaml"):
        return False
    known = path.name in ("sheet.yaml", "sources.yaml") or is_language_file(path.name)
    return known or (path.is_file() and not path.name.startswith((".", "#", "~")))


def is_language_file(name: str) -> bool:
    """`es.yaml`, `pt.yaml`: a language's words (not sheet.yaml, sources.yaml)."""
    stem = name.removesuffix(".yaml")
    return name.endswith(".yaml") and stem.isalpha() and len(stem) in (2, 3)


class Watcher:
    """The watch loop's state: the sheets, their last builds, and who to tell."""

    def __init__(self, options: Options, out: TextIO) -> None:
        # One task at a time in this process: that is what keeps it warm.
        self.options = replace(options, run=Run(jobs=1, keep_last_good=True, force=True))
        self.out = out
        self.lock = threading.Condition()
        self.generation = 0  # counts rebuilds; the preview waits on it
        self.views: dict[str, SheetView] = {}
        self.listeners: list[Callable[[list[str]], None]] = []

    def folders(self) -> list[Path]:
        folders, problems = find_sheets(self.options)
        for problem in problems:
            print(problem, file=self.out)
        return folders

    def paths(self) -> list[Path]:
        """What to watch: the sheets (or sheets/ for new ones) and the shared files."""
        roots = list(self.options.sheets) or [self.options.sheets_root]
        return [path for path in [*roots, *SHARED_DIRS] if path.is_dir()]

    def rebuild(self, rebuilds: list[Rebuild]) -> None:
        for item in rebuilds:
            started = time.perf_counter()
            make = replace(self.options.make, langs=item.langs)
            options = replace(self.options, sheets=(item.folder,), make=make)
            try:
                report = build(options)
            except FactsheetError as exc:  # the sheet folder itself went away
                report = Report(sheets=[item.folder.name], problems=exc.problems)
            except Exception as exc:  # a bug must not end the writer's session
                print(f"internal error while building {item.folder}: {exc!r}", file=self.out)
                continue
            self.record(item, report, time.perf_counter() - started)
            if report.stopped is not None:  # a signal stopped the build: stop watching too
                raise KeyboardInterrupt

    def record(self, item: Rebuild, report: Report, seconds: float) -> None:
        slug = item.folder.resolve().name
        with self.lock:
            view = self.views.setdefault(slug, SheetView(slug, item.folder))
            view.problems = [str(p) for p in report.problems]
            built = set(item.langs or view.langs)
            for edition, used in report.pages_used.items():
                if not edition.combined:
                    view.pages_used[edition.langs[0]] = used
            whole = any(edition.whole_sheet for edition in report.failed)
            failed = {e.langs[0] for e in report.failed if e.langs and not e.combined}
            view.failed = (view.failed - built) | (built if whole else failed & built)
            # --draft past the budget: the failed language's PDF is written anyway.
            written = {path.name for path in report.written}
            pdfs = {lang: office_pdf.KIND.filename(Edition(slug, (lang,))) for lang in view.failed}
            view.drafts = {lang for lang, name in pdfs.items() if name in written}
            view.built_at = time.time()
            self.generation += 1
            self.lock.notify_all()
        what = f"{slug}.{','.join(item.langs)}" if item.langs else slug
        blocked = blocking(report.problems, self.options.make.strict)
        state = "failed (the last good PDF is kept)" if blocked else "built"
        if view.drafts:
            state = "over the page budget (the draft PDF tints the pages past it)"
        used = ", ".join(f"{lang}: {n:.2f} of {view.budget or '?'} pages"
                         for lang, n in sorted(view.pages_used.items()))  # fmt: skip
        stamp = time.strftime("%H:%M:%S")
        print(f"[{stamp}] {what}: {state} in {seconds:.1f} s ({used})", file=self.out)
        for problem in report.problems:
            print(f"  {problem}", file=self.out)
        if not report.problems:
            print("  no problems", file=self.out)
        self.out.flush()
        for listener in self.listeners:
            listener([slug])

    def first_build(self, folders: list[Path]) -> None:
        for folder in folders:
            self.read_settings(folder)
            self.rebuild([Rebuild(folder)])

    def read_settings(self, folder: Path) -> None:
        """A sheet's languages and page budget, for the preview (sheet.yaml may change
        them); a sheet that does not load keeps what it had, and its build says why."""
        from factsheet.sources.load import load_sheet

        slug = folder.resolve().name
        with self.lock:
            self.views.setdefault(slug, SheetView(slug, folder))
        try:
            sheet = load_sheet(folder)
        except FactsheetError:
            return
        with self.lock:
            self.views[slug].langs = list(sheet.config.languages)
            self.views[slug].budget = sheet.config.pages
