"""The embedded default (SQLite): a screening's long write must not break the pages people read meanwhile.

A new user's trial (an 80,000-row roster, ~78 s): while the worker wrote the results the landlord's job page
answered 400 ("请求无法处理") and the download waited 24 s, then failed. The page's session touch (the idle
sign-out's "last seen", every minute) waited the busy timeout for the write lock and Django answered its
failed save with 400 (``SessionInterrupted``). Here a second connection holds the write lock of a real SQLite
file while another process reads the pages: they answer at once, and the audit record of a read is written
once the lock is free.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest
from django.db import connection
from django.utils import timezone
from web_support import make_job

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one-writer lock")

READER = textwrap.dedent("""
    import django, json, os, sys, time
    os.environ["DJANGO_SETTINGS_MODULE"] = "pingan.config.settings"
    django.setup()
    from django.test import Client
    from pingan.core.models import User

    username, *urls = sys.argv[1:]
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "epidemic_screening"
    session.save()
    client.get(urls[0])
    session = client.session
    session["_seen"] = int(time.time()) - 120  # the page was polled for two minutes: the session is touched now
    session.save()
    print("ready", flush=True)
    sys.stdin.readline()
    for url in urls:
        start = time.monotonic()
        response = client.get(url)
        print(json.dumps({"url": url, "status": response.status_code, "seconds": time.monotonic() - start,
                          "body": response.content.decode("utf-8", "replace")[:20000]}), flush=True)
""")


def _copy_database(path) -> None:
    """The test database (in memory) as a SQLite file, in WAL mode as the embedded default opens it."""
    connection.ensure_connection()
    dest = sqlite3.connect(path)
    connection.connection.backup(dest)
    dest.execute("PRAGMA journal_mode=WAL")
    dest.close()


@pytest.mark.django_db(transaction=True)
def test_pages_of_a_running_job_answer_while_another_connection_writes(cast, tmp_path):
    from pingan.screening.models import ScreeningJob

    done = make_job(cast.landlord_a, cast.premises_a, "甲")
    job = ScreeningJob.objects.create(
        premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="big.csv", roster_sha256="0" * 64,
        status="running", progress=80, as_of=timezone.now(), started_at=timezone.now(),
        stats={"running": {"stage": "store", "rows": 80000, "stored": 35000, "total": 80000}})
    _copy_database(tmp_path / "pingan.sqlite3")
    (tmp_path / "secret_key").write_text("x" * 60)
    env = {k: v for k, v in os.environ.items() if k not in ("PINGAN_DATABASE_URL", "DATABASE_URL")}
    env.update(PINGAN_DATA_DIR=str(tmp_path), PINGAN_SQLITE_TIMEOUT="20", PYTHONPATH=os.pathsep.join(sys.path))
    page, download = f"/screening/jobs/{job.pk}/", f"/screening/jobs/{job.pk}/results.xlsx"
    reader = subprocess.Popen([sys.executable, "-c", READER, "landlord_a", page, download, page],
                              env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    assert reader.stdout.readline() == "ready\n", reader.communicate()
    writer = sqlite3.connect(tmp_path / "pingan.sqlite3", isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # the worker storing a chunk of results
    writer.execute("UPDATE screening_screeningjob SET progress = 85 WHERE id = ?", [job.pk])
    reader.stdin.write("go\n")
    reader.stdin.flush()
    first = json.loads(reader.stdout.readline())
    second = json.loads(reader.stdout.readline())
    writer.execute("COMMIT")
    third = json.loads(reader.stdout.readline())
    reader.communicate(timeout=60)
    assert first["status"] == 200, first["body"][:3000]
    assert first["seconds"] < 5, first["seconds"]
    assert "35,000" in first["body"] or "35000" in first["body"]
    assert second["status"] == 409 and second["seconds"] < 5, (second["status"], second["seconds"])
    assert f'href="{page}"' in second["body"]
    assert third["status"] == 200

    # an officer reads a finished screening's people (an audited read) while a batch of another is being
    # stored: the audit record waits for the lock and is written, the page answers once the batch commits
    reader = subprocess.Popen([sys.executable, "-c", READER, "officer_a", f"/screening/jobs/{done.pk}/"],
                              env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    assert reader.stdout.readline() == "ready\n", reader.communicate()
    audited = "SELECT count(*) FROM core_auditrecord WHERE object_type = 'ScreeningJob.results'"
    before = writer.execute(audited).fetchone()[0]
    writer.execute("BEGIN IMMEDIATE")
    reader.stdin.write("go\n")
    reader.stdin.flush()
    threading.Timer(2, lambda: writer.execute("COMMIT")).start()
    read = json.loads(reader.stdout.readline())
    reader.communicate(timeout=60)
    assert read["status"] == 200 and "甲红" in read["body"], read["body"][:3000]
    assert 1.5 < read["seconds"] < 15, read["seconds"]
    assert writer.execute(audited).fetchone()[0] > before  # its reads recorded (the lists it shows)
