"""The audit page (/audit/): labels not codes, filters by label, a person's name or ID number, a date range.

"Who looked at this person, when and why?" asked the way an auditor asks it on the page.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from web_support import make_job, sign_in

from pingan.core import audit
from pingan.core.models import AuditRecord
from pingan.screening.models import PersonResult

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="audit-\d+">(.*?)</tr>', html, re.S)


def page(client, cast, lang="zh-hans", **params):
    sign_in(client, cast.auditor)
    client.cookies["django_language"] = lang
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_labels_in_the_readers_language_not_internal_identifiers(client, cast, looked_at):
    html = page(client, cast)
    body = html[html.index('id="audit-records"'):]
    for code in ("PersonResult.flagged", "jurisdiction_management", ">list<", ">read<", "officer (", "350203"):
        assert code not in body, code
    assert "重点人员" in body and "辖区管理" in body and "查看了列表" in body and "莲前派出所" in body
    html = page(client, cast, lang="en")
    body = html[html.index('id="audit-records"'):]
    assert "flagged people" in body and "jurisdiction management" in body and "viewed a list" in body
    assert "PersonResult.flagged" not in body


def test_its_filters_offer_labels_and_submit_codes(client, cast, looked_at):
    html = page(client, cast)
    assert '<option value="PersonResult.flagged">重点人员</option>' in html
    assert '<option value="jurisdiction_management">辖区管理</option>' in html
    assert '<option value="list">查看了列表</option>' in html
    html = page(client, cast, object_type="PersonResult.flagged", action="list")
    found = rows(html)
    assert found and all("查看了列表" in r and "重点人员" in r for r in found)
    assert AuditRecord.objects.filter(object_type="PersonResult.flagged", action="list").count() == len(found)


def test_a_person_is_found_by_name_or_id_number_with_who_when_and_why(client, cast, looked_at):
    for text in (looked_at.name, looked_at.id_number):
        html = page(client, cast, person=text)
        found = rows(html)
        assert len(found) >= 2, text  # the list that showed the person and the person's page
        assert all("officer_a" in r and "辖区管理" in r for r in found)
        assert any("查看了" in r and "筛查人员" in r for r in found)  # the person's own page
        assert f"条记录显示了“{text}”" in html
    html = page(client, cast, person="甲红红")  # nobody of that name was shown
    assert not rows(html)


def test_a_person_search_counts_only_the_records_that_showed_the_person(client, cast):
    """Issue 11: /audit/?person=何云 said "共 137 条记录显示了 何云" and listed records of 何云's screening job
    that said "显示了 0 人" — pages of the job's results without 何云 on them. A record that lists whom it
    showed is found by its persons; the job itself finds only what disclosed it whole (a download), not a
    change (submitted)."""
    from pingan.screening import selectors as screening_selectors

    job = make_job(cast.landlord_a, cast.premises_a, "甲")
    PersonResult.objects.filter(job=job, row=2).update(name="何云")

    def results_page(**where):  # a page of the job's results, as the results page fetches it
        return [p.name for p in screening_selectors.job_results(actor=cast.landlord_a, job_id=job.pk).filter(**where)]

    audit.record(cast.landlord_a, "submit", "ScreeningJob", job.pk, detail={"roster": "roster.csv"})
    assert results_page(row=99) == []  # not recorded: a page that showed nobody read no personal data
    assert results_page(row=3) == ["甲黄"]  # recorded: showed 1 person, not 何云
    assert results_page(row=2) == ["何云"]
    audit.record(cast.landlord_a, "export", "ScreeningJob", job.pk, detail={"file": "results.xlsx"})
    on_job = AuditRecord.objects.filter(object_id=str(job.pk), object_type__startswith="ScreeningJob")
    assert on_job.count() == 4
    html = page(client, cast, person="何云")
    found = rows(html)
    assert len(found) == 2 and "共 2 条记录显示了“何云”" in html
    assert not [r for r in found if "显示了 0 人" in r or "提交了" in r]
    assert "下载了" in found[0] and "显示了 1 人" in found[1]
    assert len(rows(page(client, cast, person="甲黄"))) == 2  # its own page of results and the download
    assert "共 2 条记录显示了“何云”" in page(client, cast, person="何云", object_id=str(job.pk))


def test_a_searched_person_is_not_kept_in_clear_in_the_trail(client, cast, looked_at):
    page(client, cast, person=looked_at.id_number)
    search = AuditRecord.objects.filter(action="search").latest("seq")
    assert looked_at.id_number not in str(search.detail)
    html = page(client, cast, action="search")
    assert "一个人（姓名或身份证号）" in html  # the search is listed as a search for a person, by label


def test_the_date_range_is_inclusive_local_days(client, cast, looked_at):
    today = timezone.localdate()
    AuditRecord.objects.update(at=timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=3),
                                                                          dt.time(23, 30))))
    assert rows(page(client, cast, since=today - dt.timedelta(days=3), until=today - dt.timedelta(days=3),
                     actor="officer_a"))
    assert not rows(page(client, cast, since=today - dt.timedelta(days=2), actor="officer_a"))
    assert not rows(page(client, cast, until=today - dt.timedelta(days=4), actor="officer_a"))
    html = page(client, cast, since=today, until=today - dt.timedelta(days=1))
    assert "开始日期晚于结束日期" in html and not rows(html)


def test_it_pages_newest_first(client, cast):
    from pingan.core.views import AUDIT_PAGE_SIZE

    for i in range(30):
        audit.record(None, "read", "Premises", i)
    html = page(client, cast, object_type="Premises")
    assert AUDIT_PAGE_SIZE == 20  # issue 11: 50 records as cards made the page 11,116 px at 375 px
    assert len(rows(html)) == 20 and "第 1 / 2 页" in html and "object_type=Premises&amp;page=2" in html
    first = re.findall(r'<tr id="audit-(\d+)">', html)
    assert [int(s) for s in first] == sorted((int(s) for s in first), reverse=True)
    total = AuditRecord.objects.filter(object_type="Premises").count()
    assert 30 <= total < 40 and len(rows(page(client, cast, object_type="Premises", page=2))) == total - 20


def test_a_police_account_cannot_open_it(client, cast):
    for user in (cast.officer_a, cast.chief_a, cast.analyst, cast.landlord_a):
        sign_in(client, user)
        response = client.get("/audit/")  # the site's 403 page, in its frame: the page exists, not for them
        assert response.status_code == 403 and 'class="bar"' in response.content.decode()
    sign_in(client, cast.admin)
    assert client.get("/audit/").status_code == 200


def test_the_auditors_own_searches_are_left_out_unless_asked_for(client, cast, looked_at):
    for _ in range(3):
        page(client, cast, person=looked_at.name)
    html = page(client, cast, person=looked_at.name)
    assert rows(html) and not [r for r in rows(html) if "检索了" in r]
    html = page(client, cast, person=looked_at.name, with_searches="on")
    assert len([r for r in rows(html) if "检索了" in r]) >= 3
    assert [r for r in rows(page(client, cast, action="search")) if "检索了" in r]  # asked for by action


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_search_for_part_of_a_name_says_what_was_searched_and_how_names_match(client, cast, looked_at, lang):
    """Issue 11: searching for 甲 (part of 甲红) showed no result and no hint: the empty page of results was
    falsy, so the template said nothing at all."""
    html = page(client, cast, lang=lang, person="甲")
    said = html[html.index('id="audit-person-searched"'):]
    if lang == "en":
        assert "Searched for records that showed “甲”" in said and "looks like part of a name" in said
        assert "0 records showed 甲" in html and "Nobody has looked at this person" in html
    else:
        assert "已查找显示过“甲”" in said and "像是姓名或号码的一部分" in said
        assert "共 0 条记录显示了“甲”" in html and rows(html) == []


def test_a_masked_number_is_said_to_be_masked(client, cast, looked_at):
    html = page(client, cast, lang="en", person="350203********1230")
    assert "is masked: the trail finds a person only by the full number" in html
    assert "looks like part of" not in html


def test_a_whole_name_finds_the_reads_without_a_hint(client, cast, looked_at):
    html = page(client, cast, lang="en", person="甲红")
    assert "Searched for records that showed “甲红”" in html and "looks like part of" not in html
    assert len(rows(html)) >= 2  # the jurisdiction list and the person page


@pytest.mark.parametrize("text, form", [("张", "partial"), ("张伟", "whole"), ("Li", "whole"),
                                        ("3502031990", "partial"), ("35020319900101123X", "whole"),
                                        ("13800138000", "whole"), ("350***********1230", "masked"),
                                        ("1380000＊＊＊＊", "masked")])
def test_the_search_text_form(text, form):
    assert audit.search_text_form(text) == form


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_says_records_keep_no_phone_only_when_the_trail_has_such_records(client, cast, looked_at, lang,
                                                                            monkeypatch):
    # issue 11: a fresh install, whose trail began after phones were kept, said "records before December 2026 keep
    # no phone number" on the page and under a search that found nobody
    said = "2026 年 12 月之前" if lang == "zh-hans" else "before December 2026"
    client.cookies["django_language"] = lang
    client.force_login(cast.auditor, backend="django.contrib.auth.backends.ModelBackend")
    for url in ("/audit/", "/audit/?person=欧阳不存在"):
        page = client.get(url).content.decode()
        assert said not in page and 'id="phones-missing"' not in page, url
    monkeypatch.setattr(audit, "PHONES_KEPT_SINCE", audit.PHONES_KEPT_SINCE.replace(year=2100))  # all are older
    page = client.get("/audit/").content.decode()
    assert said in page and 'id="phones-missing"' in page
    assert said in client.get("/audit/?person=欧阳不存在").content.decode()
    if lang == "zh-hans":  # the sentences follow each other as Chinese does: no space after 。
        assert "结果）。<span" in page
