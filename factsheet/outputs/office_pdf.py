"""The office PDF, `<slug>.<lang>.pdf`: always made. Fitted to the sheet's page
budget with every note on its call's page; past the budget, with --draft, the
pages over it marked so the writer sees what to cut."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from factsheet.errors import Problem, errors_only
from factsheet.model import LayoutSettings
from factsheet.options import OFFICE_PDF
from factsheet.outputs.kinds import LANGUAGE, OutputKind
from factsheet.outputs.printing import Job, note_problems, over_budget, write_located

if TYPE_CHECKING:
    from factsheet.layout.fit import Fitted
    from factsheet.layout.pdf import Layout

KIND = OutputKind(OFFICE_PDF, ".pdf", LANGUAGE)


@dataclass(frozen=True)
class OfficePDF:
    data: bytes
    fitted: Fitted  # the layout and the settings it took: the other kinds follow them
    problems: list[Problem] = field(default_factory=list)
    overflow_draft: bool = False  # past the budget with --draft: written, but failed

    @property
    def layout(self) -> Layout:
        return self.fitted.layout  # type: ignore[return-value]


def make(job: Job) -> OfficePDF:
    from factsheet.layout.fit import fit_layout

    sheet = job.task.sheet
    start = job.task.start[0] if job.task.start else LayoutSettings()
    budget = sheet.config.pages
    fitted = fit_layout(job.laid_out(False), budget, sheet.config.fit, start)
    layout: Layout = fitted.layout  # type: ignore[assignment]
    problems = list(layout.problems)
    layout_to_write = layout
    overflow_draft = False
    if layout.pages > budget:
        # Past the budget the page breaks are not final: where notes land is moot.
        problems.append(over_budget(job.task, layout, fitted, job.options.make.draft))
        if job.options.make.draft and not errors_only(layout.problems):
            layout_to_write = job.laid_out(False, mark_after=budget)(fitted.settings)
            overflow_draft = True
    else:
        problems += note_problems(job.task, layout, fitted)
    data, written = write_located(job.task, layout_to_write, [job.print_html], job.options)
    return OfficePDF(data, fitted, problems + written, overflow_draft)
