"""One wording of a travel estimate everywhere (issue 11: the console's candidate said "至多 9 分 20 秒", the same
unit's assignment on the console and on the crew's terminal "约 4 分 40 秒" from a position the candidate list
had judged too old, and the API had no text at all). ``durations.eta_text`` on the pages and in the API, the
terminal's script with the same templates — for a fresh fix, a last known position and a base, both languages;
role × own/other station for the API's texts."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from dispatch_support import make_alert, sign_in

pytestmark = pytest.mark.django_db
SHOTS = os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots")


def _positions(force):
    """car_a: only its base (fix 3 h old); moto_a: a fix 12 min old (last known); foot_a: a fresh fix."""
    from django.utils import timezone

    from pingan.dispatch import services
    from pingan.dispatch.models import PatrolUnit

    for pu in (force.car_a, force.moto_a, force.foot_a):
        services.patrol_unit_base_set(actor=None, patrol_unit_id=pu.pk, lon=pu.lon, lat=pu.lat)
    now = timezone.now()
    PatrolUnit.objects.filter(pk=force.car_a.pk).update(position_at=now - dt.timedelta(hours=3))
    PatrolUnit.objects.filter(pk=force.moto_a.pk).update(position_at=now - dt.timedelta(minutes=12))
    PatrolUnit.objects.filter(pk=force.foot_a.pk).update(position_at=now)


def _cell(html: str, code: str) -> str:
    row = re.search(rf'<tr[^>]*data-unit="{code}".*?</tr>', html, re.S).group(0)
    return re.sub(r"<[^>]+>", "", re.search(r'class="eta"[^>]*>(.*?)</td>', row, re.S).group(1)).strip()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_candidate_the_assignment_the_terminal_and_the_api_say_the_same_eta(client, force, lang):
    from pingan.dispatch import services
    from pingan.dispatch.models import Assignment

    _positions(force)
    alert = make_alert(force.unit_a)
    client.cookies["django_language"] = lang
    c = sign_in(client, force.dispatcher)
    panel = c.get(f"/dispatch/console/alerts/{alert.pk}/").content.decode()
    api = {x["code"]: x["eta_text"] for x in c.get(f"/api/v1/dispatch/alerts/{alert.pk}/candidates",
                                                   HTTP_ACCEPT_LANGUAGE=lang).json()}
    said = {code: _cell(panel, code) for code in api}
    assert {"LQ-C1", "LQ-M1", "LQ-F1"} <= set(said) and api == said
    assert said["LQ-C1"].startswith("至多" if lang == "zh-hans" else "at most")  # base: it may be there already
    assert said["LQ-F1"].startswith("约" if lang == "zh-hans" else "about")  # a fresh fix
    made = services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk,
                                    patrol_unit_ids=[force.car_a.pk, force.moto_a.pk, force.foot_a.pk])
    panel = c.get(f"/dispatch/console/alerts/{alert.pk}/").content.decode()
    for a in made:
        code = a.patrol_unit.code
        item = re.search(rf'<li data-assignment="{a.pk}"[^>]*>(.*?)</li>', panel, re.S).group(1)
        assert f" {said[code]} ·" in item, (item, said[code])
        out = c.get(f"/api/v1/dispatch/alerts/{alert.pk}/candidates")  # the list no longer has the units
        assert all(x["code"] != code for x in out.json())
    crew = {force.car_a.pk: force.officer_a, force.moto_a.pk: force.officer_a3, force.foot_a.pk: force.officer_a2}
    for a in Assignment.objects.filter(alert=alert):
        officer = client.__class__()
        officer.cookies["django_language"] = lang
        body = sign_in(officer, crew[a.patrol_unit_id]).get("/dispatch/terminal/").content.decode()
        assert f" {said[a.patrol_unit.code]}" in re.sub(r"<[^>]+>", "", body), a.patrol_unit.code


def test_the_api_says_an_assignments_eta_in_the_callers_language(client, force):
    _positions(force)
    alert = make_alert(force.unit_a)
    c = sign_in(client, force.dispatcher)
    (zh,) = c.post(f"/api/v1/dispatch/alerts/{alert.pk}/assignments", {"units": [force.car_a.pk]},
                   content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert zh["eta_text"].startswith("至多 ") and zh["eta_min_s"] == 0 and zh["eta_max_s"] > zh["eta_s"]


@pytest.mark.parametrize("who, status", [("dispatcher", 200), ("chief_a", 200), ("chief_b", 404), ("officer_a", 200),
                                         ("officer_b", 404), ("analyst", 200), ("landlord_a", 404), ("auditor", 404)])
def test_the_candidates_eta_texts_keep_their_scoping(client, force, who, status):
    from pingan.core.models import User

    _positions(force)
    alert = make_alert(force.unit_a)
    user = getattr(force, who, None) or User.objects.filter(role=who).first()
    r = sign_in(client, user).get(f"/api/v1/dispatch/alerts/{alert.pk}/candidates")
    assert r.status_code == status
    if status == 200:
        assert all(x["eta_text"] for x in r.json())


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_terminals_script_says_a_new_assignments_eta_as_the_server_does(live_server, client, force, monkeypatch,
                                                                             lang):
    """The assignment arrives on the stream (WSGI: the back-fill at each reconnect) and the script draws it:
    the same words as the console's candidate, at 375 px."""
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    from pingan.dispatch import services

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _positions(force)
    alert = make_alert(force.unit_a)
    sign_in(client, force.dispatcher)
    client.cookies["django_language"] = lang
    said = _cell(client.get(f"/dispatch/console/alerts/{alert.pk}/").content.decode(), "LQ-C1")
    officer = sign_in(client.__class__(), force.officer_a)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 375, "height": 800})
        ctx.add_cookies([{"name": "sessionid", "value": officer.cookies["sessionid"].value, "url": live_server.url},
                         {"name": "django_language", "value": lang, "url": live_server.url}])
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/dispatch/terminal/")
        page.wait_for_timeout(500)  # under WSGI the stream is its back-fill: the script reconnects every 2 s
        services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
        page.wait_for_selector("li.assignment .meta")
        meta = page.inner_text("li.assignment .meta")
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/dispatch-terminal-eta-{lang}-375.png", full_page=True)
        assert f" {said} ·" in meta, (meta, said)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        browser.close()
