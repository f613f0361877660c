"""The output kinds: one registry names every file a build writes."""

import pytest

from factsheet.cli import parse_args
from factsheet.model import Edition
from factsheet.options import Make
from factsheet.outputs.registry import KINDS, existing_outputs, kinds_asked, outputs_of

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
    assert options.make.kinds == {"office-pdf", "print-pdf", "page-image"}


def test_an_edition_is_made_into_the_kinds_asked_for_in_order():
    make = Make(kinds=kinds_asked({"--print-shop", "--html", "--bilingual"}))
    assert [o.name for o in outputs_of(ENGLISH, make)] == [
        "v2.1-decrim.en.pdf", "v2.1-decrim.en.print.pdf", "v2.1-decrim.en.html"
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
