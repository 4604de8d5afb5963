"""Small-cell suppression: counts below 3 withheld, and no withheld count recoverable from the totals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.stats.suppress import is_derivable, suppress_table


def grid(t):
    """The published table with its margins, ``None`` where withheld."""
    return [[*list(r), tot] for r, tot in zip(t.cells, t.row_totals, strict=True)] + [
        [*t.col_totals, t.grand_total]]


def line_attack(t) -> list[tuple[int, int]]:
    """Cells recoverable as "a total minus the others": a line with exactly one withheld entry."""
    g = grid(t)
    rows, cols = len(g), len(g[0])
    found = []
    for i in range(rows):
        hidden = [j for j in range(cols) if g[i][j] is None]
        if len(hidden) == 1:
            found.append((i, hidden[0]))
    for j in range(cols):
        hidden = [i for i in range(rows) if g[i][j] is None]
        if len(hidden) == 1:
            found.append((hidden[0], j))
    return found


def test_it_withholds_ones_and_twos_and_a_second_cell_in_their_row_and_column():
    t = suppress_table([[1, 5, 7], [4, 6, 9], [10, 0, 8]])
    assert t.cells[0][0] is None and (0, 0) in t.primary
    assert t.cells[2] == (10, 0, 8) and t.grand_total == 50  # nothing small there: published
    assert not line_attack(t) and not is_derivable(t)
    assert t.secondary  # the 1 alone would be 13 - 5 - 7


def test_a_published_zero_stays_published_unless_asked():
    t = suppress_table([[0, 9], [7, 8]])
    assert t.cells == ((0, 9), (7, 8)) and not t.primary
    t = suppress_table([[0, 9], [7, 8]], withhold_zero=True)
    assert t.cells[0][0] is None and not is_derivable(t)


def test_a_small_total_is_withheld_too():
    t = suppress_table([[1], [1]])  # the grand total, 2, is small as well
    assert t.grand_total is None and all(v is None for v in t.row_totals) and not is_derivable(t)


def test_it_refuses_a_ragged_or_negative_table():
    with pytest.raises(ValueError, match="same number"):
        suppress_table([[1, 2], [3]])
    with pytest.raises(ValueError, match="negative"):
        suppress_table([[1, -2]])


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 7).flatmap(lambda c: st.lists(
    st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 9, 17, 40]), min_size=c, max_size=c), min_size=1, max_size=8)),
    st.integers(2, 5))
def test_no_withheld_count_can_be_worked_out_from_the_published_figures(cells, threshold):
    t = suppress_table(cells, threshold=threshold)
    g = grid(t)
    full = [[*list(r), sum(r)] for r in cells]
    full.append([sum(c) for c in zip(*cells, strict=True)] + [sum(map(sum, cells))])
    for i, row in enumerate(full):  # every small count withheld, every published count true
        for j, v in enumerate(row):
            if 0 < v < threshold:
                assert g[i][j] is None, (i, j, v)
            if g[i][j] is not None:
                assert g[i][j] == v
    assert not line_attack(t)  # never "a total minus the others"
    assert not is_derivable(t)  # nor any other linear combination
