"""Issue 11's pages at 375 px in chromium, in both languages: the crew's terminal told that its alert was
reassigned (the job goes, the reason stays after the page draws itself again), the P1 badge on the terminal, the
console's dispatch panel (with the reassign choice) and the alert page (with its timeline pruned under the
retention rule), and the overview map's colours with their legend. Screenshots in ``PINGAN_SCREENSHOTS``."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from dispatch_support import make_alert

SHOTS = os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
SAID = {
    "en": ("was reassigned", "P1 life at risk", "Reassign", "under the retention rule", "Yellow people"),
    "zh-hans": ("已改派", "P1 危及生命", "改派", "按保留规则删除", "没有红码人员"),
}


def _cookie(client, user, purpose):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    s = client.session
    s["purpose"] = purpose
    s.save()
    return client.cookies["sessionid"].value


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_pages_at_375_px(live_server, client, force, monkeypatch, lang):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    from pingan.alerts import services as alert_services
    from pingan.alerts.models import AlertTransition
    from pingan.core.models import OrgUnit
    from pingan.dashboard import selectors as dashboard_selectors
    from pingan.dashboard.selectors import UnitCounts
    from pingan.dispatch import services

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    words = SAID[lang]
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    x = make_alert(force.unit_a, priority="P1")
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    crew = _cookie(client, force.officer_b, "dispatch")
    centre = _cookie(client.__class__(), force.dispatcher, "dispatch")
    chief = _cookie(client.__class__(), force.chief_a, "alert_response")
    analyst = _cookie(client.__class__(), force.analyst, "jurisdiction_management")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
        )

        def page_as(session):
            ctx = browser.new_context(viewport={"width": 375, "height": 800})
            ctx.add_cookies(
                [
                    {"name": "sessionid", "value": session, "url": live_server.url},
                    {"name": "django_language", "value": lang, "url": live_server.url},
                ]
            )
            pg = ctx.new_page()
            pg.set_default_timeout(20_000)
            return pg

        def fits(pg):
            assert pg.evaluate("document.scrollingElement.scrollWidth") <= 375

        # the crew's terminal: the job with its P1 badge; the centre reassigns it; the terminal says so
        term = page_as(crew)
        term.goto(f"{live_server.url}/dispatch/terminal/")
        expect(term.locator("li.assignment .prio-badge.P1")).to_have_text(words[1])
        term.wait_for_timeout(2500)  # the stream has said hello (WSGI: it resumes every 2 s with Last-Event-ID)
        term.screenshot(path=f"{SHOTS}/issue11-terminal-job-{lang}-375.png", full_page=True)
        fits(term)
        services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_a.pk], reassign=True)
        expect(term.locator("#left-notice")).to_contain_text(words[0], timeout=15_000)
        term.screenshot(path=f"{SHOTS}/issue11-terminal-reassigned-{lang}-375.png", full_page=True)
        term.wait_for_timeout(5000)  # the page draws itself again: the job gone, the reason still said
        expect(term.locator("#left-notice")).to_contain_text(words[0])
        assert term.locator("li.assignment").count() == 0
        term.screenshot(path=f"{SHOTS}/issue11-terminal-after-{lang}-375.png", full_page=True)
        fits(term)

        # the console's dispatch panel: the badge and the reassign choice
        con = page_as(centre)
        con.goto(f"{live_server.url}/dispatch/console/")
        expect(con.locator("#alerts-board .prio-badge.P1").first).to_have_text(words[1])
        con.evaluate(f"htmx.ajax('GET', '/dispatch/console/alerts/{x.pk}/', '#panel')")
        expect(con.locator("#panel .reassign")).to_contain_text(words[2])
        expect(con.locator("#panel .prio-badge.P1")).to_have_text(words[1])
        con.locator("#alerts-board").screenshot(path=f"{SHOTS}/issue11-console-board-{lang}-375.png")
        con.locator("#panel").screenshot(path=f"{SHOTS}/issue11-console-panel-{lang}-375.png")
        fits(con)

        # the alert page of a closed alert whose timeline went under the retention rule
        y = make_alert(force.unit_a, priority="P1")
        alert_services.alert_transition(actor=force.chief_a, alert_id=y.pk, to="closed", disposition="no_trace")
        AlertTransition.objects.filter(alert=y).update(at=timezone.now() - dt.timedelta(days=400))
        alert_services.alert_records_prune()
        al = page_as(chief)
        al.goto(f"{live_server.url}/alerts/{y.pk}/?from=/dispatch/console/")
        expect(al.locator("#timeline-pruned")).to_contain_text(words[3])
        expect(al.locator("h1 .prio-badge.P1")).to_have_text(words[1])
        al.screenshot(path=f"{SHOTS}/issue11-alert-pruned-{lang}-375.png", full_page=True)
        fits(al)

        # the overview map: a district with 0 red and 1 yellow is yellow, and the legend says what colours mean
        siming, huli = OrgUnit.objects.get(code="350203"), OrgUnit.objects.get(code="350206")
        monkeypatch.setattr(
            dashboard_selectors,
            "unit_counts",
            lambda actor: [
                UnitCounts(unit=siming, people=40, red=0, yellow=1),
                UnitCounts(unit=huli, people=50, red=2, yellow=7),
            ],
        )
        ov = page_as(analyst)
        ov.goto(f"{live_server.url}/police/overview/")
        expect(ov.locator("#map-legend")).to_contain_text(words[4])
        ov.locator("svg.map").scroll_into_view_if_needed()
        ov.locator("svg.map").locator("xpath=..").screenshot(path=f"{SHOTS}/issue11-overview-map-{lang}-375.png")
        fits(ov)
        browser.close()
