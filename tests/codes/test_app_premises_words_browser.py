"""The police premises page, the landlord's code page and the screening page on a phone (375 px) in Debian's
chromium, in Chinese and in English: each word said once ("red code code" was), no count left blank, nothing
wider than the screen. ``PINGAN_SCREENSHOTS=dir`` keeps the screenshots (issue 11)."""

from __future__ import annotations

import pytest
from derived_support import TENANTS, import_risk, run
from django.urls import reverse
from test_app_premises_words import DOUBLED, EMPTY_COUNT, RED
from test_app_support import browser_page, isolated, phone_shots  # noqa: F401 - fixture

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_premises_code_and_job_pages_read_cleanly_on_a_phone(live_server, client, cast, monkeypatch, tmp_path,
                                                                  language):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import sync_playwright

    import_risk(tmp_path)
    run(cast.premises_a, TENANTS[:4])
    job = run(cast.premises_a, [*TENANTS[:5], RED])
    pages = [("police-premises", cast.officer_a, reverse("dashboard:premises", args=[cast.premises_a.pk])),
             ("code", cast.landlord_a, reverse("codes:premises", args=[cast.premises_a.pk])),
             ("job", cast.landlord_a, reverse("screening:job", args=[job.pk]))]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            for name, user, url in pages:
                page = browser_page(browser, client, live_server, user, language)
                page.goto(live_server.url + url)
                page.screenshot(path=str(shots / f"{language}-375-{name}.png"), full_page=True)
                said = " ".join(page.locator("main").inner_text().split())
                assert not DOUBLED.search(said), (name, DOUBLED.search(said).group(0))
                assert not EMPTY_COUNT.search(said), (name, EMPTY_COUNT.search(said).group(0))
                assert ("红码" in said) if language == "zh-hans" else ("red code" in said), name
                assert page.evaluate("document.scrollingElement.scrollWidth") <= 375, name
                page.context.close()
        finally:
            browser.close()
