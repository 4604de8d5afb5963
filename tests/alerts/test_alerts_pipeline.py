"""Ingest → event log → rules → alerts → the officers' feed, on the database log (PostgreSQL in CI)."""

import datetime as dt

import pytest
from alerts_support import JT_CAMERA, JT_INTRUSION, LQ_ACOUSTIC, LQ_CAMERA, LQ_SOS, ingest, payload

from pingan.alerts.models import Alert, AlertTransition, DeadLetter, Device, FeedItem
from pingan.alerts.services import counters

pytestmark = pytest.mark.django_db(transaction=False)


def feed_for(unit, role):
    return [(i.kind, i.alert_id) for i in FeedItem.objects.filter(unit=unit).order_by("seq") if role in i.roles]


def test_devices_are_routed_to_their_station_by_polygon_then_adcode(xiamen):
    lq = Device.objects.get(device_id=LQ_CAMERA)
    assert lq.unit.code == "350203-LQ" and lq.routed_by == "adcode"  # polygon → 思明分局, refined to the station
    assert Device.objects.get(device_id=JT_CAMERA).unit.code == "350206-JT"


def test_every_input_is_accepted_dropped_as_duplicate_or_dead_lettered(xiamen, clock):
    now = clock()
    res = ingest(
        payload("a1", LQ_SOS, "sos", now),
        payload("a1", LQ_SOS, "sos", now),  # duplicate in the batch
        payload("a2", "35020301001340000099", "sos", now),  # unknown device
        payload("a3", LQ_SOS, "sos", now + dt.timedelta(hours=2)),  # far future
        payload("a4", LQ_SOS, "sos", dt.datetime(2019, 1, 1, tzinfo=dt.UTC)),  # before the device existed
        {"event_id": "a5", "device_id": LQ_SOS, "type": "sos"},  # no time
        payload("a6", LQ_SOS, "sos", now, position={"lon": -90.24, "lat": 38.63}),
    )  # 12,000 km away
    assert res.counts == {"accepted": 1, "duplicates": 1, "dead_lettered": 5}
    reasons = sorted(DeadLetter.objects.values_list("reason_code", flat=True))
    assert reasons == sorted(
        ["impossible_time", "impossible_time", "implausible_position", "missing_field", "unknown_device"]
    )
    again = ingest(payload("a1", LQ_SOS, "sos", now))
    assert again.counts["duplicates"] == 1
    c = counters()
    assert c["received"] == c["accepted"] + c["duplicates"] + c["dead_lettered"] == 8


def test_an_sos_becomes_a_p1_alert_on_station_a_only(on_duty, clock, worker):
    ingest(payload("s1", LQ_SOS, "sos", clock()))
    w = worker()
    assert w.step() == 1
    alert = Alert.objects.get()
    assert (alert.priority, alert.rule_id, alert.unit.code, alert.state) == ("P1", "sos", "350203-LQ", "new")
    assert feed_for(on_duty.unit_a, "officer") == [("alert", alert.pk)]
    assert feed_for(on_duty.unit_b, "officer") == []
    assert [t.action for t in alert.timeline.all()] == ["raised", "notified"]
    c = counters()
    assert c["alerting"] == 1 and c.get("non_alert", 0) == 0


def test_the_same_condition_again_updates_the_open_alert(on_duty, clock, worker):
    for i in range(3):
        ingest(payload(f"g{i}", LQ_ACOUSTIC, "gunshot", clock()))
    worker().step()
    alert = Alert.objects.get()
    assert alert.fire_count == 3 and len(alert.event_keys) == 3
    assert feed_for(on_duty.unit_a, "officer") == [("alert", alert.pk)]


def test_escalation_goes_to_the_chief_then_the_command_centre_until_acknowledged(on_duty, clock, worker):
    from pingan.alerts import services

    ingest(payload("s1", LQ_SOS, "sos", clock()))
    w = worker()
    w.step()
    alert = Alert.objects.get()
    w.tick(clock.advance(29))
    assert alert.timeline.filter(action="escalated").count() == 0
    w.tick(clock.advance(2))  # 31 s
    assert feed_for(on_duty.unit_a, "station_chief")[-1] == ("escalation", alert.pk)
    w.tick(clock.advance(30))  # 61 s
    centre = on_duty.dispatcher.unit
    assert feed_for(centre, "dispatcher") == [("escalation", alert.pk)]
    services.alert_transition(actor=on_duty.officer_a, alert_id=alert.pk, to="acknowledged")
    steps = alert.timeline.filter(action="escalated").count()
    w.tick(clock.advance(600))
    assert alert.timeline.filter(action="escalated").count() == steps == 2


def test_an_unanswered_p1_repeats_its_chain_a_capped_number_of_times(on_duty, clock, worker):
    ingest(payload("s1", LQ_SOS, "sos", clock()))
    w = worker()
    w.step()
    for _ in range(30):
        w.tick(clock.advance(60))
    alert = Alert.objects.get(rule_id="sos")
    assert alert.timeline.filter(action="escalated").count() == 3 * 3 - 1  # policy: 3 steps, 2 repeats
    assert alert.next_escalation_at is None


def test_a_silence_mutes_matching_alerts_and_is_audited(on_duty, clock, worker):
    from pingan.alerts import services
    from pingan.core.models import AuditRecord

    s = services.silence_create(
        actor=on_duty.chief_a,
        matchers=['alertname="sos"'],
        comment="post under repair",
        starts_at=clock(),
        ends_at=clock() + dt.timedelta(hours=1),
    )
    ingest(payload("s1", LQ_SOS, "sos", clock()))
    worker().step()
    alert = Alert.objects.get()
    assert alert.muted_by == f"silence:{s.pk}" and feed_for(on_duty.unit_a, "officer") == []
    assert AlertTransition.objects.filter(alert=alert, action="silenced").exists()
    assert AuditRecord.objects.filter(action="silence_create", object_id=str(s.pk)).exists()


def test_a_gunshot_inhibits_loud_noise_nearby(on_duty, clock, worker):
    ingest(payload("g1", LQ_ACOUSTIC, "gunshot", clock()), payload("n1", LQ_ACOUSTIC, "loud_noise", clock()))
    worker().step()
    noise = Alert.objects.get(rule_id="loud-noise")
    assert noise.muted_by == "inhibited"


def test_p3_alerts_wait_for_their_group_and_arrive_together(on_duty, clock, worker):
    for i in range(3):  # three intrusions → one count alert
        ingest(payload(f"i{i}", JT_INTRUSION, "intrusion", clock()))
    w = worker()
    w.step()
    alert = Alert.objects.get(rule_id="intrusion-burst")
    assert alert.notified_at is None and feed_for(on_duty.unit_b, "officer") == []
    w.tick(clock.advance(31))  # group_wait 30 s
    alert.refresh_from_db()
    assert alert.notified_at is not None and feed_for(on_duty.unit_b, "officer") == [("alert", alert.pk)]


def test_ownership_flow_to_closed_with_disposition(on_duty, clock, worker):
    from pingan.alerts import services
    from pingan.core.errors import DomainError

    ingest(payload("s1", LQ_SOS, "sos", clock()))
    worker().step()
    a = Alert.objects.get()
    services.alert_transition(actor=on_duty.officer_a, alert_id=a.pk, to="acknowledged")
    with pytest.raises(DomainError) as exc:  # another officer cannot take it over
        services.alert_transition(actor=on_duty.chief_a, alert_id=a.pk, to="acknowledged")
    assert exc.value.code == "bad_transition"
    services.alert_transition(actor=on_duty.officer_a, alert_id=a.pk, to="en_route")
    services.alert_transition(actor=on_duty.officer_a, alert_id=a.pk, to="on_scene")
    with pytest.raises(DomainError) as exc:
        services.alert_transition(actor=on_duty.officer_a, alert_id=a.pk, to="closed")
    assert exc.value.code == "disposition_required"
    services.alert_transition(
        actor=on_duty.officer_a, alert_id=a.pk, to="closed", disposition="false_alarm", notes="child pressed it"
    )
    a.refresh_from_db()
    assert (a.state, a.open, a.owner, a.disposition) == ("closed", False, on_duty.officer_a, "false_alarm")
    assert [t.action for t in a.timeline.all()][-4:] == ["acknowledged", "en_route", "on_scene", "closed"]
    with pytest.raises(DomainError):  # officer B cannot see it at all
        services.alert_transition(actor=on_duty.officer_b, alert_id=a.pk, to="closed", disposition="real_incident")


def test_a_watch_listed_plate_from_station_b_reaches_station_b(on_duty, clock, worker):
    from pingan.alerts import services

    services.hotlist_add(actor=on_duty.analyst, kind="plate", key="闽D 12345", reason="stolen", priority="P2")
    ingest(
        payload("p1", JT_CAMERA, "anpr", clock(), plate="闽D12345", reliability=97),
        payload("p2", LQ_CAMERA, "anpr", clock(), plate="闽D67890", reliability=97),
    )
    w = worker()
    w.step()
    a = Alert.objects.get()
    assert (a.rule_id, a.unit.code, a.params["reason"]) == ("hotlist-plate", "350206-JT", "stolen")
    assert counters()["non_alert"] == 1


def test_a_device_that_goes_silent_raises_a_maintenance_alert(on_duty, clock, worker):
    ingest(payload("h1", JT_CAMERA, "heartbeat", clock()))
    w = worker()
    w.step()
    w.tick(clock.advance(6 * 60))
    w.tick(clock.advance(61))  # P4 group_wait 60 s
    a = Alert.objects.get(kind="absence")
    assert a.priority == "P4" and a.unit.code == "350206-JT" and a.notified_at is not None
    assert Device.objects.get(device_id=JT_CAMERA).status == "offline"


def test_a_device_back_and_silent_again_in_one_batch_closes_its_alert_and_raises_a_new_one(on_duty, clock, worker):
    # the closed alert is written before the new one is inserted: one open alert per fingerprint (the new one
    # went in first, and the worker's batch failed on the unique constraint for ever)
    from django.db import transaction

    from pingan.alerts.rules import Firing
    from pingan.alerts.services import firings_apply

    ingest(payload("h1", JT_CAMERA, "heartbeat", clock()))
    w = worker()
    w.step()
    w.tick(clock.advance(6 * 60))
    old = Alert.objects.get(kind="absence", open=True)
    labels = {k: v for k, v in old.labels.items() if k not in ("priority", "unit")}

    def firing(summary, key):
        return Firing(old.ruleset, old.ruleset_version, old.rule_id, "absence", "P4", clock(), JT_CAMERA, labels,
                      (key,), summary, {}, old.lon, old.lat)

    with transaction.atomic():
        firings_apply(firings=[firing("absence.back", "k-back"), firing("absence", "k-again")], policy=w.policy,
                      now=clock())
    old.refresh_from_db()
    assert not old.open and old.status == "resolved" and old.disposition == "device_fault"
    new = Alert.objects.get(kind="absence", open=True)
    assert new.pk != old.pk and new.fingerprint == old.fingerprint


def test_a_worker_restarted_mid_stream_continues_exactly(on_duty, clock, worker):
    # two intrusions processed, the worker dies after its last snapshot; a third arrives
    ingest(payload("i0", JT_INTRUSION, "intrusion", clock()), payload("i1", JT_INTRUSION, "intrusion", clock()))
    w1 = worker(snapshot_every_s=3600)  # the first batch saves a snapshot (at start), later ones do not
    w1.step()
    ingest(payload("s1", LQ_SOS, "sos", clock()))
    w1.step()  # committed, but no snapshot after it
    del w1  # "killed"
    ingest(payload("i2", JT_INTRUSION, "intrusion", clock()))
    w2 = worker()
    w2.step()
    assert Alert.objects.filter(rule_id="intrusion-burst").count() == 1  # the window survived the restart
    assert Alert.objects.filter(rule_id="sos").count() == 1 and Alert.objects.get(rule_id="sos").fire_count == 1
    c = counters()
    assert c["alerting"] + c["non_alert"] == 4 == c["accepted"]


def test_reading_an_alert_records_whom_it_shows_and_why(on_duty, clock, worker):
    from pingan.alerts import selectors, services
    from pingan.core import audit
    from pingan.core.models import AuditRecord

    services.hotlist_add(actor=on_duty.analyst, kind="plate", key="闽D12345", reason="stolen")
    ingest(payload("p1", JT_CAMERA, "anpr", clock(), plate="闽D12345", reliability=97))
    worker().step()
    alert = Alert.objects.get()
    with pytest.raises(audit.PurposeRequired):
        selectors.alert_get(actor=on_duty.officer_b, alert_id=alert.pk)
    selectors.alert_get(actor=on_duty.officer_b, alert_id=alert.pk, purpose="alert_response")
    rec = AuditRecord.objects.filter(action="read", object_type="Alert", object_id=str(alert.pk)).get()
    assert rec.purpose == "alert_response" and rec.actor == "officer_b"
    from pingan.core.models import AuditSubject

    keys = audit.subject_keys(audit.Subject(id_number="闽D12345"))
    assert set(AuditSubject.objects.filter(seq=rec.seq).values_list("key", flat=True)) == keys
