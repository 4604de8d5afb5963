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


def test_it_gives_each_code_s_years_of_use_from_stdnum():
    years = adcodes.years_of_use()
    assert years["130502"] == ((1983, 2019), (2020, 9999))  # 桥东区 until 2019, then 襄都区
    assert years["110103"] == ((0, 2010),)  # 崇文区, merged into 东城区 in 2010
    assert years["110101"] == ((0, 9999),)  # no years given: always
    assert adcodes.in_use("130502", 2019) and adcodes.in_use("130502", 2020) and not adcodes.in_use("130502", 1982)
    assert not adcodes.in_use("110103", 2011) and not adcodes.in_use("999999", 2000)
    with pytest.raises(TypeError):
        years["999999"] = ((0, 1),)  # read-only: callers share one parse


def test_it_parses_stdnum_s_loc_dat_once_for_divisions_and_years(monkeypatch):
    from importlib import resources

    reads = []
    real = resources.files

    def counting(package):
        if package == "stdnum.cn":
            reads.append(package)
        return real(package)

    monkeypatch.setattr(adcodes.resources, "files", counting)
    for fn in (adcodes._loc_dat, adcodes._historical, adcodes.years_of_use):
        fn.cache_clear()
    try:
        assert adcodes.exists("350204") and adcodes.years_of_use()["350204"]
        from pingan.screening import synth

        synth._county_validity.cache_clear()
        assert synth._county_validity()
        assert reads == ["stdnum.cn"]
    finally:
        synth._county_validity.cache_clear()
