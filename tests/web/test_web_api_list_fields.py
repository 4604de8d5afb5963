"""Issue 11 (landlord trial, item 6): what a list page shows, its API list gives too.

The police page shows a premises' registration date and owner beside "last screening: never"; the flagged list
says when a later roster left a person out. ``GET /jurisdiction/premises`` and ``GET /flagged`` left those out.
"""

from __future__ import annotations

import pytest
from django.utils.dateparse import parse_datetime

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, cast):
    from pingan.core.services import token_create

    secret = token_create(user=cast.officer_a, name="test", purpose="epidemic_screening").secret
    return lambda url: client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").json()


def test_the_jurisdiction_premises_list_gives_the_registration_date_and_owner(call, cast):
    items = call("/api/v1/jurisdiction/premises")["items"]
    assert [i["id"] for i in items] == [cast.premises_a.pk]
    assert abs(parse_datetime(items[0]["created_at"]) - cast.premises_a.created_at).total_seconds() < 0.001
    assert items[0]["owner"] == cast.landlord_a.display_name


def test_the_flagged_list_says_whether_a_later_roster_left_the_person_out(call, cast, screened):
    items = call("/api/v1/flagged")["items"]
    assert items and all(i["off_roster"] is False and i["off_roster_at"] is None
                         and i["off_roster_suspended"] is False for i in items)
