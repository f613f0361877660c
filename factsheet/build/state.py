"""The incremental state: what each sheet was last built from.

A sheet's key is a digest of its own files on top of everything every sheet
depends on (code, styles, templates, catalogs, fonts, the options that change
the output). `output/.factsheet-state.json` maps each slug to its key and the
files it wrote; a sheet whose key matches and whose files are all there is up
to date. Builds into one output folder may run at once (two terminals, CI
jobs): each re-reads the record and writes it back under a lock
(`state_lock`), changing only its own sheets, so none loses another's.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from factsheet import __version__
from factsheet.options import Options
from factsheet.paths import (
    FONT_FILES,
    PACKAGE_DIR,
    PROFILES_DIR,
    STYLES_DIR,
    TEMPLATES_DIR,
    THEMES_DIR,
)

STATE_FILE = ".factsheet-state.json"
LOCK_FILE = ".factsheet-state.lock"  # beside it; never replaced, so every build locks one file


def shared_inputs_digest(options: Options) -> hashlib._Hash:
    """A digest of everything every sheet depends on: this code, styles, templates,
    catalogs, fonts and the options that change the output."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(options.make.fingerprint().encode())  # every field changes the output
    roots = [PACKAGE_DIR, STYLES_DIR, TEMPLATES_DIR, THEMES_DIR, PROFILES_DIR, options.locales_dir]
    files = [p for root in roots for p in sorted(root.rglob("*")) if p.is_file()]
    files += [font.path for font in FONT_FILES]
    for path in files:
        if "__pycache__" not in path.parts:
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    # A theme's font packages (fontpkg-*), as installed: an upgrade rebuilds.
    themes = " ".join(p.read_text(encoding="utf-8") for p in THEMES_DIR.glob("*/theme.yaml"))
    for name in sorted(set(re.findall(r"fontpkg-[a-z0-9-]+", themes))):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{name} {importlib.metadata.version(name)}".encode())
    return digest


def sheet_key(folder: Path, shared: hashlib._Hash) -> str:
    """The fingerprint of one sheet's inputs: its own files on top of the shared ones."""
    digest = shared.copy()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def read_state(options: Options) -> dict[str, dict]:
    try:
        state = json.loads((options.out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


@contextlib.contextmanager
def state_lock(out: Path) -> Iterator[None]:
    """Held around a read-modify-write of the state file. The state file itself is
    replaced whole (write, then rename), so the lock is a file of its own."""
    out.mkdir(parents=True, exist_ok=True)
    handle = os.open(out / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when closed, even by a crash
        yield
    finally:
        os.close(handle)


def up_to_date(entry: dict | None, key: str, options: Options) -> bool:
    if not entry or entry.get("key") != key or not entry.get("outputs"):
        return False
    return all((options.out / name).is_file() for name in entry["outputs"])


def record_built(
    state: dict[str, dict],
    keys: dict[str, str],
    built: dict[str, list[str]],
    skipped: list[str],
) -> dict[str, dict]:
    """The state after a build: each sheet built whole (slug -> the files it wrote)
    recorded under its key; a sheet planned but not built whole (it failed, or the
    build stopped first) forgotten, so the next run builds it. Skipped sheets keep
    their record."""
    updated = dict(state)
    for slug, key in keys.items():
        if slug in built:
            updated[slug] = {"key": key, "outputs": sorted(built[slug])}
        elif slug not in skipped:
            updated.pop(slug, None)
    return updated


def state_bytes(state: dict[str, dict]) -> bytes:
    return (json.dumps(state, indent=1, sort_keys=True) + "\n").encode("utf-8")
