"""The anti-fraud demo's seeded texts read in the reader's language (issue 11: an English report page said
"演示案件：由 IBM AMLSim 样本中的一个扇入（fan-in）洗钱模式生成。" and listed "演示银行" beside each statement)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from page_language import assert_language

from pingan.antifraud.demo import DEMO_BANK, DEMO_NARRATIVE, SEEDED_TEXTS


@pytest.mark.parametrize("text", [DEMO_NARRATIVE, DEMO_BANK])
def test_a_seeded_text_is_said_in_the_readers_language(text):
    page = Template("{% load antifraud %}{{ t|seeded }}")
    with translation.override("en"):
        en = page.render(Context({"t": text}))
        expected = str(SEEDED_TEXTS[text])
    with translation.override("zh-hans"):
        zh = page.render(Context({"t": text}))
    assert_language(en, "en", ["IBM AMLSim"])
    assert zh == text and en == expected and en != text


def test_what_a_person_wrote_stays_as_it_is():
    with translation.override("en"):
        assert Template("{% load antifraud %}{{ t|seeded }}").render(Context({"t": "工商银行"})) == "工商银行"


def test_the_pages_that_show_the_demos_texts_say_them_so():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "pingan" / "antifraud" / "templates" / "antifraud"
    report = (root / "report.html").read_text(encoding="utf-8")
    assert "report.narrative|seeded" in report and "s.bank|seeded" in report and "t.to_bank|seeded" in report
    assert "h.bank|seeded" in (root / "partials" / "trace.html").read_text(encoding="utf-8")
    assert "order.bank|seeded" in (root / "order.html").read_text(encoding="utf-8")
