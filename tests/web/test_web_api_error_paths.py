"""Every way an API request can fail answers an RFC 9457 problem document in the request's language, never a
page: the review found a busy SQLite database answering ``/api/…`` the site's HTML 503 page. The family: the
database busy (503), an unhandled failure (500), an unknown route under ``/api/`` (404), a method an operation
does not take (405), Django's CSRF check, ``Http404``/``PermissionDenied`` raised in an operation, the rate
limits (429 with ``Retry-After``), the refusals before any view (a NUL in the request, a body over the limit)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def bearer(cast):
    from pingan.core.services import token_create

    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=cast.landlord_a, name='t').secret}"}


@pytest.fixture
def lenient():
    from django.test import Client

    return Client(raise_request_exception=False)


def problem(r, status: int, code: str, language: str) -> dict:
    assert r.status_code == status and r["Content-Type"] == "application/problem+json", r.content[:300]
    body = r.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"https://pingan.invalid/problems/{code}"
    said = body["title"] + body["detail"]
    assert bool(CJK.search(said)) == (language == "zh-hans"), said
    return body


LANGUAGES = ["zh-hans", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_busy_database_answers_the_api_a_problem_saying_to_try_again(lenient, bearer, monkeypatch, language):
    from django.db import OperationalError

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("pingan.core.selectors.premises_list", locked)
    r = lenient.get("/api/v1/premises", HTTP_ACCEPT_LANGUAGE=language, **bearer)
    body = problem(r, 503, "busy", language)
    assert r["Retry-After"] == "30"
    assert ("系统正忙" if language == "zh-hans" else "The site is busy") == body["title"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_busy_session_store_answers_the_api_a_problem_too(lenient, cast, monkeypatch, language):
    # the failure comes before the view and before LocaleMiddleware has chosen the language
    from django.db import OperationalError

    lenient.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("pingan.core.sessions.SessionStore.load", locked)
    problem(lenient.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE=language), 503, "busy", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unhandled_failure_is_a_500_problem(lenient, bearer, monkeypatch, language):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("pingan.core.selectors.premises_list", broken)
    r = lenient.get("/api/v1/premises", HTTP_ACCEPT_LANGUAGE=language, **bearer)
    body = problem(r, 500, "server_error", language)
    assert "a bug" not in body["detail"] and not r.has_header("Retry-After")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v2/premises", "/api/"])
def test_an_unknown_route_under_api_is_a_404_problem(client, path, language):
    body = problem(client.get(path, HTTP_ACCEPT_LANGUAGE=language), 404, "not_found", language)
    assert "/api/docs" in body["detail"]


def test_an_unknown_page_outside_the_api_is_still_the_page(client):
    r = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_method_an_operation_does_not_take_is_a_405_problem_with_allow(client, bearer, language):
    r = client.put("/api/v1/me", HTTP_ACCEPT_LANGUAGE=language, **bearer)
    body = problem(r, 405, "method_not_allowed", language)
    assert r["Allow"] == "GET" and "PUT" in body["detail"] and "GET" in body["detail"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_djangos_csrf_check_under_api_is_a_problem(cast, language):
    # /api/openapi.json is a plain Django view (ninja's operations make their own CSRF check)
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")
    problem(strict.post("/api/openapi.json", HTTP_ACCEPT_LANGUAGE=language), 403, "csrf_failed", language)
    problem(strict.post("/api/v1/premises", "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language),
            403, "csrf_failed", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_http404_and_permission_denied_raised_in_an_operation_are_problems(lenient, bearer, monkeypatch, language):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    def missing(*args, **kwargs):
        raise Http404("no such premises")

    def refused(*args, **kwargs):
        raise PermissionDenied("not yours")

    monkeypatch.setattr("pingan.core.selectors.premises_list", missing)
    problem(lenient.get("/api/v1/premises", HTTP_ACCEPT_LANGUAGE=language, **bearer), 404, "not_found", language)
    monkeypatch.setattr("pingan.core.selectors.premises_list", refused)
    problem(lenient.get("/api/v1/premises", HTTP_ACCEPT_LANGUAGE=language, **bearer), 403, "permission_denied",
            language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_verification_rate_limit_is_a_problem_with_retry_after(client, settings, language):
    settings.PINGAN = {**settings.PINGAN, "VERIFY_RATE_PER_MINUTE": 1}
    client.post("/api/v1/codes/verify", {"text": "x"}, content_type="application/json")
    r = client.post("/api/v1/codes/verify", {"text": "x"}, content_type="application/json",
                    HTTP_ACCEPT_LANGUAGE=language)
    problem(r, 429, "rate_limited", language)
    assert 1 <= int(r["Retry-After"]) <= 60


@pytest.mark.parametrize("language", LANGUAGES)
def test_refusals_before_any_view_are_problems_in_the_requests_language(client, settings, language):
    problem(client.get("/api/v1/premises", {"q": "a\x00b"}, HTTP_ACCEPT_LANGUAGE=language), 400, "bad_request",
            language)
    settings.PINGAN = {**settings.PINGAN, "MAX_UPLOAD_BYTES": 1024}
    body = problem(client.post("/api/v1/premises", "x" * 4 * 2**20, content_type="application/json",
                               HTTP_ACCEPT_LANGUAGE=language), 413, "upload_too_large", language)
    assert body["limit"] == 1024 and body["size"] == 4 * 2**20
