"""Presentation of a CompStat for the page, the PDF and the exports: rows with their labels in the viewer's
language, the charts, the window names. Shared by ``views``, ``report`` and ``exports`` so the three say the
same thing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext_lazy
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


# ------------------------------------------------------------------------------------- the page's tables
# The CompStat page repeats one cell pattern a few hundred times (3 windows × the categories, 3 windows × the
# sub-units). Built here once as HTML — one ``reverse`` per page instead of one ``{% url %}`` per cell, and
# no template variable lookups per cell — the template renders each table row as one value. Every text is
# escaped (``format_html``); the numbers are plain integers (the site has no thousands separator).


@dataclass(frozen=True)
class TableRow:
    css: str
    label: str
    cells: SafeString


def _change(change: float | None) -> str:
    return gettext("n/a") if change is None else f"{change * 100:+.1f}%"


def window_tables(page: UnitPage, row_views: list[RowView], windows_: list[WindowView], query: str
                  ) -> list[tuple[WindowView, list[TableRow]]]:
    """For each window, its table rows: this year (linked to the drill-down), last year (linked), the
    change; a dash where no data source covers the category (this year, or last year)."""
    drill = escape(f"{reverse('stats:incidents', args=[page.unit.code])}?{query}&category=")
    no_last_year = escape(gettext("no data source covers last year"))
    no_source = escape(gettext("no data source covers this category at this date"))
    out = []
    for w in windows_:
        body = []
        for r in row_views:
            f = r.row.windows[w.name]
            css = "group" if r.row.is_group else ""
            if not r.covered:
                body.append(TableRow(css, r.label, mark_safe(  # noqa: S308 - constant text, escaped title
                    f'<td class="n na" colspan="3" title="{no_source}">—</td>')))
                continue
            link = f"{drill}{escape(r.row.category)}&amp;window={w.name}"
            up = " up" if f.increase else ""
            if r.covered_last_year:
                na = " na" if f.change is None else ""
                html = (f'<td class="n{up}"><a href="{link}">{int(f.current)}</a></td>'
                        f'<td class="n"><a href="{link}_prev">{int(f.previous)}</a></td>'
                        f'<td class="n{up}{na}">{escape(_change(f.change))}</td>')
            else:
                html = (f'<td class="n"><a href="{link}">{int(f.current)}</a></td>'
                        f'<td class="n na" colspan="2" title="{no_last_year}">—</td>')
            body.append(TableRow(css, r.label, mark_safe(html)))  # noqa: S308 - every part escaped above
        out.append((w, body))
    return out


def children_table(page: UnitPage, windows_: list[WindowView], query: str) -> list[tuple[str, str, SafeString]]:
    """The sub-units' headline figures: (link, name, the window cells) per sub-unit."""
    base = reverse("stats:unit", args=["-"])[:-2]  # "/stats/u/"
    out = []
    for c in page.children:
        cells = []
        for w in windows_:
            f = c.headline.windows[w.name]
            up = " up" if f.increase else ""
            cells.append(f'<td class="n{up}">{int(f.current)} <span class="muted">({int(f.previous)})</span></td>'
                         f'<td class="n{up}">{escape(_change(f.change))}</td>')
        out.append((f"{base}{iri_to_uri(c.unit.code)}/?{query}", c.unit.name,
                    mark_safe("".join(cells))))  # noqa: S308 - numbers and escaped text only
    return out


def compstat_context(page: UnitPage, *, can_watch: bool) -> dict:
    """What ``stats/partials/compstat.html`` (and the page around it) renders for ``page``."""
    head_key, chart = trend(page)
    query = f"as_of={page.as_of.isoformat()}&scheme={page.scheme.id}"
    row_views, windows_ = rows(page), windows(page)
    return {"p": page, "rows": row_views, "windows": windows_, "trend": chart,
            "window_tables": window_tables(page, row_views, windows_, query),
            "children": children_table(page, windows_, query),
            "trend_category": page.scheme.category(head_key), "week": week_label(page.as_of),
            "query": query, "can_watch": can_watch}


BLOCK_LABEL = pgettext_lazy("city block", "Block")
