"""Limits on how much a sheet may ask of a build, checked before the costly
stages: past them a build would run for minutes (1,000 footnotes took six) for
a sheet no reader could use. Each is named in its message with how to stay
under it; README.md ("Limits") lists them with the others (file size, nesting,
pictures, chart data, time and memory).
"""

from __future__ import annotations

from factsheet.errors import Problem
from factsheet.model import Document

# A two-page sheet carries 15 to 40 notes; 300 would fill some ten pages of notes.
MAX_NOTES = 300


def check_limits(docs: dict[str, Document]) -> list[Problem]:
    """A language with more footnotes than MAX_NOTES, at the first one past it."""
    return [
        Problem(
            doc.notes[MAX_NOTES].pos,
            f"more than {MAX_NOTES} footnotes in one language: a fact sheet cites "
            "its key sources; put the rest in a report it links to",
            code="limit.notes",
        )
        for doc in docs.values()
        if len(doc.notes) > MAX_NOTES
    ]
