"""GB/T 2260 reference data: lookups, historical codes, name paths and name resolution."""

import pytest

from pingan.lib import adcodes


def test_it_knows_current_and_historical_codes():
    assert adcodes.get("350203").name == "思明区"
    assert adcodes.exists("350204") and not adcodes.is_current("350204")  # 开元区, merged in 2003
    assert not adcodes.exists("999999")


@pytest.mark.parametrize(("code", "path"), [
    ("350203", "福建省厦门市思明区"), ("110105", "北京市朝阳区"),
    # prefecture-level cities without counties are listed as their own county in the NBS tables
    ("441900", "广东省东莞市"), ("442000", "广东省中山市"), ("460400", "海南省儋州市"),
])
def test_it_builds_name_paths_without_looping(code, path):
    assert adcodes.name_path(code) == path


def test_it_resolves_irregular_names():
    assert adcodes.resolve("北京", "朝阳区") == "110105"
    assert adcodes.resolve("北京市", "北京市", "朝阳区") == "110105"
    assert adcodes.resolve("广西壮族自治区", "南宁市") == "450100"
    assert adcodes.resolve("火星", "某市") is None


def test_it_never_makes_a_division_its_own_parent():
    for div in adcodes.divisions(include_historical=True):
        assert div.parent != div.code
        assert (div.parent is None) == (div.level == "province")
    assert adcodes.get("441900").level == "county" and adcodes.get("441900").parent == "440000"
