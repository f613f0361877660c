"""PDF/X-4 for the print shop: the tagged PDF WeasyPrint wrote, made ready for press.

WeasyPrint 70 has a `pdf/x-4` variant, but it is not used: one write takes one
variant, so the PDF/UA-1 identification would be lost; it stamps a random
DocumentID and the wall-clock time into the XMP (the same sheet would give new
bytes on every build); it takes its output intent only from a CSS
`@color-profile device-cmyk`, named by the profile's description rather than a
registered printing condition; and it labels the colours without converting
them. So the office PDF's writer runs as it does, and this module converts its
bytes with pikepdf:

- every RGB colour operator (`rg`/`RG`) becomes CMYK (`k`/`K`): black and
  near-black on the black plate alone (0 0 0 1), a theme colour that gives its
  CMYK value as given, anything else through the condition's ICC profile,
  with the total ink held under the condition's limit;
- RGB images and shadings are labelled with the sRGB profile (PDF/X-4 allows
  device-independent RGB; the shop's RIP converts them), transparency groups
  blend in CMYK;
- an output intent `GTS_PDFX` with the profile embedded, `GTS_PDFXVersion` and
  `Trapped` in the document information and the XMP, version 1.6.

The PDF keeps its structure tree, language and `pdfuaid:part`: nothing PDF/X-4
forbids is part of PDF/UA-1, so one file carries both identifications.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from factsheet.errors import Pos, Problem
from factsheet.paths import PROFILES_DIR

ICC_DIR = Path("/usr/share/color/icc")
GHOSTSCRIPT_ICC = ICC_DIR / "ghostscript"
# Profiles Argyll's colprof made from the FOGRA characterisation data Debian's
# icc-profiles-free ships (profiles/README.md): kept in the project, so setup
# needs no Argyll and every machine embeds the very same bytes.
MADE_ICC = PROFILES_DIR
SRGB_PROFILE = GHOSTSCRIPT_ICC / "srgb.icc"


@dataclass(frozen=True)
class Condition:
    """A printing condition: what the output intent names, and its profile."""

    key: str  # what sheet.yaml's `print-shop: {condition: …}` says
    identifier: str  # OutputConditionIdentifier: a name in the ICC registry
    info: str  # what a person reads of it
    profile: Path
    ink_limit: int  # total area coverage, percent

    def describe(self) -> str:
        return f"{self.info} ({self.identifier}), total ink under {self.ink_limit}%"


CONDITIONS = {
    # The one free coated-offset output profile Debian ships as an ICC file.
    "coated": Condition(
        "coated", "CGATS TR 001", "SWOP coated (Ghostscript's CMYK SWOP profile)",
        GHOSTSCRIPT_ICC / "default_cmyk.icc", 300,
    ),
    "coated-fogra39": Condition(
        "coated-fogra39", "FOGRA39", "Coated FOGRA39 (ISO 12647-2:2004), made by Argyll",
        MADE_ICC / "FOGRA39L.icc", 300,
    ),
    "uncoated": Condition(
        "uncoated", "FOGRA29", "Uncoated FOGRA29 (ISO 12647-2:2004), made by Argyll",
        MADE_ICC / "FOGRA29L.icc", 300,
    ),
}  # fmt: skip
DEFAULT_CONDITION = "coated"
REGISTRY = "http://www.color.org"

# Black and near-black: what prints on the black plate alone. A dark colour with
# little hue (the default ink, #1d2430, is L* 14, chroma 10).
NEAR_BLACK_LIGHTNESS = 25.0
NEAR_BLACK_CHROMA = 15.0

CMYK = tuple[float, float, float, float]


def profile_problem(path: Path, where: Pos) -> Problem | None:
    """None when `path` is an ICC output profile for CMYK (or grey) printing."""
    from PIL import ImageCms

    if not path.is_file():
        message = f"print-shop: no ICC profile at {path}"
        hint = "run `make` (scripts/system-deps.sh installs and makes the profiles)"
        return Problem(where, message, code="print.profile-missing", hint=hint)
    try:
        profile = ImageCms.getOpenProfile(str(path)).profile
    except ImageCms.PyCMSError:
        return Problem(
            where, f"print-shop: {path.name} is not an ICC profile", code="print.profile"
        )
    space, kind = profile.xcolor_space.strip(), profile.device_class.strip()
    if space not in ("CMYK", "GRAY") or kind != "prtr":
        message = (
            f"print-shop: {path.name} is a {space} {kind} profile; a print condition needs "
            "a CMYK or grey output (printer) profile"
        )
        return Problem(where, message, code="print.profile")
    return None


def lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour given 0 to 1."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    r, g, b = linear
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def near_black(rgb: tuple[float, float, float]) -> bool:
    lightness, a, b = lab(rgb)
    return lightness <= NEAR_BLACK_LIGHTNESS and (a * a + b * b) ** 0.5 <= NEAR_BLACK_CHROMA


def hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


@lru_cache(maxsize=4)
def transform(profile: Path) -> object:
    from PIL import ImageCms

    source = ImageCms.createProfile("sRGB")
    target = ImageCms.getOpenProfile(str(profile))
    return ImageCms.buildTransform(
        source, target, "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )  # fmt: skip


def limit_ink(cmyk: CMYK, limit: int) -> CMYK:
    """The colour with its C, M and Y scaled down so that the four stay under `limit`
    percent; K, which carries the detail, is kept."""
    c, m, y, k = cmyk
    total = (c + m + y + k) * 100
    if total <= limit or c + m + y == 0:
        return cmyk
    scale = max(0.0, (limit / 100 - k) / (c + m + y))
    return (c * scale, m * scale, y * scale, k)


class Converter:
    """RGB to CMYK for one condition and theme, each colour converted once."""

    def __init__(self, condition: Condition, theme_cmyk: dict[str, CMYK]) -> None:
        self.condition = condition
        self.given = {hex_rgb(color): cmyk for color, cmyk in theme_cmyk.items()}
        self.cache: dict[tuple[float, float, float], CMYK] = {}

    def __call__(self, rgb: tuple[float, float, float]) -> CMYK:
        if rgb not in self.cache:
            self.cache[rgb] = self.convert(rgb)
        return self.cache[rgb]

    def convert(self, rgb: tuple[float, float, float]) -> CMYK:
        from PIL import Image

        if rgb == (1.0, 1.0, 1.0):
            return (0.0, 0.0, 0.0, 0.0)
        if near_black(rgb):
            return (0.0, 0.0, 0.0, 1.0)
        eight = tuple(round(c * 255) for c in rgb)
        if eight in self.given:
            return self.given[eight]
        pixel = Image.new("RGB", (1, 1), eight)  # type: ignore[arg-type]
        converted = transform(self.condition.profile).apply(pixel).getpixel((0, 0))  # type: ignore[attr-defined]
        cmyk = tuple(round(v / 255, 4) for v in converted)
        return limit_ink(cmyk, self.condition.ink_limit)  # type: ignore[arg-type]


RGB_TO_CMYK = {"rg": "k", "RG": "K"}


def convert_stream(stream: object, convert: Converter) -> bool:
    """Rewrite a content stream's RGB colour operators as CMYK; True if it changed."""
    import pikepdf

    instructions = pikepdf.parse_content_stream(stream)
    changed = False
    rewritten = []
    for operands, operator in instructions:
        name = str(operator)
        if name in RGB_TO_CMYK:
            rgb = tuple(round(float(v), 6) for v in operands)
            cmyk = convert(rgb)  # type: ignore[arg-type]
            operands = [pikepdf.Object.parse(f"{v:.4g}".encode()) for v in cmyk]
            operator = pikepdf.Operator(RGB_TO_CMYK[name])
            changed = True
        rewritten.append(pikepdf.ContentStreamInstruction(operands, operator))
    if changed:
        stream.write(pikepdf.unparse_content_stream(rewritten))  # type: ignore[attr-defined]
    return changed


def content_streams(pdf: object) -> Iterator[object]:
    """Every content stream once: pages, form XObjects, tiling patterns and
    annotation appearances, however deep."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    pending: list[object] = []
    for page in pdf.pages:  # type: ignore[attr-defined]
        contents = page.obj.get("/Contents")
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            if stream is not None:
                yield stream
        pending.append(page.obj.get("/Resources"))
        for annot in page.obj.get("/Annots", []):
            for appearance in annot.get("/AP", {}).values():
                pending.append(appearance)
    while pending:
        item = pending.pop()
        if item is None:
            continue
        if item.is_indirect:  # type: ignore[attr-defined]
            if item.objgen in seen:  # type: ignore[attr-defined]
                continue
            seen.add(item.objgen)  # type: ignore[attr-defined]
        if isinstance(item, pikepdf.Stream):
            kind = item.get("/Subtype")
            if kind == "/Form" or item.get("/PatternType") == 1:
                yield item
                pending.append(item.get("/Resources"))
        elif isinstance(item, pikepdf.Dictionary):
            for key in ("/XObject", "/Pattern"):
                for child in item.get(key, {}).values():
                    pending.append(child)
            if "/Resources" not in item:  # an appearance dictionary: /N, /D, /R
                pending.extend(v for v in item.values() if isinstance(v, pikepdf.Stream))


def label_rgb(pdf: object, srgb: object) -> None:
    """RGB images and shadings in the sRGB profile, transparency groups in CMYK."""
    import pikepdf

    for item in pdf.objects:  # type: ignore[attr-defined]
        if not isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            continue
        painted = item.get("/Subtype") == "/Image" or "/ShadingType" in item
        if painted and item.get("/ColorSpace") == "/DeviceRGB":
            item.ColorSpace = srgb
        group = item.get("/Group")
        if isinstance(group, pikepdf.Dictionary) and group.get("/CS") == "/DeviceRGB":
            group.CS = pikepdf.Name.DeviceCMYK


def to_pdfx(data: bytes, condition: Condition, theme_cmyk: dict[str, CMYK]) -> bytes:
    """The print-shop PDF as PDF/X-4 for `condition`; reproducible for the same bytes."""
    import pikepdf

    convert = Converter(condition, theme_cmyk)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for stream in content_streams(pdf):
            convert_stream(stream, convert)
        srgb = pdf.make_stream(SRGB_PROFILE.read_bytes(), N=3)
        label_rgb(pdf, pikepdf.Array([pikepdf.Name.ICCBased, srgb]))
        profile = pdf.make_stream(condition.profile.read_bytes(), N=4)
        pdf.Root.OutputIntents = pikepdf.Array([
            pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFX,
                OutputConditionIdentifier=condition.identifier,
                OutputCondition=condition.info,
                RegistryName=REGISTRY,
                Info=condition.info,
                DestOutputProfile=profile,
            )
        ])  # fmt: skip
        pdf.docinfo.GTS_PDFXVersion = "PDF/X-4"
        pdf.docinfo.Trapped = pikepdf.Name("/False")
        # The same bytes in, the same identity out: no clock, no random number.
        document_id = uuid.uuid5(uuid.NAMESPACE_OID, hashlib.sha256(data).hexdigest())
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta.register_xml_namespace("http://www.npes.org/pdfx/ns/id/", "pdfxid")
            meta["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
            meta["pdf:Trapped"] = "False"
            meta["xmpMM:DocumentID"] = f"uuid:{document_id}"
            meta["xmpMM:InstanceID"] = f"uuid:{document_id}"
            meta["xmpMM:VersionID"] = "1"
            meta["xmpMM:RenditionClass"] = "default"
            if "xmp:ModifyDate" in meta:
                meta["xmp:MetadataDate"] = meta["xmp:ModifyDate"]
        out = io.BytesIO()
        pdf.save(out, force_version="1.6", deterministic_id=True)
    return out.getvalue()
