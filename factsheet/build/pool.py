"""Running editions in worker processes, sheet by sheet, each under the run's
time and memory limits (limits.py), and stopping cleanly when asked to.

Each sheet goes through up to three rounds: each language fitted on its own;
the languages that fitted with less copyfitting than another, again from that
level (so English and Spanish look alike); then the bilingual edition, from the
settings each language ended with. A sheet moves to its next round as soon as
its own tasks are back, and its results are handed over as soon as it is
done, so what finished before an interrupt can be kept.

Ctrl-C, SIGTERM and SIGHUP raise `Stopped` in the main process; the workers
ignore them, are terminated with the pool, and die with the main process if
it is killed outright. A worker that dies or hangs fails its edition alone.
Workers never write files.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.process
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from types import FrameType, TracebackType

from factsheet.build.limits import (
    TimeLimitError,
    died_problem,
    edition_pos,
    limit_memory,
    memory_problem,
    start_clock,
    stop_clock,
    time_problem,
)
from factsheet.build.plan import Plan
from factsheet.errors import Problem, blocking
from factsheet.model import Edition, LayoutSettings, Task, TaskResult
from factsheet.options import Options, Run
from factsheet.pipeline import run_task

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


def warm_up() -> None:
    """Import the pipeline and make one PDF of the new-sheet example, so that each
    worker forked from here starts where a process that has built before would be:
    fonts loaded, styles parsed, cffi's types and citeproc's style read. For
    processes that build again and again (the build server, watch, the tests):
    a worker's warmth dies with it, this process's is handed to every worker.
    Charts are left out: they are drawn in a process of their own."""
    from factsheet.errors import Pos
    from factsheet.layout.pdf import lay_out, write_layout
    from factsheet.pipeline import sheet_html
    from factsheet.scaffold import EXAMPLE_DIR

    for lang in ("en", "es"):
        sheet, html = sheet_html(EXAMPLE_DIR, lang, charts=False)
        write_layout(lay_out(html, sheet.root, Pos("warm-up")), sheet.config.updated)


def worker_init(run: Run) -> None:
    """A worker leaves stopping to the main process, which terminates it, and keeps
    to the run's memory limit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # fork copied the main process's handler
    with contextlib.suppress(OSError, AttributeError):
        # Linux: die with the main process even if it is killed outright (SIGKILL).
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    limit_memory(run.memory_limit)


def run_bounded(task: Task, options: Options) -> TaskResult:
    """One edition under the run's CPU-time limit; memory past the limit fails it too."""
    start_clock(options.run.time_limit)
    try:
        return run_task(task, options)
    except TimeLimitError:
        return time_problem(task, options.run.time_limit)
    except MemoryError:
        return memory_problem(task, options.run.memory_limit)
    finally:
        stop_clock()


def worker_main(conn: Connection, options: Options) -> None:
    """A worker: takes tasks from its pipe until the pipe closes, sends each result
    back. A bug in the code making an edition is sent back as text, not raised."""
    worker_init(options.run)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:  # no more tasks
            return
        try:
            answer: TaskResult | WorkerBug = run_bounded(task, options)
        except Exception:  # a bug: the main process reports it for this edition
            answer = WorkerBug(traceback.format_exc())
        try:
            conn.send(answer)
        except Exception:  # a result that does not pickle is a bug too
            conn.send(WorkerBug(traceback.format_exc()))


@dataclass(frozen=True)
class WorkerBug:
    """An exception a worker met making an edition, as its traceback."""

    trace: str


@dataclass
class Worker:
    """One worker process, its pipe, and the task it is on (None when idle)."""

    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: Task | None = None
    started: float = 0.0


class Workers:
    """Runs tasks in worker processes, one task a worker at a time, results in
    finishing order. Owning each worker's pipe means the pool always knows which
    edition a worker was making: one that dies (killed, out of memory in a C
    library) fails that edition alone, and a fresh worker takes its place.
    Editions run in workers even with one job, so that the limits (limits.py)
    never touch the main process."""

    def __init__(self, options: Options, size: int) -> None:
        self.options = options
        self.size = max(1, size)
        self.queue: deque[Task] = deque()
        self.workers: list[Worker] = []
        # Forked: a worker starts at once, with what this process has loaded. (No
        # chart engine is among it: charts are drawn in processes of their own.)
        self.context = multiprocessing.get_context("fork")
        # CPU time is the limit; wall time only catches a worker stuck outside
        # Python, where no signal is handled (generous: the machine may be busy).
        self.wall_limit = options.run.time_limit * 4 + 30

    def start_worker(self) -> Worker:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=worker_main, args=(theirs, self.options), daemon=True)
        process.start()
        theirs.close()
        worker = Worker(process, ours)
        self.workers.append(worker)
        return worker

    def submit(self, task: Task) -> None:
        self.queue.append(task)
        self.hand_out()

    def hand_out(self) -> None:
        """Give queued tasks to idle workers, starting workers up to the pool's size."""
        while self.queue:
            idle = next((w for w in self.workers if w.task is None), None)
            if idle is None:
                if len(self.workers) >= self.size:
                    return
                idle = self.start_worker()
            idle.task, idle.started = self.queue.popleft(), time.monotonic()
            idle.conn.send(idle.task)

    def next_result(self) -> TaskResult:
        while True:
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                raise RuntimeError("no edition is being made")  # a bug in the rounds
            # A timeout keeps the wait short enough for a signal to be handled.
            ready = mp_wait([w.conn for w in busy] + [w.process.sentinel for w in busy], 0.2)
            for worker in busy:
                result = self.collect(worker, ready)
                if result is not None:
                    self.hand_out()
                    return result

    def collect(self, worker: Worker, ready: list) -> TaskResult | None:
        """The worker's result if it has one, or its task's failure if it died or
        ran past the wall-clock limit; None while it is still working."""
        task = worker.task
        assert task is not None
        if worker.conn in ready:
            try:
                answer = worker.conn.recv()
            except (EOFError, OSError):
                return self.replace(worker, died_problem(task, self.death(worker)))
            except Exception:  # a result that does not unpickle
                answer = WorkerBug(traceback.format_exc())
            worker.task = None
            if isinstance(answer, WorkerBug):
                return bug_result(task, answer)
            return answer
        if worker.process.sentinel in ready:
            return self.replace(worker, died_problem(task, self.death(worker)))
        if time.monotonic() - worker.started > self.wall_limit:
            worker.process.kill()
            return self.replace(worker, time_problem(task, self.options.run.time_limit))
        return None

    def death(self, worker: Worker) -> str:
        worker.process.join(5)
        code = worker.process.exitcode
        if code is not None and code < 0:
            return f"was killed by {signal.Signals(-code).name}"
        return f"stopped (exit code {code})"

    def replace(self, worker: Worker, result: TaskResult) -> TaskResult:
        """Retire a dead or stuck worker; the next hand-out starts a fresh one."""
        worker.conn.close()
        worker.process.join(5)
        self.workers.remove(worker)
        return result

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType
    ) -> None:
        for worker in self.workers:
            if kind is None and worker.task is None:
                # Closing the pipe would not do: later workers hold copies of it.
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            else:
                worker.process.terminate()  # stopped or failed: running tasks end
        for worker in self.workers:
            worker.process.join()
            worker.conn.close()


def bug_result(task: Task, bug: WorkerBug) -> TaskResult:
    """A bug met making one edition fails that edition; the others go on."""
    last = bug.trace.strip().splitlines()[-1]
    message = (
        f"{task.edition}: internal error: {last}; please report it with the sheet "
        "(the traceback is printed above)"
    )
    sys.stderr.write(bug.trace)
    return TaskResult(task, [Problem(edition_pos(task), message, code="internal.error")])


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
