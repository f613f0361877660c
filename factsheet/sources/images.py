"""Pictures a sheet brings (its images/ folder, a theme's logo), checked before
anything decodes them: a small file can hold a huge picture.

A PNG of 445 KB can unpack to 12,000 px square (1.2 GB in WeasyPrint); an SVG
can declare entities that expand a thousandfold, or a thousand nested groups.
Raster sizes are read from the file's header (Pillow opens lazily), SVG is
parsed without entities or a network, and each limit is named in the message.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from lxml import etree

MAX_IMAGE_BYTES = 5_000_000
# 25 million pixels: 5,000 px square. A full Letter page at 300 dpi is 8.4 million.
MAX_IMAGE_PIXELS = 25_000_000
MAX_SVG_ELEMENTS = 20_000
MAX_SVG_DEPTH = 64
RASTER_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def image_problem(path: Path) -> tuple[str, str] | None:
    """What is wrong with a picture file, as (code, reason), or None when it may
    be laid out. The reason completes "image 'x' …"."""
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return "image.too-large", f"is larger than {MAX_IMAGE_BYTES:,} bytes ({size:,})"
    if path.suffix.lower() == ".svg":
        return svg_problem(path.read_bytes())
    return raster_problem(path)


def raster_problem(path: Path) -> tuple[str, str] | None:
    from PIL import Image, UnidentifiedImageError

    too_many = "more than {:,} pixels in all: scale it down (300 pixels an inch of print is plenty)"
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning: the limit below says it in the writer's terms.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as picture:  # reads the header, decodes nothing
                kind, (width, height) = picture.format, picture.size
    except Image.DecompressionBombError:
        return "image.too-many-pixels", "has " + too_many.format(MAX_IMAGE_PIXELS)
    except (UnidentifiedImageError, OSError, ValueError):
        return "image.unreadable", "is not a PNG, JPEG, GIF or WebP picture that can be read"
    if kind not in RASTER_FORMATS:
        return "image.unreadable", f"is a {kind} picture: use PNG, JPEG, GIF or WebP"
    if width * height > MAX_IMAGE_PIXELS:
        return "image.too-many-pixels", (
            f"is {width:,} × {height:,} pixels, " + too_many.format(MAX_IMAGE_PIXELS)
        )
    return None


def svg_problem(data: bytes) -> tuple[str, str] | None:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return "image.unreadable", f"is not well-formed SVG ({exc.msg or 'XML syntax error'})"
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return "image.svg-entities", "declares XML entities (<!ENTITY …>): remove them"
    if etree.QName(root).localname != "svg":
        return "image.unreadable", "is XML but not SVG"
    for count, element in enumerate(root.iter(), start=1):
        if count > MAX_SVG_ELEMENTS:
            return "image.too-complex", f"has more than {MAX_SVG_ELEMENTS:,} SVG elements"
        if isinstance(element, etree._Entity):
            return "image.svg-entities", "uses XML entities (&name;): write the text out"
    if max_depth(root) > MAX_SVG_DEPTH:
        return "image.too-complex", f"nests SVG elements more than {MAX_SVG_DEPTH} deep"
    return None


def max_depth(root: etree._Element) -> int:
    """The deepest nesting under root, walked without recursion."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest
