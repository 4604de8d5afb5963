"""Real browser (Debian chromium), 375 px and 1280 px, Chinese and English: a landlord uploads issue 11's trial
roster — a CSV whose ID cell opens a double quote that never closes — and reads the results. The page names the
line and the quote, lists the rows that the quote had swallowed among the screened people, and shows no full
ID or phone number anywhere; the downloads carry every line. Screenshots in $PINGAN_SCREENSHOTS."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from test_web_browser import SHOTS, landlord_uploads
from test_web_roster_privacy import ROWS, TRIAL, leaks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("lang", "locale", "width"), [("zh-hans", "zh-CN", 375), ("en", "en-GB", 375),
                                                       ("zh-hans", "zh-CN", 1280), ("en", "en-GB", 1280)])
def test_a_landlord_uploads_the_trial_csv_and_sees_no_full_number(live_server, browser, cast, risk, tmp_path,
                                                                   lang, locale, width):
    roster = tmp_path / "租户名单.csv"
    roster.write_bytes(TRIAL)
    context, page = landlord_uploads(browser, live_server.url, roster, lang=lang, locale=locale, width=width)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"roster-quote-{lang}-{width}.png"), full_page=True)
    text = page.inner_text("main")
    assert not leaks(text), leaks(text)
    fix = page.inner_text("ul.rejected")
    expected = ("第 3 行", "英文双引号") if lang == "zh-hans" else ("Row 3", "double quote")
    assert all(t in fix for t in expected), fix
    people = page.inner_text("ul.people")
    assert "王五" in people and "李四" in people
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
    with page.expect_download() as download:
        page.click("a[href$='results.csv']")
    data = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert not leaks(data)
    assert [int(r[0]) for r in list(csv.reader(io.StringIO(data)))[1:]] == sorted(ROWS)
    context.close()
