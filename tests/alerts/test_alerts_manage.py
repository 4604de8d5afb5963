"""Silences and the watch list (布控) managed on their pages and through the API: every role × own/other
jurisdiction, the changes audited, and their effect on the alerts the worker raises."""

from __future__ import annotations

import json

import pytest
from alerts_support import JT_CAMERA, LQ_CAMERA, LQ_SOS, ingest, payload, sign_in

from pingan.alerts.models import Alert, HotlistEntry, Silence
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast_b(on_duty):
    """Station B gets a chief too (the cast has one only at A), so every check runs both ways."""
    from pingan.core.services import user_create

    on_duty.chief_b = user_create(username="chief_b", password=None, role="station_chief", unit=on_duty.unit_b)
    return on_duty


def _user(cast, who):
    return getattr(cast, who)


def _silence(client, cast, who, matcher, comment="drill", hours="2"):
    sign_in(client, _user(cast, who))
    return client.post("/alerts/silences/", {"matchers": matcher, "hours": hours, "comment": comment})


# role → page status (GET), may create/expire on the page
SILENCE_ROLES = {
    "officer_a": (200, False),
    "chief_a": (200, True),
    "chief_b": (200, True),
    "analyst": (200, True),
    "dispatcher": (200, False),
    "admin": (403, False),
    "auditor": (403, False),
    "landlord_a": (403, False),
    "citizen": (403, False),
}


def test_silences_page_for_every_role_own_and_other_line(client, cast_b):
    for who, (status, manages) in SILENCE_ROLES.items():
        Silence.objects.all().delete()
        assert _silence(client, cast_b, "chief_a", "alertname=smoke", "smoke drill at A").status_code == 302
        assert _silence(client, cast_b, "chief_b", "alertname=smoke", "smoke drill at B").status_code == 302
        a, b = Silence.objects.get(unit=cast_b.unit_a), Silence.objects.get(unit=cast_b.unit_b)
        sign_in(client, _user(cast_b, who))
        r = client.get("/alerts/silences/")
        assert r.status_code == status, who
        if status == 200:
            text = r.content.decode()
            sees = {"officer_a": (True, False), "chief_a": (True, False), "chief_b": (False, True)}.get(
                who, (True, True))
            assert ("smoke drill at A" in text, "smoke drill at B" in text) == sees, who
            assert ('id="silence-create"' in text) == manages, who
        # creating: only station chiefs and analysts; the silence covers the author's own line
        r = client.post("/alerts/silences/", {"matchers": "alertname=sos", "hours": "1", "comment": who})
        assert r.status_code == (302 if manages else 403), who
        if manages:
            assert Silence.objects.get(comment=who).unit == _user(cast_b, who).unit
        # the other station's silence: 404 for a chief (outside the line), allowed for the bureau
        other = b if who != "chief_b" else a
        r = client.post("/alerts/silences/", {"expire": str(other.pk), "confirmed": "1"})
        expected = {"chief_a": 404, "chief_b": 404, "analyst": 302}.get(who, 403)
        assert r.status_code == expected, who
        other.refresh_from_db()
        assert (other.expired_at is not None) == (expected == 302), who
        if manages:  # and the own one
            own = Silence.objects.get(comment=who)
            assert client.post("/alerts/silences/", {"expire": str(own.pk), "confirmed": "1"}).status_code == 302, who


def test_a_silence_made_on_the_page_mutes_its_line_only_and_is_audited(client, cast_b, clock, worker):
    r = _silence(client, cast_b, "chief_a", 'alertname="sos"\n', "post under repair", hours="1")
    assert r.status_code == 302
    s = Silence.objects.get()
    assert s.matchers == ['alertname="sos"'] and s.created_by == cast_b.chief_a
    assert AuditRecord.objects.filter(action="silence_create", object_id=str(s.pk), actor="chief_a").exists()
    from alerts_support import JT_INTRUSION

    clock.advance(10)  # the page's silence starts at the wall clock's now
    ingest(payload("s1", LQ_SOS, "sos", clock()), payload("x1", JT_INTRUSION, "sos", clock()))
    worker().step()
    muted = {a.unit.code: a.muted_by for a in Alert.objects.all()}
    assert muted == {"350203-LQ": f"silence:{s.pk}", "350206-JT": ""}
    # ended early on the page: the next SOS at A notifies again
    assert client.post("/alerts/silences/", {"expire": str(s.pk), "confirmed": "1"}).status_code == 302
    assert AuditRecord.objects.filter(action="silence_expire", object_id=str(s.pk), actor="chief_a").exists()
    Alert.objects.update(open=False)
    ingest(payload("s2", LQ_SOS, "sos", clock.advance(60)))
    worker().step()
    assert Alert.objects.get(open=True).muted_by == ""


BAD_SILENCES = [
    ({"matchers": "", "hours": "1", "comment": "x"}, 'id="what-error">请至少选择一项'),
    ({"matchers": "alertname", "hours": "1", "comment": "x"}, "匹配条件 alertname 应写成"),
    ({"matchers": "alertname=~(", "hours": "1", "comment": "x"}, "正则表达式"),
    ({"matchers": "alertname=sos", "hours": "0", "comment": "x"}, 'id="hours-error">小时数：大于 0、不超过 87840'),
    ({"matchers": "alertname=sos", "hours": "1", "comment": " "}, 'id="comment-error">请说明原因'),
    # issue 11: each of these was "a silence needs at least one matcher, a duration and a comment"
    ({"matchers": "alertname=sos", "hours": "99999999999", "comment": "x"}, 'id="hours-error">小时数'),
    ({"matchers": "alertname=sos", "hours": "abc", "comment": "x"}, 'id="hours-error">小时数'),
    ({"matchers": "alertname=sos", "hours": "-3", "comment": "x"}, 'id="hours-error">小时数'),
    ({"matchers": "alertname=sos", "hours": "87840.5", "comment": "x"}, 'id="hours-error">小时数'),
]


def test_a_bad_silence_is_explained_in_the_readers_language(client, cast_b):
    sign_in(client, cast_b.chief_a)
    for form, message in BAD_SILENCES:
        r = client.post("/alerts/silences/", form, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert r.status_code == 200 and message in r.content.decode(), form
        body = r.content.decode()
        assert form["matchers"] in body and f'value="{form["hours"]}"' in body  # the form keeps what was typed
        assert "至少一个匹配条件" not in body  # the one catch-all sentence for every mistake is gone
    assert not Silence.objects.exists()


def test_hours_at_the_limit_are_taken_and_an_exact_duplicate_of_an_active_silence_is_refused(client, cast_b):
    sign_in(client, cast_b.chief_a)
    form = {"rule": "sos", "matchers": "cell=x", "hours": "87840", "comment": "长期维修"}
    assert client.post("/alerts/silences/", form).status_code == 302
    # the same matchers (in another order) while it is active: refused, saying until when, nothing added
    again = {"matchers": "cell=x\nalertname=sos", "hours": "1", "comment": "又一次"}
    r = client.post("/alerts/silences/", again, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200 and "已有完全相同匹配条件的静默在生效" in r.content.decode()
    assert Silence.objects.count() == 1
    # a different set of matchers is another silence; once the first has ended the same one may be made again
    assert client.post("/alerts/silences/", {"rule": "sos", "hours": "1", "comment": "y"}).status_code == 302
    from pingan.alerts import services

    services.silence_expire(actor=cast_b.chief_a, silence_id=Silence.objects.get(comment="长期维修").pk)
    assert client.post("/alerts/silences/", again).status_code == 302


# role → watch-list page status, may add/remove
WATCH_ROLES = {
    "officer_a": (200, False),
    "chief_a": (200, True),
    "chief_b": (200, True),
    "analyst": (200, True),
    "dispatcher": (403, False),
    "admin": (403, False),
    "auditor": (403, False),
    "landlord_a": (403, False),
    "enterprise": (403, False),
    "citizen": (403, False),
}


def _list(client, cast, who, key, reason, **extra):
    sign_in(client, _user(cast, who))
    return client.post("/alerts/watchlist/", {"kind": "plate", "key": key, "reason": reason, "priority": "P2", **extra})


def test_watch_list_page_for_every_role_own_and_other_line(client, cast_b):
    for who, (status, manages) in WATCH_ROLES.items():
        HotlistEntry.objects.all().delete()
        assert _list(client, cast_b, "chief_a", "闽D·A1234", "stolen (A)").status_code == 302
        assert _list(client, cast_b, "chief_b", "闽D B5678", "robbery (B)").status_code == 302
        a, b = HotlistEntry.objects.get(unit=cast_b.unit_a), HotlistEntry.objects.get(unit=cast_b.unit_b)
        assert (a.key, b.key) == ("闽DA1234", "闽DB5678")
        user = _user(cast_b, who)
        sign_in(client, user)
        reads = AuditRecord.objects.filter(action="list", object_type="HotlistEntry", actor=user.username)
        before = reads.count()
        r = client.get("/alerts/watchlist/")
        assert r.status_code == status, who
        if status == 200:
            text = r.content.decode()
            sees = {"officer_a": (True, False), "chief_a": (True, False), "chief_b": (False, True)}.get(
                who, (True, True))
            assert ("闽DA1234" in text, "闽DB5678" in text) == sees, who
            assert ('id="watchlist-add"' in text) == manages, who
            assert reads.count() == before + 1, who  # reading the list is recorded
        r = client.post("/alerts/watchlist/", {"kind": "plate", "key": "闽D99999", "reason": who, "priority": "P1"})
        assert r.status_code == (302 if manages else 403), who
        if manages:
            e = HotlistEntry.objects.get(reason=who)
            assert e.unit == user.unit and e.priority == "P1"
            assert AuditRecord.objects.filter(action="hotlist_add", object_id=str(e.pk), actor=user.username).exists()
        other = b if who != "chief_b" else a
        r = client.post("/alerts/watchlist/", {"remove": str(other.pk), "confirmed": "1"})
        expected = {"chief_a": 404, "chief_b": 404, "analyst": 302}.get(who, 403)
        assert r.status_code == expected, who
        other.refresh_from_db()
        assert (other.removed_at is not None) == (expected == 302), who


def test_a_plate_listed_on_the_page_raises_an_alert_until_taken_off(client, cast_b, clock, worker):
    assert _list(client, cast_b, "chief_a", "闽d-12345", "stolen car").status_code == 302
    entry = HotlistEntry.objects.get()
    assert entry.key == "闽D12345"
    w = worker()
    ingest(payload("p1", JT_CAMERA, "anpr", clock(), plate="闽D12345", reliability=97))
    w.step()
    a = Alert.objects.get()  # listed by station A, seen at station B's checkpoint: B's officers get it
    assert (a.rule_id, a.unit.code, a.params["reason"]) == ("hotlist-plate", "350206-JT", "stolen car")
    assert client.post("/alerts/watchlist/", {"remove": str(entry.pk), "confirmed": "1"}).status_code == 302
    assert AuditRecord.objects.filter(action="hotlist_remove", object_id=str(entry.pk), actor="chief_a").exists()
    w.refresh_hotlist(force=True)
    ingest(payload("p2", LQ_CAMERA, "anpr", clock.advance(3600), plate="闽D12345", reliability=97))
    w.step()
    assert Alert.objects.filter(rule_id="hotlist-plate").count() == 1  # (the hour also took JT offline)


def test_an_expired_entry_stops_matching_and_the_plate_can_be_listed_again(client, cast_b, clock, worker):
    import datetime as dt

    from django.utils import timezone

    assert _list(client, cast_b, "analyst", "闽D12345", "wanted", days="1").status_code == 302
    entry = HotlistEntry.objects.get()
    assert abs((entry.expires_at - timezone.now()) - dt.timedelta(days=1)) < dt.timedelta(minutes=1)
    HotlistEntry.objects.update(expires_at=clock() - dt.timedelta(seconds=1))  # the worker's clock
    w = worker()
    ingest(payload("p1", JT_CAMERA, "anpr", clock(), plate="闽D12345", reliability=97))
    w.step()
    assert not Alert.objects.exists()
    assert "已过期" in client.get("/alerts/watchlist/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert _list(client, cast_b, "analyst", "闽D12345", "wanted again").status_code == 302
    assert HotlistEntry.objects.filter(removed_at__isnull=True).get().reason == "wanted again"


BAD_ENTRIES = [
    {"key": "", "reason": "x"},
    {"key": "闽D12345", "reason": ""},
    {"key": "闽D12345", "reason": "x", "days": "-1"},
    {"key": "闽D12345", "reason": "r" * 301},
    {"key": "闽D12345", "reason": "x", "priority": "P9"},
]


def test_a_bad_entry_is_explained_in_the_readers_language(client, cast_b):
    sign_in(client, cast_b.chief_a)
    for form in BAD_ENTRIES:
        r = client.post("/alerts/watchlist/", {"kind": "plate", "priority": "P2", **form},
                        HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert r.status_code == 200 and "布控条目需要号牌或参考号" in r.content.decode(), form
    assert not HotlistEntry.objects.exists()


def test_a_plate_already_listed_is_refused_with_its_normal_form(client, cast_b):
    assert _list(client, cast_b, "chief_a", "闽D12345", "stolen").status_code == 302
    r = _list(client, cast_b, "chief_b", "闽d 12345", "again", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200 and "闽D12345 已在布控名单中" in r.content.decode()


API_ROLES = {"officer_a": (403, 403), "chief_a": (201, 404), "analyst": (201, 200), "admin": (403, 403),
             "citizen": (403, 403), "dispatcher": (403, 403)}


def test_the_api_for_every_role_own_and_other_line(client, cast_b):
    for who, (listed, expire_other) in API_ROLES.items():
        HotlistEntry.objects.all().delete()
        Silence.objects.all().delete()
        sign_in(client, cast_b.chief_b)
        sid = client.post("/api/v1/alerts-silences", json.dumps(
            {"matchers": ["alertname=smoke"], "comment": "B", "ends_at": "2099-01-01T00:00:00+08:00"}),
            content_type="application/json").json()["id"]
        eid = client.post("/api/v1/alerts-hotlist", json.dumps({"key": "闽D00001", "reason": "B"}),
                          content_type="application/json").json()["id"]
        sign_in(client, _user(cast_b, who))
        r = client.post("/api/v1/alerts-hotlist", json.dumps({"key": "闽D00002", "reason": who}),
                        content_type="application/json")
        assert r.status_code == listed, who
        r = client.post("/api/v1/alerts-silences", json.dumps(
            {"matchers": ["alertname=sos"], "comment": who, "ends_at": "2099-01-01T00:00:00+08:00"}),
            content_type="application/json")
        assert r.status_code == listed, who
        seen = {e["key"] for e in client.get("/api/v1/alerts-hotlist").json()["items"]}
        assert ("闽D00001" in seen) == (who == "analyst"), who
        silences = {s["comment"] for s in client.get("/api/v1/alerts-silences").json()["items"]}
        assert ("B" in silences) == (who in ("analyst", "dispatcher")), who
        assert client.delete(f"/api/v1/alerts-silences/{sid}").status_code == expire_other, who
        assert client.delete(f"/api/v1/alerts-hotlist/{eid}").status_code == expire_other, who


def test_a_silence_is_made_from_labelled_fields_not_typed_syntax(client, cast_b):
    """Issue 11 (trial): the silences page asked for `name=value` lines. It offers the rule, a device of the line,
    a unit, a priority and a plate as labelled fields in the reader's language; the service still gets (and the
    API still takes) the machine form; the table reads the matchers back by label."""
    import re

    from pingan.alerts import labels
    from pingan.alerts.models import Device

    CJK = re.compile(r"[\u4e00-\u9fff]")
    sign_in(client, cast_b.chief_a)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/alerts/silences/").content.decode()
    sos = Device.objects.get(device_id=LQ_SOS)
    from django.utils import translation

    with translation.override("zh-hans"):
        sos_rule = str(labels.RULES["sos"])
    assert f'<option value="sos">{sos_rule}</option>' in page and CJK.search(sos_rule)
    assert f'<option value="{LQ_SOS}">{sos.name}（{LQ_SOS}）</option>' in page  # full-width on a zh page (ea4038c)
    assert f'<option value="{cast_b.unit_a.code}">{cast_b.unit_a.name}</option>' in page
    assert f'value="{cast_b.unit_b.code}"' not in page  # another station's unit is not offered to a chief of A
    r = client.post("/alerts/silences/", {"rule": "sos", "device": LQ_SOS, "plate": "闽d·12345", "hours": "1",
                                          "comment": "岗亭维修"})
    assert r.status_code == 302
    s = Silence.objects.get(comment="岗亭维修")
    assert s.matchers == ['alertname="sos"', f'device="{LQ_SOS}"', 'plate="闽D12345"']
    zh = client.get("/alerts/silences/").content.decode()
    assert f"设备为{sos.name}（{LQ_SOS}）" in zh and "车牌为闽D12345" in zh and "alertname" not in zh
    client.cookies["django_language"] = "en"
    en = client.get("/alerts/silences/").content.decode()
    assert "Rule is SOS alarm post" in en and "Plate is 闽D12345" in en and 'alertname="sos"' not in en
    # nothing chosen: refused with the reason, no silence
    r = client.post("/alerts/silences/", {"hours": "1", "comment": "nothing"})
    assert r.status_code == 200 and not Silence.objects.filter(comment="nothing").exists()
    # the expert lines still work beside the fields
    client.post("/alerts/silences/", {"priority": "P4", "matchers": "cell=~118.*", "hours": "1", "comment": "x"})
    assert Silence.objects.get(comment="x").matchers == ['priority="P4"', 'cell=~"118.*"']
