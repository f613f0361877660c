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

import hashlib
from dataclasses import dataclass
from pathlib import Path

from factsheet.cache import cache_folder, keep
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
    """Every face the print styles can ask for, made where missing."""
    import uharfbuzz

    folder = folder or cache_folder("fonts")
    faces = []
    for font in fonts:
        source = font.path
        stat = source.stat()
        key = hashlib.sha256(
            f"{font.filename} {stat.st_size} {stat.st_mtime_ns} {uharfbuzz.__version__} "
            f"{OPTICAL_SIZE}".encode()
        ).hexdigest()[:12]
        for weight in WEIGHTS[font.role]:
            stem = font.filename.partition("[")[0]
            path = folder / f"{stem}-{weight}-{key}.ttf"
            if not path.is_file():
                write_instance(source, weight, path)
            faces.append(Face(font.family, font.style, weight, path))
    return faces


def write_instance(source: Path, weight: int, path: Path) -> None:
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
    keep(path, hb.subset(face, request).blob.data)


def static_font_faces_css(faces: list[Face]) -> str:
    """@font-face rules, one per static face and weight."""
    return "\n".join(
        f'@font-face {{ font-family: "{face.family}"; font-style: {face.style}; '
        f'font-weight: {face.weight}; src: url("{face.path.as_uri()}"); }}'
        for face in faces
    )
