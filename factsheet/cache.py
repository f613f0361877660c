"""The user's cache folder: what is costly to make and cheap to keep, shared by
every build of every project on the machine (font instances, formatted notes,
charts).

Each entry's name carries a digest of everything it was made from, so an
entry is never stale: a change makes a new name, and the old entry is simply
no longer asked for. Deleting the folder is always safe.

An entry is trusted only as far as it checks. The folder is the user's alone
(private.py), and every entry is two files: its content, named by the content's
digest, and a stamp `<name>.stamp` with the digests of the content and of what
made it. `read_entry` checks both and the caller's own loading; an entry that
fails (a truncated font, planted notes) is deleted, said once, and made again.
`write_entry` writes the content, then the stamp, each atomically; the content
file never changes once written, so workers that make one entry at once never
see each other's halves. These two functions are the only way in or out.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from factsheet.private import fallback_anchor, private_folder, say_once

STAMP_VERSION = 1
T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """A checked entry: its content, and the file that holds it (unchanged since
    it was written, for a reader that wants a path, such as WeasyPrint's fonts)."""

    path: Path
    data: bytes


def cache_folder(kind: str) -> Path | None:
    """$XDG_CACHE_HOME/factsheet/<kind> (~/.cache/...), or <tmp>/factsheet-<uid>/cache/
    <kind> when there is no writable home; None (said once) when neither is the
    user's alone: then nothing is kept."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    with contextlib.suppress(OSError):
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary, own = fallback_anchor()
    found = private_folder([(base, ("factsheet", kind)), (temporary, (own, "cache", kind))])
    if found is None:
        say_once("factsheet: warning: no cache folder that is this user's alone; "
                 "building without a cache")  # fmt: skip
        return None
    descriptor, folder = found
    os.close(descriptor)
    return folder


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_path(folder: Path, name: str, content: str) -> Path:
    return folder / f"{content[:24]}-{name}"


def read_entry(
    folder: Path | None, name: str, made_from: str, load: Callable[[Entry], T]
) -> T | None:
    """The entry `name`, checked and loaded; None when there is none, or when it
    fails a check or `load` raises (then it is deleted, with one warning)."""
    if folder is None:
        return None
    stamp_path = folder / f"{name}.stamp"
    try:
        stamp = stamp_path.read_bytes()
    except OSError:
        return None  # not made yet
    try:
        fields = json.loads(stamp)
        if fields["version"] != STAMP_VERSION or fields["made_from"] != digest_of(
            made_from.encode()
        ):
            raise ValueError("its stamp is for other inputs")
        path = content_path(folder, name, str(fields["content"]))
        data = path.read_bytes()
        if digest_of(data) != fields["content"]:
            raise ValueError("its content does not match its stamp")
        return load(Entry(path, data))
    except Exception as failure:  # whatever a bad entry breaks, it is made again
        discard(folder, name, failure)
        return None


def discard(folder: Path, name: str, failure: Exception) -> None:
    """Delete an entry that failed, every content file of its name with it, saying
    so once."""
    for content in folder.glob(f"*-{glob.escape(name)}"):
        if re.fullmatch(r"[0-9a-f]{24}", content.name[:24]):
            content.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        (folder / f"{name}.stamp").unlink()
    reason = str(failure) if isinstance(failure, ValueError) else type(failure).__name__
    print(f"factsheet: warning: cache entry {folder / name} failed its check ({reason}); "
          "deleted and made again", file=sys.stderr)  # fmt: skip


def write_entry(folder: Path | None, name: str, made_from: str, data: bytes) -> Path | None:
    """Keep `data` as the entry `name`, made from `made_from`: the file that holds
    it, or None when there is no cache or it cannot be written (no cache then)."""
    if folder is None:
        return None
    content = digest_of(data)
    stamp = {"version": STAMP_VERSION, "made_from": digest_of(made_from.encode()),
             "content": content}  # fmt: skip
    path = content_path(folder, name, content)
    try:
        write_atomically(path, data)
        write_atomically(folder / f"{name}.stamp", json.dumps(stamp).encode())
    except OSError:
        return None
    return path


def write_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """No reader sees half of it: several processes (the --jobs workers) may make
    the same entry at once; the last rename wins. The file is private (mkstemp's
    0600) unless `mode` says otherwise."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
