from pathlib import Path

import pytest

from factsheet.errors import FactsheetError
from factsheet.sources.load import load_sheet


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(FactsheetError) as caught:
        load_sheet(folder)
    return [str(p) for p in caught.value.problems]


def test_loads_the_minimal_sheet(minimal):
    sheet = load_sheet(minimal)
    assert sheet.slug == "minimal"
    assert sheet.config.languages == ["en", "es"]
    assert sheet.config.pages == 1
    assert str(sheet.config.published) == "2020-03-05"
    assert [s.id for s in sheet.contents["es"].sections] == ["first", "second"]
    assert sheet.sources[0].id == "smith2019"


def test_yaml_11_words_stay_text(minimal):
    """`- No` in a Spanish list must not become False."""
    body = load_sheet(minimal).contents["es"].sections[0].body.value
    assert "- No\n" in body


def test_text_positions_point_into_block_scalars(minimal):
    body = load_sheet(minimal).contents["en"].sections[0].body
    offset = body.value.index("[@smith2019")
    pos = body.pos_at(offset)
    line = (minimal / "en.yaml").read_text().splitlines()[pos.line - 1]
    assert line[pos.col - 1 :].startswith("[@smith2019")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("en.yaml", "title: [unclosed\n", "en.yaml:2:1: YAML syntax error"),
        ("en.yaml", "title: A\ntitle: B\nsummary: x\nsections: []\n", "en.yaml:2:1: duplicate key 'title'"),
        ("en.yaml", "- a list\n", "en.yaml:1:1: en.yaml must be a mapping"),
        ("en.yaml", "titel: A\nsummary: x\nsections: [{id: a, heading: h, body: b}]\n",
         "en.yaml:1:1: unknown key 'titel'"),
        ("en.yaml", "title: A\nsummary: x\nsections: [{id: a, heading: h}]\n",
         "en.yaml:3:12: section is missing key 'body'"),
        ("sheet.yaml", "languages: [en]\npublished: 2020-02-30\nupdated: 2020-01-01\n",
         "sheet.yaml:2:12: 'published' must be a date written YYYY-MM-DD, not '2020-02-30'"),
        ("sheet.yaml", "languages: [en]\npublished: 2020-01-01\nupdated: 2020-01-01\npages: two\n",
         "sheet.yaml:4:8: 'pages' must be a whole number of 1 or more, not 'two'"),
        ("sheet.yaml", "languages: [en]\npublished: 2020-01-01\nupdated: 2020-01-01\nbibliography: no\n",
         "sheet.yaml:4:15: 'bibliography' must be true or false, not 'no'"),
        ("sheet.yaml", "languages: [en]\nupdated: 2020-01-01\n", "sheet.yaml:1:1: missing key 'published'"),
        ("sheet.yaml", "languages: [en]\npublished: 2020-01-01\nupdated: 2020-01-01\nfit: maybe\n",
         "sheet.yaml:4:6: 'fit' must be on or off, not 'maybe'"),
        ("sources.yaml", "- id: a\n  title: x\n  title: y\n", "sources.yaml:3:3: duplicate key 'title'"),
        ("en.yaml", b"title: caf\xe9\n", "en.yaml:1:1: file is not UTF-8 text"),
    ],
)  # fmt: skip
def test_bad_yaml_is_reported_with_its_position(minimal, name, text, expected):
    if isinstance(text, bytes):
        (minimal / name).write_bytes(text)
    else:
        write(minimal, name, text)
    found = problems_of(minimal)
    assert any(expected in line for line in found), found


def test_missing_language_file_names_the_languages_key(minimal):
    (minimal / "es.yaml").unlink()
    found = problems_of(minimal)
    assert len(found) == 1
    expected = f"{minimal}/sheet.yaml:1:17: languages: 'es' is listed but {minimal}/es.yaml"
    assert found == [expected + " does not exist"]


def test_sources_accept_a_references_mapping(minimal):
    text = (minimal / "sources.yaml").read_text()
    indented = "\n".join("  " + line for line in text.splitlines())
    write(minimal, "sources.yaml", "references:\n" + indented + "\n")
    assert [s.id for s in load_sheet(minimal).sources] == ["smith2019"]


def test_a_huge_file_is_refused_before_parsing(minimal):
    write(minimal, "sources.yaml", "# padding\n" * 200_000)
    found = problems_of(minimal)
    assert found == [f"{minimal}/sources.yaml:1:1: file is larger than 1000000 bytes"]


def test_sources_accept_csl_json_as_zotero_exports_it(minimal):
    write(
        minimal,
        "sources.yaml",
        '[{"id": "smith2019", "type": "report", "title": "Towns and Their Choices: A Survey",'
        ' "author": [{"family": "Smith", "given": "Jane"}],'
        ' "issued": {"date-parts": [["2019", 3]]}, "publisher": "Example Institute"}]\n',
    )
    [source] = load_sheet(minimal).sources
    assert source.id == "smith2019"
    assert source.csl["author"] == [{"family": "Smith", "given": "Jane"}]
    assert source.csl["issued"] == {"date-parts": [["2019", "3"]]}


@pytest.mark.parametrize(
    ("written", "fit"), [("off", False), ("on", True), ("false", False), (None, True)]
)
def test_fitting_is_on_unless_sheet_yaml_turns_it_off(minimal, written, fit):
    if written is not None:
        with (minimal / "sheet.yaml").open("a", encoding="utf-8") as sheet:
            sheet.write(f"fit: {written}\n")
    assert load_sheet(minimal).config.fit is fit


@pytest.mark.parametrize(
    "tag",
    [
        "../outside/secret",
        "../../../../{outside}/secret",
        "{outside}/secret",
        "en/../../x",
        "..",
        "en\\..\\x",
        "es.reviewed",
    ],
)
def test_a_language_is_a_known_name_before_it_is_a_path(minimal, tag):
    """`languages: [en, ../../elsewhere/secret]` must not read elsewhere/secret.yaml
    (nor print its keys): refused at that item of the list."""
    outside = minimal.parent / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("title: the-secret-title\nsecret-key: 1\n")
    (minimal / "es.reviewed.yaml").write_text("secret-key: 1\n")
    tag = tag.format(outside=outside)
    write(minimal, "sheet.yaml", (minimal / "sheet.yaml").read_text().replace(
        "languages: [en, es]", f"languages:\n  - en\n  - '{tag}'\n  - es"))  # fmt: skip
    with pytest.raises(FactsheetError) as caught:
        load_sheet(minimal)
    [problem] = caught.value.problems
    assert problem.code == "language.unknown"
    assert (problem.pos.line, problem.pos.col) == (3, 5)  # the item, not the list
    assert "secret" not in str(problem).replace(tag, "")
