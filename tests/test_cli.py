"""The command line over real sheet folders: exit codes, one-line errors, no stale PDFs."""

import re
from pathlib import Path

import pytest

from factsheet.cli import main

from .conftest import ROOT


def test_builds_both_languages(minimal, tmp_path, run_cli):
    out = tmp_path / "out"
    run = run_cli(minimal, "--out", out, "--jobs", "1")
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.glob("*.pdf")) == ["minimal.en.pdf", "minimal.es.pdf"]
    assert f"wrote {out}/minimal.en.pdf" in run.out
    assert "1 sheet: 1 built, 0 up to date, 0 failed; wrote 2 PDFs in " in run.out


def test_lang_option_builds_one_language(minimal, tmp_path, run_cli):
    run = run_cli(minimal, "--out", tmp_path, "--lang", "ES", "--jobs", "1")  # any case
    assert run.code == 0
    assert [p.name for p in tmp_path.glob("*.pdf")] == ["minimal.es.pdf"]


def test_check_writes_nothing(minimal, tmp_path, run_cli):
    run = run_cli(minimal, "--out", tmp_path / "out", "--check")
    assert run.code == 0, run.err
    assert not (tmp_path / "out").exists()
    assert "1 sheet checked: 1 passed, 0 failed, in " in run.out


def test_a4_paper(minimal, tmp_path, run_cli):
    import pypdf

    assert run_cli(minimal, "--out", tmp_path, "--paper", "a4", "--lang", "en").code == 0
    box = pypdf.PdfReader(tmp_path / "minimal.en.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def replace_in(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_INPUTS = [
    # (file, old text, new text, the one line expected on stderr)
    ("es.yaml", "title: Una", "title: [Una", "es.yaml:2:9: YAML syntax error: expected ',' or ']', but got ':'"),
    ("es.yaml", "[@smith2019, p. 12]", "[@smith2091, p. 12]", "es.yaml:10:49: unknown citation key 'smith2091' (did you mean 'smith2019'?)"),
    ("sheet.yaml", "pages: 1", "pages: 1\npages: 2", "sheet.yaml:5:1: duplicate key 'pages' (first defined on line 4)"),
    ("sheet.yaml", "citation-style: chicago-shortened-notes-bibliography", "citation-style: chicago", "sheet.yaml:6:17: unknown citation style 'chicago' (did you mean 'chicago-notes'?)"),
    ("sources.yaml", "id: smith2019", "id: smith2019\n  id: again", "sources.yaml:2:3: duplicate key 'id' (first defined on line 1)"),
    ("en.yaml", "id: second", "id: Second", "en.yaml:13:9: section id 'Second' must use lowercase letters, digits and '-'"),
    ("en.yaml", "title: A Small Test Sheet", "title: Heat illness: what to know", 'en.yaml:1:20: YAML syntax error: mapping values are not allowed here; a value with \': \' in it needs quotes around it: title: "Heat illness: what to know"'),
    ("es.yaml", "[@smith2019, p. 12]", "[@cdc2024, p. 12]", "es.yaml:10:49: unknown citation key 'cdc2024': add its source to sources.yaml, with id: cdc2024"),
    ("sheet.yaml", "updated: 2021-10-12", "updated: 2019-10-12", "sheet.yaml:3:10: updated (2019-10-12) is earlier than published (2020-03-05)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "expected"), BAD_INPUTS)
def test_bad_input_gives_one_line_and_no_pdf(minimal, tmp_path, run_cli, name, old, new, expected):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / "minimal.es.pdf"
    stale.write_bytes(b"%PDF- an old build")
    replace_in(minimal / name, old, new)
    run = run_cli(minimal, "--out", out, "--jobs", "1")
    assert run.code == 1
    assert "Traceback" not in run.err
    errors = [line for line in run.error_lines if ": warning: " not in line]
    assert errors[0] == f"{minimal}/{expected}"
    assert not stale.exists(), "a failed build must not leave an older PDF behind"


def test_missing_language_file(minimal, tmp_path, run_cli):
    (minimal / "es.yaml").unlink()
    run = run_cli(minimal, "--out", tmp_path)
    assert run.code == 1
    assert run.error_lines == [
        f"{minimal}/sheet.yaml:1:17: languages: 'es' is listed but {minimal}/es.yaml does not exist"
    ]
    assert list(tmp_path.glob("*.pdf")) == []


def test_not_a_sheet_folder(tmp_path, run_cli):
    run = run_cli(tmp_path / "nothing", "--out", tmp_path)
    assert run.code == 1
    assert run.error_lines == [f"{tmp_path}/nothing:1:1: not a sheet folder: it has no sheet.yaml"]


def test_one_bad_sheet_does_not_stop_the_others(minimal, tmp_path, run_cli):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(minimal, broken)
    replace_in(broken / "en.yaml", "title: A", "title: [A")
    run = run_cli(minimal, broken, "--out", tmp_path / "out", "--jobs", "2")
    assert run.code == 1
    assert (tmp_path / "out" / "minimal.en.pdf").exists()
    assert not (tmp_path / "out" / "broken.en.pdf").exists()
    assert len(run.error_lines) == 1


def test_overflowing_the_page_budget_fails(minimal, tmp_path, run_cli):
    long_text = "\n\n      ".join(
        ["A paragraph of filler text that goes on for a while. " * 8] * 12
    )
    replace_in(minimal / "en.yaml", "Thirty-one towns", long_text + "\n\n      Thirty-one towns")
    run = run_cli(minimal, "--out", tmp_path, "--lang", "en")
    assert run.code == 1
    [budget] = [line for line in run.error_lines if "budget" in line]
    assert re.fullmatch(
        re.escape(f"{minimal}/sheet.yaml:4:8: en: the sheet runs to 2 pages, over its budget of 1")
        + r" by about \d+ lines, even with copyfitting at its limits; page 2 starts in the "
        + re.escape(f"sentence at {minimal}/en.yaml:")
        + r"\d+:\d+ \(“[^”]+”\); the longest sections, in lines: first \(\d+\), "
        r"second \(\d+\), sources \(\d+\)",
        budget,
    ), budget
    assert not (tmp_path / "minimal.en.pdf").exists()


def test_usage_error_exits_2(capsys):
    assert main(["--jobs", "0"]) == 2
    assert main(["--paper", "tabloid"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_internal_errors_are_one_line_unless_debug(minimal, tmp_path, run_cli, monkeypatch):
    import factsheet.build.run

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(factsheet.build.run, "plan", explode)
    run = run_cli(minimal, "--out", tmp_path)
    assert run.code == 1
    assert run.error_lines == [
        "factsheet: internal error: RuntimeError('boom') (run with --debug for details)"
    ]
    with pytest.raises(RuntimeError):
        main([str(minimal), "--out", str(tmp_path), "--debug"])


def test_an_image_with_alt_text_is_embedded(minimal, tmp_path, run_cli):
    import pypdf
    from PIL import Image

    (minimal / "images").mkdir()
    Image.new("RGB", (40, 20), (13, 77, 107)).save(minimal / "images" / "chart.png")
    for name, alt in (("en.yaml", "A blue bar"), ("es.yaml", "Una barra azul")):
        replace_in(
            minimal / name, "      - No\n", f"      - No\n\n      ![{alt}](images/chart.png)\n"
        )
    run = run_cli(minimal, "--out", tmp_path, "--lang", "en")
    assert run.code == 0, run.err
    page = pypdf.PdfReader(tmp_path / "minimal.en.pdf").pages[0]
    assert len(page.images) == 1


def test_an_unchanged_sheet_is_skipped_until_an_input_changes(minimal, tmp_path, run_cli):
    out = tmp_path / "out"
    assert run_cli(minimal, "--out", out, "--jobs", "1").code == 0
    first = (out / "minimal.en.pdf").stat().st_mtime_ns

    run = run_cli(minimal, "--out", out)
    assert run.code == 0
    assert "1 sheet: 0 built, 1 up to date, 0 failed; wrote 0 PDFs in " in run.out
    assert (out / "minimal.en.pdf").stat().st_mtime_ns == first

    run = run_cli(minimal, "--out", out, "--force", "--lang", "en")
    assert "1 sheet: 1 built, 0 up to date" in run.out
    # --force records what it built, so the next plain build has nothing to do.
    assert "1 sheet: 0 built, 1 up to date" in run_cli(minimal, "--out", out, "--lang", "en").out

    replace_in(minimal / "sources.yaml", "Example Institute", "Example Institute Press")
    run = run_cli(minimal, "--out", out, "--lang", "en")
    assert "1 sheet: 1 built, 0 up to date" in run.out

    (out / "minimal.en.pdf").unlink()  # a missing output is rebuilt too
    assert "1 sheet: 1 built, 0 up to date" in run_cli(minimal, "--out", out, "--lang", "en").out


def test_options_are_part_of_what_is_up_to_date(minimal, tmp_path, run_cli):
    assert run_cli(minimal, "--out", tmp_path, "--lang", "en").code == 0
    assert "1 sheet: 1 built," in run_cli(minimal, "--out", tmp_path, "--lang", "en", "--draft").out
    assert "1 sheet: 1 built," in run_cli(minimal, "--out", tmp_path, "--lang", "en").out


def test_yaml_aliases_are_refused_quickly(minimal, run_cli):
    laughs = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        laughs.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    (minimal / "sources.yaml").write_text("\n".join(laughs) + "\n")
    run = run_cli(minimal, "--check")
    assert run.error_lines == [
        f"{minimal}/sources.yaml:1:4: YAML anchors and aliases (&name, *name) are not allowed"
    ]


def test_help_lists_the_commands(run_cli):
    run = run_cli("--help")
    assert run.code == 0
    assert "python3 make_pdf.py new SLUG [--sheets DIR]" in run.out
    for command in ("new", "changes", "reviewed", "export", "import"):
        assert f"python3 make_pdf.py {command} " in run.out
    for command in ("changes", "reviewed", "export", "import"):
        assert run_cli(command, "--help").code == 0


def test_make_pdf_outside_its_environment_says_what_to_run(tmp_path):
    """A fresh clone before `make`: one line, not an internal error."""
    import shutil
    import subprocess
    import sys

    shutil.copy(ROOT / "make_pdf.py", tmp_path)
    run = subprocess.run(
        [sys.executable, tmp_path / "make_pdf.py", "--help"], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert run.stderr == "make_pdf.py: the project is not set up here yet: run `make` first\n"


def test_make_pdf_runs_in_the_project_environment_from_any_python(tmp_path):
    """`python3 make_pdf.py`, as the README prints it, with a Python that lacks our packages."""
    import subprocess

    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
    run = subprocess.run(
        [python, "-I", ROOT / "make_pdf.py", "--version"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("factsheet ")


def test_a_language_the_sheet_lacks_fails_that_sheet(minimal, tmp_path, run_cli):
    run = run_cli(minimal, "--out", tmp_path, "--lang", "fr")
    assert run.code == 1
    assert run.error_lines == [
        f"{minimal}/sheet.yaml:1:12: --lang asks for 'fr', which this sheet does not list"
    ]
    assert "1 sheet: 0 built, 0 up to date, 1 failed; wrote 0 PDFs in " in run.out


def test_lang_builds_the_language_it_names_while_another_is_unfinished(minimal, tmp_path, run_cli):
    """Issue 28, point 4: the Spanish still out of step (its sections differ) stops
    neither `--lang en` nor its PDF; a build of both still reports it."""
    replace_in(minimal / "es.yaml", "- id: second", "- id: segunda")
    run = run_cli(minimal, "--out", tmp_path, "--lang", "en", "--jobs", "1")
    assert run.code == 0, run.err
    assert [p.name for p in tmp_path.glob("*.pdf")] == ["minimal.en.pdf"]
    assert run.error_lines == [
        f"{minimal}/es.yaml:1:1: warning: 2 problems in es's files not shown: es is not "
        "being built (--lang en); a build of es reports them"
    ]
    both = run_cli(minimal, "--out", tmp_path, "--jobs", "1")
    assert both.code == 1
    assert any("section 'segunda' is not in en.yaml" in line for line in both.error_lines)


def readme_synopsis() -> dict[str, set[str]]:
    """The flags the README's "Command line" block shows, by command ("" for a build)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```", 2)[1]
    flags: dict[str, set[str]] = {}
    command = ""
    for line in block.splitlines():
        if line.startswith("python3 make_pdf.py"):
            word = line.split()[2]
            command = "" if word.startswith("[") else word
        flags.setdefault(command, set()).update(re.findall(r"--[a-z][a-z-]*", line))
    return flags


@pytest.mark.parametrize("command", sorted(readme_synopsis()))
def test_the_readme_shows_every_option_help_does(command, capsys):
    """What the README's synopsis lists and what --help says never drift apart."""
    assert main([*([command] if command else []), "--help"]) == 0
    shown = set(re.findall(r"(?m)^\s+(--[a-z][a-z-]*)", capsys.readouterr().out))
    assert readme_synopsis()[command] == shown - {"--help", "--version"}
