"""Real browser (Debian chromium) at 375 px: an officer takes a fraud report with its suspect identifiers as rows
(kind chosen, value typed, a row added), is told on its row which value is wrong for its kind, mends it and
saves (issue 11: identifiers were typed as "kind: value" lines). Screenshot in $PINGAN_SCREENSHOTS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_identifier_rows_on_a_phone(live_server, centre, lang):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    from pingan.antifraud.models import FraudReport

    zh = lang == "zh-hans"
    client = Client()
    client.force_login(centre.officer, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "case_investigation"
    session.save()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 375, "height": 800})
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url},
                             {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/antifraud/reports/new/")
        page.fill("input[name=victim_name]", "周某")
        page.fill("input[name=loss_yuan]", "2000")
        label = "第 {} 个标识：{}" if zh else "Identifier {}: {}"
        kind, value = ("类别", "内容") if zh else ("kind", "value")
        page.get_by_label(label.format(1, kind)).select_option("phone")
        page.get_by_label(label.format(1, value)).fill("13900000009")
        page.get_by_label(label.format(2, kind)).select_option("bank_account")
        page.get_by_label(label.format(2, value)).fill("6222")
        # an IM account: the platform chosen with the kind, the account typed alone (issue 11)
        wechat = "微信" if zh else "WeChat"
        page.get_by_label(label.format(3, kind)).select_option(label=wechat)
        page.get_by_label(label.format(3, value)).fill("fanli_888")
        page.get_by_role("button", name="增加一个标识" if zh else "Add an identifier").click()
        expect(page.locator("#identifier-rows tr")).to_have_count(5)
        page.get_by_label(label.format(5, kind)).select_option("domain")
        page.get_by_label(label.format(5, value)).fill("pay-bad.example")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.click("form.card button[type=submit]")
        said = "“6222”不是银行账号" if zh else "“6222” is not a bank account number"
        expect(page.locator(".field-error", has_text=said)).to_be_visible()
        expect(page.get_by_label(label.format(2, value))).to_have_attribute("aria-invalid", "true")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.screenshot(path=str(SHOTS / f"antifraud-identifiers-375-{lang}.png"), full_page=True)
        page.get_by_label(label.format(2, value)).fill("6222 0200 0000 0109")
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/antifraud/reports/*/")
        browser.close()
    report = FraudReport.objects.get(victim_name="周某")
    assert sorted((i.kind, i.key) for i in report.identifiers.all()) == [
        ("bank_account", "6222020000000109"), ("domain", "pay-bad.example"), ("im", "wechat:fanli_888"),
        ("phone", "+8613900000009")]
