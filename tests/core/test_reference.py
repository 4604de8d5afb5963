"""Reference data: GB/T 2260 divisions and the Xiamen demo organisation."""

import pytest

from pingan.core.errors import DomainError
from pingan.core.models import AdminDivision, OrgUnit
from pingan.core.reference import demo_org_load, divisions_load
from pingan.core.services import orgunit_create, unit_for_adcode
from pingan.lib import adcodes

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_it_loads_current_and_historical_divisions(db):
    n = divisions_load()
    assert n == AdminDivision.objects.count() > 7000
    assert AdminDivision.objects.get(code="350203").name == "思明区"
    old = AdminDivision.objects.get(code="350204")  # 开元区, merged into 思明区 in 2003
    assert old.current is False and old.name == "开元区"


@pytest.mark.smoke
def test_it_loads_the_xiamen_demo_organisation_idempotently(db):
    first = demo_org_load()
    assert len(first.created) == 22
    again = demo_org_load()
    assert again.created == [] and len(again.existing) == 22
    lq = OrgUnit.objects.get(name="莲前派出所")
    assert lq.parent.name == "思明分局" and lq.parent.parent.name == "厦门市公安局"
    assert sorted(OrgUnit.objects.filter(kind="branch").values_list("code", flat=True)) == [
        "350203", "350205", "350206", "350211", "350212", "350213"]
    centres = OrgUnit.objects.filter(kind="centre")
    assert {c.parent.code for c in centres} == {"350200"} and centres.count() == 3
    court = OrgUnit.objects.get(kind="court")
    assert court.parent is None and not court.path.startswith(OrgUnit.objects.get(code="350200").path)


def test_centres_and_external_bodies_are_never_the_responsible_unit(db):
    demo_org_load()
    assert unit_for_adcode("350203").name == "思明分局"  # not the 思明区 procuratorate or court covering 350203


def test_it_picks_the_deepest_covering_unit(db):
    demo_org_load()
    assert unit_for_adcode("350203010").name == "莲前派出所"
    assert unit_for_adcode("350203001").name == "思明分局"  # 厦港街道: no station in the demo
    assert unit_for_adcode("350200").name == "厦门市公安局"
    with pytest.raises(DomainError) as err:
        unit_for_adcode("110105")
    assert err.value.code == "no_responsible_unit"


def test_it_refuses_units_out_of_order(db):
    bureau = orgunit_create(code="B", name="bureau", kind="bureau", adcodes_covered=["350200"])
    station = orgunit_create(code="S", name="station", kind="station", parent=bureau)
    with pytest.raises(DomainError):
        orgunit_create(code="X", name="branch under station", kind="branch", parent=station)
    with pytest.raises(DomainError):
        orgunit_create(code="Y", name="orphan", kind="station")
    with pytest.raises(DomainError):
        orgunit_create(code="Z", name="bad code", kind="branch", parent=bureau, adcodes_covered=["999999"])


def test_adcodes_resolve_irregular_names():
    assert adcodes.resolve("北京", "朝阳区") == "110105"
    assert adcodes.resolve("福建省", "厦门市", "思明区") == "350203"
    assert adcodes.name_path("350203") == "福建省厦门市思明区"
    assert adcodes.exists("350204") and not adcodes.is_current("350204")
