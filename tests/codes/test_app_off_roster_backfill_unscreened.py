"""screening 0016 records the rows not screened that a smaller roster left out, for the rosters screened before
``off_roster_refresh`` recorded them, and sets each open suspension's count to what the owner's pages now say
(issue 11: the landlord's card counted those rows, the police saw none of them; the count included watchlist
hits the landlord saw as green). Run with the migration executor, as the 0015 test does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from test_app_off_roster_agree import upload
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.codes.models import CodeReview
from pingan.screening.models import OffRoster

pytestmark = [pytest.mark.usefixtures("isolated"), pytest.mark.django_db(transaction=True)]

BEFORE = [("screening", "0015_off_roster_backfill")]
AFTER = [("screening", "0016_off_roster_unscreened")]
FIELDS = ("premises", "person", "since_job", "key", "status", "resolved_by", "back_job", "note")


def migrate(target) -> None:
    MigrationExecutor(connection).migrate(target)


def records(premises) -> set[tuple]:
    return {tuple(r[f] for f in FIELDS) for r in OffRoster.objects.filter(premises=premises).values(*FIELDS)}


def test_the_backfill_lists_the_rows_not_screened_and_corrects_the_owners_count(cast, client):
    a = upload(cast.premises_a, ["red"], rejected=2, silent=1)
    review = upload(cast.premises_a, ["green"])[2].review
    expected = records(cast.premises_a)
    assert len(expected) == 4 and review.dropped == 3  # the red one and the 2 rows; the silent hit not counted
    # at deploy time: 0015 recorded the flagged people only, and the count was theirs plus the rows (4)
    OffRoster.objects.filter(premises=cast.premises_a, person__status="rejected").delete()
    CodeReview.objects.filter(pk=review.pk).update(dropped=4)
    migrate(BEFORE)
    migrate(AFTER)
    assert records(cast.premises_a) == expected
    review.refresh_from_db()
    assert review.dropped == 3
    sign_in(client, cast.officer_a)
    html = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert html.count("data-off-roster") == 4
    for row in a[1]["rejected"]:
        assert row.name in html
    try:  # the reverse deletes the records of rows that are not flagged, and only those
        migrate(BEFORE)
        assert {r[1] for r in records(cast.premises_a)} == {a[1]["accepted"][0].pk, a[1]["silent"][0].pk}
    finally:
        migrate(AFTER)
    assert records(cast.premises_a) == expected
