"""Stage 7a, fit: lay a document out again until it is right.

Two things can be wrong with a first layout, and both change with every edit:

- **A note off its call's page.** WeasyPrint 70 makes room for the first line
  of a block at the foot of a page by pushing earlier notes of that page to the
  next one (its issues #1564 and #2432), and can lose a note that way. The
  layout reports where each call and note landed and which elements could start
  a new page to carry the call over (`pdf.NotePlace.carry`): first the block
  that was squeezed in below the call, then the call's own block. A carry starts
  the candidate on a new page and lays out again (`Tries.carried`).
- **A language past its page budget.** Copyfitting applies a prefix of
  `LADDER`, a list of small steps within bounds that keep the sheet easy to
  read: body text never under 9.5 pt, notes never under 7.5 pt, leading never
  under 1.2. Both editions of a sheet use the same level (build asks for it).

Every try is a full layout (about 0.3 s for the sample; bench/fit.py), so the
level is found by bisection over the ladder, not step by step: a sheet that
fits as it is takes one layout, one with a note to carry two, a copyfitted one
at most four (the first and three halvings of the eight levels). The search is
deterministic: the same HTML and start always give the same settings. This
module never imports WeasyPrint: it is handed a `lay_out(settings)` function.
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
# About how much shorter each level makes a sheet, as a share of its height at
# level 0: the mean over the two samples in both languages. Only the search's
# first probe depends on it; a wrong estimate costs layouts, never the result's
# correctness (the bisection still ends between a level that is right and one that is not).
SHORTER_BY = (0.0, 0.003, 0.0145, 0.0195, 0.040, 0.046, 0.052, 0.071)
# The overflow a layout reports includes the gaps that whole blocks leave at page
# feet, which copyfitting does not have to win back: the estimate counts this much.
OVERFLOW_COUNTED = 0.75


class Adjusted(Protocol):
    """What fit needs of a layout (pdf.Layout; its `fill`, if it has one, lets the
    search estimate the level from the overflow)."""

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
    """A layout from `start` on whose notes all sit with their calls and that fits
    `budget` pages; or, when none does within the bounds, the last one tried.

    The start level is tried first, with carries if only a note is wrong. Past
    it, the copyfit level is found by search: the smallest level whose plain
    layout is right. The first probe is the level the overflow asks for
    (`estimate_level`), the next its neighbour, then halvings: two more layouts
    when the estimate is right, five at worst (stepping took up to seven). A level
    that fits the budget but leaves a note off its page counts as not right:
    the next level moves the note as surely as a carry would, and costs no more.
    Only when no level is right are carries tried, at the smallest level that
    fits the budget."""
    start = start or LayoutSettings()
    tried = Tries(lay_out, budget)
    first = tried.carried(start.level, start.breaks)
    if first.ok or not copyfit or start.level >= MAX_LEVEL:
        return tried.result(first)
    # Bisection over (below, above): `below` is not right, `above` is (or past the
    # ladder). The first probe is the level the overflow asks for, the second its
    # neighbour: a good estimate ends the search there.
    below, above = start.level, MAX_LEVEL + 1
    guess = estimate_level(first.layout, budget, start.level)
    neighbour = False  # the probe after the estimate is its neighbour, then halvings
    while above - below > 1:
        level = guess if guess is not None and below < guess < above else (below + above) // 2
        right = tried.plain(level).ok
        if right:
            above = level
        else:
            below = level
        guess = None if level != guess or neighbour else level - 1 if right else level + 1
        neighbour = guess is not None
    if above <= MAX_LEVEL:
        return tried.result(tried.plain(above))
    fitting = sorted(level for level, layout in tried.by_level.items()
                     if layout.pages <= budget and level > start.level)  # fmt: skip
    if fitting:
        carried = tried.carried(fitting[0], start.breaks)
        if carried.ok:
            return tried.result(carried)
    return tried.result(tried.plain(MAX_LEVEL))


def estimate_level(layout: Adjusted, budget: int, start: int) -> int | None:
    """The lowest level above `start` that should win back the lines a layout runs
    over its budget (None when the layout does not say how full its pages are)."""
    fill = getattr(layout, "fill", None)
    if fill is None or not fill.used_lines:
        return None
    over = sum(fill.used_lines[budget:]) * OVERFLOW_COUNTED
    needed = SHORTER_BY[start] + over / max(sum(fill.used_lines), 1.0)
    return next((level for level in range(start + 1, MAX_LEVEL + 1)
                 if SHORTER_BY[level] >= needed), MAX_LEVEL)  # fmt: skip


@dataclass
class Try:
    layout: Adjusted
    settings: LayoutSettings
    ok: bool


class Tries:
    """The layouts one fit has made, so that none is made twice."""

    def __init__(self, lay_out: Callable[[LayoutSettings], Adjusted], budget: int) -> None:
        self.lay_out = lay_out
        self.budget = budget
        self.count = 0
        self.by_level: dict[int, Adjusted] = {}  # plain layouts (no carries) by level

    def make(self, level: int, breaks: frozenset[int]) -> Try:
        settings = LayoutSettings(level, breaks, level_properties(level))
        layout = self.lay_out(settings)
        self.count += 1
        return Try(layout, settings, layout.pages <= self.budget and not layout.misplaced)

    def plain(self, level: int) -> Try:
        """The layout at a level without carries (made once)."""
        if level not in self.by_level:
            made = self.make(level, frozenset())
            self.by_level[level] = made.layout
            return made
        layout = self.by_level[level]
        settings = LayoutSettings(level, frozenset(), level_properties(level))
        return Try(layout, settings, layout.pages <= self.budget and not layout.misplaced)

    def carried(self, level: int, breaks: frozenset[int]) -> Try:
        """The layout at a level, with pages broken before the elements that carry a
        misplaced note's call to the note's page, one note at a time: each try
        starts the next candidate on a new page, for the first misplaced note only
        (the later ones often move with it), taking back a break that did not
        help; a break that did help is kept for the next note."""
        current = self.plain(level) if not breaks else self.make(level, breaks)
        fixing, kept, candidates = None, breaks, []
        carries = 0
        while (current.layout.pages <= self.budget and current.layout.misplaced
               and carries < MAX_CARRIES and self.count < MAX_LAYOUTS):  # fmt: skip
            note = current.layout.misplaced[0]
            if note.note_id != fixing:  # a new note to fix: keep what fixed the last one
                fixing, kept = note.note_id, breaks
                candidates = [e for e in note.carry if e not in breaks]
            if not candidates:
                break
            # A break that did not carry this note is taken back before the next try.
            breaks = kept | {candidates.pop(0)}
            current = self.make(level, breaks)
            carries += 1
        return current

    def result(self, chosen: Try) -> Fitted:
        return Fitted(chosen.layout, chosen.settings, self.count, chosen.ok)


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
