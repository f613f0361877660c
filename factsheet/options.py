"""The options of a build, split by concern: what to read, what to make (every
field of which changes the files written, so the incremental state fingerprints
them all), where to write, and how to run. One object serves the command line
and the library."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from factsheet.paths import LOCALES_DIR

OFFICE_PDF = "office-pdf"  # the one kind always made (outputs/office_pdf.py)
# The command line's names for Run's limits, which messages past a limit give.
TIME_LIMIT_FLAG = "--time-limit"
MEMORY_LIMIT_FLAG = "--memory-limit"


@dataclass(frozen=True)
class Make:
    """What to make. Every field changes which files a build writes or what is in
    them: state.py fingerprints this whole object, so a new field is covered."""

    langs: tuple[str, ...] = ()  # only these languages; () for every one a sheet lists
    paper: str | None = None  # letter or a4 over every sheet's own
    draft: bool = False  # a DRAFT mark on every page
    strict: bool = False  # warnings fail the build too
    kinds: frozenset[str] = frozenset({OFFICE_PDF})  # output kinds by key (outputs/)

    def wants(self, kind: str) -> bool:
        return kind in self.kinds

    def fingerprint(self) -> str:
        """Every field, in a form that is the same in every process (a frozenset's
        order is not)."""
        values = [getattr(self, f.name) for f in fields(self)]
        return repr([sorted(v) if isinstance(v, frozenset) else v for v in values])


@dataclass(frozen=True)
class Run:
    """How to run a build; none of it changes what a file holds."""

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    check_only: bool = False  # validate everything, write nothing
    force: bool = False  # rebuild even what is up to date
    # Each edition in its worker: CPU seconds, and megabytes of data (build/limits.py);
    # its charts' drawing process: as many wall-clock seconds and megabytes.
    time_limit: float = 120.0
    memory_limit: int = 2048
    # watch: an edition that fails leaves the files of its last good build in
    # place (the preview says they are not current) instead of removing them.
    keep_last_good: bool = False


@dataclass(frozen=True)
class Options:
    """Everything a build needs; the CLI fills it from argv, tests build it directly."""

    sheets: tuple[Path, ...] = ()  # sheet folders; () for every one under sheets_root
    sheets_root: Path = Path("sheets")
    locales_dir: Path = LOCALES_DIR  # gettext catalogs of the interface strings
    out: Path = Path("output")
    make: Make = Make()
    run: Run = Run()
