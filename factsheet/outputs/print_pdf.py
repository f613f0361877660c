"""The print-shop PDF, `<slug>.<lang>.print.pdf`: bleed and crop marks, laid out
with the settings the office PDF took (the same page area). It can fail alone:
its stylesheet missing, or a note the bleed moved, leaves the other files standing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from factsheet.errors import FactsheetError, Problem
from factsheet.outputs.kinds import LANGUAGE, OutputKind
from factsheet.outputs.office_pdf import OfficePDF
from factsheet.outputs.printing import Job, note_problems, write_located

if TYPE_CHECKING:
    from factsheet.layout.pdf import Layout

KIND = OutputKind(
    "print-pdf", ".print.pdf", LANGUAGE, flag="--print-shop",
    help="also write <slug>.<lang>.print.pdf with bleed and crop marks",
)  # fmt: skip


def make(job: Job, office: OfficePDF) -> tuple[bytes, list[Problem]]:
    """The PDF and the problems of this file alone."""
    from factsheet.layout.fit import fit_layout

    try:
        # Carried notes only if the bleed ever changed a line.
        pages = job.task.sheet.config.pages
        fitted = fit_layout(job.laid_out(True), pages, False, office.fitted.settings)
        layout: Layout = fitted.layout  # type: ignore[assignment]
        data, written = write_located(job.task, layout, [job.print_html], job.options)
        return data, layout.problems + written + note_problems(job.task, layout, fitted)
    except FactsheetError as exc:  # its stylesheet is missing: this file alone fails
        return b"", exc.problems
