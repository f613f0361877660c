"""Units as a gettext PO file, through Babel's reader and writer.

Each unit is one entry: `msgctxt` is its key, `msgid` the reference text,
`msgstr` the translation. A unit to review is `fuzzy` and carries the
reference text as it was reviewed in `#| msgid`, so Poedit, Weblate and
Lokalize show what changed.
"""

from __future__ import annotations

import datetime
import io

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, normalize, read_po, unescape, write_po

from factsheet.errors import FactsheetError, Pos, Problem
from factsheet.model import Imported, Unit

WIDTH = 76


def write_units(units: list[Unit], source_lang: str, target_lang: str, source: str) -> str:
    today = datetime.datetime.combine(datetime.date.today(), datetime.time(), datetime.UTC)
    header = (
        f"# {target_lang} translation of {source}, one entry per heading, paragraph\n"
        "# and list item. Keep citations ([@key]) and link addresses as they are.\n"
        "# An entry marked fuzzy changed in the reference since it was reviewed:\n"
        "# its old text is in the '#| msgid' comment. When done, run:\n"
        f"#   python3 make_pdf.py import SHEET_DIR {target_lang} THIS_FILE"
    )
    catalog = Catalog(
        locale=target_lang,
        header_comment=header,
        project=source,
        creation_date=today,
        revision_date=today,
        fuzzy=False,
    )
    # Not Babel's placeholders ("FULL NAME <EMAIL@ADDRESS>"): the editor fills these.
    catalog.version = catalog.msgid_bugs_address = catalog.last_translator = ""
    catalog.language_team = ""
    for unit in units:
        name, _, line = unit.where.rpartition(":")
        message = Message(
            unit.source,
            unit.target,
            locations=[(name, int(line))],
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
            for keyword, value in (("msgctxt", context), ("msgid", previous[context])):
                out.append(f"#| {keyword} {normalize(value, prefix='#| ', width=WIDTH + 3)}\n")
        out.append(line)
    return "".join(out)


def read_units(raw: bytes, shown: str) -> list[Imported]:
    try:
        catalog = read_po(io.BytesIO(raw), abort_invalid=True)
    except PoFileError as exc:
        where = Pos(shown, exc.lineno + 1, 1)
        raise FactsheetError([Problem(where, f"not a PO file: {exc}")]) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise FactsheetError([Problem(Pos(shown, 1, 1), f"not a PO file: {exc}")]) from None
    units = []
    for message in catalog:
        if not message.id:
            continue  # the header
        units.append(
            Imported(
                key=message.context or "",
                target=message.string if isinstance(message.string, str) else "",
                review="fuzzy" in message.flags,
                line=message.lineno or 1,
            )
        )
    return units
