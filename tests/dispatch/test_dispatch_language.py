"""Every dispatch page in the viewer's language (issue 11): the console named its reference lines
``response-targets@1.0.0`` and listed English citations on the Chinese page; see tests/page_language.py."""

from __future__ import annotations

import datetime as dt

import pytest
from dispatch_support import CENTRE, make_alert, offset
from test_dispatch_web import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(force):
    from django.utils import timezone

    from pingan.dispatch import services

    alert = make_alert(force.unit_a)
    now = timezone.now()
    op = services.operation_create(
        actor=None, unit=force.unit_a, name="马拉松", venue="环岛路", starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3), expected_attendance=30000,
        area_points=[list(offset(x, y)) for x, y in ((-500, -500), (500, -500), (500, 500), (-500, 500))])
    services.operation_post_add(actor=None, operation_id=op.pk, name="东门", kind="post", lon=CENTRE[0], lat=CENTRE[1])
    return {"alert": alert.pk, "op": op.pk}


CENTRE_AND_CHIEF = {"dispatcher": 200, "chief_a": 200}
PAGES = [
    ("console", "/dispatch/console/", CENTRE_AND_CHIEF),
    ("console figures", "/dispatch/console/figures/", CENTRE_AND_CHIEF),
    ("console alert", "/dispatch/console/alerts/{alert}/", CENTRE_AND_CHIEF),
    ("terminal", "/dispatch/terminal/", {"officer_a": 200}),
    ("operations", "/dispatch/operations/", CENTRE_AND_CHIEF),
    ("operation", "/dispatch/operations/{op}/", CENTRE_AND_CHIEF),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_speaks_the_viewers_language(client, force, objects, language):
    from page_language import check_pages, data_values

    people = {"dispatcher": force.dispatcher, "chief_a": force.chief_a, "officer_a": force.officer_a}
    data = data_values("dispatch.SecurityOperation.name", "dispatch.SecurityOperation.venue",
                       "dispatch.OperationPost.name")
    found = check_pages(client, PAGES, people, objects, sign_in, language, data)
    assert not found, found
