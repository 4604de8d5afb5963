"""``pingan stats report`` speaks the user's language (issue 11: the CompStat printed English labels beside
Chinese placeholders, "n/a"-style dashes and "(no source covers it)"): the language comes from PINGAN_LANGUAGE
or the locale (LANG …), every word of the table is in it, and a figure that cannot be given says why."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from pingan.cli import language

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("env", "expected"), [
    ({"PINGAN_LANGUAGE": "en"}, "en"), ({"PINGAN_LANGUAGE": "zh_CN"}, "zh-hans"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"), ({"LANG": "C.UTF-8"}, "zh-hans"),
    ({}, "zh-hans"), ({"PINGAN_LANGUAGE": "en", "LANG": "zh_CN.UTF-8"}, "en"),
])
def test_the_language_comes_from_pingan_language_then_the_locale(env, expected):
    assert language(env, "zh-hans") == expected


def report(lang: str) -> str:
    out = io.StringIO()
    with translation.override(lang):
        call_command("stats", "report", "350203-LQ", "--as-of", "2024-03-06", stdout=out)
    return out.getvalue()


def test_the_report_is_all_in_english_or_all_in_chinese(incidents):
    en = report("en")
    assert "Lianqian Police Station [350203-LQ] — as of 2024-03-06" in en
    assert "week to date" in en and "Clearance rate" in en
    assert not CJK.search(en), [line for line in en.splitlines() if CJK.search(line)][:3]
    for placeholder in ("n/a", "N/A", "no source covers it"):
        assert placeholder not in en
    # figures that cannot be given say why, in words (no offences, no data last year, 0 last year)
    assert re.search(r"no offences this year|no data for the same period last year|0 last year|no data source", en)

    zh = report("zh-hans")
    assert "莲前派出所 [350203-LQ] — 截至 2024-03-06" in zh and "本周至今" in zh and "破案率" in zh
    assert re.search(r"本年无立案|上年同期无数据|上年同期为 0", zh) or "无" in zh
    assert "as of" not in zh and "week to date" not in zh
