"""The web and audit probes of issue 12, run as a new user would: a real server (uvicorn, ``pingan serve``'s
ASGI application) in a subprocess, real HTTP clients, the ``pingan`` command for the audit questions.

    createdb -h 127.0.0.1 -U postgres pingan_web_probes
    PINGAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_web_probes .venv/bin/python bench/web_probes.py \
        [idempotent] [verify_rate] [audit]

Prints one JSON line per probe, with the load average:

* ``idempotent`` — 20 clients released at once post the same roster with one ``Idempotency-Key``
  (was: 30-35 % HTTP 500, once two jobs); then the key with another file (was: the first job, now 422);
* ``upload`` — a 200 MB ``Content-Length`` (was read whole before the 20 MB limit): status and seconds;
* ``verify_rate`` — 20 parallel verifications from one address against a limit of 5 a minute (was 4x);
* ``audit`` — the audit questions: a police token without a purpose; an officer reads a premises; "who looked
  at landlord_a?" through ``pingan audit search --person``; a forged ``X-Request-ID``; an administrator
  making themselves an analyst alone; ``pingan audit verify`` intact, after a record is edited as the
  database superuser, and after the newest records are deleted past a checkpoint.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


class _Skip(Exception):
    """A probe not chosen."""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="roster"; filename="{name}"\r\n'
                 f"Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Server:
    def __init__(self, env: dict[str, str]):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "pingan.config.asgi:application", "--port",
                                      str(self.port), "--log-level", "warning", "--lifespan", "off"], env=env)
        end = time.monotonic() + 120
        while time.monotonic() < end:
            try:
                self.request("GET", "/verify/")
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("the server did not start within 120 s")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.read(), dict(r.getheaders())
        finally:
            conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def pingan(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pingan.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def main() -> int:
    if not os.environ.get("PINGAN_DATABASE_URL"):
        print("set PINGAN_DATABASE_URL to a scratch database (see the docstring)", file=sys.stderr)
        return 2
    data_dir = tempfile.mkdtemp(prefix="pingan-web-probes-")
    os.environ.update(PINGAN_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="pingan.config.settings",
                      PINGAN_AUDIT_CHECKPOINT_MINUTES="0")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    import django

    django.setup()
    from django.core.management import call_command

    call_command("init", verbosity=0)
    from pingan.core.models import AuditRecord, OrgUnit, User
    from pingan.core.reference import demo_org_load
    from pingan.core.services import premises_create, token_create, user_create
    from pingan.screening.models import ScreeningJob

    if not OrgUnit.objects.exists():
        demo_org_load()
    unit = OrgUnit.objects.get(code="350203-LQ")
    tag = uuid.uuid4().hex[:6]

    def mk(name, role, u=None):
        return user_create(username=f"{name}_{tag}", password=None, role=role, unit=u, display_name=f"{name}_{tag}")

    landlord, officer, admin = mk("landlord_a", "landlord"), mk("officer_a", "officer", unit), mk("admin", "admin")
    premises = premises_create(actor=landlord, name=f"莲前出租屋 {tag}", kind="rental", address="思明区莲前东路1号",
                               adcode="350203010")
    landlord_token = token_create(user=landlord, name="probe").secret
    chosen = set(sys.argv[1:]) or {"idempotent", "verify_rate", "audit"}  # names of probes to run
    server = Server(env) if "idempotent" in chosen else None
    try:
        # ---- 20 parallel submissions with one Idempotency-Key (and the 200 MB upload)
        if server is None:
            raise _Skip
        roster = "姓名,身份证号\n张伟,11010519491231002X\n".encode()
        body, ctype = multipart({"premises_id": str(premises.pk)}, "r.csv", roster)
        key, clients = f"probe-{tag}", 20
        start = threading.Barrier(clients)
        headers = {"Authorization": f"Bearer {landlord_token}", "Idempotency-Key": key, "Content-Type": ctype}

        def submit(_):
            start.wait()
            t = time.monotonic()
            status, text, _h = server.request("POST", "/api/v1/jobs", body, headers)
            return status, json.loads(text).get("id"), time.monotonic() - t

        lo, t0 = load(), time.monotonic()
        with ThreadPoolExecutor(clients) as pool:
            answers = list(pool.map(submit, range(clients)))
        other, octype = multipart({"premises_id": str(premises.pk)}, "other.csv",
                                  roster + "李娜,110105194912310021\n".encode())
        reuse = server.request("POST", "/api/v1/jobs", other, {**headers, "Content-Type": octype})
        print(json.dumps({"probe": "idempotent", "load_before": lo, "load_after": load(),
                          "statuses": {str(s): [a[0] for a in answers].count(s) for s in {a[0] for a in answers}},
                          "distinct_job_ids": len({a[1] for a in answers}),
                          "jobs_with_the_key": ScreeningJob.objects.filter(idempotency_key=key).count(),
                          "slowest_answer_s": round(max(a[2] for a in answers), 2),
                          "wall_s": round(time.monotonic() - t0, 2),
                          "reused_key_other_file": [reuse[0], json.loads(reuse[1]).get("code")]}), flush=True)

        # ---- a 200 MB upload declared in Content-Length
        lo, t0 = load(), time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.putrequest("POST", "/api/v1/jobs")
        conn.putheader("Authorization", f"Bearer {landlord_token}")
        conn.putheader("Content-Type", "multipart/form-data; boundary=b")
        conn.putheader("Content-Length", str(200 * 2**20))
        conn.endheaders()
        with contextlib.suppress(OSError):
            conn.send(b"x" * 2**20)
        r = conn.getresponse()
        code = json.loads(r.read()).get("code")
        print(json.dumps({"probe": "upload", "load_before": lo, "load_after": load(), "status": r.status,
                          "code": code, "seconds": round(time.monotonic() - t0, 2)}), flush=True)
        conn.close()
    except _Skip:
        pass
    finally:
        if server is not None:
            server.stop()

    # ---- the verification rate limit from 20 parallel clients (limit 5 a minute, its own server)
    server = Server({**env, "PINGAN_VERIFY_RATE_PER_MINUTE": "5"}) if "verify_rate" in chosen else None
    try:
        if server is None:
            raise _Skip
        limit = 5
        start = threading.Barrier(20)

        def verify(_):
            start.wait()
            return server.request("POST", "/api/v1/codes/verify", b'{"text": "PA1:x"}',
                                  {"Content-Type": "application/json"})[0]

        while time.time() % 60 > 45:  # one fixed window
            time.sleep(1)
        lo = load()
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(verify, range(20)))
        print(json.dumps({"probe": "verify_rate", "load_before": lo, "load_after": load(), "limit": limit,
                          "ok": statuses.count(200), "refused_429": statuses.count(429)}), flush=True)
    except _Skip:
        pass
    finally:
        if server is not None:
            server.stop()
    if "audit" not in chosen:
        return 0

    # ---- the audit questions
    server = Server(env)
    lo = load()
    try:
        no_purpose = token_create(user=officer, name="np", purpose="case_investigation").secret
        refused = server.request("GET", f"/api/v1/premises/{premises.pk}",
                                 headers={"Authorization": f"Bearer {no_purpose}", "X-Purpose": "curiosity"})
        read = server.request("GET", f"/api/v1/premises/{premises.pk}",
                              headers={"Authorization": f"Bearer {no_purpose}",
                                       "X-Request-ID": "forged id <script>"})
    finally:
        server.stop()
    rec = AuditRecord.objects.filter(actor=officer.username).order_by("-seq").first()
    search = pingan("audit", "search", "--person", landlord.username, env=env)
    elevate = pingan("access", "request", "--as", admin.username, "--user", admin.username, "--role", "analyst",
                     "--unit", "350200", "--reason", "probe", env=env)
    change_id = elevate.stdout.split()[2] if elevate.returncode == 0 else ""
    self_approve = pingan("access", "approve", change_id, "--as", admin.username, env=env)
    still = User.objects.get(pk=admin.pk).role
    checkpoint = pingan("audit", "checkpoint", env=env)
    intact = pingan("audit", "verify", env=env)
    from django.db import connection

    victim = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True)[2]
    original = AuditRecord.objects.get(seq=victim).purpose
    with connection.cursor() as cur:  # as the database's superuser: the append-only triggers let it through
        cur.execute("UPDATE core_auditrecord SET purpose = 'jurisdiction_management' WHERE seq = %s", [victim])
    edited = pingan("audit", "verify", env=env)
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditrecord SET purpose = %s WHERE seq = %s", [original, victim])
        head = AuditRecord.objects.order_by("-seq").first().seq
        cur.execute("DELETE FROM core_auditsubject WHERE seq >= %s", [head - 1])
        cur.execute("DELETE FROM core_auditrecord WHERE seq >= %s", [head - 1])
    truncated = pingan("audit", "verify", env=env)

    def last(p: subprocess.CompletedProcess) -> str:
        return ((p.stdout + p.stderr).strip().splitlines() or [""])[-1][:200]

    print(json.dumps({
        "probe": "audit", "load_before": lo, "load_after": load(),
        "token_with_unknown_purpose": [refused[0], json.loads(refused[1]).get("code")],
        "officer_read": read[0], "recorded": {"actor": rec.actor, "purpose": rec.purpose, "object": rec.object_type,
                                             "persons": (rec.detail.get("subjects") or {}).get("n"),
                                             "request_id_ours": len(rec.request_id) == 32,
                                             "forged_client_id_kept": "client_request_id" in rec.detail},
        "who_looked_at_landlord": [ln for ln in search.stdout.splitlines() if officer.username in ln][:2],
        "admin_self_elevation": {"request": last(elevate), "self_approve": last(self_approve), "role_after": still},
        "verify_intact": [intact.returncode, last(intact)], "verify_after_edit": [edited.returncode, last(edited)],
        "verify_after_deleting_the_newest": [truncated.returncode, last(truncated)],
        "checkpoint": checkpoint.returncode,
    }, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
