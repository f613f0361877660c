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


def test_copyfitting_takes_the_smallest_level_that_fits():
    engine = FakeEngine(fits_at=3)
    fitted = fit_layout(engine, budget=2)
    assert fitted.ok and fitted.settings.level == 3
    assert [s.level for s in engine.seen] == [0, 1, 2, 3]
    assert fitted.settings.properties == level_properties(3)


def test_fitting_off_never_changes_the_look():
    engine = FakeEngine(fits_at=1)
    fitted = fit_layout(engine, budget=2, copyfit=False)
    assert not fitted.ok and fitted.layouts == 1 and fitted.settings.level == 0


def test_a_sheet_too_long_for_the_bounds_stops_at_the_last_level():
    engine = FakeEngine(fits_at=MAX_LEVEL + 1)
    fitted = fit_layout(engine, budget=2)
    assert not fitted.ok
    assert fitted.settings.level == MAX_LEVEL
    assert fitted.layouts == MAX_LEVEL + 1 <= MAX_LAYOUTS


def test_a_note_no_break_can_carry_fails_within_the_bound():
    engine = FakeEngine(needs_breaks=(99,), carry=(7, 9))
    fitted = fit_layout(engine, budget=2)
    assert not fitted.ok
    assert fitted.layout.misplaced
    assert fitted.layouts <= MAX_LAYOUTS


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
