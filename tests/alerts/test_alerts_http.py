"""Alerts over HTTP: GA/T 1400 (VIID) cascade with Digest, the batch API, and every page and endpoint for
every role × own/other jurisdiction."""

from __future__ import annotations

import json

import pytest
from alerts_support import JT_CAMERA, LQ_CAMERA, LQ_SOS, ingest, payload, sign_in

from pingan.alerts import gat1400
from pingan.alerts.models import Alert, DeadLetter, Device

pytestmark = pytest.mark.django_db
PLATFORM = "35020000002000000001"  # a VIID platform's ID (type 200, central signalling server)


@pytest.fixture
def platform(xiamen):
    from pingan.alerts import services

    return services.device_register(
        actor=None, device_id=PLATFORM, name="ANPR platform", kind="platform", password="s3cret-platform"
    )


def _register(client, password="s3cret-platform"):  # noqa: S107 - a test credential
    body = json.dumps({"RegisterObject": {"DeviceID": PLATFORM}})
    r = client.post("/VIID/System/Register", body, content_type="application/json")
    assert r.status_code == 401 and r.json()["ResponseStatusObject"]["StatusCode"] == "4"
    auth = gat1400.digest_authorization(
        r["WWW-Authenticate"], username=PLATFORM, password=password, method="POST", uri="/VIID/System/Register"
    )
    return client.post("/VIID/System/Register", body, content_type="application/json", HTTP_AUTHORIZATION=auth)


def _vehicles(*records):
    return json.dumps({"MotorVehicleListObject": {"MotorVehicleObject": list(records)}}, ensure_ascii=False)


def test_a_platform_registers_with_digest_keeps_alive_posts_pass_records_and_unregisters(client, platform):
    assert _register(client, password="wrong").status_code == 401
    r = _register(client)
    assert r.status_code == 200 and r.json()["ResponseStatusObject"]["StatusCode"] == "0"
    ka = client.post(
        "/VIID/System/Keepalive",
        json.dumps({"KeepaliveObject": {"DeviceID": PLATFORM}}),
        content_type="application/json",
    )
    assert ka.json()["ResponseStatusObject"]["StatusCode"] == "0"
    t = client.get("/VIID/System/Time").json()["SystemTimeObject"]
    assert len(t["LocalTime"]) == 14 and t["TimeZone"] == "Asia/Shanghai"
    recs = [
        {
            "MotorVehicleID": "mv-1",
            "DeviceID": LQ_CAMERA,
            "HasPlate": "1",
            "PlateNo": "闽D12345",
            "PlateReliability": "95",
            "PlateColor": "5",
            "PassTime": "20260101080000",
        },
        {"MotorVehicleID": "mv-2", "DeviceID": LQ_CAMERA, "HasPlate": "0", "PassTime": "20260101080001"},
        {"MotorVehicleID": "mv-3", "DeviceID": "35020301001329999999", "PlateNo": "闽D1", "PassTime": "20260101080002"},
        {"MotorVehicleID": "mv-1", "DeviceID": LQ_CAMERA, "PlateNo": "闽D12345", "PassTime": "20260101080000"},
    ]
    r = client.post(
        "/VIID/MotorVehicles", _vehicles(*recs), content_type="application/json", HTTP_USER_IDENTIFY=PLATFORM
    )
    statuses = r.json()["ResponseStatusListObject"]["ResponseStatusObject"]
    assert [(s["Id"], s["StatusCode"]) for s in statuses] == [
        ("mv-1", "0"),
        ("mv-2", "0"),
        ("mv-3", "7"),
        ("mv-1", "0"),
    ]
    assert "unknown_device" in statuses[2]["StatusString"] and "duplicate" in statuses[3]["StatusString"]
    assert DeadLetter.objects.get().source == "viid"
    un = client.post(
        "/VIID/System/UnRegister",
        json.dumps({"UnRegisterObject": {"DeviceID": PLATFORM}}),
        content_type="application/json",
    )
    assert un.json()["ResponseStatusObject"]["StatusCode"] == "0"
    r = client.post(
        "/VIID/MotorVehicles", _vehicles(recs[0]), content_type="application/json", HTTP_USER_IDENTIFY=PLATFORM
    )
    assert r.status_code == 401


@pytest.mark.parametrize("path", ["/VIID/MotorVehicles", "/VIID/Faces", "/VIID/Persons"])
def test_an_unregistered_platform_cannot_post(client, platform, path):
    r = client.post(path, _vehicles(), content_type="application/json", HTTP_USER_IDENTIFY=PLATFORM)
    assert r.status_code == 401 and r.json()["ResponseStatusObject"]["StatusCode"] == "4"


def test_face_and_person_records_feed_the_person_watch_list(client, platform, on_duty, clock, worker):
    from django.utils import timezone

    from pingan.alerts import services
    from pingan.lib.identity.ric import check_character

    wanted = "35020319900307009" + check_character("35020319900307009")  # synthetic, check character X
    services.hotlist_add(actor=on_duty.analyst, kind="person", key=wanted, reason="wanted")
    _register(client)
    now = gat1400.format_time(timezone.now())
    faces = {"FaceListObject": {"FaceObject": [
        {"FaceID": "f-1", "DeviceID": JT_CAMERA, "FaceAppearTime": now, "IDType": "111", "IDNumber": wanted.lower()},
        {"FaceID": "f-2", "DeviceID": JT_CAMERA, "FaceAppearTime": now},
        {"FaceID": "f-3", "DeviceID": JT_CAMERA, "FaceAppearTime": now, "IDType": "111", "IDNumber": "350203"},
        {"FaceID": "f-4", "DeviceID": JT_CAMERA, "FaceAppearTime": "2026-12-06"},
    ]}}
    r = client.post("/VIID/Faces", json.dumps(faces), content_type="application/json", HTTP_USER_IDENTIFY=PLATFORM)
    statuses = r.json()["ResponseStatusListObject"]["ResponseStatusObject"]
    assert [(s["Id"], s["StatusCode"], s["StatusString"].split(":")[0]) for s in statuses] == [
        ("f-1", "0", "OK"), ("f-2", "0", "OK"), ("f-3", "6", "bad_id_number"), ("f-4", "6", "bad_time")]
    persons = {"PersonListObject": {"PersonObject": [
        {"PersonID": "b-1", "DeviceID": LQ_CAMERA, "PersonAppearTime": now, "IDType": "111", "IDNumber": wanted}]}}
    r = client.post("/VIID/Persons", json.dumps(persons), content_type="application/json",
                    HTTP_USER_IDENTIFY=PLATFORM)
    assert r.json()["ResponseStatusListObject"]["ResponseStatusObject"][0]["StatusCode"] == "0"
    r = client.post("/VIID/Faces", json.dumps({"FaceList": []}), content_type="application/json",
                    HTTP_USER_IDENTIFY=PLATFORM)
    assert r.status_code == 400 and "bad_envelope" in r.json()["ResponseStatusObject"]["StatusString"]
    assert sorted(DeadLetter.objects.values_list("reason_code", flat=True)) == [
        "bad_envelope", "bad_id_number", "bad_time"]
    worker().step()
    alerts = Alert.objects.filter(rule_id="hotlist-person").order_by("unit__code")
    assert [(a.unit.code, a.params["person"], a.params["reason"]) for a in alerts] == [
        ("350203-LQ", wanted, "wanted"), ("350206-JT", wanted, "wanted")]  # each station its own sighting


def test_the_batch_api_takes_a_token_of_an_integration_account(client, xiamen, clock):
    from pingan.core.services import token_create

    tok = token_create(user=xiamen.admin, name="anpr").secret
    body = {"events": [payload("h1", LQ_SOS, "heartbeat", clock()), {"event_id": "x"}]}
    r = client.post(
        "/api/v1/alerts/events", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tok}"
    )
    assert r.status_code == 200, r.content
    assert r.json()["accepted"] == 1 and r.json()["rejected"][0]["code"] == "missing_field"
    officer_tok = token_create(user=xiamen.officer_a, name="x", purpose="alert_response").secret
    r = client.post(
        "/api/v1/alerts/events",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {officer_tok}",
    )
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"


@pytest.fixture
def two_alerts(on_duty, clock, worker):
    ingest(payload("a", LQ_SOS, "sos", clock()), payload("b", JT_CAMERA, "smoke", clock()))
    worker().step()
    return {a.unit.code: a for a in Alert.objects.all()}


# role → (sees station A's alert, sees station B's alert) through the API list and the alert page
VISIBILITY = {
    "officer_a": (True, False),
    "chief_a": (True, False),
    "officer_b": (False, True),
    "analyst": (True, True),
    "dispatcher": (True, True),
    "admin": (False, False),
    "auditor": (False, False),
    "landlord_a": (False, False),
    "enterprise": (False, False),
    "citizen": (False, False),
}


@pytest.mark.parametrize("who", list(VISIBILITY))
def test_each_role_sees_only_its_lines_alerts(client, two_alerts, on_duty, who):
    user = on_duty.dispatcher if who == "dispatcher" else on_duty.users()[who]
    sign_in(client, user)
    ids = {a["id"] for a in client.get("/api/v1/alerts").json()["items"]}
    a, b = two_alerts["350203-LQ"], two_alerts["350206-JT"]
    assert (a.pk in ids, b.pk in ids) == VISIBILITY[who]
    page_a = client.get(f"/alerts/{a.pk}/")
    api_b = client.get(f"/api/v1/alerts/{b.pk}")
    assert (page_a.status_code == 200) == VISIBILITY[who][0] or page_a.status_code in (302, 403, 404)
    assert api_b.status_code == (200 if VISIBILITY[who][1] else 404)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer_a", 200),
        ("chief_a", 200),
        ("analyst", 200),
        ("admin", 403),
        ("auditor", 403),
        ("landlord_a", 403),
        ("citizen", 403),
    ],
)
def test_the_terminal_page_is_for_police_and_dispatch(client, on_duty, who, status):
    sign_in(client, on_duty.users()[who])
    r = client.get("/alerts/")
    assert r.status_code == status
    if status == 200 and who != "analyst":
        assert "莲前派出所" in r.content.decode()  # on duty for station A


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("analyst", 200), ("officer_a", 403), ("chief_a", 403), ("auditor", 403), ("citizen", 403)],
)
def test_dead_letters_are_for_operators(client, xiamen, who, status, clock):
    ingest({"event_id": "x", "device_id": LQ_SOS, "type": "sos"})
    sign_in(client, xiamen.users()[who])
    assert client.get("/alerts/dead-letters/").status_code == status
    api = client.get("/api/v1/alerts-dead-letters").json()
    assert len(api["items"]) == (1 if status == 200 else 0)


def test_an_operator_replays_a_dead_letter_after_registering_the_device(client, xiamen, clock):
    from pingan.alerts import services

    ingest(payload("late", "35020301001349999999", "sos", clock()))
    letter = DeadLetter.objects.get()
    assert letter.reason_code == "unknown_device"
    services.device_register(
        actor=xiamen.admin,
        device_id="35020301001349999999",
        name="new SOS post",
        kind="sos",
        lon=118.137,
        lat=24.476,
        active_since=clock().replace(year=2020),
    )
    sign_in(client, xiamen.admin)
    r = client.post(
        "/api/v1/alerts-dead-letters/replay", json.dumps({"ids": [letter.pk]}), content_type="application/json"
    )
    assert r.json() == {"replayed": 1, "accepted": 1, "duplicates": 0, "dead_lettered": 0}
    letter.refresh_from_db()
    assert letter.outcome == "accepted" and letter.replayed_by == xiamen.admin


def test_officer_acknowledges_on_the_page_in_one_tap(client, two_alerts, on_duty):
    sign_in(client, on_duty.officer_a)
    a = two_alerts["350203-LQ"]
    r = client.post(f"/alerts/{a.pk}/", {"to": "acknowledged"}, HTTP_ACCEPT="application/json")
    assert r.json() == {"ok": True}
    a.refresh_from_db()
    assert (a.state, a.owner) == ("acknowledged", on_duty.officer_a)
    sign_in(client, on_duty.officer_b)
    assert client.post(f"/alerts/{a.pk}/", {"to": "closed"}, HTTP_ACCEPT="application/json").status_code == 404


def test_silences_and_the_watch_list_through_the_api(client, on_duty):
    sign_in(client, on_duty.chief_a)
    r = client.post(
        "/api/v1/alerts-silences",
        json.dumps({"matchers": ["alertname=smoke"], "comment": "drill", "ends_at": "2099-01-01T00:00:00+08:00"}),
        content_type="application/json",
    )
    assert r.status_code == 201
    sid = r.json()["id"]
    sign_in(client, on_duty.officer_b)
    assert client.delete(f"/api/v1/alerts-silences/{sid}").status_code == 403
    sign_in(client, on_duty.analyst)
    r = client.post(
        "/api/v1/alerts-hotlist", json.dumps({"key": "闽d·12345", "reason": "stolen"}), content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["key"] == "闽D12345"
    sign_in(client, on_duty.officer_a)
    assert (
        client.post(
            "/api/v1/alerts-hotlist", json.dumps({"key": "闽D1", "reason": "x"}), content_type="application/json"
        ).status_code
        == 403
    )
    assert [e["key"] for e in client.get("/api/v1/alerts-hotlist").json()["items"]] == []  # placed by the bureau


def test_devices_are_listed_for_their_line(client, xiamen):
    sign_in(client, xiamen.officer_a)
    ids = {d["device_id"] for d in client.get("/api/v1/alerts-devices").json()["items"]}
    assert LQ_CAMERA in ids and JT_CAMERA not in ids
    sign_in(client, xiamen.admin)
    assert len(client.get("/api/v1/alerts-devices").json()["items"]) == Device.objects.count()


def test_a_replay_of_ids_no_table_holds_replays_nothing(client, xiamen, clock):
    # schemathesis's input: on SQLite the driver raised OverflowError for the id (a 500); core.lookups
    ingest(payload("late", "35020301001349999999", "sos", clock()))
    letter = DeadLetter.objects.get()
    sign_in(client, xiamen.admin)
    for ids in ([2**70], [-(2**70)], [2**63]):
        r = client.post("/api/v1/alerts-dead-letters/replay", json.dumps({"ids": ids}),
                        content_type="application/json")
        assert r.status_code == 200 and r.json() == {"replayed": 0, "accepted": 0, "duplicates": 0,
                                                     "dead_lettered": 0}, ids
    # the page's form takes the same ids (digits only): nothing replayed, the page answers
    r = client.post("/alerts/dead-letters/", {"id": [str(2**70)]})
    assert r.status_code == 200
    letter.refresh_from_db()
    assert letter.replayed_at is None and letter.outcome == ""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_timeline_step_without_an_account_names_the_alerts_engine(client, two_alerts, on_duty, language):
    """Issue 11: the alert's timeline said "system" (the page and the API) for the engine's steps. The API
    gives ``actor: null`` and ``agent: "alerts-engine"``; the page names the engine in the reader's language;
    an officer's step keeps the account."""
    a = two_alerts["350203-LQ"]
    sign_in(client, on_duty.officer_a)
    client.cookies["django_language"] = language
    r = client.post(f"/alerts/{a.pk}/", {"to": "acknowledged"}, HTTP_ACCEPT="application/json")
    assert r.json() == {"ok": True}
    steps = client.get(f"/api/v1/alerts/{a.pk}").json()["timeline"]
    raised = next(t for t in steps if t["action"] == "raised")
    assert raised["actor"] is None and raised["agent"] == "alerts-engine"
    acked = next(t for t in steps if t["action"] == "acknowledged")
    assert acked["actor"] == on_duty.officer_a.username and acked["agent"] == ""
    page = client.get(f"/alerts/{a.pk}/").content.decode()
    timeline = page[page.index('<ol class="timeline">'):]
    timeline = timeline[:timeline.index("</ol>")]
    assert ("预警引擎（规则、通知、升级）" if language == "zh-hans" else
            "the alerts engine (rules, notifications, escalations)") in timeline
    assert "system" not in timeline and "系统" not in timeline


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "每次至多 1000 条"), ("en", "up to 1000 at a time")])
def test_replay_with_none_selected_replays_every_waiting_letter_and_the_button_says_so(
    client, xiamen, clock, language, words
):
    """Issue 11 (paged lists): the button said "all shown" while the replay took every letter not yet replayed
    under the filter, on every page. The button names what it does; the replay reaches letters of page 2."""
    from pingan.core.paging import PER_PAGE

    for i in range(PER_PAGE + 5):
        ingest(payload(f"late-{i}", "35020301001349999999", "sos", clock()))
    assert DeadLetter.objects.filter(replayed_at__isnull=True).count() == PER_PAGE + 5
    sign_in(client, xiamen.admin)
    client.cookies["django_language"] = language
    page = client.get("/alerts/dead-letters/").content.decode()
    assert words in page and "all shown" not in page
    r = client.post("/alerts/dead-letters/", {"reason_code": "unknown_device"})
    assert r.status_code == 200
    assert DeadLetter.objects.filter(replayed_at__isnull=True, reason_code="unknown_device").count() == PER_PAGE + 5
    # still unknown: each was fed again and refused again (a new letter each), none left untried
    assert DeadLetter.objects.filter(replayed_at__isnull=False).count() == PER_PAGE + 5
