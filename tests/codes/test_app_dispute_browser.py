"""The landlord's code page in Debian's chromium at 375 px and 1280 px, in Chinese and in English (issue 11,
landlord trial items 4 and 5): the live code has no renew button, only how a new screening renews it; the
correction form names the code and its length; a one-letter request is stopped by the form and, sent anyway,
refused by the page; a request is sent once. ``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_app_support import browser_page, isolated, phone_shots, screened  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import Dispute

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

WORDS = {"zh-hans": ("到期后，请在此续签或重新上传名单", "纠错申请已提交", "相同的纠错申请"),
         "en": ("renew it here or upload the roster again", "Correction request sent", "already sent this")}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_code_page_on_a_phone_and_a_desktop(live_server, client, cast, monkeypatch, tmp_path, language, width):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import expect, sync_playwright

    screened(cast.premises_a, ["green", "yellow"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    renew, sent, again = WORDS[language]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser_page(browser, client, live_server, cast.landlord_a, language, width)
            page.goto(live_server.url + reverse("codes:premises", args=[cast.premises_a.pk]))
            page.screenshot(path=str(shots / f"{language}-{width}-code-page.png"), full_page=True)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            expect(page.locator("#safety-code form")).to_have_count(0)
            expect(page.locator(".code-renew")).to_contain_text(renew)
            page.fill("#dispute-text", "x")
            page.locator("#dispute button[type=submit]").click()  # too short: the browser keeps it
            assert page.evaluate("document.querySelector('#dispute-text').validity.tooShort")
            page.fill("#dispute-text", "黄码人员已离职，名单已更新")
            page.locator("#dispute button[type=submit]").click()
            page.wait_for_load_state()
            expect(page.locator("body")).to_contain_text(sent)
            page.fill("#dispute-text", "黄码人员已离职，名单已更新")
            page.locator("#dispute button[type=submit]").click()
            page.wait_for_load_state()
            expect(page.locator("body")).to_contain_text(again)
            page.screenshot(path=str(shots / f"{language}-{width}-dispute-again.png"), full_page=True)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        finally:
            browser.close()
    assert Dispute.objects.count() == 1
