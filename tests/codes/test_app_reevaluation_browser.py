"""The jurisdiction view on a phone (375 px) after a re-evaluation raised hits: the "changed by re-screening"
count sits on its own row without sideways scrolling, and following it (as the terminal's notice link does)
lists exactly the people a re-evaluation changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.screening.models import PersonResult

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]


def test_the_re_screening_count_and_its_list_on_a_phone(live_server, client, cast, monkeypatch, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    job = screened(cast.premises_a, ["green", "green", "yellow"])
    changed, _untouched, old = PersonResult.objects.filter(job=job).order_by("row")
    now = timezone.now()
    PersonResult.objects.filter(pk=changed.pk).update(level="red", reevaluation={
        "run": 7, "at": now.astimezone(dt.UTC).isoformat(), "from": "green", "to": "red", "dataset": "test",
        "why": []})
    PersonResult.objects.filter(pk=old.pk).update(reevaluation={  # changed by a run weeks ago: not counted
        "run": 3, "at": (now - dt.timedelta(days=30)).astimezone(dt.UTC).isoformat(), "from": "green",
        "to": "yellow", "dataset": "old", "why": []})
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    s = client.session
    s["purpose"] = "epidemic_screening"
    s.save()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            ctx = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
            ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": live_server.url}])
            page = ctx.new_page()
            page.goto(f"{live_server.url}/police/")
            tile = page.locator("#reevaluated-count")
            expect(tile).to_contain_text("1")
            expect(tile).to_contain_text("近 7 天复查后变化")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
            page.screenshot(path=str(tmp_path / "jurisdiction.png"), full_page=True)  # to look at when it fails
            tile.click()
            expect(page.locator("#reeval-filter")).to_be_visible()
            people = page.locator("#flagged-list li")
            expect(people).to_have_count(1)
            expect(people.first).to_contain_text(changed.name)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
            page.goto(f"{live_server.url}/police/?reeval=3")  # a run's own list, as the terminal's notice links
            expect(page.locator("#flagged-list li")).to_have_count(1)
            expect(page.locator("#flagged-list li").first).to_contain_text(old.name)
            page.screenshot(path=str(tmp_path / "jurisdiction-run.png"), full_page=True)
        finally:
            browser.close()
