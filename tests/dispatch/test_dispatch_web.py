"""Every dispatch page and endpoint for every role × own/other jurisdiction; the console shows only the
viewer's subtree (a station chief sees the station, the centre sees the city); RFC 9457 problems."""

from __future__ import annotations

import json

import pytest
from dispatch_support import make_alert, sign_in

pytestmark = pytest.mark.django_db

NOBODY = ("officer_a", "analyst", "admin", "auditor", "landlord_a", "enterprise", "citizen")


def _users(force) -> dict:
    return {**force.users(), "dispatcher": force.dispatcher, "chief_b": force.chief_b}


@pytest.mark.parametrize("path", ["/dispatch/console/", "/dispatch/console/state/"])
def test_console_pages_by_role(client, force, path):
    users = _users(force)
    assert client.get(path).status_code == 302  # anonymous: sign in
    for name in ("dispatcher", "chief_a", "chief_b"):
        assert sign_in(client, users[name]).get(path).status_code == 200, name
    for name in NOBODY:
        assert sign_in(client, users[name]).get(path).status_code == 403, name


def test_the_console_shows_only_the_viewers_subtree(client, force):
    a_alert, b_alert = make_alert(force.unit_a), make_alert(force.unit_b)

    def state(user):
        s = sign_in(client, user).get("/dispatch/console/state/").json()
        return {u["code"] for u in s["units"]}, {a["id"] for a in s["alerts"]}, {d["id"] for d in s["devices"]}

    units, alerts, _ = state(force.chief_a)
    assert units == {"LQ-C1", "LQ-F1", "LQ-M1"} and alerts == {a_alert.pk}
    units, alerts, _ = state(force.chief_b)
    assert units == {"JT-C1"} and alerts == {b_alert.pk}
    units, alerts, _ = state(force.dispatcher)
    assert units == {"LQ-C1", "LQ-F1", "LQ-M1", "JT-C1"} and alerts == {a_alert.pk, b_alert.pk}
    page = sign_in(client, force.chief_a).get("/dispatch/console/").content.decode()
    assert "LQ-C1" in page and "JT-C1" not in page and 'id="map"' in page


def postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the console's cursor is PostgreSQL's transaction order (xmin and snapshots); on other "
                    "databases every answer is the whole state (test_on_sqlite_every_answer_is_the_whole_state)")


@pytest.mark.django_db(transaction=True)
def test_the_console_sends_only_what_changed_since_its_cursor(client, force):
    """Committed transactions, as in production: the cursor is PostgreSQL's transaction order."""
    from pingan.dispatch import services

    postgres_only()
    sign_in(client, force.dispatcher)
    full = client.get("/dispatch/console/state/").json()
    assert full["full"] and len(full["units"]) == 4 and full["devices"] is not None
    s = client.get("/dispatch/console/state/", {"cursor": full["cursor"]}).json()
    assert not s["full"] and s["units"] == s["alerts"] == s["removed"] == [] and "devices" not in s
    alert = make_alert(force.unit_a)
    services.unit_status_set(actor=None, patrol_unit_id=force.car_b.pk, to="busy")
    s2 = client.get("/dispatch/console/state/", {"cursor": s["cursor"]}).json()
    assert [a["id"] for a in s2["alerts"]] == [alert.pk]
    assert [(u["code"], u["status"]) for u in s2["units"]] == [("JT-C1", "busy")]  # only what changed
    # an assignment, its answer and the alert's close each bring the alert back, the close as removed
    services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
    s3 = client.get("/dispatch/console/state/", {"cursor": s2["cursor"]}).json()
    (a3,) = s3["alerts"]
    assert a3["assignments"] == [{"unit": "LQ-C1", "state": "offered"}]
    assert {u["code"]: u["status"] for u in s3["units"]}["LQ-C1"] == "dispatched"
    from pingan.alerts.models import Alert

    Alert.objects.filter(pk=alert.pk).update(open=False)
    from django.utils import timezone

    from pingan.alerts.models import AlertTransition

    AlertTransition.objects.create(alert=alert, at=timezone.now(), action="closed")
    s4 = client.get("/dispatch/console/state/", {"cursor": s3["cursor"]}).json()
    assert s4["removed"] == [alert.pk] and s4["alerts"] == []


def test_a_stale_or_malformed_cursor_gets_the_whole_state(client, force):
    import datetime as dt

    from django.utils import timezone

    from pingan.dispatch import selectors

    sign_in(client, force.dispatcher)
    for cursor in ("", "junk", "c3.x.1.2.ab", "c3.1.2.3", "c3.99999999999999999999.0.0.0", "c3.1.-5.0.0",
                   "c3.1.5~9.0.0", "c2.1.5.0.0"):
        assert client.get("/dispatch/console/state/", {"cursor": cursor}).json()["full"], cursor
    from pingan.dispatch.changes import Snapshot

    old = selectors._cursor(timezone.now() - dt.timedelta(minutes=5), Snapshot(100), 0, "0")
    assert client.get("/dispatch/console/state/", {"cursor": old}).json()["full"]


@pytest.mark.django_db(transaction=True)
def test_the_changes_show_only_the_viewers_subtree(client, force):
    from pingan.dispatch import services

    postgres_only()
    sign_in(client, force.chief_b)
    cursor = client.get("/dispatch/console/state/").json()["cursor"]
    a_alert = make_alert(force.unit_a)
    services.unit_status_set(actor=None, patrol_unit_id=force.car_a.pk, to="busy")
    s = client.get("/dispatch/console/state/", {"cursor": cursor}).json()
    assert s["units"] == [] and s["alerts"] == []
    services.unit_status_set(actor=None, patrol_unit_id=force.car_b.pk, to="busy")
    s = client.get("/dispatch/console/state/", {"cursor": s["cursor"]}).json()
    assert [u["code"] for u in s["units"]] == ["JT-C1"] and a_alert.pk not in [a["id"] for a in s["alerts"]]


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_every_answer_is_the_whole_state(client, force):
    """The embedded default has no transaction-order cursor (docs/dispatch.md): a cursor gets the whole
    state of the viewer's line, with what changed since."""
    from django.db import connection

    from pingan.dispatch import services

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL answers only the changes (the two tests above)")
    sign_in(client, force.chief_b)
    cursor = client.get("/dispatch/console/state/").json()["cursor"]
    a_alert, b_alert = make_alert(force.unit_a), make_alert(force.unit_b)
    services.unit_status_set(actor=None, patrol_unit_id=force.car_b.pk, to="busy")
    s = client.get("/dispatch/console/state/", {"cursor": cursor}).json()
    assert s["full"] and s["devices"] is not None
    assert [(u["code"], u["status"]) for u in s["units"]] == [("JT-C1", "busy")]
    assert [a["id"] for a in s["alerts"]] == [b_alert.pk] and a_alert.pk not in [a["id"] for a in s["alerts"]]


def test_figures_partial_by_role(client, force):
    users = _users(force)
    for name in ("dispatcher", "chief_a", "analyst"):
        r = sign_in(client, users[name]).get("/dispatch/console/figures/")
        assert r.status_code == 200 and "NENA-STA-020.1-2020" in r.content.decode(), name
    for name in ("officer_a", "admin", "auditor", "landlord_a", "citizen"):
        assert sign_in(client, users[name]).get("/dispatch/console/figures/").status_code == 403, name


def test_dispatch_panel_own_and_other_jurisdiction(client, force):
    from pingan.dispatch.models import Assignment

    alert = make_alert(force.unit_a)
    url = f"/dispatch/console/alerts/{alert.pk}/"
    r = sign_in(client, force.chief_a).get(url)
    assert r.status_code == 200 and [c for c in ("LQ-C1", "LQ-M1", "LQ-F1") if c in r.content.decode()] == [
        "LQ-C1",
        "LQ-M1",
        "LQ-F1",
    ]
    assert sign_in(client, force.chief_b).get(url).status_code == 404
    assert sign_in(client, force.chief_b).post(url, {"unit": [force.car_b.pk]}).status_code == 404
    for name in ("officer_a", "analyst", "admin", "citizen"):
        assert sign_in(client, _users(force)[name]).get(url).status_code == 403, name
    r = sign_in(client, force.dispatcher).post(url, {"unit": [force.car_a.pk], "answer_within_s": "30"})
    assert r.status_code == 200 and Assignment.objects.get().patrol_unit == force.car_a
    r = client.post(url, {"unit": [force.car_a.pk]})  # now dispatched: a translated page message
    assert r.status_code == 400 and "LQ-C1" in r.content.decode()


def test_terminal_by_role_and_unit(client, force):
    from pingan.dispatch import services

    users = _users(force)
    assert client.get("/dispatch/terminal/").status_code == 302
    r = sign_in(client, force.officer_a).get("/dispatch/terminal/")
    assert r.status_code == 200 and "LQ-C1" in r.content.decode() and "JT-C1" not in r.content.decode()
    for name in ("dispatcher", "chief_a", "analyst", "admin", "landlord_a", "citizen"):
        assert sign_in(client, users[name]).get("/dispatch/terminal/").status_code == 403, name
    sign_in(client, force.officer_a)
    ok = client.post(
        "/dispatch/terminal/status/", {"unit": force.car_a.pk, "to": "busy"}, HTTP_ACCEPT="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "busy"
    assert client.post("/dispatch/terminal/status/", {"unit": force.car_b.pk, "to": "busy"}).status_code == 404
    bad = client.post(
        "/dispatch/terminal/status/", {"unit": force.car_a.pk, "to": "on_scene"}, HTTP_ACCEPT="application/json"
    )
    assert bad.status_code == 409 and bad.json()["code"] == "bad_unit_status"
    pos = client.post(
        "/dispatch/terminal/position/",
        json.dumps({"lon": 118.14, "lat": 24.48, "accuracy": 8}),
        content_type="application/json",
    )
    assert pos.status_code == 200 and pos.json()["units"] == ["LQ-C1"]
    services.unit_status_set(actor=None, patrol_unit_id=force.car_a.pk, to="available")
    alert = make_alert(force.unit_a)
    [a] = services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
    assert (
        sign_in(client, force.officer_b)
        .post(f"/dispatch/terminal/assignments/{a.pk}/", {"answer": "accept"})
        .status_code
        == 404
    )
    r = sign_in(client, force.officer_a).post(
        f"/dispatch/terminal/assignments/{a.pk}/", {"answer": "accept"}, HTTP_ACCEPT="application/json"
    )
    assert r.json() == {"ok": True, "state": "accepted"}
    r = client.post(f"/dispatch/terminal/assignments/{a.pk}/", {"answer": "decline"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 409 and r.json()["code"] == "assignment_closed"


def test_terminal_position_without_a_unit_is_a_conflict(client, force):
    from pingan.core.services import user_create

    lone = user_create(username="lone", password=None, role="officer", unit=force.unit_a)
    r = sign_in(client, lone).post(
        "/dispatch/terminal/position/", json.dumps({"lon": 118.1, "lat": 24.5}), content_type="application/json"
    )
    assert r.status_code == 409


# ------------------------------------------------------------------------------------------------ API


def test_api_units_and_status_by_role(client, force):
    users = _users(force)
    for name, codes in (
        ("dispatcher", {"LQ-C1", "LQ-F1", "LQ-M1", "JT-C1"}),
        ("chief_a", {"LQ-C1", "LQ-F1", "LQ-M1"}),
        ("chief_b", {"JT-C1"}),
        ("officer_a", {"LQ-C1", "LQ-F1", "LQ-M1"}),
        ("analyst", {"LQ-C1", "LQ-F1", "LQ-M1", "JT-C1"}),
        ("admin", set()),
        ("citizen", set()),
        ("landlord_a", set()),
    ):
        r = sign_in(client, users[name]).get("/api/v1/dispatch/units")
        assert r.status_code == 200 and {u["code"] for u in r.json()["items"]} == codes, name
    sign_in(client, force.chief_b)
    r = client.post(
        f"/api/v1/dispatch/units/{force.car_a.pk}/status", json.dumps({"to": "busy"}), content_type="application/json"
    )
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "permission_denied"
    r = client.post(
        f"/api/v1/dispatch/units/{force.car_b.pk}/status", json.dumps({"to": "busy"}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["to_status"] == "busy"
    r = client.post(
        f"/api/v1/dispatch/units/{force.car_b.pk}/status",
        json.dumps({"to": "on_scene"}),
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "bad_unit_status"
    sign_in(client, force.officer_a)
    assert (
        client.post(
            f"/api/v1/dispatch/units/{force.car_b.pk}/positions",
            json.dumps({"lon": 118.1, "lat": 24.5}),
            content_type="application/json",
        ).status_code
        == 404
    )
    r = client.post(
        f"/api/v1/dispatch/units/{force.car_a.pk}/positions",
        json.dumps({"lon": 118.1, "lat": 24.5, "crs": "bd09"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["crs_reported"] == "bd09" and r.json()["lon"] != 118.1
    r = client.post(
        f"/api/v1/dispatch/units/{force.car_a.pk}/positions",
        json.dumps({"lon": 118.1, "lat": 24.5, "crs": "mars"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_position"


def test_api_on_duty_candidates_assign_answer(client, force):
    alert, b_alert = make_alert(force.unit_a), make_alert(force.unit_b)
    sign_in(client, force.chief_a)
    duty = client.get("/api/v1/dispatch/on-duty").json()
    assert {p["username"] for p in duty["people"]} == {"chief_a", "officer_a", "officer_a2", "officer_a3"}
    assert client.get("/api/v1/dispatch/on-duty", {"unit": "350206-JT"}).status_code == 404
    assert sign_in(client, force.officer_a).get("/api/v1/dispatch/on-duty").status_code == 404
    sign_in(client, force.chief_a)
    cands = client.get(f"/api/v1/dispatch/alerts/{alert.pk}/candidates").json()
    assert [c["code"] for c in cands] == ["LQ-C1", "LQ-M1", "LQ-F1", "JT-C1"]
    assert client.get(f"/api/v1/dispatch/alerts/{b_alert.pk}/candidates").status_code == 404
    r = client.post(
        f"/api/v1/dispatch/alerts/{alert.pk}/assignments",
        json.dumps({"units": [force.car_b.pk], "answer_within_s": 30}),
        content_type="application/json",
    )
    assert r.status_code == 403  # station A's chief does not send station B's car
    r = client.post(
        f"/api/v1/dispatch/alerts/{alert.pk}/assignments",
        json.dumps({"units": [force.car_a.pk], "answer_within_s": 5}),
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/v1/dispatch/alerts/{alert.pk}/assignments",
        json.dumps({"units": [force.car_a.pk], "answer_within_s": 30}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()[0]["unit"] == "LQ-C1"
    aid = r.json()[0]["id"]
    for name in ("officer_a2", "officer_b", "chief_a", "dispatcher"):
        r = sign_in(client, getattr(force, name) if name != "dispatcher" else force.dispatcher).post(
            f"/api/v1/dispatch/assignments/{aid}/answer", json.dumps({"accept": True}), content_type="application/json"
        )
        assert r.status_code == 404, name
    r = sign_in(client, force.officer_a).post(
        f"/api/v1/dispatch/assignments/{aid}/answer", json.dumps({"accept": False}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["state"] == "declined"


def test_api_figures_and_drones_by_role(client, force):
    from pingan.dispatch import services

    for name in ("dispatcher", "chief_a", "analyst"):
        r = sign_in(client, _users(force)[name]).get("/api/v1/dispatch/figures")
        assert r.status_code == 200 and len(r.json()["targets"]) >= 4, name
    for name in ("officer_a", "admin", "citizen"):
        assert sign_in(client, _users(force)[name]).get("/api/v1/dispatch/figures").status_code == 404, name
    drone = services.drone_register(
        actor=None, code="LQ-UAV1", unit=force.unit_a, model="M30T", serial="S1", max_flight_min=40, cruise_mps=15
    )
    services.unit_status_set(actor=None, patrol_unit_id=drone.patrol_unit_id, to="available")
    services.position_report(actor=None, patrol_unit_id=drone.patrol_unit_id, lon=118.137, lat=24.476)
    url = f"/api/v1/dispatch/drones/{drone.pk}/missions"
    body = json.dumps({"lon": 118.1277, "lat": 24.5440})
    assert sign_in(client, force.chief_b).post(url, body, content_type="application/json").status_code == 404
    assert sign_in(client, force.officer_a).post(url, body, content_type="application/json").status_code == 403
    r = sign_in(client, force.chief_a).post(url, body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "drone_no_fly"
    r = client.post(url, json.dumps({"lon": 118.15, "lat": 24.47}), content_type="application/json")
    assert r.status_code == 200 and r.json()["drone"] == "LQ-UAV1" and r.json()["eta_s"] > 0


@pytest.mark.parametrize(("lang", "sos", "incident", "p1"), [
    ("zh-hans", "一键报警", "严重伤害", "危及生命"),
    ("en", "SOS button pressed", "aggravated assault", "life at risk"),
])
def test_the_consoles_alerts_carry_their_sentence_and_priority_in_the_viewers_language(
    client, force, lang, sos, incident, p1
):
    """A replayed Chicago incident showed its rule id ("reported-incident") on the console: the state carries
    the alert's sentence as the terminal renders it (alerts.labels)."""
    from pingan.alerts.models import Alert

    make_alert(force.unit_a)
    chicago = make_alert(force.unit_a, priority="P2", rule_id="reported-incident", summary="immediate.incident")
    Alert.objects.filter(pk=chicago.pk).update(params={"type": "incident", "category": "aggravated_assault"})
    client.cookies["django_language"] = lang
    alerts = {a["rule"]: a for a in sign_in(client, force.dispatcher).get("/dispatch/console/state/").json()["alerts"]}
    assert sos in alerts["sos"]["text"] and p1 in alerts["sos"]["priority_label"]
    assert incident in alerts["reported-incident"]["text"].lower()
    assert "reported-incident" not in alerts["reported-incident"]["text"]
