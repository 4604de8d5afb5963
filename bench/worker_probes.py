"""The hardening probes of issue 12, run as a new user would: real files, a real ``pingan worker``.

    createdb -h 127.0.0.1 -U postgres pingan_probes
    PINGAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_probes \\
        .venv/bin/python bench/worker_probes.py [--big-rows 1048575] [--repeat-mb 19] [--probe NAME ...]

Uses the database named by ``PINGAN_DATABASE_URL`` (migrated here, jobs added) and a fresh data directory
with the bundled NHC risk-area listings. Each probe submits rosters as a landlord would (the page's service),
runs ``pingan worker`` as a subprocess (``--concurrency 2``) and prints one JSON line: per job its outcome
(status, failure code, attempts), seconds from submission to the end, and the peak resident memory of the
job's process as the worker measured it (MiB); plus the worker's own.

Probes (sizes are parameters; the defaults are the issue's):

* ``tiny`` — a few-KB XLSX with one value at XFD1048576, then an ordinary roster: the first fails with
  ``sheet_too_large``, the second is screened by the same worker;
* ``bomb`` — a ZIP-bomb XLSX (~4 GB of sheet), declared honestly and with a lying size;
* ``repeated`` — one ID number on 8,000 rows under one name, on 2,000 and 4,000 rows under different
  names, and a CSV of ``--repeat-mb`` MB of one person repeated, with another landlord's 2-row roster
  submitted right after it (how long it waited);
* ``kill`` — ``kill -9`` of the worker while it screens a ``--kill-rows``-row roster; a second worker
  takes the job up when the lease (``PINGAN_JOB_LEASE_SECONDS``, here 5) expires;
* ``big`` — a ``--big-rows``-row XLSX (name and a unique ID number, under the 20 MB limit at the default
  size).
"""

from __future__ import annotations

import argparse
import atexit
import csv
import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "screening"))  # the hostile-file generators of the tests


def rid(i: int, area: str = "350203") -> str:
    from stdnum.cn import ric

    days = i // 1000
    y, rest = 1950 + days // 336, days % 336
    body = f"{area}{y:04d}{1 + rest // 28:02d}{1 + rest % 28:02d}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def csv_roster(rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "身份证号", "手机号码"])
    w.writerows(rows)
    return buf.getvalue().encode()


def big_xlsx(path: Path, rows: int) -> None:
    """Name and ID number (unique) on ``rows`` rows: 1,048,575 of them make ~19 MB."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["姓名", "身份证号"])
    sur, giv = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋"
    for i in range(1, rows + 1):
        ws.write_string(i, 0, sur[i % 10] + giv[(i // 10) % 10] + giv[(i // 100) % 10])
        ws.write_string(i, 1, rid(i))
    wb.close()


class Probe:
    def __init__(self, env: dict[str, str]):
        self.env = env
        self.workers: list[subprocess.Popen] = []
        atexit.register(self.stop_all)  # a probe that times out (SystemExit) leaves no worker running
        from pingan.core.models import Premises, User
        from pingan.core.services import premises_create, user_create

        self.users = {}
        for name in ("landlord_a", "landlord_b"):
            u = User.objects.filter(username=name).first() or user_create(
                username=name, password=secrets.token_urlsafe(16), role="landlord", display_name=name)
            self.users[name] = u
        self.premises = {}
        for name, u in self.users.items():
            p = Premises.objects.filter(owner=u).first() or premises_create(
                actor=u, name=f"{name} 出租屋", kind="rental", address="思明区莲前东路1号", adcode="350203010")
            self.premises[name] = p

    def submit(self, who: str, name: str, data: bytes):
        from pingan.screening.tasks import screening_job_submit

        job, _ = screening_job_submit(actor=self.users[who], roster_name=name, roster_bytes=data,
                                      premises=self.premises[who])
        return job

    def worker(self, log: Path, **env: str) -> subprocess.Popen:
        e = {**self.env, **env}
        w = subprocess.Popen([sys.executable, "-m", "pingan.cli", "worker", "--concurrency", "2",
                              "--interval", "0.2"], env=e, stdout=open(log, "a"),  # noqa: SIM115
                              stderr=subprocess.STDOUT)
        self.workers.append(w)
        return w

    def stop_all(self) -> None:
        for w in self.workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
                w.send_signal(signal.SIGTERM)  # the second one stops its running jobs too
                try:
                    w.wait(30)
                except subprocess.TimeoutExpired:
                    w.kill()

    @staticmethod
    def wait(jobs, timeout: float) -> None:
        from pingan.screening.models import ScreeningJob

        end = time.monotonic() + timeout
        ids = [j.pk for j in jobs]
        while time.monotonic() < end:
            if not ScreeningJob.objects.filter(pk__in=ids, status__in=("queued", "running")).exists():
                return
            time.sleep(0.5)
        raise SystemExit(f"jobs {ids} did not finish within {timeout} s")

    @staticmethod
    def outcome(job, log: Path) -> dict:
        job.refresh_from_db()
        peak = re.findall(rf"job screening {job.pk} ended \(exit status -?\d+, peak (\d+) MB\)", log.read_text())
        took = (job.finished_at - job.created_at).total_seconds() if job.finished_at else None
        return {"job": job.pk, "roster": job.roster_name, "status": job.status, "code": job.error_code,
                "attempts": job.attempts, "rows": job.counts.get("rows"), "seconds": took,
                "queued_seconds": round((job.started_at - job.created_at).total_seconds(), 2)
                if job.started_at else None,
                "peak_mib": [int(p) for p in peak]}


def load() -> str:
    """The 1, 5 and 15-minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", action="append", choices=["tiny", "bomb", "repeated", "kill", "big"])
    parser.add_argument("--big-rows", type=int, default=1_048_575)
    parser.add_argument("--repeat-mb", type=float, default=19)
    parser.add_argument("--kill-rows", type=int, default=200_000)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    if not os.environ.get("PINGAN_DATABASE_URL"):
        print("set PINGAN_DATABASE_URL to a scratch database (see the docstring)", file=sys.stderr)
        return 2
    data_dir = tempfile.mkdtemp(prefix="pingan-probes-")
    os.environ.update(PINGAN_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="pingan.config.settings",
                      PINGAN_SCREENING_AS_OF="2022-08-20")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("init", verbosity=0)  # migrations and reference data
    from pingan.core.models import OrgUnit
    from pingan.core.reference import demo_org_load
    from pingan.screening import riskimport

    if not OrgUnit.objects.exists():
        demo_org_load()  # the demo organisation: the premises' police unit

    riskimport.import_nhc(None)  # the bundled 2022 risk-area listings
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    probe = Probe(env)
    log = Path(data_dir) / "worker.log"
    chosen = args.probe or ["tiny", "bomb", "repeated", "kill", "big"]

    def report(name: str, jobs, started: float, **extra) -> None:
        """One JSON line; called once the probe's worker has stopped, so its log has every job's peak."""
        print(json.dumps({"probe": name, "load_before": extra.pop("load"), "load_after": load(),
                          "wall_seconds": round(time.monotonic() - started, 1),
                          "jobs": [Probe.outcome(j, log) for j in jobs], **extra}, ensure_ascii=False), flush=True)

    if "tiny" in chosen:
        from hostile_files import far_cell_xlsx

        lo, t = load(), time.monotonic()
        w = probe.worker(log)
        jobs = [probe.submit("landlord_a", "tiny.xlsx", far_cell_xlsx()),
                probe.submit("landlord_a", "ok.csv", csv_roster([["张伟", rid(1), "13800000001"]]))]
        probe.wait(jobs, args.timeout)
        alive = w.poll() is None
        w.send_signal(signal.SIGINT)
        w.wait()
        report("tiny", jobs, t, load=lo, worker_alive=alive)

    if "bomb" in chosen:
        from hostile_files import zip_bomb_xlsx

        lo, t = load(), time.monotonic()
        w = probe.worker(log)
        honest, liar = zip_bomb_xlsx(), zip_bomb_xlsx(lie=True)
        jobs = [probe.submit("landlord_a", "bomb.xlsx", honest), probe.submit("landlord_a", "bomb-lie.xlsx", liar)]
        probe.wait(jobs, args.timeout)
        alive = w.poll() is None
        w.send_signal(signal.SIGINT)
        w.wait()
        report("bomb", jobs, t, load=lo, file_mb=round(len(honest) / 2**20, 1), worker_alive=alive)

    if "repeated" in chosen:
        lo, t = load(), time.monotonic()
        one = rid(7)
        names = [f"测试{i}" for i in range(4000)]
        row = ["张伟", one, "13800138000"]
        per_row = len(",".join(row).encode()) + 2
        big = csv_roster([row] * int(args.repeat_mb * 2**20 / per_row))
        w = probe.worker(log)
        jobs = [probe.submit("landlord_a", "same-name-8000.csv", csv_roster([row] * 8000)),
                probe.submit("landlord_a", "names-2000.csv", csv_roster([[n, one, ""] for n in names[:2000]])),
                probe.submit("landlord_a", "names-4000.csv", csv_roster([[n, one, ""] for n in names])),
                probe.submit("landlord_a", f"one-person-{args.repeat_mb:g}mb.csv", big)]
        other = probe.submit("landlord_b", "two-rows.csv", csv_roster([["李娜", rid(8), ""], ["王芳", rid(9), ""]]))
        probe.wait([*jobs, other], args.timeout)
        alive = w.poll() is None
        w.send_signal(signal.SIGINT)
        w.wait()
        report("repeated", [*jobs, other], t, load=lo, repeat_csv_mb=round(len(big) / 2**20, 1),
               worker_alive=alive)

    if "kill" in chosen:
        from pingan.screening.models import ScreeningJob

        lo, t = load(), time.monotonic()
        lease = {"PINGAN_JOB_LEASE_SECONDS": "5"}
        w = probe.worker(log, **lease)
        job = probe.submit("landlord_a", "kill.csv", csv_roster(
            [[f"测试{i}", rid(i), f"{13800000000 + i}"] for i in range(args.kill_rows)]))
        while not ScreeningJob.objects.filter(pk=job.pk, status="running", progress__gte=20).exists():
            time.sleep(0.1)
        os.kill(w.pid, signal.SIGKILL)
        w.wait()
        killed = time.monotonic()
        w2 = probe.worker(log, **lease)
        probe.wait([job], args.timeout)
        w2.send_signal(signal.SIGINT)
        w2.wait()
        report("kill", [job], t, load=lo, seconds_from_kill_to_end=round(time.monotonic() - killed, 1))

    if "big" in chosen:
        path = Path(data_dir) / "big.xlsx"
        t0 = time.monotonic()
        big_xlsx(path, args.big_rows)
        made = round(time.monotonic() - t0, 1)
        lo, t = load(), time.monotonic()
        w = probe.worker(log)
        job = probe.submit("landlord_a", "big.xlsx", path.read_bytes())
        probe.wait([job], args.timeout)
        w.send_signal(signal.SIGINT)
        w.wait()
        report("big", [job], t, load=lo, file_mb=round(path.stat().st_size / 2**20, 2), generated_seconds=made)
    return 0


if __name__ == "__main__":
    sys.exit(main())
