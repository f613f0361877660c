"""The incremental state: builds into one output folder at the same time keep
every sheet's record (the state file is read again and written under a lock)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading

from factsheet.build.run import save_state
from factsheet.build.state import STATE_FILE, state_lock
from factsheet.options import Options
from tests.conftest import DATA, ROOT


def test_two_builds_into_one_output_at_once_keep_both_records(tmp_path, run_cli):
    """Each build reads the record when it starts and writes it when it ends: run
    side by side, the last to end used to write over the other's sheet."""
    folders = []
    for name in ("first", "second"):
        shutil.copytree(DATA / "minimal", tmp_path / name)
        folders.append(tmp_path / name)
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "make_pdf.py"), "--out", str(out), "--jobs", "1",
               "--lang", "en"]  # fmt: skip
    builds = [
        subprocess.Popen(
            [*command, str(folder)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for folder in folders
    ]
    for build in builds:
        printed = build.communicate(timeout=300)[0]
        assert build.returncode == 0, printed
        assert "1 sheet: 1 built, 0 up to date, 0 failed" in printed
    assert set(json.loads((out / STATE_FILE).read_text())) == {"first", "second"}
    run = run_cli(*folders, "--out", out, "--lang", "en")
    assert "2 sheets: 0 built, 2 up to date, 0 failed" in run.out, run.out


def test_the_record_is_written_only_under_the_lock(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / STATE_FILE).write_text(json.dumps({"other": {"key": "k0", "outputs": ["o.en.pdf"]}}))
    options = Options(out=out)
    saver = threading.Thread(
        target=save_state, args=({"mine": "k1"}, {"mine": ["mine.en.pdf"]}, [], options)
    )
    with state_lock(out):  # another build, between its read and its write
        saver.start()
        saver.join(timeout=1)
        assert saver.is_alive(), "the record was written while another build held the lock"
        assert "mine" not in json.loads((out / STATE_FILE).read_text())
    saver.join(timeout=10)
    assert json.loads((out / STATE_FILE).read_text()) == {
        "other": {"key": "k0", "outputs": ["o.en.pdf"]},  # written since this build began
        "mine": {"key": "k1", "outputs": ["mine.en.pdf"]},
    }


def test_a_build_that_records_nothing_leaves_no_file(tmp_path):
    save_state({"failed": "k"}, {}, [], Options(out=tmp_path / "out"))
    assert not (tmp_path / "out").exists()
