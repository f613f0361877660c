"""Folders that are the user's alone: the build server's runtime folder and the
cache folder.

On a shared machine another user can create `/tmp/factsheet-<uid>` first, or
put a symlink there, and then read or plant whatever the tool keeps in it. So
each folder is reached from an anchor the user chose (XDG_RUNTIME_DIR,
XDG_CACHE_HOME, the home's .cache, the temporary folder), and every folder the
tool creates below it is opened with O_NOFOLLOW and fstat-ed: owned by this
user, mode 0700. Below a sticky /tmp no other user can then rename or replace
it. A folder of ours that no one else could write in (an earlier version made
the cache 0755) is narrowed to 0700; any other that fails is never repaired
or used: the caller goes on without a server or a cache.

Only the standard library is imported: make_pdf.py's client side uses it
before anything else is loaded.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
import tempfile
from pathlib import Path

FOLDER_MODE = 0o700


def open_private_folder(anchor: Path, parts: tuple[str, ...]) -> int | None:
    """A descriptor of anchor/parts…, each part made (0700) when missing; None when
    the anchor is not safe to create in or any part is not this user's alone."""
    try:
        folder = os.open(anchor, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not safe_anchor(os.fstat(folder)):
            os.close(folder)
            return None
        for part in parts:
            inner = open_part(folder, part)
            os.close(folder)
            folder = inner
            if folder is None:
                return None
    except OSError:
        if folder is not None:
            os.close(folder)
        return None
    return folder


def open_part(parent: int, name: str) -> int | None:
    """One folder below `parent`, made if missing; None when it is not the user's
    own folder with mode 0700 (a symlink there fails to open)."""
    try:
        os.mkdir(name, FOLDER_MODE, dir_fd=parent)
        made = True
    except FileExistsError:
        made = False
    try:
        folder = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                         dir_fd=parent)  # fmt: skip
    except OSError:  # a symlink (ELOOP, ENOTDIR), a file, or gone again
        return None
    info = os.fstat(folder)
    # Ours, and no one else could ever write in it (made a moment ago, or by an
    # earlier version at 0755): narrowing it to 0700 is safe.
    writable_by_others = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if info.st_uid == os.getuid() and (made or not writable_by_others):
        os.fchmod(folder, FOLDER_MODE)
        info = os.fstat(folder)
    if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) != FOLDER_MODE:
        os.close(folder)
        return None
    return folder


def safe_anchor(info: os.stat_result) -> bool:
    """A folder to create in: this user's or root's, and writable by no one else
    unless sticky (as /tmp is: others cannot rename what is ours in it)."""
    if info.st_uid not in (os.getuid(), 0):
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or bool(info.st_mode & stat.S_ISVTX)


def private_folder(candidates: list[tuple[Path, tuple[str, ...]]]) -> tuple[int, Path] | None:
    """The first candidate (anchor, parts) that is safe: its descriptor and path."""
    for anchor, parts in candidates:
        folder = open_private_folder(anchor, parts)
        if folder is not None:
            return folder, anchor.joinpath(*parts)
    return None


def fallback_anchor() -> tuple[Path, str]:
    """The temporary folder and this user's name in it: factsheet-<uid>."""
    return Path(tempfile.gettempdir()), f"factsheet-{os.getuid()}"


def runtime_folder() -> tuple[int, Path] | None:
    """$XDG_RUNTIME_DIR/factsheet, or <tmp>/factsheet-<uid>/run when it is unset:
    an open descriptor (the caller closes it) and the path."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return private_folder([(Path(runtime), ("factsheet",))])
    temporary, own = fallback_anchor()
    return private_folder([(temporary, (own, "run"))])


@functools.cache
def say_once(line: str) -> None:
    """A warning a process gives once however often it is met."""
    print(line, file=sys.stderr)
