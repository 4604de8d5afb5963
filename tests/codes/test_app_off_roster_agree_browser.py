"""The pages of people no longer on the roster on a phone (375 px) in Debian's chromium, in Chinese and in
English: the police premises page lists the unresolved people beside the flagged ones (the rows not screened are
nobody who left: not listed) and its code card
speaks to the officer; the station's queue names each earlier roster; the person page says "not on the roster
uploaded …" with a link to the action. ``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_app_off_roster_agree import upload
from test_app_support import browser_page, isolated, phone_shots  # noqa: F401 - fixture

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

WORDS = {"zh-hans": {"you": "您可以", "unresolved": "待核实", "not_on": "上传的名单"},
         "en": {"you": "What you can do", "unresolved": "unresolved", "not_on": "Not on the roster uploaded"}}


def fits(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_officers_pages_on_a_phone(live_server, client, cast, monkeypatch, tmp_path, language):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import expect, sync_playwright

    words = WORDS[language]
    part1 = upload(cast.premises_a, ["red", "yellow", ""], rejected=1, name="part1.csv")
    upload(cast.premises_a, ["red"], rejected=1, name="part2.csv")
    upload(cast.premises_a, ["green"], name="quotes.csv")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser_page(browser, client, live_server, cast.officer_a, language)
            page.goto(live_server.url + reverse("dashboard:premises", args=[cast.premises_a.pk]))
            page.screenshot(path=str(shots / f"{language}-375-offroster-premises.png"), full_page=True)
            fits(page)
            expect(page.locator("[data-off-roster]")).to_have_count(4)  # part1's 3, part2's red; no row not screened
            expect(page.locator("[data-people-list]")).to_contain_text(words["unresolved"])
            expect(page.locator("[data-people-list]")).not_to_contain_text(part1[1]["rejected"][0].name)
            expect(page.locator("#suspended-next")).to_contain_text(words["you"])

            page.goto(live_server.url + reverse("dashboard:person", args=[part1[1]["accepted"][2].pk]))
            page.screenshot(path=str(shots / f"{language}-375-offroster-person.png"), full_page=True)
            fits(page)
            expect(page.locator("#off-roster")).to_contain_text(words["not_on"])
            page.locator("#off-roster a[href*='#left-out']").click()
            page.wait_for_load_state()
            expect(page.locator("#left-out")).to_be_visible()

            page = browser_page(browser, client, live_server, cast.chief_a, language)
            page.goto(live_server.url + reverse("codes:police"))
            page.screenshot(path=str(shots / f"{language}-375-offroster-queue.png"), full_page=True)
            fits(page)
            expect(page.locator("#open-reviews [data-left-out-roster]")).to_have_count(2)
            expect(page.locator("#open-reviews")).to_contain_text("part1.csv")
            expect(page.locator("#open-reviews")).to_contain_text("part2.csv")
        finally:
            browser.close()
