"""Every problem has a stable code (`parity.citation-missing`), and code that reacts to
a problem reads its code and subject, never the words of its message."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from factsheet.errors import FactsheetError, Pos, Problem
from factsheet.model import Imported
from factsheet.pipeline import check_everything
from factsheet.sources.load import load_sheet
from factsheet.translation.exchange import check_translation, unit_at_fault

PACKAGE = Path(__file__).resolve().parent.parent / "factsheet"
# The area may hold a digit after its first letter, as i18n does.
CODE = re.compile(r"^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$")


def modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(PACKAGE.parent).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def makes_problem(call: ast.Call) -> bool:
    """`Problem(...)`, `fail(...)`, and the YAML reader's `reader.error(...)`."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in ("Problem", "fail")
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr == "error" and func.value.id in ("reader", "self")
    return False


def problem_calls() -> list[tuple[str, ast.Call]]:
    return [
        (name, node)
        for name, tree in modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and makes_problem(node)
    ]


def code_argument(call: ast.Call) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == "code"), None)


def test_every_problem_is_made_with_a_code():
    missing = [
        f"{name}:{call.lineno}" for name, call in problem_calls() if code_argument(call) is None
    ]
    assert missing == []


def test_a_code_is_never_made_of_words():
    """A code is written out ("chart.no-rows") or passed on, never formatted."""
    built = [
        f"{name}:{call.lineno}"
        for name, call in problem_calls()
        if (value := code_argument(call)) is not None
        and not isinstance(value, ast.Constant | ast.Name | ast.Attribute)
    ]
    assert built == []


def written_codes() -> set[str]:
    """Codes written as `code="..."` (in a call, or as a variable) anywhere."""
    found = set()
    for tree in modules().values():
        nodes = list(ast.walk(tree))
        values = [n.value for n in nodes if isinstance(n, ast.keyword) and n.arg == "code"]
        values += [n.value for n in nodes
                   if isinstance(n, ast.Assign) and [ast.unparse(t) for t in n.targets] == ["code"]]  # fmt: skip
        found |= {
            v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        }
    return found


def strings(tree: ast.Module) -> list[str]:
    """The string literals of a module that hold no space, but for parts of f-strings."""
    formatted = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                 for part in node.values}  # fmt: skip
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in formatted
        and not re.search(r"\s", node.value)
    ]


def test_every_code_is_well_formed():
    """`<area>.<kind>`, lower case, kinds in kebab case. Codes kept in tables (the
    parity counts, the theme's fonts) are found as strings that start with an area."""
    written = written_codes()
    areas = {code.split(".")[0] for code in written}
    in_tables = {
        value
        for tree in modules().values()
        for value in strings(tree)
        if "." in value and value.split(".")[0] in areas
    }
    codes = written | in_tables
    assert len(written) > 50, sorted(written)
    assert {"parity.footnotes", "theme.font-faces", "review.no-record"} <= codes
    assert sorted(code for code in codes if not CODE.match(code)) == []


def mutate(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder: Path) -> list[Problem]:
    try:
        return check_everything(load_sheet(folder))
    except FactsheetError as exc:
        return exc.problems


BAD_INPUTS = [
    # (file, old text, new text, a (code, subject) expected among the problems)
    ("es.yaml", "en 2019.[@smith2019, p. 12]", "en 2019.",
     ("parity.citation-missing", "smith2019")),
    ("es.yaml", "en 2019.[@smith2019, p. 12]", "en 2019.", ("parity.footnotes", "")),
    ("es.yaml", "«Una línea", "«Una línea[@smith2019]", ("parity.citation-extra", "smith2019")),
    ("es.yaml", "en 2019.", "en 2018.", ("parity.number-missing", "2019")),
    ("es.yaml", "en 2019.", "en 2018.", ("parity.number-extra", "2018")),
    ("es.yaml", "en 2019.", "en 2019 ([web](https://example.org)).",
     ("parity.link-extra", "https://example.org")),
    ("es.yaml", "[@smith2019, p. 12]", "[@smith2091, p. 12]", ("cite.unknown-key", "smith2091")),
    ("es.yaml", "  - id: second", "  - id: segunda", ("sheet.section-ids", "segunda")),
    ("es.yaml", "subtitle:", "subtitel:", ("load.unknown-key", "subtitel")),
    ("es.yaml", "title: Una", "title: Una: hoja", ("yaml.syntax", "")),
    ("sheet.yaml", "published: 2020-03-05\n", "", ("load.missing-key", "published")),
    ("sources.yaml", "  type: report\n", "", ("source.missing-key", "type")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "expected"), BAD_INPUTS)
def test_a_bad_input_has_its_code_and_subject(minimal, name, old, new, expected):
    mutate(minimal / name, old, new)
    found = [(p.code, p.subject) for p in problems_of(minimal) if not p.warning]
    assert expected in found


def test_a_yaml_fix_is_a_hint_printed_after_the_message(minimal):
    mutate(minimal / "es.yaml", "title: Una", "title: Una: hoja")
    [problem] = problems_of(minimal)
    assert problem.message == "YAML syntax error: mapping values are not allowed here"
    assert problem.hint.startswith("a value with ': ' in it needs quotes around it")
    assert str(problem).endswith(f"{problem.message}; {problem.hint}")


def test_a_translation_that_drifts_from_its_review_is_a_warning_with_a_code(minimal):
    mutate(minimal / "es.yaml", "participaron", "tomaron parte")
    [problem] = [p for p in problems_of(minimal) if p.warning]
    assert (problem.code, problem.subject) == ("review.translation-changed", "first")
    assert problem.hint.startswith("once reviewed, run: ")


def unit(key: str, source: str, target: str) -> Imported:
    return Imported(key=key, source=source, target=target, review=False, line=1)


@pytest.mark.parametrize(
    ("code", "subject", "expected"),
    [
        ("parity.citation-missing", "smith2019", "first/2"),
        ("parity.number-extra", "2018", "first/1"),
        ("parity.footnotes", "", "first/2"),
        ("sheet.section-ids", "first", "first/heading"),  # not a parity problem of a unit
    ],
)
def test_the_unit_at_fault_is_found_by_code_and_subject_not_by_words(code, subject, expected):
    found = {
        "first/heading": unit("first/heading", "First section", "Primera sección"),
        "first/1": unit("first/1", "Towns in 2019.", "Pueblos en 2018."),
        "first/2": unit("first/2", "As reported.[@smith2019]", "Según el informe."),
    }
    problem = Problem(Pos("es.yaml", 6, 9), "words that say nothing", code=code, subject=subject)
    assert unit_at_fault(problem, "first/heading", found) == expected


def test_a_translation_is_checked_in_memory_at_its_own_files_place(minimal):
    """Nothing is copied or written: the text checked is named as the real es.yaml."""
    es = minimal / "es.yaml"
    before = es.read_bytes()
    text = before.decode("utf-8").replace("en 2019.[@smith2019, p. 12]", "en 2019.")
    with pytest.raises(FactsheetError) as caught:
        check_translation(load_sheet(minimal), "es", text, "es.po", {})
    problems = caught.value.problems
    assert {p.pos.path for p in problems} == {str(es)}
    assert ("parity.citation-missing", "smith2019") in [(p.code, p.subject) for p in problems]
    assert es.read_bytes() == before
    assert sorted(p.name for p in minimal.iterdir()) == sorted(
        ["en.yaml", "es.yaml", "sheet.yaml", "sources.yaml"]
    )
