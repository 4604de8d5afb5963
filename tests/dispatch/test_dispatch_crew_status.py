"""The unit terminal's status buttons are what the crew does, and the crew makes only its own changes
(issue 11: the buttons read as states, "dispatched"/"已派", and an officer could set their own unit to
dispatched, which only a dispatcher's assignment should do). Role × transition through the service, the
terminal and the API; own and other station; the refusals in both languages."""

from __future__ import annotations

import json
import re

import pytest
from dispatch_support import make_alert, sign_in
from page_language import assert_language

pytestmark = pytest.mark.django_db

STATES = ("available", "dispatched", "en_route", "on_scene", "busy", "off_duty")

#: What the crew may do: from → to (docs/dispatch.md, "Units and CAD status").
CREW = {
    "available": {"busy", "off_duty"},
    "dispatched": set(),
    "en_route": {"on_scene", "available"},
    "on_scene": {"available", "busy"},
    "busy": {"available", "off_duty"},
    "off_duty": {"available"},
}
#: What CAD allows a station chief or a dispatcher (never *to* dispatched: only an assignment does that).
CAD = {
    "available": {"en_route", "busy", "off_duty"},
    "dispatched": {"available", "en_route", "off_duty"},
    "en_route": {"on_scene", "available", "off_duty"},
    "on_scene": {"available", "busy", "off_duty"},
    "busy": {"available", "off_duty"},
    "off_duty": {"available"},
}


def _try(actor, pu, frm, to):
    """Put ``pu`` in ``frm`` and ask ``actor`` to move it to ``to``: the resulting status or the error code."""
    from pingan.core.errors import DomainError
    from pingan.dispatch import services
    from pingan.dispatch.models import PatrolUnit

    PatrolUnit.objects.filter(pk=pu.pk).update(status=frm, current_alert=None)
    try:
        return services.unit_status_set(actor=actor, patrol_unit_id=pu.pk, to=to).to_status
    except DomainError as exc:
        return exc.code


@pytest.mark.parametrize("role", ["crew", "chief_a", "dispatcher"])
def test_role_by_transition(force, role):
    actor = force.officer_a if role == "crew" else getattr(force, role)
    allowed = CREW if role == "crew" else CAD
    for frm in STATES:
        for to in STATES:
            got = _try(actor, force.car_a, frm, to)
            if to in allowed[frm]:
                assert got == to, (role, frm, to, got)
            elif to == "dispatched" or to not in CAD[frm]:
                assert got == "bad_unit_status", (role, frm, to, got)
            else:
                assert got == "crew_status_not_allowed", (role, frm, to, got)


def test_nobody_but_an_assignment_makes_a_unit_dispatched(force):
    from pingan.dispatch import services

    for actor in (force.officer_a, force.chief_a, force.dispatcher):
        assert _try(actor, force.car_a, "available", "dispatched") == "bad_unit_status"
    alert = make_alert(force.unit_a)
    services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
    force.car_a.refresh_from_db()
    assert force.car_a.status == "dispatched"


def test_other_station_and_other_roles_change_nothing(force):
    for actor, code in (
        (force.officer_b, "not_found"),  # not the crew: the unit is not theirs to see
        (force.officer_a2, "not_found"),  # a colleague of the station, on another unit
        (force.chief_b, "permission_denied"),  # another station's chief
        (force.analyst, "permission_denied"),  # reads units, changes none
    ):
        assert _try(actor, force.car_a, "available", "busy") == code, actor
    assert _try(force.chief_b, force.car_b, "available", "busy") == "busy"


def test_the_terminal_offers_actions_the_crew_takes(client, force):
    from pingan.dispatch.models import PatrolUnit

    sign_in(client, force.officer_a)
    for frm, words_zh, words_en in (
        ("available", ["忙碌，暂不接警", "下班"], ["Busy: not taking calls", "Off duty"]),
        ("en_route", ["到达现场", "可接警"], ["On scene", "Available"]),
        ("on_scene", ["处置完毕，可接警", "忙碌，暂不接警"], ["Cleared: available", "Busy: not taking calls"]),
        ("off_duty", ["上班，可接警"], ["On duty: available"]),
        ("dispatched", [], []),
    ):
        PatrolUnit.objects.filter(pk=force.car_a.pk).update(status=frm)
        for lang, words in (("zh-hans", words_zh), ("en", words_en)):
            client.cookies["django_language"] = lang
            html = client.get("/dispatch/terminal/").content.decode()
            section = html.split('data-unit="LQ-C1"', 1)[1].split('<div class="status-buttons">', 1)[1]
            buttons = re.findall(r"<button[^>]*>([^<]*)</button>", section.split("</div>", 1)[0])
            assert buttons == words, (frm, lang, buttons)
    # dispatched: no button, the offer is answered instead
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/dispatch/terminal/").content.decode()
    assert "接受或拒绝" in html and 'value="dispatched"' not in html


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_refusal_is_said_on_the_terminal_in_the_readers_language(client, force, lang):
    from pingan.dispatch.models import PatrolUnit

    sign_in(client, force.officer_a)
    client.cookies["django_language"] = lang
    PatrolUnit.objects.filter(pk=force.car_a.pk).update(status="en_route")
    r = client.post("/dispatch/terminal/status/", {"unit": force.car_a.pk, "to": "off_duty"}, follow=True)
    text = r.content.decode()
    message = text.split('class="message error">', 1)[1].split("</li>", 1)[0]
    assert_language(message, "zh" if lang == "zh-hans" else "en", ["LQ-C1"])
    assert "en_route" not in message and "off_duty" not in message
    assert ("在途" in message and "下班" in message) if lang == "zh-hans" else ("en route" in message)
    r = client.post(
        "/dispatch/terminal/status/", {"unit": force.car_a.pk, "to": "dispatched"}, HTTP_ACCEPT="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "bad_unit_status"
    assert_language(r.json()["error"], "zh" if lang == "zh-hans" else "en", ["LQ-C1"])
    PatrolUnit.objects.filter(pk=force.car_a.pk).update(status="dispatched")
    r = client.post(
        "/dispatch/terminal/status/", {"unit": force.car_a.pk, "to": "en_route"}, HTTP_ACCEPT="application/json"
    )
    assert r.status_code == 403 and r.json()["code"] == "crew_status_not_allowed"
    assert ("接受或拒绝" if lang == "zh-hans" else "accept or decline") in r.json()["error"]
    assert PatrolUnit.objects.get(pk=force.car_a.pk).status == "dispatched"


def test_the_api_refuses_the_same_changes(client, force):
    from pingan.dispatch.models import PatrolUnit

    def post(user, pu, to):
        sign_in(client, user)
        return client.post(
            f"/api/v1/dispatch/units/{pu.pk}/status", json.dumps({"to": to}), content_type="application/json"
        )

    r = post(force.officer_a, force.car_a, "dispatched")
    assert r.status_code == 409 and r.json()["code"] == "bad_unit_status"
    PatrolUnit.objects.filter(pk=force.car_a.pk).update(status="en_route")
    r = post(force.officer_a, force.car_a, "off_duty")
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "crew_status_not_allowed" and r.json()["allowed"] == ["available", "on_scene"]
    r = post(force.chief_a, force.car_a, "off_duty")  # the station chief may
    assert r.status_code == 200 and r.json()["to_status"] == "off_duty"
    r = post(force.dispatcher, force.car_a, "dispatched")
    assert r.status_code == 409 and r.json()["code"] == "bad_unit_status"
    assert post(force.chief_b, force.car_a, "available").status_code == 403
    assert post(force.officer_b, force.car_a, "available").status_code == 404
