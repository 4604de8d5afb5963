"""Server-rendered SVG for the CompStat pages: small multiples (one sparkline per category) and the trend
chart, this year against the same weeks of last year. Pure module (no Django); no JavaScript, no external
service. Coordinates are SVG user units; the templates draw them, and the CSS scales the SVG to the width of
the screen (a 375-px phone shows the small multiples two to a row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


def nice_ceiling(v: float) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ that is ≥ ``v`` (at least 1): a readable top for a y-axis."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= v:
                return m * step
        step *= 10


def _scale(n: int, top: int, x0: float, width: float, y0: float, height: float):
    def x(i: int) -> float:
        return round(x0 + (width * i / (n - 1) if n > 1 else width / 2), 1)

    def y(v: float) -> float:
        return round(y0 + height - height * v / top, 1)

    return x, y


def _segments(values: Sequence[float | None], x, y) -> tuple[str, ...]:
    """The polylines of a weekly series (SVG ``points``), broken where a week has no value (``None``: no data
    source covers it, or a week 53 last year did not have) — a gap, not a drop to zero."""
    out, run = [], []
    for i, v in enumerate(values):
        if v is None:
            if run:
                out.append(" ".join(run))
            run = []
            continue
        run.append(f"{x(i):g},{y(v):g}")
    if run:
        out.append(" ".join(run))
    return tuple(out)


def _known(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None]


#: A week counts seven days; the last week of a trend ending on an as-of day before its Sunday counts fewer.
WEEK_DAYS = 7


def _partial_last(values: Sequence[float | None], partial_days: int, x, y
                  ) -> tuple[tuple[str, ...], str, tuple[float, float] | None]:
    """This year's series when its last week is partial (``partial_days`` < 7: the as-of week so far): the
    polylines of the whole weeks, the dotted piece from the last whole week to the partial one, and the
    partial week's point — drawn apart so that a week of two days does not read as a fall (issue 11)."""
    if partial_days >= WEEK_DAYS or not values or values[-1] is None:
        return _segments(values, x, y), "", None
    n = len(values)
    whole = _segments([*values[:-1], None], x, y)
    point = (x(n - 1), y(values[-1]))
    piece = f"{x(n - 2):g},{y(values[-2]):g} {point[0]:g},{point[1]:g}" if n > 1 and values[-2] is not None else ""
    return whole, piece, point


@dataclass(frozen=True)
class Sparkline:
    """One small multiple: the polylines of this year and of last year (broken where a week has no value), the
    axis top, the last value, and the totals over the weeks both years have (``total_previous`` ``None`` when
    no week has both). ``partial_days`` < 7: the last week is the as-of week so far, drawn apart (``partial``,
    ``partial_point``) and totalled against the same days of last year's week."""

    width: int
    height: int
    current: tuple[str, ...]
    previous: tuple[str, ...]
    top: int
    last: int | None
    total: int
    total_previous: int | None
    partial: str = ""
    partial_point: tuple[float, float] | None = None
    partial_days: int = WEEK_DAYS

    @property
    def increase(self) -> bool:
        return self.total_previous is not None and self.total > self.total_previous


def sparkline(current: Sequence[int | None], previous: Sequence[int | None], *, width: int = 160,
              height: int = 44, partial_days: int = WEEK_DAYS, previous_partial: int | None = None) -> Sparkline:
    """A small multiple of weekly counts (both series on the same scale, so they compare at a glance). The
    totals compare the weeks that have a value in both years (a week 53 without one last year is left out of
    this year's total too). ``partial_days`` < 7: this year's last week is the as-of week so far (its first
    ``partial_days`` days); it is drawn apart, and the totals set it against ``previous_partial``, the same days
    of last year's week (the week to date last year) rather than last year's whole week — the week drops out of
    both totals when that is unknown (``None``)."""
    if previous and len(previous) != len(current):
        raise ValueError(f"{len(current)} weeks this year against {len(previous)} last year")
    top = nice_ceiling(max([*_known(current), *_known(previous), 0]))
    x, y = _scale(len(current), top, 2, width - 4, 3, height - 6)
    against = list(previous)
    if partial_days < WEEK_DAYS and against:
        against[-1] = previous_partial
    pairs = [(c, p) for c, p in zip(current, against, strict=True) if c is not None and p is not None]
    if pairs:
        total, total_prev = sum(c for c, _p in pairs), sum(p for _c, p in pairs)
    else:  # nothing to compare with: this year's weeks, and no total for last year
        total, total_prev = sum(_known(current)), None
    whole, piece, point = _partial_last(current, partial_days, x, y)
    return Sparkline(width, height, whole, _segments(previous, x, y) if previous else (), top,
                     current[-1] if current else 0, total, total_prev, piece, point,
                     partial_days if point else WEEK_DAYS)


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    current: tuple[str, ...]  # polylines, broken where a week has no value
    previous: tuple[str, ...]
    y_ticks: tuple[tuple[float, int], ...]
    x_labels: tuple[tuple[float, str], ...]
    plot_left: int
    # the as-of week so far when it is not a whole week: the dotted piece to its point, and its days (1–6)
    partial: str = ""
    partial_point: tuple[float, float] | None = None
    partial_days: int = WEEK_DAYS


def trend_chart(mondays: Sequence[dt.date], current: Sequence[int | None], previous: Sequence[int | None], *,
                width: int = 360, height: int = 170, partial_days: int = WEEK_DAYS) -> TrendChart:
    """The weekly trend of one category: this year's weeks (by Monday) and the same ISO weeks a year earlier,
    with y ticks (0, half, top) and an x label at the first week of each quarter. A week without a value
    (``None``) is a gap in its line. ``partial_days`` < 7: the last week is the as-of week so far — its count
    is of those days only, so it is drawn apart (a dotted piece to an open point), not as the line's next
    week."""
    if len(current) != len(mondays) or (previous and len(previous) != len(mondays)):
        raise ValueError("trend_chart: one value per week for each series")
    left, bottom = 30, 18
    top = nice_ceiling(max([*_known(current), *_known(previous), 0]))
    # 10 units above the plot: room for the top tick's label, centred on its grid line
    x, y = _scale(len(mondays), top, left, width - left - 6, 10, height - bottom - 10)
    ticks = tuple((y(v), v) for v in sorted({0, top // 2, top}))
    labels = []
    last_q = None
    for i, d in enumerate(mondays):
        q = (d.year, (d.month - 1) // 3)
        if q != last_q:
            labels.append((x(i), d.strftime("%Y-%m") if d.month == 1 or not labels else d.strftime("%m")))
            last_q = q
    whole, piece, point = _partial_last(current, partial_days, x, y)
    return TrendChart(width, height, whole, _segments(previous, x, y) if previous else (), ticks,
                      tuple(labels), left, piece, point, partial_days if point else WEEK_DAYS)
