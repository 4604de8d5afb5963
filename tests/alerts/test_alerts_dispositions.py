"""Dispositions as data (``alerts/data/dispositions.toml``) and their effects: a device fault puts the device
into maintenance (its alerts muted until a chief ends it), false alarms are counted per rule and device and
shown to analysts and station chiefs."""

import pytest
from alerts_support import LQ_SOS, ingest, payload, sign_in

from pingan.alerts.alerting import dispositions
from pingan.alerts.models import Alert, Device, FeedItem
from pingan.core.errors import DomainError, PermissionDenied
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief_b(on_duty):
    from pingan.core.services import user_create

    return user_create(username="chief_b", password=None, role="station_chief", unit=on_duty.officer_b.unit)


def test_the_codes_are_data_with_their_effects_and_translated_labels():
    from django.utils import translation

    from pingan.alerts.models import disposition_choices

    codes = dispositions()
    assert list(codes)[:3] == ["real_incident", "false_alarm", "device_fault"]
    assert codes["device_fault"].device == "maintenance" and codes["device_fault"].false_alarm
    assert codes["false_alarm"].false_alarm and not codes["real_incident"].false_alarm
    with translation.override("zh-hans"):
        labels = dict(disposition_choices())
    assert labels["false_alarm"] == "误报"
    assert all(str(v) != codes[k].label for k, v in labels.items()), "every label has its Chinese translation"


def _raise_and_close(on_duty, clock, worker, eid, disposition):
    from pingan.alerts import services

    ingest(payload(eid, LQ_SOS, "sos", clock()))
    worker().step()
    a = Alert.objects.filter(rule_id="sos", open=True).get()
    services.alert_transition(actor=on_duty.officer_a, alert_id=a.pk, to="acknowledged")
    services.alert_transition(actor=on_duty.officer_a, alert_id=a.pk, to="closed", disposition=disposition)
    return a


def test_a_device_fault_puts_the_device_into_maintenance_until_its_chief_ends_it(on_duty, chief_b, clock, worker):
    from pingan.alerts import services

    a = _raise_and_close(on_duty, clock, worker, "s1", "device_fault")
    assert Device.objects.get(device_id=LQ_SOS).status == "maintenance"
    assert [t.action for t in a.timeline.all()][-2:] == ["closed", "maintenance"]
    assert AuditRecord.objects.filter(action="device_maintenance", object_id=LQ_SOS).exists()

    clock.advance(30)
    ingest(payload("s2", LQ_SOS, "sos", clock()))  # the faulty post "fires" again
    assert Device.objects.get(device_id=LQ_SOS).status == "maintenance"  # an event does not bring it back
    worker().step()
    muted = Alert.objects.order_by("-id").first()
    assert muted.pk != a.pk and muted.muted_by == "maintenance"
    assert ("muted", {"by": "maintenance", "device": LQ_SOS}) in [(t.action, t.detail) for t in muted.timeline.all()]
    assert not FeedItem.objects.filter(alert=muted).exists()  # raised and kept, not delivered

    with pytest.raises(PermissionDenied):
        services.device_maintenance_end(actor=on_duty.officer_a, device_id=LQ_SOS)
    with pytest.raises(PermissionDenied):  # another station's chief
        services.device_maintenance_end(actor=chief_b, device_id=LQ_SOS)
    services.device_maintenance_end(actor=on_duty.chief_a, device_id=LQ_SOS)
    assert Device.objects.get(device_id=LQ_SOS).status == "online"
    assert AuditRecord.objects.filter(action="device_maintenance_end", object_id=LQ_SOS, actor="chief_a").exists()
    Device.objects.filter(device_id=LQ_SOS).update(status="maintenance")
    from django.core.management import call_command

    call_command("alerts", "maintenance-end", LQ_SOS)  # the command line, for the technician's report
    assert Device.objects.get(device_id=LQ_SOS).status == "online"
    with pytest.raises(DomainError) as exc:
        services.device_maintenance_end(actor=on_duty.chief_a, device_id=LQ_SOS)
    assert exc.value.code == "not_in_maintenance"
    services.alert_transition(actor=on_duty.chief_a, alert_id=muted.pk, to="acknowledged")
    services.alert_transition(actor=on_duty.chief_a, alert_id=muted.pk, to="closed", disposition="duplicate")
    clock.advance(60)
    ingest(payload("s3", LQ_SOS, "sos", clock()))
    worker().step()
    fixed = Alert.objects.filter(rule_id="sos", open=True).get()
    assert fixed.muted_by == "" and FeedItem.objects.filter(alert=fixed, kind="alert").exists()  # delivered again


def test_false_alarms_per_rule_and_device_are_shown_to_analysts_and_chiefs(client, on_duty, chief_b, clock, worker):
    _raise_and_close(on_duty, clock, worker, "f1", "false_alarm")
    clock.advance(60)
    _raise_and_close(on_duty, clock, worker, "f2", "real_incident")
    clock.advance(60)
    ingest(payload("f3", LQ_SOS, "sos", clock()))
    worker().step()
    a = Alert.objects.filter(rule_id="sos", open=True).get()
    from pingan.alerts import selectors

    assert selectors.false_alarms(actor=on_duty.analyst, alert=a) == {"rule": (1, 2), "device": (1, 2)}
    assert selectors.false_alarms(actor=chief_b, alert=a)["device"] == (0, 0)  # not B's line
    for user, shown in ((on_duty.analyst, True), (on_duty.chief_a, True), (on_duty.officer_a, False)):
        sign_in(client, user)
        r = client.get(f"/alerts/{a.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert r.status_code == 200
        assert ("本设备：已处置 2 起中 1 起" in r.content.decode()) is shown
        r = client.get(f"/alerts/{a.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        assert ("this device: 1 of 2 closed" in r.content.decode()) is shown
