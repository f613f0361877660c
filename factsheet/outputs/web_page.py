"""The web page, `<slug>.<lang>.html`: the sheet as a standalone page that links
its PDFs and its other languages, with its fonts cut to the characters it shows
(in `fonts/` beside it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from factsheet.errors import Problem, errors_only
from factsheet.languages import profile
from factsheet.model import Edition, Sheet
from factsheet.options import Options
from factsheet.outputs import page_image, print_pdf
from factsheet.outputs.kinds import LANGUAGE, OutputKind
from factsheet.outputs.office_pdf import KIND as OFFICE_PDF
from factsheet.outputs.office_pdf import OfficePDF
from factsheet.outputs.printing import Job
from factsheet.paths import FontFile

if TYPE_CHECKING:
    from factsheet.document.render import Download, Sharing

KIND = OutputKind(
    "web-page", ".html", LANGUAGE, flag="--html",
    help="also write <slug>.<lang>.html, a web page",
)  # fmt: skip

Page = Callable[[list["Download"], str], str]  # (downloads, font faces) -> the page


def other_languages(sheet: Sheet, lang: str, options: Options) -> list[dict[str, str]]:
    """The page's links to the same sheet in the other languages built."""
    return [
        {"lang": other, "name": language_name(other), "href": page_name(sheet.slug, other)}
        for other in sheet.config.languages
        if other != lang and (not options.make.langs or other in options.make.langs)
    ]


def page_name(slug: str, lang: str) -> str:
    return KIND.filename(Edition(slug, (lang,)))


def page_sharing(sheet: Sheet, lang: str, options: Options) -> Sharing:
    """What the page tells search engines and link previews about itself.

    Search engines take only absolute addresses for hreflang and canonical links,
    and link previews for images: so with the sheet's `url:` (where its web pages
    are published, side by side) the page links its languages (the reference
    language as x-default), itself as canonical and its thumbnail; without it,
    only the locales."""
    from urllib.parse import urljoin

    from factsheet.document.render import Sharing

    def locale_of(tag: str) -> str:
        return profile(tag, sheet.config.locales.get(tag)).babel_locale

    wanted = options.make.langs or sheet.config.languages
    built = [other for other in sheet.config.languages if other in wanted]
    own = locale_of(lang)
    locales = [locale_of(other) for other in built]
    sharing = Sharing(locales=tuple(locale for locale in locales if locale != own))
    if not sheet.config.url:
        return sharing

    def address(name: str) -> str:
        return urljoin(sheet.config.url, name)

    alternates = [(other, address(page_name(sheet.slug, other))) for other in built]
    reference = sheet.config.languages[0]
    if reference in built:
        alternates.append(("x-default", address(page_name(sheet.slug, reference))))
    image = page_image.KIND.filename(Edition(sheet.slug, (lang,)))
    return replace(
        sharing,
        alternates=tuple(alternates),
        image=address(image) if options.make.wants(page_image.KIND.key) else "",
        canonical=address(page_name(sheet.slug, lang)),
    )


def language_name(lang: str) -> str:
    """A language's name in itself, as a reader looks for it: English, Español."""
    return profile(lang).name


def make(
    job: Job,
    page: Page,
    office: OfficePDF,
    shop: tuple[bytes, list[Problem]] | None,
    fonts: tuple[FontFile, ...],
) -> tuple[bytes, dict[str, bytes | None]]:
    """The page, offering the PDFs made for it (a print-shop PDF that failed is not
    offered), and each font file it links to and their licences (None: already in
    the output folder)."""
    from factsheet.document.render import Download

    edition = job.task.edition
    pages = office.layout.pages
    downloads = [Download(OFFICE_PDF.filename(edition), False, job.paper, pages, len(office.data))]
    if shop is not None and not errors_only(shop[1]):
        name = print_pdf.KIND.filename(edition)
        downloads.append(Download(name, True, job.paper, pages, len(shop[0])))
    return with_fonts(page, downloads, job.options, fonts)


def with_fonts(
    page: Page, downloads: list[Download], options: Options, fonts: tuple[FontFile, ...]
) -> tuple[bytes, dict[str, bytes | None]]:
    """The web page with its fonts cut to the characters it shows."""
    from factsheet.layout.webfonts import (
        FONTS_FOLDER,
        font_faces,
        licences,
        page_characters,
        web_fonts,
    )

    chars = page_characters(page(downloads, ""))
    folder = options.out / FONTS_FOLDER
    made = web_fonts(chars, folder, fonts)
    html = page(downloads, font_faces(made))
    files = {f"{FONTS_FOLDER}/{font.name}": font.data for font in made}
    return html.encode("utf-8"), files | licences(fonts, folder)
