"""English names of Chinese divisions (issue 11: English pages read "Lingshuilizu Autonomous County" for
陵水黎族自治县). The stem is its pinyin written as one word (GB/T 16159), the peoples an autonomous division is
named after in English as in its official name, the level in English (docs/web.md, "Place names")."""

from __future__ import annotations

import re

import pytest

from pingan.lib import adcodes, places


@pytest.mark.parametrize(("code", "english"), [
    ("469028", "Lingshui Li Autonomous County"),
    ("422800", "Enshi Tujia and Miao Autonomous Prefecture"),
    ("530925", "Shuangjiang Lahu, Va, Blang and Dai Autonomous County"),
    ("622926", "Dongxiang Autonomous County"),
    ("150723", "Oroqen Autonomous Banner"),
    ("410104", "Guancheng Hui District"),
    ("654000", "Yili Kazak Autonomous Prefecture"),
    ("150000", "Inner Mongolia Autonomous Region"),
    ("610000", "Shaanxi Province"),
    ("140000", "Shanxi Province"),
    ("650000", "Xinjiang Uygur Autonomous Region"),
    ("350203", "Siming District"),
])
def test_a_division_is_named_as_its_english_name_reads(code, english):
    assert places.english(code)[1] == english


def test_the_path_names_an_autonomous_prefecture_by_its_place_and_peoples():
    assert places.english("422801")[2].startswith("Enshi City, Enshi Tujia and Miao, Hubei")


@pytest.mark.parametrize(("code", "path"), [
    ("450503", "Yinhai District, Beihai, Guangxi"), ("650102", "Tianshan District, Wulumuqi, Xinjiang"),
    ("640104", "Xingqing District, Yinchuan, Ningxia"), ("150102", "Xincheng District, Huhehaote, Inner Mongolia")])
def test_the_path_names_an_autonomous_region_by_its_short_name(code, path):
    """Issue 11's trial read "Haicheng District, Beihai, Guangxi Zhuang": a region cut from its name."""
    assert places.english(code)[2] == path


def test_no_division_keeps_the_pinyin_of_its_peoples_or_of_autonomous():
    named = [p for p in places.places().values() if "族" in p.name or "自治" in p.name]
    assert len(named) > 150
    odd = [(p.code, p.name, places.english(p.code)[1]) for p in named
           if re.search(r"zu\b|zizhi|[\u4e00-\u9fff]", places.english(p.code)[1], re.I)]
    assert odd == []


def test_the_pinyin_key_still_finds_an_autonomous_county():
    assert "469028" in [p.code for p in places.search("lingshui")]
    assert places.resolve("Lingshui Li Autonomous County")[0] == "469028"


def test_adcodes_hold_the_names_the_tests_name():
    assert adcodes.get("469028").name == "陵水黎族自治县" and adcodes.get("422800").name == "恩施土家族苗族自治州"


@pytest.mark.parametrize(("code", "english"), [
    ("350212", "Tong'an District"),  # 同安区: "Tongan" on the overview's map beside "Tong'an District Branch"
    ("350213", "Xiang'an District"),
    ("610100", "Xi'an City"),
    ("350206", "Huli District"),
])
def test_a_syllable_starting_with_a_o_or_e_takes_the_apostrophe_gb_t_16159_gives_it(code, english):
    assert places.english(code)[1] == english


def test_every_district_of_the_bundled_city_is_spelt_as_its_branch_is():
    """The overview's map names a district by ``places.english``, its table by the branch's ``name_en``: one
    spelling of each (issue 11's trial: "Tongan" on the map, "Tong'an District Branch" in the table)."""
    import tomllib
    from pathlib import Path

    import pingan.core

    org = tomllib.loads((Path(pingan.core.__file__).parent / "data" / "demo_xiamen.toml").read_text("utf-8"))
    branches = org["branch"]
    assert len(branches) == 6 and all(b["name_en"].endswith(" District Branch") for b in branches)
    for b in branches:
        assert places.english(b["code"])[1] == b["name_en"].removesuffix(" Branch"), b


def test_search_still_finds_a_name_typed_without_the_apostrophe():
    assert "350212" in [p.code for p in places.search("tongan")]


def test_a_place_after_its_division_does_not_repeat_the_division():
    """Issue 11's trial: the person page read "海南省陵水黎族自治县 陵水黎族自治县英州镇英环东路西侧"."""
    from django.utils import translation

    from pingan.dashboard.people import place_name

    assert places.without_divisions("469028", "陵水黎族自治县英州镇英环东路西侧") == "英州镇英环东路西侧"
    assert places.without_divisions("350203", "福建省厦门市思明区莲前街道") == "莲前街道"
    assert places.without_divisions("350203", "思明区") == ""  # nothing more to say
    assert places.without_divisions("350203", "莲前街道") == "莲前街道"
    with translation.override("zh-hans"):
        assert place_name("469028", "陵水黎族自治县英州镇英环东路西侧") == "海南省陵水黎族自治县 英州镇英环东路西侧"
        assert place_name("350203", "思明区") == "福建省厦门市思明区"
    with translation.override("en"):
        assert place_name("450503", "驿马街道") == "Yinhai District, Beihai, Guangxi 驿马街道"
