"""The fit stage on its own: the search over carries and copyfit levels, with
stand-in layouts whose outcome depends only on the settings they are given."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from factsheet.layout.fit import (
    LADDER,
    MAX_LAYOUTS,
    MAX_LEVEL,
    css_defaults,
    describe,
    fit_layout,
    level_properties,
)
from factsheet.model import LayoutSettings


@dataclass
class FakeNote:
    carry: tuple[int, ...]
    note_id: str = "en-note-1"


@dataclass
class FakeLayout:
    pages: int
    misplaced: list[FakeNote] = field(default_factory=list)


class FakeEngine:
    """Fits at `fits_at` and above; a note is misplaced until every element of
    `needs_breaks` starts a page (each break offered in turn by `carry`)."""

    def __init__(self, fits_at: int = 0, needs_breaks: tuple[int, ...] = (), carry=(7, 9)):
        self.fits_at = fits_at
        self.needs_breaks = set(needs_breaks)
        self.carry = carry
        self.seen: list[LayoutSettings] = []

    def __call__(self, settings: LayoutSettings) -> FakeLayout:
        self.seen.append(settings)
        pages = 2 if settings.level >= self.fits_at else 3
        missing = self.needs_breaks - settings.breaks
        return FakeLayout(pages, [FakeNote(self.carry)] if missing else [])


def test_a_layout_that_is_right_is_laid_out_once():
    engine = FakeEngine()
    fitted = fit_layout(engine, budget=2)
    assert fitted.ok and fitted.layouts == 1
    assert fitted.settings == LayoutSettings()


def test_a_misplaced_note_is_carried_by_the_first_break_that_works():
    engine = FakeEngine(needs_breaks=(9,))
    fitted = fit_layout(engine, budget=2)
    assert fitted.ok
    # 7 (the squeezed block) was tried first, then taken back for 9.
    assert [sorted(s.breaks) for s in engine.seen] == [[], [7], [9]]
    assert fitted.settings.breaks == {9}
    assert fitted.settings.level == 0  # carrying never changes the look
    assert fitted.layouts == 3


@pytest.mark.parametrize("fits_at", range(1, MAX_LEVEL + 1))
def test_copyfitting_takes_the_smallest_level_that_fits(fits_at):
    engine = FakeEngine(fits_at=fits_at)
    fitted = fit_layout(engine, budget=2)
    assert fitted.ok and fitted.settings.level == fits_at
    # Found by bisection, not step by step: the level below was tried and failed.
    assert fits_at - 1 in [s.level for s in engine.seen]
    assert fitted.layouts == len(engine.seen) <= 4
    assert len({s.level for s in engine.seen}) == len(engine.seen)  # none laid out twice
    assert fitted.settings.properties == level_properties(fits_at)


def test_fitting_off_never_changes_the_look():
    engine = FakeEngine(fits_at=1)
    fitted = fit_layout(engine, budget=2, copyfit=False)
    assert not fitted.ok and fitted.layouts == 1 and fitted.settings.level == 0


def test_a_sheet_too_long_for_the_bounds_stops_at_the_last_level():
    engine = FakeEngine(fits_at=MAX_LEVEL + 1)
    fitted = fit_layout(engine, budget=2)
    assert not fitted.ok
    assert fitted.settings.level == MAX_LEVEL
    assert fitted.layouts == 4 <= MAX_LAYOUTS  # the first and three halvings


def test_a_note_no_break_can_carry_fails_within_the_bound():
    engine = FakeEngine(needs_breaks=(99,), carry=(7, 9))
    fitted = fit_layout(engine, budget=2)
    assert not fitted.ok
    assert fitted.layout.misplaced
    assert fitted.layouts <= MAX_LAYOUTS


class NoteAtLevels(FakeEngine):
    """Fits the budget from `fits_at` on, but leaves a note off its page at the levels
    in `misplacing` unless `needs_breaks` are all taken."""

    def __init__(self, fits_at: int, misplacing: set[int], needs_breaks=(9,)) -> None:
        super().__init__(fits_at=fits_at, needs_breaks=needs_breaks)
        self.misplacing = misplacing

    def __call__(self, settings: LayoutSettings) -> FakeLayout:
        layout = super().__call__(settings)
        if settings.level not in self.misplacing:
            layout.misplaced = []
        return layout


def test_a_level_that_leaves_a_note_off_its_page_is_passed_for_the_next():
    engine = NoteAtLevels(fits_at=4, misplacing={4, 5})
    fitted = fit_layout(engine, budget=2)
    assert fitted.ok and fitted.settings.level == 6 and not fitted.settings.breaks
    assert fitted.layouts <= 4


def test_when_no_level_is_right_notes_are_carried_at_the_smallest_that_fits():
    engine = NoteAtLevels(fits_at=3, misplacing=set(range(MAX_LEVEL + 1)))
    fitted = fit_layout(engine, budget=2)
    # The bisection tried 4, 6 and 7 (all within the budget, a note off): 4 carries it.
    fitting = [s.level for s in engine.seen if s.level >= 3]
    assert fitted.ok and fitted.settings.level == min(fitting) and fitted.settings.breaks == {9}
    assert fitted.layouts <= MAX_LAYOUTS


def test_the_same_start_gives_the_same_settings():
    first = fit_layout(NoteAtLevels(fits_at=2, misplacing={2}), budget=2)
    again = fit_layout(NoteAtLevels(fits_at=2, misplacing={2}), budget=2)
    assert first.settings == again.settings and first.layouts == again.layouts


@dataclass
class FakeFill:
    used_lines: list[float]


class Overflowing(FakeEngine):
    """Fits at `fits_at`; below it, the layout says it runs `over` lines past two
    pages of 55 lines."""

    def __init__(self, fits_at: int, over: float) -> None:
        super().__init__(fits_at=fits_at)
        self.over = over

    def __call__(self, settings: LayoutSettings) -> FakeLayout:
        layout = super().__call__(settings)
        layout.fill = FakeFill([55.0, 55.0] + ([self.over] if layout.pages > 2 else []))
        return layout


def test_a_good_estimate_from_the_overflow_ends_the_search_in_three_layouts():
    # 5.6 lines of 115.6, three quarters of them counted: 3.6%, level 4 (4.0%).
    engine = Overflowing(fits_at=4, over=5.6)
    fitted = fit_layout(engine, budget=2)
    assert fitted.settings.level == 4
    assert [s.level for s in engine.seen] == [0, 4, 3]


@pytest.mark.parametrize("fits_at", range(1, MAX_LEVEL + 1))
@pytest.mark.parametrize("over", [0.5, 3.0, 8.0, 40.0])
def test_a_wrong_estimate_costs_layouts_never_the_smallest_level(fits_at, over):
    engine = Overflowing(fits_at=fits_at, over=over)
    fitted = fit_layout(engine, budget=2)
    assert fitted.ok and fitted.settings.level == fits_at
    assert fitted.layouts <= 6  # the first, the estimate, its neighbour, three halvings


def test_a_shared_level_is_where_fitting_starts():
    engine = FakeEngine()
    fitted = fit_layout(engine, budget=2, start=LayoutSettings(level=2))
    assert fitted.settings.level == 2 and engine.seen[0].level == 2


def number(value: str) -> float:
    return float(re.match(r"[\d.]+", value)[0])


def test_the_ladder_stays_within_readable_bounds():
    values = dict(level_properties(MAX_LEVEL))
    assert number(values["--body-size"]) >= 9.5
    assert number(values["--note-size"]) >= 7.5
    assert number(values["--leading"]) >= 1.2
    assert number(values["--note-leading"]) >= 1.2


def test_every_step_changes_a_property_the_stylesheets_define():
    defaults = css_defaults()
    for steps in LADDER:
        for step in steps:
            assert step.prop in defaults, step.prop
            if step.prop != "--list-columns":
                assert number(step.value) < number(defaults[step.prop]), step


@pytest.mark.parametrize(
    ("level", "words"),
    [
        (1, "paragraph spacing 3.5pt → 2.5pt"),
        (
            3,
            "paragraph spacing 3.5pt → 2.5pt, section spacing 9pt → 6pt, long lists in two columns",
        ),
    ],
)
def test_what_a_level_changes_is_said_in_words(level, words):
    assert describe(level, css_defaults()) == words


def test_a_sheet_without_long_lists_is_not_told_they_went_to_two_columns():
    words = describe(3, css_defaults(), long_lists=False)
    assert words == "paragraph spacing 3.5pt → 2.5pt, section spacing 9pt → 6pt"
