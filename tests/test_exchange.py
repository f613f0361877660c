"""Translators' round trips: PO and XLIFF out, translated in a tool, and back."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from lxml import etree

from factsheet.errors import Pos
from factsheet.model import Text
from factsheet.sources.blocks import body_field, unit_keys
from factsheet.sources.load import load_sheet
from factsheet.translation.exchange import units_of
from factsheet.translation.xliff import NS, pieces
from tests.conftest import SAMPLE, read_pdf

SCHEMAS = Path("/usr/share/php/Symfony/Component/Translation/Resources/schemas")
TAG = f"{{{NS}}}"


@pytest.fixture(scope="module")
def xliff_schema() -> etree.XMLSchema:
    """The OASIS XLIFF 1.2 strict schema, from Debian's php-symfony-translation
    (scripts/test-deps.sh installs it); its import of the W3C xml.xsd is
    answered from the same folder, never from the network."""

    class LocalXmlXsd(etree.Resolver):
        def resolve(self, url, pubid, context):
            if url and url.rsplit("/", 1)[-1] == "xml.xsd":
                return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalXmlXsd())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd"), parser))


@pytest.fixture
def sample(tmp_path) -> Path:
    folder = tmp_path / "decriminalization"
    shutil.copytree(SAMPLE, folder)
    return folder


def mutate(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def revise_the_english(sheet: Path) -> None:
    """What a writer does in a week: a number changed, a cited sentence added,
    a list item reworded and one deleted."""
    en = sheet / "en.yaml"
    mutate(en, "up to about ten days’ supply", "up to about eleven days’ supply")
    mutate(en, "moved in this direction.[@rosmarin2012]",
           "moved in this direction.[@rosmarin2012] Most of\n      them still fine "
           "people for possession.[@rosmarin2012, p. 4]")  # fmt: skip
    mutate(en, "frees police time and money to prevent serious and violent crime;",
           "gives police more time and money to prevent serious, violent crime;")  # fmt: skip
    mutate(en, "      - cuts the number of people behind bars;\n", "")


def keys_at(sheet: Path, lang: str = "es") -> dict[str, str]:
    """Unit key by the place of its block in en.yaml as it is now ("overview/2")."""
    return {unit.place: unit.key for unit in units_of(load_sheet(sheet), lang)}


def edit_po(path: Path, texts: dict[str, str], fuzzy: bool | None = None) -> None:
    """A PO editor's part: set the text of the entries with these keys."""
    catalog = read_po(path.open("rb"))
    for message in catalog:
        if message.context in texts:
            message.string = texts[message.context]
            if fuzzy is not None:
                (message.flags.add if fuzzy else message.flags.discard)("fuzzy")
    out = io.BytesIO()
    write_po(out, catalog)
    path.write_bytes(out.getvalue())


# New Spanish for English blocks, by the English they start with.
NEW_SPANISH = {
    "About two dozen": "Unos veinticuatro países, además de decenas de ciudades y estados de "
    "EE. UU., ya han dado pasos en esta dirección.[@rosmarin2012] La mayoría todavía "
    "multa a quien posee drogas.[@rosmarin2012, p. 4]",
    "gives police more": "da a la policía más tiempo y dinero para prevenir delitos graves y violentos;",
}


def translate_po(path: Path) -> None:
    """Poedit's part: fill in the fuzzy entries and clear their flag."""
    catalog = read_po(path.open("rb"))
    for message in catalog:
        if "fuzzy" not in message.flags:
            continue
        for start, text in NEW_SPANISH.items():
            if message.id.startswith(start):
                message.string = text
        message.string = message.string.replace("unos diez días", "unos once días")
        message.flags.discard("fuzzy")
    out = io.BytesIO()
    write_po(out, catalog, width=76)
    path.write_bytes(out.getvalue())


def translate_xliff(path: Path) -> None:
    """memoQ's part: type the new text, place the source's tags, confirm."""
    tree = etree.parse(str(path))
    for unit in tree.iter(f"{TAG}trans-unit"):
        target = unit.find(f"{TAG}target")
        if target is None or target.get("state") != "needs-review-translation":
            continue
        source = "".join(unit.find(f"{TAG}source").itertext())
        new = next((text for start, text in NEW_SPANISH.items() if source.startswith(start)), "")
        if source.startswith("About two dozen"):
            codes = list(unit.find(f"{TAG}source"))
            target.clear()
            target.text = ("Unos veinticuatro países, además de decenas de ciudades y estados "
                           "de EE. UU., ya han dado pasos en esta dirección.")  # fmt: skip
            first, second = (copy.deepcopy(code) for code in codes)
            first.tail = " La mayoría todavía multa a quien posee drogas."
            second.tail = ""
            target.extend([first, second])
        elif new:
            target.text = new
        if target.text:
            target.text = target.text.replace("unos diez días", "unos once días")
        for code in target:
            if code.tail:
                code.tail = code.tail.replace("unos diez días", "unos once días")
        target.set("state", "translated")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_an_unchanged_translation_round_trips_to_the_same_bytes(fmt, sample, tmp_path, run_cli):
    before = run_cli(sample, "--out", tmp_path / "before", "--lang", "es")
    assert before.code == 0, before.err
    es = (sample / "es.yaml").read_bytes()
    exported = tmp_path / f"es.{fmt}"
    run = run_cli("export", sample, "es", "--format", fmt, "--out", exported)
    assert run.out == f"wrote {exported}: 41 units: 0 to review, 0 untranslated\n"
    run = run_cli("import", sample, "es", exported)
    assert run.code == 0, run.err
    assert run.out == f"{sample}/es.yaml: no text changed (41 units read from {exported})\n"
    assert (sample / "es.yaml").read_bytes() == es
    after = run_cli(sample, "--out", tmp_path / "after", "--lang", "es", "--force")
    assert after.code == 0, after.err
    pdf = "decriminalization.es.pdf"
    assert (tmp_path / "after" / pdf).read_bytes() == (tmp_path / "before" / pdf).read_bytes()


def test_po_marks_what_changed_fuzzy_with_the_reviewed_english(sample, tmp_path, run_cli):
    revise_the_english(sample)
    exported = tmp_path / "es.po"
    run = run_cli("export", sample, "es", "--format", "po", "--out", exported)
    assert run.out == f"wrote {exported}: 40 units: 3 to review, 0 untranslated\n"
    catalog = read_po(exported.open("rb"))
    fuzzy = {m.context for m in catalog if "fuzzy" in m.flags}
    keys = keys_at(sample)
    assert fuzzy == {keys["overview/2"], keys["benefits/5"], keys["portugal/1"]}
    text = exported.read_text()
    # gettext's own mechanism for the old source, which Poedit shows as a diff.
    assert '#| msgid "frees police time and money to prevent' in text
    comments = {m.context: " ".join(m.auto_comments) for m in catalog}
    assert comments[keys["overview/2"]] == (
        "section 'overview', paragraph 2; keep the citations as written: @rosmarin2012"
    )
    # The deleted English item takes its Spanish with it; nothing else moved.
    assert "reduce el número de personas encarceladas" not in text
    assert "reduce el número de personas arrestadas" in text


def test_gettext_reads_the_po_file_and_its_previous_text(sample, tmp_path, run_cli):
    """msgfmt and msgcat (GNU gettext, what Poedit and Weblate build on) accept
    the export, `#| msgid` lines included."""
    revise_the_english(sample)
    exported = tmp_path / "es.po"
    run_cli("export", sample, "es", "--format", "po", "--out", exported)
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(exported)], check=True)
    again = subprocess.run(["msgcat", str(exported)], capture_output=True, text=True, check=True)
    assert '#| msgid "frees police time and money to prevent serious and violent crime;"' in (
        again.stdout
    )


def test_po_round_trip_updates_the_translation_and_records_the_review(sample, tmp_path, run_cli):
    revise_the_english(sample)
    exported = tmp_path / "es.po"
    run_cli("export", sample, "es", "--format", "po", "--out", exported)
    translate_po(exported)
    run = run_cli("import", sample, "es", exported, "--by", "Ana López")
    assert run.code == 0, run.err
    assert "marked reviewed in es (by Ana López): overview, benefits, portugal" in run.out
    es = (sample / "es.yaml").read_text()
    assert "La mayoría\n      todavía multa a quien posee drogas.[@rosmarin2012, p. 4]" in es
    assert "reduce el número de personas encarceladas" not in es
    assert "translated-from: " in es and " Ana López\n" in es
    assert run_cli(sample, "--check", "--strict").code == 0
    assert run_cli("changes", sample, "es").out.startswith("es: every section is reviewed")
    built = run_cli(sample, "--out", tmp_path / "out", "--lang", "es")
    assert built.code == 0, built.err
    text = read_pdf(tmp_path / "out" / "decriminalization.es.pdf").text
    assert "La mayoría todavía multa a quien posee drogas." in text
    assert "once días de consumo" in text


def test_xliff_is_valid_and_protects_citations_links_and_notes(
    sample, tmp_path, run_cli, xliff_schema
):
    mutate(sample / "en.yaml", "states, have already moved",
           "states, have [already](https://example.org/a_(b)) moved")  # fmt: skip
    mutate(sample / "es.yaml", "estados de\n      EE. UU., ya han dado",
           "estados de\n      EE. UU., [ya](https://example.org/a_(b)) han dado")  # fmt: skip
    revise_the_english(sample)
    exported = tmp_path / "es.xlf"
    run = run_cli("export", sample, "es", "--format", "xliff", "--out", exported)
    assert run.code == 0, run.err
    tree = etree.parse(str(exported))
    xliff_schema.assertValid(tree)
    keys = keys_at(sample)
    units = {u.get("id"): u for u in tree.iter(f"{TAG}trans-unit")}
    source = units[keys["overview/2"]].find(f"{TAG}source")
    codes = [(etree.QName(c).localname, c.get("ctype"), c.text) for c in source]
    assert codes == [
        ("bpt", "link", "["),
        ("ept", None, "](https://example.org/a_(b))"),
        ("ph", "x-citation", "[@rosmarin2012]"),
        ("ph", "x-citation", "[@rosmarin2012, p. 4]"),
    ]
    # The translatable text holds no address; the address is inside a code.
    assert "example.org" not in "".join([source.text or "", *(c.tail or "" for c in source)])
    note = units[keys["drug-use/1"]].find(f"{TAG}source")
    assert [(etree.QName(c).localname, c.text) for c in note] == [("bpt", "^["), ("ept", "]")]
    target = units[keys["overview/2"]].find(f"{TAG}target")
    assert target.get("state") == "needs-review-translation"
    previous = units[keys["overview/2"]].find(f"{TAG}alt-trans/{TAG}source")
    assert "Most of them" not in "".join(previous.itertext())
    assert units["title"].find(f"{TAG}target").get("state") == "final"
    assert units["title"].get("approved") == "yes"


def test_xliff_round_trip_updates_the_translation(sample, tmp_path, run_cli, xliff_schema):
    revise_the_english(sample)
    exported = tmp_path / "es.xlf"
    run_cli("export", sample, "es", "--format", "xliff", "--out", exported)
    translate_xliff(exported)
    xliff_schema.assertValid(etree.parse(str(exported)))
    run = run_cli("import", sample, "es", exported)
    assert run.code == 0, run.err
    assert re.search(r"marked reviewed in es( \(by .+\))?: overview, benefits, portugal", run.out)
    assert run_cli(sample, "--check", "--strict").code == 0
    es = (sample / "es.yaml").read_text()
    assert "multa a quien posee drogas.[@rosmarin2012, p. 4]" in es
    assert "unos once días" in es


def test_a_fuzzy_unit_is_not_printed_and_its_section_stays_to_review(sample, tmp_path, run_cli):
    """In gettext, fuzzy means "do not use": the text stays in the file, not the sheet."""
    revise_the_english(sample)
    exported = tmp_path / "es.po"
    run_cli("export", sample, "es", "--format", "po", "--out", exported)
    key = keys_at(sample)["overview/2"]
    edit_po(exported, {key: NEW_SPANISH["About two dozen"]})  # translated, still fuzzy
    run = run_cli("import", sample, "es", exported)
    assert run.code == 0, run.err
    assert "marked reviewed" not in run.out
    assert "still to review in es: benefits, overview, portugal" in run.out
    assert f"so the language file keeps its text: {key}" in run.out
    assert "multa a quien posee drogas" not in (sample / "es.yaml").read_text()
    # The Spanish of the old English lacks the new citation: the build says so.
    check = run_cli(sample, "--check")
    assert check.code == 1 and "does not cite" in check.err


def test_import_errors_point_at_the_line_of_the_po_file(sample, tmp_path, run_cli):
    exported = tmp_path / "es.po"
    run_cli("export", sample, "es", "--format", "po", "--out", exported)
    text = exported.read_text()
    text = text.replace("dirección.[@rosmarin2012]", "dirección.[@rosmarin2021]")
    exported.write_text(text)
    key = keys_at(sample)["overview/2"]
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln == f'msgctxt "{key}"')
    es = (sample / "es.yaml").read_bytes()
    run = run_cli("import", sample, "es", exported)
    assert run.code == 1
    assert run.error_lines == [
        f"{exported}:{line + 1}:1: unit '{key}': unknown citation key 'rosmarin2021' "
        "(did you mean 'rosmarin2012'?)"
    ]
    assert (sample / "es.yaml").read_bytes() == es


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlf", "<xliff><file>", "not an XLIFF file: "),
        ("other.xlf", "<html/>", "not an XLIFF 1.2 file"),
        ("stray.po", 'msgid "x"\nmsgstr "y"\n', "an entry with no unit key is not in en.yaml"),
        ("unknown.po", 'msgctxt "nope/1"\nmsgid "x"\nmsgstr "y"\n', "unit 'nope/1' is not in"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(name, content, message, sample, tmp_path, run_cli):
    path = tmp_path / name
    path.write_text(content)
    run = run_cli("import", sample, "es", path)
    assert run.code == 1
    assert message in run.err
    assert run.err.startswith(f"{path}:")
    assert "Traceback" not in run.err


def test_an_emptied_translation_keeps_the_text_of_the_language_file(sample, tmp_path, run_cli):
    exported = tmp_path / "es.po"
    run_cli("export", sample, "es", "--format", "po", "--out", exported)
    exported.write_text(
        exported.read_text().replace('msgstr "Qué significa descriminalizar"', 'msgstr ""')
    )
    es = (sample / "es.yaml").read_bytes()
    run = run_cli("import", sample, "es", exported)
    assert run.code == 0, run.err
    assert "so the language file keeps its text: overview/heading" in run.out
    assert (sample / "es.yaml").read_bytes() == es


def test_a_section_new_in_english_is_exported_empty_and_imported_in_place(
    minimal, tmp_path, run_cli
):
    en = minimal / "en.yaml"
    en.write_text(en.read_text().replace(
        "  - id: second\n",
        "  - id: middle\n    heading: A new part\n    body: |\n      It has one short sentence.\n\n"
        "  - id: second\n",
    ))  # fmt: skip
    exported = tmp_path / "es.po"
    run = run_cli("export", minimal, "es", "--format", "po", "--out", exported)
    assert "2 untranslated" in run.out
    keys = keys_at(minimal)
    edit_po(
        exported,
        {"middle/heading": "Una parte nueva", keys["middle/1"]: "Tiene una oración corta."},
    )
    run = run_cli("import", minimal, "es", exported)
    assert run.code == 0, run.err
    es = (minimal / "es.yaml").read_text()
    assert "  - id: middle\n    translated-from: " in es  # translated, so reviewed
    assert "    heading: Una parte nueva\n    body: |\n      Tiene una oración corta.\n" in es
    assert es.index("id: middle") < es.index("id: second")
    assert run_cli(minimal, "--check", "--strict").code == 0


@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        "a [@key, p. 12] b",
        "**bold** and *it* and _u_ snake_case x",
        "see [the site](https://x.org/a_(b)) ok",
        "note^[inner *em* [@k]] end",
        "[not a cite] 50% * 3",
        "![alt text](img.png)",
        r"esc \*not\* it",
        "a **b *c* d** e",
        "[see @a; @b, pp. 3-5]",
        "unclosed **bold and [link](",
    ],
)
def test_inline_codes_give_back_the_markdown_they_came_from(text):
    assert "".join(piece.raw for piece in pieces(text)) == text


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_a_new_sheet_round_trips_with_its_emphasis_links_and_notes(
    fmt, tmp_path, run_cli, xliff_schema
):
    """The scaffold's Spanish has *emphasis*, **bold**, a link, a quote and a note."""
    assert run_cli("new", "heat-safety", "--sheets", tmp_path).code == 0
    sheet = tmp_path / "heat-safety"
    es = (sheet / "es.yaml").read_bytes()
    exported = tmp_path / f"es.{fmt}"
    assert run_cli("export", sheet, "es", "--format", fmt, "--out", exported).code == 0
    if fmt == "xliff":
        tree = etree.parse(str(exported))
        xliff_schema.assertValid(tree)
        kinds = {code.get("ctype") for code in tree.iter(f"{TAG}bpt", f"{TAG}ph")}
        assert {"italic", "bold", "link", "x-note", "x-citation"} <= kinds
    run = run_cli("import", sheet, "es", exported)
    assert run.code == 0, run.err
    assert (sheet / "es.yaml").read_bytes() == es


def export(run_cli, sheet: Path, path: Path) -> None:
    run = run_cli("export", sheet, "es", "--out", path)  # the format from the extension
    assert run.code == 0, run.err


def test_a_file_exported_before_the_english_changed_does_not_count_as_review(
    sample, tmp_path, run_cli
):
    old = tmp_path / "old.po"
    export(run_cli, sample, old)
    mutate(sample / "en.yaml", "cuts the number of people arrested;",
           "cuts the number of people arrested and fined;")  # fmt: skip
    run = run_cli("import", sample, "es", old)
    assert run.code == 0, run.err
    assert "marked reviewed" not in run.out
    assert "still to review in es: benefits" in run.out
    key = keys_at(sample)["benefits/2"]
    assert f"1 units were exported before en.yaml changed ({key}…)" in run.out
    assert run_cli(sample, "--check", "--strict").code == 1


def test_a_unit_marked_for_review_in_a_reviewed_section_is_reported(sample, tmp_path, run_cli):
    path = tmp_path / "es.po"
    export(run_cli, sample, path)
    key = keys_at(sample)["benefits/3"]
    edit_po(path, {key: "trae a más personas a tratamiento"}, fuzzy=True)
    run = run_cli("import", sample, "es", path)
    assert "marked for review in the file, but already reviewed in es.yaml: benefits" in run.out


def test_export_keeps_a_translators_unimported_work(sample, tmp_path, run_cli):
    path = tmp_path / "es.xlf"
    export(run_cli, sample, path)
    export(run_cli, sample, path)  # nothing new in it: replaced
    path.write_text(path.read_text().replace("Qué significa descriminalizar", "Qué es"))
    run = run_cli("export", sample, "es", "--out", path)
    assert run.code == 1
    assert run.error_lines == [
        f"{path}:1:1: {path} holds translations not yet imported into es.yaml (unit "
        "'overview/heading'): import it first, or delete it to export again"
    ]
    assert "Qué es" in path.read_text()


def test_export_to_a_folder_that_is_not_there_is_one_line(sample, tmp_path, run_cli):
    run = run_cli("export", sample, "es", "--out", tmp_path / "nope" / "es.po")
    assert run.error_lines == [
        f"{tmp_path}/nope/es.po:1:1: cannot write the file: No such file or directory"
    ]
    run = run_cli("export", sample, "es", "--out", tmp_path / "es.txt")
    assert "end it in .po or .xlf, or give --format" in run.err


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("decriminalization/en.yaml", "other-sheet/en.yaml",
         "this file was exported from the sheet 'other-sheet', not 'decriminalization'"),
        ("Language: es", "Language: fr", "this file is a translation into 'fr', not 'es'"),
    ],
)  # fmt: skip
def test_a_file_for_another_sheet_or_language_is_refused(
    old, new, message, sample, tmp_path, run_cli
):
    path = tmp_path / "es.po"
    export(run_cli, sample, path)
    path.write_text(path.read_text().replace(old, new))
    run = run_cli("import", sample, "es", path)
    assert run.error_lines == [f"{path}:1:1: {message}"]


def test_a_unit_taken_out_of_the_file_is_named(sample, tmp_path, run_cli):
    path = tmp_path / "es.po"
    export(run_cli, sample, path)
    catalog = read_po(path.open("rb"))
    key = keys_at(sample)["benefits/9"]
    catalog.delete(next(m.id for m in catalog if m.context == key), context=key)
    out = io.BytesIO()
    write_po(out, catalog)
    path.write_bytes(out.getvalue())
    es = (sample / "es.yaml").read_bytes()
    run = run_cli("import", sample, "es", path)
    assert run.code == 0, run.err
    assert f"not in the file, kept as the language file has them: {key}" in run.out
    assert (sample / "es.yaml").read_bytes() == es


def test_a_po_file_saved_with_a_byte_order_mark_imports(sample, tmp_path, run_cli):
    path = tmp_path / "es.po"
    export(run_cli, sample, path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert run_cli("import", sample, "es", path).code == 0


def test_a_lost_citation_is_reported_at_its_own_unit(sample, tmp_path, run_cli):
    """The section's check names the section; the import names the unit."""
    path = tmp_path / "es.po"
    export(run_cli, sample, path)
    text = path.read_text()
    path.write_text(text.replace("metadona.[@hughes2010]", "metadona."))
    key = keys_at(sample)["portugal/1"]
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1)
                if ln == f'msgctxt "{key}"')  # fmt: skip
    errors = run_cli("import", sample, "es", path).error_lines
    assert errors and all(e.startswith(f"{path}:{line + 1}:1: unit '{key}': ") for e in errors)


def test_a_box_title_is_a_unit_and_stays_on_its_line(minimal, tmp_path, run_cli):
    for lang, title in (("en", "What to do"), ("es", "Qué hacer")):
        path = minimal / f"{lang}.yaml"
        path.write_text(path.read_text().replace(
            "      - No\n", f"      - No\n\n      ::: box {title}\n      Call.\n      :::\n", 1))  # fmt: skip
    assert run_cli("reviewed", minimal, "es", "--all").code == 0
    path = tmp_path / "es.po"
    export(run_cli, minimal, path)
    catalog = read_po(path.open("rb"))
    [title] = [m for m in catalog if m.id == "What to do"]
    assert title.context == keys_at(minimal)[
        "first/3"
    ] and "title (of a box or figures)" in " ".join(title.auto_comments)
    title.string = "Qué hacer si alguien no responde y respira con dificultad"
    out = io.BytesIO()
    write_po(out, catalog)
    path.write_bytes(out.getvalue())
    assert run_cli("import", minimal, "es", path).code == 0
    assert "      ::: box Qué hacer si alguien no responde y respira con dificultad\n" in (
        (minimal / "es.yaml").read_text()
    )


def test_a_new_section_goes_in_its_place_when_an_edit_above_adds_lines(minimal, tmp_path, run_cli):
    en = minimal / "en.yaml"
    en.write_text(en.read_text().replace(
        "  - id: second\n",
        "  - id: middle\n    heading: A new part\n    body: |\n      One line.\n\n  - id: second\n",
    ))  # fmt: skip
    path = tmp_path / "es.po"
    export(run_cli, minimal, path)
    longer = (
        "Treinta y un pueblos, "
        + "grandes y pequeños, " * 8
        + "participaron en 2019.[@smith2019, p. 12]"
    )
    keys = keys_at(minimal)
    texts = {"middle/heading": "Una parte nueva", keys["middle/1"]: "Una línea."}
    edit_po(path, {keys["first/1"]: longer, **texts})
    run = run_cli("import", minimal, "es", path)
    assert run.code == 0, run.err
    es = (minimal / "es.yaml").read_text()
    assert es.index("id: first") < es.index("grandes y pequeños") < es.index("id: middle")
    assert es.index("id: middle") < es.index("id: second")
    assert run_cli(minimal, "--check").code == 0  # (it warns: a much longer paragraph)


def add_a_paragraph_and_delete_an_item(sheet: Path) -> None:
    """The issue's Tuesday: the writer adds a paragraph above "Nearly fifteen
    years on…" and deletes the list item "fewer new HIV/AIDS cases;"."""
    mutate(sheet / "en.yaml", "      Nearly fifteen years on,",
           f"      {NEW_PARAGRAPH}\n\n      Nearly fifteen years on,")  # fmt: skip
    mutate(sheet / "en.yaml", "      - fewer new HIV/AIDS cases;\n", "")


NEW_PARAGRAPH = "The reform sent people who use drugs to health services, not to courts."


def test_adding_or_removing_a_block_renames_no_other_unit(sample):
    before = keys_at(sample)
    add_a_paragraph_and_delete_an_item(sample)
    after = keys_at(sample)
    assert set(before.values()) - set(after.values()) == {before["portugal/5"]}  # the item
    [added] = set(after.values()) - set(before.values())
    assert added == after["portugal/2"] and added.startswith("portugal/p/")
    assert before["portugal/2"] == after["portugal/3"]  # "Nearly fifteen years on…"
    assert before["portugal/6"] == after["portugal/6"]  # below the insert and the deletion


@pytest.mark.parametrize("text", ["One.", "One. Two."])
def test_a_repeated_block_alone_has_a_suffix(text):
    field = body_field("s/body", "s", "s", Text(f"- {text}\n- Other.\n- {text}\n", Pos("")))
    first, other, again = unit_keys(field)
    assert again == f"{first}-2" and first.startswith("s/li/") and "-" not in first[5:]
    assert other != first


def test_an_edited_block_below_a_new_one_keeps_its_own_spanish(sample, tmp_path, run_cli):
    """msgmerge's fuzzy match: the edited paragraph is fuzzy with its own old
    English and Spanish; the paragraph inserted above it is untranslated."""
    mutate(sample / "en.yaml", "      About two dozen countries",
           f"      {NEW_PARAGRAPH}\n\n      About two dozen countries")  # fmt: skip
    mutate(sample / "en.yaml", "About two dozen countries", "About twenty-five countries")
    path = tmp_path / "es.po"
    export(run_cli, sample, path)
    entries = {m.id: m for m in read_po(path.open("rb")) if m.id}
    assert entries[NEW_PARAGRAPH].string == "" and not entries[NEW_PARAGRAPH].fuzzy
    edited = next(m for m in entries.values() if m.id.startswith("About twenty-five"))
    assert edited.fuzzy and edited.string.startswith("Unos veinticuatro países")
    assert '#| msgid ""\n#| "About two dozen countries' in path.read_text()
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)


def po_text(path: Path) -> str:
    return " ".join(m.string for m in read_po(path.open("rb")) if m.id)


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_a_stale_file_is_realigned_by_its_english_to_the_pdf(
    fmt, sample, tmp_path, run_cli, xliff_schema
):
    """Export on Monday, the English edited on Tuesday, the untouched file back on
    Friday: every Spanish block stays with its own English, the deleted item's
    Spanish goes nowhere, and the new paragraph stays to translate."""
    path = tmp_path / f"es.{'xlf' if fmt == 'xliff' else 'po'}"
    export(run_cli, sample, path)
    before = keys_at(sample)
    add_a_paragraph_and_delete_an_item(sample)
    after = keys_at(sample)
    run = run_cli("import", sample, "es", path)
    assert run.code == 0, run.err
    assert f"unit '{before['portugal/5']}' is obsolete: its English is no longer in en.yaml" in (
        run.out
    )
    assert "left in English (the sheet builds only with --draft until they are): " in run.out
    assert f"{after['portugal/2']} (en.yaml:69)" in run.out
    assert "still to review in es: portugal" in run.out
    es = (sample / "es.yaml").read_text()
    assert "menos casos nuevos de VIH/sida" not in es
    assert es.index("con metadona.") < es.index(NEW_PARAGRAPH) < es.index("Casi quince años")
    assert "  - menos personas arrestadas y encarceladas por delitos de drogas;\n" in es

    refused = run_cli(sample, "--out", tmp_path / "out", "--lang", "es")
    assert refused.code == 1
    assert f"(unit '{after['portugal/2']}') is not translated: it is en.yaml:69 as written" in (
        refused.err
    )
    assert not (tmp_path / "out" / "decriminalization.es.pdf").exists()
    draft = run_cli(sample, "--out", tmp_path / "out", "--lang", "es", "--draft")
    assert draft.code == 0, draft.err
    text = " ".join(read_pdf(tmp_path / "out" / "decriminalization.es.pdf").text.split())
    assert text.index("con metadona.") < text.index(NEW_PARAGRAPH) < text.index("Casi quince")
    assert "casos nuevos de VIH" not in text
    assert "menos personas arrestadas y encarceladas por delitos de drogas; menos muertes" in text

    again = tmp_path / f"again.{path.suffix[1:]}"
    export(run_cli, sample, again)
    if fmt == "xliff":
        tree = etree.parse(str(again))
        xliff_schema.assertValid(tree)
        units = {u.get("id"): u for u in tree.iter(f"{TAG}trans-unit")}
        new = units[after["portugal/2"]].find(f"{TAG}target")
        assert new.get("state") == "new" and not "".join(new.itertext())
        nearly = units[after["portugal/3"]].find(f"{TAG}target")
        assert "".join(nearly.itertext()).startswith("Casi quince años")
    else:
        entries = {m.context: m for m in read_po(again.open("rb")) if m.id}
        assert entries[after["portugal/2"]].string == ""
        assert entries[after["portugal/3"]].string.startswith("Casi quince años")


def set_xliff_targets(path: Path, targets: dict[str, tuple[str | None, str]]) -> None:
    """A CAT tool's save: unit key -> (new target text or None to keep it, state)."""
    tree = etree.parse(str(path))
    for unit in tree.iter(f"{TAG}trans-unit"):
        if unit.get("id") in targets:
            text, state = targets[unit.get("id")]
            target = unit.find(f"{TAG}target")
            if text is not None:
                target.clear()
                target.text = text
            target.set("state", state)
            unit.attrib.pop("approved", None)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize(
    "state", ["needs-translation", "new", "needs-review-translation", "needs-adaptation"]
)
def test_an_unfinished_xliff_unit_is_not_printed(state, sample, tmp_path, run_cli):
    path = tmp_path / "es.xlf"
    export(run_cli, sample, path)
    es = (sample / "es.yaml").read_bytes()
    english = "What decriminalization means"
    set_xliff_targets(path, {"overview/heading": (english, state)})
    run = run_cli("import", sample, "es", path)
    assert run.code == 0, run.err
    assert "so the language file keeps its text: overview/heading" in run.out
    assert (sample / "es.yaml").read_bytes() == es


def test_a_target_that_copies_its_english_is_not_a_translation(sample, tmp_path, run_cli):
    path = tmp_path / "es.xlf"
    export(run_cli, sample, path)
    key = keys_at(sample)["benefits/2"]
    set_xliff_targets(path, {key: ("cuts the number of people arrested;", "final")})
    es = (sample / "es.yaml").read_bytes()
    run = run_cli("import", sample, "es", path)
    assert run.code == 0, run.err
    assert f"unit '{key}' is the English text as it is: not taken as a translation" in run.out
    assert (sample / "es.yaml").read_bytes() == es


@pytest.mark.parametrize("text", ["No", "— UNODC, 2019.[@smith2019, p. 12]"])
def test_a_copy_of_names_numbers_and_citations_is_a_translation(text, minimal, tmp_path, run_cli):
    mutate(minimal / "en.yaml", "      - No\n", f"      - {text}\n")
    path = tmp_path / "es.xlf"
    export(run_cli, minimal, path)
    set_xliff_targets(path, {keys_at(minimal)["first/2"]: (text, "translated")})
    run = run_cli("import", minimal, "es", path)
    assert run.code == 0, run.err
    assert "English text as it is" not in run.out
    assert f"      - {text}\n" in (minimal / "es.yaml").read_text()
    assert run_cli(minimal, "--check").code == 0


def test_xliff_states_are_those_translate_toolkit_counts(sample, tmp_path, run_cli):
    """A fully reviewed sheet's units are final and approved: pocount counts
    every one translated (it counted them all fuzzy when they were `translated`)."""
    path = tmp_path / "es.xlf"
    export(run_cli, sample, path)
    counted = subprocess.run(
        [str(Path(sys.executable).with_name("pocount")), "--csv", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    row = dict(zip(*[line.split(",") for line in counted.stdout.splitlines()[:2]], strict=True))
    assert (row["Translated Messages"], row["Fuzzy Messages"]) == ("41", "0")
    assert row["Untranslated Messages"] == "0"


def test_citations_swapped_within_a_block_are_refused(sample, tmp_path, run_cli):
    path = tmp_path / "es.po"
    export(run_cli, sample, path)
    key = keys_at(sample)["portugal/1"]
    [spanish] = [m.string for m in read_po(path.open("rb")) if m.context == key]
    swapped = spanish.replace("[@portugal2000]", "[@SWAP]").replace("[@hughes2010]",
                              "[@portugal2000]").replace("[@SWAP]", "[@hughes2010]")  # fmt: skip
    edit_po(path, {key: swapped})
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1)
                if ln == f'msgctxt "{key}"')  # fmt: skip
    es = (sample / "es.yaml").read_bytes()
    run = run_cli("import", sample, "es", path)
    assert run.error_lines == [
        f"{path}:{line + 1}:1: unit '{key}': cites @hughes2010 where the English cites "
        "@portugal2000: keep the citations in the English order, each after the words it supports"
    ]
    assert (sample / "es.yaml").read_bytes() == es


def test_a_new_last_section_goes_above_the_fronts_record(minimal, tmp_path, run_cli):
    """The front's `translated-from:` ends the file: a section new at the end of
    the English goes after the last section, not after that top-level key."""
    en = minimal / "en.yaml"
    en.write_text(
        en.read_text() + "  - id: third\n    heading: Last part\n    body: |\n      Ends.\n"
    )
    path = tmp_path / "es.po"
    export(run_cli, minimal, path)
    keys = keys_at(minimal)
    edit_po(path, {"third/heading": "Última parte", keys["third/1"]: "Termina."})
    run = run_cli("import", minimal, "es", path)
    assert run.code == 0, run.err
    es = (minimal / "es.yaml").read_text()
    assert es.index("id: third") < es.index("\ntranslated-from: ")
    assert run_cli(minimal, "--check", "--strict").code == 0


def test_a_retitled_sheet_exports_its_old_title_to_review(minimal, tmp_path, run_cli):
    """However much the title changed, its unit keeps the old translation, fuzzy."""
    assert run_cli("reviewed", minimal, "es", "front").code == 0  # keeps the English title
    mutate(minimal / "en.yaml", "title: A Small Test Sheet", "title: Everything Is Different")
    path = tmp_path / "es.po"
    export(run_cli, minimal, path)
    entry = next(m for m in read_po(path.open("rb")) if m.context == "title")
    assert entry.string == "Una pequeña hoja de prueba"
    assert "fuzzy" in entry.flags
    assert '#| msgid "A Small Test Sheet"\nmsgctxt "title"\n' in path.read_text()
