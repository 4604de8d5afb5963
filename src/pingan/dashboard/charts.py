"""Server-rendered SVG charts (no JS library): daily counts as bars, and map fill colours.

Pure module (no Django). Templates draw the returned coordinates; numbers are SVG user units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One bar: its box in SVG units, its value, and the CSS class of its series."""

    x: float
    y: float
    width: float
    height: float
    value: int
    css: str


@dataclass(frozen=True)
class Chart:
    """A bar chart: y-axis ticks ``(y, label)``, x-axis labels ``(x, label)``, the bars, and the plot's left and
    right edges (the grid lines' ends)."""

    width: int
    height: int
    ticks: tuple[tuple[float, int], ...]
    x_labels: tuple[tuple[float, str], ...]
    bars: tuple[Bar, ...] = ()
    left: int = 36
    right: int = 360


def _nice_max(v: int) -> int:
    """The smallest 1/2/5 × 10ⁿ not below ``v`` (at least 1), for a readable y-axis."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= v:
                return max(1, m * step)
        step *= 10


#: Room around the plot (SVG units): the y labels on the left, the x labels below, half a label above the
#: top tick (so the top label is never cut), a little on the right for the last x label.
PAD_LEFT, PAD_TOP, PAD_BOTTOM, PAD_RIGHT = 36, 10, 20, 14


def _pad_left(top: int) -> int:
    """Room for the widest y label (about 6.5 units per digit at the 11-unit tick font) and a gap."""
    return max(PAD_LEFT, 10 + math.ceil(6.5 * len(f"{top:,}")))  # printed grouped: "12,000"


def _frame(labels: Sequence[str], top: int, width: int, height: int, *, slots: bool = False):
    """Scales of a chart: ``x(i)`` (the i-th label's position; ``slots``: the middle of the i-th of n equal
    slots, for bars, else evenly from edge to edge), ``y(v)``, the ticks, the x labels and the plot width."""
    n = len(labels)
    left = _pad_left(top)
    plot_w, plot_h = width - left - PAD_RIGHT, height - PAD_TOP - PAD_BOTTOM

    def x(i: float) -> float:
        if slots:
            return round(left + plot_w * (i + 0.5) / max(n, 1), 1)
        return round(left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: float) -> float:
        return round(PAD_TOP + plot_h - plot_h * v / top, 1)

    ticks = tuple((y(v), v) for v in (0, top // 2, top)) if top > 1 else ((y(0), 0), (y(top), top))
    # at most 5 x labels, the last day always among them (the phone's width fits 5 "08-20" labels)
    every = max(1, -(-(n - 1) // 4)) if n > 1 else 1
    idx = sorted({*range(0, n, every), n - 1}) if n else []
    if len(idx) > 2 and idx[-1] - idx[-2] < every * 3 / 4:
        # the last two would crowd (issue 11: "12-02 12-07" at the end of a 30-day chart): the last label is
        # anchored at its end, so it needs most of a full step before it
        idx.pop(-2)
    xl = tuple((x(i), labels[i]) for i in idx)
    return x, y, ticks, xl, plot_w


def _top_of(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]]) -> int:
    """The y scale's top for ``series``; ``ValueError`` when a series' length differs from ``labels``."""
    n = len(labels)
    for name, _css, values in series:
        if len(values) != n:
            raise ValueError(f"series {name!r} has {len(values)} values for {n} labels")
    return _nice_max(max((max(v) for _n, _c, v in series if v), default=0))


def grouped_bar_chart(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]], *,
                      width: int = 360, height: int = 170) -> Chart:
    """Side-by-side bars of each series per label, on one y scale fitted to these series (so a handful of red
    people next to a handful of yellow ones are both visible, never one line hidden under the other).

    Raises ``ValueError`` when a series' length differs from ``labels``.
    """
    n = len(labels)
    top = _top_of(labels, series)
    x, y, ticks, xl, plot_w = _frame(labels, top, width, height, slots=True)
    k = max(len(series), 1)
    group = plot_w / max(n, 1) * 0.8
    w = max(1.0, round(group / k, 1))
    bars = tuple(Bar(round(x(i) - group / 2 + j * w, 1), y(v), w, round(y(0) - y(v), 1), v, css)
                 for j, (_name, css, values) in enumerate(series) for i, v in enumerate(values) if v)
    return Chart(width, height, ticks, xl, bars, left=_pad_left(top), right=width - PAD_RIGHT)


def bar_chart(labels: Sequence[str], values: Sequence[int], *, width: int = 360, height: int = 170) -> Chart:
    """One bar per label, on a y scale fitted to ``values``; ``ValueError`` when the lengths differ."""
    return grouped_bar_chart(labels, [("", "bar-people", values)], width=width, height=height)


#: The map's colours (issue 11: a district with 0 red and 1 yellow was painted solid red, since the fill was
#: red + yellow on one red scale): a district with any red person on the red scale, by its share of the most
#: red people of any district; one with yellow but no red on the yellow scale, by its share of the most
#: yellow of any district without red; neither grey. Three steps each (up to a third of the most, up to two
#: thirds, more), lightest first — the legend shows them in this order. The site's red and yellow
#: (``--red``, ``--yellow-bg``) are each scale's darkest step.
MAP_NONE = "#f4f6f8"
MAP_RED = ("#fbd0d0", "#e8777c", "#cf222e")
MAP_YELLOW = ("#fff1b3", "#f0cb55", "#bf8700")


def _step(value: int, top: int) -> int:
    """0, 1 or 2: the third of ``top`` that ``value`` (1 … top) falls in; ``value`` above ``top`` is 2."""
    return min(2, max(0, math.ceil(3 * value / top) - 1))


def district_fill(red: int, yellow: int, *, top_red: int, top_yellow: int) -> str:
    """The fill of a district with ``red`` and ``yellow`` people: :data:`MAP_RED`'s step of ``red / top_red``
    when it has any red person, else :data:`MAP_YELLOW`'s of ``yellow / top_yellow`` when it has any yellow,
    else :data:`MAP_NONE`. ``top_red``: the most red people of any district; ``top_yellow``: the most yellow
    of any district without red (a top below the district's own counts as the district's)."""
    if red > 0:
        return MAP_RED[_step(red, max(top_red, red))]
    if yellow > 0:
        return MAP_YELLOW[_step(yellow, max(top_yellow, yellow))]
    return MAP_NONE
