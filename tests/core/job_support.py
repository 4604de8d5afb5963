"""Work functions of test job kinds (run in a worker's forked child) and helpers to make jobs.

The kinds reuse the screening job table; their work functions are plain functions of this module, which the
child has imported already (it is a fork of the test process).
"""

from __future__ import annotations

import faulthandler
import os
import time

from django.utils import timezone

from pingan.core import jobs
from pingan.screening.models import ScreeningJob


def finish(job_id: int) -> None:
    ScreeningJob.objects.filter(pk=job_id).update(status="done", finished_at=timezone.now(), progress=100)


def quick(job_id: int) -> None:
    finish(job_id)


def slow(job_id: int) -> None:
    time.sleep(3)
    finish(job_id)


def sleep_forever(job_id: int) -> None:
    time.sleep(3600)


def eat_memory(job_id: int) -> None:
    """Grow by 50 MB at a time, touching every page (resident), until stopped."""
    hoard = []
    while True:
        hoard.append(bytearray(os.urandom(1)) * (50 * 2**20))
        time.sleep(0.02)


def abort(job_id: int) -> None:
    faulthandler.disable()  # pytest's crash dump of the child would only be noise in the test output
    os.abort()  # what a native parser does when an allocation fails: SIGABRT, no Python exception


def refuse(job_id: int) -> None:
    raise jobs.JobFailed("no_such_data", "the data this job needs is not there", {"dataset": "x"})


def broken(job_id: int) -> None:
    raise KeyError("no such thing")


def kind(name: str, run: str, **budget) -> jobs.JobKind:
    return jobs.JobKind(name=f"test-{name}", model=ScreeningJob, run=f"job_support.{run}", **budget)


def make_job(submitter=None, **fields) -> ScreeningJob:
    return ScreeningJob.objects.create(submitted_by=submitter, roster_name="r.csv", roster_sha256="0" * 64,
                                       as_of=timezone.now(), **fields)
