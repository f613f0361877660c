"""Stage 7a, fit: lay a document out again until it is right.

Two things can be wrong with a first layout, and both change with every edit:

- **A note off its call's page.** WeasyPrint 70 makes room for the first line
  of a block at the foot of a page by pushing earlier notes of that page to the
  next one (its issues #1564 and #2432), and can lose a note that way. The
  layout reports where each call and note landed and which elements could start
  a new page to carry the call over (`pdf.NotePlace.carry`): first the block
  that was squeezed in below the call, then the call's own block. Each pass
  starts the next candidate on a new page, for the first misplaced note only
  (the later ones often move with it), taking back a break that did not help,
  and lays out again; a break that did help is kept for the next note.
- **A language past its page budget.** Copyfitting applies the smallest prefix
  of `LADDER`, a list of small steps within bounds that keep the sheet easy to
  read: body text never under 9.5 pt, notes never under 7.5 pt, leading never
  under 1.2. Both editions of a sheet use the same level (build asks for it).

Every try is a full layout (about 0.25 s for the sample; bench/fit.py), so the search is
bounded by `MAX_LAYOUTS`; the first layout that is right wins. This module never
imports WeasyPrint: it is handed a `lay_out(settings)` function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from factsheet.model import LayoutSettings
from factsheet.paths import STYLES_DIR
from factsheet.styles import root_properties

# At most this many layouts for one document: a first one, a few carries and the
# copyfit levels. Each costs a full WeasyPrint layout (bench/run.py measures it).
MAX_LAYOUTS = 12
# At most this many carries (forced page breaks) at one copyfit level.
MAX_CARRIES = 4


@dataclass(frozen=True)
class Step:
    """One copyfitting step: a custom property of the stylesheets and its new value."""

    label: str  # as printed in the build's one-line summary
    prop: str
    value: str


# Cumulative: level k applies the steps of levels 1..k (a later value of the same
# property wins). Ordered from least to most visible. The values are the bounds.
LADDER: tuple[tuple[Step, ...], ...] = (
    (Step("paragraph spacing", "--para-space", "2.5pt"),),
    (Step("section spacing", "--section-space", "6pt"),),
    (Step("long lists", "--list-columns", "2"),),
    (Step("leading", "--leading", "1.25"),),
    (Step("notes", "--note-size", "7.5pt"), Step("note leading", "--note-leading", "1.2")),
    (Step("body text", "--body-size", "9.5pt"),),
    (Step("leading", "--leading", "1.2"),),
)
MAX_LEVEL = len(LADDER)


class Adjusted(Protocol):
    """What fit needs of a layout (pdf.Layout)."""

    pages: int

    @property
    def misplaced(self) -> list: ...  # pdf.NotePlace with .carry


@dataclass
class Fitted:
    layout: Adjusted
    settings: LayoutSettings
    layouts: int  # how many layouts it took, the first included
    ok: bool  # every note on its call's page, within the budget


def level_properties(level: int) -> tuple[tuple[str, str], ...]:
    values: dict[str, str] = {}
    for steps in LADDER[:level]:
        for step in steps:
            values[step.prop] = step.value
    return tuple(values.items())


def fit_layout(
    lay_out: Callable[[LayoutSettings], Adjusted],
    budget: int,
    copyfit: bool = True,
    start: LayoutSettings | None = None,
) -> Fitted:
    """The first layout, from `start` on, whose notes all sit with their calls and that
    fits `budget` pages; or, when none does within the bounds, the last one tried."""
    start = start or LayoutSettings()
    level = start.level
    breaks = start.breaks
    layouts = 0
    while True:
        settings = LayoutSettings(level, breaks, level_properties(level))
        layout = lay_out(settings)
        layouts += 1
        fixing, kept, candidates = None, breaks, []
        carries = 0
        while layout.pages <= budget and layout.misplaced and carries < MAX_CARRIES:
            note = layout.misplaced[0]
            if note.note_id != fixing:  # a new note to fix: keep what fixed the last one
                fixing, kept = note.note_id, breaks
                candidates = [e for e in note.carry if e not in breaks]
            if not candidates or layouts >= MAX_LAYOUTS:
                break
            # A break that did not carry this note is taken back before the next try.
            breaks = kept | {candidates.pop(0)}
            settings = LayoutSettings(level, breaks, level_properties(level))
            layout = lay_out(settings)
            layouts += 1
            carries += 1
        ok = layout.pages <= budget and not layout.misplaced
        if ok or not copyfit or level >= MAX_LEVEL or layouts >= MAX_LAYOUTS:
            return Fitted(layout, settings, layouts, ok)
        # Another level changes every line: the breaks found so far no longer apply.
        level += 1
        breaks = start.breaks


def css_defaults(styles_dir: Path = STYLES_DIR) -> dict[str, str]:
    """The custom properties' values in type.css's :root, as the sheet looks unfitted."""
    return root_properties(styles_dir)


def describe(level: int, defaults: dict[str, str], long_lists: bool = True) -> str:
    """What a copyfit level changes, in words: 'paragraph spacing 3.5pt → 2.5pt, …'
    (the step for long lists only if the sheet has one: else it changed nothing)."""
    changes: dict[str, str] = {}
    for steps in LADDER[:level]:
        for step in steps:
            before = defaults.get(step.prop, "?")
            if step.prop == "--list-columns":
                if long_lists:
                    changes[step.prop] = "long lists in two columns"
            else:
                changes[step.prop] = f"{step.label} {before} → {step.value}"
    return ", ".join(changes.values())
