"""Issue 11's walk of the dispatch console in chromium (375 px): the dispatch panel's refusal ("choose at least
one unit") came back as a 400 partial that htmx dropped — its default swaps no 4xx answer — so pressing Assign
with no unit chosen did nothing visible. ``base.html``'s htmx-config swaps 400/422 answers."""

from __future__ import annotations

import os

import pytest
from dispatch_support import make_alert

SHOTS = os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


@pytest.mark.parametrize("lang, said", [("zh-hans", "请至少选择"), ("en", "Choose at least one unit")])
def test_assign_with_no_unit_chosen_says_so_in_the_panel(live_server, client, force, monkeypatch, lang, said):
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    from pingan.dispatch.models import Assignment

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    alert = make_alert(force.unit_a)
    client.force_login(force.dispatcher, backend="django.contrib.auth.backends.ModelBackend")
    s = client.session
    s["purpose"] = "dispatch"
    s.save()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 375, "height": 800})
        ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
                         {"name": "django_language", "value": lang, "url": live_server.url}])
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/dispatch/console/")
        page.evaluate(f"htmx.ajax('GET', '/dispatch/console/alerts/{alert.pk}/', '#panel')")
        expect(page.locator("#panel #assign")).to_be_visible()
        for box in page.locator("#panel input[name=unit]").all():
            box.uncheck()
        page.click("#panel #assign")
        expect(page.locator("#panel [role=alert]")).to_contain_text(said)
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.locator("#panel").screenshot(path=f"{SHOTS}/dispatch-panel-no-unit-{lang}-375.png")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        assert not Assignment.objects.exists()
        browser.close()
