"""Renewing is not re-issuing (issue 11, landlord trial item 5).

"Renew from the latest screening" issued a new code from the screening behind the live one: the poster on the
door read as withdrawn for nothing, and a 5-minute special case (``REISSUE_UNSEEN``) hid the "replace your
poster" notice that followed. Now every path that issues codes for a premises — the page, the API, ``pingan
code issue`` and ``pingan demo`` — returns the live code while it is unexpired and that screening's, the card
offers no renew button then, and a code renewed after expiry is a new code.
"""

from __future__ import annotations

import re

import pytest
from derived_support import RED_ID, TENANTS, import_risk, run
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from test_app_support import isolated, run_code_command, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import SafetyCode
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.usefixtures("isolated")

LANGUAGES = ("zh-hans", "en")


@pytest.fixture
def risk(db, tmp_path):
    return import_risk(tmp_path)


def page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_service_returns_the_live_code_of_the_same_screening(cast, risk):
    run(cast.premises_a, TENANTS[:3])
    live = services.current_code(cast.premises_a)
    issues = AuditRecord.objects.filter(action="issue").count()
    again = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert again.pk == live.pk and again.issued_now is False
    assert SafetyCode.objects.filter(premises=cast.premises_a).count() == 1
    assert AuditRecord.objects.filter(action="issue").count() == issues  # nothing issued, nothing recorded
    # police renewing it get the same answer
    assert services.safety_code_issue(premises=cast.premises_a, actor=cast.officer_a).pk == live.pk


def test_a_new_screening_or_an_expired_code_still_renews(cast, risk):
    run(cast.premises_a, TENANTS[:3])
    first = services.current_code(cast.premises_a)
    SafetyCode.objects.filter(pk=first.pk).update(expires_at=first.issued_at)  # expired
    renewed = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert renewed.pk != first.pk and renewed.issued_now is True and renewed.job_id == first.job_id
    # a newer screening with other people is a new code (automatically, when it finished)
    run(cast.premises_a, [*TENANTS[:3], ("张伟", RED_ID)])
    assert services.current_code(cast.premises_a).level == "red"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_says_there_is_nothing_to_renew_and_keeps_the_poster(cast, risk, client, language):
    run(cast.premises_a, TENANTS[:3])
    live = services.current_code(cast.premises_a)
    sign_in(client, cast.landlord_a)
    url = reverse("codes:premises", args=[cast.premises_a.pk])
    text = page(client, url, language)
    assert reverse("codes:issue", args=[cast.premises_a.pk]) not in text  # no renew button for the live code
    assert 'class="muted code-renew"' in text
    # a form sent anyway (an old tab) renews nothing and says so in the viewer's language
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = client.post(reverse("codes:issue", args=[cast.premises_a.pk]), follow=True).content.decode()
    assert list(SafetyCode.objects.filter(premises=cast.premises_a)) == [live]
    assert 'id="old-poster"' not in text
    said = re.sub(r"<[^>]+>", " ", text)
    assert ("无需续签" in said) if language == "zh-hans" else ("nothing to renew" in said)
    # once it expired the button is back
    SafetyCode.objects.filter(pk=live.pk).update(expires_at=live.issued_at)  # expired
    assert reverse("codes:issue", args=[cast.premises_a.pk]) in page(client, url, language)


def test_the_api_answers_200_with_the_live_code_and_201_for_a_new_one(cast, risk, client):
    from pingan.core.services import token_create

    run(cast.premises_a, TENANTS[:3])
    live = services.current_code(cast.premises_a)
    secret = token_create(user=cast.landlord_a, name="t").secret
    url = f"/api/v1/codes/premises/{cast.premises_a.pk}/issue"
    same = client.post(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert same.status_code == 200 and same.json()["code_id"] == live.code_id
    SafetyCode.objects.filter(pk=live.pk).update(expires_at=live.issued_at)  # expired
    new = client.post(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert new.status_code == 201 and new.json()["code_id"] != live.code_id


def test_the_command_line_says_it_did_not_reissue(cast, risk):
    run(cast.premises_a, TENANTS[:3])
    live = services.current_code(cast.premises_a)
    with translation.override("en"):  # the command's language (pingan activates it from the locale)
        out = run_code_command("issue", str(cast.premises_a.pk))
    assert "not re-issued" in out and live.code_id.upper() in out  # code numbers are shown in capitals
    out = run_code_command("issue", str(cast.premises_a.pk))
    assert "未重新签发" in out and live.code_id.upper() in out
    assert SafetyCode.objects.filter(premises=cast.premises_a).count() == 1
