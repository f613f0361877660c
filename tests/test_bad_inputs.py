"""The corpus in tests/bad_inputs: every broken or hostile sheet gets its exact
messages, exit code 1, no traceback, and no half-written file."""

import shutil
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case, tmp_path, run_cli):
    sheet = tmp_path / case
    shutil.copytree(
        CORPUS / case, sheet, symlinks=True, ignore=shutil.ignore_patterns("expected.txt")
    )
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8")
    run = run_cli(sheet, "--out", tmp_path / "out", "--jobs", "1")
    assert run.code == 1
    assert "Traceback" not in run.err
    assert run.error_lines == expected.replace("{sheet}", str(sheet)).splitlines()
    leftovers = list((tmp_path / "out").glob(".*.tmp")) if (tmp_path / "out").exists() else []
    assert leftovers == []
