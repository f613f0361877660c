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
