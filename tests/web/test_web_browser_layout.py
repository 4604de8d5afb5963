"""Layout facts checked in a real browser (Playwright, Debian's chromium) at 375 px and 1280 px.

The header stays one row on a phone for every role and language; the audit trail hides no column on a
phone (each record is a card whose cells name their column) and nothing sticks out sideways; links are the
site's blue, not the browser's underlined default.
"""

from __future__ import annotations

import pytest
from web_support import PASSWORD, make_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




@pytest.fixture
def open_as(browser, live_server):
    """A page signed in as ``user`` (``None``: anonymous) at ``width`` px in ``lang``."""
    contexts = []

    def make(user, width: int = 375, lang: str = "zh-hans"):
        context = browser.new_context(viewport={"width": width, "height": 800})
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if user is not None:
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            if "/purpose/" in page.url:
                page.check("input[value=jurisdiction_management]")
                page.click("main button[type=submit]")
                page.wait_for_load_state()
        return page

    yield make
    for context in contexts:
        context.close()


def header_is_one_row(page) -> None:
    boxes = page.evaluate("""() => [...document.querySelectorAll('header.bar > *, header.bar .bar-end > *')]
        .filter(e => e.offsetParent !== null).map(e => { const r = e.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, right: r.right}; })""")
    header = page.locator("header.bar").bounding_box()
    assert header["height"] < 56, header
    width = page.viewport_size["width"]
    for box in boxes:
        assert box["top"] >= header["y"] - 1 and box["bottom"] <= header["y"] + header["height"] + 1, (boxes, header)
        assert box["right"] <= width, (box, width)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_header_is_one_row_on_a_phone_for_every_role(open_as, live_server, cast, lang):
    pages = {None: "/login/", cast.landlord_a: "/screening/", cast.officer_a: "/police/",
             cast.chief_a: "/police/overview/", cast.auditor: "/audit/"}
    for user, url in pages.items():
        page = open_as(user, 375, lang)
        page.goto(live_server.url + url)
        header_is_one_row(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, (user, url)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_audit_trail_hides_no_column_on_a_phone(open_as, live_server, cast, lang):
    make_job(cast.landlord_a, cast.premises_a, "甲")
    officer = open_as(cast.officer_a)
    officer.goto(live_server.url + "/police/")  # a recorded read with a purpose and an address
    page = open_as(cast.auditor, 375, lang)
    page.goto(f"{live_server.url}/audit/?actor=officer_a")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    header_is_one_row(page)
    cells = page.locator("#audit-records tbody tr").first.locator("td")
    assert cells.count() == 5
    labels = []
    for i in range(5):
        cell = cells.nth(i)
        assert cell.is_visible()
        box = cell.bounding_box()
        assert box["width"] > 200 and box["x"] >= 0 and box["x"] + box["width"] <= 375, (i, box)
        labels.append(cell.evaluate("e => getComputedStyle(e, '::before').content"))
        assert cell.inner_text().strip()
    expected = (['"时间"', '"操作人"', '"操作内容"', '"用途"', '"网络地址"'] if lang == "zh-hans"
                else ['"Time"', '"Who"', '"Did what"', '"Purpose"', '"Network address"'])
    assert labels == expected
    row = page.locator("#audit-records tbody tr").first.inner_text()
    assert ("辖区管理" if lang == "zh-hans" else "jurisdiction management") in row and "127.0.0.1" in row
    # on a wide screen it is a table again, its header row shown
    wide = open_as(cast.auditor, 1280, lang)
    wide.goto(f"{live_server.url}/audit/?actor=officer_a")
    assert wide.locator("#audit-records thead th").first.bounding_box()["height"] > 10


def test_links_are_the_sites_blue_not_the_browsers_default(open_as, live_server, cast):
    page = open_as(cast.officer_a, 1280)
    page.goto(live_server.url + "/")
    style = page.locator("footer.foot a").first.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).textDecorationLine]")
    assert style == ["rgb(11, 61, 145)", "none"]


def test_a_long_unbroken_name_wraps_in_the_message_and_the_error_at_375px(open_as, live_server, cast):
    """A 200-character premises name without a space (issue #11): the "registered" message on /screening/ and the
    "already registered" error wrap inside their boxes; the page stays 375 px wide (it was 2020 px)."""
    name = "A" * 200
    page = open_as(cast.landlord_a, 375)

    def register():
        page.goto(live_server.url + "/screening/premises/new/")
        page.fill("input[name=name]", name)
        page.fill("input[name=address]", "思明区莲前东路200号")
        page.fill("input[name=adcode]", "350203010")
        page.click("main button[type=submit]")
        page.wait_for_load_state()

    register()
    box = page.locator(".message.success")
    assert name in box.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert box.bounding_box()["x"] + box.bounding_box()["width"] <= 375
    register()  # the same premises again: refused, the error names it
    error = page.locator("main [role=alert]")
    assert name in error.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path="/tmp/fixui-long-name-375.png", full_page=True)


def test_continue_with_no_purpose_picked_names_the_choice_at_375px(open_as, live_server, cast):
    page = open_as(None, 375)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", cast.officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/purpose/**")
    page.evaluate("document.querySelector('main form').noValidate = true")  # as a browser that ignores required
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "请先选择查询用途" in page.locator("#purpose-error").inner_text()
    radio = page.locator("input[name=purpose]").first.bounding_box()
    assert radio["width"] < 40  # beside its label, not a full-width line of its own
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path="/tmp/fixui-purpose-375.png", full_page=True)


@pytest.mark.parametrize(("width", "lang"), [(375, "en"), (1280, "en"), (375, "zh-hans")])
def test_the_account_button_shows_a_nameless_account_whole(open_as, live_server, cast, width, lang):
    # issue 11: an account with no name of its own read "auditor of Xiam…" even at 1280 px ("dispatcher of X…"
    # at 375): the button says the role, the unit is in the panel
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=cast.auditor.pk).update(display_name="", first_name="", last_name="")
    page = open_as(cast.auditor, width, lang)
    page.goto(live_server.url + "/audit/")
    who = page.locator("header .account .who")
    assert who.evaluate("e => e.scrollWidth <= e.clientWidth"), who.text_content()
    assert who.text_content() == ("auditor" if lang == "en" else "审计员"), who.text_content()
