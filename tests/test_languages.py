"""Languages end to end: a third language from files alone, locales, the draft mark."""

import shutil

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from factsheet.build.run import build
from factsheet.document.i18n import LOCALES_DIR
from factsheet.model import Edition
from factsheet.options import Options, Run

from .conftest import read_pdf

PORTUGUESE = {
    "Back to the text": "Voltar ao texto",
    "Languages": "Idiomas",
    "Note": "Nota",
    "Notes": "Notas",
    "QR code for %(url)s": "Código QR de %(url)s",
    "DRAFT": "RASCUNHO",
    "Fact sheet": "Ficha informativa",
    "Page {page} of {pages}": "Página {page} de {pages}",
    "Past the page budget (%(pages)s): cut to fit": "Excede o limite de páginas (%(pages)s)",
    "A4": "A4",
    "Letter": "Carta",
    "Download the PDF": "Baixar o PDF",
    "Print-shop PDF": "PDF para gráfica",
    ("%(num)d page", "%(num)d pages"): ("%(num)d página", "%(num)d páginas"),
    "Published %(date)s": "Publicado em %(date)s",
    "Sources": "Fontes",
    "The chart's data": "Os dados do gráfico",
    "Updated %(date)s": "Atualizado em %(date)s",
}
PT_YAML = """\
title: Uma pequena ficha de teste
summary: |
  Um resumo breve.
sections:
  - id: first
    heading: Primeira seção
    body: |
      Trinta e uma cidades participaram em 2019.[@smith2019, p. 12]

      - Não
      - Sim
  - id: second
    heading: Segunda seção
    body: |
      > «Uma linha citada do relatório».[@smith2019]
      >
      > — O relatório
"""


def test_a_third_language_needs_only_its_yaml_and_a_catalog(minimal, tmp_path, run_cli):
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    catalog = Catalog(locale="pt")
    for message, translation in PORTUGUESE.items():
        if isinstance(translation, tuple):  # as many forms as the locale has (3 in CLDR 46)
            translation += translation[-1:] * (catalog.num_plurals - len(translation))
        catalog.add(message, translation)
    (locales / "pt" / "LC_MESSAGES").mkdir(
        parents=True, exist_ok=True
    )  # ours, over the shipped one
    with (locales / "pt" / "LC_MESSAGES" / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    (minimal / "pt.yaml").write_text(PT_YAML, encoding="utf-8")
    sheet_yaml = minimal / "sheet.yaml"
    sheet_yaml.write_text(sheet_yaml.read_text().replace("[en, es]", "[en, es, pt]"))
    assert run_cli("reviewed", minimal, "pt", "--all").code == 0

    report = build(
        Options(sheets=(minimal,), out=tmp_path / "out", run=Run(jobs=1), locales_dir=locales)
    )
    assert report.ok, [str(p) for p in report.problems]
    text = read_pdf(tmp_path / "out" / "minimal.pt.pdf").text
    assert "Publicado em 5 de março de 2020" in text
    assert "Página 1 de 1" in text
    assert "FONTES" in text
    assert "Smith, Towns and Their Choices, 12." in text


def test_a_language_without_catalog_fails_only_that_language(minimal, tmp_path):
    (minimal / "pt.yaml").write_text(PT_YAML, encoding="utf-8")
    sheet_yaml = minimal / "sheet.yaml"
    sheet_yaml.write_text(sheet_yaml.read_text().replace("[en, es]", "[en, es, pt]"))
    locales = tmp_path / "locales"  # the project's catalogs but Portuguese's
    shutil.copytree(LOCALES_DIR, locales, ignore=shutil.ignore_patterns("pt"))
    out = tmp_path / "out"
    report = build(Options(sheets=(minimal,), out=out, run=Run(jobs=1), locales_dir=locales))
    assert report.failed == [Edition("minimal", ("pt",))]
    assert "no interface catalog for language 'pt'" in [p.message for p in report.problems]
    assert sorted(p.name for p in out.glob("*.pdf")) == ["minimal.en.pdf", "minimal.es.pdf"]


def test_a_sheet_can_choose_another_locale(minimal, tmp_path, run_cli):
    sheet_yaml = minimal / "sheet.yaml"
    sheet_yaml.write_text(sheet_yaml.read_text() + "locales: {en: en_GB}\n")
    assert run_cli(minimal, "--out", tmp_path, "--lang", "en").code == 0
    text = read_pdf(tmp_path / "minimal.en.pdf").text
    assert "Published 5 March 2020" in text  # en_US would say March 5, 2020
    assert "Smith, Towns and Their Choices, 12." in text


def test_a_bad_locale_names_the_key(minimal, run_cli):
    sheet_yaml = minimal / "sheet.yaml"
    sheet_yaml.write_text(sheet_yaml.read_text() + "locales: {es: fr_FR}\n")
    run = run_cli(minimal, "--check")
    assert run.error_lines == [
        f"{minimal}/sheet.yaml:8:10: locales: 'fr_FR' is not a locale of 'es'"
    ]


def test_draft_mark_in_the_pages_language(minimal, tmp_path, run_cli):
    assert run_cli(minimal, "--out", tmp_path, "--draft").code == 0
    assert "BORRADOR" in read_pdf(tmp_path / "minimal.es.pdf").text
    assert "DRAFT" in read_pdf(tmp_path / "minimal.en.pdf").text
    assert run_cli(minimal, "--out", tmp_path).code == 0
    assert "BORRADOR" not in read_pdf(tmp_path / "minimal.es.pdf").text


def test_a_draft_over_its_budget_is_written_with_the_overflow_marked(minimal, tmp_path, run_cli):
    """The build still fails, and says the same either way; only --draft writes the PDF."""
    path = minimal / "en.yaml"
    long = "Thirty-one towns took part in 2019. " + "Each one kept a careful record. " * 200
    path.write_text(path.read_text().replace("Thirty-one towns took part in 2019.", long))
    plain = run_cli(minimal, "--out", tmp_path / "plain", "--lang", "en")
    draft = run_cli(minimal, "--out", tmp_path / "draft", "--lang", "en", "--draft")
    assert plain.code == draft.code == 1
    [plain_line] = [line for line in plain.error_lines if "over its budget" in line]
    [draft_line] = [line for line in draft.error_lines if "over its budget" in line]
    assert draft_line == plain_line + "; the draft PDF marks the pages past page 1"
    assert not (tmp_path / "plain" / "minimal.en.pdf").exists()
    pages = read_pdf(tmp_path / "draft" / "minimal.en.pdf").pages
    assert len(pages) == 2
    assert "Past the page budget (1): cut to fit" not in pages[0]
    assert "Past the page budget (1): cut to fit" in pages[1]
    assert "DRAFT" in pages[1]


def test_calls_follow_the_full_stop_and_spanish_names_join_with_y(minimal, tmp_path, run_cli):
    """As a writer types it (`in 2019 [@key].`) and as each language's reader expects it."""
    for lang in ("en", "es"):
        path = minimal / f"{lang}.yaml"
        text = path.read_text().replace("2019.[@smith2019, p. 12]", "2019 [@smith2019, p. 12].")
        path.write_text(text.replace("informe».[@smith2019]", "informe» [@smith2019]."))
    sources = minimal / "sources.yaml"
    sources.write_text(sources.read_text().replace(
        "      given: Jane\n", "      given: Jane\n    - family: Lee\n      given: Ann\n"
    ))  # fmt: skip
    assert run_cli(minimal, "--out", tmp_path).code == 0
    en = read_pdf(tmp_path / "minimal.en.pdf").text
    es = read_pdf(tmp_path / "minimal.es.pdf").text
    assert "took part in 2019. 1 " in en  # a hair space: copied out, the call is no decimal
    assert "participaron en 2019. 1 " in es
    assert "«Una línea citada del informe». 2 " in es
    assert "Smith, Jane, and Ann Lee. Towns and Their Choices" in en
    assert "Smith, Jane y Ann Lee. Towns and Their Choices" in es
    assert "1. Smith y Lee, Towns and Their Choices, 12." in es


def test_a_glyph_only_the_layout_meets_is_traced_to_its_file(minimal, tmp_path):
    """An interface word the fonts cannot print (no check reads catalogs as text)."""
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    catalog = locales / "es" / "LC_MESSAGES" / "messages.po"
    catalog.write_text(catalog.read_text().replace('msgstr "Fuentes"', 'msgstr "Fuentes 漢"'))
    out = tmp_path / "out"
    # WeasyPrint logs ".notdef glyph rendered" in the worker; the build says where.
    report = build(Options(sheets=(minimal,), out=out, run=Run(jobs=1), locales_dir=locales))
    assert report.failed == [Edition("minimal", ("es",))]
    line = catalog.read_text().splitlines().index('msgstr "Fuentes 漢"') + 1
    assert [str(p) for p in report.problems if not p.warning] == [
        f"{catalog}:{line}:17: '漢' (U+6F22 CJK UNIFIED IDEOGRAPH-6F22) is in neither "
        "Source Serif 4 nor Source Sans 3, the embedded fonts that print this text, so it "
        "would print in a system font: leave it out or write it another way"
    ]
    assert sorted(p.name for p in out.glob("*.pdf")) == ["minimal.en.pdf"]


def test_a_draft_past_its_budget_says_it_was_written_then_that_the_sheet_failed(
    minimal, tmp_path, run_cli
):
    """Issue 28, point 6: no "removed" for the draft just written, over an older copy."""
    path = minimal / "en.yaml"
    assert run_cli(minimal, "--out", tmp_path, "--lang", "en").code == 0  # an older copy
    long = "Thirty-one towns took part in 2019. " + "Each one kept a careful record. " * 200
    path.write_text(path.read_text().replace("Thirty-one towns took part in 2019.", long))
    draft = run_cli(minimal, "--out", tmp_path, "--lang", "en", "--draft")
    pdf = tmp_path / "minimal.en.pdf"
    assert draft.code == 1 and pdf.exists()
    assert "removed" not in draft.out
    lines = draft.out.splitlines()
    assert lines[0] == f"wrote {pdf}: a draft, the pages past its budget marked"
    assert f"wrote {pdf}" not in lines[1:]
    assert lines[-1].startswith("1 sheet: 0 built, 0 up to date, 1 failed; wrote 1 PDF in ")
    assert any("over its budget" in line for line in draft.error_lines)


FR_YAML = """\
title: Une petite fiche d’essai
subtitle: Les tests s’en servent
summary: |
  Un court résumé pour une courte fiche.
sections:
  - id: first
    heading: Première section
    body: |
      Trente et une communes y ont pris part en 2019.[@smith2019, p. 12]

      - Non
      - Oui
  - id: second
    heading: Deuxième section
    body: |
      > « Une ligne citée du rapport. »[@smith2019]
      >
      > — Le rapport
"""


def test_french_builds_with_the_shipped_catalog(minimal, tmp_path, run_cli):
    """fr, pt and ru ship an interface catalog (locales/): a French sheet needs only
    its fr.yaml, and prints its interface words, dates and notes in French."""
    (minimal / "es.yaml").unlink()
    (minimal / "es.reviewed.yaml").unlink(missing_ok=True)
    (minimal / "fr.yaml").write_text(FR_YAML, encoding="utf-8")
    sheet_yaml = minimal / "sheet.yaml"
    sheet_yaml.write_text(sheet_yaml.read_text().replace("[en, es]", "[en, fr]"))
    assert run_cli("reviewed", minimal, "fr", "--all").code == 0
    run = run_cli(minimal, "--out", tmp_path / "out", "--strict")
    assert run.code == 0, run.err
    text = read_pdf(tmp_path / "out" / "minimal.fr.pdf").text
    for expected in ("FICHE D’INFORMATION", "Publié le 5 mars 2020", "Mis à jour le 12 octobre 2021",
                     "Page 1 sur 1", "« Une ligne citée du rapport. »", "SOURCES"):  # fmt: skip
        assert expected in text, expected
