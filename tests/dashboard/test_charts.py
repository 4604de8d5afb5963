"""The dashboard's SVG charts (pure): each chart on its own scale, nothing outside the box."""

from __future__ import annotations

import pytest

from pingan.dashboard.charts import bar_chart, grouped_bar_chart

DAYS = [f"08-{d:02d}" for d in range(1, 31)]


def test_red_and_yellow_get_a_scale_of_their_own_and_both_stay_visible():
    red = [0] * 29 + [3]
    yellow = [0] * 29 + [4]
    chart = grouped_bar_chart(DAYS, [("red", "s-red", red), ("yellow", "s-yellow", yellow)])
    assert chart.ticks[-1][1] == 5  # fitted to 4, not to thousands screened
    (r,), (y,) = ([b for b in chart.bars if b.css == c] for c in ("s-red", "s-yellow"))
    assert r.height > 0 and y.height > 0 and r.x + r.width <= y.x  # side by side, neither hidden
    assert r.height == pytest.approx(y.height * 3 / 4, abs=0.2)


def test_nothing_is_drawn_outside_the_box_and_the_top_label_has_room():
    chart = bar_chart(DAYS, [12_345] + [0] * 29)
    top_y = min(y for y, _v in chart.ticks)
    assert top_y >= 8  # half the label's height above the top tick is still inside
    assert chart.left >= 10 + 6.5 * len("20000")  # the widest y label fits left of the plot
    for b in chart.bars:
        assert b.x >= chart.left and b.x + b.width <= chart.right and b.y >= 0
    assert all(0 < x < chart.width for x, _l in chart.x_labels)
    assert len(chart.x_labels) <= 6 and chart.x_labels[-1][1] == "08-30"  # the last day is always labelled


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        grouped_bar_chart(["a", "b", "c"], [("red", "s-red", [1, 2])])
