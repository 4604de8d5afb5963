"""The /verify/ page in Debian's chromium: one online visit, then the network cut, a reload, and a verdict."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.levels import RULE_TEXT_ZH

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("isolated")]


@pytest.mark.django_db(transaction=True)
def test_the_verify_page_loads_and_verifies_offline_after_one_visit(live_server, cast):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    screened(cast.premises_a, ["green", "green"], finished_ago=timedelta(days=1))
    old = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    screened(cast.premises_a, ["green", "yellow"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)  # supersedes ``old``
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(locale="zh-CN")  # a phone in China: the page follows its language
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live_server.url}/verify/")
            page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
            assert page.evaluate("window.pinganReady") is True, errors
            # `ready` resolves once a worker is active, possibly still "activating": wait for "activated"
            page.wait_for_function("""async () => {
                const r = await navigator.serviceWorker.ready;
                return r.active !== null && r.active.state === "activated";
            }""", timeout=30_000)
            assert "已加载 1 把公钥、1 份撤销列表" in page.text_content("#trust")

            served = "document.querySelector('meta[name=pingan-served-at]').content"
            offline_at = timezone.now()
            context.set_offline(True)
            page.reload()
            page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
            assert page.evaluate("window.pinganReady") is True, errors
            assert "离线" in page.text_content("#trust")
            assert page.evaluate("navigator.serviceWorker.controller !== null")
            # A copy rendered before the network was cut: the service worker cache served it, not the server.
            # (Chromium's offline emulation does not cover the worker's own fetches, so this is the real check.)
            assert datetime.fromisoformat(page.evaluate(served)) < offline_at
            assert RULE_TEXT_ZH in page.content()  # the published rule is on the offline page
            probe = "fetch('/.well-known/pingan/jwks.json', {cache: 'no-store'}).then(() => 'online', () => 'offline')"
            assert page.evaluate(probe) == "offline"

            page.fill("#code", code.token)
            page.click("#check")
            page.wait_for_function("document.getElementById('result').textContent.length > 0")
            assert page.get_attribute("#result", "class") == "yellow"
            assert "黄码" in page.text_content("#result") and "莲前出租屋" in page.text_content("#result")

            page.fill("#code", old.token)
            page.click("#check")
            page.wait_for_function("document.getElementById('result').className === 'fail'")
            assert "已撤销" in page.text_content("#result")
            assert errors == []
        finally:
            browser.close()
