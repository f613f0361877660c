#!/usr/bin/env python3
"""Build every sheet and end-to-end fixture with every output, on both papers, and
print a SHA-256 per file written: run it before and after a change that should not
change the output, and diff the two listings.

    .venv/bin/python scripts/output-digests.py > before.txt
"""

from __future__ import annotations

import hashlib
import io
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from factsheet.cli import main  # noqa: E402

SHEETS = ["sheets/decriminalization", "sheets/naloxone", "tests/data/minimal"]
EVERY_OUTPUT = ["--print-shop", "--html", "--bilingual", "--png", "--press-kit"]


def digests() -> list[str]:
    lines = []
    for paper in ("letter", "a4"):
        with tempfile.TemporaryDirectory() as out:
            for sheet in SHEETS:
                argv = [str(PROJECT / sheet), "--out", out, "--paper", paper, *EVERY_OUTPUT]
                code = main(argv, out=io.StringIO(), err=io.StringIO())
                lines.append(f"exit {code}  {paper}/{Path(sheet).name}")
            for path in sorted(Path(out).rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                    lines.append(f"{digest}  {paper}/{path.relative_to(out)}")
    return lines


if __name__ == "__main__":
    print("\n".join(digests()))
