"""The people no longer on a roster, recorded for many premises at once (``off_roster_refresh_many``: what
``screening_job_latest_refresh`` calls when more than one premises' latest screening moved, as a back-fill or a
benchmark's city of 50,000 premises does) end in the same ``OffRoster`` rows as one premises at a time
(``off_roster_refresh``), over histories of rosters Hypothesis draws: people flagged, not screened (a number Excel
mangled, no number at all), corrected, namesakes spelt with a space; jobs finished, failed, purged; records the
police confirmed. And the statements do not grow with the premises."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from pingan.core.models import Premises
from pingan.screening import services
from pingan.screening.models import OffRoster, PersonResult, ScreeningJob

#: off_roster_refresh_many is the PostgreSQL path (arrays, unnest); SQLite refreshes one premises at a time
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk refresh is the PostgreSQL path")


def valid(seq: int) -> str:
    body = f"110105{dt.date(1980, 1, 1) + dt.timedelta(days=seq * 37):%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


PEOPLE = [("王芳", valid(1)), ("李雷", valid(2)), ("韩梅梅", valid(3)), ("王芳", valid(4))]  # two namesakes

#: How a person appears on a roster: (status, level, identity_status, silent hit, which number where).
KINDS = {
    "green": ("accepted", "green", "valid", False, "id"),
    "yellow": ("accepted", "yellow", "valid", False, "id"),
    "red": ("accepted", "red", "valid", False, "id"),
    "silent": ("accepted", "green", "valid", True, "id"),
    "unresolved": ("accepted", "", "valid", False, "id"),
    "invalid": ("accepted", "yellow", "invalid", False, "check"),
    "corrected": ("accepted", "green", "corrected", False, "corrected"),
    "excel": ("rejected", "", "", False, "excel"),
    "no_number": ("rejected", "", "", False, "none"),
    # screened by the phone alone (no ID number): the same person only by the same name and phone — the two
    # namesakes (王芳) have different phones
    "phone_only": ("accepted", "yellow", "unverifiable", False, "none"),
}

rows_st = st.lists(st.tuples(st.integers(0, len(PEOPLE) - 1), st.sampled_from(sorted(KINDS)), st.booleans()),
                   max_size=5)
jobs_st = st.lists(st.tuples(st.sampled_from(["done", "done", "done", "failed"]), rows_st, st.booleans()),
                   min_size=1, max_size=4)
FINAL = ["new", "new_failed", "fail_latest", "purge_latest", "purge_earlier", "none"]
city_st = st.lists(st.tuples(jobs_st, st.sampled_from(FINAL), rows_st), min_size=2, max_size=4)


def person_row(job, row: int, who: int, kind: str, spaced: bool) -> PersonResult:
    name, number = PEOPLE[who]
    status, level, identity, silent, where = KINDS[kind]
    fields = {"id_number": "", "given_id_number": "", "corrected_id_number": ""}
    if where == "id":
        fields["id_number"] = number
    elif where == "check":
        fields["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
    elif where == "corrected":
        fields.update(id_number=number, corrected_id_number=number, given_id_number=number[:-1] + "0")
    elif where == "excel":
        fields["given_id_number"] = repr(float(int(number[:17] + "0")))
    return PersonResult(job=job, row=row, status=status, level=level, identity_status=identity, silent_hit=silent,
                        name=(name[0] + " " + name[1:]) if spaced else name, doc_type="ric",
                        phone=f"1380013800{who}" if status == "accepted" else "", **fields)


def add_job(premises, status: str, rows) -> ScreeningJob:
    now = timezone.now()
    job = ScreeningJob.objects.create(premises=premises, submitted_by=premises.owner, roster_name="r.csv",
                                      roster_sha256="0" * 64, status=status, as_of=now, finished_at=now,
                                      counts={})
    if status == "done":
        PersonResult.objects.bulk_create([person_row(job, i + 2, *r) for i, r in enumerate(rows)])
    return job


def purge(job: ScreeningJob) -> None:
    PersonResult.objects.filter(job=job).delete()  # the retention purge: its records go with the rows
    ScreeningJob.objects.filter(pk=job.pk).update(purged_at=timezone.now())


def build(cast, city) -> list[int]:
    """The premises of ``city`` with their histories, each roster recorded as it finished (one premises at a
    time), then each premises' last change made and not yet refreshed; returns the premises' ids."""
    ids = []
    for k, (jobs, final, last_rows) in enumerate(city):
        premises = Premises.objects.create(name=f"出租屋{k}", kind="rental", address=f"某路{k}号",
                                           owner=cast.landlord_a, adcode=cast.premises_a.adcode,
                                           unit=cast.premises_a.unit)
        ids.append(premises.pk)
        for status, rows, confirm in jobs:
            add_job(premises, status, rows)
            services.screening_job_latest_refresh(premises_ids=[premises.pk])
            if confirm:  # the police confirmed the oldest open record: it stays, closed as left
                first = OffRoster.objects.filter(premises=premises, status="open").order_by("pk").first()
                if first is not None:
                    OffRoster.objects.filter(pk=first.pk).update(status="left", resolved_at=timezone.now())
        done = list(ScreeningJob.objects.filter(premises=premises, status="done").order_by("pk"))
        if final in ("new", "new_failed"):
            add_job(premises, "done" if final == "new" else "failed", last_rows)
        elif final == "fail_latest" and done:  # a re-run failed: the latest mark will move back
            ScreeningJob.objects.filter(pk=done[-1].pk).update(status="failed", is_latest=False)
        elif final == "purge_latest" and done:
            purge(done[-1])
        elif final == "purge_earlier" and len(done) > 1:
            purge(done[-2])
    return ids


def state(ids) -> list[tuple]:
    return sorted((r.premises_id, r.person_id, r.since_job_id, r.key, r.status, r.back_job_id,
                   r.resolved_at is None) for r in OffRoster.objects.filter(premises_id__in=ids))


def both_ways(ids, one, many) -> tuple[tuple, tuple]:
    """``one()`` and ``many()`` from the same state (each undone after): what each returned and left."""
    out = []
    for run in (one, many):
        sid = transaction.savepoint()
        counts = run()
        out.append((counts, state(ids)))
        transaction.savepoint_rollback(sid)
    return out[0], out[1]


def total(counts: list[dict[str, int]]) -> dict[str, int]:
    return {k: sum(c[k] for c in counts) for k in ("added", "back", "dropped")}


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(city=city_st)
def test_many_premises_at_once_leave_the_rows_one_at_a_time_leaves(cast, city):
    with transaction.atomic():
        ids = build(cast, city)
        # the refresh itself, from the state the last changes left (the latest marks not yet moved)
        one, many = both_ways(ids, lambda: total([services.off_roster_refresh(premises_id=p) for p in ids]),
                              lambda: services.off_roster_refresh_many(premises_ids=ids))
        assert one == many
        # and through screening_job_latest_refresh: each premises alone, or all in one call (the bulk path
        # when more than one moved)
        one, many = both_ways(ids, lambda: [services.screening_job_latest_refresh(premises_ids=[p]) for p in ids],
                              lambda: services.screening_job_latest_refresh(premises_ids=ids))
        assert one[1] == many[1] and sum(one[0]) == many[0]
        transaction.set_rollback(True)


def test_a_scenario_that_records_backs_and_drops(cast):
    """Without Hypothesis: two premises whose new rosters leave flagged people out and bring one back."""
    a, b = [Premises.objects.create(name=f"出租屋{k}", kind="rental", address="某路", owner=cast.landlord_a,
                                    adcode=cast.premises_a.adcode, unit=cast.premises_a.unit) for k in "ab"]
    for p in (a, b):
        add_job(p, "done", [(0, "red", False), (1, "unresolved", False), (2, "green", False), (3, "excel", False)])
        add_job(p, "done", [(2, "green", False)])
        services.screening_job_latest_refresh(premises_ids=[p.pk])
    # the red and the unresolved person, each; the row not screened was nobody who left
    assert OffRoster.objects.filter(status="open").count() == 4
    add_job(a, "done", [(0, "green", False), (1, "green", True), (2, "green", False)])  # both back, spaced name
    add_job(b, "done", [(2, "green", False)])  # nobody new left out, nobody back
    assert services.off_roster_refresh_many(premises_ids=[a.pk, b.pk]) == {"added": 0, "back": 0, "dropped": 0}
    services.screening_job_latest_refresh(premises_ids=[a.pk, b.pk])
    assert sorted(OffRoster.objects.values_list("premises_id", "status")) == [
        (a.pk, "back"), (a.pk, "back"), (b.pk, "open"), (b.pk, "open")]


def test_the_statements_do_not_grow_with_the_premises(cast):
    def city(n: int) -> list[int]:
        ids = []
        for k in range(n):
            p = Premises.objects.create(name=f"出租屋{n}-{k}", kind="rental", address="某路", owner=cast.landlord_a,
                                        adcode=cast.premises_a.adcode, unit=cast.premises_a.unit)
            add_job(p, "done", [(0, "red", False), (1, "green", False)])
            add_job(p, "done", [(1, "green", False), (3, "yellow", False)])
            ids.append(p.pk)
        return ids

    counts = []
    for n in (3, 30):
        ids = city(n)
        with CaptureQueriesContext(connection) as queries:
            services.screening_job_latest_refresh(premises_ids=ids)
        counts.append(len(queries))
        assert OffRoster.objects.filter(premises_id__in=ids, status="open").count() == n  # the red person each
    assert counts[0] == counts[1], counts
