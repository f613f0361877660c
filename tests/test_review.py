"""Review records: who reviewed what and when, and what changed since."""

from __future__ import annotations

import datetime
import shutil

import pytest

from tests.conftest import SAMPLE
from tests.test_parity import document_problems, mutate


@pytest.fixture
def sample_copy(tmp_path):
    folder = tmp_path / "decriminalization"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_reviewed_records_who_and_when_and_keeps_the_english(minimal, run_cli):
    mutate(minimal / "en.yaml", "Thirty-one towns", "Thirty-one small towns")
    run = run_cli("reviewed", minimal, "es", "first", "--by", "Ana López")
    assert run.code == 0, run.err
    today = datetime.date.today().isoformat()
    es = (minimal / "es.yaml").read_text()
    assert "    translated-from: " in es
    assert f" {today} Ana López\n" in es
    assert "  - id: second\n    translated-from: 39662e5388 8b12deca2b\n" in es  # not asked
    kept = (minimal / "es.reviewed.yaml").read_text()
    assert "first:\n  heading: First section\n  body: |\n    Thirty-one small towns" in kept
    assert "\nsecond:\n" in kept  # its record matched the English as it is: kept too


def test_changes_shows_the_english_as_reviewed_against_the_english_now(minimal, run_cli):
    assert run_cli("reviewed", minimal, "es", "--all", "--by", "Ana").code == 0
    mutate(minimal / "en.yaml", "Thirty-one towns took part", "Thirty-two towns took part")
    mutate(minimal / "en.yaml", "      - Yes\n", "")
    warning = document_problems(minimal)
    assert f"see what changed: python3 make_pdf.py changes {minimal} es first" in warning[-1]
    run = run_cli("changes", minimal, "es")
    assert run.code == 0, run.err
    today = datetime.date.today().isoformat()
    assert run.out.splitlines() == [
        f"section 'first' (en.yaml:6), reviewed {today} by Ana; [-removed-] {{+added+}}:",
        "  [-Thirty-one-] {+Thirty-two+} towns took part in 2019.[@smith2019, p. 12]",
        "",
        "  [-- Yes-]",
        "",
    ]
    assert run_cli("changes", minimal, "es", "second").out == (
        f"section 'second' (en.yaml:12), reviewed {today} by Ana: en.yaml is unchanged since\n"
    )


def test_changes_without_a_kept_text_says_so(minimal, run_cli):
    mutate(minimal / "en.yaml", "Thirty-one towns", "Thirty-two towns")
    assert run_cli("changes", minimal, "es").out == (
        "section 'first' (en.yaml:6), reviewed: en.yaml changed since; "
        "the text it had then was not kept\n"
    )


def test_reviewed_refuses_a_section_that_still_fails(minimal, run_cli):
    mutate(minimal / "en.yaml", "in 2019.", "in 2020.")
    before = (minimal / "es.yaml").read_text()
    run = run_cli("reviewed", minimal, "es", "--all", "--by", "Ana")
    assert run.code == 1
    assert run.out == "marked reviewed in es (by Ana): front, second\n"
    assert run.error_lines == [
        f"{minimal}/es.yaml:6:9: section 'first' does not have the number '2020' as en.yaml:6 "
        "does (section 'first' is not marked reviewed)",
        f"{minimal}/es.yaml:6:9: section 'first' has an extra number '2019' that en.yaml:6 "
        "lacks (section 'first' is not marked reviewed)",
    ]
    after = (minimal / "es.yaml").read_text()
    assert before.split("  - id: second")[0] == after.split("  - id: second")[0]


def test_reviewed_needs_the_sections_or_all(minimal, run_cli):
    run = run_cli("reviewed", minimal, "es")
    assert run.code == 2
    assert "name the sections you reviewed, or give --all" in run.err


def test_a_much_shorter_paragraph_is_named(minimal):
    mutate(minimal / "en.yaml", "Thirty-one towns took part in 2019.",
           "Thirty-one towns took part in 2019, most of them small, rural and far from "
           "any city, hospital or clinic.")  # fmt: skip
    problems = [p for p in document_problems(minimal) if "much shorter than" in p]
    assert problems == [
        f"{minimal}/es.yaml:10:7: warning: section 'first', paragraph 'Treinta y un pueblos "
        "participaron…' is much shorter than in en.yaml:9 (42 characters against 104): "
        "was part of it left out?"
    ]


def test_a_bullet_that_swallowed_the_next_one_is_named(sample_copy):
    """One line of a two-line bullet deleted: the rest joins the item above."""
    es = sample_copy / "es.yaml"
    mutate(
        es, "      - baja el gasto en justicia penal y traslada recursos de los tribunales\n", ""
    )
    mutate(sample_copy / "en.yaml",
           "      - lowers criminal justice spending and moves resources from courts and\n"
           "        jails to health care;\n", "")  # fmt: skip
    problems = [p for p in document_problems(sample_copy) if "much longer than" in p]
    assert len(problems) == 1
    assert "section 'benefits', list item 'lleva a más personas a…' is much longer" in problems[0]
    assert problems[0].endswith("did two paragraphs or items run together?")


def test_changes_names_a_section_new_in_the_english(minimal, run_cli):
    en = minimal / "en.yaml"
    en.write_text(en.read_text() + "  - id: third\n    heading: New\n    body: |\n      Text.\n")
    assert run_cli("changes", minimal, "es").out == (
        "section 'third' (en.yaml:19): new in en.yaml, not in es.yaml yet; "
        "export or copy it to translate it\n"
    )


def edit_the_front(sheet) -> None:
    """The issue's point 3: the writer edits the English title and summary."""
    mutate(sheet / "en.yaml", "title: A Small Test Sheet", "title: A Small Trial Sheet")
    mutate(sheet / "en.yaml", "A short lede for a short sheet.", "A short lede for a short test.")


def test_an_edited_title_and_summary_are_to_review(minimal, run_cli):
    assert run_cli("reviewed", minimal, "es", "front", "--by", "Ana").code == 0
    assert run_cli(minimal, "--check", "--strict").code == 0
    edit_the_front(minimal)
    warning = [p for p in document_problems(minimal) if "'front'" in p]
    assert len(warning) == 1
    assert (
        "'front' (the title, subtitle, summary and credit) is out of date: en.yaml:1"
        in (warning[0])
    )
    assert f"changes {minimal} es front" in warning[0]
    assert run_cli(minimal, "--check", "--strict").code == 1
    today = datetime.date.today().isoformat()
    assert run_cli("changes", minimal, "es").out.splitlines() == [
        "'front' (the title, subtitle, summary and credit) (en.yaml:1), "
        f"reviewed {today} by Ana; [-removed-] {{+added+}}:",
        "  A Small [-Test-] {+Trial+} Sheet",
        "",
        "  A short lede for a short [-sheet.-] {+test.+}",
        "",
    ]
    marked = run_cli("reviewed", minimal, "es", "front", "--by", "Ana")
    assert marked.out == "marked reviewed in es (by Ana): front\n"
    assert run_cli(minimal, "--check", "--strict").code == 0
    assert "front:\n  title: A Small Trial Sheet\n" in (minimal / "es.reviewed.yaml").read_text()


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_an_edited_title_and_summary_export_to_review(fmt, minimal, tmp_path, run_cli):
    assert run_cli("reviewed", minimal, "es", "front").code == 0
    edit_the_front(minimal)
    out = tmp_path / f"es.{'po' if fmt == 'po' else 'xlf'}"
    run = run_cli("export", minimal, "es", "--out", out)
    assert run.out.endswith(": 10 units: 2 to review, 0 untranslated\n"), run.out
    text = out.read_text()
    if fmt == "po":
        assert '#| msgid "A Small Test Sheet"\nmsgctxt "title"\n' in text
        assert '#| msgid "A short lede for a short sheet."\n' in text
    else:
        assert text.count('state="needs-review-translation"') == 2


def test_a_front_never_reviewed_is_named(minimal, run_cli):
    es = minimal / "es.yaml"
    es.write_text(es.read_text().rsplit("translated-from:", 1)[0])
    assert document_problems(minimal) == [
        f"{minimal}/es.yaml:1:8: warning: 'front' (the title, subtitle, summary and credit) has "
        "no review record (translated-from); once reviewed, run: python3 make_pdf.py reviewed "
        f"{minimal} es front"
    ]
    assert run_cli("changes", minimal, "es").out.startswith("'front' (the title, subtitle")
    assert run_cli("reviewed", minimal, "es", "--all").code == 0
    assert document_problems(minimal) == []
    assert es.read_text().endswith("\ntranslated-from: " + es.read_text().rsplit(": ", 1)[1])


def test_a_section_may_not_be_called_front(minimal, run_cli):
    for lang in ("en", "es"):
        mutate(minimal / f"{lang}.yaml", "id: second", "id: front")
    run = run_cli(minimal, "--check")
    assert run.code == 1
    assert run.error_lines[0] == (
        f"{minimal}/en.yaml:13:9: section id 'front' names the title, subtitle, summary and "
        "credit in review records: choose another"
    )
