"""The /verify/ page names the zone of the times it shows: a phone set to New York sees the expiry in the
bureau's time, said as 北京时间 / "Beijing time" (issue 11's trial read "2026-12-15 02:35 UTC+08:00"), not a bare
local time that reads like the bureau's; and its first line is no engine talk ("已加载 1 把公钥、1 份撤销列表")."""

from __future__ import annotations

import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.codes import services

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("isolated")]


@pytest.mark.parametrize("locale, zone, said, ready, loaded", [
    ("zh-CN", "America/New_York", "（北京时间）", "可以核验了。", "已加载 1 把公钥、1 份撤销列表"),
    ("en-US", "Asia/Shanghai", " (Beijing time)", "Ready to check.", "Loaded 1 public key and 1 revocation list")])
@pytest.mark.django_db(transaction=True)
def test_the_expiry_is_shown_in_the_bureaus_zone_as_beijing_time(live_server, cast, locale, zone, said, ready,
                                                                  loaded):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    screened(cast.premises_a, ["green", "green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    bureau = code.expires_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert settings.TIME_ZONE == "Asia/Shanghai"
    expected = f"{bureau:%Y-%m-%d %H:%M}{said}"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(locale=locale, timezone_id=zone)
            page = context.new_page()
            page.goto(f"{live_server.url}/verify/")
            page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
            assert page.evaluate("window.pinganReady") is True
            # the first line in plain words; what was loaded only under "For developers"
            assert page.text_content("#trust") == ready
            assert page.text_content("details #trust-detail") == loaded
            page.fill("#code", code.token)
            page.click("#check")
            page.wait_for_function("document.getElementById('result').textContent.length > 0")
            text = page.text_content("#result")
            assert expected in text, (expected, text)
            assert not re.search(r"UTC[+-]\d\d:\d\d", text), text
            if shots := os.environ.get("PINGAN_SCREENSHOTS"):  # a folder to keep them in, to look at them
                page.set_viewport_size({"width": 375, "height": 800})
                page.screenshot(path=f"{shots}/verify-{locale}.png", full_page=True)
        finally:
            browser.close()
