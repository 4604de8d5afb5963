"""The trial's three uploads on a phone (375 px) in Debian's chromium, in Chinese and in English: the police
premises page lists every flagged person no longer on the roster (part1's and part2's), the chief releases the
suspension from the queue and finds it under "Decided" with who and when; the landlord's results page says why
there is no code beside the rule's level and what to do; the upload page refuses a file over the limit before
sending it. ``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_app_roster_chain import upload
from test_app_support import browser_page, isolated, phone_shots  # noqa: F401 - fixture

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

WORDS = {"zh-hans": {"left": "不在最新名单中", "decided": "决定人", "why": "平安码暂停", "big": "不要拆分"},
         "en": {"left": "not on the latest roster", "decided": "decided by", "why": "the code is suspended",
                "big": "do not split"}}


def fits(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_three_uploads_on_a_phone(live_server, client, cast, settings, monkeypatch, tmp_path, language):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import expect, sync_playwright

    words = WORDS[language]
    upload(cast.premises_a, ["red"] * 3 + ["yellow"] * 2)
    part2 = upload(cast.premises_a, ["red"] * 2 + ["yellow"] * 2, silent=2)
    quotes = upload(cast.premises_a, ["green"] * 3)
    settings.PINGAN = {**settings.PINGAN, "MAX_UPLOAD_BYTES": 2**20}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser_page(browser, client, live_server, cast.officer_a, language)
            page.goto(live_server.url + reverse("dashboard:premises", args=[cast.premises_a.pk]))
            page.screenshot(path=str(shots / f"{language}-375-chain-premises.png"), full_page=True)
            fits(page)
            expect(page.locator("[data-off-roster]")).to_have_count(11)
            expect(page.locator("#left-out")).to_contain_text(words["left"])
            expect(page.locator("#left-note")).to_have_count(0)  # suspended: released from the queue
            expect(page.locator("body")).to_contain_text(part2[2][0].name)  # the silent hit

            page = browser_page(browser, client, live_server, cast.chief_a, language)
            page.goto(live_server.url + reverse("codes:police"))
            page.locator("#open-reviews input[name=note]").fill("走访核实：均已搬离")
            page.locator("#open-reviews button[type=submit]").click()
            page.wait_for_load_state()
            expect(page.locator("#decided [data-decided=review]")).to_have_count(1)
            expect(page.locator("#decided [data-decided=review]")).to_contain_text(words["decided"])
            page.screenshot(path=str(shots / f"{language}-375-chain-queue.png"), full_page=True)
            fits(page)

            page = browser_page(browser, client, live_server, cast.landlord_a, language)
            page.goto(live_server.url + reverse("screening:job", args=[quotes[0].pk]))
            # released now: the rule's level is the code's again
            expect(page.locator("#rule-level")).not_to_have_attribute("data-suspended", "")
            page.goto(live_server.url + reverse("screening:upload"))
            page.locator("input[type=file]").set_input_files(
                files=[{"name": "名单.csv", "mimeType": "text/csv", "buffer": b"x" * (2**20 + 10)}])
            expect(page.locator("#too-large")).to_be_visible()
            expect(page.locator("#too-large")).to_contain_text(words["big"])
            assert page.evaluate("document.querySelector('input[type=file]').validity.customError")
            page.screenshot(path=str(shots / f"{language}-375-chain-upload.png"), full_page=True)
            fits(page)
            posts = []
            page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
            page.locator("#upload-form button[type=submit]").click()
            page.wait_for_timeout(1000)
            assert posts == []  # refused in the browser: not one byte sent
        finally:
            browser.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_results_page_says_why_there_is_no_code(live_server, client, cast, monkeypatch, tmp_path, language):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import expect, sync_playwright

    upload(cast.premises_a, ["red", "yellow"])
    quotes = upload(cast.premises_a, ["green"])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser_page(browser, client, live_server, cast.landlord_a, language)
            page.goto(live_server.url + reverse("screening:job", args=[quotes[0].pk]))
            rule = page.locator("#rule-level")
            expect(rule).to_have_attribute("data-suspended", "")
            expect(rule).to_contain_text(WORDS[language]["why"])
            page.screenshot(path=str(shots / f"{language}-375-chain-results.png"), full_page=True)
            fits(page)
        finally:
            browser.close()
