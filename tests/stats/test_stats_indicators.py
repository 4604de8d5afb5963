"""CompStat indicators on small hand-made data, each expected value worked out in the test (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.stats import classify, indicators
from pingan.stats.classify import Key
from pingan.stats.indicators import ClearRow, DayRow, Period

D = dt.date
ROBBERY = Key("robbery", "street", False, 0)
MURDER = Key("homicide.murder", "", False, 2)
ATT_MURDER = Key("homicide.murder", "", True, 1)
THEFT = Key("theft.larceny", "", False, 0)
PICKPOCKET_BUS = Key("theft.larceny.pickpocket", "bus", False, 0)


def test_it_runs_the_week_monday_to_the_as_of_day_and_compares_52_weeks_back():
    w = indicators.compstat_windows(D(2024, 1, 3))  # a Wednesday
    assert w["wtd"] == (Period(D(2024, 1, 1), D(2024, 1, 3)), Period(D(2023, 1, 2), D(2023, 1, 4)))
    assert w["wtd"][1].start.weekday() == 0  # last year's window starts on a Monday too
    assert w["d28"] == (Period(D(2023, 12, 7), D(2024, 1, 3)), Period(D(2022, 12, 8), D(2023, 1, 4)))
    assert w["ytd"] == (Period(D(2024, 1, 1), D(2024, 1, 3)), Period(D(2023, 1, 1), D(2023, 1, 3)))


def test_it_compares_29_february_year_to_date_with_28_february():
    w = indicators.compstat_windows(D(2024, 2, 29))
    assert w["ytd"] == (Period(D(2024, 1, 1), D(2024, 2, 29)), Period(D(2023, 1, 1), D(2023, 2, 28)))
    assert w["ytd"][0].days == 60 and w["ytd"][1].days == 59


def test_it_gives_the_change_as_a_fraction_and_n_a_on_a_zero_base():
    assert indicators.pct_change(86, 100) == pytest.approx(-0.14)  # the seed's "criminal incidents down 14 %"
    assert indicators.pct_change(3, 0) is None
    assert indicators.pct_change(0, 0) is None
    assert indicators.pct_change(0, 5) == -1.0


def test_it_sums_each_window_and_highlights_increases():
    as_of = D(2024, 3, 6)  # Wednesday; week to date 4-6 March, last year 6-8 March 2023
    rows = [
        DayRow(D(2024, 3, 4), ROBBERY, 2), DayRow(D(2024, 3, 6), ROBBERY, 1),  # this week: 3
        DayRow(D(2024, 2, 20), ROBBERY, 4),  # in the 28 days (8 Feb - 6 Mar) but not the week
        DayRow(D(2024, 1, 2), ROBBERY, 10),  # year to date only
        DayRow(D(2023, 3, 7), ROBBERY, 1),  # last year's week
        DayRow(D(2023, 2, 15), ROBBERY, 2),  # last year's 28 days (9 Feb - 8 Mar 2023)
        DayRow(D(2023, 3, 9), ROBBERY, 50),  # after last year's as-of day: in no window
        DayRow(D(2022, 12, 31), ROBBERY, 99),  # before last year's year to date
    ]
    scheme = classify.scheme("cn_lqyd_general")
    sums = indicators.sums_from_days(rows, [], indicators.compstat_periods(as_of))
    cs = indicators.compstat(scheme, as_of, sums, weeks=indicators.weeks_from_days(rows))
    r = cs.row("robbery")
    assert (r.windows["wtd"].current, r.windows["wtd"].previous) == (3, 1)
    assert (r.windows["d28"].current, r.windows["d28"].previous) == (7, 3)
    # last year's week (shifted 364 days) ends on 8 March; last year's year to date on the calendar day, 6 March
    assert (r.windows["ytd"].current, r.windows["ytd"].previous) == (17, 2)
    assert r.windows["wtd"].change == pytest.approx(2.0) and r.windows["wtd"].increase
    assert cs.row("snatching").windows["ytd"].change is None  # 0 against 0
    two = cs.row("two_robberies")  # a group sums its members
    assert two.is_group and two.windows["ytd"].current == 17
    assert len(r.trend) == 52 and r.trend[-1] == 3 and sum(r.trend) == 3 + 4 + 10  # 52 weeks: from 13 March 2023
    assert r.trend_last_year[-1] == 1 + 50  # the week of 6-12 March 2023


def test_it_counts_victims_where_the_scheme_counts_victims():
    as_of = D(2024, 6, 30)
    rows = [DayRow(D(2024, 6, 1), MURDER, n=1, victims=3, killed=3), DayRow(D(2024, 6, 2), ROBBERY, n=2, victims=5)]
    sums = indicators.sums_from_days(rows, [], indicators.compstat_periods(as_of))
    ucr = indicators.compstat(classify.scheme("ucr_part1"), as_of, sums)
    assert ucr.row("homicide").windows["ytd"].current == 3  # UCR: one offence per victim of a murder
    assert ucr.row("robbery").windows["ytd"].current == 2  # robbery: one per incident
    cn = indicators.compstat(classify.scheme("cn_headline"), as_of, sums)
    assert cn.row("homicide_cases").windows["ytd"].current == 1  # 命案 counts cases


def test_it_counts_an_attempted_murder_as_aggravated_assault_in_ucr_and_homicide_in_the_eight_kinds():
    as_of = D(2024, 6, 30)
    sums = indicators.sums_from_days([DayRow(D(2024, 5, 1), ATT_MURDER, 1, victims=1)], [],
                                     indicators.compstat_periods(as_of))
    ucr = indicators.compstat(classify.scheme("ucr_part1"), as_of, sums)
    assert ucr.row("homicide").windows["ytd"].current == 0
    assert ucr.row("aggravated_assault").windows["ytd"].current == 1
    nypd = indicators.compstat(classify.scheme("nypd_seven_majors"), as_of, sums)
    assert nypd.row("felony_assault").windows["ytd"].current == 1 and nypd.row("murder").windows["ytd"].current == 0
    eight = indicators.compstat(classify.scheme("cn_eight_kinds_ppr263"), as_of, sums)
    assert eight.row("homicide").windows["ytd"].current == 1  # 故意杀人 includes attempts


def test_it_clears_by_ucr_rules_as_savannah_counted_its_2016_homicides():
    """Savannah-Chatham PD, 2016 (savannahpd.org, "SCMPD explains application of UCR rules"): 50 homicides;
    37 cleared by arrest, 8 of them offences of 2015; 1 cleared exceptionally (a murder-suicide) → 38/50 = 76 %.
    This year's offences cleared: 29 by arrest + 1 exceptionally = 30 of 50 = 60 %."""
    as_of = D(2016, 12, 31)
    rows = [DayRow(D(2016, 1, 1) + dt.timedelta(days=7 * i), MURDER, 1, victims=1) for i in range(50)]
    clears = [ClearRow(D(2016, 6, 1), MURDER, arrest=29, same_year=29),  # this year's offences
              ClearRow(D(2016, 3, 1), MURDER, arrest=8, same_year=0),  # 2015's, cleared in 2016
              ClearRow(D(2016, 9, 1), MURDER, arrest=0, exceptional=1, same_year=1)]
    sums = indicators.sums_from_days(rows, clears, indicators.compstat_periods(as_of))
    r = indicators.compstat(classify.scheme("ucr_part1"), as_of, sums).row("homicide")
    assert (r.cleared_ytd, r.exceptional_ytd) == (38, 1)
    assert r.clearance_ytd == pytest.approx(0.76)
    assert (r.current_year_cleared, r.current_year_clearance) == (30, pytest.approx(0.60))


def test_a_clearance_rate_can_exceed_100_percent_and_is_n_a_without_offences():
    assert indicators.clearance_rate(12, 10) == pytest.approx(1.2)  # earlier years' offences cleared this year
    assert indicators.clearance_rate(3, 0) is None


# ------------------------------------------------------------------------------------------------ streaks


def test_a_streak_runs_across_the_new_year():
    s = indicators.streak([D(2023, 12, 20), D(2024, 1, 10)], as_of=D(2024, 1, 31), since=D(2023, 1, 1))
    assert s.current == 21 and s.current_start == D(2024, 1, 11)  # 11-31 January
    assert s.longest == 353 and (s.longest_start, s.longest_end) == (D(2023, 1, 1), D(2023, 12, 19))
    assert s.longest_open_start  # it reaches back to the first day of the data: "at least"
    between = indicators.streak([D(2023, 12, 20), D(2024, 1, 10)], as_of=D(2024, 1, 10), since=D(2023, 12, 20))
    assert between.longest == 20 and between.longest_start == D(2023, 12, 21)  # 12 days of Dec + 9 of Jan - 1
    assert between.current == 0 and between.current_start is None


def test_a_streak_counts_29_february():
    leap = indicators.streak([D(2024, 2, 27), D(2024, 3, 2)], as_of=D(2024, 3, 2), since=D(2024, 2, 27))
    common = indicators.streak([D(2023, 2, 27), D(2023, 3, 2)], as_of=D(2023, 3, 2), since=D(2023, 2, 27))
    assert (leap.longest, common.longest) == (3, 2)  # 28, 29 Feb, 1 Mar against 28 Feb, 1 Mar


def test_a_streak_without_any_incident_is_the_whole_data_span_and_says_so():
    s = indicators.streak([], as_of=D(2024, 12, 31), since=D(2024, 1, 1))
    assert s.current == s.longest == 366 and s.current_open_start and s.last_incident is None
    # the seed's "两抢 zero for 306 consecutive days": last robbery on 1 March, as of 1 January next year
    s = indicators.streak([D(2024, 3, 1)], as_of=D(2025, 1, 1), since=D(2024, 1, 1))
    assert s.current == 306 and not s.current_open_start


def test_a_streak_prefers_the_latest_of_equal_runs_and_ignores_days_outside_the_range():
    s = indicators.streak([D(2024, 1, 4), D(2024, 1, 8), D(2023, 5, 5), D(2024, 2, 1)], as_of=D(2024, 1, 11),
                          since=D(2024, 1, 1))
    assert s.longest == 3 and s.longest_start == D(2024, 1, 9)  # 1-3, 5-7 and 9-11 Jan: the latest
    assert s.current == 3 and s.last_incident == D(2024, 1, 8)
    with pytest.raises(ValueError, match="after"):
        indicators.streak([], as_of=D(2024, 1, 1), since=D(2024, 1, 2))


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 400), max_size=40), st.integers(0, 400), st.integers(0, 60))
def test_a_streak_matches_counting_day_by_day(offsets, as_of_offset, since_offset):
    start = D(2023, 11, 1)
    since, as_of = start + dt.timedelta(days=min(since_offset, as_of_offset)), start + dt.timedelta(days=as_of_offset)
    days = {start + dt.timedelta(days=o) for o in offsets}
    s = indicators.streak(days, as_of, since)
    runs, run = [], 0
    d = since
    while d <= as_of:
        run = 0 if d in days else run + 1
        runs.append(run)
        d += dt.timedelta(days=1)
    assert s.current == runs[-1]
    assert s.longest == max(runs)


# ------------------------------------------------------------------------------------------------ traffic


def test_the_four_traffic_indicators_reproduce_the_2007_to_2008_national_changes():
    """National figures (standards notes §5.4): 2007 327,209 accidents, 81,649 deaths, 380,442 injured,
    1.2 bn yuan; 2008 265,204, 73,484, 304,919, 1.01 bn → about −19 %, −10 %, −20 %, −15.8 %."""
    y2007 = indicators.TrafficFigures(327_209, 327_209, 81_649, 380_442, Decimal("1200000000"))
    y2008 = indicators.TrafficFigures(265_204, 265_204, 73_484, 304_919, Decimal("1010000000"))
    t = indicators.traffic_indicators(y2008, y2007)
    assert round(t.change["accidents"] * 100) == -19
    assert round(t.change["deaths"] * 100) == -10
    assert round(t.change["injured"] * 100) == -20
    assert round(t.change["loss"] * 100, 1) == -15.8
    assert t.deaths_per_10k_vehicles is None  # no vehicle count, no rate
    assert indicators.deaths_per_10k_vehicles(73_484, 170_000_000) == pytest.approx(4.32, abs=0.01)


def test_traffic_keeps_all_reported_accidents_apart_from_those_with_casualties():
    as_of = D(2023, 1, 31)
    acc = "traffic.accident"
    rows = [DayRow(D(2023, 1, 5), Key(acc, "street", False, 0), 10),
            DayRow(D(2023, 1, 6), Key(acc, "street", False, 1), 3, injured=4),
            DayRow(D(2023, 1, 7), Key(acc, "street", False, 2), 1, injured=1, killed=2, loss=Decimal("5000"))]
    sums = indicators.sums_from_days(rows, [], indicators.compstat_periods(as_of))
    f = indicators.traffic_figures(sums, "ytd")
    assert (f.all_reported, f.accidents, f.deaths, f.injured, f.loss) == (14, 4, 2, 5, Decimal("5000"))
    cs = indicators.compstat(classify.scheme("traffic"), as_of, sums)
    assert [cs.row(k).windows["ytd"].current for k in ("all_reported", "with_casualties", "fatal")] == [14, 4, 1]


@settings(max_examples=300, deadline=None)
@given(st.dates(D(2000, 1, 1), D(2030, 12, 31)), st.integers(0, 800))
def test_whole_weeks_and_leftover_days_cover_a_period_exactly_once(start, length):
    period = indicators.Period(start, start + dt.timedelta(days=length))
    mondays, days = indicators.split_weeks(period)
    covered = [d for r in days for d in (r.start + dt.timedelta(days=i) for i in range(r.days))]
    if mondays:
        assert mondays.start.weekday() == 0 and mondays.end.weekday() == 0
        for i in range(0, mondays.days, 7):
            covered += [mondays.start + dt.timedelta(days=i + k) for k in range(7)]
    assert sorted(covered) == [period.start + dt.timedelta(days=i) for i in range(period.days)]
    if mondays:
        assert len(days) <= 2 and all(r.days < 7 for r in days)
    else:
        assert days == [period] and period.days <= 12


def test_a_year_to_date_splits_into_whole_weeks_and_its_two_ends():
    mondays, days = indicators.split_weeks(indicators.Period(D(2024, 1, 1), D(2024, 12, 31)))  # Mon .. Tue
    assert mondays == indicators.Period(D(2024, 1, 1), D(2024, 12, 23)) and days == [
        indicators.Period(D(2024, 12, 30), D(2024, 12, 31))]
    assert indicators.split_weeks(indicators.Period(D(2024, 3, 6), D(2024, 3, 9))) == (
        None, [indicators.Period(D(2024, 3, 6), D(2024, 3, 9))])
