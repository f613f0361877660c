"""Running editions: in this process or in a pool of workers, sheet by sheet,
and stopping cleanly when asked to.

Each sheet goes through up to three rounds: each language fitted on its own;
the languages that fitted with less copyfitting than another, again from that
level (so English and Spanish look alike); then the bilingual edition, from the
settings each language ended with. A sheet moves to its next round as soon as
its own tasks are back, and its results are handed over as soon as it is
done, so what finished before an interrupt can be kept.

Ctrl-C, SIGTERM and SIGHUP raise `Stopped` in the main process; the workers
ignore them, are terminated with the pool, and die with the main process if
it is killed outright. Workers never write files.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from types import FrameType, TracebackType

from factsheet.pipeline import run_task
from factsheet.errors import blocking
from factsheet.model import Edition, LayoutSettings, Task, TaskResult
from factsheet.options import Options
from factsheet.build.plan import Plan

Progress = Callable[[int, int, str], None]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(BaseException):
    """The build was asked to stop (Ctrl-C, SIGTERM, SIGHUP). A BaseException, as
    KeyboardInterrupt is, so that no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # what a shell reports for a process a signal stopped


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP raise Stopped instead of a KeyboardInterrupt or
    killing the process where it stands; outside the main thread (signals cannot
    be set there) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def worker_init() -> None:
    """A worker leaves stopping to the main process, which terminates the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # fork copied the main process's handler
    with contextlib.suppress(OSError, AttributeError):
        # Linux: die with the main process even if it is killed outright (SIGKILL).
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class Workers:
    """Runs tasks in this process (one job) or in a pool, results in finishing order."""

    def __init__(self, options: Options, size: int) -> None:
        self.options = options
        self.local: deque[Task] = deque()
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.pool = None
        if size > 1:
            # vl-convert runs its JavaScript engine on threads of its own: a worker
            # forked from a process that has drawn a chart inherits their locks,
            # held, and hangs at its own first chart. Such a process starts fresh ones.
            method = "spawn" if "vl_convert" in sys.modules else "fork"
            context = multiprocessing.get_context(method)
            self.pool = context.Pool(size, initializer=worker_init)

    def submit(self, task: Task) -> None:
        if self.pool is None:
            self.local.append(task)
        else:
            self.pool.apply_async(
                run_task, (task, self.options),
                callback=self.results.put, error_callback=self.results.put,
            )  # fmt: skip

    def next_result(self) -> TaskResult:
        if self.pool is None:
            return run_task(self.local.popleft(), self.options)
        while True:
            try:
                # A timeout keeps the wait short enough for a signal to be handled.
                result = self.results.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(result, BaseException):
                raise result  # a bug in a worker: the build reports it as such
            return result

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType
    ) -> None:
        if self.pool is None:
            return
        if kind is None:
            self.pool.close()  # every task is done: let the workers finish
        else:
            self.pool.terminate()  # stopped or failed: queued tasks go, running ones end
        self.pool.join()


@dataclass
class SheetRounds:
    """One sheet on its way through the rounds."""

    results: dict[Edition, TaskResult] = field(default_factory=dict)
    waiting: int = 0
    combined: Task | None = None  # the bilingual edition, once its languages are back
    last_round: bool = False


def run_editions(
    planned: Plan, options: Options, progress: Progress | None = None
) -> Iterator[list[TaskResult]]:
    """Every edition of every planned sheet; yields each sheet's results once the
    sheet is done. Closing the generator early (the build was stopped) terminates
    the workers."""
    sheets: dict[str, SheetRounds] = {}
    for task in planned.tasks:
        sheets.setdefault(task.sheet.slug, SheetRounds()).waiting += 1
    for task in planned.combined:
        sheets[task.sheet.slug].combined = task
    total = len(planned.tasks) + len(planned.combined)
    done = 0
    size = min(options.run.jobs, total)
    with Workers(options, size) as workers:
        for task in planned.tasks:
            workers.submit(task)
        while any(sheet.waiting for sheet in sheets.values()):
            result = workers.next_result()
            done += 1
            if progress is not None:
                progress(done, total, str(result.task.edition))
            sheet = sheets[result.task.sheet.slug]
            sheet.results[result.task.edition] = result
            sheet.waiting -= 1
            if sheet.waiting:
                continue
            had_combined = sheet.combined is not None
            following = [] if sheet.last_round else next_round(sheet, options)
            total += sum(not task.combined for task in following)
            if had_combined and sheet.combined is None and not following:
                total -= 1  # a language failed: no bilingual edition
            for task in following:
                workers.submit(task)
            sheet.waiting = len(following)
            if not following:
                yield list(sheet.results.values())


def next_round(sheet: SheetRounds, options: Options) -> list[Task]:
    """What a sheet runs next: its languages again at a shared copyfit level, else its
    bilingual edition (once), else nothing."""
    again = shared_level_tasks(list(sheet.results.values()), options)
    if again:
        return again
    combined, sheet.combined = sheet.combined, None
    sheet.last_round = True
    if combined is None:
        return []
    parts = [sheet.results.get(Edition(combined.sheet.slug, (doc.lang,))) for doc in combined.docs]
    if not all(part and part.settings and not blocking(part.problems, options.make.strict)
               for part in parts):  # fmt: skip
        return []
    return [replace(combined, start=tuple(p.settings[0] for p in parts))]  # type: ignore[union-attr]


def shared_level_tasks(results: list[TaskResult], options: Options) -> list[Task]:
    """The languages of one sheet to lay out again at its highest copyfit level (among
    the languages that built: one that failed does not set the others' look)."""
    built = [r for r in results if r.settings and not r.task.combined
             and not blocking(r.problems, options.make.strict)]  # fmt: skip
    if not built:
        return []
    level = max(r.settings[0].level for r in built)
    return [
        replace(r.task, start=(LayoutSettings(level=level),))
        for r in built
        if r.settings[0].level < level
    ]
