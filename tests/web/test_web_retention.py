"""Pages and API of a job whose person data the retention policy deleted: say so, answer 410 Gone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from web_support import sign_in

from pingan.screening import retention
from pingan.screening.models import ScreeningJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def purged(screened):
    """Station A's job finished 31 days ago and was purged; station B's is recent and kept."""
    old, recent = screened
    ScreeningJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=31))
    assert retention.retention_purge().jobs == [old.pk]
    old.refresh_from_db()
    return old, recent


def deleted_on(job) -> str:
    return timezone.localdate(job.purged_at).isoformat()


@pytest.mark.parametrize("who", ["landlord_a", "officer_a"])
def test_the_job_page_says_when_the_person_data_was_deleted(client, cast, purged, who):
    job = purged[0]
    sign_in(client, getattr(cast, who))
    response = client.get(f"/screening/jobs/{job.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"本次筛查的个人信息（名单、逐行结果和结果文件）已于 {deleted_on(job)} 按保存期限规定删除" in html
    assert "已筛查 3 行，未筛查 1 行" in html  # the counts remain
    assert "甲红" not in html and "results.csv" not in html and "results.xlsx" not in html
    assert "没有受理的行" not in html and "已筛查人员" not in html  # no empty table pretending there were no rows

    client.cookies["django_language"] = "en"
    html = client.get(f"/screening/jobs/{job.pk}/").content.decode()
    assert f"was deleted on {deleted_on(job)} under the retention policy" in html


def test_a_kept_job_still_shows_its_rows(client, cast, purged):
    sign_in(client, cast.landlord_b)
    html = client.get(f"/screening/jobs/{purged[1].pk}/").content.decode()
    assert "乙红" in html and "已筛查人员" in html and "results.csv" in html and "保存期限" not in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_result_download_of_a_purged_job_is_gone(client, cast, purged, fmt):
    job = purged[0]
    sign_in(client, cast.landlord_a)
    response = client.get(f"/screening/jobs/{job.pk}/results.{fmt}")
    assert response.status_code == 410 and response["Content-Type"].startswith("text/html")
    # the screening named by its upload, not its id (issue 11)
    from django.utils import timezone

    upload = f"{timezone.localtime(job.created_at):%Y-%m-%d %H:%M} 上传的名单（{job.shown_roster_name}）"
    assert f"{upload}的筛查个人信息已于 {deleted_on(job)} 按保存期限规定删除" in response.content.decode()


def test_someone_else_still_gets_not_found_for_a_purged_job(client, cast, purged):
    sign_in(client, cast.landlord_b)
    assert client.get(f"/screening/jobs/{purged[0].pk}/results.csv").status_code == 404
    assert client.get(f"/screening/jobs/{purged[0].pk}/").status_code == 404


@pytest.fixture
def api(client, cast):
    from pingan.core.services import token_create

    def as_user(user):
        secret = token_create(user=user, name="test", purpose="epidemic_screening").secret
        return lambda url, **headers: client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}", **headers)

    return as_user


@pytest.mark.parametrize("path", ["export?format=csv", "export?format=xlsx", "results"])
def test_the_api_answers_410_purged_as_a_problem(api, cast, purged, path):
    job = purged[0]
    response = api(cast.landlord_a)(f"/api/v1/jobs/{job.pk}/{path}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "purged" and body["status"] == 410
    assert dt.datetime.fromisoformat(body["purged_at"]) == job.purged_at
    assert f"deleted on {deleted_on(job)} under the retention policy" in body["detail"]


def test_the_api_job_says_when_it_was_purged(api, cast, purged):
    old, recent = purged
    body = api(cast.landlord_a)(f"/api/v1/jobs/{old.pk}").json()
    # the API's JSON gives milliseconds
    assert abs(dt.datetime.fromisoformat(body["purged_at"]) - old.purged_at) < dt.timedelta(milliseconds=1)
    assert body["counts"]["red"] == 1
    call = api(cast.landlord_b)
    assert call(f"/api/v1/jobs/{recent.pk}").json()["purged_at"] is None
    assert call(f"/api/v1/jobs/{recent.pk}/export?format=csv").status_code == 200
    assert call(f"/api/v1/jobs/{old.pk}/export?format=csv").status_code == 404  # no existence leak
