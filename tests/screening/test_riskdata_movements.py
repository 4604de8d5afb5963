"""Movement records: CSV and Parquet, validated in DuckDB, every rejected row reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.lib import textchars
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


# ---- impossible UTC offsets and other malformed times are bad_time, never a wrong instant


def test_it_rejects_an_impossible_utc_offset_as_bad_time_not_as_end_before_start(tmp_path):
    # found in use: +99:00 was read as a 99-hour offset, so the row came back as "end_before_start"
    path = write_csv(tmp_path / "off.csv", [
        "passport,P1,,350203,,2022-08-01T10:00:00+08:00,2022-08-01T12:00:00+99:00,rail_ticket",  # line 2
        "passport,P2,,350203,,2022-08-01T10:00:00-14:30,2022-08-01T12:00:00+08:00,rail_ticket",  # line 3
        "passport,P3,,350203,,2022-08-01T10:00:00+08:60,2022-08-01T12:00:00+08:00,rail_ticket",  # line 4
        "passport,P4,,350203,,2022-08-01T24:00:00+08:00,2022-08-02T12:00:00+08:00,rail_ticket",  # line 5
        "passport,P5,,350203,,2022-08-01T10:00:00-14:00,2022-08-03T12:00:00+14:00,rail_ticket",  # line 6: the limits
    ])
    valid, rejected = read_movements(path)
    assert valid.column("record_id").to_pylist() == [6]
    got = {(r["row"], r["column"], r["code"]): r["message"] for r in rejected.to_pylist()}
    assert set(got) == {(2, "end", "bad_time"), (3, "start", "bad_time"), (4, "start", "bad_time"),
                        (5, "start", "bad_time")}
    assert got[(2, "end", "bad_time")].startswith("end 2022-08-01T12:00:00+99:00 ")
    assert "+99:00" in got[(2, "end", "bad_time")] and "14:00" in got[(2, "end", "bad_time")]
    assert "2022-08-01T24:00:00+08:00" in got[(5, "start", "bad_time")]


FAR_PAST, FAR_FUTURE = "1980-01-01T00:00:00+08:00", "2040-01-01T00:00:00+08:00"


@st.composite
def time_text(draw: st.DrawFn) -> tuple[str, datetime | None]:
    """An ISO 8601-shaped date-time with offset whose fields may be out of range, and the instant it
    denotes under RFC 3339 (None when a field is impossible: month 13, 24 h, minute 60, offset beyond ±14:00)."""
    y, mo, d = draw(st.integers(1990, 2035)), draw(st.integers(0, 13)), draw(st.integers(0, 32))
    h, mi, s = draw(st.integers(0, 25)), draw(st.integers(0, 61)), draw(st.integers(0, 61))
    sign, oh, om = draw(st.sampled_from("+-")), draw(st.integers(0, 99)), draw(st.integers(0, 61))
    colon, sep = draw(st.sampled_from([":", ""])), draw(st.sampled_from("T "))
    text = f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{sign}{oh:02d}{colon}{om:02d}"
    try:
        day = datetime(y, mo, d)
    except ValueError:
        return text, None
    if h > 23 or mi > 59 or s > 59 or om > 59 or oh * 60 + om > 14 * 60:
        return text, None
    offset = timedelta(hours=oh, minutes=om) * (1 if sign == "+" else -1)
    return text, day.replace(hour=h, minute=mi, second=s, tzinfo=timezone(offset))


@given(st.lists(time_text(), min_size=1, max_size=25))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_it_accepts_a_time_exactly_when_every_field_is_possible(tmp_path, times):
    lines = []
    for i, (text, _) in enumerate(times):
        lines.append(f"passport,S{i},,350203,,{text},{FAR_FUTURE},s")  # line 2 + 2i: the time as start
        lines.append(f"passport,E{i},,350203,,{FAR_PAST},{text},s")    # line 3 + 2i: the time as end
    valid, rejected = read_movements(write_csv(tmp_path / "p.csv", lines))
    got = {r["record_id"]: r for r in valid.to_pylist()}
    problems = {(r["row"], r["column"], r["code"]) for r in rejected.to_pylist()}
    for i, (text, instant) in enumerate(times):
        start_line, end_line = 2 + 2 * i, 3 + 2 * i
        if instant is None:
            assert problems >= {(start_line, "start", "bad_time"), (end_line, "end", "bad_time")}, text
            assert start_line not in got and end_line not in got
        else:
            assert got[start_line]["start"] == instant and got[end_line]["end"] == instant, text
    assert {code for _, _, code in problems} <= {"bad_time"}


def test_a_stray_quote_rejects_its_line_and_the_rows_below_are_still_read(tmp_path):
    """Issue 11's trial in a movement file: the quote before line 3's ID number never closes (the csv module
    would have read every line below as that one cell); a place typed over two lines stays."""
    ok = "2022-08-10T08:30:00+08:00,2022-08-10T12:00:00+08:00,rail_ticket"
    path = write_csv(tmp_path / "q.csv", [
        f"居民身份证,11010119900307853X,李四,350203,厦门站,{ok}",  # line 2
        f'居民身份证,"110101199003078515,张三,350203,厦门站,{ok}',  # line 3
        f"居民身份证,110101198001010011,王五,350203,厦门站,{ok}",  # line 4
        f'居民身份证,110101197001010014,赵六,350203,"厦门站\n北广场",{ok}',  # lines 5-6
        f"居民身份证,110101197001010022,钱七,350203,厦门站,{ok}",  # line 7
    ])
    valid, rejected = read_movements(path)
    assert valid["record_id"].to_pylist() == [2, 4, 5, 7]
    assert valid["place"].to_pylist()[2] == "厦门站\n北广场"
    [bad] = rejected.to_pylist()
    assert (bad["row"], bad["column"], bad["code"]) == (3, "id_number", "bad_quote")
    assert "line 3" in bad["message"] and "only closes on line 5" in bad["message"]  # on the place's quote


OK_TIMES = "2022-08-10T08:30:00+08:00,2022-08-10T12:00:00+08:00,rail_ticket"


def warnings_of(valid) -> dict:
    raw = (valid.schema.metadata or {}).get(b"pingan.movements")
    return json.loads(raw) if raw else {"accepted_with_warning": 0, "warnings": []}


def test_a_control_or_bidi_character_is_removed_and_the_record_kept_with_a_warning_naming_every_one(tmp_path):
    """pingan.lib.textchars' rule (issue 11: a name with U+202E and an ANSI escape), without losing the record
    (the review: a record dropped is an exposure never found): every such character removed and named by code
    point and position in a warning, zero-width characters removed, the value a message quotes never acting on
    the terminal that prints it; every row accepted or rejected."""
    path = write_csv(tmp_path / "c.csv", [
        f"居民身份证,11010119900307853X,李\u202e\x1b[31m四,350203,厦门站,{OK_TIMES}",  # line 2: both named
        f"居民身份证,110101199003078515,张三,350203,厦门\u2028站,{OK_TIMES}",  # line 3: a line separator
        f"居民身份证,1101011980010100\u200b11,王\u200d五,350203,厦门站,{OK_TIMES}",  # line 4: zero-width removed
        f"居民身份证,110101197001010014,赵六,35\x1b[2J0203,厦门站,{OK_TIMES}",  # line 5: bad_adcode, shown
        f"居民身份证,110101197001010022,钱七,350203,\"厦门站\n北广场\",{OK_TIMES}",  # lines 6-7: a line break stays
    ])
    valid, rejected = read_movements(path)
    assert valid["record_id"].to_pylist() == [2, 3, 4, 6]
    rows = {r["record_id"]: r for r in valid.to_pylist()}
    assert (rows[2]["name"], rows[3]["place"]) == ("李[31m四", "厦门站")  # what matching and pages read
    assert rows[4]["id_number"] == "110101198001010011" and rows[4]["name"] == "王五"
    got = {(r["row"], r["column"], r["code"]): r["message"] for r in rejected.to_pylist()}
    assert set(got) == {(5, "adcode", "bad_adcode")}
    assert got[(5, "adcode", "bad_adcode")] == "adcode 35⟨U+001B⟩[2J0203 is not six digits (GB/T 2260)"
    warned = warnings_of(valid)
    said = {(w["row"], w["column"], w["code"]): w["message"] for w in warned["warnings"]}
    assert warned["accepted_with_warning"] == 2
    assert set(said) == {(2, "name", "control_character"), (3, "place", "control_character")}
    assert said[(2, "name", "control_character")].startswith("name holds U+202E, U+001B at characters 2, 3")
    assert said[(3, "place", "control_character")].startswith("place holds U+2028 at character 3 ")
    assert not any(textchars.has_any(m) for m in [*got.values(), *said.values()])
    assert len(set(valid["record_id"].to_pylist()) | {r for r, _, _ in got}) == 5  # every row has its outcome


def test_parquet_text_columns_follow_the_same_rule(tmp_path):
    t = pa.table({"id_type": ["passport", "passport"], "id_number": ["P1", "P\u202e2"], "name": ["a\u200b", None],
                  "adcode": ["350203", "350203"], "start": ["2022-08-10T08:30:00+08:00"] * 2,
                  "end": ["2022-08-10T09:30:00+08:00"] * 2, "source": ["flight", "flight"]})
    pq.write_table(t, tmp_path / "m.parquet")
    valid, rejected = read_movements(tmp_path / "m.parquet")
    assert valid.to_pylist()[0]["name"] == "a" and valid["record_id"].to_pylist() == [1, 2]
    assert valid.to_pylist()[1]["id_number"] == "P2" and rejected.num_rows == 0  # P2 is matched as listed
    assert [(w["row"], w["column"], w["code"]) for w in warnings_of(valid)["warnings"]] == [
        (2, "id_number", "control_character")]


@given(st.text(st.sampled_from(["a", "张", "\u202e", "\x1b", "\x85", "\u2066", "\u200b", "\u2029"]), max_size=6))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_name_is_kept_exactly_when_the_rule_keeps_it(tmp_path, name):
    valid, rejected = read_movements(write_csv(tmp_path / "h.csv", [
        f"passport,P1,{name},350203,,{OK_TIMES}"]))
    refused = textchars.find_all_unsafe(name)
    assert rejected.num_rows == 0 and valid.num_rows == 1  # always kept
    assert valid.to_pylist()[0]["name"] == (textchars.for_output(name).strip() or None)
    if refused:
        [w] = warnings_of(valid)["warnings"]
        assert (w["column"], w["code"]) == ("name", "control_character")
        assert all(f.code in w["message"] for f in refused)
    else:
        assert warnings_of(valid)["warnings"] == []
