"""Alerts fixtures: the cast (tests/conftest.py) plus the Xiamen demo (district polygons, street devices),
duty shifts, a controllable clock, and a worker factory on the database log."""

from __future__ import annotations

import pytest
from alerts_support import Clock


@pytest.fixture
def xiamen(cast):
    from pingan.alerts import services
    from pingan.alerts.demo import demo_setup

    services.directory.forget()
    services._index_cache["index"] = None
    demo_setup()
    return cast


@pytest.fixture
def clock():
    from django.utils import timezone

    return Clock(timezone.now().replace(microsecond=0))


@pytest.fixture
def on_duty(xiamen):
    """Officers of both stations and chief A on duty; a dispatcher of the command centre too."""
    from pingan.alerts import services
    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    dispatcher = user_create(
        username="dispatcher", password=None, role="dispatcher", unit=OrgUnit.objects.get(code="350200-ZH")
    )
    for u in (xiamen.officer_a, xiamen.officer_b, xiamen.chief_a, dispatcher):
        services.duty_start(actor=u, hours=8)
    xiamen.dispatcher = dispatcher
    return xiamen


@pytest.fixture
def worker(clock):
    from pingan.alerts.eventlog import DatabaseLog
    from pingan.alerts.worker import Worker

    def make(**kw):
        return Worker(log_=DatabaseLog(), clock=clock, snapshot_every_s=kw.pop("snapshot_every_s", 0), **kw)

    yield make
    from django.db import connection

    if connection.vendor == "postgresql":  # the workers' consumer locks belong to the session, not the test
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock_all()")
