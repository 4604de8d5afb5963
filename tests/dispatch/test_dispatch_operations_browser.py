"""The security-operation page in a real browser at 375 px: no sideways scrolling, a unit deployed from the
form, and an alert raised inside the area appearing on the open page through the htmx refresh."""

from __future__ import annotations

import pytest
from dispatch_support import make_alert
from test_dispatch_operations import make_op

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def test_operation_page_on_a_phone(live_server, client, force, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    op = make_op(force)
    client.force_login(force.chief_a, backend="django.contrib.auth.backends.ModelBackend")
    s = client.session
    s["purpose"] = "dispatch"
    s.save()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
        ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
        page = ctx.new_page()
        page.goto(f"{live_server.url}/dispatch/operations/{op.pk}/")
        expect(page.locator("h2", has_text="区域内警情")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.locator(f"input[name=unit][value='{force.car_a.pk}']").check()
        page.get_by_role("button", name="部署", exact=True).click()
        expect(page.locator("#op-units")).to_contain_text("LQ-C1")
        alert = make_alert(force.unit_a)
        expect(page.locator(f"#op-alerts tr[data-alert='{alert.pk}']")).to_be_visible(timeout=15000)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        browser.close()
