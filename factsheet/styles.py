"""The custom properties `styles/type.css` declares in `:root`: the brand colours
and the sizes that themes override and copyfitting changes. Read here alone, so
that theme and fit agree on what the sheet looks like unchanged."""

from __future__ import annotations

import re
from pathlib import Path

from factsheet.paths import STYLES_DIR

ROOT = re.compile(r":root\s*\{(.*?)\}", re.S)
PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")


def root_properties(styles_dir: Path = STYLES_DIR) -> dict[str, str]:
    """`--name` -> its value, in the order type.css declares them."""
    text = (styles_dir / "type.css").read_text(encoding="utf-8")
    root = ROOT.search(text)
    return dict(PROPERTY.findall(root[1])) if root else {}
