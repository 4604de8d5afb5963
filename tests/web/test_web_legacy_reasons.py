"""Result rows written before reasons were stored as codes (issue 11): their one-line ``reason`` put the
languages side by side three ways — "中文 (English)" for a rule's reason (followed by "：" and a detail for the
identity rule), "English / 中文" for the identity module's errors, "中文 / English" for the phone note — joined
by "；". ``core.texts.legacy`` now reads each clause and says it in the reader's language; before, only a whole
text of the last form was split, and the officer's pages showed the rest bilingual."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.html import escape
from web_support import RED_ID, sign_in

from pingan.core.texts import legacy

pytestmark = pytest.mark.django_db

OLD_REASON = ("7天内有高风险区旅居史 (travel through a high-risk area within 7 days)；"
              "证件需核实 (identity needs verification)："
              "check character does not match (ISO 7064 MOD 11-2) / 校验码错误；"
              "手机号码“12345”不是有效号码，未用于比对 / the phone number \"12345\" is not a valid number and was not "
              "used for matching")
OLD_ZH = "7天内有高风险区旅居史；证件需核实：校验码错误；手机号码“12345”不是有效号码，未用于比对"
OLD_IDENTITY = "check character does not match (ISO 7064 MOD 11-2) / 校验码错误"
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_each_clause_of_an_old_reason_is_said_in_the_readers_language():
    with translation.override("zh-hans"):
        assert legacy(OLD_REASON) == OLD_ZH
        assert legacy(OLD_IDENTITY) == "校验码错误"
    with translation.override("en"):
        assert legacy(OLD_REASON) == ("Travel through a high-risk area within 7 days; identity needs verification: "
                                      "check character does not match (ISO 7064 MOD 11-2); the phone number "
                                      "\"12345\" is not a valid number and was not used for matching")
        assert legacy(OLD_IDENTITY) == "check character does not match (ISO 7064 MOD 11-2)"
    assert legacy("到访高风险区") == "到访高风险区" and legacy("plain English") == "plain English" and legacy("") == ""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_old_result_row_reads_in_the_readers_language_on_the_officers_pages(client, cast, language):
    from django.utils import timezone

    from pingan.screening.models import PersonResult, ScreeningJob
    from pingan.screening.services import screening_job_latest_refresh

    job = ScreeningJob.objects.create(
        premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="old.csv", roster_sha256="1" * 64,
        status="done", progress=100, as_of=timezone.now(), started_at=timezone.now(), finished_at=timezone.now(),
        counts={"accepted": 1, "red": 1, "police_hits": 1, "flagged_people": 1})
    person = PersonResult.objects.create(
        job=job, row=2, status="accepted", level="red", reason=OLD_REASON, reasons=[], name="旧红",
        doc_type="ric", id_number=RED_ID, identity_status="invalid", identity_reason=OLD_IDENTITY, hit_count=1,
        rule_ids=["area-high"])
    screening_job_latest_refresh(premises_ids=[cast.premises_a.pk])
    with translation.override(language):
        said = person.reason_text
        identity = person.identity_text
    if language == "zh-hans":
        assert said == OLD_ZH
        assert identity == "校验码错误"
    else:
        assert not HAN.search(said) and not HAN.search(identity), (said, identity)
        assert said.startswith("Travel through a high-risk area within 7 days; identity needs verification")
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = language
    for url in (f"/police/persons/{person.pk}/", "/police/"):
        html = client.get(url).content.decode()
        assert escape(said) in html, (url, said)
        assert "旅居史 (travel" not in html and "/ 校验码错误" not in html and "/ the phone" not in html, url
