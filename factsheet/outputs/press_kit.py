"""The press kit: every output of a sheet in one zip, with a manifest.

A plain function from bytes to bytes; build reads the files and writes the zip.
Entries are sorted and dated from the sheet, so the same outputs give the same zip.
Each entry's name is checked here too, though the slug was checked when loaded:
whoever unzips a kit gets files under `<slug>/` and nowhere else.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

from factsheet.errors import FactsheetError, Pos, Problem, display_path
from factsheet.model import Sheet
from factsheet.outputs.kinds import SHEET, OutputKind

KIND = OutputKind(
    "press-kit", "-press-kit.zip", SHEET, flag="--press-kit",
    help="also write <slug>-press-kit.zip: PDFs, web pages, thumbnails, sources, manifest",
    implies=("web-page", "page-image", "bilingual-pdf"),
)  # fmt: skip

# An entry's name: a path of plain names, `/` between them: no `..`, no leading
# `/` or `.`, no backslash or drive letter that an unzip tool might follow.
SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]*"
SAFE_ENTRY = re.compile(rf"{SEGMENT}(?:/{SEGMENT})*")


def sources_json(sheet: Sheet) -> bytes:
    """The sheet's sources as CSL JSON, the format reference managers import."""
    from factsheet.document.cite import to_csl_json

    entries = [to_csl_json(source) for source in sheet.sources]
    return (json.dumps(entries, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def manifest(sheet: Sheet, files: dict[str, bytes]) -> bytes:
    lines = [
        f"Press kit: {sheet.contents[sheet.config.languages[0]].title.value}",
        f"Sheet: {sheet.slug}",
        f"Published: {sheet.config.published.isoformat()}",
        f"Updated: {sheet.config.updated.isoformat()}",
        "",
        "Each file, its size in bytes and its SHA-256:",
        "",
    ]
    width = max(len(str(len(data))) for data in files.values())
    for name, data in sorted(files.items()):
        digest = hashlib.sha256(data).hexdigest()
        lines.append(f"{len(data):>{width}}  {digest}  {name}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def make(sheet: Sheet, files: dict[str, bytes]) -> bytes:
    """A zip of `files` (name -> bytes) plus the sources and MANIFEST.txt."""
    contents = dict(files)
    contents[f"{sheet.slug}.sources.json"] = sources_json(sheet)
    contents["MANIFEST.txt"] = manifest(sheet, contents)
    stamp = sheet.config.updated.timetuple()[:6]
    stream = io.BytesIO()
    entries = {f"{sheet.slug}/{name}": data for name, data in contents.items()}
    unsafe = [entry for entry in entries if not SAFE_ENTRY.fullmatch(entry)]
    if unsafe:
        message = f"the press kit would hold an unsafe file name: {unsafe[0]!r}"
        where = Pos(display_path(sheet.root))
        raise FactsheetError([Problem(where, message, code="presskit.unsafe-name")])
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(entries.items()):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return stream.getvalue()
