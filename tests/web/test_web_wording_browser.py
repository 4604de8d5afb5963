"""Issue 11's wording findings seen in a real browser at 375 and 1280 px (Debian chromium): the police's premises
list tells the flats of one building apart, the officer's code page names its section on the phone menu, the
overview's map and legend (English, 1280 px) and the console's empty units board. Screenshots go to
``PINGAN_SCREENSHOTS`` (default /tmp/pingan-screenshots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from web_support import sign_in

SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))



def page_as(browser, client, live_server, user, lang: str, width: int):
    sign_in(client, user, purpose="jurisdiction_management")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
                         {"name": "django_language", "value": lang, "url": live_server.url}])
    return context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1280])
def test_the_wording_findings_on_screen(browser, live_server, client, cast, width):
    from pingan.core.services import premises_create

    SHOTS.mkdir(parents=True, exist_ok=True)
    flats = [premises_create(actor=cast.landlord_a, name="莲前东路 88 号", kind="rental",
                             address="思明区莲前东路 88 号", room=f"3 单元 10{i} 室", adcode="350203010")
             for i in (1, 2)]
    page = page_as(browser, client, live_server, cast.officer_a, "zh-hans", width)
    page.goto(f"{live_server.url}/police/#premises-section")
    text = page.inner_text("#premises-list")
    assert "莲前东路 88 号 3 单元 101 室" in text and "莲前东路 88 号 3 单元 102 室" in text
    page.screenshot(path=str(SHOTS / f"wording-premises-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/codes/premises/{flats[0].pk}/")
    assert page.inner_text(".menu-here") == "我的辖区"  # not "菜单"
    page.screenshot(path=str(SHOTS / f"wording-code-page-{width}.png"))

    page = page_as(browser, client, live_server, cast.chief_a, "zh-hans", width)
    page.goto(f"{live_server.url}/dispatch/")
    assert page.url.endswith("/dispatch/console/")
    assert page.is_visible("#no-units")
    page.screenshot(path=str(SHOTS / f"wording-console-{width}.png"), full_page=True)

    page = page_as(browser, client, live_server, cast.analyst, "en", width)
    page.goto(f"{live_server.url}/police/overview/")
    assert "most is 0" not in page.inner_text("#map-legend")
    page.screenshot(path=str(SHOTS / f"wording-overview-en-{width}.png"), full_page=True)
