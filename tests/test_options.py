"""Options split by concern; what changes the output is fingerprinted by itself."""

import dataclasses

import pytest

from factsheet.build.state import shared_inputs_digest
from factsheet.options import Make, Options, Run

CHANGED = {"langs": ("en",), "paper": "a4", "draft": True, "strict": True,
           "kinds": frozenset({"office-pdf", "web-page"})}  # fmt: skip


def test_every_field_of_make_has_a_changed_value_here():
    assert set(CHANGED) == {f.name for f in dataclasses.fields(Make)}


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_every_make_field_changes_the_fingerprint(name):
    before = shared_inputs_digest(Options()).hexdigest()
    after = shared_inputs_digest(Options(make=Make(**{name: CHANGED[name]}))).hexdigest()
    assert before != after


def test_how_a_build_runs_changes_no_fingerprint():
    before = shared_inputs_digest(Options()).hexdigest()
    run = Run(jobs=7, check_only=True, force=True, keep_last_good=True)
    assert shared_inputs_digest(Options(run=run)).hexdigest() == before


def test_the_fingerprint_does_not_depend_on_set_order():
    one = Make(kinds=frozenset(["office-pdf", "web-page", "print-pdf"]))
    other = Make(kinds=frozenset(["print-pdf", "office-pdf", "web-page"]))
    assert one.fingerprint() == other.fingerprint()
