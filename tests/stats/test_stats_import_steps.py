"""An import commits in steps, so a long one never holds the database's write lock for long.

Found in a trial: on the embedded SQLite, `pingan stats demo` beside `pingan serve` wrote two years of a city in
one transaction; a sign-in waiting for the write lock ran into the busy timeout and answered HTTP 500
("database is locked", 5 of 69 sign-ins). Each step now commits on its own; an import that fails half-way
ends its batch ``failed`` and importing the file again leaves the rollups whole.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from pingan.stats import demo, services
from pingan.stats.models import DailyCount, ImportBatch, Incident, WeeklyCount

pytestmark = pytest.mark.django_db(transaction=True)

START, END = dt.date(2024, 3, 1), dt.date(2024, 3, 20)


def demo_file() -> bytes:
    return demo.demo_csv(["莲前派出所", "江头派出所"], START, END, per_day=15)


def committed_incidents() -> int:
    """Incidents another connection sees (what is committed), counted from another thread."""
    out = []

    def count():
        try:
            out.append(Incident.objects.count())
        finally:
            connections.close_all()

    t = threading.Thread(target=count)
    t.start()
    t.join()
    return out[0]


def rollups() -> tuple[list, list]:
    return (sorted(DailyCount.objects.values_list("unit_id", "day", "offence", "n")),
            sorted(WeeklyCount.objects.values_list("unit_id", "day", "offence", "n")))


def test_it_commits_the_incidents_in_steps_before_the_rollups(cast, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_CHUNK", 50)
    seen: list[tuple[bool, int]] = []
    creates: list[bool] = []
    original_create = Incident.objects.bulk_create
    original_rollup = services.rollup_refresh

    def create(objs, **kw):
        creates.append(connection.in_atomic_block)
        assert len(objs) <= 50
        seen.append((True, committed_incidents()))  # the chunks before this one are visible to others
        return original_create(objs, **kw)

    def rollup(**kw):
        seen.append((False, committed_incidents()))
        return original_rollup(**kw)

    monkeypatch.setattr(Incident.objects, "bulk_create", create)
    monkeypatch.setattr(services, "rollup_refresh", rollup)
    batch = services.bureau_import(data=demo_file(), filename="march.csv", org_code="350200")
    created = batch.counts["created"]
    assert batch.status == ImportBatch.Status.DONE and created > 150
    chunk_counts = [n for is_create, n in seen if is_create]
    assert chunk_counts == list(range(0, created, 50))  # each chunk committed before the next began
    assert all(n == created for is_create, n in seen if not is_create)  # the rollups follow, committed too
    assert creates and all(creates)  # each chunk in its own transaction


def test_an_import_that_fails_half_way_is_marked_failed_and_a_second_run_completes_the_rollups(cast, monkeypatch):
    data = demo_file()
    calls = []
    original_rollup = services.rollup_refresh

    def failing(**kw):
        calls.append(kw)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return original_rollup(**kw)

    monkeypatch.setattr(services, "rollup_refresh", failing)
    with pytest.raises(RuntimeError):
        services.bureau_import(data=data, filename="march.csv", org_code="350200")
    failed = ImportBatch.objects.get()
    assert failed.status == ImportBatch.Status.FAILED and "disk is full" in failed.error
    monkeypatch.setattr(services, "rollup_refresh", original_rollup)
    again = services.bureau_import(data=data, filename="march.csv", org_code="350200")
    assert again.status == ImportBatch.Status.DONE and again.counts["created"] == 0
    after_import = rollups()
    services.rollup_refresh(start=START - dt.timedelta(days=7), end=END + dt.timedelta(days=60))
    assert after_import == rollups()  # nothing was missing
    assert after_import[0]
