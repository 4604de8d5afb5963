"""What officers type for shifts, patrol units, drones, operations and their posts and reviews, and for alerts
(closing notes, watch-list reasons, silences, device names): pingan.lib.textchars' one rule, as every other
typed text (pingan.core.errors.outside_text; issue 11: U+202E reversed a page, an ANSI escape reached a
terminal). Refused naming the field, every such character and its position; zero-width characters removed."""

from __future__ import annotations

import datetime as dt

import pytest
from dispatch_support import make_alert
from django.utils import timezone, translation

from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError

pytestmark = pytest.mark.django_db

BAD = "夜\u202e班\x1b[31m"


def _refused(call, field_zh: str, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    exc = caught.value
    assert exc.code == "control_character", exc
    assert exc.params["chars"] == ["U+202E", "U+001B"] and exc.params["positions"] == [2, 4]
    with translation.override("zh-hans"):
        assert page_message(exc).startswith(f"{field_zh}中有看不见的控制字符 U+202E、U+001B（第 2、4 个字符）")
    return exc


def test_dispatch_names_refuse_control_and_bidi_characters(force):
    from pingan.dispatch import services
    from pingan.dispatch.models import Drone, SecurityOperation, Shift

    now = timezone.now()
    shift = {"actor": force.chief_a, "unit": force.unit_a, "starts_at": now, "ends_at": now + dt.timedelta(hours=8)}
    _refused(services.shift_create, "班次名称", name=BAD, **shift)
    _refused(services.shift_create, "班次英文名称", name="夜班", name_en=BAD, **shift)
    assert services.shift_create(name="夜\u200b班", **shift).name == "夜班"
    _refused(services.patrol_unit_create, "呼号", actor=None, code=BAD, kind="car", unit=force.unit_a)
    drone = {"actor": None, "code": "LQ-D9", "unit": force.unit_a, "max_flight_min": 40, "cruise_mps": 15}
    _refused(services.drone_register, "无人机型号", model=BAD, serial="SN-9", **drone)
    _refused(services.drone_register, "序列号", model="M30T", serial=BAD, **drone)
    assert not Drone.objects.filter(serial__startswith="SN-9").exists()
    square = [[118.10, 24.45], [118.11, 24.45], [118.11, 24.46], [118.10, 24.46]]
    op = {"actor": force.chief_a, "unit": force.unit_a, "starts_at": now, "ends_at": now + dt.timedelta(hours=4),
          "area_points": square}
    _refused(services.operation_create, "活动名称", name=BAD, venue="环岛路", **op)
    _refused(services.operation_create, "场地", name="马拉松", venue=BAD, **op)
    made = services.operation_create(name="马拉松", venue="环岛路", **op)
    _refused(services.operation_post_add, "岗位名称", actor=force.chief_a, operation_id=made.pk, name=BAD, kind="post",
             lon=118.105, lat=24.455)
    _refused(services.operation_review_record, "复盘结论", actor=force.chief_a, operation_id=made.pk,
             findings=f"{BAD}\n第二条")
    assert SecurityOperation.objects.count() == 1 and Shift.objects.filter(name__contains="\u202e").count() == 0


def test_alert_notes_reasons_and_comments_refuse_them(force):
    from pingan.alerts import services

    alert = make_alert(force.unit_a)
    services.alert_transition(actor=force.officer_a, alert_id=alert.pk, to="acknowledged")
    exc = _refused(services.alert_transition, "备注", actor=force.officer_a, alert_id=alert.pk, to="closed",
                   disposition="false_alarm", notes=f"{BAD}\n误报")
    assert "U+202E" in exc.message
    alert.refresh_from_db()
    assert alert.state == "acknowledged" and alert.notes == ""
    closed = services.alert_transition(actor=force.officer_a, alert_id=alert.pk, to="closed",
                                       disposition="false_alarm", notes="误报\n已核实")  # a line break is text
    assert closed.notes == "误报\n已核实"
    _refused(services.hotlist_add, "理由", actor=force.chief_a, kind="plate", key="闽D12345", reason=BAD)
    _refused(services.silence_create, "说明", actor=force.chief_a, matchers=['rule_id="sos"'],
             ends_at=timezone.now() + dt.timedelta(hours=1), comment=BAD)
    _refused(services.device_register, "设备名称", actor=None, device_id="35020300001320000101", name=BAD,
             kind="camera")
