"""Background screening: queued after commit, run by the task, failures and progress kept on the job row.

The worker itself (leases, budgets, a dead worker, a database restart) is tested in tests/core/test_leased_jobs*.py.
"""

from __future__ import annotations

import pytest
from web_support import AS_OF, roster_bytes

pytestmark = pytest.mark.django_db


def submit(cast, data: bytes, name: str = "roster.csv", key: str = ""):
    from pingan.screening.tasks import screening_job_submit

    return screening_job_submit(actor=cast.landlord_a, roster_name=name, roster_bytes=data,
                                premises=cast.premises_a, idempotency_key=key)


def test_it_queues_the_job_only_when_the_transaction_commits(cast, django_capture_on_commit_callbacks):
    from pingan.screening.models import ScreeningJob

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job, created = submit(cast, b"\x00\x01 not a spreadsheet", "roster.xlsx")
    assert created and len(callbacks) == 1
    assert ScreeningJob.objects.get(pk=job.pk).status == "queued"  # nothing ran before the commit
    callbacks[0]()
    assert ScreeningJob.objects.get(pk=job.pk).status == "failed"


def test_it_keeps_why_a_job_failed_on_the_job_row(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = submit(cast, b"\x00\x01 not a spreadsheet", "roster.xlsx")
    job.refresh_from_db()
    assert job.status == "failed" and "roster.xlsx" in job.error and job.finished_at is not None


def test_it_does_not_queue_a_repeated_idempotency_key_twice(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created_1 = submit(cast, b"a,b\n1,2\n", key="k-1")
        again, created_2 = submit(cast, b"a,b\n1,2\n", key="k-1")
    assert first.pk == again.pk and created_1 and not created_2
    assert len(callbacks) == 1


def test_it_refuses_an_empty_upload_with_the_file_name(cast):
    from pingan.core.errors import DomainError

    with pytest.raises(DomainError, match=r"empty\.csv"):
        submit(cast, b"", "empty.csv")


def test_it_ignores_a_job_that_vanished_or_is_done(cast, screened):
    from pingan.screening.tasks import screening_job_task

    assert screening_job_task.call(10**9) == "missing"
    assert screening_job_task.call(screened[0].pk) == "done"


@pytest.mark.django_db(transaction=True)
def test_the_job_row_is_the_queue_so_a_restart_keeps_it(cast, settings, risk):
    from django.db import connection

    from pingan.core.jobs import Worker
    from pingan.screening.models import ScreeningJob

    if connection.vendor != "postgresql":  # the worker's child cannot see SQLite's in-memory test database
        pytest.skip("the worker forks: set PINGAN_TEST_DATABASE_URL")
    settings.PINGAN = {**settings.PINGAN, "JOBS_INLINE": False}  # as in production: nothing runs in the web
    job, _ = submit(cast, roster_bytes())
    assert ScreeningJob.objects.get(pk=job.pk).status == "queued"  # waits for the worker (`pingan serve`)
    Worker(batch=True, concurrency=1, interval=0.05).run()  # a worker started later takes it from the table
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.attempts == 1 and job.lease_owner == "" and job.counts["accepted"] == 4


def test_it_screens_a_roster_end_to_end_with_progress(risk, cast):
    from pingan.screening import services
    from pingan.screening.tasks import screening_job_task

    job = services.screening_job_create(actor=cast.landlord_a, roster_name="roster.csv",
                                        roster_bytes=roster_bytes(), premises=cast.premises_a, as_of=AS_OF)
    assert screening_job_task.call(job.pk) == "done"
    job.refresh_from_db()
    assert job.progress == 100 and job.counts["accepted"] == 4 and job.counts["rejected"] == 1
