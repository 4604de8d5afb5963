"""Server-rendered SVG charts (no JS library): the daily trend as polylines, and map fill colours.

Pure module (no Django). Templates draw the returned coordinates; numbers are SVG user units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    """One line of a chart: its label, CSS class and the SVG ``points`` attribute."""

    label: str
    css: str
    points: str


@dataclass(frozen=True)
class LineChart:
    """A chart of several series over the same x positions, with y-axis ticks ``(y, label)``."""

    width: int
    height: int
    series: tuple[Series, ...]
    ticks: tuple[tuple[float, int], ...]
    x_labels: tuple[tuple[float, str], ...]


def _nice_max(v: int) -> int:
    """The smallest 1/2/5 × 10ⁿ not below ``v`` (at least 1), for a readable y-axis."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= v:
                return max(1, m * step)
        step *= 10


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]], *,
               width: int = 360, height: int = 180, pad: int = 28) -> LineChart:
    """Lay out ``series`` (label, css class, values — one per label) as polylines in a ``width``×``height`` box.

    Raises ``ValueError`` when a series' length differs from ``labels``.
    """
    n = len(labels)
    for name, _css, values in series:
        if len(values) != n:
            raise ValueError(f"series {name!r} has {len(values)} values for {n} labels")
    top = _nice_max(max((max(v) for _n, _c, v in series if v), default=0))
    plot_w, plot_h = width - pad - 6, height - pad - 6

    def x(i: int) -> float:
        return round(pad + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: int) -> float:
        return round(6 + plot_h - plot_h * v / top, 1)

    out = tuple(Series(name, css, " ".join(f"{x(i):g},{y(v):g}" for i, v in enumerate(values)))
                for name, css, values in series)
    ticks = tuple((y(v), v) for v in (0, top // 2, top)) if top > 1 else ((y(0), 0), (y(top), top))
    every = max(1, n // 5)
    xl = tuple((x(i), labels[i]) for i in range(0, n, every))
    return LineChart(width, height, out, ticks, xl)


def fill(value: int, top: int) -> str:
    """A fill colour for a map area: white for 0, deepening red with ``value / top`` (sequential scale)."""
    if top <= 0 or value <= 0:
        return "#f4f6f8"
    t = min(1.0, value / top)
    # from #fde0dd (light) to #c51b8a-ish red (#cf222e), linear in RGB
    lo, hi = (0xFD, 0xE0, 0xDD), (0xCF, 0x22, 0x2E)
    r, g, b = (round(a + (c - a) * t) for a, c in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"
