"""An uploaded bureau file is a leased job (kind ``stats-import``): a real worker forks a real child for it,
a job whose worker died is taken up again and stored once, a run that lost its lease stores nothing, and
every row of the file ends accepted or rejected with its reason.

The worker runs in this process (``Worker(batch=True).run()``) and forks its children; they must see the
test's rows, so these tests need PostgreSQL and commit (``transaction=True``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone, translation
from stats_support import ROWS, bureau_csv

from pingan.core import jobs
from pingan.stats import services
from pingan.stats.models import ImportBatch, Incident, RowIssue

pytestmark = pytest.mark.django_db(transaction=True)
BAD_ROW = "X1,2024-03-06 09:00,2024-03-06 08:00,偷东西,某路,莲前派出所,,\n".encode()  # an unknown charge


@pytest.fixture(autouse=True)
def _queued_not_inline(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker forks children that must see the test's rows: set PINGAN_TEST_DATABASE_URL")
    settings.PINGAN = {**settings.PINGAN, "JOBS_INLINE": False}  # queued for a worker, as in production


def run_worker() -> None:
    jobs.Worker(batch=True, concurrency=1, interval=0.05, kinds=[services.IMPORT_JOB]).run()


def accounted(batch: ImportBatch) -> None:
    """Every data row of the file is in an incident, excluded by a counting rule, or rejected with its
    reason — and each issue is listed once."""
    c = batch.counts
    assert c["rows"] == len(ROWS) + 1 == c["rows_in_incidents"] + c["excluded"] + c["rejected"]
    issues = list(RowIssue.objects.filter(batch=batch).values_list("row", "kind", "code"))
    assert issues == [(10, "rejected", "unknown_charge")]
    assert Incident.objects.filter(source="bureau").count() == c["incidents"] == len(ROWS)


def test_an_upload_is_queued_and_a_worker_runs_it_in_a_child(cast):
    batch = services.import_submit(actor=cast.analyst, filename="week.csv", data=bureau_csv() + BAD_ROW)
    assert ImportBatch.objects.get(pk=batch.pk).status == "queued"  # nothing ran in the web process
    assert not Incident.objects.exists()
    run_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.lease_owner, batch.lease_expires_at) == ("done", 1, "", None)
    assert batch.started_at is not None and batch.finished_at >= batch.started_at
    accounted(batch)


def test_an_import_whose_worker_died_is_taken_up_again_and_stored_once(cast):
    batch = services.import_submit(actor=cast.analyst, filename="week.csv", data=bureau_csv() + BAD_ROW)
    kind = jobs.KINDS[services.IMPORT_JOB]
    assert jobs.claim(kind, "dead-worker") == batch.pk  # a worker leased it … and died: no renewals
    ImportBatch.objects.filter(pk=batch.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    run_worker()  # the next worker reaps the expired lease, queues the job again and runs it
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.lease_owner) == ("done", 2, "")
    accounted(batch)


def test_a_run_that_lost_its_lease_stores_nothing_and_the_holder_stores_it_once(cast):
    batch = services.import_submit(actor=cast.analyst, filename="week.csv", data=bureau_csv() + BAD_ROW)
    kind = jobs.KINDS[services.IMPORT_JOB]
    jobs.claim(kind, "old-worker")
    # the old worker was cut off long enough to be presumed dead: another run holds the job now
    ImportBatch.objects.filter(pk=batch.pk).update(lease_owner="new-worker", attempts=2)
    for owner in ("old-worker", "new-worker"):
        jobs._LEASE.update(kind=services.IMPORT_JOB, job_id=batch.pk, owner=owner)  # as in the worker's child
        try:
            services.import_execute(batch.pk)
        finally:
            jobs._LEASE.clear()
        if owner == "old-worker":  # rolled back entirely: no incident, no row issue, the job still the other's
            assert not Incident.objects.exists() and not RowIssue.objects.exists()
            assert ImportBatch.objects.filter(pk=batch.pk, status="running", lease_owner="new-worker").exists()
    batch.refresh_from_db()
    assert (batch.status, batch.lease_owner) == ("done", "")
    accounted(batch)


def test_an_unreadable_upload_fails_the_job_with_its_reason_in_the_viewers_language(cast):
    batch = services.import_submit(actor=cast.analyst, filename="notes.csv", data="备注,金额\n一,2\n".encode())
    run_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.error_code, batch.attempts) == ("failed", "stats_unreadable_file", 1)
    # the file's problem as a code and params (naming the columns it needs), never "中文 / English"
    assert batch.error_params["message"]["code"] == "bureau_no_header"
    assert batch.error_params["message"]["params"]["name"] == "notes.csv" and " / " not in batch.error
    with translation.override("en"):
        assert batch.failure_message.startswith("The file could not be read as a bureau template")
        assert "No header row" in batch.failure_message and "找不到表头行" not in batch.failure_message
    with translation.override("zh-hans"):  # its half of the reader's message only (issue 11: both halves)
        assert "找不到表头行" in batch.failure_message and "No header row" not in batch.failure_message
    assert not Incident.objects.exists()
