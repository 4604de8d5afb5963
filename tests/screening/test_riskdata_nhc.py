"""NHC risk-area listing intervals, checked against listings verified by hand in the raw snapshots.

Hand verification (zcat + jq over /work/shared/data/china_covid_risk_areas_nhc_2022/daily, every 2022 file
scanned for the community name; see docs/risk-data.md for the commands):

* 福建省 / 厦门市 / 思明区 / 湖滨南路711-737号 — medium in 2022080921 … 2022081522 (7 daily files), absent
  in 2022081620 and in every other 2022 file.
* 北京市 / 房山区 / 窦店镇 / 一街村 (a municipality: the district is in the ``city`` field) — absent in
  2022042921, medium in 2022043019 and 2022050121, high from 2022050220 to 2022052017, absent from
  2022052118 on.
* 重庆市 / 重庆市 / 沙坪坝区 / 磁器口街道磁建村88号国盛三千城小区 — absent 2022082023, medium 2022082121 …
  2022082320, high 2022082422 … 2022083021, absent 2022083121.
"""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.screening.riskdata import bundled_nhc_listings, nhc_listings, resolution_shares, resolve_place
from pingan.screening.riskdata.nhc import NHCFormatError, area_key, parse_update_time, read_snapshot
from pingan.screening.riskdata.places import name_variants, township_key

# the workplace's shared data sets sit beside the repository (../shared/data)
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
RAW = SHARED_DATA / "china_covid_risk_areas_nhc_2022" / "daily"
needs_raw = pytest.mark.skipif(not RAW.is_dir(), reason="the shared NHC snapshots are not on this machine")
CST = ZoneInfo("Asia/Shanghai")


def cst(y: int, m: int, d: int, h: int) -> datetime:
    return datetime(y, m, d, h, tzinfo=CST)


def window(first: str, last: str) -> list[Path]:
    """The daily snapshot files whose names (YYYYMMDDHH-...) fall between two prefixes, inclusive."""
    return sorted(p for p in RAW.iterdir() if first <= p.name[:10] <= last)


def rows_for(table, community: str) -> list[dict]:
    rows = table.filter(pc.equal(table["community"], community)).to_pylist()
    return sorted(rows, key=lambda r: r["listed_from"])


XIAMEN = "湖滨南路711-737号"
BEIJING = "一街村"
CHONGQING = "磁器口街道磁建村88号国盛三千城小区"

EXPECTED = {
    XIAMEN: [
        (
            "福建省",
            "厦门市",
            "思明区",
            "350203",
            "medium",
            cst(2022, 8, 9, 21),
            cst(2022, 8, 15, 22),
            cst(2022, 8, 16, 20),
            "2022080921-1e16271f.json.gz",
            "2022081522-e5457135.json.gz",
        )
    ],
    BEIJING: [
        (
            "北京市",
            "房山区",
            "窦店镇",
            "110111",
            "medium",
            cst(2022, 4, 30, 19),
            cst(2022, 5, 1, 21),
            cst(2022, 5, 2, 20),
            "2022043019-8185d297.json.gz",
            "2022050121-12ab5043.json.gz",
        ),
        (
            "北京市",
            "房山区",
            "窦店镇",
            "110111",
            "high",
            cst(2022, 5, 2, 20),
            cst(2022, 5, 20, 17),
            cst(2022, 5, 21, 18),
            "2022050220-bf324f17.json.gz",
            "2022052017-3dc613fe.json.gz",
        ),
    ],
    CHONGQING: [
        (
            "重庆市",
            "重庆市",
            "沙坪坝区",
            "500106",
            "medium",
            cst(2022, 8, 21, 21),
            cst(2022, 8, 23, 20),
            cst(2022, 8, 24, 22),
            "2022082121-009e1088.json.gz",
            "2022082320-d5f0e6be.json.gz",
        ),
        (
            "重庆市",
            "重庆市",
            "沙坪坝区",
            "500106",
            "high",
            cst(2022, 8, 24, 22),
            cst(2022, 8, 30, 21),
            cst(2022, 8, 31, 21),
            "2022082422-34ffdebb.json.gz",
            "2022083021-2aed51f4.json.gz",
        ),
    ],
}


def as_tuples(rows: list[dict]) -> list[tuple]:
    keys = (
        "province",
        "city",
        "county",
        "adcode",
        "level",
        "listed_from",
        "last_seen",
        "listed_until",
        "first_snapshot",
        "last_snapshot",
    )
    return [tuple(r[k] for k in keys) for r in rows]


@needs_raw
@pytest.mark.parametrize(
    ("community", "first", "last"),
    [
        (XIAMEN, "2022080820", "2022081721"),
        (BEIJING, "2022042921", "2022052219"),
        (CHONGQING, "2022082023", "2022090121"),
    ],
)
def test_it_reproduces_hand_verified_listings_from_the_raw_snapshots(community, first, last):
    table = nhc_listings(window(first, last))
    assert as_tuples(rows_for(table, community)) == EXPECTED[community]


def test_it_ships_the_hand_verified_listings_in_the_bundled_file():
    table = bundled_nhc_listings()
    for community, expected in EXPECTED.items():
        assert as_tuples(rows_for(table, community)) == expected
    row = rows_for(table, XIAMEN)[0]
    assert row["source"] == "NHC"
    assert row["area_key"] == area_key("福建省", "厦门市", "思明区", XIAMEN)
    assert row["adcode_level"] == "county"


def test_it_resolves_most_bundled_listings_to_county_and_explains_the_rest():
    table = bundled_nhc_listings()
    shares = resolution_shares(table)
    assert shares["county"] > 0.9
    assert abs(sum(shares.values()) - 1) < 1e-9
    coarse = table.filter(pc.invert(pc.equal(table["adcode_level"], "county")))
    assert coarse.num_rows > 0
    assert coarse["resolution_note"].null_count == 0  # every coarser or missing code says why
    unresolved = table.filter(pc.is_null(table["adcode"]))
    # the XPCC (no GB/T 2260 code) and a few entries published with empty names
    assert set(unresolved["province"].to_pylist()) == {"新疆生产建设兵团", ""}


@needs_raw
def test_it_does_not_treat_a_missing_file_as_a_delisting(tmp_path):
    files = window("2022080820", "2022081721")
    without_mid = [p for p in files if not p.name.startswith("2022081221")]
    assert as_tuples(rows_for(nhc_listings(without_mid), XIAMEN)) == EXPECTED[XIAMEN]
    # without the file that first omits it, the delisting is only seen on the next day's snapshot
    without_end = [p for p in files if not p.name.startswith("2022081620")]
    (row,) = rows_for(nhc_listings(without_end), XIAMEN)
    assert row["last_seen"] == cst(2022, 8, 15, 22)
    assert row["listed_until"] == cst(2022, 8, 17, 21)


def write_snapshot(path: Path, when: str, high=(), low=None, hcount=None, code=0) -> Path:
    data = {
        "end_update_time": when,
        "hcount": len(high) if hcount is None else hcount,
        "mcount": 0,
        "highlist": [
            {"type": "2", "province": p, "city": c, "county": k, "communitys": list(cs)} for p, c, k, cs in high
        ],
        "middlelist": [],
    }
    if low is not None:
        data["lowlist"] = [{"province": p, "city": c, "county": k, "communitys": list(cs)} for p, c, k, cs in low]
        data["lcount"] = len(low)
    path.write_bytes(gzip.compress(json.dumps({"code": code, "data": data}, ensure_ascii=False).encode()))
    return path


AREA = ("福建省", "厦门市", "湖里区", ["金山街道某小区"])


def test_it_skips_a_failed_fetch_instead_of_delisting_everything(tmp_path):
    files = [
        write_snapshot(tmp_path / "a.json.gz", "2022-09-01 10时", high=[AREA]),
        write_snapshot(tmp_path / "b.json.gz", "2022-09-02 10时", high=[], hcount=12),  # declared, but empty
        write_snapshot(tmp_path / "c.json.gz", "2022-09-03 10时", high=[AREA]),
        write_snapshot(tmp_path / "d.json.gz", "2022-09-04 10时", high=[]),
    ]
    table = nhc_listings(files)
    (row,) = table.to_pylist()
    assert (row["listed_from"], row["last_seen"], row["listed_until"]) == (
        cst(2022, 9, 1, 10),
        cst(2022, 9, 3, 10),
        cst(2022, 9, 4, 10),
    )
    assert row["adcode"] == "350206"  # 金山街道 is a township of 湖里区
    meta = json.loads(table.schema.metadata[b"pingan.nhc"])
    assert [s["file"] for s in meta["skipped"]] == ["b.json.gz"]


def test_it_ends_an_interval_only_in_snapshots_that_publish_that_level(tmp_path):
    files = [
        write_snapshot(tmp_path / "1.json.gz", "2022-07-21 10时", low=[AREA]),
        write_snapshot(tmp_path / "2.json.gz", "2022-07-22 10时"),  # no lowlist at all: says nothing on low
        write_snapshot(tmp_path / "3.json.gz", "2022-07-23 10时", low=[AREA]),
        write_snapshot(tmp_path / "4.json.gz", "2022-07-24 10时", low=[]),
    ]
    (row,) = nhc_listings(files).to_pylist()
    assert row["level"] == "low"
    assert (row["listed_from"], row["listed_until"]) == (cst(2022, 7, 21, 10), cst(2022, 7, 24, 10))


def test_it_keeps_an_area_without_communities_as_one_listing_still_open_at_the_end(tmp_path):
    area = ("上海市", "上海市", "浦东新区", [])
    files = [
        write_snapshot(tmp_path / "x.json.gz", "2022-04-16 12时", high=[area]),
        write_snapshot(tmp_path / "y.json.gz", "2022-04-17 12时", high=[area]),
    ]
    (row,) = nhc_listings(files).to_pylist()
    assert row["community"] is None
    assert row["listed_until"] is None
    assert row["adcode"] == "310115"


def test_it_rejects_a_snapshot_with_an_unreadable_time(tmp_path):
    path = write_snapshot(tmp_path / "bad.json.gz", "yesterday evening", high=[AREA])
    with pytest.raises(NHCFormatError, match=r"bad\.json\.gz"):
        read_snapshot(path)
    with pytest.raises(NHCFormatError, match="no usable NHC snapshot"):
        nhc_listings([path])


@pytest.mark.parametrize(
    ("triple", "code", "level"),
    [
        (("北京市", "朝阳区", "酒仙桥街道"), "110105", "county"),  # district in the city field
        (("北京市", "经济开发区", "瀛海（地区）镇"), "110115", "county"),  # township, bracket note, no city
        (("海南省", "省直辖县级行政单位", "万宁市"), "469006", "county"),  # placeholder city
        (("广东省", "东莞市", "虎门镇"), "441900", "county"),  # prefecture city without counties
        (("湖北省", "武汉市", "经开区（汉南区）"), "420113", "county"),  # the division is in brackets
        (("陕西省", "西安市", "高新区"), "610100", "prefecture"),  # a development zone: no division
        (("甘肃省", "白银市", "白银区"), "620402", "county"),  # same stem as its prefecture
        (("新疆生产建设兵团", "新疆生产建设兵团", "新疆生产建设兵团"), None, None),
    ],
)
def test_it_resolves_irregular_nhc_place_names(triple, code, level):
    res = resolve_place(*triple)
    assert (res.adcode, res.level) == (code, level)
    assert (res.note is None) == (level == "county")


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_it_parses_every_nhc_update_time_as_china_standard_time(when):
    when = when.replace(minute=0, second=0, microsecond=0)
    parsed = parse_update_time(f"{when:%Y-%m-%d %H}时")
    assert parsed.utcoffset() == timedelta(hours=8)
    assert parsed.replace(tzinfo=None) == when


@given(st.text(min_size=1, max_size=12))
@settings(max_examples=200)
def test_it_keys_township_names_idempotently(name):
    key = township_key(name)
    assert township_key(key) == key or len(township_key(key)) >= 2
    assert name_variants(name)[0] == name.strip()


@given(st.lists(st.text(max_size=8), min_size=4, max_size=4))
def test_it_gives_each_area_a_stable_16_hex_key(parts):
    key = area_key(*parts)
    assert key == area_key(*parts)
    assert len(key) == 16 and int(key, 16) >= 0


@needs_raw
def test_it_reads_a_whole_folder_with_its_upstream_index(tmp_path):
    for name in ("2022080921-1e16271f.json.gz", "2022081021-dcaeb6c0.json.gz"):
        shutil.copy(RAW / name, tmp_path / name)
    shutil.copy(RAW.parent / "info.json", tmp_path / "info.json")
    meta = json.loads(nhc_listings(tmp_path).schema.metadata[b"pingan.nhc"])
    assert meta["snapshots_read"] == 2
    assert meta["upstream_snapshots"] == 1385
    assert meta["upstream_snapshots_between_read"] > 0  # the intra-day snapshots that were not copied
