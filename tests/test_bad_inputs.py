"""The corpus in tests/bad_inputs: every broken or hostile sheet gets its exact
messages, exit code 1, no traceback, and no half-written file; `--check` says
the same (but for what only a layout can know); what did not fail is kept."""

import re
import shutil
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
LAYOUT_ONLY = {"over-page-budget"}  # --check cannot know these; the build can
EXTRAS = ("expected.txt", "args.txt", "kept.txt")


def test_every_case_expects_one_placed_line_per_problem():
    """Each case names its problems the way a writer reads them: a file of the
    sheet, a line and a column, then words; the corpus covers every file a sheet
    has and at least twenty ways to get one wrong."""
    placed = re.compile(r"\{sheet\}/(?P<file>[\w.-]+):\d+:\d+: (?:warning: )?\S.*")
    files = set()
    for case in CASES:
        lines = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
        assert lines, case
        for line in lines:
            match = placed.fullmatch(line)
            assert match, f"{case}: {line}"
            files.add(match["file"])
    assert len(CASES) >= 20
    assert {"sheet.yaml", "en.yaml", "es.yaml", "sources.yaml"} <= files


def case_file(case: str, name: str) -> list[str]:
    path = CORPUS / case / name
    return path.read_text(encoding="utf-8").split() if path.is_file() else []


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case, tmp_path, run_cli):
    sheet = tmp_path / case
    shutil.copytree(CORPUS / case, sheet, symlinks=True, ignore=shutil.ignore_patterns(*EXTRAS))
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8")
    expected_lines = expected.replace("{sheet}", str(sheet)).splitlines()
    args = case_file(case, "args.txt")  # options the case needs, such as --bilingual
    out = tmp_path / "out"
    run = run_cli(sheet, "--out", out, "--jobs", "1", *args)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert run.error_lines == expected_lines
    leftovers = list(out.glob(".*.tmp")) if out.exists() else []
    assert leftovers == []
    # Editions that did not fail are written, and only they.
    written = sorted(p.name for p in out.iterdir() if p.suffix == ".pdf") if out.exists() else []
    assert written == case_file(case, "kept.txt")

    check = run_cli(sheet, "--check", *args)
    if case in LAYOUT_ONLY:
        assert check.code == 0
    else:
        assert (check.code, check.error_lines) == (1, expected_lines)
