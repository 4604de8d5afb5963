"""Real browser (Debian chromium), 375 px and 1280 px, Chinese and English: an anti-fraud officer uploads a bank
statement with issue 11's stray quote and reads the case page. The rejected line is listed with its column and
what to do in the reader's language; the rows below it are stored. Screenshots in $PINGAN_SCREENSHOTS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))
TEXT = ("交易流水号,交易时间,借贷标志,交易金额,对方账号,对方户名\n"
        "Q1,2024-01-05 10:00:00,贷,100,6222020000000101,李四\n"
        'Q2,2024-01-05 11:00:00,借,50,"6222020000000102,张三\n'
        "Q3,2024-01-05 12:00:00,贷,20,6222020000000103,王五\n"
        "Q4,2024-01-05 13:00:00,借,10,6222020000000104,赵六\n")


@pytest.mark.parametrize(("lang", "width"), [("zh-hans", 375), ("en", 375), ("zh-hans", 1280), ("en", 1280)])
def test_the_rejected_line_is_listed_with_its_reason(live_server, centre, case, tmp_path, lang, width):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    report, _ = case
    client = Client()
    client.force_login(centre.officer, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "case_investigation"  # as chosen on /purpose/ after signing in
    session.save()
    statement = tmp_path / "流水.csv"
    statement.write_text(TEXT, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": width, "height": 800})
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url},
                             {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/antifraud/reports/{report.pk}/")
        page.set_input_files("input[name=statement]", str(statement))
        page.fill("input[name=account]", "6222029999999999")
        page.click("form[action$='/statements/'] button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.click(f"details:has-text('{'拒收的行' if lang == 'zh-hans' else 'Rejected rows'}') >> nth=-1 >> summary")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"statement-quote-{lang}-{width}.png"), full_page=True)
        text = page.inner_text("main")
        said = ("英文双引号", "第 3 行") if lang == "zh-hans" else ("a double quote in this cell", "row 3")
        assert all(s in text for s in said), text
        assert "对方账号" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        browser.close()
    stmt = report.statements.get(filename="流水.csv")
    assert stmt.accepted == 3 and [x["row"] for x in stmt.rejections] == [3]
