"""Operations set up from a template (大型安保预案): templates as data (checked, placed around a venue), the
service that makes an operation with posts, sectors, units and a temporary alert rule set in one step, the
alerts worker running that rule set only inside the window and the area, and the operation's command owning
every alert raised in its area during its window."""

from __future__ import annotations

import datetime as dt
import json

import msgspec
import pytest
from dispatch_support import CENTRE, offset
from hypothesis import given
from hypothesis import strategies as st
from test_dispatch_operations import NOBODY, _users, sign_in

from pingan.dispatch import optemplates
from pingan.lib.coords import distance_m

# ------------------------------------------------------------------------------------------------ pure


def test_the_bundled_templates_parse_and_their_rules_are_valid_rule_sets():
    ts = optemplates.bundled()
    assert {"stadium-event", "street-festival"} <= set(ts)
    st_ = ts["stadium-event"]
    assert st_.units == {"car": 4, "motorcycle": 4, "foot": 12, "drone": 1} and len(st_.posts) == 5
    assert st_.title("zh-hans") == "体育场赛事或演唱会" and st_.title("en") == "Match or concert at a stadium"


@pytest.mark.parametrize(
    "change, words",
    [
        ({"duration_hours": 0}, "duration_hours"),
        ({"area": [[0, 0], [1, 1]]}, "area must be a list of at least 3"),
        ({"area": [[0, 0], [30000, 0], [0, 10]]}, "more than 20 km"),
        ({"units": {"tank": 1}}, "units.tank"),
        ({"post": [{"name_en": "a", "name_zh": "甲", "kind": "tower", "at": [0, 0]}]}, "post 1: kind"),
        ({"rule": [{"id": "x", "kind": "immediate", "priority": "P9", "description": "d",
                    "condition": {"types": ["sos"]}}]}, "priority 'P9'"),
        ({"rule": [{"id": "x", "kind": "geofence", "priority": "P2", "description": "d",
                    "condition": {"fence": "nowhere", "on": "enter"}}]}, "not a [[fence]]"),
    ],
)
def test_a_malformed_template_is_refused_naming_the_file_and_field(change, words):
    import tomllib
    from importlib import resources

    text = resources.files("pingan.dispatch").joinpath("data/operation_templates/stadium-event.toml").read_text()
    data = {**tomllib.loads(text), **change}
    with pytest.raises(optemplates.TemplateError) as e:
        optemplates.parse_template(data, path="my-template.toml")
    assert "my-template.toml" in str(e.value) and words in str(e.value)


@given(east=st.floats(-5000, 5000), north=st.floats(-5000, 5000),
       lon=st.floats(73, 135), lat=st.floats(18, 53))
def test_placed_offsets_lie_at_their_distance_from_the_venue(east, north, lon, lat):
    ((x, y),) = optemplates.place(lon, lat, [(east, north)])
    # the local plane against the ellipsoid: well under 1 % (and 1 m) at 7 km
    assert distance_m(lon, lat, x, y) == pytest.approx((east**2 + north**2) ** 0.5, rel=0.01, abs=1.0)


# ------------------------------------------------------------------------------------------ the service



def _from_template(force, actor, unit=None, *, starts=-1, template="stadium-event", at=CENTRE):
    from django.utils import timezone

    from pingan.dispatch import services

    return services.operation_from_template(
        actor=actor, unit=unit or force.unit_a, template_id=template, name="厦门马拉松", venue="体育中心",
        lon=at[0], lat=at[1], starts_at=timezone.now() + dt.timedelta(hours=starts),
    )


@pytest.mark.django_db
def test_an_operation_is_set_up_from_a_template_in_one_step(force):
    from pingan.alerts import rules
    from pingan.dispatch import area
    from pingan.dispatch.models import OperationUnit
    from pingan.dispatch.optemplates import document_from_storage

    op = _from_template(force, force.chief_a)
    assert op.ends_at - op.starts_at == dt.timedelta(hours=6) and op.expected_attendance == 30000
    assert area.contains(op.area, *CENTRE) and not area.contains(op.area, *offset(800, 0))
    assert op.posts.count() == 5 and op.posts.filter(kind="checkpoint").count() == 4
    assert [s["id"] for s in op.sectors] == ["north", "south"] and op.template_id == "stadium-event"
    rs = rules.parse_ruleset(document_from_storage(op.ruleset))
    assert rs.id == f"op-{op.pk}" and rs.within == "area" and rs.active_from == op.starts_at
    assert {r.id for r in rs.rules} == {"crowd", "hotlist-plate-near-venue", "intrusion"}
    # the nearest available units of each kind the template needs, among the chief's station's: A has one car,
    # one motorcycle and one foot patrol (fewer than needed: the page shows the shortfall)
    deployed = set(OperationUnit.objects.filter(operation=op).values_list("patrol_unit__code", flat=True))
    assert deployed == {"LQ-C1", "LQ-M1", "LQ-F1"}


@pytest.mark.django_db
def test_who_may_set_up_an_operation_from_a_template(force):
    from pingan.core.errors import DomainError, PermissionDenied

    assert _from_template(force, force.dispatcher, force.unit_b).unit == force.unit_b  # the centre: any station
    with pytest.raises(PermissionDenied):
        _from_template(force, force.chief_b, force.unit_a)  # another station's
    for name in ("officer_a", "analyst", "auditor", "citizen"):
        with pytest.raises(PermissionDenied):
            _from_template(force, force.users()[name])
    with pytest.raises(DomainError) as e:
        _from_template(force, force.chief_a, template="no-such")
    assert e.value.code == "bad_template"


# -------------------------------------------------------------------- the alerts worker and ownership


@pytest.fixture
def street(force):
    """The Xiamen demo's street devices, and the operation caches emptied."""
    from pingan.alerts import services
    from pingan.alerts.demo import demo_setup
    from pingan.dispatch import operation_rules

    services.directory.forget()
    services._index_cache["index"] = None
    demo_setup()
    operation_rules.clear_cache()
    yield force
    operation_rules.clear_cache()


JIANGTOU_INTRUSION = ("35020601001340000002", (118.1290, 24.5010))


def _ingest_intrusion(event_id: str, when: dt.datetime, position=None):
    from pingan.alerts import services

    p = {"event_id": event_id, "device_id": JIANGTOU_INTRUSION[0], "type": "intrusion",
         "time": when.isoformat(), "attributes": {}}
    if position:
        p["position"] = position
    return services.events_ingest(inputs=[services.RawInput(payload=p)], source="http")


@pytest.mark.django_db
def test_a_temporary_rule_fires_inside_the_window_and_area_and_not_outside(street):
    from django.utils import timezone

    from pingan.alerts.eventlog import DatabaseLog
    from pingan.alerts.models import Alert
    from pingan.alerts.worker import Worker
    from pingan.core.models import OrgUnit

    now = timezone.now().replace(microsecond=0)
    centre = OrgUnit.objects.get(code="350200-ZH")
    op = _from_template(street, street.dispatcher, centre, at=JIANGTOU_INTRUSION[1])
    w = Worker(log_=DatabaseLog(), clock=lambda: now, snapshot_every_s=0)
    assert list(w.extra) == [f"op-{op.pk}@1.0.0"]
    far = {"lon": 118.1370, "lat": 24.4760}  # 3 km away, outside the area
    _ingest_intrusion("in-window", now - dt.timedelta(minutes=1))
    _ingest_intrusion("before-window", now - dt.timedelta(hours=2))
    _ingest_intrusion("outside-area", now - dt.timedelta(minutes=1), position=far)
    while w.step(timeout=0):
        pass
    temporary = list(Alert.objects.filter(ruleset=f"op-{op.pk}"))
    assert [(a.rule_id, a.priority) for a in temporary] == [("intrusion", "P1")]
    (a,) = temporary
    assert a.unit == centre and a.routed_by == "operation" and a.labels["operation"] == str(op.pk)
    # the street rule set's alerts raised there now belong to the operation too; elsewhere, their station
    assert not Alert.objects.exclude(ruleset=f"op-{op.pk}").filter(routed_by="operation", lon=far["lon"]).exists()


@pytest.mark.django_db
def test_no_temporary_rules_run_for_an_operation_days_away(street):
    from django.utils import timezone

    from pingan.alerts.eventlog import DatabaseLog
    from pingan.alerts.worker import Worker

    _from_template(street, street.chief_a, starts=48)
    w = Worker(log_=DatabaseLog(), clock=timezone.now, snapshot_every_s=0)
    assert w.extra == {}


@pytest.mark.django_db
def test_alerts_in_the_area_during_the_window_are_owned_by_the_operation(street):
    from django.utils import timezone

    from pingan.alerts import alerting, services
    from pingan.alerts.rules import Firing
    from pingan.core.models import OrgUnit

    centre = OrgUnit.objects.get(code="350200-ZH")
    op = _from_template(street, street.dispatcher, centre)
    now = timezone.now()

    def fire(key, lon, lat, at):
        f = Firing("street-default", "1.0.0", "sos", "immediate", "P1", at, "35020301001340000003",
                   {"alertname": "sos", "cell": key}, (f"35020301001340000003/{key}",), "immediate.sos", {}, lon, lat)
        return services.firings_apply(firings=[f], policy=alerting.load_policy(None), now=at).created[0]

    inside = fire("a", *CENTRE, now)
    outside = fire("b", *offset(3000, 0), now)
    later = fire("c", *CENTRE, op.ends_at + dt.timedelta(minutes=1))
    assert (inside.unit, inside.routed_by) == (centre, "operation")
    assert outside.routed_by != "operation" and later.routed_by != "operation"


# ---------------------------------------------------------------------------------------------- pages

@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_template_form_by_role_and_jurisdiction(client, force, lang):
    from pingan.dispatch.models import SecurityOperation

    url = "/dispatch/operations/from-template/"
    form = {"template": "street-festival", "name": "灯会", "venue": "中山路",
            "lat": str(CENTRE[1]), "lon": str(CENTRE[0]),
            "starts_at": "2026-12-24T18:00", "unit": force.unit_a.code}
    client.cookies["django_language"] = lang
    page = sign_in(client, force.chief_a).get("/dispatch/operations/").content.decode()
    assert ("街区节庆或灯会" if lang == "zh-hans" else "Street festival or lantern fair") in page
    r = client.post(url, form)
    assert r.status_code == 302
    op = SecurityOperation.objects.get()
    assert r["Location"] == f"/dispatch/operations/{op.pk}/" and op.template_id == "street-festival"
    assert op.posts.count() == 3 and op.unit == force.unit_a
    assert sign_in(client, force.chief_b).post(url, form).status_code == 403  # another station's unit
    for name in NOBODY:
        assert sign_in(client, _users(force)[name]).post(url, form).status_code == 403, name
    # the venue point as labelled fields, each wrong field named beside it (issue 11: "lon,lat" was typed)
    r = sign_in(client, force.chief_a).post(url, {**form, "lat": "118.1", "lon": ""})
    text = r.content.decode()
    assert r.status_code == 400 and 'id="venue-lat-error"' in text and 'id="venue-lon-error"' in text
    assert ("“118.1”不是纬度" if lang == "zh-hans" else "“118.1” is not a latitude") in text
    assert ("请填写经度" if lang == "zh-hans" else "Enter the longitude.") in text
    assert 'value="118.1"' in text  # what was typed stays
    r = client.post(url, {**form, "lat": "118.1", "lon": "24.5"})  # swapped
    assert r.status_code == 400 and ("互换" if lang == "zh-hans" else "look swapped") in r.content.decode()
    r = client.post(url, {**form, "template": "nope"})
    assert r.status_code == 400 and "nope" in r.content.decode()
    assert SecurityOperation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_review_page_and_pdf_by_role_and_jurisdiction(client, force, lang):
    from dispatch_support import make_alert

    from pingan.dispatch import services

    op = _from_template(force, force.chief_a)
    alert = make_alert(force.unit_a)
    services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.foot_a.pk])
    client.cookies["django_language"] = lang
    for path in (f"/dispatch/operations/{op.pk}/review/", f"/dispatch/operations/{op.pk}/review.pdf"):
        for name in ("dispatcher", "chief_a"):
            r = sign_in(client, _users(force)[name]).get(path)
            assert r.status_code == 200, (name, path)
        assert sign_in(client, force.chief_b).get(path).status_code == 404
        for name in NOBODY:
            assert sign_in(client, _users(force)[name]).get(path).status_code == 403, (name, path)
    page = sign_in(client, force.chief_a).get(f"/dispatch/operations/{op.pk}/review/").content.decode()
    assert f'data-alert="{alert.pk}"' in page and "LQ-F1" in page
    assert ("已派警" if lang == "zh-hans" else "LQ-F1 dispatched") in page or "LQ-F1" in page
    pdf = client.get(f"/dispatch/operations/{op.pk}/review.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # named after the operation, what it is and its day, not operation-3-review.pdf (issue 11)
    from urllib.parse import unquote

    from django.utils import timezone

    header = pdf["Content-Disposition"]
    name = unquote(header.split("filename*=UTF-8''")[1]) if "filename*=" in header else header.split('"')[1]
    what = "行动复盘" if lang == "zh-hans" else "After-action review"
    assert name == f"{op.name}-{what}-{timezone.localdate(op.starts_at)}.pdf", name


@pytest.mark.django_db
def test_the_review_lists_the_timeline_units_and_response_times(force):
    from dispatch_support import make_alert
    from django.utils import timezone

    from pingan.dispatch import review, selectors, services
    from pingan.dispatch.models import Assignment

    op = _from_template(force, force.chief_a)
    alert = make_alert(force.unit_a, created_at=timezone.now() - dt.timedelta(seconds=30))
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
    services.assignment_answer(actor=force.officer_a, assignment_id=a.pk, accept=True)
    services.unit_status_set(actor=force.officer_a, patrol_unit_id=force.car_a.pk, to="on_scene")
    r = selectors.operation_review(actor=force.chief_a, operation_id=op.pk)
    (row,) = r["alert_rows"]
    assert row["id"] == alert.pk and row["dispatch_s"] >= 30 and row["arrive_s"] >= 30
    kinds = [k for _t, k, _p in r["timeline"]]
    assert "operation_created" in kinds and "unit_deployed" in kinds and "alert_dispatched" in kinds
    assert [t for t, _k, _p in r["timeline"]] == sorted(t for t, _k, _p in r["timeline"])
    assert "alert_accepted" in kinds and "unit_status" in kinds
    car = next(u for u in r["units"] if u["code"] == "LQ-C1")
    assert (car["accepted"], car["arrived"]) == (1, 1) and car["status_changes"] >= 3
    assert r["needs"]["car"] == {"needed": 4, "deployed": 1}
    from django.utils import translation

    with translation.override("en"):
        texts = [t for _at, t in review.timeline_rows(r)]
    assert any(t == "LQ-C1: en route → on scene" for t in texts), texts
    assert Assignment.objects.get().arrived_at is not None


@pytest.mark.django_db
def test_a_deployed_drones_mqtt_telemetry_is_drawn_as_its_flight_path(client, force):
    """Telemetry on the drone's own topic (GCJ-02, as a DJI-style app reports it) is stored in WGS-84 and drawn
    on the operation page as the drone's flight path during the window; a fix before the window is not."""
    import json
    import re

    from django.utils import timezone

    from pingan.dispatch import avl, services
    from pingan.dispatch.models import PatrolUnit, Position
    from pingan.lib import coords

    op = _from_template(force, force.chief_a, starts=-1)
    services.drone_register(actor=None, code="LQ-D1", unit=force.unit_a, model="M30T", serial="SN-1",
                            max_flight_min=40, cruise_mps=15)
    drone = PatrolUnit.objects.get(code="LQ-D1")
    services.operation_deploy(actor=force.chief_a, operation_id=op.pk, patrol_unit_ids=[drone.pk])
    now = timezone.now()
    fixes = [(now - dt.timedelta(hours=2), (0, 0)), (now - dt.timedelta(minutes=3), (0, 0)),
             (now - dt.timedelta(minutes=2), (200, 100)), (now - dt.timedelta(minutes=1), (400, 150))]
    rows = []
    for at, (e, n) in fixes:
        glon, glat = coords.wgs84_to_gcj02(*offset(e, n))
        payload = json.dumps({"lon": glon, "lat": glat, "crs": "gcj02", "time": at.isoformat(), "battery": 80})
        rows.append(avl.parse(f"{avl.PREFIX}/LQ-D1/position", payload.encode()))
    assert services.positions_ingest(rows) == 4
    stored = Position.objects.filter(patrol_unit=drone).order_by("at").last()
    assert (stored.lon, stored.lat) == pytest.approx(offset(400, 150), abs=2e-5)  # back to WGS-84
    page = sign_in(client, force.chief_a).get(f"/dispatch/operations/{op.pk}/").content.decode()
    m = re.search(r'<polyline class="drone-path" data-drone="LQ-D1" points="([^"]+)"', page)
    assert m and len(m.group(1).split()) == 3  # the fix two hours ago is before the window


def _twice_in_ten_minutes(street):
    """An operation at the Jiangtou intrusion alarm whose temporary rules count two intrusions in 10 minutes
    over its area (a rule with state to lose, unlike the template's immediate one)."""
    from pingan.core.models import OrgUnit
    from pingan.dispatch.models import SecurityOperation

    op = _from_template(street, street.dispatcher, OrgUnit.objects.get(code="350200-ZH"), at=JIANGTOU_INTRUSION[1])
    doc = op.ruleset
    doc["rule"] = [r for r in doc["rule"] if r["id"] != "intrusion"] + [{
        "id": "intrusion-twice", "kind": "count", "priority": "P2", "description": "two intrusions in 10 min",
        "condition": {"types": ["intrusion"], "threshold": 2, "window_minutes": 10, "group_by": "fence"}}]
    SecurityOperation.objects.filter(pk=op.pk).update(ruleset=doc)
    return op


@pytest.mark.django_db
def test_a_temporary_count_window_survives_a_worker_restart(street):
    """Issue 14 follow-up: a large event's temporary rules lost their state when the worker restarted, so a
    count half-way to its threshold started again from zero. The worker's snapshot now holds each temporary
    engine's state beside the main one's and restores it at start: one intrusion before the restart and one
    after fire the "twice in 10 minutes" rule; without the snapshot (a worker that never saved) they do not."""
    from django.utils import timezone

    from pingan.alerts.eventlog import DatabaseLog
    from pingan.alerts.models import Alert, Checkpoint
    from pingan.alerts.worker import Worker, consumer_unlock

    now = timezone.now().replace(microsecond=0)
    op = _twice_in_ten_minutes(street)
    key = f"op-{op.pk}@1.0.0"

    def run(w):
        while w.step(timeout=0):
            pass

    w = Worker(log_=DatabaseLog(), clock=lambda: now, snapshot_every_s=0)
    _ingest_intrusion("first", now - dt.timedelta(minutes=2))
    run(w)
    assert not Alert.objects.filter(ruleset=f"op-{op.pk}").exists()  # one of two
    saved = Checkpoint.objects.get(consumer=w.consumer).saved()
    assert saved["extra"][key]["state"]["intrusion-twice"]["rows"]  # the half-full window is in the snapshot
    w.save_snapshot()
    consumer_unlock(w.consumer)
    del w  # the worker process ends

    restarted = Worker(log_=DatabaseLog(), clock=lambda: now, snapshot_every_s=0)
    assert json.loads(json.dumps(restarted.extra[key].snapshot()["state"])) == saved["extra"][key]["state"]
    _ingest_intrusion("second", now - dt.timedelta(minutes=1))
    run(restarted)
    assert [a.rule_id for a in Alert.objects.filter(ruleset=f"op-{op.pk}")] == ["intrusion-twice"]


@pytest.mark.django_db
def test_without_its_saved_state_a_restarted_worker_would_not_fire(street):
    """The control for the test above: the same two events with the temporary state dropped at the restart
    (as before the fix) do not fire — so the test above measures the snapshot, not the rule."""
    from django.utils import timezone

    from pingan.alerts.eventlog import DatabaseLog
    from pingan.alerts.models import Alert, Checkpoint
    from pingan.alerts.worker import Worker, consumer_unlock

    now = timezone.now().replace(microsecond=0)
    op = _twice_in_ten_minutes(street)
    w = Worker(log_=DatabaseLog(), clock=lambda: now, snapshot_every_s=0)
    _ingest_intrusion("first", now - dt.timedelta(minutes=2))
    while w.step(timeout=0):
        pass
    cp = Checkpoint.objects.get(consumer=w.consumer)
    cp.saved_state.state = msgspec.msgpack.encode({**cp.saved(), "extra": {}})
    cp.saved_state.save(update_fields=["state"])
    consumer_unlock(w.consumer)
    restarted = Worker(log_=DatabaseLog(), clock=lambda: now, snapshot_every_s=0)
    _ingest_intrusion("second", now - dt.timedelta(minutes=1))
    while restarted.step(timeout=0):
        pass
    assert not Alert.objects.filter(ruleset=f"op-{op.pk}").exists()
