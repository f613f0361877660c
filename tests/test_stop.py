"""Stopping a build: Ctrl-C, SIGTERM and SIGHUP end it within a second or two,
leave no process behind, keep and record what finished, and say so in one line."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, SAMPLE

SHEETS = 6


@pytest.fixture
def many_sheets(tmp_path):
    folders = []
    for number in range(SHEETS):
        folder = tmp_path / "sheets" / f"sheet{number}"
        shutil.copytree(SAMPLE, folder)
        folders.append(folder)
    return folders


def start_build(folders, out) -> subprocess.Popen:
    command = [sys.executable, ROOT / "make_pdf.py", *folders, "--out", out, "--jobs", "2"]
    # A session of its own: the test can signal the whole group, as a terminal does.
    return subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_pdfs(out, count: int, build: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while len(list(out.glob("*.pdf"))) < count:
        assert build.poll() is None, "the build ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize(
    ("signum", "to_group", "name"),
    [
        (signal.SIGINT, True, "Ctrl-C"),  # a terminal sends Ctrl-C to every process
        (signal.SIGTERM, False, "SIGTERM"),  # a CI runner or process manager: the main one
        (signal.SIGHUP, False, "SIGHUP"),
    ],
)
def test_a_signal_stops_the_build_cleanly(many_sheets, tmp_path, signum, to_group, name):
    out = tmp_path / "out"
    build = start_build(many_sheets, out)
    wait_for_pdfs(out, 2, build)
    sent = time.monotonic()
    (os.killpg if to_group else os.kill)(build.pid, signum)
    stdout, stderr = build.communicate(timeout=30)
    took = time.monotonic() - sent

    assert build.returncode == 128 + signum
    assert took < 3, f"took {took:.1f} s to stop"
    time.sleep(0.2)  # let the kernel reap the workers it killed
    assert group_is_gone(build.pid), "a worker outlived the build"
    assert "Traceback" not in stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("stopped")]
    match = re.fullmatch(
        rf"stopped by {name}: (\d+) of {2 * SHEETS} PDFs built; run again to finish "
        r"\(what was built is kept\)",
        line,
    )
    assert match, line
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert int(match[1]) == len(pdfs) < 2 * SHEETS
    assert [line.removeprefix("wrote ") for line in stdout.splitlines() if "wrote" in line] == [
        str(out / name) for name in pdfs
    ]
    assert not list(out.glob(".*.tmp")), "a temporary file was left"
    # Nothing keeps writing after the command returned.
    time.sleep(1)
    assert sorted(p.name for p in out.glob("*.pdf")) == pdfs

    state = json.loads((out / ".factsheet-state.json").read_text())
    recorded = sorted(name for entry in state.values() for name in entry["outputs"])
    assert recorded == pdfs
    # The next run builds only the rest.
    rerun = subprocess.run(
        [sys.executable, ROOT / "make_pdf.py", *many_sheets, "--out", out, "--jobs", "2"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    done = len(pdfs) // 2
    assert f"{SHEETS - done} built, {done} up to date, 0 failed" in rerun.stdout
