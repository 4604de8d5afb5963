"""One account of how a suspended code ended (issue 11, fresh-user trial): the code page's history said
"suspended until the police check" at 22:51, then after the release "replaced after a new screening" at 22:51,
while the screening's page said "superseded on 22:58 by the screening of gbk.csv". Now both say: suspended at
the time it was withdrawn, a new code issued at the time of the release."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from test_app_left_out import roster
from test_app_partial_roster_words import get
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import CodeReview, SafetyCode

pytestmark = pytest.mark.usefixtures("isolated")

SAID = {"zh-hans": ("自 {s} 起失效：暂停至民警核查新的筛查；{r} 签发了新码。",
                    "本次筛查的平安码已于 {s} 暂停，待民警核查新的名单；{r} 签发了新码"),
        "en": ("No longer valid since {s}: suspended until the police checked the new screening; a new code was "
               "issued {r}.", "This screening's code was suspended on {s} until the police checked a new roster; "
               "a new code was issued on {r}")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_code_page_and_the_screening_page_tell_one_account(client, cast, language):
    first, _rows = roster(cast.premises_a, ["green", "yellow"])
    old = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    roster(cast.premises_a, ["green"])  # the yellow tenant left out: suspended
    review = CodeReview.objects.get(premises=cast.premises_a, status="open", kind="suspension")
    # the police check takes a while: withdrawn at one time, replaced at another
    SafetyCode.objects.filter(pk=old.pk).update(revoked_at=timezone.now() - timedelta(minutes=7))
    services.code_review_release(review=review, actor=cast.officer_a, note="走访核实：黄码人员已搬离")
    old.refresh_from_db()
    assert old.suspended_first
    fmt = lambda t: date_format(timezone.localtime(t), "Y-m-d H:i")  # noqa: E731
    history, job = (w.format(s=fmt(old.revoked_at), r=fmt(old.superseded_at)) for w in SAID[language])
    sign_in(client, cast.landlord_a)
    page = get(client, f"/codes/premises/{cast.premises_a.pk}/", language)
    assert history in page[page.index('id="code-history"'):], page[page.index('id="code-history"'):][:2000]
    html = get(client, f"/screening/jobs/{first.pk}/", language)
    assert job in html[html.index('id="this-screening-code"'):]
