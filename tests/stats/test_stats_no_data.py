"""A unit's CompStat page says what its figures rest on, and writes its dates and weeks as the reader's language
does (issue 11's trial of the last session: a unit without incidents showed rows of zeros without a word on
whether anything had been loaded; a week to date on its Monday read "12-07–12-07"; the week read "第 2026-W50
周"; the statistics home listed unit codes beside the names)."""

from __future__ import annotations

import pytest
from page_language import visible_text

pytestmark = pytest.mark.django_db

Q = "as_of=2024-03-04"  # a Monday: the week to date is one day


def page(client, user, url: str, language: str) -> str:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("language, said, how", [
    ("zh-hans", "尚未导入任何案件数据", "pingan stats import"),
    ("en", "No incident data has been loaded", "pingan stats import")])
def test_with_nothing_loaded_the_page_says_so_and_how_data_get_in_instead_of_zeros(client, cast, language, said,
                                                                                    how):
    html = page(client, cast.analyst, f"/stats/u/350203-LQ/?{Q}", language)
    assert 'data-loaded="nothing"' in html and said in html and how in html
    assert 'id="window-wtd"' not in html and 'id="clearance"' not in html  # no table of zeros
    assert 'href="/stats/imports/"' in html  # the analyst is shown where to import


@pytest.mark.parametrize("language, said", [("zh-hans", "没有鼓浪屿派出所的案件"),
                                            ("en", "hold no incident of Gulangyu Police Station")])
def test_a_unit_with_no_incident_in_the_data_loaded_says_its_zeros_are_counts(client, cast, incidents, language,
                                                                              said):
    html = page(client, cast.analyst, f"/stats/u/350203-GLY/?{Q}", language)
    assert 'data-loaded="none_recorded"' in html and said in html
    assert 'id="window-wtd"' in html  # its zeros are shown: they are counts
    recorded = page(client, cast.analyst, f"/stats/u/350203-LQ/?{Q}", language)
    assert "data-loaded=" not in recorded and 'id="window-wtd"' in recorded


@pytest.mark.parametrize("language, one_day, week, last_year", [
    ("zh-hans", "3月4日", "2024 年第 10 周", "2023年3月6日"),
    ("en", "4 Mar", "Week 10, 2024", "6 Mar 2023")])
def test_dates_and_weeks_read_as_the_language_writes_them(client, cast, incidents, language, one_day, week,
                                                          last_year):
    html = page(client, cast.chief_a, f"/stats/u/350203-LQ/?{Q}", language)
    caption = html[html.index('id="window-wtd"'):].split("</caption>")[0]
    assert f'<span class="dates">{one_day}</span>' in caption  # one day, said once
    assert f'<span class="dates">{last_year}</span>' in caption  # last year's Monday, with its year
    assert "03-04" not in caption and "W10" not in html
    assert week in html
    assert ("3月4日至3月10日" if language == "zh-hans" else "4–10 Mar") in html  # the week, Monday to Sunday


def test_the_statistics_home_names_units_without_their_codes(client, cast):
    text = " ".join(visible_text(page(client, cast.analyst, "/stats/", "zh-hans")))
    assert "莲前派出所" in text and "350203-LQ" not in text and "350200" not in text
