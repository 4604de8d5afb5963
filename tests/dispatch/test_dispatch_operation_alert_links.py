"""The operation page and its review list every alert raised inside the area, whoever holds it (issue 11:
the table had no links, and a station chief would get 404 on another station's alert): each alert the viewer
may open is a link to its page (back to the operation), the others say who holds them — no dead end, no 404.
Priorities and rules are said in words, not as codes. Role × own/other station, both languages."""

from __future__ import annotations

import re

import pytest
from dispatch_support import make_alert, offset, sign_in
from page_language import assert_language
from test_dispatch_operations import make_op

pytestmark = pytest.mark.django_db


@pytest.fixture
def op_alerts(force):
    """An operation of station A with an alert of A and one of B inside its area."""
    op = make_op(force, unit=force.unit_a)
    own = make_alert(force.unit_a)
    lon, lat = offset(300, 300)
    other = make_alert(force.unit_b, lon=lon, lat=lat, priority="P2", rule_id="crowd", summary="immediate.crowd")
    return op, own, other


def _links(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'href="/alerts/(\d+)/\?from=', html)}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("page", ["", "review/"])
def test_each_alert_links_if_the_viewer_may_open_it_else_says_who_holds_it(client, force, op_alerts, lang, page):
    op, own, other = op_alerts
    url = f"/dispatch/operations/{op.pk}/{page}"
    for user, opens in ((force.chief_a, {own.pk}), (force.dispatcher, {own.pk, other.pk})):
        sign_in(client, user)
        client.cookies["django_language"] = lang
        html = client.get(url).content.decode()
        assert _links(html) == opens, (user, page)
        for alert_id in opens:  # every link opens: no 404 behind a link
            assert client.get(f"/alerts/{alert_id}/").status_code == 200, (user, alert_id)
        if page == "" and user is force.chief_a:
            note = re.search(r'class="muted not-yours">([^<]*)<', html).group(1)
            assert force.unit_b.label in note or "江头" in note
            assert_language(note, "zh" if lang == "zh-hans" else "en", [force.unit_b.name, force.unit_b.label])
            assert client.get(f"/alerts/{other.pk}/").status_code == 404  # hence no link
    # the link returns to the operation (the alert page's back link names it)
    sign_in(client, force.chief_a)
    client.cookies["django_language"] = lang
    alert_page = client.get(f"/alerts/{own.pk}/?from=/dispatch/operations/{op.pk}/").content.decode()
    assert f'href="/dispatch/operations/{op.pk}/"' in alert_page


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_priorities_and_rules_are_words(client, force, op_alerts, lang):
    op = op_alerts[0]
    sign_in(client, force.dispatcher)
    client.cookies["django_language"] = lang
    for url in (f"/dispatch/operations/{op.pk}/", f"/dispatch/operations/{op.pk}/review/"):
        html = client.get(url).content.decode()
        cells = re.findall(r'<td class="prio"><span class="prio-badge P\d">([^<]*)</span></td>', html)
        assert cells and all(c.strip() not in ("P1", "P2") for c in cells), cells
        assert ("生命" in html) if lang == "zh-hans" else ("life at risk" in html)
        assert ">crowd " not in html and ">crowd<" not in html and " sos " not in html, url


def test_the_live_partial_keeps_the_links(client, force, op_alerts):
    op, own, _other = op_alerts
    sign_in(client, force.chief_a)
    live = client.get(f"/dispatch/operations/{op.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in live and _links(live) == {own.pk}


def test_other_station_and_other_roles_see_no_operation(client, force, op_alerts):
    op = op_alerts[0]
    assert sign_in(client, force.chief_b).get(f"/dispatch/operations/{op.pk}/").status_code == 404
    for user in (force.officer_a, force.analyst):
        assert sign_in(client, user).get(f"/dispatch/operations/{op.pk}/").status_code == 403
