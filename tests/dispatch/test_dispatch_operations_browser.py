"""The security-operation page in a real browser at 375 px: no sideways scrolling, a unit deployed from the
form, and an alert raised inside the area appearing on the open page through the htmx refresh."""

from __future__ import annotations

import os

import pytest
from dispatch_support import make_alert
from test_dispatch_operations import make_op

SHOTS = os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def _chief_on_a_phone(p, live_server, client, force):
    """Chromium at 375 px signed in as station A's chief (purpose: dispatch): ``(browser, page)``."""
    client.force_login(force.chief_a, backend="django.contrib.auth.backends.ModelBackend")
    s = client.session
    s["purpose"] = "dispatch"
    s.save()
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                args=["--no-sandbox", "--disable-gpu"])
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return browser, ctx.new_page()


def checkbox_beside_its_label(page, unit_pk: int) -> None:
    """Issue 11: each "Deploy units" checkbox sits on its label's line, left of the unit's name (it was centred
    on a line of its own above the name: the form's ``input{width:100%}`` and ``label{display:grid}``)."""
    box = page.locator(f"input[name=unit][value='{unit_pk}']").bounding_box()
    label = page.locator(f"label:has(input[name=unit][value='{unit_pk}'])").bounding_box()
    assert box["width"] < 40, box
    assert box["x"] - label["x"] < 10, (box, label)
    assert box["y"] + box["height"] / 2 - label["y"] < label["height"], (box, label)
    assert label["height"] < 3 * box["height"] + 20, (box, label)  # one line, not a checkbox line plus a text line


def test_operation_page_on_a_phone(live_server, client, force, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    op = make_op(force)
    with sync_playwright() as p:
        browser, page = _chief_on_a_phone(p, live_server, client, force)
        page.goto(f"{live_server.url}/dispatch/operations/{op.pk}/")
        expect(page.locator("h2", has_text="区域内警情")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        checkbox_beside_its_label(page, force.car_a.pk)
        page.screenshot(path=f"{SHOTS}/operation-deploy-375.png", full_page=True)
        page.locator(f"input[name=unit][value='{force.car_a.pk}']").check()
        page.get_by_role("button", name="部署", exact=True).click()
        expect(page.locator("#op-units")).to_contain_text("LQ-C1")
        alert = make_alert(force.unit_a)
        expect(page.locator(f"#op-alerts tr[data-alert='{alert.pk}']")).to_be_visible(timeout=15000)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        browser.close()


def test_setting_up_an_operation_by_labelled_fields_on_a_phone(live_server, client, force, monkeypatch):
    """Issue 11: at 375 px the venue point and the area's corners are labelled latitude/longitude fields (no
    "lon,lat" to type), a corner row can be added, a wrong field is marked on its row, nothing scrolls
    sideways, and the area set up from the rows is the one stored."""
    from playwright.sync_api import expect, sync_playwright

    from pingan.dispatch.models import SecurityOperation

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    corners = [(24.4750, 118.1360), (24.4750, 118.1380), (24.4770, 118.1380), (24.4770, 118.1360)]
    os.makedirs(SHOTS, exist_ok=True)
    with sync_playwright() as p:
        browser, page = _chief_on_a_phone(p, live_server, client, force)
        page.goto(f"{live_server.url}/dispatch/operations/")
        expect(page.get_by_label("纬度（北纬，度，-90 至 90）")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.locator("#by-hand > summary").click()
        form = page.locator("#by-hand form")
        form.locator("input[name=name]").fill("音乐节")
        form.locator("input[name=venue]").fill("白鹭洲")
        form.locator("input[name=starts_at]").fill("2026-01-03T06:00")
        form.locator("input[name=ends_at]").fill("2026-01-03T14:00")
        for i, (lat, lon) in enumerate(corners):
            page.get_by_label(f"第 {i + 1} 个拐点：纬度").fill(str(lat))
            page.get_by_label(f"第 {i + 1} 个拐点：经度").fill(str(lon) if i != 2 else "abc")
        page.get_by_role("button", name="增加一个拐点").click()
        expect(page.locator("#area-rows tr")).to_have_count(9)
        expect(page.get_by_label("第 9 个拐点：纬度")).to_be_focused()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        form.locator("button[type=submit]").click()
        expect(page.locator(".field-error", has_text="“abc”不是经度")).to_be_visible()
        expect(page.get_by_label("第 3 个拐点：经度")).to_have_attribute("aria-invalid", "true")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.screenshot(path=f"{SHOTS}/dispatch-operation-form-375.png", full_page=True)
        page.get_by_label("第 3 个拐点：经度").fill(str(corners[2][1]))
        page.locator("#by-hand form button[type=submit]").click()
        expect(page.locator("h2", has_text="区域内警情")).to_be_visible()
        browser.close()
    op = SecurityOperation.objects.get(name="音乐节")
    assert [[round(x, 4), round(y, 4)] for x, y in op.area[:-1]] == [[lon, lat] for lat, lon in corners]


def test_the_deploy_checkboxes_sit_beside_their_units_at_1280px(live_server, client, force, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    op = make_op(force)
    with sync_playwright() as p:
        browser, page = _chief_on_a_phone(p, live_server, client, force)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{live_server.url}/dispatch/operations/{op.pk}/")
        checkbox_beside_its_label(page, force.car_a.pk)
        page.screenshot(path=f"{SHOTS}/operation-deploy-1280.png", full_page=True)
        browser.close()
