"""The line ``pingan risk reevaluate`` ends with (issue 11): the safety codes kept beside those changed — the run's
audit record has ``codes_kept``, the line said only "N safety codes changed" — and each count said as the language
says that many ("1 result changed", not "1 results changed")."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation
from page_language import assert_language

from pingan.screening.management.commands.risk import reevaluation_summary


def run(**counts):
    return SimpleNamespace(pk=7, dataset_id=3, dataset=SimpleNamespace(name="demo synthetic movements"),
                           as_of=dt.datetime(2022, 8, 20, 12, 0, tzinfo=dt.UTC),
                           stats={"seconds": {"total": 1.5}, "codes_kept": counts.pop("kept")}, **counts)


@pytest.mark.parametrize(("lang", "one", "many"), [
    ("en", "1 person re-evaluated, 1 result changed, 1 hit added, 1 hit removed, 1 safety code changed, 1 safety "
           "code kept (only its counts updated); 1.50 s",
     "2,000 people re-evaluated, 12 results changed, 3 hits added, 0 hits removed, 2 safety codes changed, 40 safety "
     "codes kept (only their counts updated); 1.50 s"),
    ("zh-hans", "重新评估 1 人，1 个结果变化，新增 1 条命中，移除 1 条命中，1 个平安码变化，"
                "1 个平安码不变（只更新人数）；用时 1.50 秒",
     "重新评估 2,000 人，12 个结果变化，新增 3 条命中，移除 0 条命中，2 个平安码变化，"
     "40 个平安码不变（只更新人数）；用时 1.50 秒"),
])
def test_the_summary_says_the_codes_kept_and_each_count_in_its_number(lang, one, many):
    with translation.override(lang):
        said_one = reevaluation_summary(run(candidates=1, changed=1, hits_added=1, hits_removed=1, codes_changed=1,
                                            kept=1))
        said_many = reevaluation_summary(run(candidates=2000, changed=12, hits_added=3, hits_removed=0,
                                             codes_changed=2, kept=40))
    assert said_one.endswith(one), said_one
    assert said_many.endswith(many), said_many
    assert_language(said_many, "zh" if lang.startswith("zh") else "en", data=["demo synthetic movements"])
