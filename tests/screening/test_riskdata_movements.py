"""Movement records: CSV and Parquet, validated in DuckDB, every rejected row reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.screening.riskdata import MovementFormatError, movements_relation, read_movements

HEADER = "id_type,id_number,name,adcode,place,start,end,source\n"


@pytest.fixture
def fake() -> Faker:
    f = Faker("zh_CN")
    f.seed_instance(4)
    return f


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_it_reads_valid_rows_with_their_line_numbers_and_times(tmp_path, fake):
    id1, id2 = fake.ssn(), fake.ssn()
    path = write_csv(
        tmp_path / "m.csv",
        [
            f"居民身份证,{id1},{fake.name()},350203,厦门站,2022-08-10T08:30:00+08:00,2022-08-10T12:00:00+08:00,rail_ticket",
            f"居民身份证,{id2},,110105,,2022-08-10T00:30:00Z,2022-08-11 09:00+08:00,hotel_checkin",
        ],
    )
    valid, rejected = read_movements(path)
    assert rejected.num_rows == 0
    assert valid.column_names == [
        "record_id",
        "id_type",
        "id_number",
        "name",
        "adcode",
        "place",
        "start",
        "end",
        "source",
    ]
    rows = valid.to_pylist()
    assert [r["record_id"] for r in rows] == [2, 3]
    assert rows[0]["id_number"] == id1 and rows[1]["name"] is None and rows[1]["place"] is None
    assert rows[1]["start"] == datetime(2022, 8, 10, 0, 30, tzinfo=UTC)
    assert rows[1]["start"].utcoffset() == timedelta(hours=8)  # returned in Asia/Shanghai
    assert str(valid.schema.field("start").type) == "timestamp[us, tz=Asia/Shanghai]"


def test_it_reports_every_problem_of_every_bad_row(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            "居民身份证,X1,,3502,,2022-08-10T08:30:00,2022-08-09T08:00:00+08:00,hotel_checkin",  # line 2
            'passport,E1,,350200,"two\nlines",2022-08-10 08:30Z,2022-08-11T08:30:00+08:00,',  # lines 3-4
            "only,two",  # line 5
            "居民身份证,X3,,999999,,2022-02-30T08:30:00+08:00,2022-08-11T08:30:00+08:00,self_declaration",
            "居民身份证,X4,,350203,,2022-08-11T08:30:00+08:00,2022-08-10T08:30:00+08:00,telecom_roaming",
            ",,,,,,,",
        ],
    )
    valid, rejected = read_movements(path)
    assert valid.num_rows == 0
    got = {(r["row"], r["column"], r["code"]) for r in rejected.to_pylist()}
    assert got == {
        (2, "adcode", "bad_adcode"),
        (2, "start", "no_offset"),
        (3, "adcode", "not_county"),
        (3, "source", "missing"),
        (5, None, "wrong_field_count"),
        (6, "adcode", "unknown_adcode"),
        (6, "start", "bad_time"),
        (7, "end", "end_before_start"),
        (8, "id_type", "missing"),
        (8, "id_number", "missing"),
        (8, "source", "missing"),
        (8, "adcode", "missing"),
        (8, "start", "missing"),
        (8, "end", "missing"),
    }
    assert set(rejected["file"].to_pylist()) == {"bad.csv"}
    assert all(m for m in rejected["message"].to_pylist())


def test_it_rejects_a_file_missing_a_required_column(tmp_path):
    path = tmp_path / "nocol.csv"
    path.write_text("id_type,id_number,adcode,start,end\n", encoding="utf-8")
    with pytest.raises(MovementFormatError, match=r"nocol.csv: missing required column\(s\) source"):
        read_movements(path)


def test_it_asks_for_utf8_when_a_csv_is_in_gbk(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "居民身份证,1,张三,350203,,2022-08-10T08:00+08:00,2022-08-10T09:00+08:00,s\n")
                     .encode("gbk"))
    with pytest.raises(MovementFormatError, match=r"gbk\.csv: not UTF-8.*save the file as UTF-8 CSV"):
        read_movements(path)


def test_it_reads_parquet_with_typed_or_text_times_and_counts_rows_from_one(tmp_path):
    cst = timezone(timedelta(hours=8))
    table = pa.table(
        {
            "id_type": ["居民身份证", "居民身份证", ""],
            "id_number": ["A", "B", "C"],
            "adcode": ["350203", "350206", "350203"],
            "start": pa.array([datetime(2022, 8, 10, 8, tzinfo=cst)] * 3, pa.timestamp("us", tz="+08:00")),
            "end": pa.array(
                [
                    datetime(2022, 8, 10, 9, tzinfo=cst),
                    datetime(2022, 8, 10, 7, tzinfo=cst),
                    datetime(2022, 8, 10, 9, tzinfo=cst),
                ],
                pa.timestamp("us", tz="+08:00"),
            ),
            "source": ["rail_ticket"] * 3,
        }
    )
    pq.write_table(table, tmp_path / "m.parquet")
    valid, rejected = read_movements(tmp_path / "m.parquet")
    assert valid["record_id"].to_pylist() == [1]
    assert valid["name"].to_pylist() == [None]  # optional columns may be absent in Parquet
    assert {(r["row"], r["code"]) for r in rejected.to_pylist()} == {(2, "end_before_start"), (3, "missing")}


def test_it_refuses_parquet_times_without_a_zone(tmp_path):
    pq.write_table(
        pa.table(
            {
                "id_type": ["x"],
                "id_number": ["1"],
                "adcode": ["350203"],
                "source": ["s"],
                "start": pa.array([datetime(2022, 8, 10, 8)], pa.timestamp("us")),
                "end": pa.array([datetime(2022, 8, 10, 9)], pa.timestamp("us")),
            }
        ),
        tmp_path / "naive.parquet",
    )
    with pytest.raises(MovementFormatError, match="timestamp without zone is ambiguous"):
        read_movements(tmp_path / "naive.parquet")


def test_it_lets_duckdb_join_movements_lazily(tmp_path):
    n = 20_000
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT '居民身份证' AS id_type, i::VARCHAR AS id_number, NULL AS name,
                     CASE WHEN i % 2 = 0 THEN '350203' ELSE '110105' END AS adcode, NULL AS place,
                     '2022-08-10T08:00:00+08:00' AS start,
                     CASE WHEN i % 1000 = 0 THEN 'soon' ELSE '2022-08-10T09:00:00+08:00' END AS "end",
                     'rail_ticket' AS source FROM range({n}) t(i))
        TO '{tmp_path / "big.parquet"}' (FORMAT parquet)""")  # noqa: S608 - a test's own literals
    view = movements_relation(con, tmp_path / "big.parquet", name="mv")
    assert view == "mv"
    # the bad rows (i % 1000 == 0) are all even, so all in 350203
    assert con.sql("SELECT count(*) FROM mv WHERE adcode = '350203'").fetchall() == [(n // 2 - n // 1000,)]
    assert con.sql("SELECT count(*), min(code), max(code) FROM mv_rejections").fetchall() == [
        (n // 1000, "bad_time", "bad_time")
    ]
    assert con.sql("SELECT min(row) FROM mv_rejections").fetchall() == [(1,)]


offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2035, 1, 1), timezones=offsets)


@given(st.lists(st.tuples(instants, st.integers(min_value=0, max_value=10**6)), min_size=1, max_size=20))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_it_accepts_any_iso_8601_time_with_offset_and_keeps_the_instant(tmp_path, rows):
    lines = []
    for i, (start, seconds) in enumerate(rows):
        end = start + timedelta(seconds=seconds)
        lines.append(f"passport,P{i},,350203,,{start.isoformat()},{end.isoformat()},self_declaration")
    valid, rejected = read_movements(write_csv(tmp_path / "h.csv", lines))
    assert rejected.num_rows == 0
    got = valid.to_pylist()
    for (start, seconds), row in zip(rows, got, strict=True):
        assert row["start"] == start
        assert row["end"] - row["start"] == timedelta(seconds=seconds)


@given(st.text(alphabet="0123456789", min_size=0, max_size=8))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_it_never_accepts_an_adcode_that_is_not_a_county(tmp_path, code):
    from pingan.screening.riskdata.places import division_level

    path = write_csv(tmp_path / "a.csv", [f"passport,P,,{code},,2022-08-10T08:00+08:00,2022-08-10T09:00+08:00,s"])
    valid, rejected = read_movements(path)
    from pingan.lib import adcodes

    is_county = len(code) == 6 and adcodes.exists(code) and division_level(code) == "county"
    assert valid.num_rows == int(is_county)
    assert rejected.num_rows == int(not is_county)
