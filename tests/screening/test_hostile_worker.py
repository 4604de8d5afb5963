"""Hostile rosters through the real worker (issue 12, item 1): the job fails with a reason the submitter can
read, and the worker goes on to the next job. Even with the up-front checks switched off, the reader's
abort only kills the job's child process.

The worker forks; its children must see the test's rows: PostgreSQL, committed (``transaction=True``).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation
from hostile_files import far_cell_xlsx, zip_bomb_xlsx
from test_jobs import listings_table, roster_bytes

from pingan.core.jobs import Worker
from pingan.lib import sheets
from pingan.screening import roster, services, tasks
from pingan.screening.models import ScreeningJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _worker_setting(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker forks children that must see the test's rows: set PINGAN_TEST_DATABASE_URL")
    settings.PINGAN = {**settings.PINGAN, "JOBS_INLINE": False, "JOB_MAX_ATTEMPTS": 2}
    services.risk_dataset_store(kind="listings", name="t", source="t", table=listings_table())


def submit(cast, name: str, data: bytes) -> ScreeningJob:
    job, _ = tasks.screening_job_submit(actor=cast.landlord_a, roster_name=name, roster_bytes=data,
                                        premises=cast.premises_a)
    return job


def test_the_tiny_far_cell_workbook_and_the_zip_bomb_fail_with_reasons_and_the_worker_goes_on(cast):
    tiny = submit(cast, "tiny.xlsx", far_cell_xlsx())
    bomb = submit(cast, "bomb.xlsx", zip_bomb_xlsx())
    good = submit(cast, "roster.csv", roster_bytes())
    Worker(batch=True, concurrency=1, interval=0.05).run()
    for j in (tiny, bomb, good):
        j.refresh_from_db()
    assert (tiny.status, tiny.error_code, tiny.attempts) == ("failed", "sheet_too_large", 1)
    assert (bomb.status, bomb.error_code) == ("failed", "workbook_unpacks_too_large")
    assert good.status == "done", good.error
    with translation.override("zh-hans"):
        assert "XFD1048576" in tiny.failure_message and "最多读取 16,777,216 个单元格" in tiny.failure_message
    with translation.override("en"):
        assert tiny.failure_message.startswith("Sheet Sheet of tiny.xlsx spans A1:XFD1048576")
        assert "1,024 MB" in bomb.failure_message


def test_with_the_checks_off_the_reader_aborts_only_the_jobs_process(cast, monkeypatch):
    # the forked children inherit this: calamine gets the far-cell file and aborts (SIGABRT)
    monkeypatch.setattr(roster, "WORKBOOK_LIMITS", sheets.Limits(max_cells=1 << 62))
    tiny = submit(cast, "tiny.xlsx", far_cell_xlsx())
    good = submit(cast, "roster.csv", roster_bytes())
    w = Worker(batch=True, concurrency=1, interval=0.05)
    w.run()
    tiny.refresh_from_db()
    good.refresh_from_db()
    assert (tiny.status, tiny.error_code, tiny.attempts) == ("failed", "job_crashed", 2)
    assert tiny.error_params["signal"] == "SIGABRT"
    assert good.status == "done", good.error
    assert w.running == {}


def test_a_store_longer_than_the_lease_keeps_the_lease_and_runs_once(cast, monkeypatch, settings):
    """Storing 1,048,575 rows took minutes; the store held the job row locked, so the worker could not renew
    the lease, reaped its own job as lost and queued it again. The store no longer touches the job row
    before its last statement."""
    import time

    settings.PINGAN = {**settings.PINGAN, "JOB_LEASE_SECONDS": 2}
    store = services._store_results

    def slow_store(job, result, **kwargs):
        store(job, result, **kwargs)
        time.sleep(6)  # three leases long, while the job is being stored

    monkeypatch.setattr(services, "_store_results", slow_store)
    job = submit(cast, "roster.csv", roster_bytes())
    Worker(batch=True, concurrency=1, interval=0.05).run()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1), job.error
