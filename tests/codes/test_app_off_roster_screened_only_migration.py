"""screening 0021 deletes the open records of rows never screened (migration 0016 and issue 11's rule recorded them
as people no longer on the roster, for the police to confirm that they left) and sets the open suspension's count
to the people left (docs/screening.md "Flagged people no longer on the roster"). Run with the migration executor,
as the 0016 and 0018 tests do."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.codes.models import CodeReview
from pingan.screening.models import OffRoster, PersonResult

pytestmark = [pytest.mark.usefixtures("isolated"), pytest.mark.django_db(transaction=True)]

BEFORE = [("screening", "0020_results_hot_updates")]
AFTER = [("screening", "0021_off_roster_screened_people_only")]


def migrate(target) -> None:
    MigrationExecutor(connection).migrate(target)


def test_the_records_of_rows_not_screened_go_and_the_suspension_counts_the_rest(cast):
    first = screened(cast.premises_a, ["red", ""], rejected=2)
    second = screened(cast.premises_a, ["green"])
    rows = list(PersonResult.objects.filter(job=first).order_by("row"))
    OffRoster.objects.filter(premises=cast.premises_a).delete()
    # what 0016's replay recorded: the red and the unresolved person, and the two rows not screened
    OffRoster.objects.bulk_create([OffRoster(premises=cast.premises_a, person=r, since_job=second, key=f"k{r.row}")
                                   for r in rows])
    review = CodeReview.objects.create(premises=cast.premises_a, unit=cast.premises_a.unit, job=second,
                                       baseline_job=first, level="green", baseline_level="red", dropped=4)
    migrate(BEFORE)
    migrate(AFTER)
    assert sorted(OffRoster.objects.filter(premises=cast.premises_a).values_list("person__row", flat=True)) == [2, 3]
    review.refresh_from_db()
    assert review.dropped == 2
