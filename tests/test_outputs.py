"""The output kinds: one registry names every file a build writes."""

import io
import zipfile
from dataclasses import replace

import pytest

from factsheet.build.run import remove_outputs
from factsheet.cli import parse_args
from factsheet.errors import FactsheetError
from factsheet.model import Edition
from factsheet.options import Make, Options
from factsheet.outputs import press_kit
from factsheet.outputs.registry import KINDS, existing_outputs, kinds_asked, outputs_of
from factsheet.sources.load import load_sheet

ENGLISH = Edition("v2.1-decrim", ("en",))
BOTH = Edition("v2.1-decrim", ("en", "es"))


def test_kinds_have_distinct_keys_flags_and_names():
    assert len({kind.key for kind in KINDS}) == len(KINDS)
    flags = [kind.flag for kind in KINDS if kind.flag]
    assert len(set(flags)) == len(flags)
    names = {(kind.filename(BOTH if kind.scope == "bilingual" else ENGLISH)) for kind in KINDS}
    assert len(names) == len(KINDS)


def test_every_flag_of_the_command_line_comes_from_a_kind(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    help_text = capsys.readouterr().out
    for kind in KINDS:
        if kind.flag:
            assert kind.flag in help_text
            assert kind.help.split()[0] in help_text


def test_the_press_kit_asks_for_what_it_holds():
    assert kinds_asked({"--press-kit"}) == {
        "office-pdf", "page-image", "web-page", "bilingual-pdf", "press-kit"
    }  # fmt: skip
    assert kinds_asked(set()) == {"office-pdf"}
    options, _ = parse_args(["--print-shop", "--png"])
    assert options.make.kinds == {"office-pdf", "print-pdf", "print-preflight", "page-image"}


def test_an_edition_is_made_into_the_kinds_asked_for_in_order():
    make = Make(kinds=kinds_asked({"--print-shop", "--html", "--bilingual"}))
    assert [o.name for o in outputs_of(ENGLISH, make)] == [
        "v2.1-decrim.en.pdf", "v2.1-decrim.en.print.pdf", "v2.1-decrim.en.preflight.txt",
        "v2.1-decrim.en.html",
    ]  # fmt: skip
    assert [o.name for o in outputs_of(BOTH, make)] == ["v2.1-decrim.en-es.pdf"]


def test_files_left_in_the_output_folder_are_read_back_by_kind(tmp_path):
    names = [
        "v2.1-decrim.en.pdf", "v2.1-decrim.en.print.pdf", "v2.1-decrim.es.png",
        "v2.1-decrim.en-es.pdf", "v2.1-decrim-press-kit.zip", "v2.1-decrim.es.html",
        "v2.pdf", "v2.1-other.en.pdf", "v2.1-decrim.notes.txt",
    ]  # fmt: skip
    for name in names:
        (tmp_path / name).write_bytes(b"")
    found = {(o.name, o.kind.key, o.edition) for o in existing_outputs(tmp_path, "v2.1-decrim")}
    assert found == {
        ("v2.1-decrim.en.pdf", "office-pdf", ENGLISH),
        ("v2.1-decrim.en.print.pdf", "print-pdf", ENGLISH),
        ("v2.1-decrim.es.png", "page-image", Edition("v2.1-decrim", ("es",))),
        ("v2.1-decrim.en-es.pdf", "bilingual-pdf", BOTH),
        ("v2.1-decrim-press-kit.zip", "press-kit", Edition("v2.1-decrim")),
        ("v2.1-decrim.es.html", "web-page", Edition("v2.1-decrim", ("es",))),
    }


def test_a_failed_language_covers_its_bilingual_editions_and_a_whole_sheet_all():
    spanish = Edition("s", ("es",))
    assert spanish.covers(Edition("s", ("en", "es")))
    assert not spanish.covers(Edition("s", ("en",)))
    assert not spanish.covers(Edition("t", ("es",)))
    assert Edition("s").covers(Edition("s", ("en",)))
    assert not Edition("s", ("en", "es")).covers(Edition("s", ("en",)))


@pytest.fixture
def two_sheets_built(tmp_path):
    """The output folder of sheets `base` and `base.x` (whose name starts with
    the other's), and of `s`, a sheet in Chinese whose tag has a hyphen."""
    out = tmp_path / "out"
    out.mkdir()
    names = [
        "base.en.pdf", "base.es.pdf", "base.en-es.pdf", "base.en.html", "base-press-kit.zip",
        "base.x.en.pdf", "base.x.en-es.pdf", "base.x-press-kit.zip",
        "s.zh-Hans.pdf", "s.en.pdf", "s.en-zh-Hans.pdf",
    ]  # fmt: skip
    for name in names:
        (out / name).write_bytes(b"")
    return out


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("base", {("base.en.pdf", "office-pdf", ("en",)), ("base.es.pdf", "office-pdf", ("es",)),
                  ("base.en-es.pdf", "bilingual-pdf", ("en", "es")),
                  ("base.en.html", "web-page", ("en",)), ("base-press-kit.zip", "press-kit", ())}),
        ("base.x", {("base.x.en.pdf", "office-pdf", ("en",)),
                    ("base.x.en-es.pdf", "bilingual-pdf", ("en", "es")),
                    ("base.x-press-kit.zip", "press-kit", ())}),
        ("s", {("s.zh-Hans.pdf", "office-pdf", ("zh-Hans",)), ("s.en.pdf", "office-pdf", ("en",)),
               ("s.en-zh-Hans.pdf", "bilingual-pdf", ("en", "zh-Hans"))}),
        ("base.en", set()),  # base.en.pdf is base's English, not a sheet base.en's
        ("s.zh", set()),
    ],
)  # fmt: skip
def test_a_sheet_owns_only_the_files_named_exactly_as_its_own(two_sheets_built, slug, expected):
    found = existing_outputs(two_sheets_built, slug)
    assert {(o.name, o.kind.key, o.edition.langs) for o in found} == expected
    assert all(o.edition.slug == slug for o in found)


@pytest.mark.parametrize(
    ("failed", "removed"),
    [
        (Edition("base.x"), {"base.x.en.pdf", "base.x.en-es.pdf", "base.x-press-kit.zip"}),
        (Edition("base.x", ("en",)), {"base.x.en.pdf", "base.x.en-es.pdf", "base.x-press-kit.zip"}),
        (Edition("base", ("es",)), {"base.es.pdf", "base.en-es.pdf", "base-press-kit.zip"}),
        (Edition("s", ("zh-Hans",)), {"s.zh-Hans.pdf", "s.en-zh-Hans.pdf"}),
        (Edition("base.en"), set()),
    ],
)
def test_a_failure_removes_its_own_files_and_no_other_sheets(two_sheets_built, failed, removed):
    """A folder named `base.x` that fails must not take `base-press-kit.zip` with it."""
    before = {p.name for p in two_sheets_built.iterdir()}
    gone = remove_outputs(failed, Options(out=two_sheets_built))
    assert {p.name for p in gone} == removed
    assert before - {p.name for p in two_sheets_built.iterdir()} == removed


@pytest.fixture
def sheet(minimal):
    return load_sheet(minimal)


@pytest.mark.parametrize(
    ("slug", "files"),
    [
        ("..\\..\\evil", {}),
        ("../../evil", {}),
        ("/evil", {}),
        ("s", {"../../evil.pdf": b""}),
        ("s", {"fonts/../../../evil.woff2": b""}),
        ("s", {"fonts\\..\\..\\evil.woff2": b""}),
        ("s", {"C:evil.pdf": b""}),
        ("s", {".hidden": b""}),
    ],
)
def test_the_press_kit_holds_only_safe_entry_names(sheet, slug, files):
    """Defence in depth: the slug was checked when loaded, and the zip checks again."""
    with pytest.raises(FactsheetError) as caught:
        press_kit.make(replace(sheet, slug=slug), files)
    assert [p.code for p in caught.value.problems] == ["presskit.unsafe-name"]


def test_the_press_kit_entries_are_plain_paths_under_the_slug(sheet):
    files = {"minimal.en.pdf": b"%PDF", "fonts/source-sans-3-058e9ab897.woff2": b"font"}
    archive = zipfile.ZipFile(io.BytesIO(press_kit.make(sheet, files)))
    names = archive.namelist()
    assert "minimal/fonts/source-sans-3-058e9ab897.woff2" in names
    assert all(press_kit.SAFE_ENTRY.fullmatch(name) for name in names)
    assert all(name.startswith("minimal/") and "\\" not in name for name in names)


def test_a_folder_named_with_backslashes_is_refused_when_loaded(minimal):
    folder = minimal.rename(minimal.parent / "..\\..\\evil")
    with pytest.raises(FactsheetError) as caught:
        load_sheet(folder)
    assert [p.code for p in caught.value.problems] == ["load.slug"]
