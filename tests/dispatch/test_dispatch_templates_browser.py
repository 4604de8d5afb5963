"""An operation set up from a template and reviewed, in a real browser at 375 px: the template form on the
operations page, the operation page it leads to, and the after-action review with its PDF link — no sideways
scrolling anywhere. Screenshots go to $PINGAN_SCREENSHOTS when set."""

from __future__ import annotations

import os

import pytest
from dispatch_support import CENTRE, make_alert

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def _shot(page, name):
    folder = os.environ.get("PINGAN_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_set_up_from_a_template_and_review_on_a_phone(live_server, client, force, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    from pingan.dispatch import services
    from pingan.dispatch.models import SecurityOperation

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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
        page.goto(f"{live_server.url}/dispatch/operations/")
        form = page.locator("#from-template")
        form.locator("select[name=template]").select_option("stadium-event")
        form.locator("input[name=name]").fill("厦门马拉松")
        form.locator("input[name=venue]").fill("体育中心")
        form.locator("input[name=lat]").fill(str(CENTRE[1]))  # CENTRE is (lon, lat); the form asks latitude first
        form.locator("input[name=lon]").fill(str(CENTRE[0]))
        from django.utils import timezone

        from pingan.dispatch.roster import ZONE

        start = (timezone.now() - timezone.timedelta(minutes=30)).astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")
        form.locator("input[name=starts_at]").fill(start)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        _shot(page, "operations-template-375.png")
        form.get_by_role("button", name="按模板建立").click()
        expect(page.locator("h1")).to_have_text("厦门马拉松")
        op = SecurityOperation.objects.get()
        expect(page.locator("#op-units")).to_contain_text("LQ-C1")  # deployed by the template
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        _shot(page, "operation-from-template-375.png")
        alert = make_alert(force.unit_a)
        services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
        page.get_by_role("link", name="行动复盘").click()
        expect(page.locator("h1")).to_have_text("行动复盘")
        expect(page.locator(f"#review-alerts tr[data-alert='{alert.pk}']")).to_be_visible()
        expect(page.locator("#review-timeline")).to_contain_text("已派 LQ-C1")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        _shot(page, "operation-review-375.png")
        with page.expect_download() as dl:
            page.locator("#review-pdf").click()
        name = dl.value.suggested_filename  # the operation, what it is, its day (5c606b34), not operation-3-review.pdf
        assert name.startswith(f"{op.name}-行动复盘-") and name.endswith(".pdf"), name
        browser.close()
