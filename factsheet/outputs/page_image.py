"""The page image, `<slug>.<lang>.png`: page 1 of the office PDF, 1200 px wide,
for link previews and press lists."""

from __future__ import annotations

from factsheet.outputs.kinds import LANGUAGE, OutputKind

KIND = OutputKind(
    "page-image", ".png", LANGUAGE, flag="--png",
    help="also write <slug>.<lang>.png of page 1, 1200 px wide",
)  # fmt: skip


def make(office_pdf: bytes) -> bytes:
    from factsheet.layout.pdf import thumbnail

    return thumbnail(office_pdf)
