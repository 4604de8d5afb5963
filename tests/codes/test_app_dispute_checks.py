"""Correction requests (纠错) are checked before they reach the station (issue 11, landlord trial item 4).

The trial sent a one-letter request, the same request twice, and a request on a revoked code; all three were
accepted and queued. Now the text has a length (5 to 2,000 characters), the same open request is refused with
the date it was sent, and a code a newer one replaced, a revoked, suspended, expired or never-issued code each
get a refusal that says what to do instead — on the page in the viewer's language, in the API as a stable
code; the page offers the form only for a live code and says why not otherwise.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import Dispute, SafetyCode
from pingan.core.errors import DomainError

pytestmark = pytest.mark.usefixtures("isolated")

API = "/api/v1/codes"
LANGUAGES = ("zh-hans", "en")
TEXT = "黄码人员已离职，名单已更新"


@pytest.fixture
def issued(cast):
    screened(cast.premises_a, ["green", "yellow"])
    return services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)


def refusal(**kw) -> DomainError:
    with pytest.raises(DomainError) as err:
        services.dispute_open(**kw)
    return err.value


def test_length_duplicates_and_the_code_are_checked(cast, issued):
    owner = {"premises": cast.premises_a, "actor": cast.landlord_a}
    assert refusal(text="x", **owner).message_id == "text_too_short"
    assert refusal(text="错" * 2001, **owner).message_id == "text_too_long"
    first = services.dispute_open(text=TEXT, code_id=issued.code_id, **owner)
    again = refusal(text=f"  {TEXT} ", **owner)  # the same words, other spacing
    assert (again.code, again.extra) == ("dispute_duplicate", {"dispute_id": first.pk})
    services.dispute_open(text="另一名租户也已搬离", **owner)  # another request is another request
    # once the station answered, the same text may be sent again
    services.dispute_resolve(dispute=first, upheld=False, outcome="名单未更新", actor=cast.officer_a)
    assert services.dispute_open(text=TEXT, **owner).pk != first.pk


def test_a_replaced_revoked_suspended_or_expired_code_is_not_disputed(cast, issued):
    owner = {"premises": cast.premises_a, "actor": cast.landlord_a, "text": TEXT}
    screened(cast.premises_a, ["green", "yellow", "red"])
    newer = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    err = refusal(code_id=issued.code_id, **owner)
    assert err.code == "dispute_code_superseded" and err.extra == {"current_code_id": newer.code_id}
    SafetyCode.objects.filter(pk=newer.pk).update(expires_at=newer.issued_at)
    assert refusal(**owner).code == "dispute_code_expired"
    services.safety_code_revoke(code=newer, reason="error", actor=cast.officer_a)
    err = refusal(**owner)
    assert (err.code, err.message_id) == ("dispute_no_code", "dispute_code_revoked")
    assert refusal(premises=cast.premises_b, actor=cast.landlord_b, text=TEXT).message_id == "dispute_never_issued"
    assert not Dispute.objects.exists()


def test_the_api_refuses_with_stable_codes(client, cast, issued):
    sign_in(client, cast.landlord_a)
    url = f"{API}/premises/{cast.premises_a.pk}/disputes"
    short = client.post(url, {"text": "x"}, content_type="application/json")
    assert short.status_code == 400 and short.json()["code"] == "text_required"
    ok = client.post(url, {"text": TEXT, "code_id": issued.code_id}, content_type="application/json")
    assert ok.status_code == 201
    dup = client.post(url, {"text": TEXT}, content_type="application/json")
    assert dup.status_code == 400 and dup.json()["code"] == "dispute_duplicate"
    assert dup.json()["dispute_id"] == ok.json()["id"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_says_why_in_the_viewers_language(cast, issued, client, language):
    sign_in(client, cast.landlord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("codes:premises", args=[cast.premises_a.pk])
    form = re.search(r'<section class="card" id="dispute">.*?</section>', client.get(url).content.decode(), re.S)[0]
    assert f'name="code_id" value="{issued.code_id}"' in form and 'minlength="5"' in form
    post = reverse("codes:dispute", args=[cast.premises_a.pk])
    said = client.post(post, {"text": "x", "code_id": issued.code_id}, follow=True).content.decode()
    assert ("至少 5 个字" in said) if language == "zh-hans" else ("in at least 5" in said)
    client.post(post, {"text": TEXT, "code_id": issued.code_id})
    said = client.post(post, {"text": TEXT, "code_id": issued.code_id}, follow=True).content.decode()
    assert ("已于" in said and "相同的纠错申请" in said) if language == "zh-hans" else "already sent this" in said
    assert Dispute.objects.count() == 1
    # a form from an old tab after a new screening replaced the code
    screened(cast.premises_a, ["green", "yellow", "red"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    said = client.post(post, {"text": "红码人员是误报", "code_id": issued.code_id}, follow=True).content.decode()
    assert ("已于" in said and "红码取代" in said) if language == "zh-hans" else "was replaced on" in said
    # a revoked code: no form, and why
    services.safety_code_revoke(code=services.current_code(cast.premises_a), reason="error", actor=cast.officer_a)
    section = re.search(r'<section class="card" id="dispute">.*?</section>', client.get(url).content.decode(),
                        re.S)[0]
    assert "<form" not in section and 'class="muted no-dispute"' in section
    assert ("已撤销" in section) if language == "zh-hans" else "was revoked" in section
    assert Dispute.objects.count() == 1
