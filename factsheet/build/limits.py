"""The time and memory an edition may take, enforced in the worker that makes it.

A sheet can ask for more than any fact sheet needs in ways no input limit
foresees; these two catch what is left. Time is CPU time (the machines are
shared: a busy neighbour must not fail a build), counted from the start of each
edition by an interval timer whose signal raises `TimeLimitError` inside the task.
Memory is the worker's data segment (RLIMIT_DATA: heap and private mappings,
not the fonts it maps), past which allocation fails with MemoryError. A worker
that dies anyway (a C library aborting) is caught by the pool (pool.py).
"""

from __future__ import annotations

import resource
import signal
from pathlib import Path
from types import FrameType

from factsheet.errors import Pos, Problem, display_path
from factsheet.model import Task, TaskResult
from factsheet.options import MEMORY_LIMIT_FLAG, TIME_LIMIT_FLAG


class TimeLimitError(Exception):
    """The edition used up its CPU time."""


def limit_memory(megabytes: int) -> None:
    """Cap this process's data segment (the soft limit only: a child this process
    starts, such as the chart drawer, may set its own)."""
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))


def start_clock(seconds: float) -> None:
    """From now on, `seconds` of this process's CPU time raise TimeLimitError."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitError

    signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)


def stop_clock() -> None:
    signal.setitimer(signal.ITIMER_PROF, 0)


def edition_pos(task: Task) -> Pos:
    """A limit is the edition's, not a line's: it is reported at the sheet's
    language file (or sheet.yaml for a bilingual edition)."""
    if len(task.docs) == 1:
        return Pos(task.sheet.contents[task.docs[0].lang].path, 1, 1)
    return Pos(display_path(Path(task.sheet.root) / "sheet.yaml"), 1, 1)


def time_problem(task: Task, seconds: float) -> TaskResult:
    message = (
        f"{task.edition}: took more than {seconds:g} s of CPU time to lay out, the limit; "
        f"shorten the sheet, or raise the limit with {TIME_LIMIT_FLAG} SECONDS"
    )
    return TaskResult(task, [Problem(edition_pos(task), message, code="limit.time")])


def memory_problem(task: Task, megabytes: int) -> TaskResult:
    message = (
        f"{task.edition}: needed more than {megabytes} MB of memory to lay out, the limit; "
        f"shrink its pictures or text, or raise the limit with {MEMORY_LIMIT_FLAG} MB"
    )
    return TaskResult(task, [Problem(edition_pos(task), message, code="limit.memory")])


def died_problem(task: Task, how: str) -> TaskResult:
    message = (
        f"{task.edition}: the process laying it out {how}; the other sheets go on. "
        "If the sheet is not unusually large, please report this with the sheet"
    )
    return TaskResult(task, [Problem(edition_pos(task), message, code="build.worker-died")])
