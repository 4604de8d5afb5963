"""Large-event security operations (大型安保): the area polygon, posts and deployed units, alerts inside the
area and window shown to the operation's command (and not outside), the after-action figures, and every
endpoint and page for role × own/other jurisdiction."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from dispatch_support import CENTRE, make_alert, offset, sign_in
from hypothesis import given
from hypothesis import strategies as st

from pingan.dispatch import area

pytestmark = pytest.mark.django_db

NOBODY = ("officer_a", "analyst", "admin", "auditor", "landlord_a", "enterprise", "citizen")


def _users(force) -> dict:
    return {**force.users(), "dispatcher": force.dispatcher, "chief_b": force.chief_b}


def square(half_m: float = 500) -> list[list[float]]:
    """A square of side 2 × ``half_m`` around the map's centre."""
    return [list(offset(x, y)) for x, y in ((-half_m, -half_m), (half_m, -half_m), (half_m, half_m), (-half_m, half_m))]


def make_op(force, *, unit=None, actor=None, starts=-1, hours=4):
    from django.utils import timezone

    from pingan.dispatch import services

    now = timezone.now()
    return services.operation_create(
        actor=actor, unit=unit or force.unit_a, name="马拉松", venue="环岛路",
        starts_at=now + dt.timedelta(hours=starts), ends_at=now + dt.timedelta(hours=starts + hours),
        area_points=square(), expected_attendance=30000,
    )


# ------------------------------------------------------------------------------------------- pure area


def test_ring_closes_converts_and_refuses_bad_polygons():
    r = area.ring([[0, 0], [1, 0], [1, 1]])
    assert r[0] == r[-1] and len(r) == 4
    assert area.ring([[0, 0], [1, 0], [1, 1], [0, 0]]) == r
    gcj = area.ring([[118.1, 24.5], [118.11, 24.5], [118.11, 24.51]], "gcj02")
    assert gcj[0] != [118.1, 24.5] and abs(gcj[0][0] - 118.1) < 0.01  # shifted back by a few hundred metres
    for bad in ([[0, 0], [1, 1]], [[0, 0], [1, 0], [0, 0], [1, 0]], [[0, 0], [1, 1], [1, 0], [0, 1]],
                [[0, 0], [1, 0], [2, 0]], [[0, 0], [1, 0], [1, 95]]):
        with pytest.raises(area.BadArea):
            area.ring(bad)
    with pytest.raises(area.BadArea):
        area.ring([[0, 0], [1, 0], [1, 1]], "mars")
    assert area.parse_pairs("118.1,24.5; 118.2 24.5\n118.2,24.6") == [(118.1, 24.5), (118.2, 24.5), (118.2, 24.6)]
    with pytest.raises(area.BadArea):
        area.parse_pairs("118.1,24.5,3")


@given(st.floats(-0.99, 0.99), st.floats(-0.99, 0.99), st.floats(1.01, 5), st.floats(1.01, 5))
def test_contains_agrees_with_a_rectangle(x, y, ox, oy):
    r = area.ring([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    assert area.contains(r, x, y)
    assert not area.contains(r, ox, y) and not area.contains(r, x, -oy)


# ------------------------------------------------------------------------------------------- services


def test_create_post_deploy_audited_and_scoped(force):
    from pingan.core.errors import DomainError, NotFound, PermissionDenied
    from pingan.core.models import AuditRecord
    from pingan.dispatch import services

    op = make_op(force, actor=force.chief_a)
    assert op.area[0] == op.area[-1] and op.min_lon < CENTRE[0] < op.max_lon
    post = services.operation_post_add(actor=force.chief_a, operation_id=op.pk, name="1号检查点", kind="checkpoint",
                                       lon=CENTRE[0], lat=CENTRE[1])
    rows = services.operation_deploy(actor=force.chief_a, operation_id=op.pk,
                                     patrol_unit_ids=[force.car_a.pk, force.foot_a.pk], post_id=post.pk)
    assert {r.patrol_unit.code for r in rows} == {"LQ-C1", "LQ-F1"} and all(r.post_id == post.pk for r in rows)
    # moving a unit to roving keeps one row
    services.operation_deploy(actor=force.chief_a, operation_id=op.pk, patrol_unit_ids=[force.car_a.pk])
    assert op.deployments.count() == 2 and op.deployments.get(patrol_unit=force.car_a).post_id is None
    actions = set(AuditRecord.objects.filter(object_type="SecurityOperation", object_id=str(op.pk))
                  .values_list("action", flat=True))
    assert {"operation_create", "operation_post_add", "operation_deploy"} <= actions
    # another station's chief: not found; their units cannot be deployed by chief A; officers may not
    with pytest.raises(NotFound):
        services.operation_deploy(actor=force.chief_b, operation_id=op.pk, patrol_unit_ids=[force.car_b.pk])
    with pytest.raises(NotFound):
        services.operation_deploy(actor=force.chief_a, operation_id=op.pk, patrol_unit_ids=[force.car_b.pk])
    with pytest.raises(PermissionDenied):
        services.operation_post_add(actor=force.officer_a, operation_id=op.pk, name="x", kind="post", lon=118, lat=24)
    with pytest.raises(PermissionDenied):
        make_op(force, actor=force.chief_b)  # station A's operation by B's chief
    # the centre deploys any of the city's units to it
    services.operation_deploy(actor=force.dispatcher, operation_id=op.pk, patrol_unit_ids=[force.car_b.pk])
    assert op.deployments.count() == 3
    other = make_op(force, unit=force.unit_b)
    with pytest.raises(DomainError) as e:
        services.operation_deploy(actor=force.dispatcher, operation_id=op.pk, patrol_unit_ids=[force.car_a.pk],
                                  post_id=other.posts.create(name="p", lon=0, lat=0).pk)
    assert e.value.code == "bad_post"
    with pytest.raises(DomainError) as e:
        make_op(force, starts=1, hours=0)
    assert e.value.code == "bad_operation"


def test_alerts_inside_the_area_and_window_only_and_after_action_figures(force):
    from django.utils import timezone

    from pingan.dispatch import selectors, services

    op = make_op(force, unit=force.unit_a)
    now = timezone.now()
    inside = make_alert(force.unit_a, created_at=now - dt.timedelta(minutes=30))
    inside_b = make_alert(force.unit_b, lon=offset(400, 400)[0], lat=offset(400, 400)[1], priority="P2",
                          created_at=now - dt.timedelta(minutes=20), rule_id="crowd")
    outside = make_alert(force.unit_a, lon=offset(700, 0)[0], lat=offset(700, 0)[1])  # in the bbox? no: beyond
    corner = make_alert(force.unit_a, lon=offset(480, -480)[0], lat=offset(480, -480)[1])
    before = make_alert(force.unit_a, created_at=now - dt.timedelta(minutes=150))  # before the window opened
    services.operation_deploy(actor=None, operation_id=op.pk, patrol_unit_ids=[force.car_a.pk, force.moto_a.pk])
    # a dispatch to the inside alert, accepted and on scene
    a = services.dispatch_assign(actor=force.dispatcher, alert_id=inside.pk, patrol_unit_ids=[force.car_a.pk])[0]
    services.assignment_answer(actor=force.officer_a, assignment_id=a.pk, accept=True)
    services.unit_status_set(actor=force.officer_a, patrol_unit_id=force.car_a.pk, to="on_scene")
    view = selectors.operation_view(actor=force.chief_a, operation_id=op.pk)
    ids = {x.pk for x in view["alerts"]}
    assert ids == {inside.pk, inside_b.pk, corner.pk}, ids
    assert outside.pk not in ids and before.pk not in ids
    s = view["summary"]
    assert s["units_deployed"] == 2 and s["units_by_kind"] == {"car": 1, "motorcycle": 1}
    assert s["alerts"] == 3 and s["alerts_by_priority"] == {"P1": 2, "P2": 1} and s["alerts_by_rule"]["crowd"] == 1
    assert s["response"]["dispatch"]["n"] == 1 and s["response"]["arrive"]["n"] == 1
    assert 29 * 60 < s["response"]["dispatch"]["p50"] < 31 * 60  # created 30 min ago, dispatched now
    assert view["active"] is True
    # an operation that has ended (3 h ago to 2 h ago) shows what was raised inside then; one not begun none
    past = make_op(force, starts=-3, hours=1)
    later = make_op(force, starts=1)
    assert [x.pk for x in selectors.operation_view(actor=force.chief_a, operation_id=past.pk)["alerts"]] == [before.pk]
    v = selectors.operation_view(actor=force.chief_a, operation_id=later.pk)
    assert v["alerts"] == [] and v["active"] is False


def test_operations_are_seen_by_the_centre_and_their_own_station(force):
    from pingan.core.errors import NotFound
    from pingan.dispatch import selectors

    a_op, b_op = make_op(force), make_op(force, unit=force.unit_b)
    users = _users(force)
    seen = {n: set(selectors.operations(actor=users[n]).values_list("pk", flat=True)) for n in users}
    assert seen["dispatcher"] == {a_op.pk, b_op.pk}
    assert seen["chief_a"] == {a_op.pk} and seen["chief_b"] == {b_op.pk}
    for n in NOBODY:
        assert seen[n] == set(), n
    with pytest.raises(NotFound):
        selectors.operation_view(actor=force.chief_b, operation_id=a_op.pk)


# ------------------------------------------------------------------------------------------------ API


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_by_role_and_jurisdiction(client, force):
    from django.utils import timezone

    users = _users(force)
    now = timezone.now()
    body = {"name": "音乐节", "venue": "白鹭洲", "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
            "ends_at": (now + dt.timedelta(hours=3)).isoformat(), "area": square(), "expected_attendance": 8000}
    r = _post(sign_in(client, force.chief_a), "/api/v1/dispatch/operations", body)
    assert r.status_code == 201, r.content
    op = r.json()
    assert op["unit"] == force.unit_a.code and op["area"][0] == op["area"][-1]
    bad = _post(client, "/api/v1/dispatch/operations", {**body, "area": [[0, 0], [1, 1], [1, 0], [0, 1]]})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["code"] == "bad_area"
    r = _post(sign_in(client, force.chief_b), "/api/v1/dispatch/operations", {**body, "unit": force.unit_a.code})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    for name in NOBODY:
        r = _post(sign_in(client, users[name]), "/api/v1/dispatch/operations", body)
        assert r.status_code in (403, 404), (name, r.status_code)
    url = f"/api/v1/dispatch/operations/{op['id']}"
    for name, code in (("dispatcher", 200), ("chief_a", 200), ("chief_b", 404), *((n, 404) for n in NOBODY)):
        r = sign_in(client, users[name]).get(url)
        assert r.status_code == code, (name, r.status_code)
        lst = client.get("/api/v1/dispatch/operations")
        assert lst.status_code == 200
        assert ({o["id"] for o in lst.json()["items"]} == {op["id"]}) == (code == 200), name
    for name, code in (("chief_b", 404), ("officer_a", 403), ("dispatcher", 201)):
        r = _post(sign_in(client, users[name]), f"{url}/posts", {"name": "北门", "kind": "checkpoint",
                                                                  "lon": CENTRE[0], "lat": CENTRE[1]})
        assert r.status_code == code, (name, r.status_code)
    post = r.json()["id"]
    for name, code in (("chief_b", 404), ("officer_a", 403), ("chief_a", 200)):
        r = _post(sign_in(client, users[name]), f"{url}/units", {"units": [force.car_a.pk], "post": post})
        assert r.status_code == code, (name, r.status_code)
    assert r.json() == [{"unit": "LQ-C1", "kind": "car", "status": "available", "post": post,
                         "assigned_at": r.json()[0]["assigned_at"]}]
    make_alert(force.unit_a)
    detail = sign_in(client, force.dispatcher).get(url).json()
    assert detail["summary"]["units_deployed"] == 1 and detail["summary"]["alerts"] == 1
    assert detail["alerts"][0]["station"] == force.unit_a.code and detail["posts"][0]["kind"] == "checkpoint"


# ---------------------------------------------------------------------------------------------- pages


def test_operation_pages_by_role_and_jurisdiction(client, force):
    users = _users(force)
    op = make_op(force)
    make_alert(force.unit_a)
    url = f"/dispatch/operations/{op.pk}/"
    assert client.get("/dispatch/operations/").status_code == 302 and client.get(url).status_code == 302
    for name in NOBODY:
        c = sign_in(client, users[name])
        assert c.get("/dispatch/operations/").status_code == 403, name
        assert c.get(url).status_code == 403, name
        assert c.post(f"{url}units/", {"unit": [force.car_a.pk]}).status_code == 403, name
    for name, code in (("dispatcher", 200), ("chief_a", 200), ("chief_b", 404)):
        c = sign_in(client, users[name])
        lst = c.get("/dispatch/operations/")
        assert lst.status_code == 200 and (url in lst.content.decode()) == (code == 200), name
        r = c.get(url)
        assert r.status_code == code, name
        assert c.post(f"{url}posts/", {"name": "东门", "kind": "post", "lon": CENTRE[0],
                                        "lat": CENTRE[1]}).status_code == (302 if code == 200 else 404), name
    page = sign_in(client, force.chief_a).get(url).content.decode()
    assert 'id="op-alerts"' in page and "一键报警被按下" in page and ">sos<" not in page and 'class="alert P1"' in page
    assert "JT-C1" not in page  # station B's unit is not offered to chief A
    r = client.post(f"{url}units/", {"unit": [force.car_a.pk]})
    assert r.status_code == 302 and op.deployments.get().patrol_unit_id == force.car_a.pk
    assert client.post(f"{url}units/", {"unit": [force.car_b.pk]}).status_code == 404
    live = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in live and "LQ-C1" in live and 'id="op-summary"' in live
    bad = client.post(f"{url}posts/", {"name": "x", "kind": "tower", "lon": "1", "lat": "1"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    bad = client.post(f"{url}posts/", {"name": "西门", "kind": "post", "lon": "118,1", "lat": ""})
    text = bad.content.decode()
    assert bad.status_code == 400 and 'id="post-lat-error"' in text and 'id="post-lon-error"' in text
    assert "“118,1”不是经度" in text and 'value="西门"' in text


def test_setting_up_an_operation_from_the_form_in_both_languages(client, force):
    from django.conf import settings

    from pingan.dispatch.models import SecurityOperation

    sign_in(client, force.dispatcher)
    pairs = "; ".join(f"{x},{y}" for x, y in square())
    form = {"name": "国际马拉松", "venue": "环岛路", "unit": force.unit_a.code, "starts_at": "2026-01-03T06:00",
            "ends_at": "2026-01-03T14:00", "expected_attendance": "30000", "area": pairs, "crs": "wgs84"}
    r = client.post("/dispatch/operations/", form)
    assert r.status_code == 302, r.content.decode()[:500]
    op = SecurityOperation.objects.get(name="国际马拉松")
    assert op.unit == force.unit_a and op.expected_attendance == 30000
    assert op.starts_at == dt.datetime(2026, 1, 2, 22, tzinfo=dt.UTC)  # 06:00 Beijing time
    # what is wrong with the area and how to write it, in the reader's language (the reported "not a lon,lat
    # pair" was shown raw on the Chinese page)
    for lang, area_text, words in (
            ("zh-hans", "118.1,24.5; 118.2,24.6", ("安保行动", "区域至少需要三个不同的点")),
            ("en", "118.1,24.5; 118.2,24.6", ("Security operations", "needs at least three different points")),
            ("zh-hans", "118.1,24.5; 118.2 24.6 7", ("“118.2 24.6 7”不是一个点", "经度,纬度")),
            ("en", "118.1,24.5; 118.2 24.6 7", ("“118.2 24.6 7” is not a point", "longitude,latitude")),
            ("zh-hans", "118.1,24.5; 118.2,24.6; 118.2,24.5; 118.1,24.6", ("区域的边在 118.15000,24.55000 附近交叉",)),
            ("en", "118.1,24.5; 118.2,24.6; 118.2,24.5; 118.1,24.6",
             ("edges of the area cross near 118.15000,24.55000",)),
            ("zh-hans", "118.1,24.5; 118.2,24.5; 118.3,24.5", ("这些点在一条直线上",)),
            ("en", "x,24.5; 118.2,24.5; 118.3,24.5", ("“x,24.5” is not a pair of numbers",)),
            ("zh-hans", "24.5,118.1; 24.6,118.2; 24.6,118.1", ("不是以度为单位的经纬度",))):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        bad = client.post("/dispatch/operations/", {**form, "area": area_text})
        text = bad.content.decode()
        assert bad.status_code == 400 and all(w in text for w in words), (lang, area_text, text[:300])
        assert "not a lon,lat pair" not in text and "not a simple polygon" not in text
    # chief B may not set one up for station A
    r = sign_in(client, force.chief_b).post("/dispatch/operations/", form)
    assert r.status_code == 403


def test_the_area_as_rows_of_labelled_points_in_both_languages(client, force):
    """Issue 11: the area is a list of corners, latitude and longitude each in its own labelled field, in the
    chosen coordinate system; a wrong field is named on its row; blank rows are skipped; what was typed stays."""
    from django.conf import settings

    from pingan.dispatch.models import SecurityOperation

    sign_in(client, force.dispatcher)
    page = client.get("/dispatch/operations/").content.decode()
    assert page.count('name="area_lat"') == 8 and 'name="lat"' in page and "lon,lat" not in page
    assert "GCJ-02：高德地图" in page and "BD-09：百度地图" in page
    corners = square()[:-1] if square()[0] == square()[-1] else square()
    base = {"name": "音乐节", "venue": "白鹭洲", "unit": force.unit_a.code, "starts_at": "2026-01-03T06:00",
            "ends_at": "2026-01-03T14:00", "expected_attendance": "100", "crs": "wgs84"}
    rows = {"area_lat": [str(y) for _x, y in corners] + ["", ""], "area_lon": [str(x) for x, _y in corners] + ["", ""]}
    bad = {"area_lat": [rows["area_lat"][0], "95", rows["area_lat"][2], "24.4"],
           "area_lon": [rows["area_lon"][0], rows["area_lon"][1], "", "abc"]}
    for lang, words in (("zh-hans", ("“95”不是纬度", "请填写经度", "“abc”不是经度")),
                        ("en", ("“95” is not a latitude", "Enter the longitude.", "“abc” is not a longitude"))):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        r = client.post("/dispatch/operations/", {**base, **bad})
        text = r.content.decode()
        assert r.status_code == 400 and all(w in text for w in words), (lang, text[:500])
        assert text.count('aria-invalid="true"') == 3 and 'value="95"' in text and 'value="abc"' in text
        assert "<details id=\"by-hand\" open>" in text
    r = client.post("/dispatch/operations/", {**base, "area_lat": rows["area_lat"][:2] + [""] * 6,
                                              "area_lon": rows["area_lon"][:2] + [""] * 6})
    assert r.status_code == 400 and 'id="area-error"' in r.content.decode()
    assert "needs at least three different points" in r.content.decode()
    assert not SecurityOperation.objects.filter(name="音乐节").exists()
    r = client.post("/dispatch/operations/", {**base, **rows})
    assert r.status_code == 302, r.content.decode()[:500]
    op = SecurityOperation.objects.get(name="音乐节")
    assert [[round(x, 6), round(y, 6)] for x, y in op.area[:-1]] == [[round(x, 6), round(y, 6)] for x, y in corners]
    # the same corners read off an Amap (GCJ-02) map are converted to WGS-84
    from pingan.lib import coords

    gcj = [coords.wgs84_to_gcj02(x, y) for x, y in corners]
    r = client.post("/dispatch/operations/", {**base, "name": "音乐节二", "crs": "gcj02",
                                              "area_lat": [f"{y:.7f}" for _x, y in gcj],
                                              "area_lon": [f"{x:.7f}" for x, _y in gcj]})
    assert r.status_code == 302
    op2 = SecurityOperation.objects.get(name="音乐节二")
    assert all(abs(a[0] - b[0]) < 1e-6 and abs(a[1] - b[1]) < 1e-6 for a, b in zip(op2.area, op.area, strict=True))
    # a station chief of another line still may not
    assert sign_in(client, force.chief_b).post("/dispatch/operations/", {**base, **rows}).status_code == 403
