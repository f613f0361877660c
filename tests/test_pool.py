"""Workers and limits (build/pool.py, build/limits.py): an edition that runs out
of time or memory, whose worker dies or which meets a bug fails alone, with
one line naming it; the other sheets build, and no run hangs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

import factsheet.build.pool as pool
from factsheet.model import Task, TaskResult
from factsheet.options import Options

from .conftest import ROOT


def breaking(how):
    """run_task, but for the sheet named "broken" it does `how` instead; the
    workers are forked, so they run this too."""
    real = pool.run_task

    def run_task(task: Task, options: Options) -> TaskResult:
        if task.sheet.slug == "broken":
            how()
        return real(task, options)

    return run_task


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def hang() -> None:
    while True:  # CPU time runs: the limit's timer stops it
        pass


def bug() -> None:
    raise KeyError("a bug")


def exhaust_memory() -> None:
    hoard = []
    while True:
        hoard.append(bytearray(50_000_000))


@pytest.mark.parametrize(
    ("how", "args", "expected"),
    [
        (die, [], "the process laying it out was killed by SIGKILL; the other sheets go on"),
        (hang, ["--time-limit", "2"], "took more than 2 s of CPU time to lay out, the limit; "
                                      "shorten the sheet, or raise the limit with --time-limit"),
        (exhaust_memory, ["--memory-limit", "400"],
         "needed more than 400 MB of memory to lay out, the limit; shrink its pictures or "
         "text, or raise the limit with --memory-limit MB"),
        (bug, [], "internal error: KeyError: 'a bug'; please report it with the sheet"),
    ],
    ids=["killed", "time", "memory", "bug"],
)  # fmt: skip
@pytest.mark.parametrize("jobs", ["1", "2", "3"])
def test_an_edition_that_cannot_finish_fails_alone(
    how, args, expected, jobs, two_sheets, tmp_path, run_cli, monkeypatch
):
    monkeypatch.setattr(pool, "run_task", breaking(how))
    out = tmp_path / "out"
    run = run_cli(*two_sheets, "--out", out, "--jobs", jobs, *args)
    assert run.code == 1
    failures = [line for line in run.error_lines if "broken." in line and ": " in line]
    assert failures, run.err
    assert all(expected in line for line in failures if "removed" not in line), run.err
    assert failures[0].startswith(f"{two_sheets[1] / 'en.yaml'}:1:1: broken.en: ")
    assert sorted(p.name for p in out.glob("*.pdf")) == ["fine.en.pdf", "fine.es.pdf"]
    assert "2 sheets: 1 built, 0 up to date, 1 failed" in run.out


def test_limits_are_named_in_the_help():
    run = subprocess.run(
        [sys.executable, ROOT / "make_pdf.py", "--help"], capture_output=True, text=True, check=True
    )
    assert "--time-limit SECONDS" in run.stdout
    assert "--memory-limit MB" in run.stdout


@pytest.mark.parametrize("args", [["--time-limit", "0"], ["--memory-limit", "10"]])
def test_limits_below_what_any_sheet_needs_are_refused(args, run_cli, minimal):
    run = run_cli(minimal, *args)
    assert run.code == 2
    assert "--time-limit must be above 0 and --memory-limit at least 64" in run.err
