"""Every change that takes an alert off a patrol unit reaches its crew's live stream (issue 11: a crew whose alert
was given to another unit was not told, and its terminal kept showing the job): the offer declined or not
answered in time, the unit stood down by a chief or the centre (an open offer withdrawn with it), the alert
reassigned, the crew clearing itself — each one ``left`` item addressed to that crew, in the change's
transaction. The reassignment's permissions, role × own/other station. The live stream itself (once, in order,
after a reconnect) is tested on uvicorn in ``test_dispatch_crew_stream.py``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from dispatch_support import make_alert, sign_in
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _left(user) -> list[tuple[str, str, int, str]]:
    from pingan.alerts.models import FeedItem

    return [
        (i.payload["reason"], i.payload["unit"], i.alert_id, i.payload["state"])
        for i in FeedItem.objects.filter(kind="left").order_by("seq")
        if user.pk in i.payload["for_users"]
    ]


def test_each_way_off_an_alert_tells_its_crew_once(client, force):
    from pingan.alerts.models import AlertTransition
    from pingan.core.errors import DomainError
    from pingan.dispatch import services

    x, y, z = (make_alert(force.unit_a) for _ in range(3))  # one unit takes an alert once (the constraint)
    d, b = force.dispatcher, force.car_b.pk

    def offer(alert, **kw):
        (a,) = services.dispatch_assign(actor=d, alert_id=alert.pk, patrol_unit_ids=[b], **kw)
        return a

    services.assignment_answer(actor=force.officer_b, assignment_id=offer(x).pk, accept=False)
    offer(x, answer_within_s=10)
    assert services.assignments_expire(now=timezone.now() + dt.timedelta(seconds=20)) == 1
    withdrawn = offer(x)
    services.unit_status_set(actor=d, patrol_unit_id=b, to="available")  # stood down before answering
    withdrawn.refresh_from_db()
    assert withdrawn.state == "cancelled"
    with pytest.raises(DomainError) as exc:  # the offer is gone: no accept after the stand-down
        services.assignment_answer(actor=force.officer_b, assignment_id=withdrawn.pk, accept=True)
    assert exc.value.code == "assignment_closed"
    services.assignment_answer(actor=force.officer_b, assignment_id=offer(y).pk, accept=True)
    services.unit_status_set(actor=d, patrol_unit_id=b, to="available")  # stood down on its way
    services.assignment_answer(actor=force.officer_b, assignment_id=offer(z).pk, accept=True)
    (new,) = services.dispatch_assign(actor=d, alert_id=z.pk, patrol_unit_ids=[force.car_a.pk], reassign=True)
    services.assignment_answer(actor=force.officer_a, assignment_id=new.pk, accept=True)
    services.unit_status_set(actor=force.officer_a, patrol_unit_id=force.car_a.pk, to="available")  # clears itself

    assert _left(force.officer_b) == [
        ("declined", "JT-C1", x.pk, "declined"),
        ("expired", "JT-C1", x.pk, "expired"),
        ("stood_down", "JT-C1", x.pk, "cancelled"),
        ("stood_down", "JT-C1", y.pk, "accepted"),
        ("reassigned", "JT-C1", z.pk, "accepted"),
    ]
    assert _left(force.officer_a) == [("cleared", "LQ-C1", z.pk, "accepted")]
    assert _left(force.officer_a2) == _left(force.chief_a) == _left(force.chief_b) == []  # nobody else
    downs = AlertTransition.objects.filter(action="stood_down").order_by("id")
    assert [(t.alert_id, t.detail["unit"], t.detail.get("reason")) for t in downs] == [
        (x.pk, "JT-C1", None),
        (y.pk, "JT-C1", None),
        (z.pk, "JT-C1", "reassigned"),
    ]

    # the crew's terminal lists no assignment it is off; the alert page's timeline says who was stood down
    assert "data-assignment=" not in sign_in(client, force.officer_b).get("/dispatch/terminal/").content.decode()
    for language, words in (
        ("en", ("Unit stood down", "the alert was given to other units")),
        ("zh-hans", ("警力已撤回", "警情已改派其他警力")),
    ):
        client.cookies["django_language"] = language
        page = sign_in(client, force.chief_a, "alert_response").get(f"/alerts/{z.pk}/").content.decode()
        assert all(w in page for w in words), language


def test_who_may_reassign_role_by_own_and_other_station(client, force):
    from pingan.core.errors import DomainError
    from pingan.dispatch import services

    x = make_alert(force.unit_a)
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    for who, code in (
        (force.chief_b, "not_found"),  # another station's alert
        (force.officer_a, "permission_denied"),
        (force.analyst, "permission_denied"),
        (force.chief_a, "permission_denied"),
    ):  # 莲前's chief may not stand 江头's car down
        with pytest.raises(DomainError) as exc:
            services.dispatch_assign(actor=who, alert_id=x.pk, patrol_unit_ids=[force.foot_a.pk], reassign=True)
        assert exc.value.code == code, who
    force.car_b.refresh_from_db()
    assert force.car_b.current_alert_id == x.pk  # nothing changed
    # the centre may; then 莲前's chief may move it between 莲前's own units — through the console's panel
    sign_in(client, force.dispatcher)
    r = client.post(f"/dispatch/console/alerts/{x.pk}/", {"unit": [force.car_a.pk], "reassign": "1", "confirmed": "1"})
    assert r.status_code == 200
    # the panel's list says the stood-down unit is no longer on it (its assignment stays "accepted")
    assert re.search(r"JT-C1 · [^<·]+ · (no longer on it|已不在此警情)", r.content.decode())
    force.car_b.refresh_from_db()
    assert force.car_b.status == "available"
    (on_a,) = [a for a in x.assignments.filter(state="offered")]
    services.assignment_answer(actor=force.officer_a, assignment_id=on_a.pk, accept=True)
    sign_in(client, force.chief_a)
    panel = client.get(f"/dispatch/console/alerts/{x.pk}/").content.decode()
    assert 'name="reassign"' in panel and "LQ-C1" in panel
    r = client.post(f"/dispatch/console/alerts/{x.pk}/", {"unit": [force.foot_a.pk], "reassign": "1",
                                                          "confirmed": "1"})
    assert r.status_code == 200
    assert _left(force.officer_a) == [("reassigned", "LQ-C1", x.pk, "accepted")]
    sign_in(client, force.chief_b)
    assert (
        client.post(f"/dispatch/console/alerts/{x.pk}/", {"unit": [force.car_b.pk], "reassign": "1"}).status_code == 404
    )
    for who in (force.officer_a, force.analyst):
        assert (
            sign_in(client, who)
            .post(f"/dispatch/console/alerts/{x.pk}/", {"unit": [force.car_b.pk], "reassign": "1"})
            .status_code
            == 403
        )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_reassign_choice_and_the_terminal_s_words_are_in_the_reader_s_language(client, force, language):
    from page_language import assert_language

    from pingan.dispatch import services
    from pingan.dispatch.views import LEFT_TEXTS

    x = make_alert(force.unit_a)
    services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    client.cookies["django_language"] = language
    panel = sign_in(client, force.dispatcher).get(f"/dispatch/console/alerts/{x.pk}/").content.decode()
    line = panel[panel.index('class="reassign"') : panel.index("</label>", panel.index('class="reassign"'))]
    assert "JT-C1" in line and ("Reassign" in line) == (language == "en") and ("改派" in line) == (language != "en")
    from django.utils import translation

    with translation.override(language):
        for reason, text in LEFT_TEXTS.items():
            assert_language(str(text).replace("{unit}", "").replace("{id}", ""), language, ())
            assert "{unit}" in str(text) and "{id}" in str(text), reason


def test_a_unit_taken_off_an_alert_may_be_sent_back_to_it(force):
    """Reassigning back and forth (JT-C1 → LQ-C1 → JT-C1): the unit's first, accepted and ended assignment does
    not stop a new offer (the one-live-assignment constraint counted it: an IntegrityError, a 500 page)."""
    from pingan.dispatch import services

    x = make_alert(force.unit_a)
    d = force.dispatcher
    (a,) = services.dispatch_assign(actor=d, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    (b,) = services.dispatch_assign(actor=d, alert_id=x.pk, patrol_unit_ids=[force.car_a.pk], reassign=True)
    (again,) = services.dispatch_assign(actor=d, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk], reassign=True)
    b.refresh_from_db()
    assert (again.state, b.state) == ("offered", "cancelled")
    assert [r for r, *_ in _left(force.officer_a)] == ["reassigned"]


def test_a_chief_clearing_a_unit_whose_alert_is_closed_is_not_a_stand_down(force):
    """The job ended normally (the alert closed while the unit was on scene); a chief or dispatcher then makes the
    unit available: nobody was stood down, so the timeline gets no ``stood_down`` step and the crew's terminal
    says the unit is off the alert, not that the station took it off."""
    from pingan.alerts import services as alert_services
    from pingan.alerts.models import AlertTransition
    from pingan.dispatch import services

    x = make_alert(force.unit_a)
    d = force.dispatcher
    (a,) = services.dispatch_assign(actor=d, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    services.unit_status_set(actor=force.officer_b, patrol_unit_id=force.car_b.pk, to="on_scene")
    alert_services.alert_transition(actor=force.chief_a, alert_id=x.pk, to="closed", disposition="real_incident")
    services.unit_status_set(actor=d, patrol_unit_id=force.car_b.pk, to="available")
    assert not AlertTransition.objects.filter(alert=x, action="stood_down").exists()
    assert _left(force.officer_b) == [("cleared", "JT-C1", x.pk, "accepted")]
