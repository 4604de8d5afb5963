"""Long premises names on the upload page, at 375 and 1280 px in chromium, in Chinese and in English (issue 11's
re-check: the premises drop-down was cut at 375 px — a select shows one line of its choice, and a long name ran its
room and address off the box). A few premises are radio buttons whose text wraps within the page; many stay a
select that fits the page, and whatever select's choice is wider than its box is said in full under it
(``base.html``: every select of the site, the family). ``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import pytest
from test_app_support import browser_page, isolated, phone_shots  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

CHROMIUM = "/usr/bin/chromium"
NAME = "厦门市思明区莲前街道莲前东路一百八十八号金山小区出租屋"
ADDRESS = "思明区莲前街道莲前东路188号金山小区第三期东区"


def long_premises(cast, rooms: list[str]):
    from pingan.core import services

    return [services.premises_create(actor=cast.landlord_a, name=NAME, kind="rental", address=ADDRESS, room=room,
                                     adcode=cast.premises_a.adcode) for room in rooms]


def fits(page, width: int) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    for right in page.evaluate("""() => [...document.querySelectorAll('main select, main label.choice')]
            .map(e => e.getBoundingClientRect().right)"""):
        assert right <= width, right


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_few_long_premises_are_choices_that_wrap(live_server, client, cast, monkeypatch, tmp_path, language):
    from playwright.sync_api import sync_playwright

    shots = phone_shots(monkeypatch, tmp_path)
    flats = long_premises(cast, ["12幢3单元1502室", "12幢3单元1503室"])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            for width in (375, 1280):
                page = browser_page(browser, client, live_server, cast.landlord_a, language, width)
                page.goto(f"{live_server.url}/screening/upload/?premises={flats[1].pk}")
                page.screenshot(path=str(shots / f"upload-long-{language}-{width}.png"), full_page=True)
                assert page.locator("main select").count() == 0
                fits(page, width)
                for flat in flats:  # each says its name, room and address in full, none cut by its box
                    label = page.locator("#premises-choices label.choice", has=page.locator(
                        f"input[value='{flat.pk}']"))
                    assert label.evaluate("b => b.scrollWidth <= b.clientWidth")
                    text = label.inner_text().replace("\n", "")
                    assert flat.room in text and ADDRESS in text, text
                assert page.locator(f"#premises-choices input[value='{flats[1].pk}']").is_checked()
                page.context.close()
        finally:
            browser.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_many_long_premises_stay_a_select_that_fits_and_says_the_choice_in_full(live_server, client, cast,
                                                                              monkeypatch, tmp_path, language):
    from playwright.sync_api import sync_playwright

    from pingan.screening.forms import RADIO_PREMISES

    shots = phone_shots(monkeypatch, tmp_path)
    flats = long_premises(cast, [f"12幢3单元{1500 + i}室" for i in range(RADIO_PREMISES + 1)])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            for width in (375, 1280):
                page = browser_page(browser, client, live_server, cast.landlord_a, language, width)
                page.goto(f"{live_server.url}/screening/upload/")
                fits(page, width)
                assert page.locator("main .select-full:visible").count() == 0  # nothing chosen yet
                page.select_option("select[name=premises]", str(flats[-1].pk))
                page.screenshot(path=str(shots / f"upload-many-long-{language}-{width}.png"), full_page=True)
                fits(page, width)
                said = page.locator("main .select-full")
                assert said.count() == 1 and said.is_visible()
                assert flats[-1].room in said.inner_text() and ADDRESS in said.inner_text().replace("\n", "")
                page.select_option("select[name=premises]", str(cast.premises_a.pk))  # a short one fits its box
                assert page.locator("main .select-full:visible").count() == 0
                page.context.close()
        finally:
            browser.close()
