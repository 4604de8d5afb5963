"""Issue 11: the week view compared ISO week 53 with "last year" inside the same ISO year (as of 2026-12-31 the
week 2026-12-28..31 against 2025-12-29..2026-01-01, which is 2026-W01), because last year's week was always
364 days back. Last year's week and 28 days are now the same ISO week and weekday of the previous ISO year
(52 or 53 weeks back); week 53 against a year without one has no comparison, said so; the year to date runs
on the calendar (29 February against 28 February). Pure: no database."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.stats import charts, classify, indicators
from pingan.stats.classify import Key
from pingan.stats.indicators import DayRow, Period

D = dt.date
THEFT = Key("theft.larceny", "", False, 0)


def test_week_53_is_not_compared_with_week_1_of_the_same_iso_year():
    as_of = D(2026, 12, 31)  # Thursday of 2026-W53; 2025 has 52 ISO weeks
    assert as_of.isocalendar()[:2] == (2026, 53) and indicators.iso_weeks(2025) == 52
    w = indicators.compstat_windows(as_of)
    assert w["wtd"] == (Period(D(2026, 12, 28), D(2026, 12, 31)), None)  # was 2025-12-29..2026-01-01 (2026-W01)
    assert w["d28"][1] is None
    assert w["ytd"] == (Period(D(2026, 1, 1), D(2026, 12, 31)), Period(D(2025, 1, 1), D(2025, 12, 31)))
    assert indicators.no_prior_reason(as_of, "wtd") == indicators.NO_WEEK_53
    assert indicators.no_prior_reason(as_of, "ytd") is None
    # the table says there is no such week: previous None with its reason, not 0, no change, no increase
    rows = [DayRow(D(2026, 12, 29), THEFT, 4), DayRow(D(2025, 12, 30), THEFT, 9)]  # 2025-12-30 is 2026-W01
    cs = indicators.compstat(classify.scheme("cn_lqyd_general"), as_of,
                             indicators.sums_from_days(rows, [], indicators.compstat_periods(as_of)))
    f = cs.row("theft").windows["wtd"]
    assert (f.current, f.previous, f.change, f.increase, f.missing) == (4, None, None, False, indicators.NO_WEEK_53)
    assert "wtd_prev" not in indicators.compstat_periods(as_of)


def test_week_53_never_has_a_same_week_last_year():
    for as_of in (D(2021, 1, 1), D(2016, 1, 1), D(2032, 12, 30)):  # 2020-W53, 2015-W53, 2032-W53
        assert as_of.isocalendar()[1] == 53
        assert indicators.compstat_windows(as_of)["wtd"][1] is None
    # two 53-week ISO years are never consecutive, so a week 53 is always compared with nothing
    assert all(not (indicators.iso_weeks(y) == 53 and indicators.iso_weeks(y - 1) == 53) for y in range(1900, 2200))


def test_the_year_after_a_53_week_year_compares_with_the_same_week_number_53_weeks_back():
    as_of = D(2027, 3, 10)  # Wednesday of 2027-W10; 2026 had 53 weeks
    w = indicators.compstat_windows(as_of)
    prev = w["wtd"][1]
    assert prev == Period(D(2026, 3, 2), D(2026, 3, 4))  # 2026-W10 (364 days back was 2026-W11: 3-9 .. 3-11)
    assert prev.start.isocalendar()[:2] == (2026, 10)
    assert w["d28"][1] == w["d28"][0].shifted(-371)


def test_a_year_to_date_on_29_february_and_on_1_march():
    w = indicators.compstat_windows(D(2024, 2, 29))
    assert w["ytd"][1] == Period(D(2023, 1, 1), D(2023, 2, 28))
    w = indicators.compstat_windows(D(2025, 3, 1))  # last year's includes its 29 February
    assert w["ytd"][1] == Period(D(2024, 1, 1), D(2024, 3, 1))
    w = indicators.compstat_windows(D(2025, 2, 28))
    assert w["ytd"][1] == Period(D(2024, 1, 1), D(2024, 2, 28))


def test_the_trend_compares_the_same_iso_weeks_and_leaves_a_gap_for_a_missing_week_53():
    as_of = D(2027, 1, 13)  # 2027-W02: the 52 weeks run 2026-W03 .. 2027-W02, through 2026-W53
    cur, prev = indicators.trend_mondays(as_of)
    assert len(cur) == len(prev) == 52
    for c, p in zip(cur, prev, strict=True):
        y, wk, _d = c.isocalendar()
        if wk == 53:
            assert p is None  # 2025 had no week 53
        else:
            assert p.isocalendar()[:3] == (y - 1, wk, 1)
    assert prev.count(None) == 1
    rows = [DayRow(c, THEFT, 2) for c in cur] + [DayRow(p, THEFT, 1) for p in prev if p]
    cs = indicators.compstat(classify.scheme("cn_lqyd_general"), as_of,
                             indicators.sums_from_days(rows, [], indicators.compstat_periods(as_of)),
                             weeks=indicators.weeks_from_days(rows))
    r = cs.row("theft")
    assert r.trend == (2,) * 52 and r.trend_last_year.count(None) == 1 and sum(filter(None, r.trend_last_year)) == 51
    chart = charts.trend_chart(cur, r.trend, r.trend_last_year)
    assert len(chart.previous) == 2 and len(chart.current) == 1  # the dashed line is broken at week 53
    spark = charts.sparkline(r.trend, r.trend_last_year)
    assert (spark.total, spark.total_previous) == (102, 51)  # the weeks both years have


def test_last_years_figure_is_not_given_where_no_source_covers_it():
    as_of = D(2024, 3, 6)
    rows = [DayRow(D(2024, 3, 4), THEFT, 3)]
    sums = indicators.sums_from_days(rows, [], indicators.compstat_periods(as_of))
    starts_2024 = Period(D(2024, 1, 1), D(2024, 12, 31))

    def covered(category: str, period: Period) -> bool:
        return starts_2024.start <= period.start and period.end <= starts_2024.end

    cs = indicators.compstat(classify.scheme("cn_lqyd_general"), as_of, sums, covered=covered,
                             weeks=indicators.weeks_from_days(rows))
    f = cs.row("theft").windows["wtd"]
    assert (f.current, f.previous, f.change, f.missing) == (3, None, None, indicators.NO_DATA)  # not "0 last year"
    assert set(cs.row("theft").trend_last_year) == {None}
    without = indicators.compstat(classify.scheme("cn_lqyd_general"), as_of, sums)
    assert without.row("theft").windows["wtd"].previous == 0  # covered: a real zero, "0 last year"


@settings(max_examples=500, deadline=None)
@given(st.dates(D(1990, 1, 1), D(2100, 12, 31)))
def test_last_years_periods_are_the_same_iso_weeks_and_calendar_days(as_of):
    year, week, weekday = as_of.isocalendar()
    w = indicators.compstat_windows(as_of)
    wtd, wtd_prev = w["wtd"]
    d28, d28_prev = w["d28"]
    assert wtd.start.weekday() == 0 and wtd.end == as_of and wtd.start.isocalendar()[:2] == (year, week)
    assert d28.days == 28 and d28.end == as_of
    if week > indicators.iso_weeks(year - 1):
        assert week == 53 and wtd_prev is None and d28_prev is None
    else:
        # the same ISO week and weekday of the previous ISO year, never a day of this ISO year
        assert wtd_prev.end.isocalendar() == (year - 1, week, weekday)
        assert wtd_prev.start.isocalendar() == (year - 1, week, 1)
        assert wtd_prev.days == wtd.days
        assert d28_prev.days == 28 and d28_prev.end == wtd_prev.end
        assert (as_of - wtd_prev.end).days in (364, 371)
        assert d28_prev.end.isocalendar()[0] == year - 1 and d28_prev.end < d28.start
    ytd, ytd_prev = w["ytd"]
    assert ytd == Period(D(as_of.year, 1, 1), as_of)
    assert ytd_prev.start == D(as_of.year - 1, 1, 1) and ytd_prev.end.year == as_of.year - 1
    if (as_of.month, as_of.day) == (2, 29):
        assert (ytd_prev.end.month, ytd_prev.end.day) == (2, 28)
    else:
        assert (ytd_prev.end.month, ytd_prev.end.day) == (as_of.month, as_of.day)
    assert abs(ytd.days - ytd_prev.days) <= 1
    # the trend: each week against the same ISO week of the previous ISO year, or a gap for a missing week 53
    cur, prev = indicators.trend_mondays(as_of)
    for c, p in zip(cur, prev, strict=True):
        cy, cw, _ = c.isocalendar()
        assert (p is None) == (cw > indicators.iso_weeks(cy - 1))
        if p is not None:
            assert p.isocalendar() == (cy - 1, cw, 1)
    span = indicators.span_needed(as_of)
    assert all(span.start <= p.start for pair in w.values() for p in pair if p is not None)
