"""Problems are values: stages collect them, the CLI prints them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder if inside."""
    absolute = Path(os.path.abspath(path))
    if absolute.is_relative_to(Path.cwd()):
        return str(absolute.relative_to(Path.cwd()))
    return str(absolute)


@dataclass(frozen=True, order=True)
class Pos:
    """A place in a source file; line and col are 1-based (1:1 for a whole file)."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, reported as `path:line:col: message`.

    `code` names the kind of problem, stable across wordings (`parity.number-missing`):
    code that reacts to a problem matches its code, never its message. `subject`
    is what the problem is about, when code needs it (the citation key or number a
    translation lacks). A `hint` says what would fix it, printed after the message."""

    pos: Pos
    message: str
    warning: bool = False
    code: str = ""
    hint: str = ""
    subject: str = ""

    @property
    def severity(self) -> str:
        return "warning" if self.warning else "error"

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.pos}: {kind}{self.message}{hint}"


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.warning]


def blocking(problems: list[Problem], strict: bool) -> list[Problem]:
    """The problems that stop a build: errors, and with --strict warnings too."""
    return list(problems) if strict else errors_only(problems)


class FactsheetError(Exception):
    """Base class of every error caused by the user's input or options.

    It carries the problems found so far, so a caller can print them all
    at once instead of stopping at the first.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def fail(pos: Pos, message: str, code: str = "", hint: str = "") -> FactsheetError:
    """Build the error for a single problem (use as `raise fail(...)`)."""
    return FactsheetError([Problem(pos, message, code=code, hint=hint)])
