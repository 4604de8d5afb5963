"""Presentation of a CompStat for the page, the PDF and the exports: rows with their labels in the viewer's
language, the charts, the window names. Shared by ``views``, ``report`` and ``exports`` so the three say the
same thing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from pingan.stats import charts
from pingan.stats.classify import Category
from pingan.stats.indicators import CompStatRow
from pingan.stats.selectors import UnitPage, headline_category

WINDOW_LABELS = {"wtd": _("Week to date"), "d28": _("28 days"), "ytd": _("Year to date")}
SHORT_LABELS = {"wtd": _("WTD"), "d28": _("28 d"), "ytd": _("YTD")}


@dataclass(frozen=True)
class RowView:
    row: CompStatRow
    category: Category
    label: str
    covered: bool
    covered_last_year: bool
    spark: charts.Sparkline | None


@dataclass(frozen=True)
class WindowView:
    name: str
    label: str
    short: str
    current: object  # Period
    previous: object


def pct_text(change: float | None) -> str:
    """``+12.3%`` / ``-4.0%``; ``n/a`` when the base was zero."""
    return "n/a" if change is None else f"{change * 100:+.1f}%"


def share_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def rows(page: UnitPage, language: str | None = None) -> list[RowView]:
    """The table rows of a unit's CompStat, labelled in ``language`` (default: the active one)."""
    language = language or get_language()
    out = []
    for r in page.compstat.rows:
        cat = page.scheme.category(r.category)
        spark = charts.sparkline(r.trend, r.trend_last_year) if r.trend else None
        out.append(RowView(r, cat, cat.label(language), r.category in page.covered,
                           r.category in page.covered_last_year, spark))
    return out


def windows(page: UnitPage) -> list[WindowView]:
    return [WindowView(name, str(WINDOW_LABELS[name]), str(SHORT_LABELS[name]), cur, prev)
            for name, (cur, prev) in page.compstat.windows.items()]


def trend(page: UnitPage) -> tuple[str, charts.TrendChart | None]:
    """The headline category and its weekly trend chart (``None`` without trend data)."""
    key = headline_category(page.scheme)
    row = page.compstat.row(key)
    if not row.trend:
        return key, None
    return key, charts.trend_chart(page.compstat.trend_weeks, row.trend, row.trend_last_year)


def week_label(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of the as-of week."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    return monday, monday + dt.timedelta(days=6)
BLOCK_LABEL = pgettext_lazy("city block", "Block")
