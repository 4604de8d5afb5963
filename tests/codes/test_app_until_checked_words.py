""""在此之前该场所没有有效的平安码" read as "before this upload" (issue 11, fresh-user trial): every Chinese
sentence about a code that lasts until the police check says so — "民警核查完成前" — on the job page, the code
page, the verification page and in ``pingan code verify``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from test_app_support import isolated  # noqa: F401 - fixture

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


def test_the_english_says_until_the_police_have_checked_too():
    from pingan.codes.texts import REVOKED_EXPLAIN

    with translation.override("en"):
        text = str(REVOKED_EXPLAIN["suspended"])
    assert "until they have, the premises has no valid code" in text and "until then" not in text


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated")
@pytest.mark.parametrize("lang, said", [("zh-hans", "责任派出所将进行核查；民警核查完成前，该场所没有有效的平安码"),
                                        ("en", "checks it; until the police have checked, the premises has no valid")])
def test_the_owners_card_of_a_suspended_code_says_until_the_police_have_checked(client, cast, lang, said):
    from test_app_left_out import roster
    from test_app_support import sign_in

    roster(cast.premises_a, ["green", "yellow"])
    roster(cast.premises_a, ["green"])  # the yellow tenant left out: suspended
    sign_in(client, cast.landlord_a)
    client.cookies["django_language"] = lang
    html = client.get(f"/codes/premises/{cast.premises_a.pk}/").content.decode()
    assert said in html, html[html.find("code-suspended"):][:600]
