"""SQLite, the embedded default: while one process holds the write lock (a large screening), another
process's loop waits the busy database out instead of dying with ``database is locked`` (a new user's trial
saw the dispatch, scheduler and alert processes crash and restart). Two real processes on one SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from django.db import OperationalError

from pingan.core.dbbusy import is_busy, retry_busy

LOOP = textwrap.dedent("""
    import django, os, sys, time
    os.environ["DJANGO_SETTINGS_MODULE"] = "pingan.config.settings"
    django.setup()
    from django.db import connection, transaction
    from pingan.core.dbbusy import retry_busy
    print("ready", flush=True)

    def write(i):
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("INSERT INTO rounds (n) VALUES (%s)", [i])

    for i in range(8):  # the loop's rounds: each is one short write, as the dispatch worker's expiry
        retry_busy(lambda: write(i), what="test loop",
                   sleep=lambda s: (print("database is busy", file=sys.stderr), time.sleep(s)))
        print("round", i, flush=True)
""")


def test_a_busy_database_is_waited_out_by_another_process(tmp_path):
    db = tmp_path / "pingan.sqlite3"
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE rounds (n INTEGER)")
    con.execute("BEGIN IMMEDIATE")  # the other process: a long write transaction
    con.execute("INSERT INTO rounds (n) VALUES (-1)")
    env = {k: v for k, v in os.environ.items() if k not in ("PINGAN_DATABASE_URL", "DATABASE_URL")}
    env.update(PINGAN_DATA_DIR=str(tmp_path), PINGAN_SQLITE_TIMEOUT="1", PYTHONPATH=os.pathsep.join(sys.path))
    loop = subprocess.Popen([sys.executable, "-c", LOOP], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert loop.stdout.readline() == "ready\n"
    time.sleep(4)  # longer than the loop's busy timeout: it met "database is locked" at least once
    assert loop.poll() is None, loop.communicate()
    con.execute("COMMIT")
    out, err = loop.communicate(timeout=120)
    assert loop.returncode == 0, err
    assert out.split("\n")[:8] == [f"round {i}" for i in range(8)]
    assert "Traceback" not in err and "database is busy" in err
    assert [n for (n,) in con.execute("SELECT n FROM rounds ORDER BY rowid")] == [-1, *range(8)]


def test_only_a_busy_database_is_retried():
    calls = []

    def busy_twice():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database is locked")
        return "done"

    assert retry_busy(busy_twice, sleep=lambda s: None) == "done" and len(calls) == 3
    assert not is_busy(OperationalError("no such table: x")) and is_busy(OperationalError("database is locked"))
    with pytest.raises(OperationalError):
        retry_busy(lambda: (_ for _ in ()).throw(OperationalError("no such table: x")), sleep=lambda s: None)
