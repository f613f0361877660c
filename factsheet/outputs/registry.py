"""Every output kind, in the order a build makes them. Adding a kind means one
module beside this one, a line here, and its tests; the command line's output
flags, the file names and what a failed edition removes all come from here."""

from __future__ import annotations

from pathlib import Path

from factsheet.model import Edition
from factsheet.options import Make
from factsheet.outputs import (
    bilingual_pdf,
    office_pdf,
    page_image,
    press_kit,
    print_pdf,
    web_page,
)
from factsheet.outputs.kinds import BILINGUAL, SHEET, Output, OutputKind

KINDS: tuple[OutputKind, ...] = (
    office_pdf.KIND,
    print_pdf.KIND,
    page_image.KIND,
    web_page.KIND,
    bilingual_pdf.KIND,
    press_kit.KIND,
)
BY_KEY = {kind.key: kind for kind in KINDS}


def kinds_asked(flags: set[str]) -> frozenset[str]:
    """The kinds a command line asks for (by flag), with what each implies."""
    keys = {kind.key for kind in KINDS if not kind.flag or kind.flag in flags}
    for kind in KINDS:
        if kind.key in keys:
            keys |= set(kind.implies)
    return frozenset(keys)


def outputs_of(edition: Edition, make: Make) -> list[Output]:
    """The files an edition is made into, in the order they are made."""
    return [
        Output(edition, kind) for kind in KINDS if make.wants(kind.key) and kind.made_for(edition)
    ]


def sheet_output(slug: str, kind: OutputKind) -> Output:
    return Output(Edition(slug), kind)


def existing_outputs(out: Path, slug: str) -> list[Output]:
    """The files in `out` that are a sheet's outputs, of any kind and edition (left
    by an earlier build, perhaps with other languages or kinds): read by matching
    each name against the kinds' own names, never by splitting at dots."""
    found = []
    if not out.is_dir():
        return found
    for path in sorted(out.iterdir()):
        for kind in KINDS:
            edition = edition_named(path.name, slug, kind)
            if edition is not None:
                found.append(Output(edition, kind))
    return found


def edition_named(name: str, slug: str, kind: OutputKind) -> Edition | None:
    """The edition whose file of `kind` is called `name`, if any."""
    if kind.scope == SHEET:
        return Edition(slug) if name == kind.filename(Edition(slug)) else None
    prefix = f"{slug}."
    if not name.startswith(prefix) or not name.endswith(kind.suffix):
        return None
    middle = name[len(prefix) : len(name) - len(kind.suffix)]
    langs = tuple(middle.split("-"))
    if not all(lang.isalpha() for lang in langs):
        return None  # another kind's name (.print.pdf), or another sheet's
    edition = Edition(slug, langs)
    return edition if edition.combined == (kind.scope == BILINGUAL) else None
