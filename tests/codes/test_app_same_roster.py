"""The same roster again keeps the poster (issue 11): a landlord who uploads the roster the code was issued from
once more — the same people, each with the same result, in any order — keeps the live code and the poster on the
door; a roster with other people (even as many, at the same level) or another result for anyone supersedes it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from derived_support import RED_ID, TENANTS, import_risk, run
from django.urls import reverse
from django.utils import timezone
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import SafetyCode
from pingan.codes.token import Status
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.usefixtures("isolated")

RED = ("张伟", RED_ID)


@pytest.fixture
def risk(db, tmp_path):
    return import_risk(tmp_path)


def live(premises) -> SafetyCode:
    return SafetyCode.objects.get(premises=premises, revoked_at__isnull=True)


def in_list(code: SafetyCode) -> bool:
    from pingan.codes.revocation import RevocationList

    rl = RevocationList.verify(services.revocation_list_current(issuer=code.issuer).data, services.trust_store())
    return bytes.fromhex(code.code_id) in rl.entries


def test_the_same_roster_again_keeps_the_code_and_its_poster(cast, risk, client):
    people = [*TENANTS[:5], RED]
    first = run(cast.premises_a, people)
    code = live(cast.premises_a)
    assert (code.level, code.people, code.job_id) == ("red", 6, first.pk)
    again = run(cast.premises_a, list(reversed(people)))  # re-sorted in Excel: the same roster
    assert SafetyCode.objects.filter(premises=cast.premises_a).count() == 1
    kept = live(cast.premises_a)
    assert kept.pk == code.pk and kept.token == code.token and kept.expires_at == code.expires_at
    assert kept.job_id == again.pk  # the latest screening's code now, on every page and in the API
    assert services.safety_code_verify(code.token).status is Status.VALID and not in_list(code)
    assert AuditRecord.objects.filter(action="keep", object_id=code.code_id, detail__job=again.pk,
                                      detail__previous_job=first.pk).exists()
    assert not AuditRecord.objects.filter(action="issue").exclude(object_id=code.code_id).exists()
    # the landlord is told the poster stays, on the code's page and on the new screening's page
    sign_in(client, cast.landlord_a)
    client.cookies["django_language"] = "en"
    for url in (reverse("codes:premises", args=[cast.premises_a.pk]), reverse("screening:job", args=[again.pk])):
        page = client.get(url).content.decode()
        assert 'id="code-kept"' in page and 'id="old-poster"' not in page, url
        assert "the poster on the door stay valid" in page
    # the first screening's page still shows the code issued from it, live
    page = client.get(reverse("screening:job", args=[first.pk])).content.decode()
    assert re.search(r'data-this-code="live"', page)
    api = client.get(f"/api/v1/codes/premises/{cast.premises_a.pk}/current").json()
    assert api["code_id"] == code.code_id and api["job_id"] == again.pk


def test_a_roster_with_one_person_swapped_supersedes_the_code_though_count_and_level_stay(cast, risk):
    run(cast.premises_a, TENANTS[:5])
    code = live(cast.premises_a)
    swapped = run(cast.premises_a, [*TENANTS[:4], TENANTS[7]])  # 5 green people again, one of them another
    new = live(cast.premises_a)
    assert new.pk != code.pk and (new.level, new.people, new.job_id) == ("green", 5, swapped.pk)
    code.refresh_from_db()
    assert code.revocation_reason == "rescreened" and in_list(code)


def test_the_same_roster_after_the_code_expired_gets_a_new_code(cast, risk):
    run(cast.premises_a, TENANTS[:5])
    code = live(cast.premises_a)
    SafetyCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    run(cast.premises_a, TENANTS[:5])
    assert live(cast.premises_a).pk != code.pk


def test_a_renamed_premises_gets_a_new_code_for_the_same_roster(cast, risk):
    run(cast.premises_a, TENANTS[:5])
    code = live(cast.premises_a)
    cast.premises_a.__class__.objects.filter(pk=cast.premises_a.pk).update(name="改名后的出租屋")
    cast.premises_a.refresh_from_db()
    run(cast.premises_a, TENANTS[:5])
    new = live(cast.premises_a)
    assert new.pk != code.pk and services.code_claims(new).premises_name == "改名后的出租屋"
