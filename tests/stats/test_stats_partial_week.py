"""The weekly trend's last week, when the as-of day is not a Sunday, is the week so far: it is drawn apart and
said to be partial on the page, in the PDF and in the API, and the small multiples' totals set it against the
same days last year (issue 11's trial: as of a Tuesday the chart fell to a two-day week, drawn as a full week).
The small multiples' totals say what they count — 52 weeks, which is not the year to date beside them (the
trial read "5178" under the chart beside a year to date of 5278)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from stats_support import sign_in

from pingan.stats import charts

pytestmark = pytest.mark.django_db

D = dt.date
TUESDAY = "as_of=2024-03-05"  # the week of 4 March so far: 2 days
SUNDAY = "as_of=2024-03-10"  # a whole week


def test_a_partial_last_week_is_drawn_apart_from_the_whole_weeks():
    mondays = [D(2024, 2, 26), D(2024, 3, 4)]
    whole = charts.trend_chart(mondays, [10, 10], [9, 9])
    assert len(whole.current) == 1 and whole.current[0].count(",") == 2  # both weeks on the line
    assert whole.partial == "" and whole.partial_point is None and whole.partial_days == 7
    part = charts.trend_chart(mondays, [10, 3], [9, 9], partial_days=2)
    assert part.current[0].count(",") == 1  # the line ends with the last whole week
    assert part.partial_point is not None and part.partial_days == 2
    assert part.partial.split()[0] == part.current[0]  # dotted from the last whole week to the week so far
    assert part.partial.split()[1] == f"{part.partial_point[0]:g},{part.partial_point[1]:g}"


def test_the_small_multiples_total_sets_the_week_so_far_against_the_same_days_last_year():
    whole_weeks = charts.sparkline([5, 5, 2], [5, 5, 6])
    assert (whole_weeks.total, whole_weeks.total_previous) == (12, 16)  # last year's whole week
    spark = charts.sparkline([5, 5, 2], [5, 5, 6], partial_days=2, previous_partial=1)
    assert (spark.total, spark.total_previous) == (12, 11)  # last year's first two days of that week: 1
    assert spark.partial_point is not None and spark.partial_days == 2
    unknown = charts.sparkline([5, 5, 2], [5, 5, 6], partial_days=2, previous_partial=None)
    assert (unknown.total, unknown.total_previous) == (10, 10)  # the week leaves both totals


@pytest.fixture
def later_theft(cast):
    """The bureau file with one more theft last year, on the Thursday of the as-of week's namesake (9 March
    2023): in last year's whole week, not in its first two days."""
    from stats_support import ROWS, bureau_csv

    from pingan.stats import services

    rows = [*ROWS, ("A7", "2023-03-09 10:00", "盗窃", "莲前派出所", "", "100")]
    return services.bureau_import(data=bureau_csv(rows), filename="week.csv", org_code="350200")


@pytest.mark.parametrize(("language", "partial", "weeks", "ytd"), [
    ("zh-hans", "本周至今（3月4日至3月5日，7 天中的 2 天）：不是整周", "52 周合计 2（上年同期各周 1）",
     "不是上表的本年至今（2024年1月1日至3月5日）"),
    ("en", "this week so far (4–5 Mar, 2 of 7 days): not a whole week", "52 weeks: 2 (same weeks last year 1)",
     "not the year to date (1 Jan – 5 Mar 2024) of the tables")])
def test_the_page_marks_the_week_so_far_and_says_what_the_totals_count(client, cast, later_theft, language, partial,
                                                                        weeks, ytd):
    sign_in(client, cast.chief_a, language)
    html = client.get(f"/stats/u/350203-LQ/?{TUESDAY}&scheme=cn_lqyd_general").content.decode()
    assert 'id="trend-partial"' in html and partial in html
    trend = html[html.index('<svg class="trend"'):html.index("</svg>", html.index('<svg class="trend"'))]
    assert 'class="partial-point"' in trend and 'class="spark-partial"' in trend
    assert all(line.count(",") == 51 for line in re.findall(r'<polyline points="([^"]+)" class="spark-cur"',
                                                             trend))  # 51 whole weeks, then the week so far
    how = html[html.index('id="multiples-how"'):].split("</p>")[0]
    assert ytd in how
    # 盗窃: 2 in the week so far (4-5 March) against 1 on the same days last year (7 March 2023) — not the 2 of
    # last year's whole week (9 March too)
    assert weeks in html
    sunday = client.get(f"/stats/u/350203-LQ/?{SUNDAY}&scheme=cn_lqyd_general").content.decode()
    assert 'id="trend-partial"' not in sunday and 'class="partial-point"' not in sunday


@pytest.mark.parametrize(("language", "said"), [("zh-hans", "7 天中的 2 天"), ("en", "2 of 7 days")])
def test_the_pdf_says_the_last_week_is_partial(client, cast, incidents, language, said):
    from test_stats_report_layout import pdf_lines

    sign_in(client, cast.chief_a, language)
    text = " ".join(pdf_lines(client.get(f"/stats/u/350203-LQ/weekly.pdf?{TUESDAY}&scheme=cn_lqyd_general").content))
    assert said in text.replace("\n", " ") or said.replace(" ", "") in text.replace(" ", ""), text
    whole = " ".join(pdf_lines(client.get(f"/stats/u/350203-LQ/weekly.pdf?{SUNDAY}&scheme=cn_lqyd_general").content))
    assert said not in whole and said.replace(" ", "") not in whole.replace(" ", "")


def test_the_api_says_how_many_days_the_last_trend_week_counts(client, cast, incidents):
    from pingan.core.services import token_create

    token = token_create(user=cast.chief_a, name="test", purpose="jurisdiction_management").secret
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    tuesday = client.get(f"/api/v1/stats/units/350203-LQ/compstat?{TUESDAY}", **auth).json()
    assert tuesday["trend_last_week_days"] == 2 and tuesday["trend_weeks"][-1] == "2024-03-04"
    theft = next(r for r in tuesday["rows"] if r["category"] == "theft")
    assert theft["trend"][-1] == theft["windows"]["wtd"]["current"]  # the week so far is the week to date
    sunday = client.get(f"/api/v1/stats/units/350203-LQ/compstat?{SUNDAY}", **auth).json()
    assert sunday["trend_last_week_days"] == 7
