"""``dispatch.changes``: rows written since a snapshot, in PostgreSQL's transaction order."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_own_writes_after_a_snapshot_are_changes_when_another_transaction_committed_in_between(force):
    """Found when the suite ran beside other databases' work: the reader's transaction wrote (so it holds an
    id), another transaction committed (so the snapshot's xmax passed that id), then the reader took a
    snapshot and wrote again — its second write carried the old id, below xmax and not among the running, and
    the nearest-unit index never saw the unit's new position (the unit was proposed twice). The reader's own
    earlier rows now count as changes too (a superset: the index and the console take a row again harmlessly)."""
    if connection.vendor != "postgresql":
        pytest.skip("transaction-order changes exist only on PostgreSQL")
    import psycopg

    from pingan.dispatch import changes
    from pingan.dispatch.models import PatrolUnit

    units = PatrolUnit.objects.filter(pk=force.car_a.pk)
    units.update(lon=118.1)  # our transaction holds an id now (the fixture's writes gave it one already)
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}
    with psycopg.connect(**dsn, autocommit=True) as other:  # another transaction commits: xmax moves past ours
        other.execute("SELECT pg_current_xact_id()")
    snap = changes.snapshot()
    units.update(lon=118.2)
    assert list(changes.since(units, snap).values_list("lon", flat=True)) == [118.2]
