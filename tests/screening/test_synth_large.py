"""The speed benchmark's generator (DuckDB), checked at a small size."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from stdnum.cn import ric

from pingan.screening import synth

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2022, 11, 20)


def listings_table() -> pa.Table:
    """Two real NHC areas (2022 lists), intervals chosen by hand around AS_OF."""
    ts = pa.timestamp("us", tz="Asia/Shanghai")
    return pa.table(
        {
            "area_key": ["bj-hujialou-1", "xm-siming-1"],
            "province": ["北京市", "福建省"],
            "city": ["朝阳区", "厦门市"],
            "county": ["呼家楼街道", "思明区"],
            "community": ["东大桥路10号院物业办公楼", "禾祥西路234-246（万禾花园）"],
            "adcode": ["110105", "350203"],
            "adcode_level": ["county", "county"],
            "level": ["high", "medium"],
            "listed_from": pa.array([dt.datetime(2022, 11, 10, tzinfo=TZ), dt.datetime(2022, 11, 12, tzinfo=TZ)], ts),
            "listed_until": pa.array([None, dt.datetime(2022, 11, 25, tzinfo=TZ)], ts),
            "source": ["nhc", "nhc"],
        }
    )


@pytest.fixture(scope="module")
def large(tmp_path_factory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("large")
    result = synth.generate_large(
        out,
        people=1000,
        movements=50_000,
        population=4000,
        listings=listings_table(),
        as_of=AS_OF,
        seed=9,
        hit_share=0.01,
        memory_limit="500MB",
        threads=1,
    )
    return result, pq.read_table(out / "movements.parquet")


def test_it_writes_the_requested_row_counts(large) -> None:  # type: ignore[no-untyped-def]
    result, table = large
    assert table.num_rows == result.movements == 50_000
    assert tuple(table.column_names) == synth.MOVEMENT_COLUMNS
    with result.files["roster_csv"].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1000 and tuple(rows[0]) == synth.ROSTER_HEADERS
    meta = pq.ParquetFile(result.files["movements_parquet"]).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_every_id_computed_in_sql_is_valid_and_unique(large) -> None:  # type: ignore[no-untyped-def]
    result, table = large
    with result.files["truth"].open(encoding="utf-8", newline="") as fh:
        truth = list(csv.DictReader(fh))
    clean = [t["clean_id"] for t in truth]
    assert len(set(clean)) == len(clean) == 1000
    ids = set(table.column("id_number").to_pylist())
    assert all(ric.is_valid(n) for n in ids | set(clean))
    assert len(ids) > 3000  # most of the 4,000-person population moved
    for t in truth:
        assert t["birth_date"] == ric.get_birth_date(t["clean_id"]).isoformat()


def test_the_roster_carries_the_documented_corruption_quotas(large) -> None:  # type: ignore[no-untyped-def]
    result, _ = large
    assert sum(v for k, v in result.by_corruption.items() if k != "clean") == 100
    for kind, share in synth.CORRUPTION_SHARES.items():
        assert abs(result.by_corruption[kind] - 100 * share) <= 1, kind


def test_hits_lie_inside_a_listing_and_the_look_back_and_the_rest_elsewhere(large) -> None:  # type: ignore[no-untyped-def]
    _, table = large
    rows = table.to_pylist()
    window = synth.look_back_window(AS_OF)
    listings = synth.parse_listings(listings_table())
    hits = [r for r in rows if r["adcode"] in ("110105", "350203")]
    background = [r for r in rows if r["adcode"] not in ("110105", "350203")]
    assert 300 <= len(hits) <= 700  # hit_share 1 % of 50,000
    for r in hits:
        assert r["place"].endswith(("东大桥路10号院物业办公楼", "禾祥西路234-246（万禾花园）"))
        assert window[0] < r["start"] < r["end"] < window[1]
        if r["adcode"] == "350203":
            assert r["start"] >= dt.datetime(2022, 11, 12, tzinfo=TZ)
    movements = [
        synth.Movement(r["id_number"], r["name"], r["adcode"], r["place"], r["start"], r["end"], r["source"])
        for r in hits
    ]
    assert all(synth.expected_level([m], listings, AS_OF)[0] in ("red", "yellow") for m in movements)
    sources = Counter(r["source"] for r in rows)
    assert set(sources) == set(synth.SOURCES)
    start = dt.datetime.combine(AS_OF, dt.time(), tzinfo=TZ) - dt.timedelta(days=synth.BACKGROUND_DAYS)
    assert all(
        start <= r["start"] < r["end"] <= start + dt.timedelta(days=synth.BACKGROUND_DAYS) for r in background[:5000]
    )
