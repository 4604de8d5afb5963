"""Codes as labels on the alerts pages (issue 11, a fresh-user trial of the alerts app): the alert page showed
"P1 · sos", "reported-incident", "(polygon)", "street-default 1.0.0", a timeline of raised/notified/en_route
with role-code lists and bare times; the Chicago replay read "video-analytics"; the map was a bare polygon.
Every code is rendered in the viewer's language, times carry their date and offset, the map has context."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from alerts_support import LQ_SOS, in_both_languages, ingest, payload, sign_in

import pingan.alerts

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_code_the_alerts_app_emits_has_a_label_in_both_languages():
    """Summary codes (one per event type), timeline actions raised anywhere (alerts and dispatch), the rules of
    every bundled rule set, priorities and routing: a new code without a label fails here."""
    from pingan.alerts import labels
    from pingan.alerts.events import EVENT_TYPES
    from pingan.alerts.rules import PRIORITIES

    for t in EVENT_TYPES:
        assert t in labels.EVENT_TYPES, t
        assert f"immediate.{t}" in labels.SUMMARIES, t
    src = "\n".join(p.read_text("utf-8") for p in Path(pingan.alerts.__file__).parent.parent.glob("*/*.py"))
    actions = set(re.findall(r'_timeline\(\s*\w+,\s*"([a-z_]+)"', src))
    actions |= set(re.findall(r'AlertTransition[^)]*?action="([a-z_]+)"', src, re.S))
    actions |= set(re.findall(r'action="([a-z_]+)" if accept else "([a-z_]+)"', src)[0])
    actions |= {"acknowledged", "en_route", "on_scene", "closed"}  # the officer's transitions (action=to)
    assert {"raised", "notified", "escalated", "dispatched", "unanswered", "maintenance"} <= actions
    assert actions <= set(labels.ACTIONS), actions - set(labels.ACTIONS)
    rule_ids = set()
    for f in [*Path(pingan.alerts.__file__).parent.glob("rulesets/*.toml"),
              *Path(pingan.alerts.__file__).parent.parent.glob("dispatch/data/operation_templates/*.toml")]:
        rule_ids |= set(re.findall(r'^\[\[rule\]\]\s*\nid = "([^"]+)"', f.read_text("utf-8"), re.M))
    assert {"gunshot", "reported-incident", "crowd"} <= rule_ids
    assert rule_ids <= set(labels.RULES), rule_ids - set(labels.RULES)
    assert set(PRIORITIES) == set(labels.PRIORITIES)
    tables = [labels.PRIORITIES, labels.EVENT_TYPES, labels.SUMMARIES, labels.RULES, labels.RULESETS,
              labels.ACTIONS, labels.STATES, labels.PARAMS, labels.SOURCES, labels.INCIDENT_CATEGORIES]
    for table in tables:
        for code, text in table.items():
            en, zh = in_both_languages(text)
            assert zh != en and CJK.search(zh), (code, zh)
    for code in ("polygon", "adcode", "device", "operation", "none"):
        en, zh = in_both_languages(labels.ROUTED_BY[code])
        assert CJK.search(zh) and code not in en.split(), (code, en)


def test_summary_and_params_say_what_happened_never_the_code():
    from django.utils import translation

    from pingan.alerts import labels

    with translation.override("zh-hans"):
        assert labels.summary_text("immediate.sos", {"type": "sos"}) == "一键报警被按下"
        assert labels.summary_text("immediate.incident", {"type": "incident", "category": "aggravated_assault"}) \
            == "上报警情：严重伤害（加重攻击）"
        count = {"count": 3, "type": "intrusion", "minutes": 10, "area": "35020601001340000002", "area_name": ""}
        said = labels.summary_text("count", count, device_name="江头入侵报警")
        assert said == "江头入侵报警 10 分钟内 3 次 入侵报警 事件"
        fence = {**count, "type": "video_event", "area": "gulangyu", "area_name": "鼓浪屿"}
        assert labels.summary_text("count", fence) == "鼓浪屿 10 分钟内 3 次 视频分析 事件"
        # a code of a later rule set is said plainly, never shown raw
        assert labels.summary_text("immediate.new_kind", {}) == "设备规则告警"
        assert labels.summary_text("x.y", {}) == "设备规则告警"
        assert labels.rule("new-rule", "x.y") == "新版规则集中的规则"
        assert labels.rule("op-rule", "immediate.smoke") == "烟感报警"
        assert labels.priority("P1") == "P1 危及生命"
        assert labels.roles(["officer", "station_chief"]) == "民警、所长"
        assert labels.ruleset("street-default", "1.0.0") == "街面感知设备默认规则，1.0.0 版"
        assert labels.rule("reported-incident") == "其他系统上报的警情"
    with translation.override("en"):
        assert labels.summary_text("immediate.incident", {"category": "aggravated_assault"}) \
            == "Reported incident: aggravated assault"
        assert labels.roles(["officer", "station_chief"]) == "officer, station chief"
        rows = dict(labels.param_rows("hotlist.plate", {"plate": "闽D12345", "listed": "闽D12345", "reason": "stolen",
                                                        "reliability": 92, "partial": False}))
        assert rows == {"Plate read": "闽D12345", "Plate on the watch list": "闽D12345",
                        "Reason for the watch": "stolen", "Read reliability": "92"}


def test_times_carry_their_date_and_the_bureaus_offset(settings):
    import datetime as dt

    from django.utils import timezone

    from pingan.alerts import labels

    at = dt.datetime(2010, 3, 4, 23, 30, 5, tzinfo=dt.UTC)
    with timezone.override("Asia/Shanghai"):
        assert labels.when(at) == "2010-03-05 07:30:05 UTC+08:00"
        assert labels.when(at, offset=False) == "2010-03-05 07:30:05"
    with timezone.override("America/Chicago"):
        assert labels.when(at) == "2010-03-04 17:30:05 UTC-06:00"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_alert_page_speaks_labels_dates_and_shows_a_map(client, on_duty, clock, worker, language):
    from django.conf import settings

    from pingan.alerts import services
    from pingan.alerts.models import Alert

    ingest(payload("s1", LQ_SOS, "sos", clock()))
    worker().step()
    alert = Alert.objects.get(rule_id="sos")
    services.alert_transition(actor=on_duty.officer_a, alert_id=alert.pk, to="acknowledged")
    services.alert_transition(actor=on_duty.officer_a, alert_id=alert.pk, to="en_route")
    sign_in(client, on_duty.officer_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(f"/alerts/{alert.pk}/").content.decode()
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    for raw in ("P1 · sos", "street-default", "(polygon)", " raised ", " notified ", "en_route", "station_chief",
                "routed_by=", "type=sos"):
        assert raw not in text, raw
    day = alert.raised_at.astimezone(dt_tz()).strftime("%Y-%m-%d")
    if language == "zh-hans":
        assert "P1 危及生命" in h1 and "一键报警被按下" in h1
        for label in ("告警产生", "已推送值班民警", "已签收", "正在前往", "街面感知设备默认规则，1.0.0 版",
                      "一键报警柱", "民警、所长", "时间为 UTC+08:00", "北", "公里"):
            assert label in text, label
    else:
        assert "P1 life at risk" in h1 and "SOS button pressed" in h1
        for label in ("Raised", "Sent to the officers on duty", "On the way", "officer, station chief",
                      "Default rules for street devices, version 1.0.0", "times in UTC+08:00", " km"):
            assert label in text, label
    assert f"{day} " in text and "UTC+08:00" in text  # the raised time with its date and offset
    from django.utils import translation

    from pingan.alerts import labels

    with translation.override(language):
        how = labels.routed_by(alert.routed_by)  # how the unit was found, in words, in the reader's brackets
        assert (f"（{how}）" if language == "zh-hans" else f"({how})") in text
    # the map: district boundaries with names, the devices, the alert's position, a scale bar, a north arrow
    svg = re.search(r"<svg id=\"map\".*?</svg>", html, re.S).group(0)
    assert 'class="area own"' in svg and svg.count('class="area') >= 2
    names = re.findall(r'<text class="area-name[^"]*"[^>]*>([^<]+)</text>', svg)  # the districts' names
    # the districts in the reader's language (the bundled units have English names: issue 11)
    assert len(names) >= 2 and all(bool(CJK.search(n)) == (language != "en") for n in names), names
    assert svg.count('class="device"') >= 3 and 'class="dot here P1"' in svg
    assert 'class="scalebar"' in svg and 'class="north"' in svg
    assert "http" not in svg  # nothing fetched


def dt_tz():
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


@pytest.mark.django_db
def test_the_chicago_replay_is_labelled_a_reported_aggravated_assault_not_video_analytics(client, cast, clock):
    """The replayed Chicago records are ``incident`` events with their category: the alert, its page and its
    terminal card say "reported incident: aggravated assault" (the terminal fell back to "video analytic
    event" for every immediate type it did not know)."""
    from django.conf import settings
    from django.core.management import call_command

    from pingan.alerts import labels, services
    from pingan.alerts.eventlog import DatabaseLog
    from pingan.alerts.models import Alert
    from pingan.alerts.worker import Worker
    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    services.directory.forget()
    services._index_cache["index"] = None
    call_command("alerts", "replay", "chicago", "--limit", "3", "--rate", "0")
    Worker(log_=DatabaseLog(), clock=clock, snapshot_every_s=0).step()
    alert = Alert.objects.filter(rule_id="reported-incident").select_related("unit", "device").first()
    assert alert is not None and alert.params["category"] == "aggravated_assault"
    assert alert.unit.code.startswith("CPD-")
    payload_ = services.alert_payload(alert)
    assert payload_["summary"] == "immediate.incident" and payload_["params"]["category"] == "aggravated_assault"
    officer = user_create(username="cpd_officer", password=None, role="officer", unit=alert.unit)
    sign_in(client, officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Reported incident: aggravated assault" in html and "Video analytic" not in html
    assert alert.raised_at.year < 2020 and str(alert.raised_at.astimezone(dt_tz()).year) in html
    assert OrgUnit.objects.filter(code__startswith="CPD-").count() >= 20
    assert re.search(r'<text class="area-name own"[^>]*>CPD District', html)  # the district polygons, named
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "上报警情：严重伤害（加重攻击）" in client.get(f"/alerts/{alert.pk}/").content.decode()
    from django.utils import translation

    with translation.override("en"):
        assert labels.rule(alert.rule_id) == "Incident reported by another system"
    # the Xiamen analyst's terminal map frames the bureau's districts, not Chicago's beside them
    from pingan.alerts.demo import demo_setup
    from pingan.alerts.views import _map_for

    demo_setup()
    bureau = OrgUnit.objects.get(code="350200")
    names = {a.name for a in _map_for(bureau).areas}
    assert "思明分局" in names and not any(n.startswith("CPD") for n in names), names
    cpd = _map_for(alert.unit)
    assert {a.name for a in cpd.areas if a.own} == {alert.unit.name} and "思明分局" not in {a.name for a in cpd.areas}


@pytest.mark.django_db
def test_dead_letters_show_the_year_the_source_and_the_replay_outcome_in_words(client, on_duty, settings):
    from pingan.alerts import services

    ingest({"event_id": "x", "device_id": "35020301001340000099", "type": "sos",
            "time": "2026-12-01T08:00:00+08:00"})
    services.dead_letters_replay(actor=on_duty.analyst, ids=None, reason_code="")
    sign_in(client, on_duty.analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    text = re.sub(r"<[^>]+>", " ", client.get("/alerts/dead-letters/").content.decode())
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+08:00", text)
    assert "HTTP 批量接口（系统对接）" in text and "再次被拒（unknown_device）" in text
    assert "rejected again" not in text


@pytest.mark.django_db
def test_the_st_louis_replay_says_what_shotspotter_classified(clock):
    """A replayed ShotSpotter detection keeps its class (multiple gunshots, gunshot or firework, …) as the
    event's category: the alert says "Gunshot detected (multiple gunshots)", not only "gunshot"."""
    from django.core.management import call_command
    from django.utils import translation

    from pingan.alerts import labels, services
    from pingan.alerts.eventlog import DatabaseLog
    from pingan.alerts.models import Alert
    from pingan.alerts.worker import Worker

    services.directory.forget()
    services._index_cache["index"] = None
    call_command("alerts", "replay", "stlouis", "--limit", "2", "--rate", "0")
    Worker(log_=DatabaseLog(), clock=clock, snapshot_every_s=0).step()
    alert = Alert.objects.filter(rule_id="gunshot").first()
    assert alert is not None and alert.params["category"] == "multiple_gunshots"
    with translation.override("en"):
        assert labels.summary_text(alert.summary, alert.params) == "Gunshot detected (multiple gunshots)"
    with translation.override("zh-hans"):
        assert labels.summary_text(alert.summary, alert.params) == "检测到枪声（多声枪响）"


def test_a_fence_is_named_in_the_readers_language():
    """Issue 11: a count alert in a fence said the fence's Chinese name on an English page ("… in 鼓浪屿"): a
    fence may have ``name_en``, which the firing keeps beside the name and pages that are not Chinese say."""
    from pathlib import Path

    from django.utils import translation

    import pingan.alerts
    from pingan.alerts import labels, rules

    rs = rules.load_ruleset(Path(pingan.alerts.__file__).parent / "rulesets" / "street-default.toml")
    assert all(f.name_en for f in rs.fences), [f.id for f in rs.fences if not f.name_en]
    fence = {"count": 3, "type": "video_event", "minutes": 10, "area": "gulangyu", "area_name": "鼓浪屿",
             "area_name_en": "Gulangyu"}
    with translation.override("en"):
        said = labels.summary_text("count", fence)
        assert "Gulangyu" in said and "鼓浪屿" not in said, said
        assert len(labels.param_rows("count", fence)) == len(labels.param_rows("count", {**fence, "area_name_en": ""}))
    with translation.override("zh-hans"):
        assert labels.summary_text("count", fence).startswith("鼓浪屿 ")
    with translation.override("en"):  # a firing of a fence without an English name
        assert "鼓浪屿" in labels.summary_text("count", {**fence, "area_name_en": ""})
