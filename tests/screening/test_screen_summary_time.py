"""``pingan screen`` (and ``pingan demo``, which prints the same summary) states its times as a person reads them,
in the bureau's time zone (issue 11: "2022-08-20T23:59+08:00" was a machine's timestamp; before that one time
was UTC and the next +08:00), says what "re-checked: never" means, and where a long run's time went."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

from django.utils import translation

from pingan.screening.management.commands.screen import summary
from pingan.screening.models import PersonResult


def test_the_summary_gives_its_times_as_people_read_them():
    job = SimpleNamespace(persons=PersonResult.objects.none(),
                          counts={}, as_of=dt.datetime(2022, 8, 20, 15, 59, tzinfo=dt.UTC), ruleset_id="r",
                          ruleset_version="1", pk=7, roster_name="roster.csv", encoding="utf-8", stats={},
                          reevaluated_at=dt.datetime(2022, 8, 21, 1, 5, tzinfo=dt.UTC))
    with translation.override("en"):
        text = summary(job, Path("out.csv"))
    first = text.splitlines()[0]
    assert "as of 2022-08-20 23:59 " in first and "CST" not in text
    assert "2022-08-21 09:05" in text
    assert not re.search(r"\dT\d|[+-]\d\d:\d\d\b", text), text


def test_the_summary_says_where_a_long_runs_time_went():
    """Issue 11: 300,000 rows took 3 min 17 s on the wall and the summary said "筛查引擎用时 8.56 秒"."""
    job = SimpleNamespace(persons=PersonResult.objects.none(),
                          counts={"rows": 300000}, as_of=dt.datetime(2022, 8, 20, tzinfo=dt.UTC), ruleset_id="r",
                          ruleset_version="1", pk=7, roster_name="large.csv", encoding="utf-8", reevaluated_at=None,
                          stats={"seconds": {"normalise": 3.1, "total": 8.56},
                                 "stages": {"read": 61.2, "engine": 8.9, "results": 20.4, "store": 70.3}})
    wall = {"copy": 0.8, "write": 35.0, "total": 197.0}
    with translation.override("zh-hans"):
        zh = summary(job, Path("out.csv"), wall)
    with translation.override("en"):
        en = summary(job, Path("out.csv"), wall)
    assert "用时 3 分 17 秒" in zh and "读取和检查名单 1 分 1 秒" in zh and "筛查引擎 8.90 秒" in zh
    assert "存入数据库 1 分 10 秒" in zh and "写结果文件 35.00 秒" in zh
    assert "took 3 min 17 s" in en and "reading and checking the roster 1 min 1 s" in en
    assert "screening engine 8.90 s (normalising documents and names 3.10 s)" in en
    assert "storing them in the database 1 min 10 s" in en and "writing the result file 35.00 s" in en
    assert "从未" not in zh and "never" not in en
    assert "没有导入新的风险数据" in zh


def test_the_summary_speaks_the_commands_language_alone():
    """Issue 11: ``pingan`` speaks the user's language (Chinese by default); the summary was English whatever it
    was, and its notes were stored as "中文 / English"."""
    from page_language import assert_language

    no_rows = PersonResult.objects.none()
    job = SimpleNamespace(counts={"rows": 3, "accepted": 2, "rejected": 1}, persons=no_rows,
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
    assert "已筛查 名单.csv" in zh and "警告：" in zh and "说明：" in zh
    assert "screened 名单.csv" in en and "WARNING: No movement record" in en
    for line in zh.splitlines():
        assert_language(line, "zh-hans", ["名单.csv", "prevention-2022-v9@1.3.0", "utf-8", "out.csv"])
    for line in en.splitlines():
        assert_language(line, "en", ["名单.csv", "身份证号/证件号码"])


def test_the_summary_names_the_rule_set_and_the_file_format_in_words():
    """Issue 11: ``pingan demo`` printed "规则集 prevention-2022-v9@1.3.0（任务 1）" and "读取方式：utf-8-sig": a
    module id, a database id and a codec's name. The rule set by its title and version, the file by its format."""
    job = SimpleNamespace(persons=PersonResult.objects.none(),
                          counts={}, as_of=dt.datetime(2022, 8, 20, 15, 59, tzinfo=dt.UTC),
                          ruleset_id="prevention-2022-v9", ruleset_version="1.3.0", pk=7, roster_name="roster.csv",
                          encoding="utf-8-sig", reevaluated_at=None,
                          stats={"ruleset_title": {"zh": "新冠疫情防控筛查规则", "en": "COVID-19 screening rules"}})
    for lang, said in (("zh-hans", ("新冠疫情防控筛查规则（版本 1.3.0）", "文件格式：带字节顺序标记（BOM）的 UTF-8")),
                       ("en", ("COVID-19 screening rules (version 1.3.0)", "Excel saves it"))):
        with translation.override(lang):
            text = summary(job, Path("out.csv"))
        assert all(s in text for s in said), text
        assert "prevention-2022-v9" not in text and "utf-8-sig" not in text and "任务" not in text, text
    job.encoding = "xlsx"
    with translation.override("zh-hans"):
        assert "文件格式：Excel 工作簿（XLSX）" in summary(job, Path("out.csv"))
