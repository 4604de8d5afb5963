"""Issue 11's fresh-user trial (F2), in Debian's chromium at 375 and 1280 px, in Chinese and in English: the
landlord's safety-code page says that a level change is under review, never the officer's note for the station
chief; the officer's page still shows it. ``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_app_support import browser_page, isolated, screened  # noqa: F401 - fixture

from pingan.codes import services

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.usefixtures("isolated")]

REASON = "红码人员已全部核实离开，申请调整为黄码"
REVIEWING = {"zh-hans": "派出所正在审核将平安码调整为黄码", "en": "The police station is reviewing a change"}


def test_the_owner_reads_a_review_in_progress_the_officer_the_reason(live_server, client, cast, monkeypatch,
                                                                     tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("PINGAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    screened(cast.premises_a, ["green", "red"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    services.level_override_request(premises=cast.premises_a, level="yellow", reason=REASON, actor=cast.officer_a)
    url = f"{live_server.url}/codes/premises/{cast.premises_a.pk}/"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for lang in ("zh-hans", "en"):
                for width in (375, 1280):
                    page = browser_page(browser, client, live_server, cast.landlord_a, lang, width)
                    page.goto(url)
                    page.screenshot(path=str(shots / f"owner-code-{width}-{lang}.png"), full_page=True)
                    main = page.locator("main").inner_text()
                    assert REVIEWING[lang] in main and REASON not in main, main
                    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
                    page.context.close()
            page = browser_page(browser, client, live_server, cast.officer_a, "zh-hans", 375)
            page.goto(url)
            assert REASON in page.locator("main").inner_text()
            page.context.close()
        finally:
            browser.close()
