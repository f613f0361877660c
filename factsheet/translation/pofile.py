"""Units as a gettext PO file, through Babel's reader and writer.

Each unit is one entry: `msgctxt` is its key (section, kind and a hash of the
English, so it does not move when other blocks do), `msgid` the reference text,
`msgstr` the translation. A unit to review is `fuzzy` and carries the
reference text as it was reviewed in `#| msgid`, so Poedit, Weblate and
Lokalize show what changed.
"""

from __future__ import annotations

import datetime
import io
import re
import textwrap

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, escape, read_po, unescape, write_po

from factsheet.errors import FactsheetError, Pos, Problem
from factsheet.model import Exchange, Imported, ImportedFile, Unit
from factsheet.sources.blocks import text_hash

WIDTH = 76


def write_units(units: list[Unit], header: Exchange) -> str:
    today = datetime.datetime.combine(datetime.date.today(), datetime.time(), datetime.UTC)
    # Lines under 76 characters: Babel rewraps longer ones, a word to a line.
    comment = (
        f"# {header.target_lang} translation of the sheet '{header.sheet}':\n"
        "# one entry per heading, paragraph and list item. Keep citations\n"
        "# ([@key]) and link addresses as they are. An entry marked fuzzy\n"
        "# changed in the reference since it was reviewed: its old text is\n"
        "# in the '#| msgid' comment. When done, run:\n"
        f"#   {header.command}"
    )
    catalog = Catalog(
        locale=header.target_lang,
        header_comment=comment,
        project=f"{header.sheet}/{header.source_lang}.yaml",
        creation_date=today,
        revision_date=today,
        fuzzy=False,
    )
    # Not Babel's placeholders ("FULL NAME <EMAIL@ADDRESS>"): the editor fills these.
    catalog.version = catalog.msgid_bugs_address = catalog.last_translator = ""
    catalog.language_team = ""
    for unit in units:
        message = Message(
            unit.source,
            unit.target,
            locations=[(unit.where.path, unit.where.line)],
            flags=["fuzzy"] if unit.review else [],
            auto_comments=[unit.note],
            context=unit.key,
        )
        # Babel guesses "python-format" from a '%' ("50% of"): not a format here.
        message.flags.discard("python-format")
        catalog[unit.source] = message
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH)
    return with_previous(out.getvalue().decode("utf-8"), units)


def with_previous(text: str, units: list[Unit]) -> str:
    """Add each changed unit's reviewed reference text as `#| msgid`, just above
    its `msgctxt`. (Babel's own `include_previous` rewraps the quoted lines as
    comment text, which splits strings across lines where gettext cannot read them.)"""
    previous = {unit.key: unit.previous for unit in units if unit.previous}
    out = []
    for line in text.splitlines(keepends=True):
        context = unescape(line[len("msgctxt ") :].strip()) if line.startswith("msgctxt ") else ""
        if context in previous:
            out.append(f"#| msgctxt {escape(previous_key(context, previous[context]))}\n")
            out += quoted_lines("#| msgid", previous[context])
        out.append(line)
    return "".join(out)


def previous_key(key: str, previous: str) -> str:
    """The key a unit had when its English was `previous` (blocks.unit_keys), as
    msgmerge's `#| msgctxt` gives the old context."""
    return re.sub(r"/[0-9a-f]{8}(?:-\d+)?$", "/" + text_hash(previous), key)


def quoted_lines(keyword: str, text: str) -> list[str]:
    """`#| msgid ""` and the text in quoted pieces that break after a space."""
    pieces = textwrap.wrap(text, WIDTH - 6, drop_whitespace=False, break_long_words=False)
    if len(pieces) == 1:
        return [f"{keyword} {escape(text)}\n"]
    return [f'{keyword} ""\n', *(f"#| {escape(piece)}\n" for piece in pieces)]


def read_units(raw: bytes, shown: str) -> ImportedFile:
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark some editors save
    try:
        catalog = read_po(io.BytesIO(raw), abort_invalid=True)
    except PoFileError as exc:
        where = Pos(shown, exc.lineno + 1, 1)
        message = "not a PO file: gettext cannot read this line"
        raise FactsheetError([Problem(where, message, code="import.not-po")]) from None
    except (UnicodeDecodeError, ValueError) as exc:
        problem = Problem(Pos(shown, 1, 1), f"not a PO file: {exc}", code="import.not-po")
        raise FactsheetError([problem]) from None
    units = []
    for message in catalog:
        if not message.id:
            continue  # the header
        units.append(
            Imported(
                key=message.context or "",
                source=message.id if isinstance(message.id, str) else "",
                target=message.string if isinstance(message.string, str) else "",
                review="fuzzy" in message.flags,
                line=message.lineno or 1,
            )
        )
    # Our exports name "<sheet>/<lang>.yaml"; Babel says "PROJECT" when a file has none.
    project = catalog.project if catalog.project and "/" in catalog.project else ""
    sheet, _, source = project.partition("/")
    locale = str(catalog.locale) if catalog.locale else ""
    header = Exchange(sheet, source.removesuffix(".yaml"), locale.partition("_")[0])
    return ImportedFile(header, units)
