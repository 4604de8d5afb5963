"""Appointment reminders as text messages: queued once with the notice when the citizen gave a phone, sent by
the configured sender (the log by default, the number masked), rendered in Chinese at send time; a failing
gateway is retried and given up after three attempts; a sender named in the environment is used."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from pingan.citizen import services, sms
from pingan.citizen.models import Booking, Identity, Notice, Slot, SmsMessage
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.django_db
PHONE = "13800138000"  # a test number of the form, no one's


class Recorder:
    """A gateway adapter that keeps what it was asked to send (PINGAN_CITIZEN_SMS_SENDER points here)."""

    name = "recorder"
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        Recorder.sent.append((phone, text))


class Down:
    name = "down"

    def send(self, phone: str, text: str) -> None:
        raise sms.SmsError("gateway unreachable")


def booking_tomorrow(world, citizen, today):
    day = today + dt.timedelta(days=1)
    slot, _ = Slot.objects.get_or_create(counter=world.counter_a, day=day, start=dt.time(9, 0),
                                         defaults={"capacity": 2, "taken": 2})
    return Booking.objects.create(slot=slot, day=day, citizen=citizen, name=citizen.identity.name,
                                  id_number=citizen.identity.id_number, service="id_card_replacement",
                                  rules_version="xiamen-2018")


def test_a_reminder_is_queued_once_for_a_citizen_with_a_phone(world):
    today = timezone.localdate()
    Identity.objects.filter(user=world.alice).update(phone=PHONE)
    booking_tomorrow(world, world.alice, today)
    booking_tomorrow(world, world.bob, today)  # bob gave no phone: the notice only
    assert services.reminders_send(today=today) == 2
    assert services.reminders_send(today=today) == 0
    assert Notice.objects.filter(code="booking_tomorrow").count() == 2
    msg = SmsMessage.objects.get()
    assert (msg.recipient_id, msg.phone, msg.code, msg.status) == (world.alice.pk, PHONE, "booking_tomorrow", "queued")


def test_the_default_sender_logs_the_message_in_chinese_with_the_number_masked(world, caplog, monkeypatch):
    monkeypatch.delenv("PINGAN_CITIZEN_SMS_SENDER", raising=False)
    today = timezone.localdate()
    Identity.objects.filter(user=world.alice).update(phone=PHONE)
    booking_tomorrow(world, world.alice, today)
    services.reminders_send(today=today)
    with caplog.at_level(logging.INFO, logger="pingan.citizen.sms"):
        assert services.sms_deliver() == {"sent": 1, "failed": 0}
    line = caplog.records[-1].getMessage()
    assert "138****8000" in line and PHONE not in line and "明天" in line and world.counter_a.name in line
    msg = SmsMessage.objects.get()
    assert (msg.status, msg.sender, msg.attempts) == ("sent", "console", 1) and msg.sent_at
    assert services.sms_deliver() == {"sent": 0, "failed": 0}  # nothing sent twice
    assert AuditRecord.objects.filter(action="sms_send").count() == 1


def test_a_failing_gateway_is_retried_then_given_up(world, monkeypatch):
    monkeypatch.setenv("PINGAN_CITIZEN_SMS_SENDER", f"{__name__}:Down")
    today = timezone.localdate()
    Identity.objects.filter(user=world.alice).update(phone=PHONE)
    booking_tomorrow(world, world.alice, today)
    services.reminders_send(today=today)
    for attempt, status in ((1, "queued"), (2, "queued"), (3, "failed")):
        assert services.sms_deliver() == {"sent": 0, "failed": 1}
        msg = SmsMessage.objects.get()
        assert (msg.attempts, msg.status, msg.last_error) == (attempt, status, "SmsError: gateway unreachable")
    assert services.sms_deliver() == {"sent": 0, "failed": 0}


def test_a_sender_named_in_the_environment_is_used_and_a_bad_name_refused(world, monkeypatch):
    monkeypatch.setenv("PINGAN_CITIZEN_SMS_SENDER", f"{__name__}:Recorder")
    Recorder.sent.clear()
    today = timezone.localdate()
    Identity.objects.filter(user=world.alice).update(phone=PHONE)
    booking_tomorrow(world, world.alice, today)
    services.reminders_send(today=today)
    services.sms_deliver()
    assert [p for p, _ in Recorder.sent] == [PHONE] and SmsMessage.objects.get().sender == "recorder"
    for bad in ("no.such.module:Sender", f"{__name__}:Missing", f"{__name__}:PHONE"):
        monkeypatch.setenv("PINGAN_CITIZEN_SMS_SENDER", bad)
        with pytest.raises(ValueError, match="PINGAN_CITIZEN_SMS_SENDER"):
            sms.sender()


def test_the_daily_run_sends_what_it_queued(world, monkeypatch):
    from pingan.citizen import tasks

    monkeypatch.setenv("PINGAN_CITIZEN_SMS_SENDER", f"{__name__}:Recorder")
    Recorder.sent.clear()
    Identity.objects.filter(user=world.alice).update(phone=PHONE)
    booking_tomorrow(world, world.alice, timezone.localdate())
    got = tasks.daily()
    assert got["sms_sent"] == 1 and got["sms_failed"] == 0 and len(Recorder.sent) == 1
