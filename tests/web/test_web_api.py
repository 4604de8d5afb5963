"""The screening API: idempotent submission, polling, results by role, problem details, query counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from web_support import RED_ID, make_job, roster_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, cast):
    """``api(user)`` → a function doing requests with the user's bearer token."""
    from pingan.core.services import token_create

    def as_user(user):
        secret = token_create(user=user, name="test", purpose="epidemic_screening").secret

        def call(method: str, url: str, **kw):
            return getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {secret}", **kw)

        return call

    return as_user


def test_it_returns_the_same_job_for_a_repeated_idempotency_key(api, cast, django_capture_on_commit_callbacks):
    call = api(cast.landlord_a)
    body = {"premises_id": cast.premises_a.pk}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = call("post", "/api/v1/jobs", data={**body, "roster": SimpleUploadedFile("r.csv", roster_bytes())},
                     HTTP_IDEMPOTENCY_KEY="upload-1")
        again = call("post", "/api/v1/jobs", data={**body, "roster": SimpleUploadedFile("r.csv", roster_bytes())},
                     HTTP_IDEMPOTENCY_KEY="upload-1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["status"] == "queued"
    assert len(callbacks) == 1


def test_it_polls_a_job_until_it_is_done(api, cast, risk, django_capture_on_commit_callbacks):
    call = api(cast.landlord_a)
    with django_capture_on_commit_callbacks(execute=True):
        job = call("post", "/api/v1/jobs", data={"premises_id": cast.premises_a.pk,
                                                 "roster": SimpleUploadedFile("r.csv", roster_bytes())}).json()
    status = call("get", f"/api/v1/jobs/{job['id']}").json()
    assert status["status"] == "done" and status["progress"] == 100, status["error"]
    assert status["counts"]["accepted"] == 4 and status["counts"]["rejected"] == 1
    assert "silent_hits" not in status["counts"]  # police-only counts stay hidden from submitters


def test_it_says_why_a_failed_job_failed(api, cast, django_capture_on_commit_callbacks):
    from pingan.core.errors import DomainError
    from pingan.screening import services

    call = api(cast.landlord_a)
    bad = "甲,乙\n1,2\n".encode()  # a table with no roster columns
    # refused when it is submitted, naming the file, as on the upload form (issue 11's trial F16: a failed job)
    r = call("post", "/api/v1/jobs", data={"premises_id": cast.premises_a.pk,
                                           "roster": SimpleUploadedFile("bad.csv", bad)})
    assert r.status_code == 400 and r.json()["code"] == "roster_no_header" and "bad.csv" in r.json()["detail"]
    # a job made otherwise (the command line's path) fails, and the API says why
    job = services.screening_job_create(actor=cast.landlord_a, roster_name="bad.csv", roster_bytes=bad,
                                        premises=cast.premises_a)
    with pytest.raises(DomainError):
        services.screening_job_run(job=job)
    status = call("get", f"/api/v1/jobs/{job.pk}").json()
    assert status["status"] == "failed" and "bad.csv" in status["error"]


def test_it_gives_submitters_the_submitter_view_only(api, cast, screened):
    rows = api(cast.landlord_a)("get", f"/api/v1/jobs/{screened[0].pk}/results").json()["items"]
    assert [r["row"] for r in rows] == [2, 3, 4, 5]
    assert all(r["police"] is None for r in rows)
    assert rows[0]["id_number_masked"].startswith(RED_ID[:3] + "*") and RED_ID not in str(rows)
    assert rows[3]["status"] == "rejected" and "第 5 行" in rows[3]["reason"]
    rejected = api(cast.landlord_a)("get", f"/api/v1/jobs/{screened[0].pk}/results?status=rejected").json()
    assert [r["row"] for r in rejected["items"]] == [5]


def test_it_adds_the_police_part_for_police(api, cast, screened):
    rows = api(cast.officer_a)("get", f"/api/v1/jobs/{screened[0].pk}/results").json()["items"]
    assert rows[0]["police"]["id_number"] == RED_ID and rows[2]["police"]["silent_hit"] is True


def test_it_lists_flagged_people_silent_hits_first(api, cast, screened):
    items = api(cast.officer_a)("get", "/api/v1/flagged").json()["items"]
    assert items[0]["name"] == "甲绿" and {i["premises"]["id"] for i in items} == {cast.premises_a.pk}
    detail = api(cast.officer_a)("get", f"/api/v1/persons/{items[0]['id']}").json()
    assert detail["hits"][0]["silent"] is True and detail["hits"][0]["match_kind"] == "name_dob"


def test_it_reports_premises_levels_and_stale_ones(api, cast, screened):
    call = api(cast.officer_a)
    items = call("get", "/api/v1/jurisdiction/premises").json()["items"]
    assert [(i["name"], i["level"]) for i in items] == [(cast.premises_a.name, "red")]
    assert call("get", "/api/v1/jurisdiction/premises?stale_days=7").json()["items"] == []
    bad = call("get", "/api/v1/jurisdiction/premises?stale_days=-1")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_stale_days"


def test_it_names_the_premises_owner_as_the_pages_do(api, cast, screened):
    # User.shown_name: display name, else the full name, else the user name (the API said the user name where the
    # pages said the full name)
    owner = cast.landlord_a
    owner.display_name, owner.first_name, owner.last_name = "", "云", "沈"
    owner.save(update_fields=["display_name", "first_name", "last_name"])
    items = api(cast.officer_a)("get", "/api/v1/jurisdiction/premises").json()["items"]
    assert items[0]["owner"] == owner.shown_name == "云 沈"


def test_it_answers_errors_as_problem_details(api, cast, screened):
    call = api(cast.landlord_b)
    missing = call("get", f"/api/v1/jobs/{screened[0].pk}")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert missing.json()["code"] == "not_found" and missing.json()["status"] == 404
    invalid = call("post", "/api/v1/jobs", data={"premises_id": "x"})
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_request"
    fmt = api(cast.landlord_a)("get", f"/api/v1/jobs/{screened[0].pk}/export?format=pdf")
    assert fmt.status_code == 400 and fmt.json()["code"] == "bad_format"


def test_it_exports_and_serves_the_template(api, cast, screened):
    call = api(cast.landlord_a)
    text = call("get", f"/api/v1/jobs/{screened[0].pk}/export?format=csv").content.decode("utf-8-sig")
    assert "甲红" in text and "police_hits" not in text
    assert call("get", "/api/v1/roster-template").content[:2] == b"PK"


@pytest.mark.parametrize(("who", "url"), [
    ("landlord_a", "/api/v1/jobs"),
    ("landlord_a", "/api/v1/jobs/{job}/results"),
    ("officer_a", "/api/v1/jobs/{job}/results"),
    ("officer_a", "/api/v1/flagged"),
    ("analyst", "/api/v1/flagged"),
    ("officer_a", "/api/v1/jurisdiction/premises"),
])
def test_it_keeps_list_endpoint_queries_constant(api, cast, who, url, django_assert_max_num_queries):
    from pingan.core.services import premises_create

    for i in range(25):
        p = premises_create(actor=cast.landlord_a, name=f"屋{i}", kind="rental", address=f"x{i}", adcode="350203010")
        job = make_job(cast.landlord_a, p, f"{i}号")
    call = api(getattr(cast, who))
    with django_assert_max_num_queries(14):
        response = call("get", url.format(job=job.pk) + "?limit=100")
    assert response.status_code == 200 and response.json()["count"] > 3


def test_it_rate_limits_roster_submissions_per_account(api, cast):
    from django.core.cache import cache

    from pingan.screening.api import SUBMIT_RATE

    cache.clear()
    limit = int(SUBMIT_RATE.split("/")[0])
    call = api(cast.landlord_a)
    statuses = [call("post", "/api/v1/jobs", data={"premises_id": cast.premises_a.pk,
                                                   "roster": SimpleUploadedFile("r.csv", roster_bytes())}).status_code
                for _ in range(limit + 1)]
    assert statuses[:limit] == [201] * limit and statuses[limit] == 429


@pytest.mark.parametrize("url", ["/api/v1/jobs", "/api/v1/premises", "/api/v1/flagged", "/api/v1/audit"])
def test_it_refuses_a_page_larger_than_the_maximum(api, cast, url):
    # A user fetched 100,000 rows (18 MB) in one response: limit is capped at NINJA_PAGINATION_MAX_LIMIT.
    from django.conf import settings

    cap = settings.NINJA_PAGINATION_MAX_LIMIT
    call = api(cast.auditor if url.endswith("audit") else cast.analyst)
    assert call("get", f"{url}?limit={cap}").status_code == 200
    too_many = call("get", f"{url}?limit={cap + 1}")
    assert too_many.status_code == 422 and too_many["Content-Type"] == "application/problem+json"
    [error] = too_many.json()["errors"]
    assert error["loc"] == ["query", "limit"] and error["ctx"] == {"le": cap}
