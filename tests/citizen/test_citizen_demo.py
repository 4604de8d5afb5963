"""``pingan citizen demo`` opens a household-registration counter at each station of the Xiamen demo only:
``pingan stats demo`` adds the US open-data organisations, whose police districts have no such counter (a
trial found "Bayview警察分站户政窗口" among the counters)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from pingan.core.models import OrgUnit
from pingan.core.services import orgunit_create

pytestmark = pytest.mark.django_db


def test_the_demo_opens_counters_at_the_xiamen_stations_only():
    sf = orgunit_create(code="us-sf", name="San Francisco Police Department", kind=OrgUnit.Kind.BUREAU)
    orgunit_create(code="us-sf-bayview", name="Bayview警察分站", kind=OrgUnit.Kind.STATION, parent=sf)
    call_command("citizen", "demo", stdout=io.StringIO())

    from pingan.citizen.models import Counter

    units = set(Counter.objects.values_list("unit__code", flat=True))
    xiamen = set(OrgUnit.objects.filter(kind=OrgUnit.Kind.STATION, path__startswith=OrgUnit.objects.get(
        code="350200").path).values_list("code", flat=True))
    assert units == xiamen and "350203-LQ" in units and "us-sf-bayview" not in units
