"""A premises is its address and room; its owner renames and removes it (issue 11, landlord trial items 2, 3).

The trial registered a second flat of one building and was refused ("already registered") whatever its name;
a premises could be neither renamed nor removed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from pingan.core import services
from pingan.core.errors import DomainError, PermissionDenied
from pingan.core.models import AuditRecord, Premises, PremisesNameChange

pytestmark = pytest.mark.django_db

ADCODE = "350203010"


def register(cast, name, address, room=""):
    return services.premises_create(actor=cast.landlord_a, name=name, kind="rental", address=address, room=room,
                                    adcode=ADCODE)


def screened(premises, levels: list[str]):
    """A finished screening of ``premises`` with one accepted row per level (as tests/codes' helper)."""
    from django.utils import timezone

    from pingan.screening.models import PersonResult, ScreeningJob
    from pingan.screening.services import screening_job_latest_refresh

    now = timezone.now()
    job = ScreeningJob.objects.create(premises=premises, submitted_by=premises.owner, roster_name="r.xlsx",
                                      roster_sha256="0" * 64, status="done", as_of=now, finished_at=now,
                                      counts={"accepted": len(levels)}, ruleset_id="pingan.screening",
                                      ruleset_version="1")
    PersonResult.objects.bulk_create([PersonResult(job=job, row=i + 2, status="accepted", level=lv, name=f"租户{i}")
                                      for i, lv in enumerate(levels)])
    screening_job_latest_refresh(premises_ids=[premises.pk])
    return job


def test_two_flats_of_one_building_are_two_premises_and_a_true_duplicate_is_refused(cast):
    flat = register(cast, "301室", "思明区莲前东路1号", "2单元301室")
    assert register(cast, "302室", "思明区莲前东路1号", "2单元302室").pk != flat.pk
    with pytest.raises(DomainError) as err:  # the same flat, however it is written, under another name
        register(cast, "另一个名字", "思明区莲前东路 1 号 2单元", "301 室")
    assert err.value.code == "premises_exists" and err.value.extra == {"premises_id": flat.pk}
    # the trial's case: the building's own registration (no room) and a flat in it are different places
    assert register(cast, "整栋", "思明区莲前东路9号").room == ""
    assert register(cast, "整栋的一间", "思明区莲前东路9号", "101").room == "101"
    # the same name at another address is allowed (owners name flats alike)
    assert register(cast, "301室", "思明区莲前东路5号", "301").pk


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_refusal_links_to_the_existing_premises(client, cast, language):
    client.force_login(cast.landlord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    form = {"name": "另一个名字", "kind": "rental", "address": cast.premises_a.address, "room": "", "area": ADCODE}
    text = client.post(reverse("screening:premises_new"), form).content.decode()
    assert reverse("codes:premises", args=[cast.premises_a.pk]) in text and 'id="existing-premises"' in text
    assert ("已在此地址登记过场所" in text) if language == "zh-hans" else "registered a premises at this" in text
    assert Premises.objects.filter(owner=cast.landlord_a).count() == 1
    form["room"] = "2号铺位"
    assert client.post(reverse("screening:premises_new"), form).status_code == 302


def test_the_owner_renames_and_the_history_is_kept_and_audited(cast):
    p = services.premises_rename(actor=cast.landlord_a, premises=cast.premises_a, name="莲前公寓")
    assert Premises.objects.get(pk=p.pk).name == "莲前公寓"
    change = PremisesNameChange.objects.get(premises=p)
    assert (change.old_name, change.new_name, change.changed_by) == ("莲前出租屋", "莲前公寓", cast.landlord_a)
    assert AuditRecord.objects.filter(action="rename", object_id=str(p.pk),
                                      detail__to="莲前公寓", detail__from="莲前出租屋").exists()
    for actor in (cast.landlord_b, cast.officer_a, cast.admin):
        with pytest.raises(PermissionDenied):
            services.premises_rename(actor=actor, premises=p, name="x公寓")
    with pytest.raises(DomainError):
        services.premises_rename(actor=cast.landlord_a, premises=p, name="  ")


def test_removing_deletes_an_unused_premises_and_archives_a_screened_one(cast):
    from pingan.codes import services as codes
    from pingan.codes.models import SafetyCode

    spare = register(cast, "空置", "思明区莲前东路7号")
    assert services.premises_remove(actor=cast.landlord_a, premises=spare).outcome == "deleted"
    assert not Premises.objects.filter(pk=spare.pk).exists()
    assert AuditRecord.objects.filter(action="delete", object_id=str(spare.pk), detail__name="空置").exists()

    screened(cast.premises_a, ["green"])
    code = codes.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    with pytest.raises(DomainError) as err:  # the poster on the door is valid
        services.premises_remove(actor=cast.landlord_a, premises=cast.premises_a)
    assert err.value.code == "premises_code_live"
    SafetyCode.objects.filter(pk=code.pk).update(expires_at=code.issued_at - dt.timedelta(seconds=1))
    assert services.premises_remove(actor=cast.landlord_a, premises=cast.premises_a).outcome == "archived"
    archived = Premises.objects.get(pk=cast.premises_a.pk)
    assert archived.archived_at is not None and SafetyCode.objects.filter(premises=archived).exists()
    from pingan.core import selectors

    assert not selectors.premises_scoped(actor=cast.landlord_a).exists()  # gone from the lists
    assert selectors.premises_get(actor=cast.landlord_a, premises_id=archived.pk) == archived  # still readable
    from pingan.screening import services as screening

    with pytest.raises(DomainError) as err:  # and takes no roster
        screening.screening_job_create(actor=cast.landlord_a, roster_name="r.csv", roster_bytes=b"x",
                                       premises=archived)
    assert err.value.code == "premises_removed"
    # the same place may be registered again
    assert register(cast, "莲前出租屋", archived.address).pk != archived.pk


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_police_page_says_a_premises_was_renamed_and_removed(client, cast, language):
    p = services.premises_rename(actor=cast.landlord_a, premises=cast.premises_a, name="莲前公寓")
    screened(p, ["green"])
    services.premises_remove(actor=cast.landlord_a, premises=p)  # no code issued: archived (it was screened)
    client.force_login(cast.officer_a)
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = client.get(reverse("dashboard:premises", args=[p.pk])).content.decode()
    assert 'id="premises-archived"' in text and "莲前出租屋" in text.split('id="earlier-names"')[1][:200]
    assert ("被登记人删除" in text) if language == "zh-hans" else "Removed by its owner" in text
    # its code page (linked from there) stays readable: the codes and correction requests are records
    assert client.get(reverse("codes:premises", args=[p.pk])).status_code == 200
