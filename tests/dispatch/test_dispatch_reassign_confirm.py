"""The console's dispatch panel offers only what the services would do for the viewer, and asks before a
reassignment (issue 11): 莲前's station chief was shown the Reassign choice on an alert 江头's car was on, and
submitting answered 403; another station's candidates had checkboxes too; a reassignment went through with no
confirmation. One rule for showing and doing (``services.reassign_blocked``, ``services.dispatchable``)."""

from __future__ import annotations

import pytest
from dispatch_support import make_alert, sign_in

pytestmark = pytest.mark.django_db


def _panel(client, user, alert, language="en", **post) -> tuple[int, str]:
    client.cookies["django_language"] = language
    sign_in(client, user)
    url = f"/dispatch/console/alerts/{alert.pk}/"
    r = client.post(url, post) if post else client.get(url)
    return r.status_code, r.content.decode()


def test_a_chief_is_not_offered_to_reassign_another_station_s_unit(client, force):
    from pingan.dispatch import services

    x = make_alert(force.unit_a)
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    assert services.reassign_blocked(force.chief_a, x) == ["JT-C1"]
    assert services.reassign_blocked(force.dispatcher, x) == []
    status, html = _panel(client, force.chief_a, x)
    assert status == 200
    assert 'name="reassign"' not in html and "take the alert off JT-C1 (another station's)" in html
    # the units offered with a checkbox are the ones the chief may send: 莲前's, not 江头's
    assert f'value="{force.car_a.pk}"' in html and f'name="unit" value="{force.car_b.pk}"' not in html
    # a forged or stale reassignment is said in the panel, not a bare 403; nothing changes
    status, html = _panel(client, force.chief_a, x, unit=[force.car_a.pk], reassign="1", confirmed="1")
    assert status == 400 and "Only the command centre can take the alert off JT-C1" in html
    force.car_b.refresh_from_db()
    assert force.car_b.current_alert_id == x.pk
    status, html = _panel(client, force.dispatcher, x)
    assert 'name="reassign"' in html


def test_a_chief_is_offered_only_the_units_the_chief_may_send(client, force):
    from pingan.dispatch import services

    y = make_alert(force.unit_a)
    assert services.dispatchable(force.chief_a, [force.car_a.pk, force.car_b.pk]) == {force.car_a.pk}
    status, html = _panel(client, force.chief_a, y)
    assert status == 200 and 'data-unit="JT-C1"' in html  # listed, for the picture
    assert f'name="unit" value="{force.car_b.pk}"' not in html and "the command centre sends it" in html
    assert f'name="unit" value="{force.car_a.pk}"' in html
    _status, html = _panel(client, force.dispatcher, y)
    assert f'name="unit" value="{force.car_b.pk}"' in html


@pytest.mark.parametrize("language, question, button", [
    ("en", "Reassign: take the alert off JT-C1 and offer it to LQ-C1?", ">Reassign</button>"),
    ("zh-hans", "改派：将本警情从 JT-C1 撤回，并派给 LQ-C1？", ">改派</button>"),
])
def test_a_reassignment_is_confirmed_first_in_the_page_s_language(client, force, language, question, button):
    from pingan.dispatch import services

    x = make_alert(force.unit_a)
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    status, html = _panel(client, force.dispatcher, x, language, unit=[force.car_a.pk], reassign="1",
                          answer_within_s="60")
    assert status == 200 and 'id="confirm-reassign"' in html and question in html and button in html
    assert 'name="confirmed" value="1"' in html and f'name="unit" value="{force.car_a.pk}"' in html
    force.car_b.refresh_from_db()
    assert force.car_b.current_alert_id == x.pk  # asked, not done
    status, html = _panel(client, force.dispatcher, x, language, unit=[force.car_a.pk], reassign="1",
                          answer_within_s="60", confirmed="1")
    assert status == 200
    force.car_b.refresh_from_db()
    assert force.car_b.current_alert_id is None and x.assignments.filter(state="offered").count() == 1
