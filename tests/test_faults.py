"""Faults of the machine, not of the sheet: a full or read-only disk, a font
package gone from the environment. One line each, never an internal error, and
the sheets that can still be written are."""

from __future__ import annotations

import errno
import sys

import pytest

import factsheet.build.run as run_stage


@pytest.mark.parametrize(
    ("number", "reason"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_a_disk_that_refuses_a_sheet_fails_that_sheet(
    number, reason, two_sheets, tmp_path, run_cli, monkeypatch
):
    real = run_stage.write_atomically

    def write(path, data):
        if path.name.startswith("broken."):
            raise OSError(number, reason, str(path.parent / f".{path.name}.x.tmp"))
        real(path, data)

    monkeypatch.setattr(run_stage, "write_atomically", write)
    out = tmp_path / "out"
    run = run_cli(*two_sheets, "--out", out, "--jobs", "1")
    assert run.code == 1
    assert run.error_lines == [f"{out}:1:1: cannot write the files of broken here: {reason}"]
    assert sorted(p.name for p in out.glob("*.pdf")) == ["fine.en.pdf", "fine.es.pdf"]
    assert "2 sheets: 1 built, 0 up to date, 1 failed" in run.out
    # What could not be written is not recorded as built: the next run tries again.
    monkeypatch.setattr(run_stage, "write_atomically", real)
    again = run_cli(*two_sheets, "--out", out, "--jobs", "1")
    assert "1 built, 1 up to date, 0 failed" in again.out


def test_a_record_that_cannot_be_saved_is_one_line(minimal, tmp_path, run_cli, monkeypatch):
    def refuse(keys, built, skipped, options):
        raise OSError(errno.ENOSPC, "No space left on device", str(options.out / ".x.tmp"))

    monkeypatch.setattr(run_stage, "save_state", refuse)
    run = run_cli(minimal, "--out", tmp_path / "out", "--jobs", "1")
    expected = "cannot write the record .factsheet-state.json here: No space left on device"
    assert run.error_lines == [f"{tmp_path / 'out'}:1:1: {expected}"]


@pytest.mark.parametrize("args", [[], ["--check"]])
def test_a_missing_font_package_says_to_run_make(args, minimal, tmp_path, run_cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "fontpkg_source_serif_4", None)
    run = run_cli(minimal, "--out", tmp_path / "out", *args)
    assert run.code == 1
    assert run.error_lines == [
        "factsheet: font packages not installed: fontpkg-source-serif-4; "
        "run `make` to set up the project's environment"
    ]
    assert not (tmp_path / "out").exists()
