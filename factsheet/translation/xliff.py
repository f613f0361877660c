"""Units as an XLIFF 1.2 file, for memoQ, Trados, OmegaT and Weblate.

1.2, not 2.0: it is the version every one of those tools reads and writes.
Markup the translator must not break becomes inline codes that CAT tools
show as tags: a citation (`[@key, p. 12]`) is a placeholder (`<ph>`), and
emphasis, links and author notes are paired codes (`<bpt>`/`<ept>`) around
text that stays translatable. Each code holds the Markdown it stands for, so
the import needs nothing but the file; a link's address is inside its
closing code, out of the translator's reach.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from factsheet.document.inline import parse_cite_item
from factsheet.errors import FactsheetError, Pos, Problem
from factsheet.model import Exchange, Imported, ImportedFile, Unit

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TO_REVIEW = {
    "new", "needs-translation", "needs-adaptation", "needs-l10n",
    "needs-review-translation", "needs-review-adaptation", "needs-review-l10n",
}  # fmt: skip
# Emphasis markers, longest first, and the XLIFF 1.2 ctype of each kind of code.
EMPHASIS = (("**", "bold"), ("__", "bold"), ("*", "italic"), ("_", "italic"))


@dataclass(frozen=True)
class Piece:
    """A run of Markdown: translatable text, or code that stands as written."""

    kind: str  # "text", "ph" (a citation), "open" or "close" (around translatable text)
    raw: str  # exactly as written
    ctype: str = ""  # "x-citation", "bold", "italic", "link", "x-image", "x-note"


def closing(text: str, start: int, opener: str = "[", closer: str = "]") -> int:
    """The index of the bracket that closes the one at `start`, or -1."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def emphasis_end(text: str, start: int, marker: str) -> int:
    """Where the emphasis opened by `marker` at `start` closes, or -1. A marker
    opens before a non-space and closes after one; `_` only between words."""
    after = start + len(marker)
    if after >= len(text) or text[after].isspace():
        return -1
    if marker[0] == "_" and start > 0 and text[start - 1].isalnum():
        return -1
    index = after
    while (index := text.find(marker, index + 1)) > 0:
        end = index + len(marker)
        neighbours = text[index - 1 : index] + text[end : end + 1]
        doubled = len(marker) == 1 and marker in neighbours
        if text[index - 1].isspace() or doubled or text[index - 1] == "\\":
            continue
        if marker[0] == "_" and end < len(text) and text[end].isalnum():
            continue
        return index
    return -1


def pieces(text: str) -> list[Piece]:
    """A block's Markdown as text and codes; their `raw`s joined give it back."""
    out: list[Piece] = []
    plain: list[str] = []

    def add(*found: Piece) -> None:
        if plain:
            out.append(Piece("text", "".join(plain)))
            plain.clear()
        out.extend(found)

    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            plain.append(text[index : index + 2])
            index += 2
            continue
        if text.startswith("^[", index) and (end := closing(text, index + 1)) > 0:
            add(Piece("open", "^[", "x-note"), *pieces(text[index + 2 : end]),
                Piece("close", "]", "x-note"))  # fmt: skip
            index = end + 1
            continue
        bracket = index + 1 if text.startswith("![", index) else index
        if text[bracket] == "[" and (end := closing(text, bracket)) > 0:
            inner = text[bracket + 1 : end]
            target_end = closing(text, end + 1, "(", ")") if text[end + 1 : end + 2] == "(" else -1
            if target_end > 0:
                ctype = "x-image" if bracket > index else "link"
                add(Piece("open", text[index : bracket + 1], ctype), *pieces(inner),
                    Piece("close", text[end : target_end + 1], ctype))  # fmt: skip
                index = target_end + 1
                continue
            if bracket == index and "@" in inner and all(map(parse_cite_item, inner.split(";"))):
                add(Piece("ph", text[index : end + 1], "x-citation"))
                index = end + 1
                continue
        for marker, ctype in EMPHASIS:
            if text.startswith(marker, index) and (end := emphasis_end(text, index, marker)) > 0:
                add(Piece("open", marker, ctype), *pieces(text[index + len(marker) : end]),
                    Piece("close", marker, ctype))  # fmt: skip
                index = end + len(marker)
                break
        else:
            plain.append(char)
            index += 1
    add()
    return out


def numbered(found: list[Piece], source: Codes | None = None) -> list[str]:
    """An id for each code: in a source, 1, 2, 3 in order (a pair shares one);
    in a target, the id of the source's code it matches, so tools pair them."""
    by_raw: dict[str, list[str]] = {}
    by_kind: dict[str, list[str]] = {}
    for piece, code in source or []:
        if piece.kind == "ph":
            by_raw.setdefault(piece.raw, []).append(code)
        elif piece.kind == "open":
            by_kind.setdefault(piece.ctype, []).append(code)
    used = {code for _, code in source or []}
    ids: list[str] = []
    stack: list[str] = []
    count = 0

    def fresh() -> str:
        nonlocal count
        count += 1
        while str(count) in used:
            count += 1
        used.add(str(count))
        return str(count)

    for piece in found:
        if piece.kind == "close":
            ids.append(stack.pop())
            continue
        if piece.kind == "text":
            ids.append("")
            continue
        pool = by_raw.get(piece.raw) if piece.kind == "ph" else by_kind.get(piece.ctype)
        code = pool.pop(0) if pool else fresh()
        if source is None:
            used.add(code)
        ids.append(code)
        if piece.kind == "open":
            stack.append(code)
    return ids


Codes = list[tuple[Piece, str]]  # the codes of a <source>, with their ids


def fill(element: etree._Element, text: str, source: Codes | None = None) -> Codes:
    """Write a block's Markdown into a <source> or <target>; returns its codes."""
    found = pieces(text)
    ids = numbered(found, source)
    last: etree._Element | None = None
    for piece, code in zip(found, ids, strict=True):
        if piece.kind == "text":
            if last is None:
                element.text = (element.text or "") + piece.raw
            else:
                last.tail = (last.tail or "") + piece.raw
            continue
        tag = {"ph": "ph", "open": "bpt", "close": "ept"}[piece.kind]
        last = etree.SubElement(element, f"{{{NS}}}{tag}", id=code)
        if piece.kind != "close":
            last.set("ctype", piece.ctype)
        last.text = piece.raw
    return [(p, code) for p, code in zip(found, ids, strict=True) if p.kind != "text"]


def markdown_of(element: etree._Element) -> str:
    """A <target> back to Markdown: text as it is, each code as the Markdown it holds."""
    parts = [element.text or ""]
    for child in element:
        tag = etree.QName(child).localname
        if tag in ("ph", "bpt", "ept", "it"):
            parts.append("".join(child.itertext()))
        elif tag in ("mrk", "g"):  # segment marks some tools add: their text counts
            parts.append(markdown_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def write_units(units: list[Unit], header: Exchange) -> str:
    root = etree.Element(f"{{{NS}}}xliff", version="1.2", nsmap={None: NS})
    file = etree.SubElement(root, f"{{{NS}}}file", {
        "original": f"{header.sheet}/{header.source_lang}.yaml",
        "source-language": header.source_lang, "target-language": header.target_lang,
        "datatype": "plaintext",
    })  # fmt: skip
    head = etree.SubElement(file, f"{{{NS}}}header")
    etree.SubElement(head, f"{{{NS}}}note").text = (
        "Keep the tags: they stand for citations, notes, links and emphasis. Units "
        "marked needs-review-translation changed since review, and units marked new are "
        "not translated yet; mark each one translated or final when done. Then run: "
        f"{header.command}"
    )
    body = etree.SubElement(file, f"{{{NS}}}body")
    for unit in units:
        element = etree.SubElement(body, f"{{{NS}}}trans-unit", id=unit.key, resname=unit.key)
        element.set(XML_SPACE, "preserve")
        codes = fill(etree.SubElement(element, f"{{{NS}}}source"), unit.source)
        # XLIFF 1.2's states, as Weblate and translate-toolkit read them: reviewed
        # is final and approved, stale is to review, untranslated is new.
        target = etree.SubElement(element, f"{{{NS}}}target", state=state_of(unit))
        if unit.target:
            fill(target, unit.target, codes)
        if state_of(unit) == "final":
            element.set("approved", "yes")
        group = etree.SubElement(element, f"{{{NS}}}context-group", purpose="location")
        place = {"sourcefile": unit.where.path, "linenumber": str(unit.where.line)}
        for kind, value in place.items():
            etree.SubElement(group, f"{{{NS}}}context", {"context-type": kind}).text = value
        etree.SubElement(element, f"{{{NS}}}note", {"from": "factsheet"}).text = unit.note
        if unit.previous:
            alt = etree.SubElement(element, f"{{{NS}}}alt-trans", alttranstype="previous-version")
            old = fill(etree.SubElement(alt, f"{{{NS}}}source"), unit.previous)
            fill(etree.SubElement(alt, f"{{{NS}}}target"), unit.target, old)
    lay_out(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8") + "\n"


def state_of(unit: Unit) -> str:
    if not unit.target:
        return "new"
    return "needs-review-translation" if unit.review else "final"


STRUCTURE = {"xliff", "file", "body", "trans-unit", "context-group", "alt-trans"}


def lay_out(element: etree._Element, depth: int = 0) -> None:
    """Indent the file's structure, never the inside of a <source> or <target>,
    whose spaces are text (lxml's indent() would add some)."""
    if etree.QName(element).localname not in STRUCTURE or not len(element):
        return
    element.text = "\n" + "  " * (depth + 1)
    for child in element:
        lay_out(child, depth + 1)
        child.tail = "\n" + "  " * (depth + 1)
    element[-1].tail = "\n" + "  " * depth


def read_units(raw: bytes, shown: str) -> ImportedFile:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position
        where = Pos(shown, line, col + 1)
        problem = Problem(where, f"not an XLIFF file: {exc.msg}", code="import.not-xliff")
        raise FactsheetError([problem]) from None
    if root.tag != f"{{{NS}}}xliff":
        where = Pos(shown, root.sourceline or 1, 1)
        message = "not an XLIFF 1.2 file (no <xliff> in its namespace)"
        raise FactsheetError([Problem(where, message, code="import.not-xliff")])
    units = []
    for element in root.iter(f"{{{NS}}}trans-unit"):
        source = element.find(f"{{{NS}}}source")
        target = element.find(f"{{{NS}}}target")
        # No state says nothing is left to do: XLIFF 1.2 makes the attribute optional.
        state = target.get("state", "translated") if target is not None else "new"
        units.append(
            Imported(
                key=element.get("id", ""),
                source=markdown_of(source) if source is not None else "",
                target=markdown_of(target) if target is not None else "",
                review=state in TO_REVIEW,
                line=element.sourceline or 1,
            )
        )
    file = root.find(f"{{{NS}}}file")
    attributes = file.attrib if file is not None else {}
    sheet, _, source_file = attributes.get("original", "").partition("/")
    header = Exchange(
        sheet,
        attributes.get("source-language", source_file.removesuffix(".yaml")),
        attributes.get("target-language", "").partition("-")[0].lower(),
    )
    return ImportedFile(header, units)
