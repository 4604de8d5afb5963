"""Issue 11's fresh-user trial: the enterprise's name is cut in the phone header ("厦门测试科技有…▾"). The full name
is reachable: the button's title says it, and the account panel it opens shows it whole, within the screen, at
375 px in both languages (Debian's chromium). ``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import os

import pytest
from test_web_browser_layout import open_as  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "厦门测试科技有限公司第二分公司"


def test_a_long_enterprise_name_can_be_read_whole(open_as, live_server, cast):  # noqa: F811
    cast.landlord_a.display_name = NAME
    cast.landlord_a.save(update_fields=["display_name"])
    for lang in ("zh-hans", "en"):
        page = open_as(cast.landlord_a, width=375, lang=lang)
        page.goto(f"{live_server.url}/screening/")
        summary = page.locator("details.account summary")
        assert NAME in summary.get_attribute("title")
        summary.click()
        shown = page.locator(".account-panel strong")
        assert shown.inner_text() == NAME and shown.is_visible()
        box = shown.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        if shots := os.environ.get("PINGAN_SCREENSHOTS"):
            page.screenshot(path=f"{shots}/account-long-name-375-{lang}.png")
