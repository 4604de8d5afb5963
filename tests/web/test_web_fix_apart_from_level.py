"""Issue 11's fresh-user trial (F13): on the landlord's results page a row to fix because of its phone showed its
travel reason in the same red error text ("Travel through a medium-risk area within 7 days; … the phone number
“149******04” is not a valid number…"): the landlord could not tell which part was theirs to fix. What to fix
and why the row has its level are said apart. And the list of rows to fix, 165 rows in the demo's job (8,988 px
at 375 px), is folded like the police's once it has more than one page."""

from __future__ import annotations

import re

import pytest
from test_web_results import csv_roster, get, part
from web_support import GREEN_ID, YELLOW_ID, screen, sign_in

from pingan.screening.views import FIX_PER_PAGE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, why", [("zh-hans", "等级原因："), ("en", "Why this level:")])
def test_the_phone_to_fix_is_said_apart_from_the_travel_reason(client, cast, risk, lang, why):
    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["李娜", "居民身份证", YELLOW_ID, "12345", "1"]]))
    for user in (cast.landlord_a, cast.officer_a):
        sign_in(client, user)
        row = part(get(client, f"/screening/jobs/{job.pk}/", lang), 'id="unverified-2"', "</li>")
        fix = re.search(r'data-fix>(.*?)</span>', row, re.S).group(1)
        level = re.search(r'data-level-why>(.*?)</span>', row, re.S).group(1)
        assert "12345" in fix and ("风险" not in fix if lang == "zh-hans" else "risk" not in fix), fix
        assert why in level and "12345" not in level and ("风险" in level or "risk" in level), level


def test_a_long_list_to_fix_is_folded_and_opened_while_paging(client, cast, risk):
    rows = [[f"王{i}", "居民身份证", GREEN_ID, "12345", str(i)] for i in range(FIX_PER_PAGE + 5)]
    job = screen(cast.landlord_a, cast.premises_a, csv_roster(rows))
    sign_in(client, cast.landlord_a)
    html = get(client, f"/screening/jobs/{job.pk}/", "en")
    summary = part(html, '<details id="rows-to-fix">', "</summary>")
    assert f"{FIX_PER_PAGE + 5} rows to fix" in summary
    assert '<details id="rows-to-fix" open>' in get(client, f"/screening/jobs/{job.pk}/?fix=2", "en")
    short = screen(cast.landlord_a, cast.premises_a, csv_roster(rows[:2]))
    html = get(client, f"/screening/jobs/{short.pk}/", "en")
    assert 'id="rows-to-fix"' not in html and 'id="rejected">' in html  # one page: shown as it is
