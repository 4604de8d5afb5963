"""The police premises page on a phone (375 px) in Debian's chromium, in Chinese and in English: a flagged
person a newer roster left out (the code stayed red) is listed, marked, with the "confirmed left" form; the
officer confirms with a note and the person is gone from the page, the code unchanged.
``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_app_left_out import roster
from test_app_support import browser_page, isolated, phone_shots  # noqa: F401 - fixture

from pingan.codes.models import CodeReview

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

WORDS = {"zh-hans": ("已核实离开", "仍列在此处", "已记录"), "en": ("Confirmed left", "listed until the police confirm",
                                                          "Recorded")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_confirming_a_left_out_person_on_a_phone(live_server, client, cast, monkeypatch, tmp_path, language):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import expect, sync_playwright

    _, (_, red, yellow) = roster(cast.premises_a, ["green", "red", "yellow"])
    roster(cast.premises_a, ["red", "green"], same_as={0: red})
    review = CodeReview.objects.get(premises=cast.premises_a, status="open", kind="left_out")
    button, marked, recorded = WORDS[language]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser_page(browser, client, live_server, cast.officer_a, language)
            page.goto(live_server.url + reverse("dashboard:premises", args=[cast.premises_a.pk]))
            page.screenshot(path=str(shots / f"{language}-375-left-out.png"), full_page=True)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
            expect(page.locator("[data-off-roster]")).to_have_count(1)
            expect(page.locator("[data-off-roster]")).to_contain_text(marked)
            expect(page.locator("#left-out")).to_be_visible()
            expect(page.locator("#safety-code")).to_have_attribute("data-code-state", "red")
            page.locator("#left-out button[type=submit]").click()  # the note is required: nothing is sent
            assert page.evaluate("document.querySelector('#left-note').validity.valueMissing")
            page.fill("#left-note", "走访核实：已搬离")
            page.locator("#left-out button[type=submit]").click()
            page.wait_for_load_state()
            expect(page.locator("#left-out")).to_have_count(0)
            expect(page.locator("[data-off-roster]")).to_have_count(0)
            expect(page.locator("body")).to_contain_text(recorded)
            expect(page.locator("body")).not_to_contain_text(yellow.name)
            assert page.get_by_role("button", name=button).count() == 0
            page.screenshot(path=str(shots / f"{language}-375-left-confirmed.png"), full_page=True)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        finally:
            browser.close()
    review.refresh_from_db()
    assert review.status == "released" and review.decided_by_id == cast.officer_a.pk
