"""A unit's head is titled as the kind of unit calls its head, on every page that says a role (issue 11: the
anti-fraud centre's head was titled 所长, a police station's chief): the header's account panel, the home page,
the error pages, a nameless account's name, the audit trail."""

from __future__ import annotations

import pytest

from pingan.core.models import OrgUnit, Role, role_label

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "case_investigation"
    session.save()


def test_the_head_of_each_kind_of_unit_has_its_own_title():
    from django.utils import translation

    with translation.override("zh-hans"):
        said = {kind: role_label(Role.STATION_CHIEF, kind) for kind in OrgUnit.Kind.values}
        assert said["centre"] == "中心主任" and said["branch"] == "分局局长" and said["station"] == "所长"
        assert role_label(Role.OFFICER, "centre") == "民警" and role_label("nobody", "centre") == "nobody"
    with translation.override("en"):
        assert role_label(Role.STATION_CHIEF, "centre") == "centre head"
        assert role_label(Role.STATION_CHIEF, None) == "station chief"


@pytest.mark.parametrize(("language", "head", "chief"), [("zh-hans", "中心主任", "所长"),
                                                         ("en", "centre head", "station chief")])
def test_the_centres_head_is_not_called_a_station_chief_on_the_pages(client, cast, centre, language, head, chief):
    from pingan.core.services import user_create

    nameless = user_create(username="fz_head", password="correct horse battery staple", role="station_chief",
                           unit=centre.unit)
    client.cookies["django_language"] = language
    for user in (centre.chief, nameless):
        sign_in(client, user)
        html = client.get("/").content.decode()
        assert f"{head} · {centre.unit.label}" in html and chief not in html, user.username
        missing = client.get("/no-such-page/").content.decode()
        assert head in missing and chief not in missing
    sign_in(client, cast.chief_a)
    assert f"{chief} · {cast.chief_a.unit.label}" in client.get("/").content.decode()
    from django.utils import translation

    with translation.override(language):
        assert head in nameless.shown_name and chief not in nameless.shown_name


def test_the_audit_trail_titles_the_centres_head_as_its_unit_does(cast, centre):
    from django.utils import translation

    from pingan.core import audit, selectors
    from pingan.core.models import AuditRecord

    audit.record(centre.chief, "view", "FraudReport", 1)
    audit.record(cast.chief_a, "view", "FraudReport", 2)
    with translation.override("zh-hans"):
        rows = selectors.audit_rows(list(AuditRecord.objects.order_by("seq")))
        by_object = {r.object_id: r.role for r in rows}
    assert by_object["1"] == "中心主任" and by_object["2"] == "所长"
