"""Request parameters that once chose where to go or what to render: every member of each family is refused.

* redirects: ``next`` on the purpose page, sign-in and the language switch only ever lead to a path on this site;
* templates: ``section`` on the jurisdiction page names one of its sections, never a template path.
"""

from __future__ import annotations

import pytest
from web_support import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/phish", "http://evil.example", "//evil.example/x", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "https:evil.example", " https://evil.example", "/%0d%0aSet-Cookie:x=1", "http://testserver@evil.example/",
    "mailto:x@evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_purpose_page_never_sends_an_officer_off_site(client, cast, target):
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    r = client.post("/purpose/", {"purpose": "case_investigation"}, QUERY_STRING=f"next={target}")
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.session["purpose"] == "case_investigation"


def test_the_purpose_page_returns_to_the_page_that_asked(client, cast):
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    asked = client.get("/police/?page=2&section=")
    assert asked.status_code == 302 and asked["Location"].startswith("/purpose/?next=")
    r = client.post(asked["Location"], {"purpose": "jurisdiction_management"})
    assert r["Location"] == "/police/?page=2&section="


@pytest.mark.parametrize(("lang", "said"), [("zh-hans", "请先选择查询用途"), ("en", "Choose the purpose of use")])
@pytest.mark.parametrize("posted", [{}, {"purpose": ""}, {"purpose": "curiosity"}])
def test_continue_with_no_purpose_picked_says_so_on_the_field(client, cast, lang, said, posted):
    """Issue 11: pressing Continue with nothing picked reloaded the page without a word."""
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = lang
    r = client.post("/purpose/?next=/police/", posted)
    assert r.status_code == 400
    body = r.content.decode()
    assert said in body and 'id="purpose-error"' in body and 'aria-describedby="purpose-error"' in body
    assert "purpose" not in client.session


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_and_the_language_switch_stay_on_site(client, cast, target):
    r = client.post("/login/", {"username": "officer_a", "password": PASSWORD, "next": target})
    assert r.status_code == 302 and not r["Location"].startswith(("http", "//", "/\\", "javascript", "data"))
    r = client.post("/i18n/setlang/", {"language": "en", "next": target})
    assert r.status_code == 302 and not r["Location"].startswith(("http", "//", "/\\", "javascript", "data"))


@pytest.mark.parametrize("section", ["../../core/audit", "../../base", "flagged/../../core/home", "nope",
                                     "flagged.html", "/etc/passwd", "..", "%00", "premises\x00"])
def test_the_jurisdiction_page_renders_only_its_own_sections(client, cast, section):
    sign_in(client, cast.officer_a)
    r = client.get("/police/", {"section": section}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400
    assert b"Audit trail" not in r.content and "审计".encode() not in r.content


@pytest.mark.parametrize("section", ["flagged", "premises", "stale"])
def test_the_jurisdiction_page_still_reloads_each_section(client, cast, section):
    sign_in(client, cast.officer_a)
    r = client.get("/police/", {"section": section}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and f'id="{section}-list"'.encode() in r.content
