"""The cache (cache.py) and the folders that are the user's alone (private.py):
only a folder the user owns, mode 0700 and no symlink, is used; an entry that
fails its check is deleted, said once, and made again."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest
import uharfbuzz as hb

from factsheet.cache import cache_folder, read_entry, write_entry
from factsheet.errors import Pos
from factsheet.model import CiteItem, Note, Source
from factsheet.private import open_private_folder, say_once

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder away")


def make_open(folder: Path) -> None:
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)


def make_symlink(folder: Path) -> None:
    target = folder.parent / "elsewhere"
    target.mkdir(mode=0o700)
    folder.symlink_to(target)


def make_file(folder: Path) -> None:
    folder.write_text("not a folder")


def make_foreign(folder: Path) -> None:
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)


@pytest.mark.parametrize(
    "plant",
    [make_open, make_symlink, make_file, pytest.param(make_foreign, marks=ROOT_ONLY)],
    ids=["mode-0777", "symlink", "a-file", "foreign-owned"],
)
@pytest.mark.parametrize("depth", [0, 1], ids=["first-part", "second-part"])
def test_a_folder_not_the_users_alone_is_not_used(tmp_path, plant, depth):
    anchor = tmp_path / "anchor"
    anchor.mkdir(mode=0o700)
    parts = ("factsheet-0", "run")
    if depth:
        (anchor / parts[0]).mkdir(mode=0o700)
    plant(anchor.joinpath(*parts[: depth + 1]))
    assert open_private_folder(anchor, parts) is None
    assert not (tmp_path / "elsewhere" / "run").exists()  # nothing made through a symlink


def test_a_private_folder_is_made_0700_and_opened(tmp_path):
    os.umask(previous := os.umask(0o077))  # a narrow umask: still a folder one can enter
    try:
        folder = open_private_folder(tmp_path, ("factsheet-0", "cache"))
    finally:
        os.umask(previous)
    assert folder is not None
    os.close(folder)
    for made in (tmp_path / "factsheet-0", tmp_path / "factsheet-0" / "cache"):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
    again = open_private_folder(tmp_path, ("factsheet-0", "cache"))
    assert again is not None
    os.close(again)


def test_a_folder_of_ours_no_one_else_could_write_in_is_narrowed(tmp_path):
    """An earlier version made ~/.cache/factsheet 0755: it is still ours alone."""
    (tmp_path / "factsheet").mkdir(mode=0o700)
    (tmp_path / "factsheet").chmod(0o755)
    folder = open_private_folder(tmp_path, ("factsheet",))
    assert folder is not None
    os.close(folder)
    assert stat.S_IMODE((tmp_path / "factsheet").stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("mode", "safe"), [(0o700, True), (0o755, True), (0o777, False), (0o1777, True)]
)
def test_an_anchor_others_can_write_in_is_refused_unless_sticky(tmp_path, mode, safe):
    anchor = tmp_path / "anchor"
    anchor.mkdir()
    anchor.chmod(mode)
    folder = open_private_folder(anchor, ("factsheet-0",))
    assert (folder is not None) == safe
    if folder is not None:
        os.close(folder)


@pytest.fixture
def folder(tmp_path) -> Path:
    made = tmp_path / "entries"
    made.mkdir(mode=0o700)
    return made


def read(folder: Path, made_from: str = "inputs") -> str | None:
    return read_entry(folder, "entry.txt", made_from, lambda entry: entry.data.decode("ascii"))


def test_an_entry_is_read_back_as_written(folder, capsys):
    path = write_entry(folder, "entry.txt", "inputs", b"content")
    assert path is not None and path.read_bytes() == b"content"
    assert read(folder) == "content"
    assert capsys.readouterr().err == ""


def plant_content(folder: Path) -> None:
    [content] = [p for p in folder.iterdir() if not p.name.endswith(".stamp")]
    content.write_bytes(b"planted")


def truncate(folder: Path) -> None:
    [content] = [p for p in folder.iterdir() if not p.name.endswith(".stamp")]
    content.write_bytes(content.read_bytes()[:3])


def delete_content(folder: Path) -> None:
    [content] = [p for p in folder.iterdir() if not p.name.endswith(".stamp")]
    content.unlink()


def garble_stamp(folder: Path) -> None:
    (folder / "entry.txt.stamp").write_text("{")


def not_ascii(folder: Path) -> None:
    """Content and stamp that agree, but content the caller cannot load."""
    write_entry(folder, "entry.txt", "inputs", "café".encode())


POISONS = [plant_content, truncate, delete_content, garble_stamp, not_ascii]


@pytest.mark.parametrize("poison", POISONS, ids=lambda poison: poison.__name__)
def test_an_entry_that_fails_is_deleted_said_once_and_made_again(folder, capsys, poison):
    write_entry(folder, "entry.txt", "inputs", b"content")
    poison(folder)
    assert read(folder) is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "entry.txt failed its check" in err
    assert list(folder.iterdir()) == []  # deleted, content and stamp
    write_entry(folder, "entry.txt", "inputs", b"content")
    assert read(folder) == "content"
    assert capsys.readouterr().err == ""


def test_an_entry_made_from_other_inputs_is_not_taken(folder, capsys):
    write_entry(folder, "entry.txt", "inputs", b"content")
    assert read(folder, made_from="other inputs") is None
    assert "stamp is for other inputs" in capsys.readouterr().err


def test_a_planted_notes_entry_is_not_used(tmp_path, monkeypatch, capsys):
    """Planted HTML in formatted notes (the cache's old layout, or its content
    file replaced) never reaches the page: the notes are formatted again."""
    from factsheet.document.cite import cite_notes, format_notes

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    format_notes.cache_clear()  # nothing from another test's cache folder
    source = Source("kim2020", Pos("s.yaml", 1, 1), {"id": "kim2020", "type": "book",
                    "title": "Cool roofs", "author": [{"literal": "Kim Lab"}], "issued": "2020"})  # fmt: skip
    note = Note(1, Pos("en.yaml", 1, 1), items=(CiteItem("kim2020", Pos("en.yaml", 1, 1)),))
    cite = lambda: cite_notes([note], [source], "chicago-notes-bibliography", "en", Pos("x"))  # noqa: E731
    first = cite()
    entries = tmp_path / "factsheet" / "citations"
    [stamp] = entries.glob("*.stamp")
    [content] = [p for p in entries.iterdir() if p != stamp]
    planted = '<a href="javascript:alert(1)" onmouseover="steal()">Falsified source 1.</a>'
    content.write_text(json.dumps({"notes": {"1": planted}, "in_text": [], "bibliography": []}))
    (entries / stamp.name.removesuffix(".stamp")).write_text(content.read_text())  # old layout
    format_notes.cache_clear()
    again = cite()
    assert again == first and "javascript:" not in again.notes[1]
    assert capsys.readouterr().err.count("failed its check") == 1
    format_notes.cache_clear()
    assert cite() == first
    assert capsys.readouterr().err == ""  # made again, and good
    format_notes.cache_clear()  # nothing for another test from this cache folder


def test_a_truncated_font_instance_is_made_again(tmp_path, capsys):
    """Once "Unable to subset 'Source Sans 3' with HarfBuzz" in every later build."""
    from factsheet.layout.instances import static_faces

    faces = static_faces(tmp_path)
    whole = faces[0].path.read_bytes()
    faces[0].path.write_bytes(whole[: len(whole) // 2])
    again = static_faces(tmp_path)
    assert [face.path for face in again] == [face.path for face in faces]
    assert again[0].path.read_bytes() == whole
    assert hb.Face(again[0].path.read_bytes()).glyph_count > 0
    assert capsys.readouterr().err.count("failed its check") == 1


def test_with_no_private_folder_nothing_is_kept_and_fonts_still_come(tmp_path, monkeypatch, capsys):
    from factsheet.layout.instances import process_folder, static_faces

    home_cache = tmp_path / "cache"
    home_cache.mkdir(mode=0o700)
    make_open(home_cache / "factsheet")
    temporary = tmp_path / "tmp"
    temporary.mkdir(mode=0o700)
    make_symlink(temporary / f"factsheet-{os.getuid()}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home_cache))
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    say_once.cache_clear()
    process_folder.cache_clear()
    assert cache_folder("fonts") is None
    assert read_entry(None, "x", "y", lambda entry: entry) is None
    assert write_entry(None, "x", "y", b"z") is None
    faces = static_faces()
    assert all(hb.Face(face.path.read_bytes()).glyph_count for face in faces)
    assert not list((home_cache / "factsheet").iterdir())
    assert not list((temporary / "elsewhere").iterdir())
    assert capsys.readouterr().err.count("no cache folder") == 1
    process_folder.cache_clear()
