"""The rules' arithmetic at its boundaries (Order 663 Arts. 2, 9, 10; the Xiamen booking rules), with
hypothesis for the date, slot and queue algorithms. Pure: no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.citizen import rules

R = rules.permit_rules()
B = rules.booking_rules()
# The machine is shared and loaded: a stall is not a slow strategy.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))
EMPLOYED = {"id_card", "photo", "lease", "labour_contract"}


def test_the_rules_name_their_source_and_the_legal_constants():
    assert R.version == "order663-2016" and "Order 663" in R.source["en"] and "国务院令第663号" in R.source["zh"]
    assert (R.residence_amount, R.residence_unit, R.residence_article) == (6, "months", "Art. 2")
    assert (R.issue_days, R.issue_max_days, R.issue_article) == (15, 30, "Art. 9")
    assert R.endorsement_article == "Art. 10"
    assert (B.max_working_days_ahead, B.no_show_limit, B.suspension_months, B.cancel_min_days_ahead) == (7, 2, 3, 1)


@pytest.mark.parametrize(("on", "eligible"), [
    (dt.date(2025, 9, 14), False),  # one day short of six calendar months
    (dt.date(2025, 9, 15), True),   # six months to the day
    (dt.date(2025, 9, 16), True),
])
def test_six_months_residence_at_the_boundary(on, eligible):
    got = rules.check_eligibility(R, residence_since=dt.date(2025, 3, 15), on=on, basis="employment",
                                  documents=EMPLOYED)
    assert got.eligible is eligible
    if not eligible:
        assert got.findings[0].code == "residence_too_short" and got.findings[0].article == "Art. 2"
        assert got.findings[0].params["met_on"] == "2025-09-15"


@pytest.mark.parametrize(("days", "eligible"), [(182, False), (183, True)])
def test_half_a_year_read_as_183_days(days, eligible):
    # The reading of "half a year" is UNVERIFIED (months or days): the rule data switches it.
    by_days = dataclasses.replace(R, residence_amount=183, residence_unit="days")
    since = dt.date(2025, 1, 1)
    got = rules.check_eligibility(by_days, residence_since=since, on=since + dt.timedelta(days=days),
                                  basis="employment", documents=EMPLOYED)
    assert got.eligible is eligible


def test_month_end_residence_is_clamped():
    assert rules.residence_met_on(R, dt.date(2024, 8, 31)) == dt.date(2025, 2, 28)


def test_one_notice_names_every_missing_document():
    got = rules.check_eligibility(R, residence_since=dt.date(2020, 1, 1), on=dt.date(2026, 1, 1),
                                  basis="schooling", documents=[])
    assert got.findings == ()
    assert got.missing == ("id_card", "photo", "any:lease|property_deed|purchase_contract|accommodation_letter",
                           "any:student_card|school_letter")


def test_any_document_of_a_group_suffices_and_residence_basis_needs_one_proof():
    got = rules.check_eligibility(R, residence_since=dt.date(2020, 1, 1), on=dt.date(2026, 1, 1),
                                  basis="residence", documents={"id_card", "photo", "property_deed"})
    assert got.eligible


def test_unknown_basis_is_a_finding():
    got = rules.check_eligibility(R, residence_since=dt.date(2020, 1, 1), on=dt.date(2026, 1, 1), basis="tourism",
                                  documents=EMPLOYED)
    assert [f.code for f in got.findings] == ["unknown_basis"]


def test_issue_deadline_is_15_days_and_at_most_30():
    assert rules.issue_due(R, dt.date(2026, 3, 1)) == dt.date(2026, 3, 16)
    assert rules.issue_due(R, dt.date(2026, 3, 1), 30) == dt.date(2026, 3, 31)
    with pytest.raises(ValueError):
        rules.issue_due(R, dt.date(2026, 3, 1), 31)


# Endorsement: issued 2025-06-15; the first full year is 2026-06-15; the window is 2026-05-15 … 2026-06-14.
ISSUED = dt.date(2025, 6, 15)


@pytest.mark.parametrize(("on", "state"), [
    (dt.date(2026, 5, 14), "valid"),   # day -32: window not open
    (dt.date(2026, 5, 15), "due"),     # day -31: the first day (one calendar month before)
    (dt.date(2026, 5, 16), "due"),     # day -30
    (dt.date(2026, 6, 14), "due"),     # day -1: the last day
    (dt.date(2026, 6, 15), "lapsed"),  # day 0: the anniversary itself is outside ("before the day")
    (dt.date(2026, 6, 16), "lapsed"),  # day +1
])
def test_endorsement_window_boundaries(on, state):
    got, window = rules.endorsement_state(R, counted_from=ISSUED, endorsed_years=set(), on=on)
    assert got == state and window.year == 1
    assert (window.first, window.last) == (dt.date(2026, 5, 15), dt.date(2026, 6, 14))


def test_after_the_first_endorsement_the_second_window_counts():
    got, window = rules.endorsement_state(R, counted_from=ISSUED, endorsed_years={1}, on=dt.date(2026, 6, 16))
    assert got == "valid" and window.year == 2 and window.first == dt.date(2027, 5, 15)


def test_anniversary_included_when_the_data_says_so():
    incl = dataclasses.replace(R, endorsement_anniversary_included=True)
    assert rules.endorsement_state(incl, counted_from=ISSUED, endorsed_years=set(), on=dt.date(2026, 6, 15))[0] == "due"


@RELAXED
@given(dates, st.integers(-600, 600))
def test_add_months_lands_in_the_right_month_and_never_past_the_day(day, n):
    got = rules.add_months(day, n)
    assert (got.year * 12 + got.month) - (day.year * 12 + day.month) == n
    assert got.day <= day.day
    if got.day < day.day:  # clamped: the month is shorter
        assert (got + dt.timedelta(days=1)).month != got.month


@RELAXED
@given(dates, st.integers(1, 40))
def test_endorsement_windows_are_a_month_long_and_end_before_the_anniversary(issued, year):
    w = rules.endorsement_window(R, issued, year)
    assert w.first < w.last < w.anniversary
    assert 27 <= (w.anniversary - w.first).days <= 31
    assert w.anniversary == rules.add_months(issued, 12 * year)


# ------------------------------------------------------------------------------------------------ booking


def test_booking_window_from_a_wednesday():
    days = rules.bookable_days(B, dt.date(2026, 3, 4))
    assert days[0] == dt.date(2026, 3, 5) and days[-1] == dt.date(2026, 3, 13) and len(days) == 7


def test_holidays_push_the_window():
    days = rules.bookable_days(B, dt.date(2026, 3, 4), holidays={dt.date(2026, 3, 5)})
    assert dt.date(2026, 3, 5) not in days and days[-1] == dt.date(2026, 3, 16)


@RELAXED
@given(dates, st.sets(dates, max_size=20))
def test_booking_window_is_the_next_seven_working_days(today, holidays):
    days = rules.bookable_days(B, today, holidays)
    assert len(days) == 7 and days == sorted(days)
    assert all(d > today and d.weekday() < 5 and d not in holidays for d in days)
    between = [today + dt.timedelta(days=i) for i in range(1, (days[-1] - today).days + 1)]
    assert [d for d in between if rules.is_working_day(d, holidays)] == days


@pytest.mark.parametrize(("no_shows", "until"), [
    ([dt.date(2026, 3, 2)], None),
    ([dt.date(2026, 3, 2), dt.date(2026, 4, 1)], dt.date(2026, 7, 1)),   # within a month
    ([dt.date(2026, 3, 2), dt.date(2026, 4, 2)], None),                  # a full month apart
    ([dt.date(2026, 1, 5), dt.date(2026, 3, 2), dt.date(2026, 3, 20)], dt.date(2026, 6, 20)),
])
def test_two_no_shows_in_a_month_suspend_for_three_months(no_shows, until):
    assert rules.suspended_until(B, no_shows) == until


@RELAXED
@given(st.lists(dates, max_size=8))
def test_suspension_arithmetic(no_shows):
    until = rules.suspended_until(B, no_shows)
    days = sorted(no_shows)
    pairs = [(a, b) for a, b in itertools.pairwise(days) if b < rules.add_months(a, 1)]
    assert (until is None) == (not pairs)
    if pairs:
        assert until == max(rules.add_months(b, 3) for _a, b in pairs)


def test_cancel_at_least_a_day_ahead():
    assert rules.may_cancel(B, day=dt.date(2026, 3, 5), today=dt.date(2026, 3, 4))
    assert not rules.may_cancel(B, day=dt.date(2026, 3, 5), today=dt.date(2026, 3, 5))


times = st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@RELAXED
@given(st.lists(st.tuples(times, times), max_size=3), st.integers(1, 240))
def test_slots_fit_inside_their_session_and_do_not_overlap(sessions, length):
    sessions = [(a, b) for a, b in sessions if a < b]
    starts = rules.day_slots(sessions, length)
    mins = [t.hour * 60 + t.minute for t in starts]
    for m in mins:
        assert any(a.hour * 60 + a.minute <= m and m + length <= b.hour * 60 + b.minute for a, b in sessions)
    if len(sessions) == 1:
        a, b = sessions[0]
        assert len(starts) == ((b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)) // length
        assert all(y - x == length for x, y in itertools.pairwise(mins))


# ------------------------------------------------------------------------------------------------ queue

T0 = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)
moments = st.integers(-180, 180).map(lambda m: T0 + dt.timedelta(minutes=m))


@RELAXED
@given(st.lists(st.tuples(moments, st.one_of(st.none(), moments)), max_size=30))
def test_queue_order_bookings_due_first_then_walk_ins_in_order_taken(specs):
    items = [rules.QueueItem(i, issued, slot) for i, (issued, slot) in enumerate(specs)]
    order = rules.queue_order(items, T0)
    assert sorted(i.key for i in order) == list(range(len(items)))
    group = [0 if i.slot_start and i.slot_start <= T0 else 1 if i.slot_start is None else 2 for i in order]
    assert group == sorted(group)
    walk_ins = [i.issued for i in order if i.slot_start is None]
    assert walk_ins == sorted(walk_ins)
    due = [i.slot_start for i in order if i.slot_start and i.slot_start <= T0]
    assert due == sorted(due)


def test_queue_example_mixed():
    a = rules.QueueItem("A001", T0 - dt.timedelta(minutes=20), T0 - dt.timedelta(minutes=0))
    early = rules.QueueItem("A002", T0 - dt.timedelta(minutes=25), T0 + dt.timedelta(minutes=30))
    w1 = rules.QueueItem("W001", T0 - dt.timedelta(minutes=40))
    w2 = rules.QueueItem("W002", T0 - dt.timedelta(minutes=10))
    assert [i.key for i in rules.queue_order([w2, early, w1, a], T0)] == ["A001", "W001", "W002", "A002"]


@RELAXED
@given(st.integers(0, 500), st.integers(1, 60), st.integers(1, 10))
def test_estimated_wait(position, minutes, desks):
    got = rules.estimated_wait_minutes(position, minutes, desks)
    assert got * desks >= position * minutes > (got - 1) * desks
