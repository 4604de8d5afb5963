"""A rejected row, an identity note and a roster's notes reach every reader in one language (issue 11,
"Language"): the API gives a stable code plus the text of the request's language, the downloads speak the
viewer's language and keep the stable code as their last column, nothing stores "中文 / English"."""

from __future__ import annotations

import csv
import io

import pytest
from page_language import assert_language
from web_support import roster_bytes, screen, sign_in

pytestmark = pytest.mark.django_db

NAMES = ["张伟", "李娜", "王芳", "赵六", "姓名"]


def _download(client, job, lang: str) -> list[dict[str, str]]:
    client.cookies["django_language"] = lang
    data = client.get(f"/screening/jobs/{job.pk}/results.csv").content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data)))


def test_the_api_keeps_the_rejections_code_and_says_it_in_the_requests_language(client, cast, risk):
    job = screen(cast.landlord_a, cast.premises_a)  # row 6 has no name
    sign_in(client, cast.landlord_a)
    said = {}
    for lang in ("zh-hans", "en"):
        items = client.get(f"/api/v1/jobs/{job.pk}/results", HTTP_ACCEPT_LANGUAGE=lang).json()["items"]
        row = next(i for i in items if i["row"] == 6)
        assert row["status"] == "rejected"
        assert row["reasons"] == [{"code": "not_screened", "params": {
            "detail": {"code": "rejection.missing_name", "params": {}}}}]
        said[lang] = row["reason"]
        assert_language(row["reason"], lang, NAMES)
    assert said["zh-hans"].startswith("未筛查：姓名为空") and said["en"].startswith("Not screened: the name is empty")


def test_the_downloads_speak_the_viewers_language_and_keep_the_code_last(client, cast, risk):
    job = screen(cast.landlord_a, cast.premises_a)
    sign_in(client, cast.landlord_a)
    for lang, code in (("zh-hans", "问题代码（供程序读取）"), ("en", "Problem code (for programs)")):
        rows = _download(client, job, lang)
        assert list(rows[0])[-1] == code
        by_row = {r[next(iter(r))]: r for r in rows}
        assert by_row["6"][code] == "rejection.missing_name" and by_row["5"][code] == "identity.bad_check_digit"
        assert by_row["2"][code] == ""
        for r in rows:
            for heading, value in r.items():
                if heading != code:
                    assert_language(value, lang, NAMES)


def test_the_police_download_says_the_identity_note_in_the_viewers_language(client, cast, risk):
    job = screen(cast.landlord_a, cast.premises_a)
    sign_in(client, cast.officer_a)
    for lang, note in (("zh-hans", "证件核验说明"), ("en", "Identity check note")):
        rows = _download(client, job, lang)
        by_row = {r[next(iter(r))]: r for r in rows}
        assert by_row["5"][note]  # 赵六: a bad check character
        for r in rows:
            for heading, value in r.items():
                if heading not in ("police_hits", "命中规则（警方）", "Rules hit (police)") and not heading.startswith(
                        ("问题代码", "Problem code")):
                    assert_language(value, lang, NAMES)


def test_a_job_keeps_its_notes_as_codes_only_and_the_migration_drops_the_old_text(cast, risk):
    from django.apps import apps

    from pingan.screening.models import ScreeningJob

    rows = roster_bytes().decode("utf-8-sig").splitlines()
    job = screen(cast.landlord_a, cast.premises_a, ("\ufeff" + "\n".join([rows[0], rows[1], rows[1]])).encode())
    assert [n["code"] for n in job.stats["notes"]] == ["roster.duplicates"]
    assert "warnings" not in job.stats and "risk_data_warnings" not in job.stats
    # a job stored before: bilingual text beside the codes; one stored before the codes keeps its text
    ScreeningJob.objects.filter(pk=job.pk).update(stats={**job.stats, "warnings": ["名单 / roster"],
                                                         "risk_data_warnings": [], "risk_data_notes": []})
    old = screen(cast.landlord_a, cast.premises_a)
    ScreeningJob.objects.filter(pk=old.pk).update(stats={"warnings": ["文件没有 BOM / No byte-order mark"]})
    migration = __import__("pingan.screening.migrations.0012_job_notes_as_codes_only",
                           fromlist=["drop_text_beside_codes"])
    migration.drop_text_beside_codes(apps, None)
    stats = ScreeningJob.objects.get(pk=job.pk).stats
    assert "warnings" not in stats and "risk_data_warnings" not in stats and stats["notes"]
    assert ScreeningJob.objects.get(pk=old.pk).stats == {"warnings": ["文件没有 BOM / No byte-order mark"]}


def test_the_police_download_names_hits_and_documents_in_the_viewers_language_and_the_api_keeps_codes(
        client, cast, risk):
    job = screen(cast.landlord_a, cast.premises_a)
    sign_in(client, cast.officer_a)
    zh = {r["行号"]: r for r in _download(client, job, "zh-hans")}
    assert zh["2"]["命中规则（警方）"] == "到过高风险区（证件号码一致）" and zh["2"]["证件类型"] == "居民身份证"
    en = {r["Row"]: r for r in _download(client, job, "en")}
    assert en["2"]["Rules hit (police)"] == "Stayed in a high-risk area (same document number)"
    assert en["2"]["Document type"] == "resident ID card"
    from pingan.core.services import token_create

    secret = token_create(user=cast.officer_a, name="t", purpose="epidemic_screening").secret
    api = client.get(f"/api/v1/jobs/{job.pk}/export?format=csv", HTTP_AUTHORIZATION=f"Bearer {secret}",
                     HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode("utf-8-sig")
    rows = {r["row"]: r for r in csv.DictReader(io.StringIO(api))}
    assert rows["2"]["police_hits"] == "area-high:id_exact" and rows["2"]["doc_type"] == "ric"
