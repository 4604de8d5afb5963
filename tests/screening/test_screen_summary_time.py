"""``pingan screen`` (and ``pingan demo``, which prints the same summary) states its as-of time as ISO 8601
with the bureau's offset, like every other time those commands print (no "CST" beside "+08:00")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from django.utils import timezone, translation

from pingan.screening.management.commands.screen import summary


def test_the_summary_gives_the_as_of_time_with_its_offset():
    job = SimpleNamespace(counts={}, as_of=dt.datetime(2022, 8, 20, 15, 59, tzinfo=dt.UTC), ruleset_id="r",
                          ruleset_version="1", pk=7, roster_name="roster.csv", encoding="utf-8", stats={},
                          reevaluated_at=dt.datetime(2022, 8, 21, 1, 5, tzinfo=dt.UTC))
    with translation.override("en"):
        text = summary(job, Path("out.csv"))
    first = text.splitlines()[0]
    assert f"as of {timezone.localtime(job.as_of).isoformat(timespec='minutes')} " in first
    assert "as of 2022-08-20T23:59+08:00 " in first and "CST" not in text
    assert "last re-evaluated after new risk data: 2022-08-21T09:05+08:00" in text


def test_the_summary_speaks_the_commands_language_alone():
    """Issue 11: ``pingan`` speaks the user's language (Chinese by default); the summary was English whatever it
    was, and its notes were stored as "中文 / English"."""
    from page_language import assert_language

    job = SimpleNamespace(counts={"rows": 3, "accepted": 2, "rejected": 1},
                          as_of=dt.datetime(2022, 8, 20, tzinfo=dt.UTC),
                          ruleset_id="prevention-2022-v9", ruleset_version="1.3.0", pk=7, roster_name="名单.csv",
                          encoding="utf-8", reevaluated_at=None,
                          stats={"notes": [{"code": "roster.no_id_column", "params": {}}],
                                 "risk_data_notes": [{"code": "risk.no_movements", "params": {
                                     "window_from": "2022-08-13", "window_to": "2022-08-20", "count": 1,
                                     "first": "2021-01-01", "last": "2021-01-01"}}]})
    with translation.override("zh-hans"):
        zh = summary(job, Path("out.csv"))
    with translation.override("en"):
        en = summary(job, Path("out.csv"))
    assert "已筛查 名单.csv" in zh and "警告：" in zh and "说明：" in zh and "从未" in zh
    assert "screened 名单.csv" in en and "WARNING: No movement record" in en and "never" in en
    for line in zh.splitlines():
        assert_language(line, "zh-hans", ["名单.csv", "prevention-2022-v9@1.3.0", "utf-8", "out.csv"])
    for line in en.splitlines():
        assert_language(line, "en", ["名单.csv", "身份证号/证件号码"])
