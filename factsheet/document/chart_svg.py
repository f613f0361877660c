"""A drawn chart's SVG made safe to put inside a web page: an allowlist of SVG
elements and attributes, and of what their values may say.

The spec allowlist (chart_spec.py) keeps what reaches Vega plain; this is the
second wall, for what Vega writes: the web page inlines the SVG (it must, to
use the page's fonts), and an inline SVG can run scripts, fetch what `href`
or a style's `url(…)` names, or embed HTML. Here only drawing survives:
shapes, text, groups, clip paths and gradients, their geometry and paint, and
references inside the drawing (`url(#clip1)`). The tree is parsed by lxml with
no entities, DTD or network, and written out again by `written` below (not
passed through), so that nothing an XML parser and a browser's HTML parser
read differently (comments, processing instructions, CDATA) gets through.

Why not a library: nh3 and bleach sanitise HTML and know little of SVG;
DOMPurify needs a browser. The allowlist Vega needs is short.
"""

from __future__ import annotations

import re

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_SVG_BYTES = 20_000_000

ELEMENTS = {
    "svg", "g", "path", "rect", "line", "circle", "ellipse", "polyline", "polygon",
    "text", "tspan", "title", "desc", "defs", "clipPath", "linearGradient",
    "radialGradient", "stop",
}  # fmt: skip
# Presentation attributes: also the CSS properties a `style` attribute may set.
PAINT = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-miterlimit", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-dashoffset", "opacity", "display", "visibility", "pointer-events",
    "shape-rendering", "text-anchor", "dominant-baseline", "alignment-baseline",
    "font-family", "font-size", "font-weight", "font-style", "font-variant",
    "letter-spacing", "clip-path", "stop-color", "stop-opacity", "paint-order",
    "mix-blend-mode", "text-decoration", "white-space",
}  # fmt: skip
ATTRIBUTES = PAINT | {
    "class", "id", "role", "aria-hidden", "aria-label", "aria-roledescription",
    "transform", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "fx", "fy", "width", "height", "viewBox", "version", "points", "dx", "dy",
    "offset", "gradientUnits", "gradientTransform", "clipPathUnits", "style",
    "preserveAspectRatio",
}  # fmt: skip
# In any value: `url(` only as a reference inside the drawing; no CSS escape
# (which could spell `url(` another way), no @-rule, no old IE expression().
LOCAL_URL = re.compile(r"url\(\s*#[\w.-]+\s*\)")
UNSAFE = re.compile(r"url\(|\\|@|expression\s*\(|javascript:|[<>{}]", re.I)
MIX_BLEND = re.compile(r"[a-z-]{1,20}")


def safe_value(value: str) -> bool:
    return UNSAFE.search(LOCAL_URL.sub("", value)) is None


def clean_style(style: str) -> str:
    """A `style` attribute keeping only allowed properties with safe values: this is
    where a mark's `blend` lands (`mix-blend-mode: …`), and with it anything after a
    semicolon smuggled into it."""
    kept = []
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if not colon or name not in PAINT or not safe_value(value):
            continue
        if name == "mix-blend-mode" and not MIX_BLEND.fullmatch(value):
            continue
        kept.append(f"{name}: {value}")
    return "; ".join(kept)


def clean_svg(svg: str) -> str:
    """The SVG, keeping only allowed elements and attributes with safe values, written
    out anew; raises ValueError when it is not an SVG drawing."""
    if len(svg) > MAX_SVG_BYTES:
        raise ValueError(f"the drawing is larger than {MAX_SVG_BYTES} bytes")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        root = etree.fromstring(svg.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the drawing is not well-formed SVG ({exc})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValueError("the drawing is not an SVG")
    return written(root, top=True)


def written(element: etree._Element, top: bool = False) -> str:
    """One allowed element and what it holds, escaped for HTML and XML alike."""
    name = etree.QName(element).localname
    attributes = [f' xmlns="{SVG_NS}"'] if top else []
    for key, value in element.attrib.items():
        qname = etree.QName(key)
        if qname.namespace == XML_NS and qname.localname == "space":
            attributes.append(f' xml:space="{escaped(value)}"')
            continue
        if qname.namespace is not None or qname.localname not in ATTRIBUTES:
            continue
        if qname.localname == "style":
            value = clean_style(value)
            if not value:
                continue
        elif not safe_value(value):
            continue
        attributes.append(f' {qname.localname}="{escaped(value)}"')
    inner = escaped(element.text or "")
    for child in element:
        svg_element = isinstance(child.tag, str) and child.tag.startswith(f"{{{SVG_NS}}}")
        if svg_element and etree.QName(child).localname in ELEMENTS:
            inner += written(child)
        inner += escaped(child.tail or "")
    head = f"<{name}{''.join(attributes)}"
    return f"{head}>{inner}</{name}>" if inner else f"{head}/>"


def escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
