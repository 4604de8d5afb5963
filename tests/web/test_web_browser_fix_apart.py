"""Issue 11's fresh-user trial (F13), in Debian's chromium at 375 and 1280 px, zh and en: a row to fix because of
its phone says what to fix (red) apart from why it has its level (muted), and the page does not scroll sideways.
``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import os

import pytest
from test_web_browser_layout import open_as  # noqa: F401 - fixtures
from test_web_results import csv_roster
from web_support import YELLOW_ID, screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_phone_to_fix_stands_apart_from_the_travel_reason(open_as, live_server, cast, risk):  # noqa: F811
    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["李娜", "居民身份证", YELLOW_ID, "12345", "1"]]))
    for lang, why in (("zh-hans", "等级原因"), ("en", "Why this level")):
        for width in (375, 1280):
            page = open_as(cast.landlord_a, width=width, lang=lang)
            page.goto(f"{live_server.url}/screening/jobs/{job.pk}/")
            row = page.locator("#unverified-2")
            fix, level = row.locator("[data-fix]"), row.locator("[data-level-why]")
            assert fix.is_visible() and level.is_visible()
            assert "12345" in fix.inner_text() and why in level.inner_text()
            assert fix.evaluate("e => getComputedStyle(e).color") != level.evaluate("e => getComputedStyle(e).color")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            if shots := os.environ.get("PINGAN_SCREENSHOTS"):
                row.screenshot(path=f"{shots}/fix-apart-{width}-{lang}.png")
