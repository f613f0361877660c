"""Stage 6, render: one HTML document per sheet and language (Jinja2)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from factsheet.cite import Citations
from factsheet.i18n import N_, Localizer
from factsheet.inline import MARKER
from factsheet.model import Document, SheetConfig
from factsheet.paths import TEMPLATES_DIR

PAGE_OF = N_("Page {page} of {pages}")


def fill_notes(fragment: str, cites: Citations, lang: str) -> Markup:
    """Swap each note marker for its footnote (or in-text citation).

    Note ids carry the language, so that in a bilingual edition each call still
    links to the note of its own language."""

    def replace(match) -> str:  # noqa: ANN001 - re.Match
        number = int(match[1])
        text = cites.notes[number]
        if number in cites.in_text:
            return f' <span class="cite">{text}</span>'
        # The link wraps the footnote element so that the call WeasyPrint leaves
        # in the text jumps to the note at the foot of the page.
        return (
            f'<a class="note-call" href="#{lang}-note-{number}">'
            f'<span class="footnote" id="{lang}-note-{number}">{text}</span></a>'
        )

    return Markup(MARKER.sub(replace, fragment))


def page_label_parts(localizer: Localizer) -> tuple[str, str, str]:
    """'Page {page} of {pages}' translated, split around the two counters for CSS."""
    text = localizer.gettext(PAGE_OF)
    before, _, rest = text.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    return before, middle, after


def render_html(
    config: SheetConfig,
    doc: Document,
    cites: Citations,
    localizer: Localizer,
    draft: bool = False,
    templates_dir: Path = TEMPLATES_DIR,
) -> str:
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(localizer.translations, newstyle=True)  # type: ignore[attr-defined]
    template = env.get_template("base.html")
    title = fill_notes(doc.title, cites, doc.lang)
    return template.render(
        lang=doc.lang,
        title=title,
        title_text=Markup(doc.title).striptags(),
        subtitle=fill_notes(doc.subtitle, cites, doc.lang),
        subtitle_text=Markup(doc.subtitle).striptags(),
        summary=fill_notes(doc.summary, cites, doc.lang),
        sections=[
            {
                "id": s.id,
                "heading": fill_notes(s.heading, cites, doc.lang),
                "body": fill_notes(s.body, cites, doc.lang),
            }
            for s in doc.sections
        ],
        credit=fill_notes(doc.credit, cites, doc.lang),
        sources=[Markup(entry) for entry in cites.bibliography] if config.bibliography else [],
        published=localizer.date(config.published),
        updated=localizer.date(config.updated),
        published_iso=config.published.isoformat(),
        updated_iso=config.updated.isoformat(),
        page_label=page_label_parts(localizer),
        draft=draft,
    )
