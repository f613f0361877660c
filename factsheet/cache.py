"""The user's cache folder: what is costly to make and cheap to keep, shared by
every build of every project on the machine (font instances, formatted notes).

Each entry's name carries a digest of everything it was made from, so an
entry is never stale: a change makes a new name, and the old entry is simply
no longer asked for. Deleting the folder is always safe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_folder(name: str) -> Path:
    """$XDG_CACHE_HOME/factsheet/<name> (~/.cache/...), or a temporary folder when
    there is no writable home."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "factsheet" / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"factsheet-{os.getuid()}" / name
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(path: Path, data: bytes) -> None:
    """Write an entry so that no reader sees half of it: several processes (the
    --jobs workers) may make the same one at once; the last rename wins."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
