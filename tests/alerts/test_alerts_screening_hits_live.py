"""A re-evaluation's notice of new screening hits on the officers' live stream, through a real ASGI server:
the on-duty officer of the premises' station receives it (counts and the jurisdiction link, no one named),
the other station's officer does not."""

from __future__ import annotations

import time

import pytest
from alerts_support import SseClient
from django.test import Client
from test_alerts_live import _session, postgres_only, server  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_re_screening_notice_reaches_the_stations_officers_on_duty_live(server, client, on_duty):  # noqa: F811
    from django.db import transaction
    from django.utils import timezone

    from pingan.alerts.services import screening_hits_notify
    from pingan.screening.models import Reevaluation, RiskDataset

    ds = RiskDataset.objects.create(kind="listings", name="NHC 2022-08-21", source="test", path="")
    run = Reevaluation.objects.create(dataset=ds, as_of=timezone.now())
    sse_a = SseClient(server, _session(client, on_duty.officer_a))
    sse_b = SseClient(server, _session(Client(), on_duty.officer_b))
    time.sleep(0.5)  # both streams have said hello and subscribed
    with transaction.atomic():  # as in the re-evaluation's transaction: visible at its commit
        screening_hits_notify(run, [
            {"person": 11, "job": 5, "premises": on_duty.premises_a.pk, "hits": 2, "level": "red"},
            {"person": 12, "job": 5, "premises": on_duty.premises_a.pk, "hits": 1, "level": "yellow"},
            {"person": 13, "job": 6, "premises": None, "hits": 1, "level": "red"}])  # no premises: no unit
    got = sse_a.events(1)
    assert [(kind, p["summary"], p["params"], p["url"]) for _seq, kind, p in got] == [
        ("hits", "screening.hits_raised", {"people": 2, "hits": 3, "premises": 1, "dataset": "NHC 2022-08-21"},
         f"/police/?reeval={run.pk}")]
    assert sse_b.events(1, timeout=2) == []
    sse_a.close()
    sse_b.close()
