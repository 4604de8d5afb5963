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

def open_verify_page(page, base_url: str, errors: list[str]) -> None:
    """Open /verify/, wait for its script, and wait until its service worker is "activated" (``ready``
    resolves once a worker is active, possibly still "activating")."""
    page.goto(f"{base_url}/verify/")
    page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
    assert page.evaluate("window.pinganReady") is True, errors
    page.wait_for_function("""async () => {
        const r = await navigator.serviceWorker.ready;
        return r.active !== null && r.active.state === "activated";
    }""", timeout=30_000)

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
            open_verify_page(page, live_server.url, errors)
            assert page.text_content("#trust") == "可以核验了。"
            assert "已加载 1 把公钥、1 份撤销列表" in page.text_content("#trust-detail")

            served = "document.querySelector('meta[name=pingan-served-at]').content"
            offline_at = timezone.now()
            context.set_offline(True)
            page.reload()
            page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
            assert page.evaluate("window.pinganReady") is True, errors
            assert "当前无网络" in page.text_content("#trust")
            assert page.evaluate("navigator.serviceWorker.controller !== null")
            # A copy rendered before the network was cut: the service worker cache served it, not the server.
            # (Chromium's offline emulation does not cover the worker's own fetches, so this is the real check.)
            assert datetime.fromisoformat(page.evaluate(served)) < offline_at
            assert RULE_TEXT_ZH in page.content()  # the published rule is on the offline page
            # in the site's frame, offline too: its header, styled by site.css from the worker's cache (issue 11)
            # (no footer for a signed-out reader here: its one link was to this page itself — issue 11)
            assert page.locator("header.bar #lang").count() == 1 and page.locator("footer.foot").count() == 0
            assert page.evaluate("getComputedStyle(document.querySelector('header.bar')).backgroundColor") \
                not in ("", "rgba(0, 0, 0, 0)", "transparent")
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
            # replaced by a re-screening, not withdrawn by the police (fresh-user trial): so headed (issue 11)
            assert page.text_content("#verdict") == "无效：已被新码取代"
            assert "新的门贴" in page.text_content("#result")
            assert "公安机关" not in page.text_content("#result")
            assert errors == []
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_the_chosen_language_wins_over_the_cached_copy_offline_too(live_server, cast):
    """Cached in Chinese, the page stayed Chinese after the reader switched the site to English (the service
    worker serves its copy). It now follows the language cookie, and its own menu switches it offline."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    import os

    from django.conf import settings

    sync_api = pytest.importorskip("playwright.sync_api")
    screened(cast.premises_a, ["green", "yellow"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    shots = os.environ.get("PINGAN_SCREENSHOTS")  # a folder to keep the screenshots in, to look at them
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 375, "height": 800})
            cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "url": live_server.url}
            context.add_cookies([{**cookie, "value": "zh-hans"}])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            open_verify_page(page, live_server.url, errors)
            page.reload()  # controlled by the worker now: it caches the Chinese copy
            page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
            assert page.text_content("h1") == "平安码核验" and page.title() == "平安码核验 · 平安"
            assert page.get_attribute("header.bar a.brand", "href") == "/"  # the site's frame (issue 11)
            assert page.text_content("header.bar a.brand").strip() == "平安"
            if shots:
                page.screenshot(path=f"{shots}/verify-375-zh.png", full_page=True)

            context.add_cookies([{**cookie, "value": "en"}])  # the reader switched the site to English
            context.set_offline(True)
            page.reload()
            page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
            assert page.evaluate("window.pinganReady") is True, errors
            assert page.evaluate("document.documentElement.lang") == "en"
            assert page.text_content("h1") == "Safety-code verification" and page.title().endswith("· pingan")
            assert page.text_content("header.bar a.brand").strip() == "pingan"  # the frame's words switch too
            assert not page.query_selector("footer.foot a[href='/verify/']")  # no link to the page itself (issue 11)
            trust = page.text_content("#trust")
            assert trust.startswith("No network: the check uses what this device saved at "), trust
            assert page.input_value("#lang") == "en" and "黄码" not in page.text_content("body")
            page.fill("#code", code.token)
            page.click("#check")
            page.wait_for_function("document.getElementById('result').textContent.length > 0")
            assert page.text_content("#verdict") == "Valid"
            assert page.text_content("#result p").startswith("yellow code · ")
            if shots:
                page.screenshot(path=f"{shots}/verify-375-en-offline.png", full_page=True)

            page.select_option("#lang", "zh-hans")  # the page's own menu, offline
            assert page.text_content("h1") == "平安码核验"
            assert page.text_content("#verdict") == "有效"
            assert page.text_content("#result p").startswith("黄码\u3000莲前出租屋")
            assert page.text_content("#trust").startswith("当前无网络：核验使用本机保存的数据，保存时间 ")
            assert "已加载 1 把公钥、1 份撤销列表" in page.text_content("#trust-detail")
            assert {c["name"]: c["value"] for c in context.cookies()}[settings.LANGUAGE_COOKIE_NAME] == "zh-hans"
            context.set_offline(False)
            page.set_viewport_size({"width": 1280, "height": 800})
            if shots:
                page.screenshot(path=f"{shots}/verify-1280-zh.png", full_page=True)
            assert errors == []
        finally:
            browser.close()
