"""Leased jobs (pingan.core.jobs): leases, bounded retries, budgets, fair scheduling — with a real worker
that forks a real child per job (issue 12, items 2 and 3).

The worker runs in this process (``Worker(batch=True).run()``) and forks its children; they must see the
test's rows, so these tests need PostgreSQL and commit (``transaction=True``).
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.utils import timezone, translation
from job_support import kind, make_job

from pingan.core import jobs
from pingan.screening.models import ScreeningJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the worker forks children that must see the test's rows: set PINGAN_TEST_DATABASE_URL")


@pytest.fixture
def register():
    added = []

    def add(k: jobs.JobKind) -> jobs.JobKind:
        jobs.register(k)
        added.append(k.name)
        return k

    yield add
    for name in added:
        jobs.KINDS.pop(name, None)


def run_worker(*kinds: jobs.JobKind, concurrency: int = 1, timeout: float = 60) -> jobs.Worker:
    w = jobs.Worker(batch=True, concurrency=concurrency, interval=0.05, kinds=[k.name for k in kinds])
    start = time.monotonic()
    w.run()
    assert time.monotonic() - start < timeout
    return w


def test_it_runs_a_job_in_a_child_and_clears_the_lease(register, cast):
    k = register(kind("quick", "quick"))
    job = make_job(cast.landlord_a)
    run_worker(k)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.lease_owner, job.lease_expires_at) == ("done", 1, "", None)
    assert job.started_at is not None


def test_it_stops_a_job_at_its_time_budget_without_retrying_it(register, cast):
    k = register(kind("sleepy", "sleep_forever", seconds=2))
    job = make_job(cast.landlord_a)
    started = time.monotonic()
    run_worker(k)
    job.refresh_from_db()
    assert time.monotonic() - started < 15
    assert (job.status, job.error_code, job.error_params, job.attempts) == (
        "failed", "job_time_exceeded", {"seconds": 2}, 1)
    with translation.override("en"):
        assert "longer than the 2 seconds" in job.failure_message
    with translation.override("zh-hans"):
        assert "2 秒" in job.failure_message


def test_it_stops_a_job_over_its_memory_budget(register, cast):
    k = register(kind("hungry", "eat_memory", memory_mb=300))
    job = make_job(cast.landlord_a)
    w = run_worker(k)
    job.refresh_from_db()
    assert (job.status, job.error_code, job.error_params, job.attempts) == (
        "failed", "job_memory_exceeded", {"limit_mb": 300}, 1)
    assert w.running == {}


def test_a_child_killed_by_a_signal_is_retried_a_bounded_number_of_times_then_failed(register, cast, settings):
    settings.PINGAN = {**settings.PINGAN, "JOB_MAX_ATTEMPTS": 3}
    k = register(kind("aborts", "abort"))
    job = make_job(cast.landlord_a)
    run_worker(k)
    job.refresh_from_db()
    assert (job.status, job.error_code, job.attempts) == ("failed", "job_crashed", 3)
    assert job.error_params == {"attempts": 3, "signal": "SIGABRT"}
    with translation.override("en"):
        assert "(SIGABRT) 3 times" in job.failure_message


def test_the_worker_survives_a_crashing_job_and_runs_the_next(register, cast):
    crash, ok = register(kind("aborts", "abort", max_attempts=1)), register(kind("quick", "quick"))
    bad, good = make_job(cast.landlord_a), make_job(cast.landlord_b)
    # the crashing kind is served first; the same worker then runs the good job
    run_worker(crash, ok)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == "failed" and bad.error_code == "job_crashed"
    assert good.status == "done"


def test_an_expected_failure_is_stored_with_its_code_and_parameters(register, cast):
    k = register(kind("refuse", "refuse"))
    job = make_job(cast.landlord_a)
    run_worker(k)
    job.refresh_from_db()
    assert (job.status, job.error_code, job.error_params, job.attempts) == ("failed", "no_such_data",
                                                                           {"dataset": "x"}, 1)
    assert job.failure_message == "the data this job needs is not there"  # no template: the English text


def test_an_unexpected_error_is_stored_as_internal_error(register, cast):
    k = register(kind("broken", "broken"))
    job = make_job(cast.landlord_a)
    run_worker(k)
    job.refresh_from_db()
    assert (job.status, job.error_code, job.error_params) == ("failed", "internal_error", {"error": "KeyError"})
    assert "KeyError" in job.error


def test_an_expired_lease_puts_the_job_back_then_fails_it_after_the_last_attempt(register, cast, settings):
    settings.PINGAN = {**settings.PINGAN, "JOB_MAX_ATTEMPTS": 2}
    k = register(kind("quick", "quick"))
    past = timezone.now() - dt.timedelta(seconds=1)
    lost = make_job(cast.landlord_a, status="running", attempts=1, lease_owner="dead-worker", lease_expires_at=past)
    assert jobs.reap(k) == 1
    lost.refresh_from_db()
    assert (lost.status, lost.lease_owner, lost.attempts) == ("queued", "", 1)
    ScreeningJob.objects.filter(pk=lost.pk).update(status="running", attempts=2, lease_owner="dead-again",
                                                   lease_expires_at=past)
    assert jobs.reap(k) == 1
    lost.refresh_from_db()
    assert (lost.status, lost.error_code, lost.error_params) == ("failed", "worker_lost", {"attempts": 2})
    with translation.override("zh-hans"):
        assert "2" in lost.failure_message and "中断" in lost.failure_message


def test_a_live_lease_is_not_reaped(register, cast):
    k = register(kind("quick", "quick"))
    job = make_job(cast.landlord_a, status="running", attempts=1, lease_owner="alive",
                   lease_expires_at=timezone.now() + dt.timedelta(seconds=30))
    assert jobs.reap(k) == 0
    assert jobs.renew(k, job.pk, "alive") and not jobs.renew(k, job.pk, "someone-else")


def test_a_job_is_claimed_once_however_many_workers_ask(register, cast):
    k = register(kind("quick", "quick"))
    job = make_job(cast.landlord_a)
    assert jobs.claim(k, "w1") == job.pk
    assert jobs.claim(k, "w2") is None
    job.refresh_from_db()
    assert job.lease_owner == "w1" and job.attempts == 1


def test_the_next_job_is_for_the_submitter_with_the_fewest_running(register, cast, settings):
    settings.PINGAN = {**settings.PINGAN, "JOB_MAX_PER_SUBMITTER": 2}
    k = register(kind("quick", "quick"))
    a_running = make_job(cast.landlord_a, status="running", lease_owner="w", started_at=timezone.now())
    a_queued = [make_job(cast.landlord_a) for _ in range(3)]
    b_queued = make_job(cast.landlord_b)  # submitted last
    assert jobs.claim(k, "w2") == b_queued.pk
    # both have one running now; landlord_a was served longer ago (its running job started before b's)
    ScreeningJob.objects.filter(pk=b_queued.pk).update(started_at=timezone.now() + dt.timedelta(seconds=1))
    assert jobs.claim(k, "w3") == a_queued[0].pk
    assert a_running.pk not in (b_queued.pk, a_queued[0].pk)


def test_a_submitter_has_at_most_the_cap_running(register, cast):
    k = register(kind("quick", "quick"))
    mine = [make_job(cast.landlord_a) for _ in range(3)]
    assert jobs.claim(k, "w1") == mine[0].pk
    assert jobs.claim(k, "w2") is None  # landlord_a has one running: the cap (1)
    other = make_job(cast.landlord_b)
    cli = make_job(None)  # the command line's jobs have no submitter and no cap
    assert {jobs.claim(k, "w3"), jobs.claim(k, "w4")} == {other.pk, cli.pk}
    ScreeningJob.objects.filter(pk=mine[0].pk).update(status="done")
    assert jobs.claim(k, "w5") == mine[1].pk


def test_a_short_roster_is_not_stalled_behind_anothers_long_ones(register, cast):
    """Issue 12, item 2: another landlord's two-row roster waited 10 minutes behind a long job."""
    k = register(kind("slow", "slow"))
    long_jobs = [make_job(cast.landlord_a) for _ in range(3)]
    short = make_job(cast.landlord_b)  # submitted after all of landlord_a's
    # two slots: landlord_a gets one, landlord_b's job the other at once (not after landlord_a's three)
    w = jobs.Worker(batch=True, concurrency=2, interval=0.05, kinds=[k.name])
    started = time.monotonic()
    while True:
        w.step()
        short.refresh_from_db()
        if short.status == "done" or time.monotonic() - started > 30:
            break
        time.sleep(0.05)
    waited = time.monotonic() - started
    states = sorted(ScreeningJob.objects.filter(pk__in=[j.pk for j in long_jobs]).values_list("status", flat=True))
    assert short.status == "done" and waited < 6  # one slow job (3 s), not four
    assert states.count("done") <= 1
    w.stopping = True
    w.run()  # finish the rest


def test_a_job_finished_by_its_child_is_not_taken_for_a_lost_lease(register, cast):
    """Its renewal fails (the job is no longer running) in the moment between the child's last commit and its
    exit: the 1,048,575-row probe's child was killed there as if another worker held the lease."""
    import subprocess

    k = register(kind("quick", "quick"))
    done = make_job(cast.landlord_a, status="done")
    taken = make_job(cast.landlord_b, status="running", lease_owner="another-worker",
                     lease_expires_at=timezone.now() + dt.timedelta(seconds=30))
    w = jobs.Worker(kinds=[k.name])
    children = [subprocess.Popen(["sleep", "30"]) for _ in range(2)]
    try:
        w.running = {p.pid: jobs._Running(k, j.pk, p.pid, time.monotonic(), 100, 100)
                     for p, j in zip(children, (done, taken), strict=True)}
        w._renew()
        assert w.running[children[0].pid].killed_for == ""
        assert w.running[children[1].pid].killed_for == "lease"
        assert children[1].wait(5) == -9 and children[0].poll() is None
    finally:
        for p in children:
            p.kill()
            p.wait()
