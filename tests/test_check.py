import pytest

from factsheet.checks.check import check_sheet
from factsheet.sources.load import load_sheet


def messages(folder) -> list[str]:
    return [str(p) for p in check_sheet(load_sheet(folder))]


def test_the_minimal_sheet_is_clean(minimal):
    assert messages(minimal) == []


def replace_in(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_section_missing_from_a_translation(minimal):
    replace_in(minimal / "es.yaml", "id: second", "id: segunda")
    found = messages(minimal)
    assert any("es.yaml:14:9: section 'segunda' is not in en.yaml" in m for m in found), found
    assert any("section 'second' of en.yaml:13 is missing" in m for m in found), found


def test_sections_out_of_order(minimal):
    replace_in(minimal / "es.yaml", "id: first", "id: tmp")
    replace_in(minimal / "es.yaml", "id: second", "id: first")
    replace_in(minimal / "es.yaml", "id: tmp", "id: second")
    found = messages(minimal)
    assert any(
        "es.yaml:6:9: section 'second' is out of order: en.yaml has 'first'" in m for m in found
    )


def test_duplicate_section_ids(minimal):
    replace_in(minimal / "en.yaml", "id: second", "id: first")
    assert any("section id 'first' is used twice (first on line 6)" in m for m in messages(minimal))


def test_duplicate_and_incomplete_sources(minimal):
    with (minimal / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write("- id: smith2019\n  type: book\n  title: Again\n- id: notitle\n  type: book\n")
    found = messages(minimal)
    assert any(
        "sources.yaml:11:7: duplicate source id 'smith2019' (first on line 1)" in m for m in found
    )
    assert any("sources.yaml:14:3: source 'notitle' has no 'title'" in m for m in found)


def test_bad_paper(minimal):
    replace_in(minimal / "sheet.yaml", "paper: letter", "paper: tabloid")
    found = messages(minimal)
    assert any("sheet.yaml:5:8: paper must be letter or a4, not 'tabloid'" in m for m in found)


def test_a_source_nobody_cites_is_a_warning(minimal):
    from factsheet.checks.check import check_documents
    from factsheet.document.inline import inline_content

    with (minimal / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write("- id: spare\n  type: book\n  title: Unused\n")
    sheet = load_sheet(minimal)
    docs = {lang: inline_content(c) for lang, c in sheet.contents.items()}
    [problem] = check_documents(sheet, docs)
    assert problem.warning
    assert (
        str(problem)
        == f"{minimal}/sources.yaml:11:3: warning: source 'spare' is not cited in any language"
    )


def test_a_warning_does_not_fail_the_build(minimal, tmp_path, run_cli):
    with (minimal / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write("- id: spare\n  type: book\n  title: Unused\n")
    run = run_cli(minimal, "--out", tmp_path, "--check")
    assert run.code == 0
    assert run.error_lines == [
        f"{minimal}/sources.yaml:11:3: warning: source 'spare' is not cited in any language"
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("- type: book\n  title: No id\n", "sources.yaml:11:3: source has no 'id'"),
        ("- id: notype\n  title: T\n", "sources.yaml:11:3: source 'notype' has no 'type'"),
        ("- id: notitle\n  type: book\n", "sources.yaml:11:3: source 'notitle' has no 'title'"),
        (
            "- id: smith2019\n  type: book\n  title: T\n",
            "sources.yaml:11:7: duplicate source id 'smith2019' (first on line 1)",
        ),
    ],
)
def test_bad_sources(minimal, entry, expected):
    with (minimal / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(entry)
    assert f"{minimal}/{expected}" in messages(minimal)


@pytest.mark.parametrize("section_id", ["sources", "en-note-1", "es-call-12"])
def test_a_section_may_not_take_an_id_the_sheet_uses(minimal, section_id):
    """`sources` would make two anchors of one name: WeasyPrint fails, late and vaguely."""
    for lang in ("en", "es"):
        replace_in(minimal / f"{lang}.yaml", "id: second", f"id: {section_id}")
    found = messages(minimal)
    assert (
        f"{minimal}/en.yaml:13:9: section id '{section_id}' is the sheet's own (its source "
        "list or notes use it): choose another" in found
    ), found


def test_updated_before_published_is_an_error_on_updated(minimal):
    replace_in(minimal / "sheet.yaml", "updated: 2021-10-12", "updated: 2019-10-12")
    assert messages(minimal) == [
        f"{minimal}/sheet.yaml:3:10: updated (2019-10-12) is earlier than published (2020-03-05)"
    ]


def test_a_citation_that_cannot_be_read_does_not_make_sources_uncited(minimal, run_cli):
    for lang in ("en", "es"):
        path = minimal / f"{lang}.yaml"
        path.write_text(path.read_text().replace("[@smith2019, p. 12]", "[@smith2019, sec. A]"))
    errors = run_cli(minimal, "--check").error_lines
    assert any("needs a number or range after 'sec.'" in line for line in errors)
    assert not any("is not cited" in line for line in errors)
