"""The bilingual PDF, `<slug>.en-es.pdf`: every language of a sheet in one PDF,
each laid out as its own edition was (the settings each language ended with)."""

from __future__ import annotations

from factsheet.errors import Problem
from factsheet.model import LayoutSettings, Task
from factsheet.options import Options
from factsheet.outputs.kinds import BILINGUAL, OutputKind
from factsheet.outputs.printing import Job, note_problems, write_located
from factsheet.sources.theme import theme_fonts

KIND = OutputKind(
    "bilingual-pdf", ".pdf", BILINGUAL, flag="--bilingual",
    help="also write <slug>.en-es.pdf, every language",
)  # fmt: skip


def make(task: Task, htmls: list[str], options: Options) -> tuple[bytes, list[Problem]]:
    from factsheet.layout.pdf import lay_out  # late: --check never loads WeasyPrint

    sheet = task.sheet
    job = Job(task, htmls[0], options)
    start = list(task.start) or [LayoutSettings()] * len(htmls)
    fonts = theme_fonts(sheet.config.theme)
    layout = lay_out(htmls, sheet.root, job.where, job.paper, settings=start, fonts=fonts)
    data, written = write_located(task, layout, htmls, options)
    return data, layout.problems + written + note_problems(task, layout)
