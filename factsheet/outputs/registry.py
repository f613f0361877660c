"""Every output kind, in the order a build makes them. Adding a kind means one
module beside this one, a line here, and its tests; the command line's output
flags, the file names and what a failed edition removes all come from here."""

from __future__ import annotations

import re
from pathlib import Path

from factsheet.languages import LANGUAGES
from factsheet.model import Edition
from factsheet.options import Make
from factsheet.outputs import (
    bilingual_pdf,
    office_pdf,
    page_image,
    preflight,
    press_kit,
    print_pdf,
    web_page,
)
from factsheet.outputs.kinds import BILINGUAL, SHEET, Output, OutputKind

KINDS: tuple[OutputKind, ...] = (
    office_pdf.KIND,
    print_pdf.KIND,
    preflight.KIND,
    page_image.KIND,
    web_page.KIND,
    bilingual_pdf.KIND,
    press_kit.KIND,
)
BY_KEY = {kind.key: kind for kind in KINDS}

# The languages in a file's name, `en` or `en-zh-Hans`: tags with a profile, the
# longest first, so that a tag with a hyphen is read whole.
_TAGS = "|".join(re.escape(tag) for tag in sorted(LANGUAGES, key=len, reverse=True))
LANGUAGE_TAG = re.compile(rf"(?:(?<=^)|(?<=-))(?:{_TAGS})(?=-|$)", re.IGNORECASE)
LANGUAGE_LIST = re.compile(rf"(?:{_TAGS})(?:-(?:{_TAGS}))*", re.IGNORECASE)


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
    """The edition whose file of `kind` is called exactly `name`, if any: its
    languages are read as language tags with a profile (so `zh-Hans` is one
    language, not two), and the name made from them must be `name` again."""
    if kind.scope == SHEET:
        return Edition(slug) if name == kind.filename(Edition(slug)) else None
    prefix = f"{slug}."
    if not name.startswith(prefix) or not name.endswith(kind.suffix):
        return None
    middle = name[len(prefix) : len(name) - len(kind.suffix)]
    if not LANGUAGE_LIST.fullmatch(middle):
        return None  # another kind's name (.print.pdf), or another sheet's (base.x.en.pdf)
    edition = Edition(slug, tuple(LANGUAGE_TAG.findall(middle)))
    if kind.filename(edition) != name or edition.combined != (kind.scope == BILINGUAL):
        return None
    return edition
