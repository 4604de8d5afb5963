"""The engine-roster table (pingan.screening.rostertable): one file holding the rows of every premises' latest
unpurged screening, that a re-evaluation selects people from and screens them again from. It must agree with
the jobs (a newer screening of a premises replaces the older one's rows), drop the people of a job purged
under the retention policy at once, and hold what each job's engine roster holds."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow.compute as pc
import pytest
from derived_support import TENANTS, import_movements, import_risk, run
from django.utils import timezone
from test_app_support import isolated  # noqa: F401 - fixture

from pingan.screening import reevaluate, retention, rostertable, services
from pingan.screening.models import PersonResult, ScreeningJob

pytestmark = pytest.mark.usefixtures("isolated")


def rows_by_job(table) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for r in table.to_pylist():
        out.setdefault(r["job_id"], []).append((r["row"], r["name"], r["id_number"], r["pk"], r["key_number"]))
    return out


def stored(job) -> list[tuple]:
    """What the table must hold for ``job``: its engine roster's rows with their results' ids and numbers."""
    roster = services.engine_roster_read(Path(job.result_dir) / services.ENGINE_ROSTER_FILE)
    results = {p.row: p for p in PersonResult.objects.filter(job=job, status="accepted")}
    return [(r["row"], r["name"], r["id_number"], results[r["row"]].pk if r["row"] in results else None,
             results[r["row"]].id_number if r["row"] in results else None) for r in roster.to_pylist()]


@pytest.fixture
def screened(cast, tmp_path, settings):
    settings.PINGAN = {**settings.PINGAN, "SCREENING_AS_OF": "2022-08-20"}
    import_risk(tmp_path)
    a = run(cast.premises_a, TENANTS[:5])
    b = run(cast.premises_b, TENANTS[10:14])
    return a, b


def test_the_table_holds_the_latest_jobs_engine_rosters_and_their_results(cast, screened):
    a, b = screened
    table = rostertable.sync()
    assert rows_by_job(table) == {a.pk: stored(a), b.pk: stored(b)}
    assert rostertable.path().stat().st_mode & 0o777 == 0o600  # names and ID numbers: the service account's
    assert not pc.any(table.column("unsure")).as_py()  # valid numbers only
    # nothing changed: not written again
    before = os.stat(rostertable.path()).st_mtime_ns
    assert rostertable.sync().equals(table) and os.stat(rostertable.path()).st_mtime_ns == before


def test_a_newer_screening_of_the_premises_replaces_the_older_ones_rows(cast, screened, tmp_path):
    a, b = screened
    rostertable.sync()
    newer = run(cast.premises_a, [*TENANTS[:3], TENANTS[20]])  # two tenants left, one moved in
    assert not ScreeningJob.objects.get(pk=a.pk).is_latest
    table = rostertable.sync()
    assert rows_by_job(table) == {b.pk: stored(b), newer.pk: stored(newer)}
    # and a re-evaluation finds the newcomer, not the tenants who left with the old roster
    delta = import_movements(tmp_path, "2022-08-18.csv", [
        (TENANTS[20][1], TENANTS[20][0], "350203", "莲前街道某社区", "2022-08-18"),
        (TENANTS[4][1], TENANTS[4][0], "350203", "莲前街道某社区", "2022-08-18")])
    done = reevaluate.reevaluate(dataset=delta)
    assert (done.candidates, done.changed) == (1, 1)
    assert PersonResult.objects.get(job=newer, id_number=TENANTS[20][1]).level == "red"
    assert PersonResult.objects.get(job=a, id_number=TENANTS[4][1]).level == "green"


def test_the_people_of_a_purged_job_leave_the_table_with_the_purge(cast, screened, settings):
    a, b = screened
    rostertable.sync()
    ScreeningJob.objects.filter(pk=a.pk).update(finished_at=timezone.now() - dt.timedelta(days=40))
    report = retention.retention_purge()
    assert report.jobs == [a.pk] and not report.errors
    table = rostertable.load()  # as written by the purge, before any re-evaluation
    assert rows_by_job(table) == {b.pk: stored(b)}
    names = set(table.column("name").to_pylist()) | set(table.column("key_name").to_pylist())
    assert not names & {t[0] for t in TENANTS[:5]}


def test_a_job_screened_again_under_an_id_the_table_knew_is_read_afresh(cast, screened):
    """The table tells jobs apart by id and when they finished (a database restored from a backup gives an id
    to another job): a job with a known id but another finishing time is read again."""
    a, b = screened
    rostertable.sync()
    PersonResult.objects.filter(job=b, row=2).update(id_number=TENANTS[25][1])
    ScreeningJob.objects.filter(pk=b.pk).update(finished_at=timezone.now() + dt.timedelta(seconds=5))
    table = rostertable.sync()
    assert TENANTS[25][1] in table.column("key_number").to_pylist()
    assert sorted(rows_by_job(table)) == sorted([a.pk, b.pk]) and table.num_rows == 9


def test_a_job_without_engine_roster_or_roster_file_has_fallback_rows(cast, screened):
    a, _ = screened
    os.remove(a.roster_path)
    (Path(a.result_dir) / services.ENGINE_ROSTER_FILE).unlink()
    table = rostertable.sync()
    mine = table.filter(pc.equal(table.column("job_id"), a.pk))
    assert mine.column("fallback").to_pylist() == [True] * 5
    assert sorted(mine.column("pk").to_pylist()) == sorted(
        PersonResult.objects.filter(job=a).values_list("pk", flat=True))
    assert set(mine.column("id_number").to_pylist()) == {""}  # the roster as typed is gone


def test_the_jobs_stamps_are_the_same_whichever_way_they_are_read(cast, screened):
    """The stamps PostgreSQL computes for the table's jobs (``rostertable._current_jobs``) are the integers
    ``_stamp`` makes of the finishing times: one microsecond off and every job would look replaced (its rows
    dropped and read again). A job without a finishing time is stamped by its creation."""
    a, b = screened
    ScreeningJob.objects.filter(pk=a.pk).update(finished_at=dt.datetime(2022, 8, 20, 23, 59, 59, 999999, dt.UTC))
    ScreeningJob.objects.filter(pk=b.pk).update(finished_at=None)
    expected = [(job.pk, rostertable._stamp(job.finished_at or job.created_at), job.roster_path, job.roster_name,
                 job.result_dir) for job in ScreeningJob.objects.filter(pk__in=[a.pk, b.pk]).order_by("pk")]
    assert [tuple(j) for j in rostertable._current_jobs() if j[0] in (a.pk, b.pk)] == expected
    assert expected[0][1] == 1661039999999999
