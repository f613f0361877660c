"""The reading level of a sheet: what is measured, the target in sheet.yaml, the
warnings over it at their place, and the summary line a build prints."""

from pathlib import Path

import pytest

from factsheet.checks.readability import words_of
from factsheet.checks.reading import check_reading, masked, pieces, pysbd_spans, segmenter, spans
from factsheet.pipeline import prepare_sheet
from factsheet.sources.load import load_sheet

HARD = (
    "Notwithstanding considerable methodological heterogeneity, epidemiological "
    "investigations consistently demonstrate that decriminalization substantially "
    "diminishes incarceration, stigmatization and administrative expenditure, "
    "simultaneously facilitating therapeutic engagement among marginalized "
    "populations experiencing problematic substance utilization."
)


def set_key(folder: Path, line: str) -> None:
    sheet = folder / "sheet.yaml"
    sheet.write_text(sheet.read_text() + line + "\n")


HARD_ES = (
    "No obstante la considerable heterogeneidad metodológica, las investigaciones "
    "epidemiológicas demuestran sistemáticamente que la despenalización disminuye "
    "sustancialmente el encarcelamiento, la estigmatización y el gasto administrativo, "
    "facilitando simultáneamente la vinculación terapéutica de poblaciones marginadas."
)


def write_body(folder: Path, body: str) -> None:
    """The first section's first sentence, in both languages (a translation far
    shorter than its reference is an error of its own)."""
    en = folder / "en.yaml"
    en.write_text(en.read_text().replace("Thirty-one towns took part in 2019.", body))
    es = folder / "es.yaml"
    es.write_text(es.read_text().replace("Treinta y un pueblos participaron en 2019.", HARD_ES))


def test_citations_notes_urls_and_syntax_are_not_read():
    text = (
        "See *this* [@smith2019, p. 12] at <https://x.org> or [a link](https://y.org)."
        "^[A note [@k].] Mail a@b.org or visit https://z.org/a."
    )
    assert words_of(masked(text)) == ["See", "this", "at", "or", "a", "link", "Mail", "or",
                                      "visit"]  # fmt: skip
    assert len(masked(text)) == len(text)  # offsets kept


def test_items_headings_cells_and_fence_titles_are_read_each_alone():
    markdown = (
        "## A heading\n\nA paragraph\non two lines.\n\n- one item\n- two\n\n"
        "::: box A box title\nIn the box.\n:::\n\n| Year | Deaths |\n| --- | ---: |\n"
        "| 2003 | 8.9 |\n\n> A quotation.\n"
    )
    found = [(p.text.strip(), p.quoted) for p in pieces(markdown)]
    assert found == [
        ("A heading", False), ("A paragraph on two lines.", False), ("one item", False),
        ("two", False), ("A box title", False), ("In the box.", False), ("Year", False),
        ("Deaths", False), ("2003", False), ("8.9", False), ("A quotation.", True),
    ]  # fmt: skip
    # Each piece's words are at its offset in the Markdown.
    for piece in pieces(markdown):
        if piece.text.strip() != "A paragraph on two lines.":
            assert piece.text.strip() in markdown[piece.start : piece.start + len(piece.text)]


def test_the_summary_line_and_no_warning_under_target(minimal, run_cli):
    run = run_cli(minimal, "--check")
    line = next(x for x in run.out.splitlines() if x.startswith("minimal: "))
    assert line.startswith("minimal: en: grade ")
    assert "(target 8) · es: INFLESZ " in line and line.endswith("(target ≥ 55)")
    assert "reading" not in run.err
    assert run.code == 0


def test_over_target_warns_with_the_sentence_at_its_place(minimal, run_cli):
    write_body(minimal, HARD)
    run = run_cli(minimal, "--check")
    assert run.code == 0  # a warning
    en = minimal / "en.yaml"
    lines = [x for x in run.error_lines if "reading level" in x or "a sentence of" in x]
    assert lines[0].startswith(f"{en}:1:1: warning: reading level: grade ")
    assert "hardest: first (" in lines[0]
    line = next(n for n, x in enumerate(en.read_text().splitlines(), 1) if "Notwith" in x)
    assert lines[1].startswith(f"{en}:{line}:7: warning: a sentence of 28 words (limit 25)")
    assert run_cli(minimal, "--check", "--strict").code == 1


def test_quotations_are_never_flagged(minimal):
    en = minimal / "en.yaml"
    en.write_text(en.read_text().replace("A quoted line from the report.", HARD))
    set_key(minimal, "reading-level: {en: 0}")
    problems, _ = check_reading(load_sheet(minimal))
    assert [p.code for p in problems] == ["reading.over-target"]


@pytest.mark.parametrize(
    ("setting", "summary", "codes"),
    [
        ("reading-level: off", "", []),
        ("reading-level: {en: off, es: 0}", "en: grade 19.1 · es", []),
        ("reading-level: {en: 20, es: 0}", "en: grade", []),
        ("reading-level: {sentence-words: 10, es: 0}", "en: grade", ["reading.over-target",
                                                             "reading.long-sentence"]),
        ("reading-level: {strict: true, es: 0}", "en: grade", ["reading.over-target",
                                                        "reading.long-sentence"]),
    ],
)  # fmt: skip
def test_settings(minimal, setting, summary, codes):
    write_body(minimal, HARD)
    set_key(minimal, setting)
    problems, line = check_reading(load_sheet(minimal))
    assert line.startswith(summary)
    if "sentence-words" in setting or "strict" in setting:
        assert [p.code for p in problems] == codes
        assert all(p.warning for p in problems) == ("strict" not in setting)
    elif setting != "reading-level: {en: 20, es: 0}":
        assert problems == []


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ("reading-level: maybe", "load.wrong-type"),
        ("reading-level: {en: hard}", "load.wrong-type"),
        ("reading-level: {sentence-words: 0}", "load.wrong-type"),
        ("reading-level: {strict: perhaps}", "load.wrong-type"),
        ("reading-level: [en, 8]", "load.wrong-type"),
        ("reading-level: {fr: 8}", "reading.unknown-language"),
        ("reading-level: {en: 200}", "reading.bad-target"),
    ],
)
def test_bad_settings_are_refused_at_their_place(minimal, setting, code):
    set_key(minimal, setting)
    prepared = prepare_sheet(minimal)
    assert [p.code for p in prepared.problems] == [code]
    problem = prepared.problems[0]
    assert problem.pos.path.endswith("sheet.yaml") and problem.pos.line == 8
    assert not problem.warning


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Deaths fell by a third. Calls to poison centers rose in 2021. Help came fast!"),
        ("en", "The U.S. Congress passed it in 2018. Then the states followed."),
        ("en", "See p. 12 for the table. It lists every town."),
        ("en", "Kits, sprays, etc. were handed out. Nurses trained staff."),
        ("en", "Dr. Smith led the study. It ran for two years."),
        ("en", "It rose 39.4% in a year. That is (almost) twice the rate."),
        ("en", "“The reform worked. People came forward,” she said. Others agreed."),
        ("en", "Wait... the numbers changed. Then they fell again."),
        ("es", "En EE. UU. murieron más de 100.000 personas. La cifra bajó en 2024."),
        ("es", "Las muertes bajaron un tercio. ¿Por qué? Porque llegó la ayuda."),
        ("es", "«La reforma funcionó. La gente se acercó», dijo. Otros coincidieron."),
    ],
)
def test_the_quick_split_reads_sentences_as_pysbd_does(lang, text):
    """Plain ends are split without pysbd (its cost); anything else goes to it:
    the sentences and where they start are the same either way."""
    split = segmenter(lang)

    def read(found: list) -> list[tuple[int, list[str]]]:
        return [(s.start + len(s.sent) - len(s.sent.lstrip()), words_of(s.sent)) for s in found]

    assert read(spans(split, text)) == read(pysbd_spans(split, text))
