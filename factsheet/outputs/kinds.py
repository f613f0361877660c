"""What an output kind is: its file name, the flag that asks for it, and what
editions it is made for. Each kind is declared once, in its own module; the
registry (`registry.py`) lists them in the order they are made."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from factsheet.model import Edition

LANGUAGE = "language"  # one per language of a sheet: <slug>.<lang><suffix>
BILINGUAL = "bilingual"  # one per sheet, every language: <slug>.<lang>-<lang><suffix>
SHEET = "sheet"  # one per sheet: <slug><suffix>


@dataclass(frozen=True, order=True)
class OutputKind:
    key: str  # stable identity: "office-pdf", "print-pdf", …
    suffix: str  # what follows the edition in the file name: ".print.pdf"
    scope: str  # LANGUAGE, BILINGUAL or SHEET
    flag: str = ""  # the command-line flag that asks for it; "" for always made
    help: str = ""
    implies: tuple[str, ...] = ()  # other kinds it holds, asked for with it

    def filename(self, edition: Edition) -> str:
        if self.scope == SHEET:
            return f"{edition.slug}{self.suffix}"
        return f"{edition.slug}.{'-'.join(edition.langs)}{self.suffix}"

    def made_for(self, edition: Edition) -> bool:
        """Whether this kind is one of an edition's files (the press kit is the
        sheet's, made by the build once every edition of it is written)."""
        if self.scope == SHEET:
            return False
        return edition.combined == (self.scope == BILINGUAL)


@dataclass(frozen=True, order=True)
class Output:
    """One file a build writes: an edition in one kind."""

    edition: Edition
    kind: OutputKind

    @property
    def name(self) -> str:
        return self.kind.filename(self.edition)

    def path(self, out: Path) -> Path:
        return out / self.name
