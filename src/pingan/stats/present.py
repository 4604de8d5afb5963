"""Presentation of a CompStat for the page, the PDF and the exports: rows with their labels in the viewer's
language, the charts, the window names. Shared by ``views``, ``report`` and ``exports`` so the three say the
same thing."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.encoding import iri_to_uri
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from pingan.core.texts import day, days, lang, paren, render
from pingan.stats import charts, indicators
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
    spark: charts.Sparkline | None


@dataclass(frozen=True)
class WindowView:
    name: str
    label: str
    short: str
    current: object  # Period
    previous: object  # Period, or None: no such period last year (ISO week 53)
    iso_week: str  # "2026-W53": the ISO week of the as-of day

    @property
    def no_previous_text(self) -> str:
        return no_week_53_text()

    @property
    def current_text(self) -> str:
        """This year's days of the window as the reader's language writes them: ``12月7日`` for a week to date on
        its Monday, ``12月7日至12月13日`` / ``7–13 Dec`` (issue 11: "12-07–12-07")."""
        return days(self.current.start, self.current.end, year=False)

    @property
    def previous_text(self) -> str:
        """Last year's days of the window, with their year (``2025年12月8日至12月14日`` / ``8–14 Dec 2025``)."""
        return days(self.previous.start, self.previous.end) if self.previous is not None else no_week_53_text()


# ------------------------------------------------------------------------------- values not available, money
# A figure that cannot be given is said with its reason in the reader's language, never "n/a": a change over a
# zero base, a comparison with a year no data source covers, a rate with no offence to divide by, a category no
# source covers. The API keeps ``null`` (its schema says why).


def no_base_text() -> str:
    """The change when last year's count was zero (no percentage of zero)."""
    return pgettext("stats change", "0 last year")


def no_last_year_text() -> str:
    """Last year's cells when no data source covers the same period last year."""
    return pgettext("stats change", "no data for the same period last year")


def no_week_53_text() -> str:
    """Last year's cells of the week (and the 28 days) in an ISO week 53 that the previous ISO year did not
    have: there is no same week to compare with."""
    return pgettext("stats change", "no week 53 last year")


def missing_text(missing: str) -> str:
    """Why last year's figure of a window is not given (``WindowFigure.missing``): no such week, or no data."""
    return no_week_53_text() if missing == indicators.NO_WEEK_53 else no_last_year_text()


def missing_title(missing: str) -> str:
    """The longer explanation (a tooltip) of :func:`missing_text`."""
    if missing == indicators.NO_WEEK_53:
        return gettext("this is ISO week 53; the previous ISO year had 52 weeks, so there is no same week last "
                       "year to compare with")
    return gettext("no data source covers this period last year: its count is unknown, not zero")


def no_offences_text() -> str:
    """A clearance rate with no offence this year to divide by."""
    return pgettext("stats clearance", "no offences this year")


def no_clearance_text() -> str:
    """The clearance cells of a category whose data sources do not say which incidents were cleared."""
    return pgettext("stats clearance", "the data source records no clearances")


def no_source_text() -> str:
    """The cells of a category no data source covers at this date."""
    return pgettext("stats", "no data source for this category")


def source_label(key: str) -> str:
    """The name of an incident's source: the bureau's own file in the viewer's language, a public data set by
    its key (``chicago-crimes``). The pages' ``|source_label`` and the incidents download."""
    return gettext("bureau case file") if key == "bureau" else key


def source_ref_label(ref: str) -> str:
    """An incident's reference in its source: ``case:XM1`` → case number XM1, ``id:12`` → record 12, ``row:…`` →
    the fingerprint of a row without a case number. The pages' ``|source_ref_label`` and the incidents
    download."""
    kind, _sep, value = ref.partition(":")
    if kind == "case":
        return gettext("case number %(n)s") % {"n": value}
    if kind == "id":
        return gettext("record %(n)s") % {"n": value}
    if kind == "row":
        return gettext("row without a case number, fingerprint %(h)s") % {"h": value[:12]}
    return ref


def no_base_title() -> str:
    """The longer explanation (a tooltip) of :func:`no_base_text`."""
    return gettext("last year's count for this period was 0: a change from zero has no percentage")


def pct_text(change: float | None) -> str:
    """``+12.3%`` / ``-4.0%``; the reason (:func:`no_base_text`) when the base was zero."""
    return no_base_text() if change is None else f"{change * 100:+.1f}%"


def share_text(value: float | None) -> str:
    """``98.2%``; the reason (:func:`no_offences_text`) when there was no offence to divide by."""
    return no_offences_text() if value is None else f"{value * 100:.1f}%"


def over_100(row: CompStatRow) -> bool:
    """Whether the row's clearance rate is above 100 % (legitimate under the UCR rules: see
    :func:`over_100_note`)."""
    return row.clearance_ytd is not None and row.clearance_ytd > 1


def over_100_title(row: CompStatRow) -> str:
    """Why this row's rate is above 100 %, with its figures (a tooltip, a CLI footnote)."""
    return gettext("%(cleared)s offences cleared this year, %(earlier)s of them committed in earlier years, "
                   "against %(offences)s offences recorded this year: a clearance counts in the year it is made "
                   "(FBI UCR), so the rate can exceed 100%%.") % {
        "cleared": row.cleared_ytd, "earlier": row.cleared_earlier_ytd,
        "offences": int(row.windows["ytd"].current)}


def over_100_note(page: UnitPage, language: str | None = None, mark: str = "†") -> str:
    """The footnote of the rates above 100 % (marked ``mark``: † on pages, in files; the command line's table marks
    them with a character every terminal draws one column wide): what makes them legitimate, per category."""
    language = language or get_language()
    parts = [gettext("%(category)s: %(cleared)s cleared, %(earlier)s of them offences of earlier years, "
                     "%(offences)s recorded") % {
        "category": page.scheme.category(r.category).label(language), "cleared": r.cleared_ytd,
        "earlier": r.cleared_earlier_ytd, "offences": int(r.windows["ytd"].current)}
        for r in page.compstat.rows
        if over_100(r) and r.category in page.covered and page.clearance_recorded(r.category)]
    said = gettext("Above 100%%: more offences were cleared this year than were recorded, because offences of "
                   "earlier years cleared this year count this year (FBI UCR, “Offenses cleared”).") % {}
    return f"{mark} {said}" + (
        " " + pgettext("list separator", "; ").join(parts) + pgettext("sentence end", ".") if parts else "")


#: The source of the clearance rule pingan applies (``indicators.clearance_rate``): the FBI's definition of offences
#: cleared, read in its published text (Crime in the United States 2006, "Clearances", archived).
CLEARANCE_SOURCE_URL = ("https://web.archive.org/web/20150910045547/"
                        "https://www2.fbi.gov/ucr/cius2006/offenses/clearances/index.html")


def clearance_source_title() -> str:
    return gettext("FBI, Crime in the United States 2006, “Clearances”")


def clearance_rule_text() -> str:
    """The clearance counting rule pingan applies, said once for the page, the PDF and the exports (issue 11: it
    was cited as "FBI UCR, Summary Reporting System User Manual" on every page, the Chinese bureau's too, with
    nothing to check it by): the FBI UCR rule, for every classification; not a 公安部 rule."""
    return gettext("Clearance is counted by the FBI Uniform Crime Reporting (UCR) rule: offences, not persons, "
                   "cleared by arrest or by exceptional means, each counted in the year it is cleared. pingan "
                   "applies this rule to every classification, the Chinese ones included; it is not a Ministry of "
                   "Public Security counting rule, and a bureau's own clearance rate may be counted "
                   "otherwise.")


def clearance_rule_cited() -> str:
    """:func:`clearance_rule_text` with its source and address, for the PDF and the downloads."""
    return gettext("%(rule)s Source: %(title)s, %(url)s") % {
        "rule": clearance_rule_text(), "title": clearance_source_title(), "url": CLEARANCE_SOURCE_URL}


#: A rate over fewer offences than this is marked as based on small counts: one case more or less moves it by
#: 5 points or more. The threshold is the U.S. National Center for Health Statistics' rule for rates (fewer
#: than 20 events: "unreliable"; NCHS, Health, United States, Appendix II "Reliability of estimates").
SMALL_BASE = 20


def small_base(offences: int | None) -> bool:
    """Whether a rate over ``offences`` is marked as based on small counts (1 to :data:`SMALL_BASE` - 1)."""
    return offences is not None and 0 < offences < SMALL_BASE


# Money: a figure with its unit. Chinese figures of 10,000 and more are given in 万 (100 million and more in
# 亿), as Chinese statistical reports and the bureau's own figures do (涉案金额43.12亿元); English figures of a
# million and more in millions (a billion and more in billions). The unit follows the ISO 4217 currency of the
# data (``Incident.currency``; a unit's page: the currency of its sources' mappings).
_MONEY_ZH = {"CNY": "元", "USD": "美元"}
_MONEY_EN = {"CNY": ("{n} yuan", "{n} million yuan", "{n} billion yuan"),
             "USD": ("${n}", "${n} million", "${n} billion")}


def money(value, currency: str, language: str | None = None, *, exact: bool = False, scale_of=None) -> str:
    """``67128560`` CNY → ``6,712.86万元`` / ``67.13 million yuan``; ``1234.5`` → ``1,234.50 元`` /
    ``1,234.50 yuan``; USD → ``美元`` / ``$``; another or no currency: the amount and the code. ``""`` for
    ``None``. ``exact``: never in 万/亿 or millions (one case's amounts, to the fen). ``scale_of``: the amount
    whose size chooses the magnitude (default ``value``'s own) — amounts said together share one
    (:func:`money_together`)."""
    from decimal import Decimal

    if value is None:
        return ""
    v = Decimal(value)
    size = abs(Decimal(scale_of)) if scale_of is not None else abs(v)
    if lang(language, when_none="en") == "zh":
        unit = _MONEY_ZH.get(currency, currency)
        # a number and its magnitude stay together (6,712.86万元); a unit is spaced from a number (1,500.00 元)
        if not exact and size >= 100_000_000:
            return f"{v / 100_000_000:,.2f}亿{unit}"
        if not exact and size >= 10_000 and currency in _MONEY_ZH:
            return f"{v / 10_000:,.2f}万{unit}"
        return f"{v:,.2f} {unit}".strip()
    forms = _MONEY_EN.get(currency)
    if forms is None:
        return f"{v:,.2f} {currency}".strip()
    if exact:
        return forms[0].format(n=f"{v:,.2f}")
    if size >= 1_000_000_000:
        return forms[2].format(n=f"{v / 1_000_000_000:,.2f}")
    if size >= 1_000_000:
        return forms[1].format(n=f"{v / 1_000_000:,.2f}")
    return forms[0].format(n=f"{v:,.2f}")


def money_together(values, currency: str, language: str | None = None) -> list[str]:
    """Amounts said in one sentence, each in the magnitude of the largest (issue 11: '1.54 million yuan
    involved, 754,924.00 yuan recovered' → '1.54 million yuan involved, 0.75 million yuan recovered')."""
    from decimal import Decimal

    sizes = [abs(Decimal(v)) for v in values if v is not None]
    largest = max(sizes) if sizes else None
    return [money(v, currency, language, scale_of=largest) for v in values]


def money_unit(currency: str, language: str | None = None) -> str:
    """The unit a column of amounts is in (``元`` / ``yuan``; ``美元`` / ``US dollars``): for headers."""
    if lang(language, when_none="en") == "zh":
        return _MONEY_ZH.get(currency, currency)
    return {"CNY": "yuan", "USD": "US dollars"}.get(currency, currency)


def page_currency(page: UnitPage) -> str:
    """The currency of a unit's amounts: the one currency of its sources' mappings (``""`` when none or
    several)."""
    found = {_source_currency(s.source) for s in page.sources} - {""}
    return found.pop() if len(found) == 1 else ""


@functools.cache
def _source_currency(source: str) -> str:
    from pingan.stats.importers import mapping

    try:
        return mapping(source.split("-")[0]).get("currency", "")
    except FileNotFoundError:
        return ""


def rows(page: UnitPage, language: str | None = None) -> list[RowView]:
    """The table rows of a unit's CompStat, labelled in ``language`` (default: the active one)."""
    language = language or get_language()
    out = []
    days_ = page.compstat.trend_last_days
    for r in page.compstat.rows:
        cat = page.scheme.category(r.category)
        # the as-of week so far is set against the same days last year (the week to date's last year), not
        # last year's whole week
        spark = charts.sparkline(r.trend, r.trend_last_year, partial_days=days_,
                                 previous_partial=r.windows["wtd"].previous) if r.trend else None
        out.append(RowView(r, cat, cat.label(language), r.category in page.covered, spark))
    return out


def windows(page: UnitPage) -> list[WindowView]:
    return [WindowView(name, str(WINDOW_LABELS[name]), str(SHORT_LABELS[name]), cur, prev, iso_week(page.as_of))
            for name, (cur, prev) in page.compstat.windows.items()]


def headline(page: UnitPage) -> str | None:
    """The category the trend chart and the sub-units' table show: the scheme's headline (its total) when a
    data source covers it, else the first category one covers (the aggravated-assault file of Chicago covers
    no "Total Part I"; its pages show aggravated assault), ``None`` when none is covered."""
    key = headline_category(page.scheme)
    if key in page.covered:
        return key
    return next((c.key for c in page.scheme.categories if c.key in page.covered), None)


def trend(page: UnitPage) -> tuple[str | None, charts.TrendChart | None]:
    """The :func:`headline` category and its weekly trend chart (``None`` without trend data, or when no data
    source covers any category: no chart of zeros nobody counted)."""
    key = headline(page)
    if key is None:
        return None, None
    row = page.compstat.row(key)
    if not row.trend:
        return key, None
    return key, charts.trend_chart(page.compstat.trend_weeks, row.trend, row.trend_last_year,
                                   partial_days=page.compstat.trend_last_days)


def partial_week_text(page: UnitPage) -> str:
    """What the trends' last point is when the as-of day is not a Sunday: the week so far, with its days
    (``""`` for a whole week). The chart's legend, the small multiples' and the PDF's caption (issue 11: the
    last week of two days was drawn as a full week, a fall that was only fewer days)."""
    n = page.compstat.trend_last_days
    if n >= charts.WEEK_DAYS or not page.compstat.trend_weeks:
        return ""
    return gettext("this week so far (%(days)s, %(n)s of 7 days): not a whole week") % {
        "days": days(page.compstat.trend_weeks[-1], page.as_of, year=False), "n": n}


def multiples_text(page: UnitPage) -> str:
    """What the small multiples' totals count: the 52 weeks they draw, which is not the year to date of the
    tables (issue 11: "5178" under the chart beside a year to date of 5278 — the weeks start on 8 January)."""
    if not page.compstat.trend_weeks:
        return ""
    text = gettext("Each total counts the %(n)s weeks drawn, %(span)s — not the year to date (%(ytd)s) of the "
                   "tables; last year's, the same weeks a year earlier.") % {
        "n": len(page.compstat.trend_weeks), "span": days(page.compstat.trend_weeks[0], page.as_of),
        "ytd": days(dt.date(page.as_of.year, 1, 1), page.as_of)}
    n = page.compstat.trend_last_days
    if n < charts.WEEK_DAYS:
        text += " " + gettext("The last week is this week so far (%(n)s of 7 days), set against the same days "
                              "last year.") % {"n": n}
    return text


def scheme_text(scheme, language: str | None = None) -> str:
    """A classification as people read it: its name and version ("公安局主要指标（版本 2026.1）" / "Bureau
    headline figures (version 2026.1)"), never its id ``cn_headline@2026.1`` (issue 11: the command line, the
    PDF and the downloads printed the id). The API and the audit trail keep the id (``Scheme.stamp``)."""
    return scheme.label(language or get_language()) + paren(gettext("version %(v)s") % {"v": scheme.version})


def week_label(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of the as-of week."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    return monday, monday + dt.timedelta(days=6)


def iso_week(day: dt.date) -> str:
    """``2026-W53``: the ISO 8601 week of ``day`` (its ISO year may differ from the calendar year); for
    programs and file names — a person reads :func:`week_text`."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_text(day: dt.date) -> str:
    """The ISO week of ``day`` as the reader's language says it: ``2026 年第 50 周`` / ``Week 50, 2026`` (issue 11:
    "第 2026-W50 周"); the year is the ISO year (29 December 2025 is in week 1 of 2026)."""
    year, week, _weekday = day.isocalendar()
    return gettext("Week %(week)s, %(year)s") % {"week": week, "year": year}


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
    return pct_text(change)


def window_tables(page: UnitPage, row_views: list[RowView], windows_: list[WindowView], query: str
                  ) -> list[tuple[WindowView, list[TableRow]]]:
    """For each window, its table rows: this year (linked to the drill-down), last year (linked), the
    change; a dash where no data source covers the category (this year, or last year)."""
    drill = escape(f"{reverse('stats:incidents', args=[page.unit.code])}?{query}&category=")
    no_source = escape(no_source_text())
    no_source_title = escape(gettext("no data source covers this category at this date"))
    out = []
    for w in windows_:
        body = []
        for r in row_views:
            f = r.row.windows[w.name]
            css = "group" if r.row.is_group else ""
            if not r.covered:
                body.append(TableRow(css, r.label, mark_safe(  # noqa: S308 - constant text, escaped title
                    f'<td class="na" colspan="3" title="{no_source_title}">{no_source}</td>')))
                continue
            link = f"{drill}{escape(r.row.category)}&amp;window={w.name}"
            up = " up" if f.increase else ""
            if f.previous is not None:
                na = " na" if f.change is None else ""
                title = f' title="{escape(no_base_title())}"' if f.change is None else ""
                html = (f'<td class="n{up}"><a href="{link}">{int(f.current)}</a></td>'
                        f'<td class="n"><a href="{link}_prev">{int(f.previous)}</a></td>'
                        f'<td class="n{up}{na}"{title}>{escape(_change(f.change))}</td>')
            else:
                html = (f'<td class="n"><a href="{link}">{int(f.current)}</a></td>'
                        f'<td class="na" colspan="2" title="{escape(missing_title(f.missing))}">'
                        f'{escape(missing_text(f.missing))}</td>')
            body.append(TableRow(css, r.label, mark_safe(html)))  # noqa: S308 - every part escaped above
        out.append((w, body))
    return out


def children_table(page: UnitPage, windows_: list[WindowView], query: str) -> list[tuple[str, str, SafeString]]:
    """The sub-units' headline figures: (link, name, the window cells) per sub-unit."""
    base = reverse("stats:unit", args=["-"])[:-2]  # "/stats/u/"
    key = headline(page)
    out = []
    for c in page.children:
        cells = []
        for w in windows_:
            if key is None:
                cells.append(f'<td class="na" colspan="2">{escape(no_source_text())}</td>')
                continue
            f = c.compstat.row(key).windows[w.name]
            if f.previous is None:
                cells.append(f'<td class="n">{int(f.current)}</td><td class="na" title="'
                             f'{escape(missing_title(f.missing))}">{escape(missing_text(f.missing))}</td>')
                continue
            up = " up" if f.increase else ""
            cells.append(f'<td class="n{up}">{int(f.current)} <span class="muted">({int(f.previous)})</span></td>'
                         f'<td class="n{up}">{escape(_change(f.change))}</td>')
        out.append((f"{base}{iri_to_uri(c.unit.code)}/?{query}", c.unit.label,
                    mark_safe("".join(cells))))  # noqa: S308 - numbers and escaped text only
    return out


@dataclass(frozen=True)
class ClearanceRow:
    """One line of the clearance table: this year's offences, those cleared this year (of which exceptionally),
    the rate and whether it rests on small counts, this year's offences cleared so far (where the scheme asks
    for it), the zero-incident streak."""

    label: str
    is_group: bool
    offences: int
    cleared: int
    exceptional: int
    rate: str
    rate_small: bool
    current_year: bool
    current_year_cleared: int | None
    current_year_rate: str
    streak: object
    over_100: bool = False
    over_100_title: str = ""
    known: bool = True  # a source records clearances (else the cells say no_clearance_text)


def clearance_rows(row_views: list[RowView],
                   recorded: Callable[[str], bool] | None = None) -> list[ClearanceRow]:
    """The clearance table's rows (categories some source covers); ``recorded(category)``: whether a source
    records the category's clearances (``UnitPage.clearance_recorded``; ``None``: all do)."""
    out = []
    for rv in row_views:
        if not rv.covered:
            continue
        r = rv.row
        offences = int(r.windows["ytd"].current)
        if recorded is not None and not recorded(r.category):
            out.append(ClearanceRow(rv.label, r.is_group, offences, 0, 0, no_clearance_text(), False, False, None,
                                    "", r.streak, known=False))
            continue
        current_year = r.current_year_cleared is not None or r.current_year_clearance is not None
        out.append(ClearanceRow(rv.label, r.is_group, offences, r.cleared_ytd, r.exceptional_ytd,
                                share_text(r.clearance_ytd), small_base(offences), current_year,
                                r.current_year_cleared, share_text(r.current_year_clearance) if current_year else "",
                                r.streak, over_100(r), over_100_title(r) if over_100(r) else ""))
    return out


def loaded(page: UnitPage) -> str:
    """What the unit's figures rest on (issue 11's trial: a unit without incidents showed rows of zeros and never
    said whether anything had been loaded): ``"nothing"`` — no incident data in the unit's organisation at all,
    so there is nothing to count (the page says how data get in, and shows no table of zeros); ``"none_recorded"``
    — data were loaded, and none of its incidents is the unit's (its zeros are counts: none recorded);
    ``"recorded"``."""
    if page.first_day is None:
        return "nothing"
    return "recorded" if page.unit_recorded else "none_recorded"


def nothing_loaded_text(unit) -> str:
    """What the page, the PDF, the CSV/XLSX and the command line say instead of a table of zeros when no
    incident data has been loaded in the unit's organisation (issue 11: the downloads printed zeros)."""
    return gettext("No incident data has been loaded, so there is nothing to count for %(unit)s.") % {
        "unit": unit.label}


def how_to_load_text() -> str:
    """How incident data get in (after :func:`nothing_loaded_text`)."""
    return gettext("The figures appear once an analyst imports the bureau's incident file: Statistics › Import a "
                   "bureau file (the template is there too), or the command pingan stats import at the server. "
                   "Until then no table is shown: a table of zeros would read as “no crime”.")


def no_data_for_period_text(unit, start: dt.date, end: dt.date, first: dt.date | None,
                            last: dt.date | None) -> str:
    """Why a period's counts of ``unit`` (the public release) cannot be given: nothing loaded at all, or the
    data loaded (``first``–``last``, the organisation's span) hold no day of the period; ``""`` when they
    do."""
    if first is None:
        return nothing_loaded_text(unit)
    if end < first or start > last:
        return gettext("The data loaded (%(span)s) hold no day of %(period)s: there is nothing to count for "
                       "%(unit)s in that period, which is not a count of zero.") % {
            "span": days(first, last), "period": days(start, end), "unit": unit.label}
    return ""


def _nowrap(text: str) -> SafeString:
    return format_html('<span class="dates">{}</span>', text)


def compstat_context(page: UnitPage, *, can_watch: bool) -> dict:
    """What ``stats/partials/compstat.html`` (and the page around it) renders for ``page``."""
    head_key, chart = trend(page)
    query = f"as_of={page.as_of.isoformat()}&scheme={page.scheme.id}"
    row_views, windows_ = rows(page), windows(page)
    clearance = clearance_rows(row_views, page.clearance_recorded)
    return {"p": page, "rows": row_views, "show_current_year": any(c.current_year for c in clearance),
            "over_100_note": over_100_note(page) if any(c.over_100 for c in clearance) else "",
            "traffic_missing": missing_text(page.traffic.missing) if page.traffic else "",
            "traffic_missing_title": missing_title(page.traffic.missing) if page.traffic else "",
            "windows": windows_, "trend": chart,
            "window_tables": window_tables(page, row_views, windows_, query),
            "children": children_table(page, windows_, query), "clearance": clearance,
            "currency": page_currency(page), "small_base": SMALL_BASE,
            "trend_category": page.scheme.category(head_key) if head_key else None,
            "partial_week": partial_week_text(page), "multiples_how": multiples_text(page),
            "clearance_rule": clearance_rule_text(), "clearance_source": clearance_source_title(),
            "clearance_url": CLEARANCE_SOURCE_URL,
            # dates as the language writes them (issue 11: "第 2026-W50 周", "12-07-12-07"), never broken across
            # lines on a phone
            "as_of_html": _nowrap(f"{day(page.as_of)}{paren(date_format(page.as_of, 'D'))}"),
            "week_text": _nowrap(week_text(page.as_of)),
            "week_html": _nowrap(days(*week_label(page.as_of), year=False)),
            "data_span": days(page.first_day, page.last_day) if page.first_day else "",
            "loaded": loaded(page),
            "query": query, "can_watch": can_watch}


#: The import notes (``importers.note``) in the reader's language, registered with ``pingan.core.texts``.
NOTE_TEXTS = {f"stats_import.{name}": template for name, template in {
    "placed_by_point": _("%(placed)s incidents placed in a borough by their coordinates"),
    "homicides_placed_by_point": _("%(placed)s of %(total)s homicides placed in a borough by their coordinates"),
    "crashes_placed_by_point": _("%(placed)s crashes without a BOROUGH placed by their coordinates; %(city)s with "
                                 "neither counted for the city only"),
    "outside_districts": _("%(n)s incidents outside the city's districts (“%(label)s” or none) are counted for the "
                           "city only"),
    "encoding": _("encoding %(encoding)s"),
    "header_row": _("header on row %(row)s; rows above it skipped as titles"),
}.items()}


def note_text(note) -> str:
    """An import note (``ImportBatch.notes``: a code and parameters) in the active language; a note stored as
    text by an early import as it is."""
    return render(note) if isinstance(note, dict) else str(note)


BLOCK_LABEL = pgettext_lazy("city block", "Block")
