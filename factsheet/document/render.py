"""Stage 6, render: one HTML document per sheet and language (Jinja2)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from factsheet.document.charts import DrawnChart
from factsheet.document.cite import Citations
from factsheet.document.i18n import N_, Localizer
from factsheet.document.inline import MARKER, chart_mark
from factsheet.languages import profile
from factsheet.model import Document, SheetConfig
from factsheet.paths import STYLES_DIR, TEMPLATES_DIR

PAGE_OF = N_("Page {page} of {pages}")


SCREEN_STYLESHEETS = ("type.css", "components.css", "screen.css")


def screen_stylesheet(styles_dir: Path = STYLES_DIR) -> str:
    """The web page's CSS, inlined: the print styles' colors, type and components,
    then the screen overrides (its fonts come from webfonts.py)."""
    return "\n".join((styles_dir / name).read_text(encoding="utf-8") for name in SCREEN_STYLESHEETS)


CHART_DATA = N_("The chart's data")
PAPER_NAMES = {"letter": N_("Letter"), "a4": N_("A4")}
# A small square in the brand's color: every page has an icon, so no request fails.
# The web page's Content-Security-Policy: it loads only its own files (its
# fonts, beside it) and data: images (the logo, the QR code, the icon), runs no
# script and sends no form. Styles are inline (the page is one file; tables and
# chart drawings carry style attributes), and a style can fetch only what
# img-src and font-src allow: so a `url(http://…)` slipped into one fetches
# nothing. Navigation (a link the reader follows) is not a fetch CSP governs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; font-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
ICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Crect width='16' height='16' rx='3' fill='%230d4d6b'/%3E%3C/svg%3E"
)


@dataclass(frozen=True)
class Download:
    """A PDF the web page offers, as the build wrote it."""

    href: str
    print_shop: bool
    paper: str
    pages: int
    size: int  # bytes


@dataclass(frozen=True)
class Sharing:
    """What the web page tells search engines and link previews about itself."""

    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, href), x-default included
    locales: tuple[str, ...] = ()  # the other languages' locales, for og:locale:alternate
    image: str = ""  # the page-1 thumbnail, when built
    canonical: str = ""


def download_links(downloads: list[Download], localizer: Localizer) -> list[dict[str, str]]:
    """ "Download the PDF · Letter · 2 pages · 54 KB", in the page's language."""
    links = []
    for download in downloads:
        what = N_("Print-shop PDF") if download.print_shop else N_("Download the PDF")
        parts = [localizer.gettext(what), localizer.gettext(PAPER_NAMES[download.paper]),
                 localizer.pages(download.pages), localizer.kilobytes(download.size)]  # fmt: skip
        links.append({"href": download.href, "label": " · ".join(parts)})
    return links


# Calls in a row, the spaces before them and the punctuation after them.
CALLS = re.compile(rf"(?:\s*{MARKER.pattern})+(?P<after>[.,;:!?]*)")


def fill_notes(fragment: str, cites: Citations, lang: str, screen: bool = False) -> Markup:
    """Swap each note marker for its footnote (or in-text citation).

    A footnote's call goes where Pandoc puts it: after the punctuation that
    follows it and without a space before it ("in 2019 [@x]." prints "in
    2019.¹"). In-text citations stay where they were written ("(Lee 2020).").
    In print a note is a footnote element; on screen, a numbered link to the
    notes list at the end. Ids carry the language, so that in a bilingual
    edition each call still links to the note of its own language."""

    def call(number: int) -> str:
        text = cites.notes[number]
        if screen:
            return (
                f'<sup class="note-call"><a href="#{lang}-note-{number}" '
                f'id="{lang}-call-{number}">{number}</a></sup>'
            )
        # The link wraps the footnote element so that the call WeasyPrint leaves
        # in the text jumps to the note at the foot of the page.
        return (
            f'<a class="note-call" href="#{lang}-note-{number}">'
            f'<span class="footnote" id="{lang}-note-{number}">{text}</span></a>'
        )

    def replace(match: re.Match) -> str:
        numbers = [int(n) for n in MARKER.findall(match[0])]
        cited = "".join(
            f' <span class="cite">{cites.notes[n]}</span>' for n in numbers if n in cites.in_text
        )
        calls = "".join(call(n) for n in numbers if n not in cites.in_text)
        return cited + match["after"] + calls

    return Markup(CALLS.sub(replace, fragment))


def page_label_parts(localizer: Localizer) -> tuple[str, str, str]:
    """'Page {page} of {pages}' translated, split around the two counters for CSS."""
    text = localizer.gettext(PAGE_OF)
    before, _, rest = text.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    return before, middle, after


def environment(localizer: Localizer, templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(localizer.translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def content_context(
    config: SheetConfig,
    doc: Document,
    cites: Citations,
    localizer: Localizer,
    screen: bool,
    charts: dict[str, DrawnChart],
) -> dict:
    """What both the print and the screen document show."""

    def fill(fragment: str) -> Markup:
        for chart in charts.values():
            fragment = fragment.replace(chart_mark(chart.id), chart_html(chart, screen))
            data = chart_data(chart, localizer) if screen else ""
            fragment = fragment.replace(chart_mark(chart.id, "data"), data)
        return fill_notes(fragment, cites, doc.lang, screen)

    dates = localizer.gettext("Published %(date)s") % {"date": localizer.date(config.published)}
    if config.updated != config.published:  # a sheet never updated says so once
        updated = localizer.gettext("Updated %(date)s") % {"date": localizer.date(config.updated)}
        dates += f" · {updated}"
    return {
        "lang": doc.lang,
        "direction": profile(doc.lang).direction,  # `dir="rtl"` where the script needs it
        "title": fill(doc.title),
        "title_text": Markup(doc.title).striptags(),
        "subtitle": fill(doc.subtitle),
        "subtitle_text": Markup(doc.subtitle).striptags(),
        "summary": fill(doc.summary),
        "sections": [
            {"id": s.id, "heading": fill(s.heading), "body": fill(s.body)} for s in doc.sections
        ],
        "credit": fill(doc.credit),
        "sources": [Markup(e) for e in cites.bibliography] if config.bibliography else [],
        "dates": dates,
        "url": config.url,
        "qr": qr_code(config.url) if config.url else "",
        **theme_context(config, doc.lang),
    }


def chart_html(chart: DrawnChart, screen: bool) -> str:
    """A chart's drawing. In print an image, which WeasyPrint tags as a Figure
    with the alt text; on screen the SVG itself (so it uses the page's fonts),
    labelled by its alt text."""
    if not screen:
        uri = "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode()
        return f'<img class="chart-graphic" src="{uri}" alt="{escape(chart.alt)}">'
    # Vega names clip paths "clip1", …: unique per chart, or two charts clash.
    svg = re.sub(r'(id="|url\(#|href="#)', rf"\1{chart.id}-", chart.svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(chart.alt)}" ', 1)
    return f'<div class="chart-graphic">{svg}</div>'


def chart_data(chart: DrawnChart, localizer: Localizer) -> str:
    """On screen, below the chart: its data as a table a screen reader can reach."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in chart.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in chart.rows
    )
    summary = escape(localizer.gettext(CHART_DATA))
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<details class="chart-data"><summary>{summary}</summary>{table}</details>'


def theme_context(config: SheetConfig, lang: str) -> dict:
    """What the sheet's theme adds: its colours, and its name, contact line and logo
    in this language."""
    theme = config.theme
    if theme is None:
        return {"theme_css": "", "organization": "", "contact": "", "logo": "", "logo_alt": ""}
    return {
        "theme_css": Markup(theme.css()),  # colours checked as #rrggbb: nothing else
        "organization": theme.organization.get(lang, ""),
        "contact": theme.contact.get(lang, ""),
        "logo": theme.logo,
        "logo_alt": theme.logo_alt.get(lang, ""),
    }


def qr_code(url: str) -> str:
    """A QR code for `url` as an SVG data URI: vector, so it prints sharp at any size."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=1, border=0)


def render_html(
    config: SheetConfig,
    doc: Document,
    cites: Citations,
    localizer: Localizer,
    draft: bool = False,
    templates_dir: Path = TEMPLATES_DIR,
    charts: dict[str, DrawnChart] | None = None,
) -> str:
    """The print document, for WeasyPrint."""
    template = environment(localizer, templates_dir).get_template("base.html")
    return template.render(
        **content_context(config, doc, cites, localizer, screen=False, charts=charts or {}),
        published_iso=config.published.isoformat(),
        updated_iso=config.updated.isoformat(),
        page_label=page_label_parts(localizer),
        draft=draft,
        budget=config.pages,
    )


def render_page(
    config: SheetConfig,
    doc: Document,
    cites: Citations,
    localizer: Localizer,
    style: str,
    languages: list[dict[str, str]],
    draft: bool = False,
    templates_dir: Path = TEMPLATES_DIR,
    downloads: list[Download] | None = None,
    font_faces: str = "",
    sharing: Sharing | None = None,
    charts: dict[str, DrawnChart] | None = None,
) -> str:
    """The standalone web page: styles inlined, notes as a linked list at the end,
    `languages` (lang, name, href) linking the other versions, its PDFs offered,
    and what a link preview shows."""
    notes = [
        {"number": n, "id": f"{doc.lang}-note-{n}", "call_id": f"{doc.lang}-call-{n}",
         "html": Markup(text)}
        for n, text in sorted(cites.notes.items())
        if n not in cites.in_text
    ]  # fmt: skip
    sharing = sharing or Sharing()
    description = Markup(doc.subtitle or doc.summary).striptags()
    template = environment(localizer, templates_dir).get_template("page.html")
    return template.render(
        **content_context(config, doc, cites, localizer, screen=True, charts=charts or {}),
        style=Markup(font_faces + "\n" + style),
        languages=languages,
        notes=notes,
        draft=draft,
        downloads=download_links(downloads or [], localizer),
        description=description,
        icon=ICON,
        content_security_policy=CONTENT_SECURITY_POLICY,
        alternates=sharing.alternates,
        og_locale=localizer.locale,
        og_alternates=sharing.locales,
        og_image=sharing.image,
        canonical=sharing.canonical,
    )
