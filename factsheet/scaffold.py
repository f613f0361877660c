"""`make_pdf.py new`: a sheet folder from the commented examples in
templates/new-sheet/, ready to build."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from factsheet.errors import FactsheetError, Pos, Problem, display_path
from factsheet.paths import TEMPLATES_DIR

EXAMPLE_DIR = TEMPLATES_DIR / "new-sheet"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def new_sheet(sheets_dir: Path, slug: str) -> Path:
    """Copy the example sheet to sheets_dir/slug and record its translation as reviewed."""
    from factsheet.sources.load import load_sheet
    from factsheet.sources.review import mark_reviewed

    folder = sheets_dir / slug
    if not SLUG.match(slug):
        message = f"'{slug}' is not a usable name: use lowercase letters, digits and '-'"
        problem = Problem(Pos(display_path(folder)), message, code="load.slug", subject=slug)
        raise FactsheetError([problem])
    if folder.exists():
        problem = Problem(Pos(display_path(folder)), "already exists", code="new.exists")
        raise FactsheetError([problem])
    shutil.copytree(EXAMPLE_DIR, folder)
    sheet = load_sheet(folder)
    for lang in sheet.config.languages[1:]:
        mark_reviewed(sheet, lang, [])
    return folder
