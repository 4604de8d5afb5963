"""The watch-list form in a real browser at 375 and 1280 px, Chinese and English: a reason pasted with a
RIGHT-TO-LEFT OVERRIDE and an ANSI escape (issue 11's trial input) is refused naming the field, both characters and
their positions, and the field is refilled with each one written ⟨U+XXXX⟩ in its place (it was put back raw and
read reversed); sent back so, the mark is refused; deleted, the entry is listed; nothing is wider than the page."""

from __future__ import annotations

import os

import pytest
from alerts_support import sign_in
from test_alerts_manage import cast_b  # noqa: F401 - fixture

from pingan.lib import textchars

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
SHOTS = os.environ.get("PINGAN_SCREENSHOTS", "")
SAID = {"zh-CN": "理由中有看不见的控制字符 U+202E、U+001B（第 3、5 个字符）",
        "en-GB": "The reason holds invisible control characters, U+202E, U+001B (characters 3, 5)"}

MARK = {"zh-CN": "理由中仍有 ⟨U+202E⟩，即被拒绝的字符原来的位置", "en-GB": "The reason still holds ⟨U+202E⟩"}


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_reason_with_control_characters_is_refused_naming_them(live_server, client, cast_b, monkeypatch,  # noqa: F811
                                                                  locale, width):
    from playwright.sync_api import expect, sync_playwright

    from pingan.alerts.models import HotlistEntry

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sign_in(client, cast_b.chief_a)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": width, "height": 812}, locale=locale)
        ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
                         {"name": "django_language", "value": "zh-hans" if locale == "zh-CN" else "en",
                          "url": live_server.url}])
        page = ctx.new_page()
        page.goto(f"{live_server.url}/alerts/watchlist/")
        page.locator("input[name=key]").fill("闽D12345")
        page.locator("input[name=reason]").fill("涉嫌\u202e盗\x1b[31m窃")
        page.locator("form button.primary").click()
        expect(page.locator("main")).to_contain_text(SAID[locale])
        main = page.inner_text("main")
        assert not textchars.has_any(main.replace("\n", "").replace("\t", ""))
        # refilled with each refused character named in its place, not put back raw (the field read reversed)
        reason = page.locator("input[name=reason]")
        assert reason.input_value() == "涉嫌⟨U+202E⟩盗⟨U+001B⟩[31m窃"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/watchlist-control-characters-{locale}-{width}.png", full_page=True)
        page.locator("form button.primary").click()  # sent back unchanged: the mark is refused, not stored
        expect(page.locator("main")).to_contain_text(MARK[locale])
        assert reason.input_value() == "涉嫌⟨U+202E⟩盗⟨U+001B⟩[31m窃"
        reason.fill(reason.input_value().replace("⟨U+202E⟩", "").replace("⟨U+001B⟩[31m", ""))
        page.locator("form button.primary").click()
        expect(page.locator("main")).to_contain_text("涉嫌盗窃")
        browser.close()
    assert list(HotlistEntry.objects.values_list("reason", flat=True)) == ["涉嫌盗窃"]
