"""Rosters, CAD status, AVL, nearest-unit dispatch, answers, escalation of unanswered dispatches, drones."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from dispatch_support import make_alert, offset

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------- rosters


def test_shift_bounds_cross_midnight_in_asia_shanghai():
    from pingan.dispatch.roster import ZONE, shift_bounds

    s, e = shift_bounds(dt.date(2026, 3, 8), dt.time(20), dt.time(8))  # 8 March: DST day elsewhere, not here
    assert s == dt.datetime(2026, 3, 8, 12, tzinfo=dt.UTC) and e == dt.datetime(2026, 3, 9, 0, tzinfo=dt.UTC)
    assert (e - s) == dt.timedelta(hours=12)
    s, e = shift_bounds(dt.date(2026, 11, 1), dt.time(8), dt.time(8))
    assert e - s == dt.timedelta(hours=24) and s.tzinfo is ZONE


def test_who_is_on_duty_at_the_shift_boundaries_including_across_midnight(cast):
    from pingan.alerts import duty
    from pingan.dispatch import services
    from pingan.dispatch.roster import shift_bounds

    day = dt.date(2026, 12, 1)
    d_start, d_end = shift_bounds(day, dt.time(8), dt.time(20))
    n_start, n_end = shift_bounds(day, dt.time(20), dt.time(8))
    services.shift_create(
        actor=cast.chief_a, unit=cast.unit_a, name="day", starts_at=d_start, ends_at=d_end, users=[cast.officer_a]
    )
    services.shift_create(
        actor=cast.chief_a, unit=cast.unit_a, name="night", starts_at=n_start, ends_at=n_end, users=[cast.chief_a]
    )
    roster = duty.roster()
    second = dt.timedelta(seconds=1)
    assert roster.duty_unit(cast.officer_a, d_start - second) is None
    assert roster.duty_unit(cast.officer_a, d_start) == cast.unit_a  # start inclusive
    assert roster.duty_unit(cast.officer_a, d_end - second) == cast.unit_a
    assert roster.duty_unit(cast.officer_a, d_end) is None  # end exclusive: the night shift has taken over
    assert roster.duty_unit(cast.chief_a, d_end) == cast.unit_a
    midnight = dt.datetime(2026, 12, 2, 0, 0, tzinfo=n_start.tzinfo)
    assert roster.duty_unit(cast.chief_a, midnight) == cast.unit_a  # across midnight (local)
    assert roster.duty_unit(cast.chief_a, n_end - second) == cast.unit_a
    assert roster.duty_unit(cast.chief_a, n_end) is None
    assert [u.username for u in roster.on_duty(cast.unit_a, ("officer", "station_chief"), midnight)] == ["chief_a"]
    assert roster.on_duty(cast.unit_b, ("officer", "station_chief"), midnight) == []


def test_on_duty_query_is_scoped_and_audited(force):
    from django.utils import timezone

    from pingan.core.errors import NotFound
    from pingan.core.models import AuditRecord
    from pingan.dispatch import selectors

    a = selectors.on_duty(actor=force.chief_a)
    assert [pu.code for pu in a["patrol_units"]] == ["LQ-C1", "LQ-F1", "LQ-M1"]
    assert force.officer_b not in a["people"] and force.officer_a in a["people"]
    city = selectors.on_duty(actor=force.dispatcher)
    assert [pu.code for pu in city["patrol_units"]] == ["JT-C1", "LQ-C1", "LQ-F1", "LQ-M1"]
    assert selectors.on_duty(actor=force.dispatcher, at=timezone.now() + dt.timedelta(hours=8))["people"] == []
    with pytest.raises(NotFound):
        selectors.on_duty(actor=force.chief_a, unit=force.unit_b)
    with pytest.raises(NotFound):
        selectors.on_duty(actor=force.officer_a)
    assert AuditRecord.objects.filter(object_type="Shift", action="read").count() >= 3


def test_a_station_chief_cannot_roster_another_station(cast):
    from django.utils import timezone

    from pingan.core.errors import DomainError, PermissionDenied
    from pingan.dispatch import services

    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.shift_create(
            actor=cast.chief_a, unit=cast.unit_b, name="x", starts_at=now, ends_at=now + dt.timedelta(hours=8)
        )
    with pytest.raises(PermissionDenied):
        services.shift_create(
            actor=cast.chief_a,
            unit=cast.unit_a,
            name="x",
            starts_at=now,
            ends_at=now + dt.timedelta(hours=8),
            users=[cast.officer_b],
        )
    with pytest.raises(DomainError) as e:
        services.shift_create(
            actor=cast.chief_a, unit=cast.unit_a, name="x", starts_at=now, ends_at=now + dt.timedelta(hours=25)
        )
    assert e.value.code == "bad_roster_shift"
    with pytest.raises(PermissionDenied):
        services.shift_create(
            actor=cast.officer_a, unit=cast.unit_a, name="x", starts_at=now, ends_at=now + dt.timedelta(hours=8)
        )


# ------------------------------------------------------------------------------------ status and AVL


def test_status_changes_are_timestamped_audited_and_follow_cad(force):
    from pingan.core.errors import DomainError, NotFound
    from pingan.core.models import AuditRecord
    from pingan.dispatch import selectors, services
    from pingan.dispatch.models import StatusChange

    change = services.unit_status_set(actor=force.officer_a, patrol_unit_id=force.car_a.pk, to="busy")
    assert (change.from_status, change.to_status, change.actor) == ("available", "busy", force.officer_a)
    rec = AuditRecord.objects.filter(action="unit_status", object_id=str(force.car_a.pk)).order_by("-id").first()
    assert rec.detail["from"] == "available" and rec.detail["to"] == "busy" and rec.actor == "officer_a"
    with pytest.raises(DomainError) as e:
        services.unit_status_set(actor=force.officer_a, patrol_unit_id=force.car_a.pk, to="on_scene")
    assert e.value.code == "bad_unit_status"
    with pytest.raises(NotFound):  # not the officer's unit
        services.unit_status_set(actor=force.officer_a, patrol_unit_id=force.foot_a.pk, to="busy")
    with pytest.raises(NotFound):
        services.unit_status_set(actor=force.officer_b, patrol_unit_id=force.car_a.pk, to="available")
    history = selectors.status_history(actor=force.chief_a, patrol_unit_id=force.car_a.pk)
    assert [(h.from_status, h.to_status) for h in history[:2]] == [("available", "busy"), ("off_duty", "available")]
    assert StatusChange.objects.filter(patrol_unit=force.car_a).count() == 2
    with pytest.raises(NotFound):
        selectors.status_history(actor=force.chief_b, patrol_unit_id=force.car_a.pk)


def test_positions_are_stored_in_wgs84_converted_like_the_alerts_app(force):
    from pingan.dispatch import services
    from pingan.lib import coords

    wgs = (118.1370, 24.4760)
    gcj = coords.wgs84_to_gcj02(*wgs)
    p = services.position_report(
        actor=force.officer_a, patrol_unit_id=force.car_a.pk, lon=gcj[0], lat=gcj[1], crs="gcj02", source="terminal"
    )
    assert abs(p.lon - wgs[0]) < 1e-8 and abs(p.lat - wgs[1]) < 1e-8 and p.crs_reported == "gcj02"
    force.car_a.refresh_from_db()
    assert abs(force.car_a.lon - wgs[0]) < 1e-8
    # an older fix is kept in the track but does not replace the last position
    old = services.position_report(
        actor=None, patrol_unit_id=force.car_a.pk, lon=118.0, lat=24.4, at=p.at - dt.timedelta(minutes=1)
    )
    force.car_a.refresh_from_db()
    assert old.pk and abs(force.car_a.lon - wgs[0]) < 1e-8


def test_bulk_avl_from_vehicles(force):
    from django.utils import timezone

    from pingan.dispatch import services
    from pingan.dispatch.models import Position

    now = timezone.now()
    n = services.positions_ingest(
        [
            ("LQ-C1", 118.2, 24.5, "wgs84", now, None),
            ("LQ-C1", 118.3, 24.6, "wgs84", now - dt.timedelta(seconds=5), None),
            ("NO-SUCH", 118.2, 24.5, "wgs84", now, None),
            ("JT-C1", 118.1, 24.5, "mars", now, None),
        ]
    )
    assert n == 2
    force.car_a.refresh_from_db()
    assert (force.car_a.lon, force.car_a.lat) == (118.2, 24.5)
    assert Position.objects.filter(patrol_unit=force.car_a, source="mqtt").count() == 2


# ------------------------------------------------------------------------------------------ nearest


@pytest.fixture(params=["index", "db"])
def nearest_source(request, monkeypatch):
    """Each nearest-unit test runs on the in-process index and on the database box query."""
    from pingan.dispatch import services

    monkeypatch.setattr(services, "NEAREST_SOURCE", request.param)
    return request.param


def test_nearest_available_suitable_units_on_a_hand_made_map(force, nearest_source):
    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    got = services.candidates(alert=alert)
    # car 1 km: 1.4 km by road at 30 km/h = 168 s; motorcycle 2 km: 288 s; foot 300 m: 302 s; car B 3.5 km: 588 s
    assert [c.code for c in got] == ["LQ-C1", "LQ-M1", "LQ-F1", "JT-C1"]
    assert got[0].eta_s == pytest.approx(168, abs=1) and got[0].road_m == pytest.approx(1400, rel=0.01)
    assert got[2].eta_s == pytest.approx(302.4, rel=0.01)  # 300 m on the ellipsoid ≈ 301.7 m on the sphere
    gunshot = make_alert(force.unit_a, rule_id="gunshot")
    assert [c.code for c in services.candidates(alert=gunshot)] == ["LQ-C1", "LQ-M1", "JT-C1"]  # no foot patrol
    services.unit_status_set(actor=None, patrol_unit_id=force.car_a.pk, to="busy")
    assert services.candidates(alert=alert)[0].code == "LQ-M1"  # busy units are not proposed


def test_units_without_a_fresh_fix_are_proposed_from_their_last_known_position_or_base(force, nearest_source):
    """The fresh-user trial: units on duty whose terminals never reported were not proposed at all. CAD
    practice: the last known position while recent, else the unit's base, with the doubt in the ETA."""
    from django.utils import timezone

    from pingan.dispatch import services
    from pingan.dispatch.models import PatrolUnit

    alert = make_alert(force.unit_a)
    fresh = services.candidates(alert=alert)
    assert [(c.code, c.position, c.uncertainty_m) for c in fresh][:2] == [("LQ-C1", "avl", 0), ("LQ-M1", "avl", 0)]
    assert fresh[0].position_age_s is not None and 0 <= fresh[0].position_age_s < 60

    # a fix 6 minutes old: still proposed, from there, within the car's 3 km patrol radius — ETA 0 s to
    # (1 km + 3 km) × 1.4 at 30 km/h = 672 s — and ranked by that later end, after the fresh units
    PatrolUnit.objects.filter(pk=force.car_a.pk).update(position_at=timezone.now() - dt.timedelta(minutes=6))
    got = services.candidates(alert=alert)
    assert [c.code for c in got] == ["LQ-M1", "LQ-F1", "JT-C1", "LQ-C1"]
    car = got[-1]
    assert car.position == "last_known" and car.position_age_s == pytest.approx(360, abs=30)
    assert car.uncertainty_m == 3000 and car.eta_min_s == 0
    assert car.eta_max_s == pytest.approx(672, rel=0.01) and car.eta_s == pytest.approx(168, abs=1)

    # two hours old and no base: nowhere to estimate from, not proposed
    PatrolUnit.objects.filter(pk=force.car_a.pk).update(position_at=timezone.now() - dt.timedelta(hours=2))
    assert "LQ-C1" not in [c.code for c in services.candidates(alert=alert)]

    # its station base 200 m south: proposed from there ((0.2 + 3) km × 1.4 at 30 km/h = 538 s at the latest)
    lon, lat = offset(0, -200)
    services.patrol_unit_base_set(actor=force.chief_a, patrol_unit_id=force.car_a.pk, lon=lon, lat=lat)
    got = services.candidates(alert=alert)
    assert [c.code for c in got] == ["LQ-M1", "LQ-F1", "LQ-C1", "JT-C1"]
    assert (got[2].position, got[2].position_age_s) == ("base", None)
    assert got[2].eta_max_s == pytest.approx(537.6, rel=0.01)

    # never reported at all (a fresh install): the base still puts it on the list
    PatrolUnit.objects.filter(pk=force.car_a.pk).update(lon=None, lat=None, position_at=None)
    assert "LQ-C1" in [c.code for c in services.candidates(alert=alert)]
    later = timezone.now() + dt.timedelta(hours=8)  # after the shift: nobody
    assert services.candidates(alert=alert, now=later) == []


def test_the_units_without_a_fix_are_not_read_when_the_fresh_ones_surely_arrive_first(force, monkeypatch):
    """A unit without a fresh fix arrives at the latest no sooner than its patrol radius allows (a car: 3 km ×
    1.4 at 30 km/h = 504 s; a motorcycle 432 s): when the fresh units found all beat that, the extra query is
    skipped — the answer cannot change."""
    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    calls = []
    real = services._uncertain_candidates
    monkeypatch.setattr(services, "_uncertain_candidates", lambda **kw: calls.append(kw) or real(**kw))
    assert [c.code for c in services.candidates(alert=alert, limit=2)] == ["LQ-C1", "LQ-M1"]  # 168 s, 288 s
    assert calls == []
    assert [c.code for c in services.candidates(alert=alert, limit=4)][-1] == "JT-C1"  # 588 s: it must look
    assert len(calls) == 1


def test_only_station_chiefs_of_the_line_and_dispatchers_set_a_base(force):
    from pingan.core.errors import DomainError, NotFound, PermissionDenied
    from pingan.dispatch import services

    lon, lat = offset(0, 0)
    with pytest.raises(PermissionDenied):
        services.patrol_unit_base_set(actor=force.officer_a, patrol_unit_id=force.car_a.pk, lon=lon, lat=lat)
    with pytest.raises((PermissionDenied, NotFound)):
        services.patrol_unit_base_set(actor=force.chief_b, patrol_unit_id=force.car_a.pk, lon=lon, lat=lat)
    with pytest.raises(DomainError):
        services.patrol_unit_base_set(actor=force.dispatcher, patrol_unit_id=force.car_a.pk, lon=500, lat=lat)
    pu = services.patrol_unit_base_set(actor=force.dispatcher, patrol_unit_id=force.car_a.pk, lon=lon, lat=lat,
                                       crs="gcj02")
    assert pu.base_lon != pytest.approx(lon, abs=1e-4)  # converted to WGS-84 (GCJ-02 is offset by ~500 m)


# ------------------------------------------------------------------------------------------ dispatch


def _feed(kind="assignment"):
    from pingan.alerts.models import FeedItem

    return list(FeedItem.objects.filter(kind=kind).order_by("seq"))


def test_dispatch_reaches_only_the_crew_and_accept_acknowledges_the_alert(force):
    from pingan.alerts.models import Alert
    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    [a] = services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
    force.car_a.refresh_from_db()
    assert force.car_a.status == "dispatched" and force.car_a.current_alert_id == alert.pk
    [item] = _feed()
    assert item.unit == force.unit_a and item.payload["for_users"] == [force.officer_a.pk]
    assert item.payload["assignment"] == a.pk and item.payload["alert"]["id"] == alert.pk
    assert a.eta_s == pytest.approx(168, abs=1)
    with pytest.raises(Exception) as e:
        services.assignment_answer(actor=force.officer_a2, assignment_id=a.pk, accept=True)
    assert getattr(e.value, "code", "") == "not_found"
    services.assignment_answer(actor=force.officer_a, assignment_id=a.pk, accept=True)
    alert.refresh_from_db()
    force.car_a.refresh_from_db()
    assert (alert.state, alert.owner, alert.next_escalation_at) == (Alert.State.EN_ROUTE, force.officer_a, None)
    assert force.car_a.status == "en_route"
    services.unit_status_set(actor=force.officer_a, patrol_unit_id=force.car_a.pk, to="on_scene")
    alert.refresh_from_db()
    a.refresh_from_db()
    assert alert.state == Alert.State.ON_SCENE and a.arrived_at is not None
    actions = list(alert.timeline.values_list("action", flat=True))
    assert actions == ["dispatched", "accepted", "acknowledged", "en_route", "on_scene"]
    assert services.assignments_expire() == 0


def test_a_dispatch_that_nobody_accepts_escalates_through_the_alerts_policy(force):
    from django.utils import timezone

    from pingan.alerts.models import Alert, FeedItem
    from pingan.dispatch import services

    now = timezone.now()
    alert = make_alert(force.unit_a, created_at=now)
    services.dispatch_assign(
        actor=force.dispatcher,
        alert_id=alert.pk,
        patrol_unit_ids=[force.car_a.pk, force.moto_a.pk],
        answer_within_s=20,
        now=now,
    )
    assert services.assignments_expire(now=now + dt.timedelta(seconds=19)) == 0
    services.assignment_answer(
        actor=force.officer_a3,
        assignment_id=force.moto_a.assignments.get().pk,
        accept=False,
        now=now + dt.timedelta(seconds=5),
    )
    assert not FeedItem.objects.filter(kind="escalation").exists()  # one offer is still live
    assert services.assignments_expire(now=now + dt.timedelta(seconds=21)) == 1
    alert.refresh_from_db()
    force.car_a.refresh_from_db()
    assert force.car_a.status == "available" and alert.state == Alert.State.NEW
    [esc] = FeedItem.objects.filter(kind="escalation")
    # P1's second step (the policy's duty_chief step) went out now, not at its scheduled 30 s
    assert (
        esc.unit == force.unit_a and esc.roles == ["station_chief"] and esc.payload["reason"] == "dispatch_unanswered"
    )
    assert alert.escalations_sent == 2
    t = alert.timeline.filter(action="escalated").get()
    assert t.detail["reason"] == "dispatch_unanswered" and t.detail["step"] == 2
    assert list(alert.timeline.filter(action="unanswered").values_list("detail__unit", flat=True)) == ["LQ-C1"]


def test_an_accepted_dispatch_does_not_escalate(force):
    from django.utils import timezone

    from pingan.alerts.models import FeedItem
    from pingan.dispatch import services

    now = timezone.now()
    alert = make_alert(force.unit_a, created_at=now)
    [a, b] = services.dispatch_assign(
        actor=force.dispatcher,
        alert_id=alert.pk,
        patrol_unit_ids=[force.car_a.pk, force.moto_a.pk],
        answer_within_s=20,
        now=now,
    )
    services.assignment_answer(
        actor=force.officer_a, assignment_id=a.pk, accept=True, now=now + dt.timedelta(seconds=3)
    )
    assert services.assignments_expire(now=now + dt.timedelta(seconds=30)) == 1  # the motorcycle's offer
    assert not FeedItem.objects.filter(kind="escalation").exists()
    with pytest.raises(Exception) as e:
        services.assignment_answer(
            actor=force.officer_a3, assignment_id=b.pk, accept=True, now=now + dt.timedelta(seconds=31)
        )
    assert e.value.code == "assignment_closed"


def test_dispatch_refuses_unavailable_units_and_other_lines(force):
    from pingan.core.errors import DomainError, NotFound, PermissionDenied
    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    services.unit_status_set(actor=None, patrol_unit_id=force.car_a.pk, to="busy")
    with pytest.raises(DomainError) as e:
        services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
    assert e.value.code == "unit_unavailable"
    with pytest.raises(NotFound):  # station B's chief cannot see station A's alert
        services.dispatch_assign(actor=force.chief_b, alert_id=alert.pk, patrol_unit_ids=[force.car_b.pk])
    b_alert = make_alert(force.unit_b)
    with pytest.raises(PermissionDenied):  # nor send A's units to B's alert
        services.dispatch_assign(actor=force.chief_b, alert_id=b_alert.pk, patrol_unit_ids=[force.foot_a.pk])
    with pytest.raises(PermissionDenied):
        services.dispatch_assign(actor=force.officer_a, alert_id=alert.pk, patrol_unit_ids=[force.foot_a.pk])
    # the centre dispatches across stations
    [a] = services.dispatch_assign(actor=force.dispatcher, alert_id=b_alert.pk, patrol_unit_ids=[force.foot_a.pk])
    assert a.patrol_unit == force.foot_a


# --------------------------------------------------------------------------------------------- drones


@pytest.fixture
def drone(force):
    from pingan.dispatch import services

    d = services.drone_register(
        actor=force.dispatcher,
        code="ZH-UAV1",
        unit=force.unit_a,
        model="DJI Matrice 30T",
        serial="1581F5FHD",
        max_flight_min=40,
        cruise_mps=15,
    )
    services.unit_status_set(actor=None, patrol_unit_id=d.patrol_unit_id, to="available")
    lon, lat = offset(0, 0)
    services.position_report(actor=None, patrol_unit_id=d.patrol_unit_id, lon=lon, lat=lat, battery_pct=90)
    d.refresh_from_db()
    return d


def test_a_drone_is_refused_for_a_no_fly_zone_destination(force, drone):
    from pingan.core.errors import DomainError
    from pingan.dispatch import services

    with pytest.raises(DomainError) as e:  # Xiamen Gaoqi airport
        services.drone_dispatch(actor=force.dispatcher, drone_id=drone.pk, lon=118.1277, lat=24.5440)
    assert e.value.code == "drone_no_fly" and "Gaoqi" in e.value.params["zone"]
    # A page names the zone in its reader's language (issue 11: the Chinese page named it in English)
    from django.utils import translation

    from pingan.core.error_messages import page_message

    with translation.override("zh-hans"):
        assert "厦门高崎国际机场管制区" in page_message(e.value) and "Gaoqi" not in page_message(e.value)
    with translation.override("en"):
        assert "Xiamen Gaoqi airport control zone" in page_message(e.value)
    drone.refresh_from_db()
    assert drone.drone_status == "ready" and not drone.missions.exists()


def test_a_drone_is_refused_beyond_its_battery_range_and_sent_within_it(force, drone):
    from pingan.core.errors import DomainError
    from pingan.dispatch import services

    # 90 % battery, 20 % reserve: 70 % of 40 min = 1,680 s; minus 300 s over the scene = 1,380 s of flight at
    # 15 m/s = 20.7 km, i.e. 10.35 km out and back
    far = offset(0, -10_600)
    with pytest.raises(DomainError) as e:
        services.drone_dispatch(actor=force.dispatcher, drone_id=drone.pk, lon=far[0], lat=far[1])
    assert e.value.code == "drone_out_of_range" and e.value.params["range_km"] == "10.3"
    near = offset(3000, -3000)
    m = services.drone_dispatch(actor=force.dispatcher, drone_id=drone.pk, lon=near[0], lat=near[1])
    assert m.eta_s == pytest.approx(4243 / 15, rel=0.01)
    drone.refresh_from_db()
    assert drone.drone_status == "in_flight" and drone.patrol_unit.status == "en_route"
    services.drone_land(actor=force.dispatcher, mission_id=m.pk)
    drone.refresh_from_db()
    assert drone.drone_status == "charging"


# -------------------------------------------------------------------------------------------- figures


def test_response_figures_per_station_with_targets(force):
    from django.utils import timezone

    from pingan.dispatch import selectors, services

    now = timezone.now()
    for i, ack in enumerate((5, 10, 20, 40)):
        a = make_alert(force.unit_a, created_at=now - dt.timedelta(seconds=60))
        a.acknowledged_at = a.created_at + dt.timedelta(seconds=ack)
        a.save()
        if i == 0:
            services.dispatch_assign(
                actor=force.dispatcher,
                alert_id=a.pk,
                patrol_unit_ids=[force.car_a.pk],
                now=a.created_at + dt.timedelta(seconds=30),
            )
    f = selectors.response_figures(actor=force.dispatcher)
    [lq] = f["stations"]
    assert lq["code"] == "350203-LQ" and lq["acknowledge"]["n"] == 4
    assert lq["acknowledge"]["p50"] == 15.0 and lq["acknowledge"]["p90"] == pytest.approx(34.0)
    assert lq["dispatch"] == {"n": 1, "p50": 30.0, "p90": 30.0} and lq["arrive"]["n"] == 0
    assert {t["id"] for t in f["targets"]} >= {"nena-answer-90", "nfpa1225-answer-90", "nfpa1225-process-90"}
    assert selectors.response_figures(actor=force.chief_b)["stations"] == []


def test_the_demo_force_is_idempotent_and_on_shift(cast):
    from django.utils import timezone

    from pingan.alerts import duty
    from pingan.dispatch.demo import demo_setup
    from pingan.dispatch.models import Drone, PatrolUnit, Shift

    first = demo_setup()
    again = demo_setup()
    assert first["patrol units"] == again["patrol units"] == PatrolUnit.objects.exclude(kind="drone").count() == 18
    assert again["shifts created"] == 0 and Shift.objects.count() == first["shifts created"] == 24
    assert Drone.objects.count() == 1
    now = timezone.now()
    assert duty.roster().duty_unit(cast.officer_a, now) == cast.unit_a  # rostered, not self-declared
    assert duty.roster().duty_unit(cast.chief_a, now) == cast.unit_a


def test_the_widening_box_finds_the_same_units_as_ranking_them_all(force, nearest_source):
    """200 units scattered over 30 km: for alerts anywhere, the box search answers as the full ranking does."""
    import random

    from django.utils import timezone

    from pingan.dispatch import nearest, services
    from pingan.dispatch.models import PatrolUnit, ShiftAssignment

    rng = random.Random(3)
    now = timezone.now()
    shift = ShiftAssignment.objects.filter(patrol_unit=force.car_a).get().shift
    kinds = ["car", "motorcycle", "foot"]
    pus = PatrolUnit.objects.bulk_create(
        [
            PatrolUnit(
                code=f"R{i:03d}",
                kind=kinds[i % 3],
                unit=force.unit_a,
                status="available",
                status_since=now,
                lon=118.0 + rng.random() * 0.3,
                lat=24.4 + rng.random() * 0.27,
                position_at=now,
            )
            for i in range(200)
        ]
    )
    ShiftAssignment.objects.bulk_create([ShiftAssignment(shift=shift, patrol_unit=p) for p in pus])
    model = nearest.travel_model()
    rows = list(
        PatrolUnit.objects.filter(status="available").values_list(
            "pk", "code", "kind", "lon", "lat", "drone__cruise_mps"
        )
    )
    for _ in range(25):
        alert = make_alert(
            force.unit_a,
            lon=118.0 + rng.random() * 0.3,
            lat=24.4 + rng.random() * 0.27,
            rule_id=rng.choice(["sos", "gunshot"]),
        )
        for limit in (1, 5, 12):
            want = nearest.rank(
                model, lon=alert.lon, lat=alert.lat, units=rows, kinds=model.kinds_for(alert.rule_id), limit=limit
            )
            got = services.candidates(alert=alert, limit=limit, now=now)
            assert [dataclasses.replace(c, position_age_s=None) for c in got] == want  # the pure rank has no age


@pytest.mark.django_db(transaction=True)
def test_the_in_process_index_follows_every_change_as_the_database_query_does(force):
    """Moves, status changes, a unit put on a shift, a shift ending, a new unit: after each, the index (kept
    fresh from the rows written since its last refresh and the roster's fingerprint) answers as the database box
    query does. Run in committed transactions, as in production (``dispatch.changes`` reads transaction ids)."""
    from django.utils import timezone

    from pingan.dispatch import services

    alert = make_alert(force.unit_a)

    def both(now=None):
        got = [[dataclasses.replace(c, position_age_s=round(c.position_age_s or 0, -1))  # asked a moment apart
                for c in services.candidates(alert=alert, limit=8, now=now, source=s)] for s in ("index", "db")]
        assert got[0] == got[1]
        return [c.code for c in got[0]]

    assert both() == ["LQ-C1", "LQ-M1", "LQ-F1", "JT-C1"]
    lon, lat = offset(0, 100)
    services.position_report(actor=None, patrol_unit_id=force.car_b.pk, lon=lon, lat=lat)
    assert both()[0] == "JT-C1"
    services.unit_status_set(actor=None, patrol_unit_id=force.car_b.pk, to="busy")
    assert "JT-C1" not in both()
    services.positions_ingest([("LQ-M1", *offset(50, 0), "wgs84", timezone.now(), None)])
    assert both()[0] == "LQ-M1"
    new = services.patrol_unit_create(actor=None, code="LQ-C9", kind="car", unit=force.unit_a)
    services.unit_status_set(actor=None, patrol_unit_id=new.pk, to="available")
    services.position_report(actor=None, patrol_unit_id=new.pk, lon=alert.lon, lat=alert.lat)
    assert "LQ-C9" not in both()  # not on a shift
    now = timezone.now()
    services.shift_create(actor=None, unit=force.unit_a, name="extra", starts_at=now - dt.timedelta(minutes=1),
                          ends_at=now + dt.timedelta(minutes=30), crews=[(new, [force.chief_a])])
    assert both()[0] == "LQ-C9"
    assert "LQ-C9" not in both(now + dt.timedelta(minutes=31))  # the clock passed the shift's end
