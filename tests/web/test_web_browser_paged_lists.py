"""A counted, paged list in Debian's chromium at 375 px, in Chinese and in English (issue 11: queues cut at
50–200 rows without a word): the count above the list, the pager below it, page 2 reached by its link, the
other list on the page left on its own page; nothing wider than the phone. ``PINGAN_SCREENSHOTS=dir`` keeps
the screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from page_language import data_values, problems

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
WORDS = {
    "zh-hans": ("共 52 条，显示第 1–30 条", "共 52 条，显示第 31–52 条", "第 2 / 2 页"),
    "en": ("52 in all, 1–30 shown", "52 in all, 31–52 shown", "page 2 of 2"),
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_citizen_services_desk_pages_its_queue_on_a_phone(
    live_server, client, cast, permit_applications, monkeypatch, tmp_path, language
):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("PINGAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import expect, sync_playwright

    for status, n in (("submitted", 52), ("incomplete", 3)):
        permit_applications(status, n, name=f"申请人{status[0]}")
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    first, second, page2 = WORDS[language]
    data = data_values(values=tuple(f"申请人{s}{i:03d}" for s in "si" for i in range(52)))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            ctx = browser.new_context(viewport={"width": 375, "height": 800})
            ctx.add_cookies(
                [
                    {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
                    {"name": "django_language", "value": language, "url": live_server.url},
                ]
            )
            page = ctx.new_page()
            page.goto(live_server.url + reverse("citizen:station"))
            expect(page.locator("body")).to_contain_text(first)
            assert page.locator("#waiting li").count() == 30
            page.screenshot(path=str(shots / f"{language}-375-station.png"), full_page=True)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
            page.locator("#waiting ~ nav.pager a[rel=next]").first.click()
            page.wait_for_load_state()
            expect(page.locator("body")).to_contain_text(second)
            expect(page.locator("body")).to_contain_text(page2)
            assert page.locator("#waiting li").count() == 22
            assert page.locator("#incomplete li").count() == 3  # the other list, on its own first page
            page.screenshot(path=str(shots / f"{language}-375-station-2.png"), full_page=True)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
            found = problems(page.content(), language, data)
            assert not found, found
        finally:
            browser.close()
