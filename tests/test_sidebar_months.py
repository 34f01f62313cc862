"""The start-month range follows imports and undos: full stays full, narrowed stays, with a note."""

from __future__ import annotations

from datetime import date

from ui.sidebar import MONTHS_KEY, MONTHS_NEW_KEY, reconcile_months


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[date]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


BEFORE = _months((2025, 4), (2026, 9))
AFTER = _months((2025, 4), (2026, 11))  # an import adds cohorts starting Oct and Nov 2026


def test_first_run_selects_every_month():
    """With nothing chosen yet, the range is the whole span and there is no note."""
    state: dict = {}
    assert reconcile_months(state, BEFORE) == ""
    assert state[MONTHS_KEY] == (date(2025, 4, 1), date(2026, 9, 1))


def test_a_range_that_covered_everything_covers_the_new_months():
    """The failing case on main: after an import the full range grows to the new last month."""
    state: dict = {}
    reconcile_months(state, BEFORE)
    assert reconcile_months(state, AFTER) == ""
    assert state[MONTHS_KEY] == (date(2025, 4, 1), date(2026, 11, 1))
    assert MONTHS_NEW_KEY not in state


def test_a_narrowed_range_is_kept_and_the_new_months_are_named():
    """A range the person narrowed stays as it was; a note says which months were added."""
    state: dict = {}
    reconcile_months(state, BEFORE)
    state[MONTHS_KEY] = (date(2025, 6, 1), date(2025, 12, 1))
    note = reconcile_months(state, AFTER)
    assert state[MONTHS_KEY] == (date(2025, 6, 1), date(2025, 12, 1))
    assert note == (
        "New months in the data: Oct 2026 – Nov 2026, outside the months chosen. "
        "Widen the range to include them."
    )
    assert reconcile_months(state, AFTER) == note  # shown on every run until the slider moves
    state.pop(MONTHS_NEW_KEY)  # what moving the slider does (its on_change)
    assert reconcile_months(state, AFTER) == ""


def test_months_added_before_a_narrowed_range_are_named_too():
    """Older cohorts imported later are outside a range that starts after them."""
    state: dict = {}
    reconcile_months(state, _months((2025, 4), (2025, 9)))
    state[MONTHS_KEY] = (date(2025, 4, 1), date(2025, 8, 1))
    note = reconcile_months(state, _months((2025, 1), (2025, 9)))
    assert state[MONTHS_KEY] == (date(2025, 4, 1), date(2025, 8, 1))
    assert "New months in the data: Jan 2025 – Mar 2025," in note


def test_an_undo_that_removes_months_clamps_the_range():
    """After an undo the range shrinks to the months that still exist; full stays full."""
    state: dict = {}
    reconcile_months(state, AFTER)
    state[MONTHS_KEY] = (date(2026, 3, 1), date(2026, 11, 1))
    reconcile_months(state, BEFORE)
    assert state[MONTHS_KEY] == (date(2026, 3, 1), date(2026, 9, 1))
    full: dict = {}
    reconcile_months(full, AFTER)
    reconcile_months(full, BEFORE)
    assert full[MONTHS_KEY] == (date(2025, 4, 1), date(2026, 9, 1))
