"""Translations that drift from the reference language are caught, one line each."""

import pytest

from factsheet.check import check_documents
from factsheet.inline import inline_content
from factsheet.load import load_sheet


def document_problems(folder) -> list[str]:
    sheet = load_sheet(folder)
    docs = {lang: inline_content(content) for lang, content in sheet.contents.items()}
    return [str(p) for p in check_documents(sheet, docs)]


def mutate(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_fixtures_agree(minimal):
    assert document_problems(minimal) == []


PARITY = [
    # (old text in es.yaml, new text, expected message)
    ("participaron en 2019.[@smith2019, p. 12]", "participaron en 2019.",
     "es.yaml:6:9: section 'first' has 0 footnotes, en.yaml:6 has 1"),
    ("participaron en 2019.", "participaron en 2019.^[Una nota.]",
     "es.yaml:6:9: section 'first' has 2 footnotes, en.yaml:6 has 1"),
    ("en 2019.", "en 2018.", "es.yaml:6:9: section 'first' does not have the number '2019' as en.yaml:6 does"),
    ("en 2019.", "en 2019 y 2020.", "es.yaml:6:9: section 'first' has an extra number '2020' that en.yaml:6 lacks"),
    ("      - Sí\n", "", "es.yaml:6:9: section 'first' has 1 list items, en.yaml:6 has 2"),
    ("      > «Una línea citada del informe».[@smith2019]\n      >\n      > — El informe\n",
     "      «Una línea citada del informe».[@smith2019]\n",
     "es.yaml:14:9: section 'second' has 0 block quotes, en.yaml:13 has 1"),
    ("en 2019.", "en 2019 ([web](https://example.org)).",
     "es.yaml:6:9: section 'first' has an extra link to 'https://example.org' that en.yaml:6 lacks"),
    ("Un resumen breve", "Un resumen breve de 3 líneas",
     "es.yaml:3:10: summary has an extra number '3' that en.yaml:3 lacks"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), PARITY)
def test_each_drift_is_one_line(minimal, old, new, expected):
    mutate(minimal / "es.yaml", old, new)
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    assert f"{minimal}/{expected}" in problems
    # Others may follow from the same change (a lost note is also a lost citation),
    # but every line points at the same part of the same file.
    place = expected.split(": ")[0]
    assert all(p.startswith(f"{minimal}/{place}") for p in problems), problems


def test_a_different_source_is_named(minimal):
    with (minimal / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write("- id: other\n  type: book\n  title: Other\n")
    mutate(minimal / "es.yaml", "[@smith2019, p. 12]", "[@other, p. 12]")
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    assert problems == [
        f"{minimal}/es.yaml:6:9: section 'first' does not cite 'smith2019' as en.yaml:6 does",
        f"{minimal}/es.yaml:6:9: section 'first' has an extra citation of 'other' that en.yaml:6 lacks",
    ]


def test_numbers_compare_across_number_styles(minimal):
    mutate(minimal / "en.yaml", "in 2019.", "in 2019, 1,500 of them and 2.5%.")
    mutate(minimal / "es.yaml", "en 2019.", "en 2019, 1.500 y el 2,5 %.")
    problems = [p for p in document_problems(minimal) if "warning:" not in p]
    assert problems == []


def test_a_changed_reference_section_is_stale_until_reviewed(minimal, run_cli):
    mutate(minimal / "en.yaml", "Thirty-one towns", "Thirty-one small towns")
    warnings = [p for p in document_problems(minimal) if "warning:" in p]
    assert warnings == [
        f"{minimal}/es.yaml:7:22: warning: section 'first' is out of date: en.yaml:6 changed "
        f"since it was reviewed; once reviewed, run: make_pdf.py reviewed {minimal} es first"
    ]
    assert run_cli(minimal, "--check").code == 0
    assert run_cli(minimal, "--check", "--strict").code == 1

    run = run_cli("reviewed", minimal, "es", "first")
    assert run.code == 0, run.err
    assert run.out == "marked reviewed in es: first\n"
    assert document_problems(minimal) == []
    assert run_cli(minimal, "--check", "--strict").code == 0


def test_reviewed_adds_a_missing_record_under_the_id(minimal, run_cli):
    path = minimal / "es.yaml"
    path.write_text(
        "\n".join(line for line in path.read_text().splitlines() if "translated-from" not in line)
        + "\n"
    )
    warnings = document_problems(minimal)
    assert f"{minimal}/es.yaml:6:9: warning: section 'first' has no review record" in warnings[0]
    assert run_cli("reviewed", minimal, "es").code == 0
    assert "  - id: first\n    translated-from: " in path.read_text()
    assert document_problems(minimal) == []


def test_reviewed_refuses_the_reference_language_and_unknown_sections(minimal, run_cli):
    assert run_cli("reviewed", minimal, "en").error_lines == [
        f"{minimal}/sheet.yaml:1:12: 'en' is not a translation of this sheet"
    ]
    assert run_cli("reviewed", minimal, "es", "nope").error_lines == [
        f"{minimal}/es.yaml:1:1: no section 'nope' in both languages"
    ]
