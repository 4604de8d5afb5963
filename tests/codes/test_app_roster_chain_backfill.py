"""screening 0015 backfills the flagged people no longer on the roster (``OffRoster``, 0014) for the rosters
screened before the records existed: the reviews open at deploy time keep their people in the police view, as
if ``off_roster_refresh`` had run all along (docs/codes.md "Upgrading"). Run with the migration executor: the
records the new code wrote are captured, deleted (the state at deploy time), and the migration replayed from
0014; the reverse deletes only what it created."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.screening.models import OffRoster, PersonResult

pytestmark = [pytest.mark.usefixtures("isolated"), pytest.mark.django_db(transaction=True)]

BEFORE = [("screening", "0014_off_roster")]
AFTER = [("screening", "0015_off_roster_backfill")]
FIELDS = ("premises", "person", "since_job", "key", "status", "resolved_by", "back_job", "note")


def migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(target)


def upload(premises, levels: list[str], *, silent: int = 0):
    """A finished screening of ``levels`` (new people each time) plus ``silent`` green rows with a silent
    watchlist hit, and the code derived; ``(job, flagged rows, silent rows, outcome)``."""
    job = screened(premises, levels + ["green"] * silent)
    rows = list(PersonResult.objects.filter(job=job).order_by("row"))
    hits = rows[len(levels):]
    PersonResult.objects.filter(pk__in=[r.pk for r in hits]).update(silent_hit=True)
    return job, rows[:len(levels)], hits, services.safety_code_derive(premises=premises)


def records(premises) -> dict[tuple, dict]:
    """The premises' records as the fields that must agree, with their times."""
    return {tuple(old_key(r[f]) if f == "key" else r[f] for f in FIELDS): r
            for r in OffRoster.objects.filter(premises=premises).values(*FIELDS, "created_at", "resolved_at")}


def old_key(key: str) -> str:
    """A record's key as the migration writes it: it keeps the rule of its time (a row without a number keyed by
    its name), the service now keys it by name and phone (``screening.services.person_key``)."""
    return key.split("|", 1)[0]


def deployed(premises) -> dict[tuple, dict]:
    """What the new code recorded for ``premises``, then the state at deploy time (no records), then 0015."""
    expected = records(premises)
    assert expected
    OffRoster.objects.filter(premises=premises).delete()
    migrate(BEFORE)
    migrate(AFTER)
    return expected


def test_the_backfill_lists_the_left_out_red_person_and_silent_hit_as_the_new_code_does(cast, client):
    first = upload(cast.premises_a, ["red", "green"], silent=1)
    second = upload(cast.premises_a, ["green"])  # other people: the red one and the silent hit are left out
    # the other station's premises was screened by the new code already: its records stay as they are
    upload(cast.premises_b, ["yellow"])
    upload(cast.premises_b, ["green"])
    for record in OffRoster.objects.filter(premises=cast.premises_b):  # keyed as the code of 0015's time did
        OffRoster.objects.filter(pk=record.pk).update(key=old_key(record.key))
    theirs = records(cast.premises_b)
    assert len(theirs) == 1

    expected = deployed(cast.premises_a)
    got = records(cast.premises_a)
    assert set(got) == set(expected) and len(got) == 2
    assert {k[1] for k in got} == {first[1][0].pk, first[2][0].pk}
    assert {(k[2], k[4]) for k in got} == {(second[0].pk, "open")}
    for key, r in got.items():  # when: the roster that left them out became the latest (the service: just after)
        assert r["created_at"] == second[0].finished_at
        assert abs(expected[key]["created_at"] - r["created_at"]) < dt.timedelta(minutes=6)
    assert records(cast.premises_b) == theirs

    sign_in(client, cast.officer_a)
    page = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert page.count("data-off-roster") == 2
    assert first[1][0].name in page and first[2][0].name in page
    hits = client.get(reverse("dashboard:jurisdiction"), {"hit": "watchlist"}).content.decode()
    assert first[2][0].name in hits

    # the reverse deletes what it created, not the records the new code wrote
    try:
        migrate(BEFORE)
        assert not OffRoster.objects.filter(premises=cast.premises_a).exists()
        assert records(cast.premises_b) == theirs
        page = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
        assert "data-off-roster" not in page
    finally:
        migrate(AFTER)
    assert set(records(cast.premises_a)) == set(expected)


def test_three_rosters_accumulate_and_a_release_before_the_deploy_stays_decided(cast, client):
    part1 = upload(cast.premises_a, ["red"] * 3 + ["yellow"] * 2)
    part2 = upload(cast.premises_a, ["red"] * 2 + ["yellow"] * 2, silent=2)
    quotes = upload(cast.premises_a, ["green"] * 3)
    assert quotes[3].outcome == "suspended"
    expected = deployed(cast.premises_a)
    got = records(cast.premises_a)
    assert set(got) == set(expected) and len(got) == 11
    since = {k[1]: k[2] for k in got if k[4] == "open"}
    assert since == {**{r.pk: part2[0].pk for r in part1[1]}, **{r.pk: quotes[0].pk for r in part2[1] + part2[2]}}
    sign_in(client, cast.officer_a)
    page = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert page.count("data-off-roster") == 11

    # the chief released the suspension before the deploy: everyone listed then left, with who, when and the note
    services.code_review_release(review=quotes[3].review, actor=cast.chief_a, note="走访核实：均已搬离")
    expected = deployed(cast.premises_a)
    got = records(cast.premises_a)
    assert set(got) == set(expected) and {k[4] for k in got} == {"left"}
    assert {k[5] for k in got} == {cast.chief_a.pk}
    for key, r in got.items():
        assert abs(expected[key]["resolved_at"] - r["resolved_at"]) < dt.timedelta(seconds=5)
    page = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert "data-off-roster" not in page
