"""A screening job that is queued or running (a new user's trial: an 80,000-row roster took ~78 s): its page
says where it is and keeps polling, its downloads answer 409 with a page in the reader's language that links
back to it (the trial got 400 "job 19 is running"), and the API answers RFC 9457 problem details with the
stable code ``job_not_done``."""

from __future__ import annotations

import pytest
from django.utils import timezone
from page_language import assert_language
from web_support import sign_in

from pingan.screening.models import ScreeningJob

pytestmark = pytest.mark.django_db


def held(cast, status="running", **kw) -> ScreeningJob:
    return ScreeningJob.objects.create(
        premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="big.csv", roster_sha256="0" * 64,
        status=status, as_of=timezone.now(), started_at=timezone.now() if status != "queued" else None, **kw)


STORING = {"progress": 88, "stats": {"running": {"stage": "store", "rows": 80000, "stored": 35000, "total": 80000}}}


@pytest.mark.parametrize("who", ["landlord_a", "officer_a"])
def test_the_page_of_a_running_job_shows_how_far_it_got_and_polls(client, cast, who):
    job = held(cast, **STORING)
    sign_in(client, getattr(cast, who))
    response = client.get(f"/screening/jobs/{job.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'hx-get="/screening/jobs/{job.pk}/"' in html and 'hx-trigger="every 1s"' in html
    assert 'data-stage="store"' in html and "正在保存结果：已保存 35000 行，共 80000 行。" in html
    assert 'value="88"' in html and "下载结果" not in html
    client.cookies["django_language"] = "en"
    html = client.get(f"/screening/jobs/{job.pk}/").content.decode()
    assert "Saving the results: 35000 of 80000 rows saved." in html

    partial = client.get(f"/screening/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "HX-Refresh" not in partial
    assert "35000 of 80000" in partial.content.decode() and "<html" not in partial.content.decode()


@pytest.mark.parametrize(("status", "stats", "zh", "en"), [
    ("queued", {}, "正在排队", "Waiting its turn"),
    ("running", {"running": {"stage": "read"}}, "正在读取名单", "Reading the roster"),
    ("running", {"running": {"stage": "screen", "rows": 80000}}, "正在对照风险数据筛查 80000 行",
     "Screening 80000 rows against the risk data"),
    ("running", {"running": {"stage": "files", "rows": 80000}}, "已筛查 80000 行，正在写入结果文件",
     "80000 rows screened; writing the result files"),
])
def test_the_page_names_the_stage(client, cast, status, stats, zh, en):
    job = held(cast, status, stats=stats)
    sign_in(client, cast.landlord_a)
    assert zh in client.get(f"/screening/jobs/{job.pk}/").content.decode()
    client.cookies["django_language"] = "en"
    assert en in client.get(f"/screening/jobs/{job.pk}/").content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", ["landlord_a", "officer_a"])
def test_a_download_before_the_job_is_done_answers_409_with_a_link_to_its_page(client, cast, fmt, who):
    job = held(cast, **STORING)
    sign_in(client, getattr(cast, who))
    response = client.get(f"/screening/jobs/{job.pk}/results.{fmt}")
    html = response.content.decode()
    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")
    assert f'href="/screening/jobs/{job.pk}/"' in html
    assert "的筛查尚未完成（处理中）：完成后即可下载结果。" in html, html
    assert "big.csv" in html  # the screening named by its upload
    client.cookies["django_language"] = "en"
    response = client.get(f"/screening/jobs/{job.pk}/results.{fmt}")
    html = response.content.decode()
    assert response.status_code == 409
    assert "is not finished yet (running): its results can be downloaded once it is done." in html
    message = html.split('id="not-done">')[1].split("</p>")[0]
    assert_language(message, "en", ["big.csv"])


def test_a_download_of_a_failed_job_says_it_has_no_results(client, cast):
    job = held(cast, "failed", error="x", error_code="internal_error", finished_at=timezone.now())
    sign_in(client, cast.landlord_a)
    response = client.get(f"/screening/jobs/{job.pk}/results.csv")
    assert response.status_code == 409
    assert "的筛查失败，没有可下载的结果。" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/jobs/{id}/export?format=xlsx", "/api/v1/jobs/{id}/export",
                                 "/api/v1/jobs/{id}/results"])
def test_the_api_answers_409_job_not_done_before_the_job_is_done(client, cast, url):
    from pingan.core.services import token_create
    from pingan.screening.models import PersonResult

    job = held(cast, **STORING)
    # a running job may hold some of its rows already (stored a batch at a time): none is shown
    PersonResult.objects.create(job=job, row=2, status="accepted", level="red", name="甲", id_number="1")
    secret = token_create(user=cast.landlord_a, name="t", purpose="epidemic_screening").secret
    # an English client reads the API's own words, which name the endpoint to poll
    response = client.get(url.format(id=job.pk), HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "job_not_done" and problem["status"] == 409
    assert problem["job_status"] == "running" and problem["progress"] == 88
    assert f"GET /api/v1/jobs/{job.pk}" in problem["detail"]
    state = client.get(f"/api/v1/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert state.status_code == 200 and state.json()["status"] == "running" and state.json()["progress"] == 88
