"""A crew of another station sent to an alert hears of that alert's later changes on its live stream (issue 11:
江头's car dispatched to a 莲前 alert was not told when someone else acknowledged it, when it escalated or when
it was closed — the stream carried the crew's own station only). A real stream on uvicorn: each change once,
nothing of the other station's unrelated alerts, nothing for the crew's colleagues; the same after a reconnect
with ``Last-Event-ID``."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import pytest
from dispatch_support import make_alert, sign_in

sys.path.insert(0, str(Path(__file__).parent.parent / "alerts"))
from alerts_support import SseClient, asgi_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def server(tmp_path):
    with asgi_server(tmp_path) as srv:
        yield srv


def _cookie(client, user) -> str:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies["sessionid"].value


def test_a_crew_of_another_station_hears_of_its_alert_once_and_of_nothing_else_there(server, client, force):
    from django.db import transaction
    from django.utils import timezone

    from pingan.alerts import services as alert_services
    from pingan.alerts.worker import load_configured_policy
    from pingan.dispatch import services

    x = make_alert(force.unit_a)  # the alert 江头's car is sent to
    y = make_alert(force.unit_a, rule_id="smoke", summary="immediate.smoke")  # 莲前's, unrelated to the crew
    crew = SseClient(server, _cookie(client, force.officer_b))
    chief_b = SseClient(server, _cookie(client.__class__(), force.chief_b))  # the crew's own chief: not dispatched
    time.sleep(0.5)  # both streams have said hello and subscribed

    (offer,) = services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    with transaction.atomic():  # the worker's batch transaction
        alert_services.escalations_run(policy=load_configured_policy(), now=timezone.now() + dt.timedelta(seconds=31))
    alert_services.alert_transition(actor=force.officer_a, alert_id=x.pk, to="acknowledged")  # someone else
    alert_services.alert_transition(actor=force.officer_a, alert_id=y.pk, to="acknowledged")
    services.assignment_answer(actor=force.officer_b, assignment_id=offer.pk, accept=True)
    alert_services.alert_transition(actor=force.chief_a, alert_id=y.pk, to="closed", disposition="false_alarm")
    alert_services.alert_transition(actor=force.chief_a, alert_id=x.pk, to="closed", disposition="real_incident")

    got = crew.events(6, timeout=4)
    crew.close()
    kinds = [(kind, p.get("state") or p["alert"]["state"]) for _seq, kind, p in got]
    assert kinds == [("assignment", "offered"), ("escalation", "new"), ("update", "acknowledged"),
                     ("update", "closed")]
    assert {p.get("id") or p["alert"]["id"] for _s, _k, p in got} == {x.pk}  # nothing of y
    assert len({seq for seq, _k, _p in got}) == len(got)  # each once
    assert chief_b.events(1, timeout=1.5) == []
    chief_b.close()

    # the phone reconnects from the offer: the back-fill has the same three changes, again nothing of y
    again = SseClient(server, _cookie(client.__class__(), force.officer_b), last_id=got[0][0])
    missed = again.events(5, timeout=3)
    again.close()
    assert [(seq, kind) for seq, kind, _p in missed] == [(seq, kind) for seq, kind, _p in got[1:]]


def test_the_stream_stops_following_when_the_crew_leaves_the_alert(server, client, force):
    from pingan.alerts import services as alert_services
    from pingan.dispatch import services

    x = make_alert(force.unit_a)
    (offer,) = services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=offer.pk, accept=True)
    crew = SseClient(server, _cookie(client, force.officer_b))
    time.sleep(0.5)
    alert_services.alert_transition(actor=force.officer_b, alert_id=x.pk, to="on_scene")
    services.unit_status_set(actor=force.officer_b, patrol_unit_id=force.car_b.pk, to="available")  # leaves it
    alert_services.alert_transition(actor=force.chief_a, alert_id=x.pk, to="closed", disposition="no_trace")
    got = crew.events(3, timeout=3)
    crew.close()
    # its own clearing is said too (a crew of two: the other's terminal drops the job), then nothing more
    assert [(kind, p["state"], p.get("reason")) for _s, kind, p in got] == [("update", "on_scene", None),
                                                                            ("left", "accepted", "cleared")]


def test_a_crew_whose_alert_is_reassigned_is_told_once_in_order_and_again_after_a_reconnect(server, client, force):
    """Issue 11: the centre gave 江头's car's alert to 莲前's car; 江头's terminal kept showing the job (the stream
    said nothing, and the terminal page still listed the accepted assignment)."""
    from pingan.alerts import services as alert_services
    from pingan.dispatch import services

    x = make_alert(force.unit_a)
    crew = SseClient(server, _cookie(client, force.officer_b))
    time.sleep(0.5)
    (offer,) = services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=offer.pk, accept=True)
    before = crew.events(3, timeout=4)  # the offer, acknowledged, en route
    assert [kind for _s, kind, _p in before] == ["assignment", "update", "update"]

    (new,) = services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_a.pk],
                                      reassign=True)
    services.assignment_answer(actor=force.officer_a, assignment_id=new.pk, accept=True)
    alert_services.alert_transition(actor=force.officer_a, alert_id=x.pk, to="on_scene")
    alert_services.alert_transition(actor=force.officer_a, alert_id=x.pk, to="closed", disposition="real_incident")
    got = crew.events(3, timeout=3)
    crew.close()
    assert [(kind, p["reason"]) for _s, kind, p in got] == [("left", "reassigned")]  # once, and nothing after
    seq, _kind, told = got[0]
    assert seq > before[-1][0]
    assert (told["assignment"], told["unit"], told["status"], told["alert"]["id"], told["for_users"]) == (
        offer.pk, "JT-C1", "available", x.pk, [force.officer_b.pk])
    force.car_b.refresh_from_db()
    assert force.car_b.status == "available" and force.car_b.current_alert_id is None

    # the phone lost its connection before the reassignment: the back-fill brings the same item, once
    again = SseClient(server, _cookie(client.__class__(), force.officer_b), last_id=before[-1][0])
    missed = again.events(3, timeout=3)
    again.close()
    assert [(s, k) for s, k, _p in missed] == [(seq, "left")]
    # and the terminal page, drawn again, no longer shows the job
    page = sign_in(client, force.officer_b).get("/dispatch/terminal/").content.decode()
    assert f'data-assignment="{offer.pk}"' not in page
