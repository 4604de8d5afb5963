"""What the dispatch pages say, as a fresh user saw them (issue 14 follow-up): the candidate table showed
"[]" (a label looked up in a context that lacked it), "ETA 136 s" in English on the Chinese page, the offer's
deadline in UTC, and an assignment that did not name its alert or place. Durations in the reader's language
("约 2 分 16 秒" / "about 2 min 16 s"), times on the bureau's clock (Asia/Shanghai), no raw values."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from dispatch_support import make_alert
from django.utils import timezone, translation
from test_dispatch_web import sign_in

pytestmark = pytest.mark.django_db

RAW = re.compile(r"\[\]|\bNone\b|\{'|\[\{|\bTrue\b|\bFalse\b|\{\{|\{%")


def visible(html: str) -> str:
    """The page's text without its scripts (their JSON is data, not what the reader sees)."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(("language", "want"), [
    ("zh-hans", ["2 分 16 秒", "约 2 分 16 秒", "45 秒", "1 小时 1 分", "3 分钟", "至多 9 分 20 秒", "467 米",
                 "3.0 公里"]),
    ("en", ["2 min 16 s", "about 2 min 16 s", "45 s", "1 h 1 min", "3 min", "at most 9 min 20 s", "467 m", "3.0 km"]),
])
def test_durations_and_distances_in_the_readers_language(language, want):
    from pingan.dispatch.durations import distance_text, duration_text, eta_text

    with translation.override(language):
        got = [duration_text(136), duration_text(136, approx=True), duration_text(45), duration_text(3661),
               duration_text(180), eta_text(280, 0, 560), distance_text(467.2), distance_text(3000)]
    assert got == want


def _stale_force(force):
    """The fresh install: the units' fixes are hours old; their bases are set (the demo sets the stations')."""
    from pingan.dispatch import services
    from pingan.dispatch.models import PatrolUnit

    for pu in (force.car_a, force.moto_a, force.foot_a):
        services.patrol_unit_base_set(actor=None, patrol_unit_id=pu.pk, lon=pu.lon, lat=pu.lat)
    PatrolUnit.objects.update(position_at=timezone.now() - dt.timedelta(hours=3))
    PatrolUnit.objects.filter(pk=force.moto_a.pk).update(position_at=timezone.now() - dt.timedelta(minutes=12))


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", ["所属驻地（无定位上报）", "最后已知位置，12 分", "至多", "巡逻车", "发生于", "一键报警被按下"]),
    ("en", ["station base (no position report)", "last known, 12 min", "at most", "patrol car", "raised",
            "SOS button pressed"]),
])
def test_units_without_a_fix_are_offered_and_the_panel_says_from_where(client, force, language, words):
    _stale_force(force)
    alert = make_alert(force.unit_a)
    client.cookies["django_language"] = language
    html = sign_in(client, force.dispatcher).get(f"/dispatch/console/alerts/{alert.pk}/").content.decode()
    text = visible(html)
    for w in words:
        assert w in text, w
    assert 'data-unit="LQ-C1"' in html and 'data-position="base"' in html and 'data-position="last_known"' in html
    assert not RAW.findall(text), RAW.findall(text)
    assert " s<" not in html and not re.search(r"\d s\b", text) if language == "zh-hans" else True


def test_the_api_says_where_each_candidate_is_taken_to_be(client, force):
    _stale_force(force)
    alert = make_alert(force.unit_a)
    got = sign_in(client, force.dispatcher).get(f"/api/v1/dispatch/alerts/{alert.pk}/candidates").json()
    by = {c["code"]: c for c in got}
    assert by["LQ-C1"]["position"] == "base" and by["LQ-C1"]["position_age_s"] is None
    assert by["LQ-C1"]["uncertainty_m"] == 3000 and by["LQ-C1"]["eta_min_s"] <= by["LQ-C1"]["eta_max_s"]
    assert by["LQ-M1"]["position"] == "last_known" and 700 < by["LQ-M1"]["position_age_s"] < 780
    assert [c["eta_max_s"] for c in got] == sorted(c["eta_max_s"] for c in got)


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", ["一键报警被按下", "应答截止", "发生于", "约"]),
    ("en", ["SOS button pressed", "answer by", "raised", "about"]),
])
def test_the_officers_assignment_names_the_alert_and_its_deadline_on_the_bureau_clock(client, force, language,
                                                                                      words):
    from pingan.alerts.models import Device, FeedItem
    from pingan.dispatch import services

    device = Device.objects.create(device_id="35020301001340000009", name="莲前一键报警柱", kind="sos",
                                   type_code="134", lon=118.137, lat=24.476, unit=force.unit_a,
                                   active_since=timezone.now() - dt.timedelta(days=1))
    alert = make_alert(force.unit_a)
    alert.device = device
    alert.save(update_fields=["device"])
    [a] = services.dispatch_assign(actor=force.dispatcher, alert_id=alert.pk, patrol_unit_ids=[force.car_a.pk],
                                   answer_within_s=60)
    client.cookies["django_language"] = language
    text = visible(sign_in(client, force.officer_a).get("/dispatch/terminal/").content.decode())
    for w in [*words, "莲前一键报警柱"]:
        assert w in text, w
    local = timezone.localtime(a.answer_by).strftime("%H:%M:%S")
    utc = a.answer_by.astimezone(dt.UTC).strftime("%H:%M:%S")
    assert local in text and utc not in text  # Asia/Shanghai is UTC+8: the two never coincide
    assert not RAW.findall(text), RAW.findall(text)
    # the live stream's item carries the place; the page's script renders time and words (bureau clock)
    item = FeedItem.objects.filter(kind="assignment").latest("seq")
    assert item.payload["alert"]["place"].startswith("莲前一键报警柱")


@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("zh-hans", ["东侧道路卡口", "北看台及广场"], ["East road checkpoint", "North stands and plaza"]),
    ("en", ["East road checkpoint", "North stands and plaza"], ["东侧道路卡口", "北看台及广场"]),
])
def test_posts_and_sectors_placed_from_a_template_are_named_in_the_readers_language(client, force, language, shown,
                                                                                   hidden):
    """Posts from a template were stored as "东侧道路卡口 East road checkpoint" in one field and shown so on
    both languages' pages (and sectors drawn with both names): each name is now kept apart."""
    from pingan.dispatch import services

    op = services.operation_from_template(actor=force.chief_a, unit=force.unit_a, template_id="stadium-event",
                                          name="马拉松", venue="体育中心", lon=118.137, lat=24.476,
                                          starts_at=timezone.now())
    post = op.posts.get(kind="checkpoint", name="东侧道路卡口")
    assert post.name_en == "East road checkpoint"
    client.cookies["django_language"] = language
    html = sign_in(client, force.chief_a).get(f"/dispatch/operations/{op.pk}/").content.decode()
    for w in shown:
        assert w in html, w
    for w in hidden:
        assert w not in html, w
