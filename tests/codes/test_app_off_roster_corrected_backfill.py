"""screening 0018 closes the records 1333817 and migration 0016 opened for rows not screened whose person the
premises' latest roster holds after all — the landlord corrected the numbers Excel had stored as numbers, as the
page asked — so the police are not sent after people still there (docs/screening.md "Flagged people no longer on
the roster"). Run with the migration executor, as the 0016 test does."""

from __future__ import annotations

import pytest
from derived_support import TENANTS
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.screening.models import OffRoster, PersonResult

pytestmark = [pytest.mark.usefixtures("isolated"), pytest.mark.django_db(transaction=True)]

BEFORE = [("screening", "0017_hit_job_no_db_constraint")]
AFTER = [("screening", "0018_off_roster_corrected_rows")]


def migrate(target) -> None:
    MigrationExecutor(connection).migrate(target)


def test_the_records_of_corrected_rows_close_and_a_row_really_left_out_stays(cast, client):
    first = screened(cast.premises_a, [], rejected=3)
    gave = [f"{int(TENANTS[0][1]):.5E}", repr(float(int(TENANTS[1][1]))), "350203199001011234"]
    rows = list(PersonResult.objects.filter(job=first).order_by("row"))
    for row, (name, _id), given in zip(rows, [TENANTS[0], TENANTS[1], ("未更正", "")], gave, strict=True):
        row.name, row.given_id_number = name, given
        row.save(update_fields=["name", "given_id_number"])
    second = screened(cast.premises_a, ["green", "green"], names={0: TENANTS[0][0], 1: TENANTS[1][0]})
    for row, (_name, number) in zip(PersonResult.objects.filter(job=second).order_by("row"), TENANTS[:2], strict=True):
        row.id_number = number
        row.save(update_fields=["id_number"])
    OffRoster.objects.filter(premises=cast.premises_a).delete()
    # what 1333817's refresh and 0016's replay recorded: the three rows, keyed by what they gave
    OffRoster.objects.bulk_create(
        [
            OffRoster(premises=cast.premises_a, person=r, since_job=second, key=g)
            for r, g in zip(rows, gave, strict=True)
        ]
    )
    migrate(BEFORE)
    migrate(AFTER)
    assert dict(OffRoster.objects.filter(premises=cast.premises_a).values_list("person__row", "status")) == {
        2: "back",
        3: "back",
        4: "open",
    }
    assert set(OffRoster.objects.filter(status="back").values_list("back_job", flat=True)) == {second.pk}
    sign_in(client, cast.officer_a)
    html = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert html.count("data-off-roster>") == 1 and "未更正" in html
