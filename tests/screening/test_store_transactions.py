"""A screening's results are stored in short transactions, a batch each, and the job is done only after the
last one (a new user's trial on SQLite: one transaction for 80,000 rows held the database's only write lock
for its whole length, and the job page people were watching answered 400). A run that fails half-way leaves
the job failed with none of its rows."""

from __future__ import annotations

import pytest
from django.db import transaction
from test_jobs import risk, roster_bytes, run  # noqa: F401 - risk is a fixture

from pingan.screening import services
from pingan.screening.models import PersonResult, ScreeningJob


def _spy(monkeypatch, on_batch):
    real = services.copy_insert

    def copy_insert(model, objs):
        if model is PersonResult:
            on_batch(objs[0].job_id)
        return real(model, objs)

    monkeypatch.setattr(services, "copy_insert", copy_insert)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("risk")
def test_each_batch_commits_on_its_own_and_the_job_is_done_after_the_last(monkeypatch):
    monkeypatch.setattr(services, "STORE_BATCH", 2)
    committed: list[int] = []
    seen: list[tuple] = []

    def on_batch(job_id):
        n = len(seen)
        job = ScreeningJob.objects.get(pk=job_id)
        # the batches before this one are committed already, while the job is still running
        seen.append((list(committed), job.status, job.stats.get("running", {}).get("stored"),
                     PersonResult.objects.filter(job_id=job_id).count()))
        transaction.on_commit(lambda: committed.append(n))

    _spy(monkeypatch, on_batch)
    job = run(roster_bytes())
    assert job.status == "done", job.error
    assert seen == [([], "running", 0, 0), ([0], "running", 2, 2), ([0, 1], "running", 4, 4)]
    assert committed == [0, 1, 2]
    job.refresh_from_db()
    assert "running" not in job.stats and job.progress == 100
    assert PersonResult.objects.filter(job=job).count() == 5


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
def test_a_store_that_fails_half_way_leaves_the_job_failed_without_rows(monkeypatch):
    monkeypatch.setattr(services, "STORE_BATCH", 2)
    batches: list[int] = []

    def on_batch(job_id):
        batches.append(job_id)
        if len(batches) == 2:
            raise OSError("disk full")

    _spy(monkeypatch, on_batch)
    with pytest.raises(OSError):
        run(roster_bytes())
    job = ScreeningJob.objects.get(pk=batches[0])
    assert job.status == "failed" and job.error_code == "internal_error" and not job.is_latest
    assert not PersonResult.objects.filter(job=job).exists()
    assert "running" not in job.stats
