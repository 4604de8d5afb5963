"""Days and ranges of days as the reader's language writes them in a sentence (``core.texts.day``/``days``;
issue 11's trial: a one-day week to date read "12-07–12-07")."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core.texts import day, days

D = dt.date


@pytest.mark.parametrize("start, end, year, zh, en", [
    (D(2026, 12, 7), D(2026, 12, 7), False, "12月7日", "7 Dec"),
    (D(2026, 12, 7), D(2026, 12, 7), True, "2026年12月7日", "7 Dec 2026"),
    (D(2026, 12, 7), D(2026, 12, 13), False, "12月7日至12月13日", "7–13 Dec"),
    (D(2025, 12, 8), D(2025, 12, 14), True, "2025年12月8日至12月14日", "8–14 Dec 2025"),
    (D(2026, 11, 30), D(2026, 12, 6), False, "11月30日至12月6日", "30 Nov – 6 Dec"),
    (D(2026, 11, 30), D(2026, 12, 6), True, "2026年11月30日至12月6日", "30 Nov – 6 Dec 2026"),
    (D(2025, 12, 29), D(2026, 1, 4), True, "2025年12月29日至2026年1月4日", "29 Dec 2025 – 4 Jan 2026"),
])
def test_a_range_reads_as_the_language_writes_it_and_one_day_as_that_day(start, end, year, zh, en):
    assert days(start, end, year=year, language="zh-hans") == zh
    assert days(start, end, year=year, language="en") == en


def test_a_day():
    assert day(D(2026, 1, 4), language="zh-hans") == "2026年1月4日"
    assert day(D(2026, 1, 4), year=False, language="en") == "4 Jan"
    assert day(None) == ""
