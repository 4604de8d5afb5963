"""Service errors on real pages, in both languages: the page message names the same premises, job, adcode,
file or length as the English one, and the API keeps its English problem detail."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import Dispute, SafetyCode
from pingan.codes.services import MAX_TEXT

pytestmark = pytest.mark.usefixtures("isolated")


def post(client, url: str, language: str, data: dict | None = None, status: int = 200) -> str:
    """POST as the signed-in user in ``language`` and follow the redirect; the page text, unescaped. ``status``:
    400 where a refused form comes back with its error beside the field and the text kept (b8d7b7c)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == status, response.status_code
    return html.unescape(response.content.decode())


def test_issuing_before_any_screening_names_the_premises(client, cast):
    sign_in(client, cast.landlord_a)
    url = f"/codes/premises/{cast.premises_a.pk}/issue/"
    zh = post(client, url, "zh-hans")
    assert "“莲前出租屋”尚未筛查过：请先提交名单；平安码等级以最近一次筛查为准。" in zh
    en = post(client, url, "en")
    assert ("莲前出租屋 has never been screened: submit a roster first; the safety code's level comes from the "
            "latest screening.") in en
    assert "尚未筛查" not in en


def test_issuing_from_a_screening_of_nobody_names_the_job(client, cast):
    job = screened(cast.premises_a, [])
    sign_in(client, cast.landlord_a)
    url = f"/codes/premises/{cast.premises_a.pk}/issue/"
    zh = post(client, url, "zh-hans")
    # the screening named by its upload (time and file), not its id (issue 11)
    from django.utils import timezone

    when = f"{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}"
    assert f"“莲前出租屋”最近一次筛查是 {when} 上传的名单（roster.xlsx），没有任何人员：请提交该场所人员的名单。" in zh
    assert (f"The latest screening of 莲前出租屋 (the upload of {when} (roster.xlsx)) covered no one: submit the "
            "roster of the people at the premises.") in post(client, url, "en")


def test_a_correction_request_without_text_or_with_too_much_says_so(client, cast):
    screened(cast.premises_a, ["green"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    sign_in(client, cast.landlord_a)
    url = f"/codes/premises/{cast.premises_a.pk}/dispute/"
    assert "请填写纠错内容，说明哪里有误。" in post(client, url, "zh-hans", {"text": "   "}, 400)
    assert "Write what is wrong: the correction request needs a text." in post(client, url, "en", {"text": ""}, 400)
    long = "错" * (MAX_TEXT + 5)
    assert (f"纠错内容有 {MAX_TEXT + 5} 个字，上限为 {MAX_TEXT} 个字。"
            in post(client, url, "zh-hans", {"text": long}, 400))
    assert (f"The correction request is {MAX_TEXT + 5} characters; the limit is {MAX_TEXT}."
            in post(client, url, "en", {"text": long}, 400))
    assert not Dispute.objects.filter(premises=cast.premises_a).exists()


def test_police_cannot_file_a_correction_request_and_are_told_whose_it_is(client, cast):
    screened(cast.premises_a, ["green"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    sign_in(client, cast.officer_a)
    url = f"/codes/premises/{cast.premises_a.pk}/dispute/"
    assert "只有“莲前出租屋”的所有人可以对其平安码申请纠错。" in post(client, url, "zh-hans", {"text": "复核"})
    assert "Only the owner of 莲前出租屋 may request a correction of its safety code." in post(
        client, url, "en", {"text": "check"})


def test_the_four_eyes_rule_and_a_decided_request_on_the_police_page(client, cast):
    screened(cast.premises_a, ["green"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    ov = services.level_override_request(premises=cast.premises_a, level="red", reason="核查", actor=cast.chief_a)
    sign_in(client, cast.chief_a)
    url = f"/codes/overrides/{ov.pk}/approve/"
    assert "双人审批：申请人不能审批自己提出的等级调整。" in post(client, url, "zh-hans")
    assert "Four-eyes rule: the requester cannot decide their own level change." in post(client, url, "en")
    d = services.dispute_open(premises=cast.premises_a, text="人员已搬离", actor=cast.landlord_a)
    services.dispute_resolve(dispute=d, upheld=True, outcome="已核实", actor=cast.chief_a)
    url = f"/codes/disputes/{d.pk}/resolve/"
    again = {"decision": "rejected", "outcome": "再次处理"}
    from django.utils import timezone

    when = f"{timezone.localtime(d.created_at):%Y-%m-%d %H:%M}"  # by its date, not its id (issue 11)
    assert f"纠错申请（{when} 提交）已处理（已支持）。" in post(client, url, "zh-hans", again)
    assert f"The correction request of {when} was already resolved (upheld)." in post(client, url, "en", again)


def test_registering_a_premises_in_an_unknown_or_uncovered_area_names_the_code(client, cast):
    sign_in(client, cast.landlord_a)
    form = {"name": "新店", "kind": "rental", "address": "某路1号", "area": ""}
    zh = post(client, "/screening/premises/new/", "zh-hans", {**form, "adcode": "999999"})
    assert "999999 不是已知的行政区划代码。" in zh
    en = post(client, "/screening/premises/new/", "en", {**form, "adcode": "999999"})
    assert "999999 is not a known administrative area code." in en
    # 110101 (Beijing, Dongcheng) is a real GB/T 2260 code that no unit of the demo organisation covers
    zh = post(client, "/screening/premises/new/", "zh-hans", {**form, "adcode": "110101"})
    assert "行政区划 110101 尚无负责的公安单位：请联系公安局指定。" in zh
    en = post(client, "/screening/premises/new/", "en", {**form, "adcode": "110101"})
    assert "No police unit covers administrative area 110101: ask the public security bureau to assign one." in en


def test_an_empty_roster_upload_names_the_file(client, cast):
    sign_in(client, cast.landlord_a)
    for language, text in (("zh-hans", "员工名单.xlsx 是空文件，请选择已填写的名单文件。"),
                           ("en", "员工名单.xlsx is empty; choose the filled-in roster file.")):
        page = post(client, "/screening/upload/", language, {
            "premises": cast.premises_a.pk, "roster": SimpleUploadedFile("员工名单.xlsx", b""),
            "idempotency_key": f"k-{language}"})
        assert text in page


def test_the_api_keeps_its_code_and_says_the_detail_in_the_requests_language(client, cast):
    """The problem's ``code`` is stable; its ``detail`` is the request's language (issue 11: English whatever the
    request asked for): the pages' words in Chinese, the API's own English (which may name endpoints) in English."""
    sign_in(client, cast.landlord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    r = client.post(f"/api/v1/codes/premises/{cast.premises_a.pk}/issue")
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "not_screened" and body["detail"].startswith("“莲前出租屋”尚未筛查过"), body
    assert "params" not in body and "message_id" not in body
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    body = client.post(f"/api/v1/codes/premises/{cast.premises_a.pk}/issue", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["code"] == "not_screened"
    assert body["detail"] == (f"premises {cast.premises_a.pk} (莲前出租屋) has never been screened: submit a roster "
                              "first; the code's level comes from the latest screening")


def test_a_lost_signing_key_names_the_key_in_both_languages(client, cast):
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    kid = code.kid
    SafetyCode.objects.filter(pk=code.pk).update(expires_at=code.issued_at)  # expired: renewing signs a new one
    (services.key_dir() / f"{kid}.pem").unlink()
    services._signers.clear()
    sign_in(client, cast.landlord_a)
    url = f"/codes/premises/{cast.premises_a.pk}/issue/"
    zh = post(client, url, "zh-hans")
    assert f"无法加载签名密钥 {kid}（signing key file " in zh
    assert "请管理员从备份恢复，或轮换密钥（pingan code keys rotate）。" in zh
    en = post(client, url, "en")
    assert f"The signing key {kid} cannot be loaded (signing key file " in en
    assert "an administrator must restore it from backup or rotate the key (pingan code keys rotate)." in en
