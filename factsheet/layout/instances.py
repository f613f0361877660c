"""Static instances of the variable fonts, for print.

WeasyPrint turns each variable face a PDF uses into a static one with
fontTools at every write: about half a second a PDF for the eight faces of
the sample, the largest single cost of a build. Given static fonts it only
subsets them. HarfBuzz's instancer (uharfbuzz) makes a whole static face in
about 10 ms, with the same outlines and advance widths as fontTools', so the
faces are made on first use and kept in the user's cache folder, under a key
of the font files, the instancer's version and the axis values, so that a new
font package or HarfBuzz makes new ones.

Source Serif's optical size is pinned at the body text's size (WeasyPrint
would set it to each run's size: the lede and quotes, 6 and 15% larger, now
share the body's); Source Sans has only a weight axis.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from factsheet.cache import Entry, cache_folder, read_entry, write_entry
from factsheet.paths import FONT_FILES, FontFile

WEIGHTS = {"serif": (400, 600, 700), "sans": (400, 600, 700, 800)}  # what the styles ask for
# CSS px, as WeasyPrint gives the opsz axis: the body text's 9.6pt (type.css).
OPTICAL_SIZE = 12.8


@dataclass(frozen=True)
class Face:
    family: str
    style: str  # normal or italic
    weight: int
    path: Path  # the static instance


def static_faces(
    folder: Path | None = None, fonts: tuple[FontFile, ...] = FONT_FILES
) -> list[Face]:
    """Every face the print styles can ask for, made where missing or failing its
    check (a truncated file is made again). With no cache folder they are made
    in a temporary folder of this process's, removed when it ends."""
    import uharfbuzz

    folder = folder or cache_folder("fonts") or process_folder()
    faces = []
    for font in fonts:
        source = font.path
        stat = source.stat()
        made_from = (f"{file_digest(source, stat.st_size, stat.st_mtime_ns)} "
                     f"{uharfbuzz.__version__} {OPTICAL_SIZE}")  # fmt: skip
        key = hashlib.sha256(f"{font.filename} {made_from}".encode()).hexdigest()[:12]
        for weight in WEIGHTS[font.role]:
            stem = font.filename.partition("[")[0]
            name, face_made_from = f"{stem}-{weight}-{key}.ttf", f"{made_from} {weight}"
            path = read_entry(folder, name, face_made_from, checked_face)
            if path is None:
                data = instance_bytes(source, weight)
                # A cache that cannot be written: this process's own folder.
                path = write_entry(folder, name, face_made_from, data) or write_entry(
                    process_folder(), name, face_made_from, data
                )
                if path is None:
                    raise OSError(f"cannot write the font instance {name}")
            faces.append(Face(font.family, font.style, weight, path))
    return faces


def checked_face(entry: Entry) -> Path:
    """A kept instance that HarfBuzz reads as a static face, or an error."""
    import uharfbuzz as hb

    face = hb.Face(entry.data)
    if face.glyph_count == 0 or face.axis_infos:
        raise ValueError("not a static font")
    return entry.path


@functools.lru_cache(maxsize=64)
def file_digest(path: Path, size: int, mtime_ns: int) -> str:
    """A font file's content digest, read once a process while the file is unchanged."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.cache
def process_folder() -> Path:
    """A private folder of this process's (mkdtemp: 0700, a name no one can guess),
    removed at exit: where the instances go when there is no cache folder."""
    folder = Path(tempfile.mkdtemp(prefix="factsheet-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def instance_bytes(source: Path, weight: int) -> bytes:
    """One static face: every glyph kept, all axes pinned."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(source)))
    request = hb.SubsetInput()
    # Keep every character, glyph and name; pin the axes. (Keeping every layout
    # feature too, rather than HarfBuzz's default list, loses the kerning: the
    # instance then sets text 0.7% wider than the variable font at the same axes.)
    for kept in ("UNICODE", "NAME_ID", "NAME_LANG_ID"):
        request.sets(getattr(hb.SubsetInputSets, kept)).invert()
    for glyph in range(face.glyph_count):
        request.glyph_set.add(glyph)
    request.flags = hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
    # Weight as asked, optical size at the body text's, any other axis (width)
    # at its default: a theme's font may have more axes than Source's.
    for axis in face.axis_infos:
        value = {"wght": weight, "opsz": OPTICAL_SIZE}.get(axis.tag, axis.default_value)
        value = min(max(value, axis.min_value), axis.max_value)
        request.pin_axis_location(face, axis.tag, value)
    return hb.subset(face, request).blob.data


def static_font_faces_css(faces: list[Face]) -> str:
    """@font-face rules, one per static face and weight."""
    return "\n".join(
        f'@font-face {{ font-family: "{face.family}"; font-style: {face.style}; '
        f'font-weight: {face.weight}; src: url("{face.path.as_uri()}"); }}'
        for face in faces
    )
