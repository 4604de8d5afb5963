"""The dashboard's SVG charts (pure): each chart on its own scale, nothing outside the box; the map's colours."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.dashboard.charts import MAP_NONE, MAP_RED, MAP_YELLOW, bar_chart, district_fill, grouped_bar_chart

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


# ------------------------------------------------------------------------------------------- the map's colours
# Issue 11: a district with 0 red and 1 yellow was painted solid red (red + yellow on one red scale, so the only
# flagged district of a quiet month was the darkest red). A district with no red person is never red.


@pytest.mark.parametrize(
    ("red", "yellow", "top_red", "top_yellow", "colour"),
    [
        (0, 1, 0, 1, MAP_YELLOW[2]),  # the trial's district: yellow, not red
        (0, 1, 5, 1, MAP_YELLOW[2]),  # others have red: this one is still yellow
        (0, 1, 5, 9, MAP_YELLOW[0]),
        (0, 6, 0, 9, MAP_YELLOW[1]),
        (0, 0, 5, 9, MAP_NONE),
        (1, 0, 1, 0, MAP_RED[2]),  # one red person is red, the most of any district
        (1, 40, 30, 9, MAP_RED[0]),  # red beats yellow, however many yellow
        (10, 0, 30, 0, MAP_RED[0]),
        (11, 0, 30, 0, MAP_RED[1]),
        (20, 0, 30, 0, MAP_RED[1]),
        (21, 0, 30, 0, MAP_RED[2]),
        (30, 0, 30, 0, MAP_RED[2]),
        (3, 0, 0, 0, MAP_RED[2]),  # a top below the district's own: the district's
    ],
)
def test_the_map_colour_of_a_district(red, yellow, top_red, top_yellow, colour):
    assert district_fill(red, yellow, top_red=top_red, top_yellow=top_yellow) == colour


counts = st.integers(min_value=0, max_value=10_000)


@given(yellow=counts, top_red=counts, top_yellow=counts)
def test_a_district_without_red_is_never_red(yellow, top_red, top_yellow):
    colour = district_fill(0, yellow, top_red=top_red, top_yellow=top_yellow)
    assert colour not in MAP_RED
    assert (colour in MAP_YELLOW) == (yellow > 0) and (colour == MAP_NONE) == (yellow == 0)


@given(red=st.integers(min_value=1, max_value=10_000), yellow=counts, top_red=counts, top_yellow=counts)
def test_a_district_with_any_red_is_red(red, yellow, top_red, top_yellow):
    assert district_fill(red, yellow, top_red=top_red, top_yellow=top_yellow) in MAP_RED


@given(
    a=st.integers(min_value=1, max_value=500),
    b=st.integers(min_value=1, max_value=500),
    top=st.integers(min_value=1, max_value=500),
)
def test_more_red_is_never_lighter(a, b, top):
    lo, hi = sorted((a, b))
    top = max(top, hi)
    assert MAP_RED.index(district_fill(lo, 0, top_red=top, top_yellow=0)) <= MAP_RED.index(
        district_fill(hi, 0, top_red=top, top_yellow=0)
    )
    assert district_fill(top, 0, top_red=top, top_yellow=0) == MAP_RED[2]  # the most red: the darkest


def test_the_scales_are_apart_in_hue():
    """Each red step is red (hue within 15° of 0°), each yellow step yellow (40–60°), the grey grey."""
    import colorsys

    def hue_sat(c):
        r, g, b = (int(c[i : i + 2], 16) / 255 for i in (1, 3, 5))
        h, _l, s = colorsys.rgb_to_hls(r, g, b)
        return h * 360, s

    assert all((h <= 15 or h >= 345) and s > 0.5 for h, s in map(hue_sat, MAP_RED))
    assert all(40 <= h <= 60 and s > 0.5 for h, s in map(hue_sat, MAP_YELLOW))
    assert hue_sat(MAP_NONE)[1] < 0.3
