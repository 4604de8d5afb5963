"""The API's answers to the requests schemathesis once found 500s with, and to their families: each is a
problem document with a status the OpenAPI document declares for the operation."""

from __future__ import annotations

import json

import pytest
from web_support import make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def h(cast):
    from pingan.core.services import token_create

    def headers(user) -> dict:
        secret = token_create(user=user, name="t", purpose="case_investigation").secret
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return headers


@pytest.fixture
def declared(client):
    doc = client.get("/api/openapi.json").json()

    def statuses(path: str, method: str) -> set[int]:
        return {int(s) for s in doc["paths"][path][method]["responses"] if s.isdigit()}

    return statuses


def problem(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.content[:300]
    assert r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["code"] == code and body["type"].endswith(code)
    return body


def test_exporting_a_job_that_is_not_done_is_a_problem_not_a_500(client, cast, h, declared):
    job = make_job(cast.landlord_a, cast.premises_a, "甲")
    job.status, job.is_latest = "running", False
    job.save(update_fields=["status", "is_latest"])
    # 409 Conflict: the request is right, the job is not there yet (the trial's 400 read as a client mistake)
    body = problem(client.get(f"/api/v1/jobs/{job.pk}/export", **h(cast.landlord_a)), 409, "job_not_done")
    assert body["job_status"] == "running"  # its own member; "status" stays the HTTP status
    assert 409 in declared("/api/v1/jobs/{job_id}/export", "get")


@pytest.mark.parametrize("offset", [2**63, 2**64 + 5, 10**30])
def test_an_offset_beyond_what_a_database_takes_is_422(client, cast, h, offset, declared):
    r = client.get("/api/v1/premises", {"offset": offset}, **h(cast.analyst))
    problem(r, 422, "invalid_request")
    assert 422 in declared("/api/v1/premises", "get")
    assert client.get("/api/v1/premises", {"offset": 2**63 - 1}, **h(cast.analyst)).json()["items"] == []


@pytest.mark.parametrize("path", ["/api/v1/jobs/{n}", "/api/v1/persons/{n}", "/api/v1/premises/{n}",
                                  "/api/v1/codes/premises/{n}/current"])
@pytest.mark.parametrize("n", [2**63, 10**30, -(2**63) - 1])
def test_an_id_beyond_bigint_is_not_found(client, cast, h, path, n):
    r = client.get(path.format(n=n), **h(cast.analyst))
    assert r.status_code in (404, 422) and r["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("query", [{"person": "张\x00伟"}, {"actor": "a\x00"}, {"action\x00": "x"},
                                   {"object_id": "\x00"}])
def test_a_nul_in_a_query_string_is_400(client, cast, h, query, declared):
    problem(client.get("/api/v1/audit", query, **h(cast.auditor)), 400, "bad_request")
    assert 400 in declared("/api/v1/audit", "get")


@pytest.mark.parametrize("text", ['{"text": "PA1:\\u0000"}', '{"text": "a\\ud800b"}', '{"te\\u0000xt": "x"}',
                                  '{"text": ["\\u0000"]}'])
def test_a_nul_or_lone_surrogate_in_json_is_400(client, text, declared):
    r = client.post("/api/v1/codes/verify", text, content_type="application/json")
    problem(r, 400, "bad_request")
    assert 400 in declared("/api/v1/codes/verify", "post")


def test_json_with_an_escaped_backslash_before_u0000_is_fine(client):
    r = client.post("/api/v1/codes/verify", json.dumps({"text": "\\u0000 is six characters"}),
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["valid"] is False


def test_nul_in_pages_is_400_too(client, cast):
    from web_support import sign_in

    sign_in(client, cast.chief_a)
    assert client.get("/police/", {"days": "7\x00"}).status_code == 400
    url = f"/codes/premises/{cast.premises_a.pk}/override/"
    assert client.post(url, {"level": "red", "reason": "x\x00y"}).status_code == 400  # multipart
    r = client.post(url, "level=red&reason=x%00y", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400


def test_a_session_request_without_csrf_is_a_problem_and_one_without_a_session_is_401(client, cast):
    from django.test import Client

    assert problem(client.post("/api/v1/premises", "{}", content_type="application/json"), 401, "unauthorised")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")
    problem(strict.post("/api/v1/premises", "{}", content_type="application/json"), 403, "csrf_failed")


def test_every_operation_declares_its_errors_as_problem_documents(client):
    doc = client.get("/api/openapi.json").json()
    assert "ProblemOut" in doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            codes = {int(s) for s in op["responses"]}
            assert 400 in codes, (method, path)
            # every operation reads the database: busy, it answers 503 with Retry-After (issue 11: undeclared)
            assert 503 in codes and "Retry-After" in op["responses"]["503"]["headers"], (method, path)
            if op.get("security"):
                assert {401, 403, 404} <= codes, (method, path)
            if "{" in path:
                assert 404 in codes, (method, path)
            if op.get("parameters") or op.get("requestBody"):
                assert 422 in codes, (method, path)
            for status in codes - {200, 201, 202, 204, 304}:
                if status < 400:
                    continue
                assert "application/problem+json" in op["responses"][str(status)]["content"], (method, path, status)


def test_every_paginated_operation_bounds_its_offset(client):
    """Every app's lists page with ``core.apiutil.Pagination``: ninja's own pagination leaves ``offset``
    unbounded, and an offset beyond PostgreSQL's bigint was a 500."""
    doc = client.get("/api/openapi.json").json()
    offsets = [(path, p) for path, item in doc["paths"].items() for op in item.values()
               for p in op.get("parameters", []) if p["name"] == "offset"]
    assert len(offsets) >= 10
    for path, p in offsets:
        assert p["schema"].get("maximum") == 2**63 - 1, path


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names each schema by its class name: two apps' ``UnitOut`` made one of them
    describe the other's responses (schemathesis: /me answered without the stats unit's ``parent``)."""
    from ninja import Schema

    import pingan.config.api  # noqa: F401 - every app's schemas imported

    seen: dict[str, str] = {}
    todo = list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith("pingan."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        assert seen.setdefault(cls.__name__, where) == where, f"{where} and {seen[cls.__name__]}"
