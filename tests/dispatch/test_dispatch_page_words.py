"""What the 375 px walk of issue 11 found on the dispatch pages: the crew's terminal said an assignment's
priority as "P1" alone (the server page and the script's names), the roster broke user names in two
("demo_" / "chief") and joined them with an English comma on Chinese pages, the review's units table was
empty without a word."""

from __future__ import annotations

import json
import re

import pytest
from dispatch_support import make_alert, sign_in
from test_dispatch_operations import make_op

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("lang", "words"), [("zh-hans", "P1 危及生命"), ("en", "P1 life at risk")])
def test_the_terminal_says_what_a_priority_means(client, force, lang, words):
    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
    sign_in(client, force.officer_a)
    client.cookies["django_language"] = lang
    html = client.get("/dispatch/terminal/").content.decode()
    head = re.search(r'<div class="head">(.*?)</div>', html).group(1)
    assert head.startswith(f'<span class="prio-badge P1">{words}</span> '), head  # the one badge
    names = json.loads(re.search(r'<script id="alert-names" type="application/json">(.*?)</script>', html).group(1))
    assert names["priorities"]["P1"] == words and "sos" in names["rules"] and names["unknown_rule"]


@pytest.mark.parametrize(("lang", "sep"), [("zh-hans", "、"), ("en", ", ")])
def test_the_roster_keeps_each_name_whole(client, force, lang, sep):
    sign_in(client, force.chief_a)
    client.cookies["django_language"] = lang
    html = client.get("/dispatch/roster/").content.decode()
    cell = re.search(r'<td class="names">(.*?)</td>', html).group(1)
    assert re.fullmatch(rf"<span>[^<]+</span>(?:{re.escape(sep)}<span>[^<]+</span>)*", cell), cell


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_review_says_when_no_unit_was_deployed(client, force, lang):
    op = make_op(force)
    sign_in(client, force.chief_a)
    client.cookies["django_language"] = lang
    html = client.get(f"/dispatch/operations/{op.pk}/review/").content.decode()
    needs = html.split('id="review-needs"', 1)[1].split("</table>", 1)[0]
    assert ("尚未部署警力" if lang == "zh-hans" else "No unit deployed yet.") in needs


@pytest.mark.parametrize(("lang", "note"), [("zh-hans", "时间均为北京时间（UTC+08:00）。"),
                                            ("en", "Times are Beijing time (UTC+08:00).")])
def test_the_dispatch_pages_say_which_clock_their_times_are_on(client, force, lang, note):
    """The console's and the terminal's times ("07:46:17"), the roster's shifts and the operations' windows are
    the bureau's clock (TIME_ZONE), whatever the viewer's device says: each page says so once (issue 11's trial:
    a bare Beijing-time clock), as the alert pages put "UTC+08:00" beside each time."""
    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk])
    op = make_op(force)
    client.cookies["django_language"] = lang
    for user, path in ((force.dispatcher, "/dispatch/console/"), (force.officer_a, "/dispatch/terminal/"),
                       (force.chief_a, "/dispatch/roster/"), (force.chief_a, "/dispatch/operations/"),
                       (force.chief_a, f"/dispatch/operations/{op.pk}/")):
        sign_in(client, user)
        html = client.get(path).content.decode()
        assert f'<p class="muted" id="time-zone">{note}</p>' in html, path
