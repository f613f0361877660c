"""The print-shop PDF's preflight, `<slug>.<lang>.preflight.txt`: what a shop's
intake (GWG 2015 sheet-fed offset, Acrobat's PDF/X-4 profile) checks that can
be read from the file, read back from the PDF bytes rather than taken from what
the writer meant: PDF/X identification and output intent, trim and bleed, page
count, fonts, colour spaces, black text, and ink coverage measured by
Ghostscript (`ink_cov` for each plate's share, a render for the highest total).
Not read: image resolution (the sheets print no raster image but a logo) and
hairlines (line widths depend on the transformation at the point they are drawn)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from factsheet.outputs.kinds import LANGUAGE, OutputKind

KIND = OutputKind(
    "print-preflight", ".preflight.txt", LANGUAGE, flag="--preflight",
    help="also write <slug>.<lang>.preflight.txt for the print shop (and the print PDF)",
    implies=("print-pdf",),
)  # fmt: skip
POINTS_PER_INCH = 72
INK_RESOLUTION = 72  # dpi of the render the highest total ink is read from
COLOR_OPERATORS = {"rg": "DeviceRGB", "RG": "DeviceRGB", "k": "DeviceCMYK", "K": "DeviceCMYK",
                   "g": "DeviceGray", "G": "DeviceGray"}  # fmt: skip


@dataclass
class Preflight:
    pdfx: str  # the GTS_PDFXVersion, "" when none
    output_intent: str  # OutputConditionIdentifier, "" when none
    pages: int
    trim: tuple[float, float]  # points
    bleed: float  # points beyond the trim, the least on any side
    boxes_on_every_page: bool
    fonts: list[tuple[str, bool, bool]]  # name, embedded, subset
    color_spaces: set[str]
    rgb_text: int  # text objects drawn in RGB
    rich_black_text: int  # text objects in black or near-black with C, M or Y ink
    ink: list[tuple[float, float, float, float]] = field(default_factory=list)  # share per plate
    max_ink: list[float] = field(default_factory=list)  # per page, percent

    def problems(self) -> list[str]:
        """What a shop's intake would flag."""
        found = []
        if self.pdfx != "PDF/X-4":
            found.append("not PDF/X-4")
        if not self.output_intent:
            found.append("no output intent")
        if not self.boxes_on_every_page:
            found.append("a page without TrimBox and BleedBox")
        if any(not embedded for _, embedded, _ in self.fonts):
            found.append("a font not embedded")
        if self.rgb_text:
            found.append(f"{self.rgb_text} text objects in RGB")
        if self.rich_black_text:
            found.append(f"{self.rich_black_text} black text objects on more than the K plate")
        if self.max_ink and max(self.max_ink) > 300:
            found.append(f"total ink {max(self.max_ink):.0f}% over 300%")
        return found

    def text(self) -> str:
        width, height = self.trim
        lines = [
            "Preflight of the print-shop PDF",
            f"PDF/X: {self.pdfx or 'none'}",
            f"output intent: {self.output_intent or 'none'}",
            f"pages: {self.pages}",
            f"trim: {width:g} x {height:g} pt ({width / POINTS_PER_INCH:.3g} x "
            f"{height / POINTS_PER_INCH:.3g} in, {width / 72 * 25.4:.0f} x "
            f"{height / 72 * 25.4:.0f} mm)",
            f"bleed: {self.bleed:g} pt ({self.bleed / POINTS_PER_INCH:.3g} in) on every side",
            f"TrimBox and BleedBox on every page: {'yes' if self.boxes_on_every_page else 'no'}",
            "fonts:",
            *(f"  {name}: {'embedded' if embedded else 'NOT EMBEDDED'}"
              f"{', subset' if subset else ''}" for name, embedded, subset in self.fonts),
            f"colour spaces used: {', '.join(sorted(self.color_spaces))}",
            f"text in RGB: {self.rgb_text}; black text on more than the K plate: "
            f"{self.rich_black_text}",
        ]  # fmt: skip
        for number, (shares, top) in enumerate(zip(self.ink, self.max_ink, strict=False), 1):
            c, m, y, k = (f"{v * 100:.1f}%" for v in shares)
            lines.append(f"page {number} ink: C {c} M {m} Y {y} K {k}; highest total {top:.0f}%")
        if not self.ink:
            lines.append("ink coverage: not measured (Ghostscript's gs is not installed)")
        found = self.problems()
        lines.append("result: " + ("passes" if not found else "fails: " + "; ".join(found)))
        return "\n".join(lines) + "\n"


def read(data: bytes) -> Preflight:
    """The preflight of a PDF's bytes."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        intents = pdf.Root.get("/OutputIntents", [])
        pdfx_intents = [i for i in intents if i.get("/S") == "/GTS_PDFX"]
        boxes = all("/TrimBox" in p.obj and "/BleedBox" in p.obj for p in pdf.pages)
        first = pdf.pages[0].obj
        trim = [float(v) for v in first.get("/TrimBox", first.MediaBox)]
        bleed_box = [float(v) for v in first.get("/BleedBox", first.get("/TrimBox", trim))]
        bleed = min(trim[0] - bleed_box[0], trim[1] - bleed_box[1],
                    bleed_box[2] - trim[2], bleed_box[3] - trim[3])  # fmt: skip
        fonts: dict[str, tuple[bool, bool]] = {}
        spaces: set[str] = set()
        rgb_text = rich_black = 0
        from factsheet.outputs.pdfx import content_streams

        for stream in content_streams(pdf):
            font_resources = stream.get("/Resources", {}).get("/Font", {})
            for font in font_resources.values():
                fonts[str(font.get("/BaseFont"))[1:]] = font_embedding(font)
            fill, in_text, drew = ("DeviceGray", (0.0,)), False, False
            for operands, operator in pikepdf.parse_content_stream(stream):
                name = str(operator)
                if name in COLOR_OPERATORS:
                    spaces.add(COLOR_OPERATORS[name])
                    if name.islower():
                        fill = (COLOR_OPERATORS[name], tuple(float(v) for v in operands))
                elif name in ("cs", "CS"):
                    spaces.add(str(operands[0])[1:])
                elif name == "BT":
                    in_text, drew = True, False
                elif name in ("Tj", "TJ", "'", '"') and in_text and not drew:
                    drew = True
                    space, values = fill
                    rgb_text += space == "DeviceRGB"
                    rich_black += space == "DeviceCMYK" and values[3] >= 0.9 and any(values[:3])
                elif name == "ET":
                    in_text = False
        for page in pdf.pages:
            for font in page.obj.get("/Resources", {}).get("/Font", {}).values():
                fonts[str(font.get("/BaseFont"))[1:]] = font_embedding(font)
            for image in page.obj.get("/Resources", {}).get("/XObject", {}).values():
                if image.get("/Subtype") == "/Image":
                    spaces.add(space_name(image.get("/ColorSpace")))
        result = Preflight(
            pdfx=str(pdf.docinfo.get("/GTS_PDFXVersion", "")),
            output_intent=str(pdfx_intents[0].get("/OutputConditionIdentifier", ""))
            if pdfx_intents
            else "",
            pages=len(pdf.pages),
            trim=(trim[2] - trim[0], trim[3] - trim[1]),
            bleed=bleed,
            boxes_on_every_page=boxes,
            fonts=[(name, *fonts[name]) for name in sorted(fonts)],
            color_spaces=spaces,
            rgb_text=rgb_text,
            rich_black_text=rich_black,
        )
    if shutil.which("gs"):
        result.ink, result.max_ink = ink_coverage(data)
    return result


def space_name(space: object) -> str:
    import pikepdf

    if isinstance(space, pikepdf.Array):
        if space[0] == "/ICCBased":
            return f"ICCBased ({int(space[1].get('/N', 0))} components)"
        return str(space[0])[1:]
    return str(space)[1:]


def font_embedding(font: object) -> tuple[bool, bool]:
    """Whether a font's program is in the file, and whether it is a subset (ABCDEF+)."""
    descriptor = font.get("/FontDescriptor")  # type: ignore[attr-defined]
    if descriptor is None and "/DescendantFonts" in font:  # type: ignore[operator]
        descriptor = font.DescendantFonts[0].get("/FontDescriptor")  # type: ignore[attr-defined]
    embedded = descriptor is not None and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )
    name = str(font.get("/BaseFont", ""))[1:]  # type: ignore[attr-defined]
    return embedded, bool(re.match(r"[A-Z]{6}\+", name))


def ink_coverage(data: bytes) -> tuple[list[tuple[float, float, float, float]], list[float]]:
    """Each page's share of each plate (Ghostscript's ink_cov) and its highest total
    ink in percent, read from a CMYK render at INK_RESOLUTION."""
    from PIL import Image, ImageMath

    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "in.pdf"
        pdf.write_bytes(data)
        shares = []
        report = subprocess.run(
            ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=ink_cov", "-o", "-",
             str(pdf)], capture_output=True, text=True, check=True, timeout=120,
        ).stdout  # fmt: skip
        for line in report.splitlines():
            values = line.split()[:4]
            if len(values) == 4 and line.rstrip().endswith("OK"):
                shares.append(tuple(float(v) / 100 for v in values))
        subprocess.run(
            ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiff32nc",
             f"-r{INK_RESOLUTION}", "-dUseTrimBox", "-o", str(Path(folder) / "p%03d.tif"),
             str(pdf)], capture_output=True, check=True, timeout=120,
        )  # fmt: skip
        highest = []
        for page in sorted(Path(folder).glob("p*.tif")):
            with Image.open(page) as image:
                c, m, y, k = (band.convert("I") for band in image.split())
                total = ImageMath.lambda_eval(lambda b: b["c"] + b["m"] + b["y"] + b["k"],
                                              c=c, m=m, y=y, k=k)  # fmt: skip
                highest.append(total.getextrema()[1] / 255 * 100)
    return shares, highest  # type: ignore[return-value]


def make(print_pdf: bytes) -> bytes:
    """The report of a print-shop PDF, as the text written beside it."""
    if not print_pdf:
        return b""
    return read(print_pdf).text().encode()
