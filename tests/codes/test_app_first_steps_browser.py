"""A new landlord's pages at 375 px in Debian's chromium, in Chinese and in English (issue 11, landlord side): the
home's first steps, the upload form's prompt and its "upload the full roster" notice, the code card before any
screening (what to do first, no issue button), and after a partial roster (suspended: why, and what to do), the
code history. No page scrolls sideways, and each is in one language (``tests/page_language.problems``).
``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import pytest
from page_language import data_values, problems
from test_app_left_out import roster
from test_app_support import browser_page, isolated, phone_shots  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_new_landlords_pages_at_phone_width(live_server, client, cast, monkeypatch, tmp_path, language):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import sync_playwright

    p = cast.premises_a
    data = data_values(values=(p.name, p.address, cast.landlord_a.shown_name, cast.unit_a.name))

    def look(page, name: str) -> None:
        page.screenshot(path=str(shots / f"landlord-{language}-375-{name}.png"), full_page=True)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375, name
        found = problems(page.content(), language, data)
        assert not found, f"{name}: {found}"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser_page(browser, client, live_server, cast.landlord_a, language)
            page.goto(live_server.url + "/screening/")
            assert page.locator("#first-steps").is_visible()
            look(page, "home")
            page.goto(live_server.url + f"/codes/premises/{p.pk}/")
            assert page.locator("#code-first").is_visible() and page.locator("#safety-code button").count() == 0
            assert page.text_content(".menu-here").strip() == ("我的场所" if language == "zh-hans" else "My premises")
            look(page, "code-before")
            roster(p, ["green", "yellow"])  # a yellow code from a screening
            page.goto(live_server.url + "/screening/upload/")
            assert page.locator("#full-roster").is_visible()
            look(page, "upload")
            roster(p, ["green"])  # the yellow tenant left out: suspended
            page.goto(live_server.url + f"/codes/premises/{p.pk}/")
            assert page.locator("#suspended-next").is_visible() and page.locator("#code-history li").count() == 1
            look(page, "code-suspended")
        finally:
            browser.close()
