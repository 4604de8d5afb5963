"""The code card offers "Issue" / "Renew" only where the service would issue a code (issue 11 trial: "签发平安码"
was offered before any screening had finished, and pressing it answered an error), and otherwise says what to do
first, in the reader's language. The card's rule is the service's (``codes.services.issue_check``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import SafetyCode
from pingan.codes.selectors import premises_code_state
from pingan.core.errors import DomainError

pytestmark = pytest.mark.usefixtures("isolated")

ISSUE = {"zh-hans": ("签发平安码", "按最近一次筛查续签"),
         "en": ("Issue the safety code", "Renew from the latest screening")}


def page(client, premises, language: str) -> str:
    client.cookies["django_language"] = language
    html = client.get(f"/codes/premises/{premises.pk}/").content.decode()
    return html[html.index('id="safety-code"'):html.index("</section>", html.index('id="safety-code"'))]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_before_any_screening_the_card_says_to_upload_first_and_offers_no_issue(client, cast, language):
    sign_in(client, cast.landlord_a)
    card = page(client, cast.premises_a, language)
    assert f"/codes/premises/{cast.premises_a.pk}/issue/" not in card  # no issue button
    assert not any(f">{word}</button>" in card for word in ISSUE[language]), card
    assert 'id="code-first"' in card and f"/screening/upload/?premises={cast.premises_a.pk}" in card
    assert ("先上传" if language == "zh-hans" else "First upload the roster") in card
    screened(cast.premises_a, ["green"])  # a finished screening: now issuing gives a code
    card = page(client, cast.premises_a, language)
    assert f">{ISSUE[language][0]}</button>" in card and 'id="code-first"' not in card


def test_the_button_is_offered_exactly_when_the_service_issues_a_new_code(cast):
    def offered_then_issued(premises) -> tuple[bool, bool]:
        offered = premises_code_state(premises)["renewable"]
        try:
            code = services.safety_code_issue(premises=premises, actor=cast.landlord_a)
        except DomainError:  # any refusal: nothing issued
            return offered, False
        return offered, code.issued_now

    p = cast.premises_a
    assert offered_then_issued(p) == (False, False)  # never screened
    screened(p, [])  # a screening of nobody
    assert offered_then_issued(p) == (False, False)
    screened(p, ["green", "yellow"])
    assert offered_then_issued(p) == (True, True)  # the first code
    assert offered_then_issued(p) == (False, False)  # the live code is the latest screening's: nothing to renew
    SafetyCode.objects.filter(premises=p).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert offered_then_issued(p) == (True, True)  # expired: renewing issues a new one
