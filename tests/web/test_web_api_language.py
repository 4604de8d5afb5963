"""The API's problem documents and the verification's verdict speak the request's language (issue 11: with
``Accept-Language: zh-Hans`` the title and detail came back English — "Cannot parse request body" with no
position, 422 "Field required", 401 "a valid API token or session is required" — and ``/codes/verify`` said why
only in the verifier's English). ``Accept-Language`` first, then the site's default (Chinese); ``type`` and
``code`` stay the stable English identifiers, and ``errors`` keeps pydantic's own entries for programs."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def bearer(cast):
    from pingan.core.services import token_create

    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=cast.landlord_a, name='t').secret}"}


def problem(r, status: int, code: str) -> dict:
    assert r.status_code == status and r["Content-Type"] == "application/problem+json", r.content[:300]
    body = r.json()
    assert body["code"] == code and body["type"] == f"https://pingan.invalid/problems/{code}"
    return body


@pytest.mark.parametrize(("accept", "chinese"), [("zh-Hans", True), ("zh-CN,zh;q=0.9", True), ("en", False),
                                                 (None, True)])
def test_a_body_that_is_not_json_says_where_in_the_requests_language(client, bearer, accept, chinese):
    headers = {**bearer, **({"HTTP_ACCEPT_LANGUAGE": accept} if accept else {})}
    r = client.post("/api/v1/premises", data='{"name": "x",\n "kind" "rental"}', content_type="application/json",
                    **headers)
    body = problem(r, 400, "bad_request")
    assert body["line"] == 2 and body["column"] == 9
    assert ("第 2 行第 9 列" in body["detail"]) if chinese else ("line 2, column 9" in body["detail"]), body
    assert bool(CJK.search(body["title"])) == chinese and bool(CJK.search(body["detail"])) == chinese, body
    assert "Cannot parse" not in body["detail"]


def test_a_missing_field_is_named_in_the_requests_language(client, bearer):
    r = client.post("/api/v1/premises", data={"name": "x", "kind": "rental", "address": "y"},
                    content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-Hans", **bearer)
    body = problem(r, 422, "invalid_request")
    assert "adcode：必填" in body["detail"] and "Field required" not in body["detail"], body["detail"]
    assert body["errors"][0]["msg"] == "Field required"  # pydantic's own, for programs
    r = client.post("/api/v1/premises", data={"name": "x"}, content_type="application/json",
                    HTTP_ACCEPT_LANGUAGE="en", **bearer)
    assert "adcode: is required" in problem(r, 422, "invalid_request")["detail"]


def test_no_token_is_said_in_the_requests_language(client):
    zh = problem(client.get("/api/v1/premises", HTTP_ACCEPT_LANGUAGE="zh-Hans"), 401, "unauthorised")
    en = problem(client.get("/api/v1/premises", HTTP_ACCEPT_LANGUAGE="en"), 401, "unauthorised")
    assert CJK.search(zh["title"]) and CJK.search(zh["detail"]) and "API 令牌" in zh["detail"]
    assert en["title"] == "Not signed in" and "API token" in en["detail"]


def test_a_domain_error_says_the_pages_words(client, cast, bearer):
    r = client.post("/api/v1/premises", data={"name": "x", "kind": "rental", "address": "y", "adcode": "999999"},
                    content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-Hans", **bearer)
    body = r.json()
    assert r.status_code >= 400 and CJK.search(body["detail"]) and CJK.search(body["title"]), body


def test_the_verification_says_its_verdict_in_the_requests_language(client):
    zh = client.post("/api/v1/codes/verify", data={"text": "PA1:xx"}, content_type="application/json",
                     HTTP_ACCEPT_LANGUAGE="zh-Hans").json()
    en = client.post("/api/v1/codes/verify", data={"text": "PA1:xx"}, content_type="application/json",
                     HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["status"] == en["status"] == "malformed" and zh["reason"] == en["reason"]  # stable for programs
    assert zh["message"].startswith("这不是完整的平安码") and en["message"].startswith("This is not a complete")


def test_refusals_an_api_client_meets_are_said_in_the_requests_language(client, cast, bearer):
    """Issue 11: a DomainError without a page message kept its English detail for a Chinese request — an unknown
    X-Purpose, the audit search, the statistics endpoints' roles. English keeps the API's own message."""
    from pingan.core.services import token_create

    secret = token_create(user=cast.officer_a, name="t", purpose="case_investigation").secret
    officer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for lang, said in (("zh-Hans", "“tea”不是使用目的：请填写 "), ("en", "X-Purpose 'tea' is not a purpose of use")):
        body = problem(client.get("/api/v1/premises", HTTP_X_PURPOSE="tea", HTTP_ACCEPT_LANGUAGE=lang, **officer),
                       400, "bad_purpose")
        assert body["detail"].startswith(said), body["detail"]
        assert "purposes" in body  # the codes, for programs
    for url, zh, en in (
        ("/api/v1/audit", "只有审计员可以检索审计记录。", "only auditors may search the audit trail"),
        ("/api/v1/stats/units", "只有公安账号可以查看统计数据。", "only police accounts see statistics"),
    ):
        assert problem(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans", **bearer), 403, "permission_denied")[
            "detail"] == zh
        assert problem(client.get(url, HTTP_ACCEPT_LANGUAGE="en", **bearer), 403, "permission_denied")["detail"] == en
