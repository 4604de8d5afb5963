"""Real processes (issue 12, item 3): ``kill -9`` of a worker in the middle of a job, database connections
terminated under a worker and under a web server (``pg_terminate_backend``), ``pingan serve`` restarting a
dead worker. Each test starts ``pingan`` subprocesses on the test's PostgreSQL database.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from django.db import connection
from stdnum.cn import ric

from pingan.screening import services
from pingan.screening.models import PersonResult, ScreeningJob
from pingan.screening.riskdata.nhc import LISTING_SCHEMA

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")


def _listings() -> pa.Table:
    t0, t1 = dt.datetime(2022, 8, 10, tzinfo=SH), dt.datetime(2022, 8, 25, tzinfo=SH)
    row = ["k", "福建省", "厦门市", "思明区", "莲前街道某社区", "350203", "county", None, "high", t0, t1, t1,
           "NHC", "a", "b"]
    return pa.Table.from_arrays([pa.array([v], f.type) for v, f in zip(row, LISTING_SCHEMA, strict=True)],
                                schema=LISTING_SCHEMA)


def roster(rows: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "身份证号", "手机号码"])
    for i in range(rows):
        body = f"350203{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        w.writerow([f"测试{i}", body + ric.calc_check_digit(body + "0"), f"138{i:08d}"])
    return buf.getvalue().encode()


def queued_job(rows: int) -> ScreeningJob:
    return services.screening_job_create(actor=None, roster_name="big.csv", roster_bytes=roster(rows),
                                         as_of=dt.date(2022, 8, 20))


@pytest.fixture
def risk_data(transactional_db):
    services.risk_dataset_store(kind="listings", name="t", source="t", table=_listings())


@pytest.fixture
def start(process_env):
    """``start(*args, app=…, module=…, **env)``: ``python -m pingan.cli ARGS`` (or another module) as a
    subprocess on the test's database, its connections named ``app`` (``application_name``, so a test can
    terminate them); killed at the end of the test."""
    procs = []

    def run(*args: str, app: str = "pingan-test", module: str = "pingan.cli", **env: str) -> subprocess.Popen:
        e = process_env()
        e["PINGAN_DATABASE_URL"] += f"?application_name={app}"
        e.update(env)
        # a session of its own: the whole tree (serve's workers, a worker's job) is killed at the end
        p = subprocess.Popen([sys.executable, "-m", module, *args], env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True)
        procs.append(p)
        return p

    yield run
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    # the server notices the dead clients a moment later; the test database cannot be dropped before
    wait_for(lambda: not _sessions("pingan-test%"), timeout=10)


def _sessions(app_like: str) -> int:
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s", [app_like])
        return c.fetchone()[0]


def wait_for(what, timeout: float = 60, step: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = what()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def children_of(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def terminate_backends(app: str) -> int:
    with connection.cursor() as c:
        # this test database's only: another run on the same server (a second suite, a helper's tests) keeps its own
        c.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s "
                  "AND datname = current_database() AND pid <> pg_backend_pid()", [app])
        return c.fetchone()[0]


def test_a_job_whose_worker_is_killed_mid_job_is_run_again_by_the_next_worker(risk_data, start):
    job = queued_job(40_000)
    lease = {"PINGAN_JOB_LEASE_SECONDS": "3"}
    first = start("worker", "--concurrency", "1", "--interval", "0.1", **lease)
    wait_for(lambda: ScreeningJob.objects.filter(pk=job.pk, status="running", progress__gte=20).exists())
    child = wait_for(lambda: children_of(first.pid))[0]
    os.kill(first.pid, signal.SIGKILL)  # kill -9 of the worker mid-job
    first.wait()
    wait_for(lambda: not alive(child), timeout=10)  # its job's process died with it (PR_SET_PDEATHSIG)
    stuck = ScreeningJob.objects.get(pk=job.pk)
    assert stuck.status == "running" and stuck.attempts == 1  # what the issue saw: running for ever …
    killed_at = time.monotonic()
    start("worker", "--concurrency", "1", "--interval", "0.1", **lease)  # … until a worker reaps the lease
    wait_for(lambda: ScreeningJob.objects.filter(pk=job.pk, status__in=("done", "failed")).exists(), timeout=120)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.attempts == 2 and job.lease_owner == ""
    assert PersonResult.objects.filter(job=job).count() == 40_000  # stored once, by the second run
    assert time.monotonic() - killed_at < 100


def test_the_worker_goes_on_after_its_database_connection_is_terminated(risk_data, start):
    worker = start("worker", "--concurrency", "1", "--interval", "0.1", app="pingan-test-worker")
    wait_for(lambda: terminate_backends("pingan-test-worker"))  # connected, and now cut off …
    for _ in range(3):  # … again and again, while it polls
        time.sleep(0.3)
        terminate_backends("pingan-test-worker")
    job = queued_job(10)
    wait_for(lambda: ScreeningJob.objects.filter(pk=job.pk, status="done").exists(), timeout=60)
    assert worker.poll() is None  # still running


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_restarts_a_worker_killed_with_kill_9(risk_data, start):
    port = free_port()
    serve = start("serve", f"127.0.0.1:{port}", "--interval", "0.1", PINGAN_LANGUAGE="en")  # its English lines
    lines: list[str] = []

    def line_with(text: str) -> str | None:
        while True:
            line = serve.stdout.readline()
            if not line:
                return None
            lines.append(line)
            if text in line:
                return line

    first = line_with("background worker started (pid ")
    assert first is not None, "".join(lines)
    pid = int(first.split("(pid ")[1].split(")")[0])
    os.kill(pid, signal.SIGKILL)
    again = line_with("background worker restarted (pid ")
    assert again is not None, "".join(lines)
    assert any("stopped with signal SIGKILL" in ln for ln in lines)
    new_pid = int(again.split("(pid ")[1].split(")")[0])
    assert new_pid != pid and alive(new_pid)
    job = queued_job(10)  # the restarted worker screens
    wait_for(lambda: ScreeningJob.objects.filter(pk=job.pk, status="done").exists(), timeout=60)


def test_the_web_server_answers_after_the_database_connections_are_terminated(start, cast):
    """Issue 12: terminating the database connections gave the web server 8 × HTTP 500 (one per thread's
    stale persistent connection) before it recovered."""
    from pingan.core.services import token_create

    secret = token_create(user=cast.landlord_a, name="t").secret
    port = free_port()
    # a thread pool, like production servers: each of the 8 threads keeps its database connection
    server = start("--threads=8", f"--listen=127.0.0.1:{port}", "pingan.config.wsgi:application",
                   module="waitress", app="pingan-test-web")
    url = f"http://127.0.0.1:{port}/api/v1/jobs"

    def get(_=None) -> int:
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:  # noqa: S310 - a local test server
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def answers() -> bool:
        try:
            return get() == 200
        except OSError:
            return False

    wait_for(answers, timeout=30)
    with ThreadPoolExecutor(8) as pool:  # every server thread opens its persistent connection
        assert set(pool.map(get, range(32))) == {200}
    assert terminate_backends("pingan-test-web") >= 1
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(get, range(32)))
    assert codes.count(500) == 0 and set(codes) == {200}, codes
    assert server.poll() is None
