"""Dispatch fixtures: the cast (tests/conftest.py) plus a dispatcher of the command centre (350200-ZH), a
chief of station B, patrol units of stations A and B on a shift that contains now, placed on the hand-made map
of ``dispatch_support``."""

from __future__ import annotations

import datetime as dt

import pytest
from dispatch_support import offset


@pytest.fixture
def force(cast):
    """Units of stations A (莲前) and B (江头) and their crews on a shift from an hour ago to seven hours on."""
    from django.utils import timezone

    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create
    from pingan.dispatch import services

    centre = OrgUnit.objects.get(code="350200-ZH")
    cast.dispatcher = user_create(username="dispatcher", password=None, role="dispatcher", unit=centre)
    cast.chief_b = user_create(username="chief_b", password=None, role="station_chief", unit=cast.unit_b)
    cast.officer_a2 = user_create(username="officer_a2", password=None, role="officer", unit=cast.unit_a)
    cast.officer_a3 = user_create(username="officer_a3", password=None, role="officer", unit=cast.unit_a)
    now = timezone.now()
    mk = services.patrol_unit_create
    cast.car_a = mk(actor=None, code="LQ-C1", kind="car", unit=cast.unit_a)
    cast.foot_a = mk(actor=None, code="LQ-F1", kind="foot", unit=cast.unit_a)
    cast.moto_a = mk(actor=None, code="LQ-M1", kind="motorcycle", unit=cast.unit_a)
    cast.car_b = mk(actor=None, code="JT-C1", kind="car", unit=cast.unit_b)
    services.shift_create(
        actor=None,
        unit=cast.unit_a,
        name="day",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        users=[cast.chief_a],
        crews=[(cast.car_a, [cast.officer_a]), (cast.foot_a, [cast.officer_a2]), (cast.moto_a, [cast.officer_a3])],
    )
    services.shift_create(
        actor=None,
        unit=cast.unit_b,
        name="day",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        users=[cast.chief_b],
        crews=[(cast.car_b, [cast.officer_b])],
    )
    for pu, (east, north) in (
        (cast.car_a, (1000, 0)),
        (cast.foot_a, (0, 300)),
        (cast.moto_a, (-2000, 0)),
        (cast.car_b, (0, 3500)),
    ):
        services.unit_status_set(actor=None, patrol_unit_id=pu.pk, to="available")
        lon, lat = offset(east, north)
        services.position_report(actor=None, patrol_unit_id=pu.pk, lon=lon, lat=lat, source="api")
    for name in ("car_a", "foot_a", "moto_a", "car_b"):
        getattr(cast, name).refresh_from_db()
    return cast


@pytest.fixture(autouse=True)
def _fresh_unit_index():
    """The nearest-unit query's in-process index outlives a test's rolled-back transaction: start each test
    with an empty one."""
    from pingan.dispatch.live_index import INDEX

    INDEX.reset()
    yield
    INDEX.reset()
