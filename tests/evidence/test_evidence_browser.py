"""Real browser (Playwright driving Debian's chromium) on a 375-px phone: a custodian signs in, checks an item
in at the scan counter as a handheld scanner would type it (htmx swaps the result in), opens the item and
reads its chain; nothing is wider than the phone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections
from evidence_support import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))


@pytest.fixture
def phone(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        browser.close()
        connections.close_all()


def _wide(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_custodian_checks_an_item_in_on_a_phone_and_reads_its_chain(live_server, phone, people, case):
    _, items = case
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "sw_custodian")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/evidence/")
    assert "涉案财物" in page.inner_text("main") and items[0].label in page.inner_text("ul.items")
    assert _wide(page) <= 375, f"the list is {_wide(page)} px wide on a 375-px phone"
    page.click("nav.actions a[href='/evidence/scan/']")
    typed = items[0].label.replace("-", "").lower()  # a scanner that drops the hyphens
    page.fill("#scan-label", typed)
    page.fill("input[name=location]", "sw-r1-a1")
    page.click("form.scan-form button[type=submit]")
    page.wait_for_selector("#scan-result .scan-ok")
    assert "已入库" in page.inner_text("#scan-result") and "SW-R1-A1" in page.inner_text("#scan-result")
    assert page.input_value("#scan-label") == ""  # ready for the next scan
    assert _wide(page) <= 375, f"the scan page is {_wide(page)} px wide"
    page.fill("#scan-label", items[2].label)  # the ring: a valuable, not valued yet
    page.fill("input[name=location]", "SW-V1")
    page.click("form.scan-form button[type=submit]")
    page.wait_for_selector("#scan-result [role=alert]")
    assert "估价" in page.inner_text("#scan-result")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "evidence-scan-375.png"), full_page=True)
    page.fill("input[name=label]", "")
    page.goto(f"{live_server.url}/evidence/?q={items[0].label.replace('-', '+')}")  # a scanned label opens the item
    page.wait_for_selector("#chain")
    chain = page.inner_text("#chain")
    assert "哈希链完整" in chain and "入库" in chain and "扣押登记" in chain
    assert _wide(page) <= 375, f"the item page is {_wide(page)} px wide"
    page.screenshot(path=str(SHOTS / "evidence-item-375.png"), full_page=True)


def _sign_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def test_the_filings_page_and_a_refusal_fit_a_phone(live_server, phone, cast, people, case):
    from pingan.evidence import services

    c, items = case
    services.scan(actor=people.custodian, label=items[0].label, location_code="SW-R1-A1")
    services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=[items[0].label],
                           recommendation="随案移送，建议依法处理")
    page = phone
    _sign_in(page, live_server.url, "sw_custodian")
    page.goto(f"{live_server.url}/evidence/filings/")
    assert "KY-2026-001" in page.inner_text("main") and "第十三条" in page.inner_text("main")
    assert _wide(page) <= 375, f"the filings page is {_wide(page)} px wide"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "evidence-filings-375.png"), full_page=True)
    page.fill("input[name=supervision]", "思明分局督察大队")
    page.fill("input[name=reference]", "DC-2026-118")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=DC-2026-118")
    assert "没有待报备的文书" in page.inner_text("main")
    _sign_in(page, live_server.url, "jcy_procurator")
    page.goto(f"{live_server.url}/evidence/cases/{c.pk}/")
    page.click("text=拒收该清单")
    page.fill("input[name=reason]", "缺少鉴定意见，退回补正")
    assert _wide(page) <= 375, f"the case page with the refusal form is {_wide(page)} px wide"
    page.screenshot(path=str(SHOTS / "evidence-refuse-375.png"), full_page=True)
    page.click("text=拒收（保管权仍归移送单位）")
    page.wait_for_selector("text=缺少鉴定意见，退回补正")
    assert "已拒收" in page.inner_text("main")
    assert _wide(page) <= 375


def test_the_holder_signs_on_the_pad_on_a_phone(live_server, phone, cast, people, case):
    from pingan.evidence.models import Attachment

    c, _ = case
    page = phone
    _sign_in(page, live_server.url, "officer_a")
    page.check("input[value=case_investigation]")  # the purpose of use, once per sign-in
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/evidence/cases/{c.pk}/")
    page.click("#sign summary")
    pad = page.locator("canvas.sign-pad")
    assert page.evaluate("document.querySelector('canvas.sign-pad').style.touchAction") == "none", \
        page.evaluate("[...document.scripts].map(s => s.src).join(' ')")
    box = pad.bounding_box()
    assert box["x"] + box["width"] <= 375
    points = [(20, 90), (60, 40), (100, 100), (150, 30), (220, 95), (280, 50)]
    for n, (x, y) in enumerate(points):  # a finger on the pad: pointer events, as a touch screen sends them
        xy = {"clientX": box["x"] + x * box["width"] / 340, "clientY": box["y"] + y * box["height"] / 140,
              "pointerType": "touch", "isPrimary": True, "bubbles": True}
        pad.dispatch_event("pointerdown" if n == 0 else "pointermove", xy)
    pad.dispatch_event("pointerup", {"bubbles": True})
    assert _wide(page) <= 375, f"the case page with the signature pad is {_wide(page)} px wide"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "evidence-sign-375.png"), full_page=True)
    with page.expect_navigation():
        page.click("form.sign-form button[type=submit]")
    page.click("#sign summary")
    page.wait_for_selector("#sign >> text=✓")
    a = Attachment.objects.get(kind="signature")
    assert a.signer == "holder" and a.content_type == "image/png" and a.size > 200


def test_a_seizure_list_is_entered_item_by_item_on_a_phone(live_server, phone, cast, people, case):
    """Issue 11: the items of a seizure list are rows of labelled fields (no 'name | category | …' lines): an
    officer adds a row, is told on its row what is wrong, mends it and registers the list; nothing is wider
    than the phone."""
    from pingan.evidence.models import SeizureList

    c, _items = case
    page = phone
    _sign_in(page, live_server.url, cast.officer_a.username)
    page.wait_for_load_state()
    if "/purpose/" in page.url:
        page.check("input[value=case_investigation]")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    page.goto(f"{live_server.url}/evidence/cases/{c.pk}/")
    page.click("#new-seizure > summary")
    form = page.locator("#new-seizure form")
    form.locator("input[name=number]").fill("KY-2026-020")
    form.locator("input[name=holder_name]").fill("林某")
    form.locator("input[name=witness_name]").fill("见证人李某")
    form.get_by_label(people.officer_a2.display_name).check()  # the other investigator, picked by name
    rows = page.locator("#item-rows > li")
    rows.nth(0).get_by_label("名称").fill("手机")
    rows.nth(0).get_by_label("类别").select_option("electronic")
    rows.nth(0).get_by_label("价值（元，如知道）").fill("1,200")
    rows.nth(1).get_by_label("名称").fill("金项链")
    rows.nth(1).get_by_label("数量").fill("0")
    page.get_by_role("button", name="增加一件物品").click()
    assert rows.count() == 4
    assert _wide(page) <= 375, f"the case page is {_wide(page)} px wide"
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".field-error")
    errors = page.inner_text("#item-rows")
    assert "请选择物品类别" in errors and "“0”不是数量" in errors
    assert _wide(page) <= 375, f"the refused form is {_wide(page)} px wide"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "evidence-seizure-items-375.png"), full_page=True)
    rows.nth(1).get_by_label("类别").select_option("valuables")
    rows.nth(1).get_by_label("数量").fill("1")
    page.locator("#new-seizure form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    sl = SeizureList.objects.get(number="KY-2026-020")
    assert [(i.name, i.category) for i in sl.items.order_by("line")] == [
        ("手机", "electronic"), ("金项链", "valuables")]
