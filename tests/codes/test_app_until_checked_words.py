""""在此之前该场所没有有效的平安码" read as "before this upload" (issue 11, fresh-user trial): every Chinese
sentence about a code that lasts until the police check says so — "民警核查完成前" — on the job page, the code
page, the verification page and in ``pingan code verify``."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"


def test_the_verification_text_of_a_suspended_code_says_until_the_police_have_checked():
    from pingan.codes.texts import REVOKED_EXPLAIN

    with translation.override("zh-hans"):
        text = str(REVOKED_EXPLAIN["suspended"])
    assert "民警核查完成前，该场所没有有效的平安码" in text and "在此之前" not in text


def test_no_chinese_sentence_about_the_code_says_before_this():
    found = []
    for po in sorted(SRC.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")):
        for msgstr in re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', po.read_text(), re.M):
            if "在此之前" in msgstr and "码" in msgstr:
                found.append(f"{po.parent.parent.parent.parent.name}: {msgstr}")
    assert not found, found
