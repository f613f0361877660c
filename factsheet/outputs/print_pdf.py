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
    help="also write <slug>.<lang>.print.pdf, PDF/X-4 with bleed and crop marks, and its "
    "preflight report",
    implies=("print-preflight",),
)  # fmt: skip


def for_press(job: Job, data: bytes) -> tuple[bytes, list[Problem]]:
    """The PDF as PDF/X-4 for the sheet's printing condition (outputs/pdfx.py)."""
    from factsheet.outputs.pdfx import CONDITIONS, profile_problem, to_pdfx

    config = job.task.sheet.config
    where = config.pos_of("print-shop.condition")
    condition = CONDITIONS.get(config.print_condition)
    if condition is None:
        message = (
            f"print-shop.condition: no printing condition '{config.print_condition}' "
            f"(conditions: {', '.join(CONDITIONS)})"
        )
        return b"", [
            Problem(where, message, code="print.condition", subject=config.print_condition)
        ]
    if found := profile_problem(condition.profile, where):
        return b"", [found]
    theme = config.theme
    given = {}
    if theme is not None:
        given = {theme.colors[key]: tuple(v / 100 for v in cmyk)
                 for key, cmyk in theme.cmyk.items() if key in theme.colors}  # fmt: skip
    return to_pdfx(data, condition, given), []  # type: ignore[arg-type]


def make(job: Job, office: OfficePDF) -> tuple[bytes, list[Problem]]:
    """The PDF and the problems of this file alone."""
    from factsheet.layout.fit import fit_layout

    try:
        # Carried notes only if the bleed ever changed a line.
        pages = job.task.sheet.config.pages
        fitted = fit_layout(job.laid_out(True), pages, False, office.fitted.settings)
        layout: Layout = fitted.layout  # type: ignore[assignment]
        data, written = write_located(job.task, layout, [job.print_html], job.options)
        problems = layout.problems + written + note_problems(job.task, layout, fitted)
        data, press = for_press(job, data)
        return data, problems + press
    except FactsheetError as exc:  # its stylesheet is missing: this file alone fails
        return b"", exc.problems
