"""The crew of a patrol unit of another station dispatched to an alert opens it and moves it on (issue 11: an
officer of 江头 who accepted an assignment to a 莲前 alert got 404 on it, so could neither report on scene nor
close it). Nobody else of the other station sees it; the crew loses it when their unit leaves it."""

from __future__ import annotations

import pytest
from dispatch_support import make_alert, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(force):
    """A 莲前 alert; 江头's car JT-C1 (crew officer_b) dispatched to it and accepted; officer_b2 of 江头 on the
    same shift, not on the car."""
    from pingan.core.services import user_create
    from pingan.dispatch import services
    from pingan.dispatch.models import Shift

    force.officer_b2 = user_create(username="officer_b2", password=None, role="officer", unit=force.unit_b)
    shift = Shift.objects.get(unit=force.unit_b)
    shift.assignments.create(user=force.officer_b2)
    force.alert = make_alert(force.unit_a)
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=force.alert.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    force.assignment = a
    return force


def _status(client, user, alert) -> int:
    return sign_in(client, user, "alert_response").get(f"/alerts/{alert.pk}/").status_code


def test_the_dispatched_crew_of_another_station_opens_the_alert_and_no_one_else_of_it(client, sent):
    alert = sent.alert
    alert.refresh_from_db()
    assert alert.owner_id == sent.officer_b.pk and alert.state == "en_route"  # the accept acknowledged it
    assert _status(client, sent.officer_b, alert) == 200  # dispatched crew
    assert _status(client, sent.officer_a, alert) == 200  # same station, not dispatched
    assert _status(client, sent.chief_a, alert) == 200  # chief of the alert's station
    assert _status(client, sent.officer_b2, alert) == 404  # other station, not dispatched
    assert _status(client, sent.chief_b, alert) == 404  # chief of the crew's station: not dispatched


def test_the_dispatched_crew_reports_on_scene_and_closes(client, sent):
    from pingan.alerts.models import Alert

    c = sign_in(client, sent.officer_b, "alert_response")
    r = c.post("/dispatch/terminal/status/", {"unit": sent.car_b.pk, "to": "on_scene"})
    assert r.status_code in (200, 302)
    alert = Alert.objects.get(pk=sent.alert.pk)
    assert alert.state == "on_scene"
    sent.assignment.refresh_from_db()
    assert sent.assignment.arrived_at is not None
    r = c.post(f"/alerts/{alert.pk}/", {"to": "closed", "disposition": "duplicate", "notes": "到场处置完毕"})
    assert r.status_code == 302, r.content.decode()[:500]
    alert.refresh_from_db()
    assert alert.state == "closed" and not alert.open


def test_a_crew_dispatched_to_an_alert_someone_else_owns_may_move_it_on(client, force):
    """officer_a acknowledged the alert (owns it); 江头's car is sent as well: its crew reports on scene and
    closes, though not the owner. An officer of the alert's station who is neither owner nor crew may not."""
    from pingan.alerts import services as alert_services
    from pingan.alerts.models import Alert
    from pingan.core.errors import DomainError
    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    alert_services.alert_transition(actor=force.officer_a, alert_id=alert.pk, to="acknowledged")
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    with pytest.raises(DomainError) as e:
        alert_services.alert_transition(actor=force.officer_a2, alert_id=alert.pk, to="on_scene")
    assert e.value.code == "not_owner"
    services.unit_status_set(actor=force.officer_b, patrol_unit_id=force.car_b.pk, to="on_scene")
    assert Alert.objects.get(pk=alert.pk).state == "on_scene"
    alert_services.alert_transition(actor=force.officer_b, alert_id=alert.pk, to="closed", disposition="duplicate")
    assert Alert.objects.get(pk=alert.pk).state == "closed"


def test_the_crew_loses_the_alert_when_the_unit_leaves_it(client, sent):
    from pingan.alerts import selectors
    from pingan.core.errors import NotFound
    from pingan.dispatch import services

    assert selectors.alert_list(actor=sent.officer_b, purpose="alert_response").filter(pk=sent.alert.pk).exists()
    services.unit_status_set(actor=sent.officer_b, patrol_unit_id=sent.car_b.pk, to="available")
    assert _status(client, sent.officer_b, sent.alert) == 404
    with pytest.raises(NotFound):
        selectors.alert_get(actor=sent.officer_b, alert_id=sent.alert.pk, purpose="alert_response")
    assert not selectors.alert_list(actor=sent.officer_b, purpose="alert_response").filter(pk=sent.alert.pk).exists()


def test_an_offer_not_yet_accepted_does_not_open_the_alert(client, force):
    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_b.pk])
    assert _status(client, force.officer_b, alert) == 404


def test_the_terminal_links_an_accepted_assignment_to_its_alert(client, sent):
    body = sign_in(client, sent.officer_b, "alert_response").get("/dispatch/terminal/").content.decode()
    assert f'href="/alerts/{sent.alert.pk}/?from=/dispatch/terminal/"' in body
