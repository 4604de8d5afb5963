"""The reassignment in chromium at 375 px and 1280 px, in Chinese and in English (issue 11): the dispatcher ticks
Reassign and presses Assign; the panel asks first, in the page's language, naming the unit that loses the alert
and the one that gets it; "Go back" returns to the panel with nothing changed, the confirmation reassigns. A
station chief whose alert another station's car is on sees no Reassign choice at all."""

from __future__ import annotations

import os

import pytest
from dispatch_support import make_alert

SHOTS = os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

WORDS = {"zh-hans": ("改派：将本警情从 JT-C1 撤回，并派给 LQ-C1？", "（属其他派出所）"),
         "en": ("Reassign: take the alert off JT-C1 and offer it to LQ-C1?", "(another station's)")}


def _page(browser, client, live_server, user, lang, width):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    s = client.session
    s["purpose"] = "dispatch"
    s.save()
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
                     {"name": "django_language", "value": lang, "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    return page


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_reassignment_asks_first_and_a_chief_is_not_offered_one(live_server, client, force, monkeypatch, lang,
                                                                   width):
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    from pingan.dispatch import services

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    question, not_yours = WORDS[lang]
    alert = make_alert(force.unit_a)
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    Path(SHOTS).mkdir(parents=True, exist_ok=True)

    def only_car_a(page):
        expect(page.locator("#panel #assign")).to_be_visible()
        for box in page.locator("#panel input[name=unit]").all():
            box.uncheck()
        page.locator(f"#panel #cand-{force.car_a.pk}").check()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = _page(browser, client, live_server, force.chief_a, lang, width)
            page.goto(f"{live_server.url}/dispatch/console/")
            page.evaluate(f"htmx.ajax('GET', '/dispatch/console/alerts/{alert.pk}/', '#panel')")
            expect(page.locator("#panel #no-reassign")).to_contain_text(not_yours)
            expect(page.locator("#panel input[name=reassign]")).to_have_count(0)
            page.locator("#panel").screenshot(path=f"{SHOTS}/reassign-chief-{lang}-{width}.png")
            page.context.close()

            page = _page(browser, client, live_server, force.dispatcher, lang, width)
            page.goto(f"{live_server.url}/dispatch/console/")
            page.evaluate(f"htmx.ajax('GET', '/dispatch/console/alerts/{alert.pk}/', '#panel')")
            only_car_a(page)
            page.locator("#panel input[name=reassign]").check()
            page.click("#panel #assign")
            expect(page.locator("#panel #confirm-reassign")).to_contain_text(question)
            page.locator("#panel").screenshot(path=f"{SHOTS}/reassign-confirm-{lang}-{width}.png")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            page.locator("#panel #confirm-reassign button.secondary").click()  # go back: nothing changed
            expect(page.locator("#panel #assign")).to_be_visible()
            force.car_b.refresh_from_db()
            assert force.car_b.current_alert_id == alert.pk
            only_car_a(page)
            page.locator("#panel input[name=reassign]").check()
            page.click("#panel #assign")
            page.click("#panel #confirm-reassign-yes")
            expect(page.locator("#panel .ok")).to_be_visible()
            force.car_b.refresh_from_db()
            assert force.car_b.current_alert_id is None
            page.locator("#panel").screenshot(path=f"{SHOTS}/reassign-done-{lang}-{width}.png")
        finally:
            browser.close()
