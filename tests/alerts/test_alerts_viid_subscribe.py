"""GA/T 1400 subscriptions (订阅) with a lower platform and their notifications (通知): pingan subscribes
over a real HTTP socket to a stand-in platform (what xiezhihui98/GAT1400's client sends and expects), the
platform pushes ``/VIID/SubscribeNotifications``, the records become events or dead letters — none lost."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from alerts_support import LQ_CAMERA, sign_in

from pingan.alerts import gat1400
from pingan.alerts.models import Alert, DeadLetter, ViidSubscription
from pingan.core.models import AuditRecord
from pingan.lib.identity.ric import check_character

pytestmark = pytest.mark.django_db
PLATFORM = "35020000002000000001"
OTHER_PLATFORM = "35020000002000000002"
SERVER_ID = "35020000005030000001"


class LowerPlatform:
    """A lower 视图库 on a real socket: records every request; answers StatusCode ``answer`` for each
    SubscribeObject; with ``password`` it first challenges with HTTP Digest, as viid-server does."""

    def __init__(self, answer: str = "0", password: str = "") -> None:
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.answer, self.password, self.secret = answer, password, b"lower-platform"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if outer.password:
                    params = gat1400.parse_authorization(self.headers.get("Authorization", ""))
                    if not params or not gat1400.digest_verify(params, method=self.command,
                                                               password=outer.password, secret=outer.secret):
                        self.send_response(401)
                        self.send_header("WWW-Authenticate", gat1400.digest_challenge(outer.secret))
                        self.end_headers()
                        return
                outer.requests.append((self.command, self.path, dict(self.headers), body))
                objs = body["SubscribeListObject"]["SubscribeObject"]
                reply = {"ResponseStatusListObject": {"ResponseStatusObject": [
                    {"Id": o["SubscribeID"], "RequestURL": self.path, "StatusCode": outer.answer,
                     "StatusString": "OK" if outer.answer == "0" else "refused", "LocalTime": "20261206120000"}
                    for o in objs]}}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lower():
    servers = []

    def make(**kw):
        servers.append(LowerPlatform(**kw))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.fixture
def platforms(xiamen, settings):
    from pingan.alerts import services

    settings.PINGAN = {**settings.PINGAN, "VIID_SERVER_ID": SERVER_ID,
                       "VIID_RECEIVE_ADDR": "http://pingan.test/VIID/SubscribeNotifications"}
    for pid in (PLATFORM, OTHER_PLATFORM):
        services.device_register(actor=None, device_id=pid, name=f"platform {pid[-1]}", kind="platform",
                                 password="s3cret-platform")
    return xiamen


def _register(client, pid=PLATFORM):
    body = json.dumps({"RegisterObject": {"DeviceID": pid}})
    r = client.post("/VIID/System/Register", body, content_type="application/json")
    auth = gat1400.digest_authorization(r["WWW-Authenticate"], username=pid, password="s3cret-platform",
                                        method="POST", uri="/VIID/System/Register")
    r = client.post("/VIID/System/Register", body, content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert r.json()["ResponseStatusObject"]["StatusCode"] == "0"


def _subscribe(client, user, url, lang="en", **form):
    sign_in(client, user)
    data = {"platform": PLATFORM, "endpoint": url, "resource_uri": "35020301001210000001", "resource_class": "0",
            "detail": "13", "title": "莲前卡口过车", "reason": "布控比对", "hours": "24", **form}
    return client.post("/alerts/viid-subscriptions/", data, HTTP_ACCEPT_LANGUAGE=lang)


def _notify(client, subscribe_id, *vehicles, faces=(), pid=PLATFORM, nid="n-1", extra=None):
    n = {"NotificationID": nid, "SubscribeID": subscribe_id, "Title": "过车", "TriggerTime": "20261206120000",
         "InfoIDs": ",".join(v["MotorVehicleID"] for v in vehicles),
         "MotorVehicleObjectList": {"MotorVehicleObject": list(vehicles)}}
    if faces:
        n["FaceObjectList"] = {"FaceObject": list(faces)}
    n.update(extra or {})
    body = json.dumps({"SubscribeNotificationListObject": {"SubscribeNotificationObject": [n]}}, ensure_ascii=False)
    headers = {"HTTP_USER_IDENTIFY": pid} if pid else {}
    r = client.post("/VIID/SubscribeNotifications", body, content_type="application/json", **headers)
    assert r.status_code == 200
    return r.json()["ResponseStatusListObject"]["ResponseStatusObject"]


# a synthetic resident ID number (GB 11643 check character X), not a real person's
PERSON = "35020319900307009" + check_character("35020319900307009")
assert PERSON.endswith("X")


def _vehicle(mid, plate, device=LQ_CAMERA, when=None):
    from django.utils import timezone

    return {"MotorVehicleID": mid, "DeviceID": device, "HasPlate": "1", "PlateNo": plate, "PlateReliability": "96",
            "PlateColor": "2", "PassTime": gat1400.format_time(when or timezone.now()), "TollgateID": "t1"}


def test_subscribe_then_notifications_become_events_and_alerts(client, platforms, lower, clock, worker):
    from pingan.alerts import services

    low = lower()
    assert _subscribe(client, platforms.analyst, low.url).status_code == 302
    sub = ViidSubscription.objects.get()
    assert (sub.status, sub.last_error, sub.subscribe_id) == ("0", "", f"{SERVER_ID}{sub.pk:012d}")
    (method, path, headers, body), = low.requests
    obj = body["SubscribeListObject"]["SubscribeObject"][0]
    assert (method, path, headers["User-Identify"]) == ("POST", "/VIID/Subscribes", SERVER_ID)
    assert {k: obj[k] for k in ("SubscribeID", "SubscribeDetail", "ResourceURI", "ResourceClass", "OperateType",
                                "ReceiveAddr")} == {
        "SubscribeID": sub.subscribe_id, "SubscribeDetail": "13", "ResourceURI": "35020301001210000001",
        "ResourceClass": "0", "OperateType": "0", "ReceiveAddr": "http://pingan.test/VIID/SubscribeNotifications"}
    assert len(obj["BeginTime"]) == len(obj["EndTime"]) == 14 and obj["EndTime"] > obj["BeginTime"]
    assert AuditRecord.objects.filter(action="viid_subscribe", object_id=sub.subscribe_id, actor="analyst").exists()

    services.hotlist_add(actor=platforms.analyst, kind="plate", key="闽D12345", reason="stolen")
    services.hotlist_add(actor=platforms.analyst, kind="person", key=PERSON.lower(), reason="wanted")
    _register(client)
    face = {"FaceID": "f-1", "DeviceID": LQ_CAMERA, "FaceAppearTime": gat1400.format_time(clock()),
            "IDType": "111", "IDNumber": PERSON}
    statuses = _notify(client, sub.subscribe_id, _vehicle("mv-1", "闽D12345"), _vehicle("mv-2", "闽D67890"),
                       _vehicle("mv-1", "闽D12345"), _vehicle("mv-3", "闽D1", device="35020301001329999999"),
                       faces=[face], extra={"NonMotorVehicleObjectList": {"NonMotorVehicleObject": [{"ID": "b1"}]}})
    assert [(s["Id"], s["StatusCode"]) for s in statuses] == [("n-1", "6")]
    assert statuses[0]["StatusString"] == ("3 accepted, 1 duplicates, not handled (kept): NonMotorVehicleObjectList "
                                           "1, 1 refused: unknown_device")
    assert sorted(DeadLetter.objects.values_list("reason_code", flat=True)) == ["unknown_device",
                                                                                 "unsupported_object"]
    sub.refresh_from_db()
    assert (sub.notifications, sub.records) == (1, 5)
    assert services.counters()["received"] == 6  # 4 vehicles + 1 face + 1 bicycle: 3 + 1 duplicate + 2 dead letters
    worker().step()
    got = {a.rule_id: a for a in Alert.objects.all()}
    assert (got["hotlist-plate"].params["plate"], got["hotlist-plate"].unit.code) == ("闽D12345", "350203-LQ")
    assert (got["hotlist-person"].params["person"], got["hotlist-person"].unit.code) == (PERSON, "350203-LQ")


def test_notifications_that_cannot_be_trusted_are_refused_and_kept(client, platforms, lower):
    from pingan.alerts import services

    assert _subscribe(client, platforms.admin, lower().url).status_code == 302
    sub = ViidSubscription.objects.get()
    # the platform has not registered (no Digest): refused, records kept
    s, = _notify(client, sub.subscribe_id, _vehicle("mv-1", "闽D1"))
    assert (s["StatusCode"], s["StatusString"].split(":")[0]) == ("4", "platform_not_registered")
    _register(client)
    _register(client, OTHER_PLATFORM)
    s, = _notify(client, "35020000005030000001999999999999", _vehicle("mv-2", "闽D2"), nid="n-2")
    assert (s["Id"], s["StatusCode"], s["StatusString"].split(":")[0]) == ("n-2", "7", "unknown_subscription")
    s, = _notify(client, sub.subscribe_id, _vehicle("mv-3", "闽D3"), pid=OTHER_PLATFORM)
    assert (s["StatusCode"], s["StatusString"].split(":")[0]) == ("4", "wrong_platform")
    from django.utils import timezone

    ViidSubscription.objects.update(ends_at=timezone.now())
    s, = _notify(client, sub.subscribe_id, _vehicle("mv-4", "闽D4"))
    assert (s["StatusCode"], s["StatusString"].split(":")[0]) == ("4", "subscription_expired")
    sub.refresh_from_db()
    assert sub.status == "2" and sub.notifications == 0
    reasons = list(DeadLetter.objects.order_by("id").values_list("reason_code", flat=True))
    assert reasons == ["platform_not_registered", "unknown_subscription", "wrong_platform", "subscription_expired"]
    c = services.counters()
    assert (c["received"], c.get("accepted", 0), c["dead_lettered"]) == (4, 0, 4)
    # a kept record can be replayed once the operator trusts it: it is an ordinary pass record
    sign_in(client, platforms.admin)
    letter = DeadLetter.objects.get(reason_code="unknown_subscription")
    r = client.post("/api/v1/alerts-dead-letters/replay", json.dumps({"ids": [letter.pk]}),
                    content_type="application/json")
    assert r.json()["accepted"] == 1


def test_cancel_tells_the_platform_and_refuses_later_notifications(client, platforms, lower):
    low = lower()
    assert _subscribe(client, platforms.analyst, low.url).status_code == 302
    sub = ViidSubscription.objects.get()
    assert client.post("/alerts/viid-subscriptions/", {"cancel": str(sub.pk), "confirmed": "1"}).status_code == 302
    method, path, _headers, body = low.requests[-1]
    obj = body["SubscribeListObject"]["SubscribeObject"][0]
    assert (method, path, obj["SubscribeID"], obj["OperateType"]) == ("PUT", "/VIID/Subscribes", sub.subscribe_id, "1")
    sub.refresh_from_db()
    assert (sub.status, sub.cancelled_by) == ("1", platforms.analyst)
    assert AuditRecord.objects.filter(action="viid_unsubscribe", object_id=sub.subscribe_id).exists()
    _register(client)
    s, = _notify(client, sub.subscribe_id, _vehicle("mv-1", "闽D1"))
    assert s["StatusCode"] == "7"


def test_a_refusing_unreachable_or_digest_platform(client, platforms, lower):
    low = lower(answer="4")
    assert _subscribe(client, platforms.analyst, low.url).status_code == 302
    sub = ViidSubscription.objects.get()
    assert sub.status == "9" and sub.last_error == "HTTP 200: 4 refused"
    page = client.get("/alerts/viid-subscriptions/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "HTTP 200: 4 refused" in page
    # the row names the category and the status in words, with dated times (issue 11: no bare codes)
    row = page[page.index(sub.subscribe_id):]
    row = row[:row.index("</tr>")]
    assert "机动车" in row and " · 13<" not in row and ">9 " not in row and "未订阅" in row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+08:00", row)
    closed = lower()
    closed.close()
    assert _subscribe(client, platforms.analyst, closed.url).status_code == 302
    assert ViidSubscription.objects.first().last_error.startswith("unreachable:")
    guarded = lower(password="upper-secret")
    assert _subscribe(client, platforms.analyst, guarded.url).status_code == 302
    assert ViidSubscription.objects.first().last_error.startswith("HTTP 401")
    assert _subscribe(client, platforms.analyst, guarded.url, password="upper-secret").status_code == 302
    sub = ViidSubscription.objects.first()
    assert (sub.status, sub.last_error) == ("0", "") and guarded.requests[-1][2]["Authorization"].startswith("Digest")


def test_bad_forms_and_roles(client, platforms, lower, settings):
    low = lower()
    r = _subscribe(client, platforms.analyst, "ftp://x", detail="13,99", hours="0", lang="zh-hans")
    assert r.status_code == 200 and "endpoint、detail、hours" in r.content.decode()  # a zh list (ea4038c)
    assert not low.requests and not ViidSubscription.objects.exists()
    for who, status in (("admin", 200), ("analyst", 200), ("officer_a", 403), ("chief_a", 403), ("auditor", 403),
                        ("citizen", 403), ("landlord_a", 403)):
        sign_in(client, platforms.users()[who])
        assert client.get("/alerts/viid-subscriptions/").status_code == status, who
        if status == 403:
            assert _subscribe(client, platforms.users()[who], low.url).status_code == 403, who
    assert not low.requests
    settings.PINGAN = {**settings.PINGAN, "VIID_SERVER_ID": ""}
    r = _subscribe(client, platforms.analyst, low.url, lang="zh-hans")
    assert "PINGAN_VIID_SERVER_ID" in r.content.decode() and not low.requests
