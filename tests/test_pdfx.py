"""PDF/X-4 for the print shop, read back by readers that are not the writer:
pikepdf for the structure and colour operators, Ghostscript for ink and pixels."""

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageStat

from factsheet.errors import Pos
from factsheet.outputs import preflight
from factsheet.outputs.pdfx import (
    CONDITIONS,
    DEFAULT_CONDITION,
    Converter,
    limit_ink,
    near_black,
    profile_problem,
)

LANGS = ["en", "es"]
needs_gs = pytest.mark.skipif(not shutil.which("gs"), reason="Ghostscript (system-deps.sh)")


@pytest.fixture(scope="module", params=LANGS)
def print_pdf(request, sample_build) -> tuple[str, Path]:
    return request.param, sample_build / f"decriminalization.{request.param}.print.pdf"


def test_declares_pdfx4_with_an_output_intent(print_pdf):
    _, path = print_pdf
    with pikepdf.open(path) as pdf:
        assert pdf.pdf_version == "1.6"  # PDF/X-4 is based on PDF 1.6
        assert pdf.docinfo.GTS_PDFXVersion == "PDF/X-4"
        assert pdf.docinfo.Trapped == pikepdf.Name("/False")
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert intent.OutputConditionIdentifier == CONDITIONS[DEFAULT_CONDITION].identifier
        assert intent.DestOutputProfile.N == 4
        xmp = pdf.open_metadata()
        assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert xmp["pdfuaid:part"] == "1"  # PDF/UA-1 kept beside PDF/X-4
        assert "/StructTreeRoot" in pdf.Root
        for page in pdf.pages:
            assert "/TrimBox" in page.obj and "/BleedBox" in page.obj


def test_no_rgb_and_black_text_on_k_alone(print_pdf):
    _, path = print_pdf
    report = preflight.read(path.read_bytes())
    assert report.color_spaces == {"DeviceCMYK"}
    assert report.rgb_text == 0
    assert report.rich_black_text == 0
    with pikepdf.open(path) as pdf:
        operators = [
            (str(op), [float(v) for v in operands] if str(op) in ("k", "rg", "RG") else [])
            for operands, op in pikepdf.parse_content_stream(pdf.pages[0])
        ]
    assert not [op for op, _ in operators if op in ("rg", "RG")]
    assert ("k", [0, 0, 0, 1]) in operators  # the body text's ink


@needs_gs
def test_the_preflight_beside_the_pdf_passes(print_pdf, sample_build):
    lang, path = print_pdf
    text = (sample_build / f"decriminalization.{lang}.preflight.txt").read_text()
    assert "PDF/X: PDF/X-4" in text
    assert "output intent: CGATS TR 001" in text
    assert "bleed: 9 pt (0.125 in)" in text
    assert "NOT EMBEDDED" not in text
    assert text.rstrip().endswith("result: passes")
    report = preflight.read(path.read_bytes())
    assert len(report.ink) == report.pages == 2
    assert all(0 < top <= CONDITIONS[DEFAULT_CONDITION].ink_limit for top in report.max_ink)


@needs_gs
def test_an_rgb_pdf_fails_the_preflight(sample_build):
    """The office PDF is what the print shop got before: the preflight says why not."""
    report = preflight.read((sample_build / "decriminalization.en.pdf").read_bytes())
    assert "not PDF/X-4" in report.problems()
    assert report.rgb_text > 0


def render(path: Path, out: Path) -> Image.Image:
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=png16m", "-r36",
         "-dFirstPage=1", "-dLastPage=1", "-dUseTrimBox", "-o", str(out), str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return Image.open(out).convert("RGB")


@needs_gs
def test_the_cmyk_pdf_looks_like_the_office_pdf(sample_build, tmp_path):
    office = render(sample_build / "decriminalization.en.pdf", tmp_path / "office.png")
    press = render(sample_build / "decriminalization.en.print.pdf", tmp_path / "press.png")
    assert office.size == press.size
    # The title band's brand colour: the same hue, near the same value.
    band = (office.width // 2, 10)
    before, after = office.getpixel(band), press.getpixel(band)
    assert max(abs(a - b) for a, b in zip(before, after, strict=True)) < 40, (before, after)
    mean_office = ImageStat.Stat(office).mean
    mean_press = ImageStat.Stat(press).mean
    assert all(abs(a - b) < 12 for a, b in zip(mean_office, mean_press, strict=True))


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/usr/share/color/icc/ghostscript/srgb.icc", "RGB mntr profile"),
        ("/usr/share/color/icc/ghostscript/lab.icc", "Lab spac profile"),
        ("/etc/hostname", "is not an ICC profile"),
        ("/nonexistent/press.icc", "no ICC profile"),
    ],
)
def test_a_profile_that_is_not_cmyk_output_is_refused(path, words):
    problem = profile_problem(Path(path), Pos("sheet.yaml", 3, 5))
    assert problem is not None and words in problem.message
    assert problem.code.startswith("print.profile")


def test_the_default_condition_profile_is_a_cmyk_output_profile():
    assert profile_problem(CONDITIONS[DEFAULT_CONDITION].profile, Pos("x", 1, 1)) is None


@pytest.mark.parametrize(
    ("rgb", "black"),
    [((0, 0, 0), True), ((0x1D / 255, 0x24 / 255, 0x30 / 255), True), ((0.2, 0.2, 0.2), True),
     ((0x0D / 255, 0x4D / 255, 0x6B / 255), False), ((0.5, 0.5, 0.5), False),
     ((0.3, 0.0, 0.0), False)],
)  # fmt: skip
def test_near_black(rgb, black):
    assert near_black(rgb) is black


def test_ink_is_held_under_the_limit_keeping_black():
    c, m, y, k = limit_ink((0.9, 0.8, 0.8, 0.9), 300)
    assert (c + m + y + k) * 100 == pytest.approx(300)
    assert k == 0.9
    assert limit_ink((0.5, 0.2, 0.1, 0.1), 300) == (0.5, 0.2, 0.1, 0.1)


def test_a_theme_cmyk_wins_over_the_profile():
    convert = Converter(CONDITIONS[DEFAULT_CONDITION], {"#0d4d6b": (0.9, 0.45, 0.2, 0.3)})
    assert convert((0x0D / 255, 0x4D / 255, 0x6B / 255)) == (0.9, 0.45, 0.2, 0.3)
    assert convert((0.0, 0.0, 0.0)) == (0, 0, 0, 1)
    other = convert((0.66, 0.26, 0.17))
    assert other[1] > other[0]  # the accent red is mostly magenta through the profile
