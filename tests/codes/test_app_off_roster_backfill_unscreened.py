"""screening 0016 records the rows not screened that a smaller roster left out, for the rosters screened before
``off_roster_refresh`` recorded them, and sets each open suspension's count to what the owner's pages now say
(issue 11: the landlord's card counted those rows, the police saw none of them; the count included watchlist
hits the landlord saw as green); 0021 deletes those records again (a row not screened is nobody who left). Run with
the migration executor, as the 0015 test does."""

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
LATEST = [("screening", "0021_off_roster_screened_people_only")]
FIELDS = ("premises", "person", "since_job", "key", "status", "resolved_by", "back_job", "note")


def migrate(target) -> None:
    MigrationExecutor(connection).migrate(target)


def records(premises) -> set[tuple]:
    return {tuple(r[f] for f in FIELDS) for r in OffRoster.objects.filter(premises=premises).values(*FIELDS)}


def test_the_backfill_lists_the_rows_not_screened_and_0021_takes_them_back(cast, client):
    """0016 recorded the rows not screened; the rule now records screened people only (a row not screened is nobody
    who left), and 0021 deletes those records again: the state ends as the new code records it."""
    a = upload(cast.premises_a, ["red"], rejected=2, silent=1)
    review = upload(cast.premises_a, ["green"])[2].review
    expected = records(cast.premises_a)
    assert len(expected) == 2 and review.dropped == 1  # the red one and the silent hit (not counted); no rows
    # at deploy time of 0016: 0015's records (a row without a number keyed by its name alone, the rule of its
    # time), and the count was the flagged people plus the rows
    for record in OffRoster.objects.filter(premises=cast.premises_a):
        OffRoster.objects.filter(pk=record.pk).update(key=record.key.split("|", 1)[0])
    CodeReview.objects.filter(pk=review.pk).update(dropped=4)
    migrate(BEFORE)
    migrate(AFTER)
    assert len(records(cast.premises_a)) == 4  # 0016: the 2 rows not screened too
    review.refresh_from_db()
    assert review.dropped == 3
    migrate(LATEST)
    assert {r[:3] for r in records(cast.premises_a)} == {r[:3] for r in expected}
    review.refresh_from_db()
    assert review.dropped == 1
    sign_in(client, cast.officer_a)
    html = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert html.count("data-off-roster") == 2
    for row in a[1]["rejected"]:
        assert row.name not in html
