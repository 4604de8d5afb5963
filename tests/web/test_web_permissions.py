"""Permission matrix: every page and endpoint × every role of the cast × own/other jurisdiction.

Station A's job and person are the objects; landlord_a owns them, officer_a/chief_a are A's police,
officer_b is B's, the analyst sees the whole bureau. Anonymous visitors go to sign-in (pages) or get 401 (API).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from web_support import roster_bytes, sign_in

pytestmark = pytest.mark.django_db

ROLES = ["admin", "auditor", "analyst", "chief_a", "officer_a", "officer_b", "landlord_a", "landlord_b",
         "enterprise", "citizen"]
POLICE_A = {"analyst", "chief_a", "officer_a"}
SUBMITTERS = {"landlord_a", "landlord_b", "enterprise"}
POLICE = {"analyst", "chief_a", "officer_a", "officer_b"}


def expect(ok: set[str], hidden: set[str] = frozenset(), ok_status: int = 200) -> dict[str, int]:
    """ok → ``ok_status``; hidden (may use the page, may not see this object) → 404; the rest → 403."""
    return {r: ok_status if r in ok else 404 if r in hidden else 403 for r in ROLES}


# (name, url template, expected status per role) — {job} and {person}, {premises} are station A's
PAGES = [
    ("submitter home", "/screening/", expect(SUBMITTERS)),
    ("register premises", "/screening/premises/new/", expect(SUBMITTERS)),
    ("upload", "/screening/upload/", expect(SUBMITTERS)),
    ("template", "/screening/template.xlsx", expect(SUBMITTERS)),
    ("job", "/screening/jobs/{job}/", {r: 200 if r in POLICE_A | {"landlord_a"} else 404 for r in ROLES}),
    ("job csv", "/screening/jobs/{job}/results.csv",
     {r: 200 if r in POLICE_A | {"landlord_a"} else 404 for r in ROLES}),
    ("jurisdiction", "/police/", expect(POLICE)),
    ("police premises", "/police/premises/{premises}/", expect(POLICE_A, {"officer_b"})),
    ("police person", "/police/persons/{person}/", expect(POLICE_A, {"officer_b"})),
    ("overview", "/police/overview/", expect({"analyst", "chief_a"})),
]

API = [
    ("jobs", "/api/v1/jobs", {r: 200 for r in ROLES}),
    ("job", "/api/v1/jobs/{job}", {r: 200 if r in POLICE_A | {"landlord_a"} else 404 for r in ROLES}),
    ("results", "/api/v1/jobs/{job}/results", {r: 200 if r in POLICE_A | {"landlord_a"} else 404 for r in ROLES}),
    ("export", "/api/v1/jobs/{job}/export?format=xlsx",
     {r: 200 if r in POLICE_A | {"landlord_a"} else 404 for r in ROLES}),
    ("flagged", "/api/v1/flagged", expect(POLICE)),
    ("person", "/api/v1/persons/{person}", expect(POLICE_A, {"officer_b"})),
    ("jurisdiction premises", "/api/v1/jurisdiction/premises", expect(POLICE)),
]


@pytest.fixture
def objects(screened):
    from pingan.screening.models import PersonResult

    job_a = screened[0]
    return {"job": job_a.pk, "premises": job_a.premises_id,
            "person": PersonResult.objects.filter(job=job_a, status="accepted").first().pk}


# One test per page or endpoint walks every role (building the cast once per test keeps the matrix fast);
# the failure message lists every role that got the wrong status.


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_it_allows_each_page_only_to_the_right_roles_and_jurisdiction(client, cast, objects, name, url, expected):
    got = {}
    for role in ROLES:
        sign_in(client, getattr(cast, role))
        got[role] = client.get(url.format(**objects)).status_code
    assert got == expected, {r: (got[r], expected[r]) for r in ROLES if got[r] != expected[r]}


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_it_sends_anonymous_visitors_to_sign_in(client, objects, name, url, expected):
    response = client.get(url.format(**objects))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", sorted(POLICE))
def test_it_asks_police_for_the_purpose_of_use_first(client, cast, objects, role):
    client.force_login(getattr(cast, role), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/police/")
    assert response.status_code == 302 and response["Location"].startswith("/purpose/?next=/police/")


@pytest.fixture
def tokens(cast):
    from pingan.core.services import token_create

    return {r: token_create(user=getattr(cast, r), name="test", purpose="epidemic_screening").secret
            for r in ROLES}


@pytest.mark.parametrize(("name", "url", "expected"), API, ids=[a[0] for a in API])
def test_it_allows_each_endpoint_only_to_the_right_roles_and_jurisdiction(client, tokens, objects, name, url,
                                                                          expected):
    got = {}
    for role in ROLES:
        response = client.get(url.format(**objects), HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", (role, name)
    assert got == expected, {r: (got[r], expected[r]) for r in ROLES if got[r] != expected[r]}


@pytest.mark.parametrize(("name", "url", "expected"), API, ids=[a[0] for a in API])
def test_it_refuses_anonymous_api_calls(client, objects, name, url, expected):
    response = client.get(url.format(**objects))
    assert response.status_code == 401 and response.json()["code"] == "unauthorised"


SUBMIT = {"landlord_a": 201, "landlord_b": 404, "enterprise": 404}


def test_it_lets_only_the_owner_submit_a_roster_for_a_premises(client, cast, tokens):
    got = {}
    for role in ROLES:
        response = client.post("/api/v1/jobs", {"premises_id": cast.premises_a.pk,
                                                "roster": SimpleUploadedFile("r.csv", roster_bytes())},
                               HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
        got[role] = response.status_code
    assert got == {r: SUBMIT.get(r, 403) for r in ROLES}


def test_it_lists_only_the_jobs_of_the_callers_jurisdiction(client, cast, tokens, screened):
    ja, jb = screened
    visible = {"landlord_a": {ja.pk}, "landlord_b": {jb.pk}, "officer_a": {ja.pk}, "chief_a": {ja.pk},
               "officer_b": {jb.pk}, "analyst": {ja.pk, jb.pk}}
    for role in ROLES:
        response = client.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
        assert {j["id"] for j in response.json()["items"]} == visible.get(role, set()), role


def test_it_shows_an_officer_only_the_stations_premises_and_people_on_the_page(client, cast, screened):
    sign_in(client, cast.officer_a)
    html = client.get("/police/").content.decode()
    assert cast.premises_a.name in html and "甲红" in html
    assert cast.premises_b.name not in html and "乙红" not in html
    sign_in(client, cast.officer_b)
    html = client.get("/police/").content.decode()
    assert cast.premises_b.name in html and "乙红" in html
    assert cast.premises_a.name not in html and "甲红" not in html
