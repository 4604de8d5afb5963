"""The alert page on a phone (375 px, real browser): an analyst reads the false-alarm figures of the rule and
the device; the officer closes the alert with a disposition chosen from the data's codes."""

from __future__ import annotations

import os

import pytest
from alerts_support import LQ_SOS, ingest, payload, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
SHOTS = os.environ.get("PINGAN_SCREENSHOTS", "")


def test_false_alarm_figures_and_the_close_form_on_a_phone(live_server, client, on_duty, clock, worker,
                                                          monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    from pingan.alerts import services
    from pingan.alerts.models import Alert

    for eid, disposition in (("f1", "false_alarm"), ("f2", "device_fault")):
        ingest(payload(eid, LQ_SOS, "sos", clock()))
        worker().step()
        a = Alert.objects.filter(rule_id="sos", open=True).get()
        services.alert_transition(actor=on_duty.officer_a, alert_id=a.pk, to="acknowledged")
        services.alert_transition(actor=on_duty.officer_a, alert_id=a.pk, to="closed", disposition=disposition)
        clock.advance(60)
    services.device_maintenance_end(actor=on_duty.chief_a, device_id=LQ_SOS)
    ingest(payload("f3", LQ_SOS, "sos", clock()))
    worker().step()
    a = Alert.objects.filter(rule_id="sos", open=True).get()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        for user, name in ((on_duty.analyst, "analyst"), (on_duty.officer_a, "officer")):
            sign_in(client, user)
            ctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
            ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": live_server.url}])
            page = ctx.new_page()
            page.goto(f"{live_server.url}/alerts/{a.pk}/")
            if name == "analyst":
                expect(page.locator("dd.false-alarms")).to_contain_text("规则 一键报警柱：已处置 2 起中 2 起")
                expect(page.locator("dd.false-alarms")).to_contain_text("本设备：已处置 2 起中 2 起")
            else:
                assert page.locator("dd.false-alarms").count() == 0
                options = page.locator("select[name=disposition] option").all_inner_texts()
                assert {"误报", "设备故障", "真实警情"} <= set(options)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/alert-{name}.png", full_page=True)
            ctx.close()
        browser.close()
