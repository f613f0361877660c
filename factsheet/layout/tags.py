"""Stage 7b, tags: mend the structure tree WeasyPrint writes, so that a screen
reader hears the sheet in the order a person would read it and PDF/UA-1
validators pass it. pikepdf on the written bytes; no layout is changed.

WeasyPrint 70 tags each page on its own and treats the footnote area as a
block of its own, so:

- a note call carries two link annotations (the second of zero height, tagged
  NonStruct): the empty one goes, and the call's Link says "Note 3";
- the notes of a page sit between the page's last line and the next page's
  first, as NonStruct: each becomes a Note (with its Lbl and an ID), placed
  right after the paragraph that calls it;
- a section, paragraph or list that a page break splits becomes two elements:
  they are joined again, as `continued` (from the layout) says;
- the running footer (dates, page numbers) is tagged but belongs to nothing:
  its dates are read once, at the end of the document (they say when the
  facts were published and updated, which the text does not); the rest
  becomes pagination artifacts, as PDF/UA asks of what repeats on every page;
- a link that wraps onto a second line is one link, not two;
- a list set in columns is one list, not a list of one list per column;
- a language other than the document's gets its /Lang: the second half of a
  bilingual PDF, and a source's title in its own language (HTML `lang`, which
  WeasyPrint drops);
- words the styles set in capitals ("FACT SHEET") carry their ActualText as
  written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

# The HTML elements whose split a page break makes, and the tags WeasyPrint gives them.
STRUCTURE_TAGS = {
    "section": "/Sect", "div": "/Div", "p": "/P", "ul": "/L", "ol": "/L", "li": "/LI",
    "blockquote": "/BlockQuote",
}  # fmt: skip
BLOCKS = ("/P", "/LBody", "/H1", "/H2", "/H3", "/H4", "/TD", "/Caption")


@dataclass(frozen=True)
class DocumentTags:
    """What the tags of one laid-out document need to know that the PDF does not say."""

    lang: str
    first_page: int  # 0-based, in the written PDF
    pages: int
    note_label: str = "Note"  # "Nota": how a listener hears a note call's link
    link_titles: dict[str, str] = field(default_factory=dict)  # address -> what it is
    # The `lang` ("" for none) of each HTML span, in document order: those inside
    # footnotes, then all others. WeasyPrint drops `lang`; the tags get it back.
    note_span_langs: tuple[str, ...] = ()
    text_span_langs: tuple[str, ...] = ()
    # Words the styles print in capitals (the kicker, the sources heading), as
    # written: what a screen reader and a copy should get.
    kicker: str = ""
    sources_heading: str = ""
    # Tagged margin boxes drawn before the footer's dates on the last page: the
    # over-budget label a draft past its budget puts at the head of the page.
    boxes_before_dates: int = 0
    draft: bool = False  # a DRAFT mark on every page: not to be read out each time
    # page (0-based, in the written PDF) -> the HTML tags, outermost first, of the
    # elements that the page continues from the page before (("section", "p")).
    continued: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def has_page(self, index: int) -> bool:
        return self.first_page <= index < self.first_page + self.pages


def mend_tags(data: bytes, documents: list[DocumentTags]) -> bytes:
    """The same PDF with its structure tree mended (see the module's docstring)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = StructTree(pdf)
        tree.drop_empty_links()
        tree.join_wrapped_links()
        tree.flatten_column_lists()
        for document in documents:
            if document.draft:
                tree.draft_marks_to_artifacts(document)
            tree.place_notes(document)
            tree.join_continued(document)
            tree.describe_links(document)
        tree.tag_footers(documents)
        for document in documents:
            if document.lang != str(pdf.Root.get("/Lang", "")):
                tree.set_language(document)
            tree.mark_span_languages(document)
            tree.give_words_as_written(document)
        tree.write_parent_tree()
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def kids(element: Dictionary) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_footnote(element: object) -> bool:
    """A footnote as WeasyPrint tags it: a Span that opens with its marker ("3. ")."""
    if not is_element(element) or tag(element) != "/Span":
        return False
    first = next((k for k in kids(element) if is_element(k)), None)
    return first is not None and tag(first) == "/NonStruct"


def tag(element: Dictionary) -> str:
    """An element's structure type, as "/P"."""
    return str(element.get("/S", ""))


def is_objr(kid: object) -> bool:
    """A kid that stands for an annotation (a link's), not for content."""
    return isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR


def is_element(kid: object) -> bool:
    return isinstance(kid, Dictionary) and kid.get("/S") is not None


class StructTree:
    """The structure tree of one PDF, with the maps the mending needs."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.document = kids(self.root)[0]
        self.pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        nums = self.root.ParentTree.Nums
        self.parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}

    def write_parent_tree(self) -> None:
        """The parent tree as the mending left it (which element owns which marked
        content and annotation), back into the PDF."""
        numbers = Array()
        for key in sorted(self.parent_tree):
            numbers.extend([key, self.parent_tree[key]])
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=numbers))

    # Moving things about

    def set_kids(self, element: Dictionary, new: list) -> None:
        element.K = Array(new)

    def page_of(self, element: Dictionary) -> int | None:
        page = element.get("/Pg")
        return None if page is None else self.pages.get(page.objgen)

    def top_level(self, document: DocumentTags) -> list[Dictionary]:
        """The Document's elements that start on `document`'s pages, in order."""
        return [e for e in kids(self.document) if is_element(e) and self.belongs(e, document)]

    def belongs(self, element: Dictionary, document: DocumentTags) -> bool:
        """Whether an element starts on one of `document`'s pages."""
        page = self.first_page_of(element)
        return page is not None and document.has_page(page)

    def first_page_of(self, element: Dictionary) -> int | None:
        """The page an element starts on: its own /Pg, else its first kid's."""
        if element.get("/Pg") is not None:
            return self.page_of(element)
        for kid in kids(element):
            if is_element(kid):
                return self.first_page_of(kid)
        return None

    def adopt(self, parent: Dictionary, moved: list, page: Dictionary | None) -> list:
        """Kids of another element made kids of `parent`: elements and annotations
        point to their new parent; marked content of another page says its page."""
        adopted = []
        for kid in moved:
            if is_element(kid):
                kid.P = parent
            elif is_objr(kid):
                self.parent_tree[int(kid.Obj.StructParent)] = parent
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                self.point_mcid(kid.Pg, int(kid.MCID), parent)
            elif isinstance(kid, int) and page is not None:
                self.point_mcid(page, kid, parent)
                if parent.get("/Pg") is None or parent.Pg.objgen != page.objgen:
                    kid = Dictionary(Type=Name.MCR, MCID=kid, Pg=page)
            adopted.append(kid)
        return adopted

    def point_mcid(self, page: Dictionary, mcid: int, parent: Dictionary) -> None:
        entries = self.parent_tree.get(int(page.StructParents))
        if entries is not None and mcid < len(entries):
            entries[mcid] = parent

    def remove(self, element: Dictionary) -> None:
        parent = element.P
        self.set_kids(parent, [k for k in kids(parent) if not same(k, element)])

    def insert_after(self, anchor: Dictionary, element: Dictionary) -> None:
        """After `anchor` and the notes already placed after it, in their order."""
        parent = anchor.P
        siblings = kids(parent)
        index = next(i for i, k in enumerate(siblings) if same(k, anchor))
        while (
            index + 1 < len(siblings)
            and is_element(siblings[index + 1])
            and (tag(siblings[index + 1]) == "/Note")
        ):
            index += 1
        self.set_kids(parent, [*siblings[: index + 1], element, *siblings[index + 1 :]])
        element.P = parent

    def walk(self, element: Dictionary | None = None) -> list[Dictionary]:
        """Every element below `element` (the document), in reading order."""
        found = []
        for kid in kids(element if element is not None else self.document):
            if is_element(kid):
                found.append(kid)
                found += self.walk(kid)
        return found

    # The mending

    def drop_empty_links(self) -> None:
        """A note call's second link annotation, of zero height, goes with its tag."""
        for page in self.pdf.pages:
            annotations = list(page.obj.get("/Annots", []))
            keep = []
            for annotation in annotations:
                left, bottom, right, top = (float(v) for v in annotation.Rect)
                if annotation.get("/Subtype") == Name.Link and (top == bottom or left == right):
                    self.untag_annotation(annotation)
                else:
                    annotation.F = 4  # Print: readers on paper and screen get the same
                    keep.append(annotation)
            if len(keep) != len(annotations):
                page.obj.Annots = Array(keep)

    def untag_annotation(self, annotation: Dictionary) -> None:
        holder = self.parent_tree.pop(int(annotation.StructParent), None)
        if holder is None:
            return
        rest = [k for k in kids(holder) if not (is_objr(k) and k.Obj.objgen == annotation.objgen)]
        if tag(holder) == "/NonStruct" and tag(holder.P) == "/Link":
            # The NonStruct only wrapped the empty annotation: its text joins the Link.
            link = holder.P
            siblings = kids(link)
            index = next(i for i, k in enumerate(siblings) if same(k, holder))
            adopted = self.adopt(link, rest, holder.get("/Pg"))
            self.set_kids(link, [*siblings[:index], *adopted, *siblings[index + 1 :]])
        else:
            self.set_kids(holder, rest)

    def tag_footers(self, documents: list[DocumentTags]) -> None:
        """Tagged content whose element the tree does not reach: the running footer.
        Its dates say something the text does not, so those of a document's last
        page are read once, as a paragraph at the document's end; the rest (the
        dates again, page numbers) is marked as pagination artifacts."""
        reachable = {self.document.objgen, *(e.objgen for e in self.walk())}
        last_pages = {d.first_page + d.pages - 1: d for d in documents}
        for index, page in enumerate(self.pdf.pages):
            key = page.obj.get("/StructParents")
            entries = self.parent_tree.get(int(key)) if key is not None else None
            if entries is None:
                continue
            orphans = sorted(
                mcid for mcid, owner in enumerate(entries)
                if isinstance(owner, Dictionary) and owner.objgen not in reachable
            )  # fmt: skip
            if not orphans:
                continue
            document = last_pages.get(index)
            if document is not None and len(orphans) > document.boxes_before_dates:
                dates = orphans.pop(document.boxes_before_dates)  # the bottom-left box
                self.append_paragraph(document, page.obj, dates, entries)
            lang = next((d.lang for d in documents if d.has_page(index)), "")
            self.mark_artifacts(page, set(orphans), lang)

    def append_paragraph(
        self, document: DocumentTags, page: Dictionary, mcid: int, entries: Array
    ) -> None:
        paragraph = self.pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.P, P=self.document, Pg=page, K=mcid)
        )
        own = self.top_level(document)
        if own:
            self.insert_after(own[-1], paragraph)
        else:
            self.set_kids(self.document, [*kids(self.document), paragraph])
        entries[mcid] = paragraph

    def draft_marks_to_artifacts(self, document: DocumentTags) -> None:
        """The DRAFT mark, drawn on every page, is tagged as text at the head of each
        page: a layout artifact instead, not read out before every page's text."""
        for element in self.top_level(document):
            inner = self.walk(element)
            if not (tag(element) == "/Div" and inner
                    and all(tag(e) in ("/Div", "/Span") for e in inner)):  # fmt: skip
                continue
            by_page: dict[int, set[int]] = {}
            for page, mcid in self.mcids(element):
                if page is not None:
                    by_page.setdefault(page, set()).add(mcid)
            for index, mcids in by_page.items():
                page = self.pdf.pages[index]
                self.mark_artifacts(page, mcids, "", Dictionary(Type=Name.Layout))
            self.remove(element)

    def mark_artifacts(
        self, page: pikepdf.Page, mcids: set[int], lang: str, kind: Dictionary | None = None
    ) -> None:
        """Marked content made artifacts (a running footer by default): in the page's
        content, and no element owns it in the parent tree any more."""
        operations = []
        for operands, operator in pikepdf.parse_content_stream(page):
            properties = operands[1] if len(operands) == 2 else None
            marked = isinstance(properties, Dictionary) and (
                int(properties.get("/MCID", -1)) in mcids
            )
            if str(operator) == "BDC" and marked:
                properties = kind or Dictionary(Type=Name.Pagination, Subtype=Name.Footer)
                if lang:
                    properties.Lang = pikepdf.String(lang)  # a bilingual PDF's second half
                operands = [Name.Artifact, properties]
            operations.append(pikepdf.ContentStreamInstruction(operands, operator))
        page.obj.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(operations))
        entries = self.parent_tree[int(page.obj.StructParents)]
        for mcid in mcids:
            entries[mcid] = None

    def place_notes(self, document: DocumentTags) -> None:
        """Each footnote a Note with its label, right after the paragraph that calls it."""
        containers = [
            element for element in self.top_level(document)
            if tag(element) == "/NonStruct"
            and kids(element) and all(is_footnote(k) for k in kids(element))
        ]  # fmt: skip
        notes = [note for container in containers for note in kids(container)]
        calls = self.note_links(document.lang)
        for number, note in enumerate(notes, 1):
            note_id = f"{document.lang}-note-{number}"
            note.S = Name.Note
            note.ID = pikepdf.String(note_id)
            label = next((k for k in kids(note) if is_element(k)), None)
            if label is not None:
                label.S = Name.Lbl
            link = calls.get(note_id)
            block = self.block_of(link) if link is not None else None
            if block is not None:
                self.remove(note)
                if tag(block) in ("/LBody", "/TD"):
                    # An LI holds only Lbl and LBody, a TR only cells: the note goes
                    # inside, last (PDF/UA: Matterhorn 09-004).
                    self.set_kids(block, [*kids(block), note])
                    note.P = block
                else:
                    self.insert_after(block, note)
        for container in containers:
            if not kids(container):
                self.remove(container)
        self.root.IDTree = Dictionary(Names=Array(
            [x for e in self.walk() if e.get("/ID") is not None for x in (e.ID, e)]
        ))  # fmt: skip

    def note_links(self, lang: str) -> dict[str, Dictionary]:
        """Note id -> the Link element of its call."""
        links = {}
        for page in self.pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                target = annotation.get("/Dest")
                if isinstance(target, pikepdf.String) and str(target).startswith(f"{lang}-note-"):
                    holder = self.parent_tree.get(int(annotation.StructParent))
                    if holder is not None:
                        links.setdefault(str(target), holder)
        return links

    def block_of(self, element: Dictionary) -> Dictionary | None:
        while element is not None and is_element(element):
            if tag(element) in BLOCKS:
                return element
            element = element.get("/P")
        return None

    def describe_links(self, document: DocumentTags) -> None:
        """A note call's link says "Note 3" (in the language), not an internal id; a
        source's link says the source's title, not its address."""
        prefix = f"{document.lang}-note-"
        for index, page in enumerate(self.pdf.pages):
            if not document.has_page(index):
                continue
            for annotation in page.obj.get("/Annots", []):
                target = annotation.get("/Dest")
                action = annotation.get("/A")
                address = str(action.get("/URI", "")) if action is not None else ""
                if isinstance(target, pikepdf.String) and str(target).startswith(prefix):
                    number = str(target).removeprefix(prefix)
                    annotation.Contents = pikepdf.String(f"{document.note_label} {number}")
                elif address in document.link_titles:
                    annotation.Contents = pikepdf.String(document.link_titles[address])

    def join_wrapped_links(self) -> None:
        """A link that wraps onto a second line is one link: one annotation covering
        both lines (QuadPoints), one Link element, so that a keyboard meets it once."""
        for page in self.pdf.pages:
            annotations = list(page.obj.get("/Annots", []))
            keep = []
            for annotation in annotations:
                previous = keep[-1] if keep else None
                if previous is not None and self.continues(previous, annotation):
                    self.extend(previous, annotation)
                else:
                    keep.append(annotation)
            if len(keep) != len(annotations):
                page.obj.Annots = Array(keep)

    def continues(self, first: Dictionary, second: Dictionary) -> bool:
        """The second annotation is the same link, in the next Link element."""
        address = [str(a.A.get("/URI", "")) if a.get("/A") is not None else None
                   for a in (first, second)]  # fmt: skip
        if address[0] is None or address[0] != address[1]:
            return False
        holders = [self.parent_tree.get(int(a.StructParent)) for a in (first, second)]
        if any(h is None or tag(h) != "/Link" for h in holders):
            return False
        siblings = [k for k in kids(holders[0].P) if is_element(k)]
        index = next(i for i, k in enumerate(siblings) if same(k, holders[0]))
        return index + 1 < len(siblings) and same(siblings[index + 1], holders[1])

    def extend(self, first: Dictionary, second: Dictionary) -> None:
        quads = []
        for annotation in (first, second):
            old = annotation.get("/QuadPoints")
            if old is not None:
                quads += [float(v) for v in old]
            else:
                left, bottom, right, top = (float(v) for v in annotation.Rect)
                quads += [left, top, right, top, left, bottom, right, bottom]
        xs, ys = quads[0::2], quads[1::2]
        first.Rect = Array([min(xs), min(ys), max(xs), max(ys)])
        first.QuadPoints = Array(quads)
        holder = self.parent_tree[int(first.StructParent)]
        other = self.parent_tree.pop(int(second.StructParent))
        rest = [k for k in kids(other) if not is_objr(k)]
        self.set_kids(holder, kids(holder) + self.adopt(holder, rest, other.get("/Pg")))
        self.remove(other)

    def join_continued(self, document: DocumentTags) -> None:
        """Elements a page break split, one again: a section, then within it the
        paragraph or list that runs on, as far down as the layout says."""
        for page, chain in sorted(document.continued.items()):
            top = kids(self.document)
            index = next((i for i, e in enumerate(top) if is_element(e)
                          and self.first_page_of(e) == page and i > 0), None)  # fmt: skip
            if index is None:
                continue
            before, after = top[index - 1], top[index]
            for html_tag in chain:
                wanted = STRUCTURE_TAGS.get(html_tag)
                if wanted is None or not (is_element(before) and is_element(after)):
                    break
                if tag(before) != wanted or tag(after) != wanted:
                    break
                last = next((k for k in reversed(kids(before)) if is_element(k)), None)
                first = next((k for k in kids(after) if is_element(k)), None)
                self.join(before, after)
                before, after = last, first

    def join(self, before: Dictionary, after: Dictionary) -> None:
        moved = self.adopt(before, kids(after), after.get("/Pg"))
        self.set_kids(before, kids(before) + moved)
        self.remove(after)
        if tag(before) == "/LI":
            bodies = [k for k in kids(before) if is_element(k) and tag(k) == "/LBody"]
            if len(bodies) == 2:
                self.join(bodies[0], bodies[1])

    def flatten_column_lists(self) -> None:
        """A list set in CSS columns is tagged as a list of one list per column:
        one list again, its items in order."""
        for element in self.walk():
            columns = [k for k in kids(element) if is_element(k)]
            if tag(element) == "/L" and columns and all(tag(k) == "/L" for k in columns):
                items = []
                for column in columns:
                    items += self.adopt(element, kids(column), column.get("/Pg"))
                self.set_kids(element, items)

    def mark_span_languages(self, document: DocumentTags) -> None:
        """/Lang on what HTML marked with `lang` (a source's title in its language).

        An HTML span becomes a Span element whose kids are elements (its text is a
        Span of its own); spans inside notes (in note order, as placed) and the
        others (in reading order) are matched to the document's HTML spans. If
        the counts differ, nothing is guessed."""
        in_notes: list[Dictionary] = []
        elsewhere: list[Dictionary] = []
        for element in self.top_level(document):
            self.collect_spans(element, in_notes, elsewhere, inside_note=False)
        for spans, langs in ((in_notes, document.note_span_langs),
                             (elsewhere, document.text_span_langs)):  # fmt: skip
            groups = self.by_html_span(spans)
            if len(groups) != len(langs):
                continue
            for group, lang in zip(groups, langs, strict=True):
                for span in group if lang and lang != document.lang else ():
                    span.Lang = pikepdf.String(lang)

    def by_html_span(self, spans: list[Dictionary]) -> list[list[Dictionary]]:
        """Span elements grouped by the HTML span they come from: a span that wraps
        is one element per line, their marked content numbered one after another."""
        groups: list[list[Dictionary]] = []
        last: tuple[int | None, int] | None = None
        for span in spans:
            mcids = self.mcids(span)
            if not mcids:
                continue
            page, first = mcids[0]
            if groups and last is not None and last == (page, first - 1):
                groups[-1].append(span)
            else:
                groups.append([span])
            last = mcids[-1]
        return groups

    def mcids(self, element: Dictionary) -> list[tuple[int | None, int]]:
        """(page, MCID) of an element's marked content, in order."""
        found = []
        for kid in kids(element):
            if isinstance(kid, int):
                found.append((self.page_of(element), kid))
            elif is_element(kid):
                found += self.mcids(kid)
        return found

    def collect_spans(
        self, element: Dictionary, in_notes: list, elsewhere: list, inside_note: bool
    ) -> None:
        if tag(element) == "/Note":
            inside_note = True
        element_kids = [k for k in kids(element) if is_element(k)]
        if tag(element) == "/Span" and element_kids and len(element_kids) == len(kids(element)):
            (in_notes if inside_note else elsewhere).append(element)
        for kid in element_kids:
            self.collect_spans(kid, in_notes, elsewhere, inside_note)

    def give_words_as_written(self, document: DocumentTags) -> None:
        """ActualText for words the styles set in capitals ("FACT SHEET"): a screen
        reader says "Fact sheet", not F-A-C-T, and a copy gets the words as written."""
        top = self.top_level(document)
        band = next((e for e in top if tag(e) == "/NonStruct"), None)
        first = next((k for k in kids(band) if is_element(k)), None) if band else None
        if document.kicker and first is not None and tag(first) == "/P":
            first.ActualText = pikepdf.String(document.kicker)
        for element in (e for t in reversed(top) for e in [t, *self.walk(t)]):
            inner = [k for k in kids(element) if is_element(k)]
            if (
                tag(element) == "/Sect"
                and len(inner) == 2
                and tag(inner[0]) == "/H2"
                and (tag(inner[1]) == "/L")
            ):
                if document.sources_heading:
                    inner[0].ActualText = pikepdf.String(document.sources_heading)
                break

    def set_language(self, document: DocumentTags) -> None:
        for element in self.top_level(document):
            element.Lang = pikepdf.String(document.lang)


def same(a: object, b: object) -> bool:
    """The same PDF object (the tree's elements are indirect objects)."""
    if not (isinstance(a, pikepdf.Object) and isinstance(b, pikepdf.Object)):
        return False
    return a.is_indirect and b.is_indirect and a.objgen == b.objgen
