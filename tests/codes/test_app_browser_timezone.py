"""The /verify/ page names the zone of the times it shows: a phone set to New York sees the expiry in the
bureau's time with its offset ("… UTC+08:00"), not a bare local time that reads like the bureau's."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.codes import services

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("isolated")]


@pytest.mark.parametrize("locale, zone", [("zh-CN", "America/New_York"), ("en-US", "Asia/Shanghai")])
@pytest.mark.django_db(transaction=True)
def test_the_expiry_is_shown_in_the_bureaus_zone_with_its_offset(live_server, cast, locale, zone):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    screened(cast.premises_a, ["green", "green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    bureau = code.expires_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    offset = bureau.strftime("%z")
    expected = f"{bureau:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(locale=locale, timezone_id=zone)
            page = context.new_page()
            page.goto(f"{live_server.url}/verify/")
            page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
            assert page.evaluate("window.pinganReady") is True
            page.fill("#code", code.token)
            page.click("#check")
            page.wait_for_function("document.getElementById('result').textContent.length > 0")
            text = page.text_content("#result")
            assert expected in text, (expected, text)
            assert re.search(r"UTC[+-]\d\d:\d\d", text)
        finally:
            browser.close()
