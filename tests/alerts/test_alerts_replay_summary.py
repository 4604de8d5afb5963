"""``pingan alerts replay`` tells a person what happened in their language (issue 11: it ended in raw JSON,
``→ {"accepted": 3, "duplicates": 0, "dead_lettered": 0}``, and the ``--agreement`` line was a run of figures);
``--json`` keeps the figures for scripts. The replayed Chicago units and devices have a name in each language
(a Chinese page said "CPD District 9")."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation
from page_language import assert_language

from pingan.alerts.management.commands.alerts import agreement_summary, replay_summary

AGREEMENT = {"records": 10_000, "agree": 9_981, "disagree": 19, "near_boundary": 12, "outside": 3,
             "pairs": [{"record_district": "9", "routed_to": "10", "records": 4},
                       {"record_district": "1", "routed_to": "18", "records": 2}],
             "disagree_by_year": {"2018": 7, "2019": 12}}


def test_the_summary_is_sentences_in_the_readers_language():
    totals = {"accepted": 1_230, "duplicates": 4, "dead_lettered": 0}
    with translation.override("zh-hans"):
        text = replay_summary("chicago", 1_234, 2.5, totals) + "\n" + agreement_summary(AGREEMENT)
    assert text.startswith("已回放芝加哥警察局警情记录：1,234 条记录送入接入服务，用时 2.50 秒。"), text
    assert "接收 1,230 条" in text and "重复）4 条" in text and "拒收 0 条" in text
    assert "10,000 条记录中有 9,981 条（99.81%）" in text and "9 → 10（4 条）、1 → 18（2 条）" in text
    assert "2018 年 7 条、2019 年 12 条" in text
    assert "{" not in text and "accepted" not in text and "dead_lettered" not in text
    assert_language(text, "zh-hans", data=["pingan", "serve", "alerts", "worker", "dead-letters"])
    with translation.override("en"):
        text = replay_summary("stlouis", 2, 0.1, totals) + "\n" + agreement_summary(AGREEMENT)
    assert text.startswith("Replayed St. Louis ShotSpotter detections: 2 records sent to ingest in ")
    assert "19 differ: 12 of them lie within 100 m" in text and "9 → 10 (4), 1 → 18 (2)" in text
    assert "{" not in text


@pytest.mark.django_db
def test_json_keeps_the_figures_and_the_chicago_units_are_named_in_both_languages():
    from pingan.alerts import services
    from pingan.alerts.models import Device
    from pingan.core.models import OrgUnit

    services.directory.forget()
    services._index_cache["index"] = None
    out = io.StringIO()
    call_command("alerts", "replay", "chicago", "--limit", "2", "--rate", "0", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["dataset"] == "chicago" and figures["records"] == 2
    assert figures["accepted"] + figures["duplicates"] + figures["dead_lettered"] == 2
    unit = OrgUnit.objects.get(code="CPD-9")
    assert (unit.name, unit.name_en) == ("芝加哥警察局第 9 警区", "CPD District 9")
    with translation.override("zh-hans"):
        assert unit.label == "芝加哥警察局第 9 警区" and OrgUnit.objects.get(code="CPD").label == "芝加哥警察局（回放）"
        assert "芝加哥" in Device.objects.get(name_en="CPD incident feed (replay)").label
    with translation.override("en"):
        assert unit.label == "CPD District 9"
    assert Device.objects.get(name_en="CPD incident feed (replay)").time_zone == "America/Chicago"
    # a database an earlier replay filled with English names only gets both
    OrgUnit.objects.filter(code="CPD-9").update(name="CPD District 9", name_en="")
    call_command("alerts", "replay", "chicago", "--limit", "1", "--rate", "0", "--json", stdout=io.StringIO())
    unit.refresh_from_db()
    assert (unit.name, unit.name_en) == ("芝加哥警察局第 9 警区", "CPD District 9")


def test_an_alert_is_timed_on_the_clock_of_where_it_happened():
    """Issue 11: the Chicago replay's alerts read in Beijing time. An alert from a device in another zone says
    that place's time with its offset, and Beijing time beside it; one from the bureau's own devices is as before."""
    import datetime as dt
    from types import SimpleNamespace

    from pingan.alerts import labels

    at = dt.datetime(2019, 3, 5, 3, 15, tzinfo=dt.UTC)
    chicago = SimpleNamespace(device_id=1, device=SimpleNamespace(time_zone="America/Chicago"), raised_at=at)
    with translation.override("zh-hans"):
        assert labels.event_time(chicago) == "2019-03-04 21:15:00 UTC-06:00（北京时间 2019-03-05 11:15:00 UTC+08:00）"
    with translation.override("en"):
        assert labels.event_time(chicago) == \
            "2019-03-04 21:15:00 UTC-06:00 (Beijing time 2019-03-05 11:15:00 UTC+08:00)"
    summer = SimpleNamespace(device_id=1, device=SimpleNamespace(time_zone="America/Chicago"),
                             raised_at=dt.datetime(2019, 7, 5, 3, 15, tzinfo=dt.UTC))
    assert labels.event_time(summer).startswith("2019-07-04 22:15:00 UTC-05:00")
    xiamen = SimpleNamespace(device_id=1, device=SimpleNamespace(time_zone=""), raised_at=at)
    assert labels.event_time(xiamen) == "2019-03-05 11:15:00 UTC+08:00"
    assert labels.event_time(SimpleNamespace(device_id=None, raised_at=at)) == "2019-03-05 11:15:00 UTC+08:00"
