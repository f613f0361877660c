"""Blocks: a language file's translatable pieces, and new text written back in place."""

from __future__ import annotations

import pytest

from factsheet.sources.blocks import fields_of, replace_blocks, wrap, write_value
from factsheet.sources.load import load_content

HEAD = "title: {title}\nsummary: |\n  One lede.\nsections:\n  - id: first\n"
TAIL = "\n  - id: second\n    heading: Next\n    body: |\n      Stays.\n"


@pytest.mark.parametrize(
    ("heading", "body", "new_heading", "expected"),
    [
        ("heading: Plain", "    body: |\n      One.\n", "Nuevo", "    heading: Nuevo\n"),
        ('heading: "Quoted: yes"', "    body: |\n      One.\n", "Sí: no",
         '    heading: "Sí: no"\n'),
        # Our reader keeps `No` a word; other YAML readers would not: quoted.
        ("heading: Sí", "    body: |\n      One.\n", "No", '    heading: "No"\n'),
        ("heading: A plain heading\n      on two lines", "    body: |\n      One.\n", "Una",
         "    heading: Una\n"),
        ("heading: >\n      Folded\n      heading\n", "    body: |\n      One.\n", "Plegado",
         "    heading: Plegado\n"),
    ],
)  # fmt: skip
def test_a_new_value_replaces_only_its_own_text(tmp_path, heading, body, new_heading, expected):
    path = tmp_path / "es.yaml"
    text = HEAD.format(title="T") + f"    {heading}\n" + body + TAIL
    path.write_text(text)
    content, problems = load_content(path, "es")
    assert not problems
    field = next(f for f in fields_of(content) if f.key == "first/heading")
    lines = text.splitlines(keepends=True)
    write_value(lines, field.text, new_heading)
    after = "".join(lines)
    assert expected in after
    assert after.endswith(body + TAIL) or after.endswith(body.rstrip("\n") + "\n" + TAIL)
    (tmp_path / "again.yaml").write_text(after)
    again, problems = load_content(tmp_path / "again.yaml", "es")
    assert not problems
    assert again.sections[0].heading.value.strip() == new_heading
    assert [s.id for s in again.sections] == ["first", "second"]


def test_a_changed_list_item_is_rewrapped_under_its_marker():
    value = "Intro line.\n\n- first item;\n- second item\n  on two lines;\n- third.\n"
    from factsheet.errors import Pos
    from factsheet.model import Text
    from factsheet.sources.blocks import body_field

    field = body_field("x/body", "x", "x", Text(value, Pos("f")))
    second = field.blocks[2]
    new = replace_blocks(value, {second: "a much longer second item " * 4 + "end;"}, 40)
    assert new.splitlines()[3].startswith("- a much longer")
    assert all(line.startswith("  ") for line in new.splitlines()[4:-1])
    assert new.endswith("- third.\n")
    assert "- first item;" in new


def test_a_wrapped_line_never_starts_a_new_list_item_or_quote():
    lines = wrap("costs rose - and 2023. was > the year # of note " * 3, "", "", 12)
    assert not any(line.split(" ")[0] in ("-", ">", "#", "2023.") for line in lines[1:])


@pytest.mark.parametrize(
    ("row", "cells"),
    [
        ("| a | bb |", [" a ", " bb "]),
        ("a | bb", ["a ", " bb"]),
        (r"| a \| b | c |", [r" a \| b ", " c "]),
    ],
)
def test_a_table_rows_cells_are_found_between_its_pipes(row, cells):
    from factsheet.sources.blocks import cell_spans

    assert [row[start:end] for start, end in cell_spans(row)] == cells


def test_a_changed_table_cell_keeps_its_row(tmp_path):
    from factsheet.errors import Pos
    from factsheet.model import Text
    from factsheet.sources.blocks import body_field

    value = "Intro.\n\n| Year | Deaths |\n| --- | ---: |\n| 2019 | 70,630 |\n"
    field = body_field("x/body", "x", "x", Text(value, Pos("f")))
    assert [b.kind for b in field.blocks] == ["paragraph", "cell", "cell", "cell", "cell"]
    assert field.key == "x/body"  # a cell's key is its own, not the field's
    header, count = field.blocks[2], field.blocks[4]
    new = replace_blocks(value, {header: "Overdose deaths", count: "70,631"})
    assert new == "Intro.\n\n| Year | Overdose deaths |\n| --- | ---: |\n| 2019 | 70,631 |\n"
