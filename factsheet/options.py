"""The options of a build: one object serves the command line and the library."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from factsheet.paths import LOCALES_DIR


@dataclass(frozen=True)
class Options:
    """Everything a build needs; the CLI fills it from argv, tests build it directly."""

    sheets: tuple[Path, ...] = ()
    sheets_root: Path = Path("sheets")
    out: Path = Path("output")
    langs: tuple[str, ...] = ()
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    paper: str | None = None
    check_only: bool = False
    strict: bool = False  # warnings fail the build too
    draft: bool = False  # a DRAFT mark on every page
    print_shop: bool = False  # also write <slug>.<lang>.print.pdf with bleed and marks
    force: bool = False  # rebuild even what is up to date
    bilingual: bool = False  # also <slug>.en-es.pdf: every language in one PDF
    thumbnails: bool = False  # also <slug>.<lang>.png of page 1, 1200 px wide
    html: bool = False  # also <slug>.<lang>.html, a standalone web page
    press_kit: bool = False  # also <slug>-press-kit.zip of all of the above
    locales_dir: Path = LOCALES_DIR  # gettext catalogs of the interface strings
    # watch: an edition that fails leaves the files of its last good build in
    # place (the preview says they are not current) instead of removing them.
    keep_last_good: bool = False
