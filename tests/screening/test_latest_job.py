"""The latest-finished-job mark (``ScreeningJob.is_latest``): set by the service that finishes a job, never
on a failed or older job, right when two jobs of one premises finish at once, and back-filled by the
migration that added it."""

from __future__ import annotations

import importlib
import threading
import time
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from test_jobs import AS_OF, risk, roster_bytes, run  # noqa: F401 - risk is a fixture the tests use

from pingan.core.errors import DomainError
from pingan.screening import services
from pingan.screening.models import ScreeningJob

pytestmark = pytest.mark.django_db

DONE = ScreeningJob.Status.DONE


def latest_of(premises) -> list[int]:
    return list(ScreeningJob.objects.filter(premises=premises, is_latest=True).values_list("pk", flat=True))


def queued(premises, owner) -> ScreeningJob:
    return services.screening_job_create(actor=owner, roster_name="roster.csv", roster_bytes=roster_bytes(),
                                         premises=premises, as_of=AS_OF)


@pytest.mark.usefixtures("risk")
def test_it_marks_a_finished_job_as_its_premises_latest(cast):
    job = run(roster_bytes(), actor=cast.landlord_a, premises=cast.premises_a)
    assert job.is_latest and latest_of(cast.premises_a) == [job.pk]
    assert latest_of(cast.premises_b) == []


@pytest.mark.usefixtures("risk")
def test_it_moves_the_mark_when_a_newer_job_finishes(cast):
    first = run(roster_bytes(), actor=cast.landlord_a, premises=cast.premises_a)
    second = run(roster_bytes(), actor=cast.landlord_a, premises=cast.premises_a)
    assert latest_of(cast.premises_a) == [second.pk]
    first.refresh_from_db()
    assert not first.is_latest


@pytest.mark.usefixtures("risk")
def test_it_keeps_the_mark_when_an_older_job_finishes_later(cast):
    older, newer = queued(cast.premises_a, cast.landlord_a), queued(cast.premises_a, cast.landlord_a)
    services.screening_job_run(job=newer)
    services.screening_job_run(job=older)
    assert older.status == newer.status == DONE
    assert latest_of(cast.premises_a) == [newer.pk] and not older.is_latest


@pytest.mark.usefixtures("risk")
def test_it_keeps_the_mark_when_a_newer_job_fails(cast):
    good = run(roster_bytes(), actor=cast.landlord_a, premises=cast.premises_a)
    with pytest.raises(DomainError):
        run("姓名,证件号码\n".encode(), actor=cast.landlord_a, premises=cast.premises_a)
    failed = ScreeningJob.objects.latest("id")
    assert failed.status == "failed" and not failed.is_latest
    assert latest_of(cast.premises_a) == [good.pk]


@pytest.mark.usefixtures("risk")
def test_a_rerun_that_fails_hands_the_mark_back_to_the_previous_job(cast, tmp_path):
    first = run(roster_bytes(), actor=cast.landlord_a, premises=cast.premises_a)
    second = run(roster_bytes(), actor=cast.landlord_a, premises=cast.premises_a)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"")
    second.roster_path = str(broken)  # the roster went missing between the two runs
    with pytest.raises(DomainError):
        services.screening_job_run(job=second)
    assert second.status == "failed" and not second.is_latest
    assert latest_of(cast.premises_a) == [first.pk]


@pytest.mark.usefixtures("risk")
def test_it_marks_no_job_screened_without_a_premises():
    assert not run(roster_bytes()).is_latest
    assert not ScreeningJob.objects.filter(is_latest=True).exists()


def job_row(premises, owner, status=DONE, **kw) -> ScreeningJob:
    return ScreeningJob.objects.create(premises=premises, submitted_by=owner, roster_name="r.csv",
                                       roster_sha256="0" * 64, status=status, as_of=timezone.now(),
                                       finished_at=timezone.now(), **kw)


def test_the_database_refuses_two_latest_jobs_for_one_premises(cast):
    job_row(cast.premises_a, cast.landlord_a, is_latest=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        job_row(cast.premises_a, cast.landlord_a, is_latest=True)


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_the_database_refuses_a_latest_job_that_is_not_done(cast, status):
    with pytest.raises(IntegrityError), transaction.atomic():
        job_row(cast.premises_a, cast.landlord_a, status=status, is_latest=True)


def test_the_bulk_refresh_marks_the_highest_done_job_of_each_premises(cast):
    a1, a2 = job_row(cast.premises_a, cast.landlord_a), job_row(cast.premises_a, cast.landlord_a)
    job_row(cast.premises_a, cast.landlord_a, status="failed")
    b1 = job_row(cast.premises_b, cast.landlord_b)
    job_row(None, None)
    assert services.screening_job_latest_refresh() == 2
    assert latest_of(cast.premises_a) == [a2.pk] and latest_of(cast.premises_b) == [b1.pk]
    assert services.screening_job_latest_refresh(premises_ids=[cast.premises_a.pk]) == 0  # nothing moved
    ScreeningJob.objects.filter(pk=a2.pk).update(is_latest=False, status="failed")
    assert services.screening_job_latest_refresh(premises_ids=[cast.premises_a.pk]) == 1
    assert latest_of(cast.premises_a) == [a1.pk] and latest_of(cast.premises_b) == [b1.pk]


def test_the_migration_backfills_the_latest_done_job_of_each_premises(cast):
    from django.apps import apps

    migration = importlib.import_module("pingan.screening.migrations.0003_screeningjob_is_latest")
    job_row(cast.premises_a, cast.landlord_a)
    a2 = job_row(cast.premises_a, cast.landlord_a)
    job_row(cast.premises_a, cast.landlord_a, status="failed")
    b1 = job_row(cast.premises_b, cast.landlord_b)
    job_row(None, None)
    migration.backfill_latest(apps, SimpleNamespace(connection=connection))  # it reads only the connection
    assert latest_of(cast.premises_a) == [a2.pk] and latest_of(cast.premises_b) == [b1.pk]
    assert ScreeningJob.objects.filter(is_latest=True).count() == 2


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")
        return cur.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["older", "newer"])
def test_two_jobs_finishing_at_once_leave_the_newer_one_latest(cast, first):
    """One job's finishing transaction is held open while the other finishes: the second waits for the
    premises lock, then sees the first one's ``done``; either way round the newer job ends up latest."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    older = job_row(cast.premises_a, cast.landlord_a, status="running")
    newer = job_row(cast.premises_a, cast.landlord_a, status="running")
    holder, waiter = (older, newer) if first == "older" else (newer, older)
    holding, release, errors = threading.Event(), threading.Event(), []

    def finish(job: ScreeningJob, hold: bool) -> None:
        try:
            with transaction.atomic():
                services._set_status(job, status=DONE, finished_at=timezone.now())
                if hold:
                    holding.set()
                    release.wait(10)
        except Exception as exc:  # reported below: a thread's exception would otherwise be lost
            errors.append(exc)
        finally:
            connection.close()

    t1 = threading.Thread(target=finish, args=(holder, True))
    t1.start()
    assert holding.wait(10)
    t2 = threading.Thread(target=finish, args=(waiter, False))
    t2.start()
    deadline = time.monotonic() + 10
    while not _waiting_on_a_lock():
        assert time.monotonic() < deadline, "the second finish never waited for the first"
        time.sleep(0.02)
    release.set()
    t1.join(10)
    t2.join(10)
    assert errors == []
    assert latest_of(cast.premises_a) == [newer.pk]
    assert set(ScreeningJob.objects.filter(premises=cast.premises_a).values_list("status", flat=True)) == {DONE}
