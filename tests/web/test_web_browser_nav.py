"""The sections bar in Debian's chromium: it fits at 1280 px in one row for every role (an analyst's dozen
sections ran off the right edge as a sideways-scrolling strip), stays inside the screen at 375 px (where the
sections are one menu: test_web_browser_nav_phone.py), and a group's menu opens inside the screen."""

from __future__ import annotations

import pytest
from test_web_browser_layout import open_as  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTSIDE = """() => { const W = document.documentElement.clientWidth;
  return [...document.querySelectorAll('nav.sections, nav.sections *')].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > W + 1 || r.left < -1); })
    .map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 20)); }"""


def tabs(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('nav.sections ul.tabs > li')].map(e => {
        const r = e.getBoundingClientRect(); return {top: Math.round(r.top), text: e.innerText.trim()}; })""")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_sections_fit_in_one_row_at_1280_and_stay_inside_375(open_as, live_server, cast, lang):  # noqa: F811
    from web_support import PASSWORD

    from pingan.core.services import user_create

    dispatcher = user_create(username="disp", password=PASSWORD, role="dispatcher", unit=cast.unit_a.parent,
                             display_name="disp")
    for user in (cast.analyst, cast.chief_a, cast.officer_a, cast.auditor, dispatcher):
        wide = open_as(user, 1280, lang)
        wide.goto(live_server.url + "/")
        rows = {t["top"] for t in tabs(wide)}
        assert len(rows) == 1, (user.username, tabs(wide))
        assert wide.evaluate(OUTSIDE) == [], user.username
        assert wide.evaluate("document.querySelector('nav.sections ul.tabs').scrollWidth <= "
                             "document.querySelector('nav.sections ul.tabs').clientWidth")
        phone = open_as(user, 375, lang)
        phone.goto(live_server.url + "/")
        assert phone.evaluate(OUTSIDE) == [], user.username
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        # a group's menu opens inside the screen (at 1280 px; on a phone the sections are one menu:
        # test_web_browser_nav_phone.py)
        for group in range(wide.locator("nav.sections li.group").count()):
            summary = wide.locator("nav.sections li.group summary").nth(group)
            summary.click()
            menu = wide.locator("nav.sections li.group .menu").nth(group)
            assert menu.is_visible()
            box = menu.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, (user.username, box)
            assert wide.evaluate(OUTSIDE) == []
            summary.click()  # closes it again
            assert not menu.is_visible()
