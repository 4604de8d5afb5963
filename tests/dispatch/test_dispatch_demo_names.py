"""The demo's names in the reader's language (issue 11: the shifts 白班/夜班 and the street devices' Chinese names
showed on English pages). Shifts and devices carry an English name beside the Chinese one; each page shows the
reader's, never the two side by side; the terminal's stream carries both and its script picks. Role × own/other
station on the roster page and the alert page unchanged."""

from __future__ import annotations

import re

import pytest
from dispatch_support import make_alert, sign_in

pytestmark = pytest.mark.django_db
SOS = "35020301001340000003"  # 莲前一键报警柱 / Lianqian SOS post


@pytest.fixture
def demo(force):
    from pingan.alerts import demo as alerts_demo
    from pingan.alerts import services as alert_services
    from pingan.dispatch import demo as dispatch_demo

    alert_services.directory.forget()
    alert_services._index_cache["index"] = None
    alerts_demo.demo_setup()
    dispatch_demo.demo_setup()
    return force


def _text(client, user, url, lang) -> tuple[int, str]:
    client.cookies["django_language"] = lang
    r = sign_in(client, user).get(url)
    return r.status_code, re.sub(r"<[^>]+>", " ", r.content.decode())


@pytest.mark.parametrize("lang, shown, hidden", [
    ("en", ["Day shift", "Night shift"], ["白班", "夜班"]),
    ("zh-hans", ["白班", "夜班"], ["Day shift", "Night shift"]),
])
def test_the_roster_names_the_demo_shifts_in_the_readers_language(client, demo, lang, shown, hidden):
    status, text = _text(client, demo.chief_a, "/dispatch/roster/", lang)
    assert status == 200
    for word in shown:
        assert word in text, word
    for word in hidden:
        assert word not in text, word


def test_a_demo_run_before_the_english_names_gets_them(demo):
    from pingan.dispatch import demo as dispatch_demo
    from pingan.dispatch.models import Shift

    Shift.objects.update(name_en="")
    dispatch_demo.demo_setup()
    assert set(Shift.objects.values_list("name", "name_en")) >= {("白班", "Day shift"), ("夜班", "Night shift")}


@pytest.mark.parametrize("who, status, sees_a", [("chief_a", 200, True), ("chief_b", 200, False),
                                                 ("dispatcher", 200, True), ("officer_a", 403, False)])
def test_the_roster_shows_only_the_viewers_line(client, demo, who, status, sees_a):
    from pingan.dispatch.models import Shift

    got = sign_in(client, getattr(demo, who)).get("/dispatch/roster/")
    assert got.status_code == status
    a_shift = Shift.objects.filter(unit=demo.unit_a, name_en="Day shift").first()
    assert (f'data-shift="{a_shift.pk}"' in got.content.decode()) is sees_a


@pytest.mark.parametrize("lang, name, other", [("en", "Lianqian SOS post", "莲前一键报警柱"),
                                               ("zh-hans", "莲前一键报警柱", "Lianqian SOS post")])
def test_the_alert_page_and_the_console_name_the_device_in_the_readers_language(client, demo, lang, name, other):
    from pingan.alerts.models import Alert, Device

    alert = make_alert(demo.unit_a)
    Alert.objects.filter(pk=alert.pk).update(device=Device.objects.get(device_id=SOS))
    pages = ((demo.officer_a, f"/alerts/{alert.pk}/"), (demo.dispatcher, f"/dispatch/console/alerts/{alert.pk}/"))
    for user, url in pages:
        status, text = _text(client.__class__(), user, url, lang)
        assert status == 200 and name in text and other not in text, (url, text[:3000])
    client.cookies["django_language"] = lang
    state = sign_in(client, demo.dispatcher).get("/dispatch/console/state/").json()
    devices = {d["id"]: d["name"] for d in state["devices"]}
    assert devices[SOS] == name
    assert [a["place"] for a in state["alerts"] if a["id"] == alert.pk] == [name]
    assert _text(client.__class__(), demo.officer_b, f"/alerts/{alert.pk}/", lang)[0] == 404  # other station


def test_the_assignment_on_the_stream_carries_both_names_for_the_terminal_to_pick(demo):
    from pingan.alerts.models import Alert, Device, FeedItem
    from pingan.dispatch import services

    alert = make_alert(demo.unit_a)
    Alert.objects.filter(pk=alert.pk).update(device=Device.objects.get(device_id=SOS))
    services.dispatch_assign(actor=demo.dispatcher, alert_id=alert.pk, patrol_unit_ids=[demo.car_a.pk])
    item = FeedItem.objects.filter(kind="assignment").latest("seq")
    assert item.payload["alert"]["place"].startswith("莲前一键报警柱")
    assert item.payload["alert"]["place_en"].startswith("Lianqian SOS post")
    assert item.payload["alert"]["device_name_en"] == "Lianqian SOS post"


@pytest.mark.parametrize("lang, name, other", [("en", "Lianqian SOS post", "莲前一键报警柱"),
                                               ("zh-hans", "莲前一键报警柱", "Lianqian SOS post")])
def test_a_count_alerts_heading_names_its_device_in_the_readers_language(client, demo, lang, name, other):
    # the heading's summary (alerts_tags.alert_summary) said the device's Chinese name on English pages
    from pingan.alerts.models import Alert, Device

    alert = make_alert(demo.unit_a, priority="P3", rule_id="intrusion-count", summary="count")
    Alert.objects.filter(pk=alert.pk).update(device=Device.objects.get(device_id=SOS),
                                             params={"n": 3, "type": "intrusion", "minutes": 10})
    client.cookies["django_language"] = lang
    html = sign_in(client, demo.officer_a).get(f"/alerts/{alert.pk}/").content.decode()
    heading = re.sub(r"<[^>]+>", " ", html[html.index("<h1"):html.index("</h1>")])
    assert name in heading and other not in heading, heading
