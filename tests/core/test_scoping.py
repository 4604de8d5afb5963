"""Jurisdiction scoping through the selector, a page and an API endpoint."""

import pytest

from pingan.core import selectors
from pingan.core.errors import NotFound
from pingan.core.models import Premises
from pingan.core.scoping import scope

pytestmark = pytest.mark.django_db


def ids(qs):
    return sorted(p.pk for p in qs)


@pytest.mark.smoke
def test_it_limits_an_officer_to_the_station_subtree(cast):
    assert ids(selectors.premises_scoped(actor=cast.officer_a)) == [cast.premises_a.pk]
    assert ids(selectors.premises_scoped(actor=cast.officer_b)) == [cast.premises_b.pk]


def test_it_refuses_an_officer_another_stations_premises(cast):
    with pytest.raises(NotFound):
        selectors.premises_get(actor=cast.officer_a, premises_id=cast.premises_b.pk)


def test_it_lets_an_analyst_see_the_whole_bureau(cast):
    assert ids(selectors.premises_scoped(actor=cast.analyst)) == sorted([cast.premises_a.pk, cast.premises_b.pk])


def test_it_lets_a_landlord_see_only_its_own_premises(cast):
    assert ids(selectors.premises_scoped(actor=cast.landlord_a)) == [cast.premises_a.pk]
    with pytest.raises(NotFound):
        selectors.premises_get(actor=cast.landlord_a, premises_id=cast.premises_b.pk)


@pytest.mark.parametrize("who", ["admin", "auditor", "citizen", "enterprise"])
def test_it_shows_no_personal_data_to_roles_without_a_need(cast, who):
    assert ids(selectors.premises_scoped(actor=getattr(cast, who))) == []


def test_it_gives_a_branch_officer_its_stations(cast):
    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    branch = OrgUnit.objects.get(code="350203")
    officer = user_create(username="branch_officer", password=None, role="officer", unit=branch)
    assert ids(selectors.premises_scoped(actor=officer)) == [cast.premises_a.pk]


def test_it_refuses_to_scope_a_model_that_declares_no_scope(cast):
    from pingan.core.models import OrgUnit

    with pytest.raises(TypeError):
        scope(cast.analyst, OrgUnit.objects.all())


def test_it_derives_the_responsible_unit_from_the_adcode(cast):
    assert cast.premises_a.unit == cast.unit_a
    assert cast.premises_b.unit == cast.unit_b
    from pingan.core.services import premises_create

    p = premises_create(actor=cast.enterprise, name="集美工厂", kind="enterprise", address="集美区某路",
                        adcode="350211")
    assert p.unit.code == "350211"  # county code → the branch


def test_it_records_every_read_in_the_audit_trail(cast):
    from pingan.core.models import AuditRecord

    before = AuditRecord.objects.count()
    selectors.premises_get(actor=cast.officer_a, premises_id=cast.premises_a.pk, purpose="case_investigation")
    rec = AuditRecord.objects.order_by("-seq").first()
    assert AuditRecord.objects.count() == before + 1
    assert (rec.actor, rec.role, rec.unit, rec.action, rec.object_type, rec.object_id, rec.purpose) == (
        "officer_a", "officer", "350203-LQ", "read", "Premises", str(cast.premises_a.pk), "case_investigation")


class TestPages:
    def login(self, client, user):
        client.force_login(user)
        session = client.session
        session["purpose"] = "jurisdiction_management"
        session.save()

    def test_it_lists_only_the_officers_premises_on_the_page(self, client, cast):
        self.login(client, cast.officer_a)
        body = client.get("/premises/").content.decode()
        assert cast.premises_a.name in body
        assert cast.premises_b.name not in body

    def test_it_returns_404_for_another_stations_premises_page(self, client, cast):
        self.login(client, cast.officer_a)
        assert client.get(f"/premises/{cast.premises_b.pk}/").status_code == 404
        assert client.get(f"/premises/{cast.premises_a.pk}/").status_code == 200

    def test_it_asks_police_for_a_purpose_first(self, client, cast):
        client.force_login(cast.officer_a)
        r = client.get("/premises/")
        assert r.status_code == 302 and r.url.startswith("/purpose/")


class TestApi:
    def token(self, user):
        from pingan.core.services import token_create

        secret = token_create(user=user, name="test", purpose="epidemic_screening").secret
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def test_it_lists_only_the_officers_premises_in_the_api(self, client, cast):
        r = client.get("/api/v1/premises", **self.token(cast.officer_a))
        assert r.status_code == 200
        assert [p["id"] for p in r.json()["items"]] == [cast.premises_a.pk]

    def test_it_returns_a_problem_404_for_another_stations_premises(self, client, cast):
        r = client.get(f"/api/v1/premises/{cast.premises_b.pk}", **self.token(cast.officer_a))
        assert r.status_code == 404
        assert r["Content-Type"] == "application/problem+json"
        assert r.json()["code"] == "not_found"

    def test_it_lets_the_analyst_fetch_both(self, client, cast):
        h = self.token(cast.analyst)
        for p in (cast.premises_a, cast.premises_b):
            assert client.get(f"/api/v1/premises/{p.pk}", **h).status_code == 200

    def test_it_counts_premises_queries_independently_of_size(self, client, cast, django_assert_max_num_queries):
        from pingan.core.services import premises_create

        for i in range(20):
            premises_create(actor=cast.landlord_a, name=f"房{i}", kind="rental", address=f"x{i}", adcode="350203010")
        h = self.token(cast.officer_a)
        # token, count, page, and the audit record naming the owners shown (head, record, persons, head)
        with django_assert_max_num_queries(8):
            r = client.get("/api/v1/premises?limit=50", **h)
        assert r.json()["count"] == 21
        assert Premises.objects.count() == 22
