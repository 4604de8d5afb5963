"""The published level rule: red beats yellow/unresolved beats green."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.codes.levels import RULESET_VERSION, Level, ScreeningCounts, level_for


def test_it_gives_red_when_anyone_is_red() -> None:
    assert level_for(ScreeningCounts(green=100, yellow=5, red=1, unresolved=3)) is Level.RED


def test_it_gives_yellow_for_a_yellow_person() -> None:
    assert level_for({"green": 10, "yellow": 1}) is Level.YELLOW


def test_it_gives_yellow_for_an_unresolved_person() -> None:
    assert level_for({"green": 10, "unresolved": 1}) is Level.YELLOW


def test_it_gives_green_when_everyone_is_green() -> None:
    assert level_for({"green": 10}) is Level.GREEN


def test_it_gives_green_to_an_empty_roster_with_zero_people() -> None:
    counts = ScreeningCounts()
    assert level_for(counts) is Level.GREEN
    assert counts.total == 0


def test_it_rejects_an_unknown_outcome_name() -> None:
    with pytest.raises(ValueError, match="yelow"):
        level_for({"green": 1, "yelow": 2})


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_it_rejects_a_count_that_is_not_a_natural_number(bad: object) -> None:
    with pytest.raises(ValueError, match="red"):
        ScreeningCounts(red=bad)  # type: ignore[arg-type]


def test_it_round_trips_the_wire_codes_and_rejects_others() -> None:
    assert [lv.wire for lv in Level] == [1, 2, 3]
    assert all(Level.from_wire(lv.wire) is lv for lv in Level)
    with pytest.raises(ValueError, match="unknown level code 4"):
        Level.from_wire(4)
    assert RULESET_VERSION == 1


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_it_is_monotonic_adding_a_worse_person_never_improves_the_level(g: int, y: int, r: int, u: int) -> None:
    order = [Level.GREEN, Level.YELLOW, Level.RED]
    base = order.index(level_for(ScreeningCounts(g, y, r, u)))
    assert order.index(level_for(ScreeningCounts(g, y, r + 1, u))) == 2
    assert order.index(level_for(ScreeningCounts(g, y + 1, r, u))) >= max(base, 1)
    assert order.index(level_for(ScreeningCounts(g + 1, y, r, u))) == base
