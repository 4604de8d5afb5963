"""The routing caches do not carry one test's organisation units into the next (CI of 2026-12-07, full runs only:
a device registered by test_alerts_device_command within a second of a test that had loaded the Xiamen
jurisdictions was routed to that test's unit, rolled back since — ``alerts_device`` violated its foreign key to
``core_orgunit`` at teardown). tests/conftest.py forgets them before every test
(``pingan.alerts.services.routing_forget``). The first test leaves the index as if the next test started within
the second it is trusted; the second then routes a device into a district of that index: its unit must be one
of its own database."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.django_db

DEVICE = "35020301001320000010"


def _register():
    from pingan.alerts import services

    return services.device_register(actor=None, device_id=DEVICE, name="莲前西路卡口", kind="anpr",
                                    lon=118.137, lat=24.476)


def test_a_test_that_routes_by_the_xiamen_districts(xiamen):
    from pingan.alerts import services

    assert _register().unit is not None
    services._index_cache["checked"] = time.monotonic() + 3600  # the next test starts within the second


def test_the_next_test_routes_to_a_unit_of_its_own_database(cast):
    from django.db import connection

    from pingan.core.models import OrgUnit

    device = _register()
    assert device.unit_id is None or OrgUnit.objects.filter(pk=device.unit_id).exists(), device.unit_id
    connection.check_constraints()  # what the rollback at teardown checked: every foreign key holds
