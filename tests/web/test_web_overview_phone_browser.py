"""/police/overview/ at 375 px in Debian's chromium: the table by district and station shows its red, yellow and
watchlist columns without a sideways swipe, in both languages (issue 11's trial: the table was ~500 px wide in
its scrolling box and only unit, premises screened, people and off-roster were on screen)."""

from __future__ import annotations

import os

import pytest
from web_support import browser, browser_signed_in, make_job  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLUMNS = """() => { const W = document.documentElement.clientWidth;
  const table = [...document.querySelectorAll('main table.counts')][0];
  return {W, cells: [...table.querySelectorAll('thead th')].map((th) => [th.innerText.trim(),
          Math.round(th.getBoundingClientRect().right)]),
          row: [...table.querySelectorAll('tbody tr')[0].querySelectorAll('td')].map((td) => td.innerText.trim())}; }"""


def test_red_yellow_and_watchlist_are_on_a_phones_screen(live_server, cast, browser):  # noqa: F811
    make_job(cast.landlord_a, cast.premises_a, "甲")
    page = browser_signed_in(browser, live_server, cast.chief_a)
    for lang, wanted in (("zh-hans", ("红", "黄", "布控名单命中")), ("en", ("Red", "Yellow", "Watchlist"))):
        page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        page.goto(f"{live_server.url}/police/overview/")
        got = page.evaluate(COLUMNS)
        right = dict(got["cells"])
        for name in wanted:
            assert name in right and right[name] <= got["W"], (lang, got)
        assert len(got["row"]) == len(got["cells"]), got  # each cell under its own heading
        if shots := os.environ.get("PINGAN_SCREENSHOTS"):  # a folder to keep them in, to look at them
            page.screenshot(path=f"{shots}/overview-375-{lang}.png", full_page=True)
