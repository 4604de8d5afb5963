"""Lists and clauses a person reads are joined as their language joins them, by one helper each (issue 11's
second trial: an English message listed a file's headers with "、"; "…号码。；7天内" doubled the punctuation where
two messages were joined; "演示房东 (demo_landlord)" put a Chinese page's aside in half-width brackets)."""

from __future__ import annotations

import pytest
from django.utils import translation

from pingan.core import texts
from pingan.core.errors import DomainError, localised


@pytest.mark.parametrize(("language", "listed", "clauses", "aside"), [
    ("zh-hans", "甲、乙", "证件号码有误，请改正号码；7 天内有高风险区旅居史", "演示房东（demo_landlord）"),
    ("en", "a, b", "The number is wrong, correct it; travel within 7 days", "Demo landlord (demo_landlord)"),
])
def test_lists_clauses_and_asides_follow_the_readers_language(language, listed, clauses, aside):
    words = {"zh-hans": (["甲", "乙"], ["证件号码有误，请改正号码。", "7 天内有高风险区旅居史"], "演示房东"),
             "en": (["a", "b"], ["the number is wrong, correct it.", "travel within 7 days"], "Demo landlord")}
    items, parts, name = words[language]
    with translation.override(language):
        assert texts.join(items) == listed
        assert texts.clauses(parts) == clauses
        assert name + texts.paren("demo_landlord") == aside


def test_the_last_clause_keeps_its_full_stop_and_empty_ones_are_left_out():
    with translation.override("zh-hans"):
        assert texts.clauses(["请改正号码。", "", "请重新上传。"]) == "请改正号码；请重新上传。"
        assert texts.render_all([{"code": "x", "params": {"text": "号码有误。"}},
                                 {"code": "y", "params": {"text": "7 天内有旅居史"}}]) == "号码有误；7 天内有旅居史"


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "“备注”、“编号”"), ("en", "“备注”, “编号”")])
def test_a_list_parameter_is_listed_in_the_messages_language(language, expected):
    """A raise passes the list; the page's (and a failed job's) message lists it in its reader's language."""
    from pingan.core.error_messages import PAGE_MESSAGES, page_message

    assert localised({"unknown": ["“备注”", "“编号”"]}, language)["unknown"] == expected
    exc = DomainError("cannot reclassify a, b", code="bad_field", params={"field": ["区划", "类别"]})
    if exc.message_id in PAGE_MESSAGES:
        with translation.override(language):
            said = page_message(exc)
        assert ("区划、类别" in said) if language == "zh-hans" else ("区划, 类别" in said and "、" not in said)


def test_a_number_to_fix_and_its_rules_reason_do_not_double_the_full_stop():
    from pingan.screening.models import fix_reason

    with translation.override("zh-hans"):
        said = fix_reason(identity_status="corrected", why="校验码错误", reason="7 天内有高风险区旅居史")
    assert "。；" not in said and said.endswith("改正后重新上传；7 天内有高风险区旅居史"), said
    with translation.override("en"):
        said = fix_reason(identity_status="corrected", why="bad check digit", reason="travel within 7 days")
    assert ".;" not in said and said.endswith("upload the roster again; travel within 7 days"), said
    with translation.override("zh-hans"):  # the police's text of the same row
        said = fix_reason(identity_status="corrected", why="校验码错误", reason="7 天内有高风险区旅居史", police=True)
    assert "。；" not in said and said.endswith("需要改正；7 天内有高风险区旅居史"), said
