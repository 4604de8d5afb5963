"""Roles, units and owners change only through audited services with a second approver, and the admin site
is read-only and audited (issue 12, item 7: an administrator made themselves an analyst in /admin/ and read
the whole city; premises were moved to another unit or owner; the trail showed none of it)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from test_admin_setting import urlconf  # noqa: F401 - fixture

from pingan.core import services
from pingan.core.errors import DomainError, PermissionDenied
from pingan.core.models import AccessChange, AuditRecord, OrgUnit, Premises, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commands_in_english")]


@pytest.fixture
def admin2(cast):
    return services.user_create(username="admin2", password=None, role="admin")


def bureau():
    return OrgUnit.objects.get(code="350200")


def test_an_administrator_cannot_make_themselves_an_analyst_alone(cast, admin2):
    change = services.access_change_request(actor=cast.admin, user=cast.admin, role="analyst", unit=bureau(),
                                            reason="需要全市数据")
    cast.admin.refresh_from_db()
    assert cast.admin.role == "admin" and cast.admin.unit is None  # nothing changes on request
    with pytest.raises(DomainError) as err:
        services.access_change_approve(change=change, actor=cast.admin)
    assert err.value.code == "access_four_eyes"
    for not_admin in (cast.analyst, cast.chief_a, cast.auditor):
        with pytest.raises(PermissionDenied):
            services.access_change_approve(change=change, actor=not_admin)
        with pytest.raises(PermissionDenied):
            services.access_change_request(actor=not_admin, user=not_admin, role="admin", reason="x")
    services.access_change_approve(change=change, actor=admin2, note="核准")
    cast.admin.refresh_from_db()
    assert (cast.admin.role, cast.admin.unit, cast.admin.is_superuser) == ("analyst", bureau(), False)
    trail = list(AuditRecord.objects.filter(object_type="User", object_id=str(cast.admin.pk)).order_by("seq"))
    assert [(r.actor, r.action) for r in trail] == [("admin", "access_change_request"),
                                                   ("admin2", "access_change_approve")]
    assert trail[1].detail["changes"] == {"role": ["admin", "analyst"], "unit": [None, bureau().pk]}
    with pytest.raises(DomainError) as err:
        services.access_change_reject(change=change, actor=admin2)
    assert err.value.code == "access_change_decided"


def test_the_database_refuses_a_self_approval_too(cast, admin2):
    from django.db import IntegrityError, transaction

    change = services.access_change_request(actor=cast.admin, user=cast.officer_a, unit=cast.unit_b, reason="调动")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessChange.objects.filter(pk=change.pk).update(status="approved", decided_by=cast.admin)
    other = services.access_change_request(actor=cast.admin, user=admin2, role="auditor", unit=bureau(),
                                           reason="转岗")
    with pytest.raises(IntegrityError), transaction.atomic():  # nor the account changed
        AccessChange.objects.filter(pk=other.pk).update(status="approved", decided_by=admin2)


def test_a_premises_moves_to_another_unit_and_owner_only_with_a_second_administrator(cast, admin2):
    change = services.access_change_request(actor=cast.admin, premises=cast.premises_a, unit=cast.unit_b,
                                            owner=cast.landlord_b, reason="产权变更")
    cast.premises_a.refresh_from_db()
    assert cast.premises_a.unit == cast.unit_a and cast.premises_a.owner == cast.landlord_a
    services.access_change_approve(change=change, actor=admin2)
    cast.premises_a.refresh_from_db()
    assert cast.premises_a.unit == cast.unit_b and cast.premises_a.owner == cast.landlord_b
    rec = AuditRecord.objects.get(action="access_change_approve")
    assert (rec.object_type, rec.object_id, rec.actor) == ("Premises", str(cast.premises_a.pk), "admin2")
    assert rec.detail["changes"] == {"unit": [cast.unit_a.pk, cast.unit_b.pk],
                                     "owner": [cast.landlord_a.pk, cast.landlord_b.pk]}
    with pytest.raises(DomainError) as err:
        services.access_change_request(actor=cast.admin, premises=cast.premises_a, owner=cast.officer_a, reason="x")
    assert err.value.code == "bad_owner"


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"role": "officer", "unit": None}, "unit_required"),
    ({"role": "landlord"}, "unit_not_allowed"),
    ({"role": "superhero"}, "bad_role"),
    ({"role": "officer"}, "no_change"),
    ({"role": "analyst", "reason": "  "}, "access_reason_required"),
])
def test_it_refuses_a_change_that_could_not_stand(cast, kwargs, code):
    kwargs = {"reason": "调整", **kwargs}
    with pytest.raises(DomainError) as err:
        services.access_change_request(actor=cast.admin, user=cast.officer_a, **kwargs)
    assert err.value.code == code
    assert not AccessChange.objects.exists()


def test_a_stale_request_is_not_applied(cast, admin2):
    # requested while officer_a was an officer of A; meanwhile moved to B: the old request would undo that
    stale = services.access_change_request(actor=cast.admin, user=cast.officer_a, role="analyst", reason="借调")
    moved = services.access_change_request(actor=cast.admin, user=cast.officer_a, unit=cast.unit_b, reason="调动")
    services.access_change_approve(change=moved, actor=admin2)
    # (the same values are still the same: role officer; the unit was not part of the stale request)
    services.access_change_approve(change=stale, actor=admin2)
    undo = services.access_change_request(actor=cast.admin, user=cast.officer_a, role="officer",
                                          unit=cast.unit_a, reason="撤销借调")
    again = services.access_change_request(actor=admin2, user=cast.officer_a, unit=cast.unit_a, reason="回原单位")
    services.access_change_approve(change=again, actor=cast.admin)
    with pytest.raises(DomainError) as err:
        services.access_change_approve(change=undo, actor=admin2)
    assert err.value.code == "access_change_stale"
    officer = User.objects.get(pk=cast.officer_a.pk)
    assert (officer.role, officer.unit) == ("analyst", cast.unit_a)


def test_the_command_line_requests_and_approves(cast, admin2, capsys):
    call_command("access", "request", "--as", "admin", "--user", "officer_a", "--unit", "350206-JT",
                 "--reason", "调动")
    out = capsys.readouterr().out
    assert "user officer_a: unit 350203-LQ -> 350206-JT" in out
    change = AccessChange.objects.get()
    call_command("access", "list")
    assert f"{change.pk}\trequested" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="four-eyes"):
        call_command("access", "approve", str(change.pk), "--as", "admin")
    call_command("access", "approve", str(change.pk), "--as", "admin2")
    assert User.objects.get(username="officer_a").unit.code == "350206-JT"


def test_the_admin_site_changes_nothing_and_records_what_it_shows(client, cast, urlconf):  # noqa: F811
    urlconf(True)  # PINGAN_ADMIN=true: served at all (off by default, tests/core/test_admin_setting.py)
    client.force_login(cast.admin, backend="django.contrib.auth.backends.ModelBackend")
    r = client.get("/admin/core/user/")
    assert r.status_code == 200 and "officer_a" in r.content.decode()
    rec = AuditRecord.objects.filter(action="list", object_type="admin.User").latest("seq")
    assert rec.actor == "admin" and rec.detail["rows"] == User.objects.count()
    from pingan.core import selectors

    found = selectors.audit_search(actor=cast.auditor, query=selectors.AuditQuery(person="officer_a"))
    assert rec.seq in {x.seq for x in found}  # "who looked at officer_a's account?"
    # the change form is view-only, and a forged POST changes nothing
    url = f"/admin/core/user/{cast.admin.pk}/change/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"username": "admin", "role": "analyst", "unit": bureau().pk})
    assert r.status_code == 403
    assert User.objects.get(pk=cast.admin.pk).role == "admin"
    r = client.post(f"/admin/core/premises/{cast.premises_a.pk}/change/",
                    {"name": "x", "unit": cast.unit_b.pk, "owner": cast.landlord_b.pk})
    assert r.status_code == 403
    assert Premises.objects.get(pk=cast.premises_a.pk).unit == cast.unit_a
    assert client.get("/admin/core/user/add/").status_code == 403
    assert client.post(f"/admin/core/premises/{cast.premises_a.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Premises.objects.filter(pk=cast.premises_a.pk).exists()
    assert client.get("/admin/core/premises/").status_code == 200
    rec = AuditRecord.objects.filter(object_type="admin.Premises", actor="admin").latest("seq")
    assert rec.detail["rows"] == 2 and rec.detail["subjects"]["n"] == 2  # the two owners shown
    assert client.get(f"/admin/core/premises/{cast.premises_a.pk}/change/").status_code == 200
    assert AuditRecord.objects.filter(object_type="admin.Premises", actor="admin").count() == 2
