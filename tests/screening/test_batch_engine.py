"""Behaviour of the DuckDB screening engine on small hand-built Arrow tables (no Django, no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from page_language import assert_language

from pingan.lib.identity.ric import check_character
from pingan.screening.batch import (
    HITS_SCHEMA,
    PERSONS_SCHEMA,
    DuckDBEngine,
    ScreeningEngine,
    ScreeningInputError,
    get_engine,
)
from pingan.screening.rules import load_ruleset

CST = ZoneInfo("Asia/Shanghai")
AS_OF = dt.datetime(2022, 11, 21, tzinfo=CST)
RULESET = load_ruleset()


def rid(area: str, born: str, seq: str) -> str:
    """A valid GB 11643-1999 number for a synthetic person."""
    first17 = area + born + seq
    return first17 + check_character(first17)


def t(day: int, hour: int = 10, month: int = 11) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, tzinfo=CST)


LISTINGS = pa.table(
    {
        "area_key": ["A-high", "B-medium", "C-expired", "D-high-other", "E-medium-outside"],
        "province": ["福建省"] * 5,
        "city": ["厦门市"] * 5,
        "county": ["思明区", "海沧区", "湖里区", "集美区", "思明区"],
        "community": ["幸福小区", "阳光 花园", "老街", "海凤苑", "幸福小区以外区域"],
        "adcode": ["350203", "350205", "350206", "350211", "350203"],
        "adcode_level": ["county"] * 5,
        "level": ["high", "medium", "high", "high", "medium"],
        "listed_from": pa.array(
            [t(15, 0), t(10, 0), t(1, 0, 10), t(1, 0), t(15, 0)], pa.timestamp("us", tz="Asia/Shanghai")
        ),
        "listed_until": pa.array([None, t(25, 0), t(20, 0, 10), None, None], pa.timestamp("us", tz="Asia/Shanghai")),
        "source": ["test"] * 5,
    }
)

P = {
    "red": rid("350203", "19900101", "123"),
    "medium": rid("350203", "19850505", "234"),
    "county": rid("110101", "19700707", "345"),
    "trap_window": rid("110101", "19800808", "456"),
    "trap_expired": rid("110101", "19750101", "567"),
    "typo_clean": rid("350203", "19920202", "678"),
    "noid_clean": rid("350203", "19930303", "789"),
    "namesake": rid("350203", "19600606", "890"),
    "watch": rid("350203", "19881212", "901"),
    "old15": rid("350203", "19550505", "012"),
    "invalid": "350203199901011235",
    "outside": rid("350203", "19770707", "135"),
}
P["invalid"] = P["invalid"][:17] + ("0" if check_character(P["invalid"][:17]) != "0" else "1")
TYPO = P["typo_clean"][:10] + str((int(P["typo_clean"][10]) + 3) % 10) + P["typo_clean"][11:]
OLD15 = P["old15"][:6] + P["old15"][8:17]

ROSTER = pa.table(
    {
        "row": pa.array([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], pa.int64()),
        "name": ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴刚", "孙丽"],
        "id_type": ["身份证"] * 11,
        "id_number": [
            P["red"],
            P["medium"],
            P["county"],
            P["trap_window"],
            P["trap_expired"],
            TYPO,
            "",
            P["invalid"],
            P["watch"],
            OLD15,
            P["outside"],
        ],
        "phone": ["13800138000"] * 11,
        "birth_date": [
            "1990-01-01",
            "1985-05-05",
            "1970-07-07",
            "1980-08-08",
            "1975-01-01",
            "1992-02-02",
            "1993-03-03",
            "1999-01-01",
            "1988-12-12",
            "1955-05-05",
            "1977-07-07",
        ],
    }
)

MOVES = pa.table(
    {
        "record_id": [f"m{i}" for i in range(1, 11)],
        "id_type": ["居民身份证"] * 10,
        "id_number": [
            P["red"],
            P["medium"],
            P["county"],
            P["trap_window"],
            P["trap_expired"],
            P["typo_clean"],
            P["noid_clean"],
            P["namesake"],
            P["old15"],
            P["outside"],
        ],
        "name": ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "赵敏", "吴刚", "孙丽"],
        "adcode": ["350203", "350205", "350203", "350203", "350206", "350203", "350203", "350203", "350205", "350203"],
        "place": [
            "幸福小区3栋",
            "阳光花园",
            "鼓浪屿路1号",
            "幸福小区",
            "老街",
            "思明区幸福小区",
            "幸福小区",
            "幸福小区",
            "阳光花园",
            "幸福小区以外区域",
        ],
        "start": pa.array(
            [t(18), t(17), t(18), t(10), t(18), t(19), t(19), t(19), t(16), t(18)],
            pa.timestamp("us", tz="Asia/Shanghai"),
        ),
        "end": pa.array(
            [t(19), t(18), t(19), t(11), t(19), t(20), t(20), t(20), t(17), t(19)],
            pa.timestamp("us", tz="Asia/Shanghai"),
        ),
        "source": ["hotel_checkin"] * 10,
    }
)

WATCHLIST = pa.table(
    {
        "entry_id": ["W1", "W2"],
        "list_name": ["test", "test"],
        "category": ["person", "person"],
        "primary_name": ["ZHOU Jie", "Nobody Known"],
        "aliases": [["周杰伦"], []],
        "birth_dates": [["1988-12-12"], ["1950"]],
        "nationalities": [["CHN"], []],
        "documents": pa.array(
            [[], [{"doc_type": "passport", "number": "E12345678", "country": "CHN"}]],
            pa.list_(pa.struct([("doc_type", pa.string()), ("number", pa.string()), ("country", pa.string())])),
        ),
    }
)


@pytest.fixture(scope="module")
def result():
    return get_engine().screen(
        ROSTER, listings=LISTINGS, movements=MOVES, watchlist=WATCHLIST, ruleset=RULESET, as_of=AS_OF
    )


def by_row(result, row):
    return next(p for p in result.persons.to_pylist() if p["row"] == row)


def hits_of(result, row):
    return [h for h in result.hits.to_pylist() if h["row"] == row]


def test_it_gives_the_documented_schemas(result):
    assert result.persons.schema.equals(PERSONS_SCHEMA)
    assert result.hits.schema.equals(HITS_SCHEMA)
    assert isinstance(get_engine(), ScreeningEngine)


def test_it_makes_a_stay_in_a_listed_high_risk_area_red(result):
    p = by_row(result, 2)
    assert p["level"] == "red" and p["rule_ids"] == ["area-high"]
    (h,) = hits_of(result, 2)
    assert (h["record_ref"], h["listing_ref"], h["match_kind"]) == ("m1", "A-high", "id_exact")
    assert h["police_priority"] == 1 and not h["silent"]


def test_it_matches_a_community_name_written_with_spaces_and_makes_medium_yellow(result):
    assert by_row(result, 3)["level"] == "yellow"
    assert by_row(result, 3)["rule_ids"] == ["area-medium"]


def test_it_makes_the_rest_of_a_county_with_a_high_risk_area_yellow(result):
    p = by_row(result, 4)
    assert p["level"] == "yellow" and p["rule_ids"] == ["county-with-high"]


def test_it_counts_only_the_most_specific_community_a_place_names(result):
    # "幸福小区以外区域" (medium) names "幸福小区" (high) too; the stay is outside the high-risk building.
    p = by_row(result, 12)
    assert p["level"] == "yellow" and p["rule_ids"] == ["area-medium", "county-with-high"]


def test_it_ignores_visits_before_the_window_or_outside_the_listing(result):
    assert by_row(result, 5)["level"] == "green"
    assert by_row(result, 6)["level"] == "green"
    assert hits_of(result, 5) == [] and hits_of(result, 6) == []


def test_it_recovers_a_mistyped_id_corroborated_by_the_name(result):
    p = by_row(result, 7)
    assert p["identity_status"] == "corrected" and p["corrected_id_number"] == P["typo_clean"]
    assert p["level"] == "red"
    (h,) = hits_of(result, 7)
    assert h["match_kind"] == "id_corrected" and any("corrected" in r for r in h["match_reasons"])


def test_it_falls_back_to_name_and_birth_date_and_avoids_the_namesake(result):
    p = by_row(result, 8)
    assert p["identity_status"] == "unverifiable" and p["level"] == "red"
    move_hits = [h for h in hits_of(result, 8) if h["source"] == "movements"]
    assert [h["record_ref"] for h in move_hits] == ["m7"]  # not m8, the namesake born 1960
    assert move_hits[0]["match_kind"] == "name_dob"


def test_it_gives_an_invalid_id_yellow_needs_verification_with_the_reason(result):
    p = by_row(result, 9)
    assert p["level"] == "yellow" and p["rule_ids"] == ["identity-unverified"]
    assert p["identity_status"] == "invalid" and "check" in p["identity_reason"]
    assert "identity needs verification" in p["reason"]
    assert_language(p["reason"], "en")
    assert_language(p["identity_reason"], "en")


def test_it_converts_a_15_digit_id_before_the_exact_join(result):
    (h,) = hits_of(result, 11)
    assert h["match_kind"] == "id_15to18" and by_row(result, 11)["level"] == "yellow"


def test_it_keeps_watchlist_hits_silent_for_the_submitter(result):
    p = by_row(result, 10)
    assert p["level"] == "green" and p["rule_ids"] == [] and p["reason"] == ""
    (h,) = hits_of(result, 10)
    assert h["rule_id"] == "watchlist" and h["silent"] and h["record_ref"] == "W1"
    assert h["level_effect"] is None
    submitter = result.submitter_view().to_pylist()
    assert all("watchlist" not in (s["rule_ids"] or []) for s in submitter)
    assert all("watch" not in s["reason"].lower() for s in submitter)
    police = {r["row"]: r for r in result.police_view().to_pylist()}
    assert police[10]["police_rule_ids"] == ["watchlist"] and police[10]["silent_hit"]
    assert police[10]["police_priority"] == 1


def test_it_passes_rejected_rows_through_as_not_screened():
    rejected = pa.table({"row": [13], "code": ["missing_name"], "column": ["name"], "message": ["姓名为空"]})
    res = DuckDBEngine().screen(
        ROSTER, listings=LISTINGS, movements=MOVES, ruleset=RULESET, as_of=AS_OF, rejected=rejected
    )
    rows = res.persons.to_pylist()
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert rows[-1]["status"] == "rejected" and rows[-1]["level"] is None and "姓名为空" in rows[-1]["reason"]


def test_it_reads_movements_from_parquet_files_and_names_records_by_file_and_row(tmp_path):
    path = tmp_path / "moves.parquet"
    pq.write_table(MOVES.drop(["record_id"]), path)
    res = DuckDBEngine().screen(ROSTER, listings=LISTINGS, movements=path, ruleset=RULESET, as_of=AS_OF)
    (h,) = hits_of(res, 2)
    assert h["record_ref"] == "moves:0"
    assert by_row(res, 2)["level"] == "red"
    assert res.stats["counts"]["movements_in_window"] < MOVES.num_rows  # window + division pre-filter


def test_it_rejects_a_roster_without_the_id_number_column():
    with pytest.raises(ScreeningInputError, match="id_number"):
        DuckDBEngine().screen(
            ROSTER.drop(["id_number"]), listings=LISTINGS, movements=MOVES, ruleset=RULESET, as_of=AS_OF
        )


def test_it_rejects_a_naive_as_of():
    with pytest.raises(ScreeningInputError, match="timezone"):
        DuckDBEngine().screen(
            ROSTER, listings=LISTINGS, movements=MOVES, ruleset=RULESET, as_of=dt.datetime(2022, 11, 21)
        )


def test_it_refuses_an_unknown_engine_name():
    with pytest.raises(ValueError, match="'flink'; available: duckdb, spark"):
        get_engine("flink")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*P.values(), TYPO, OLD15, "", "abc", "１１０１０１"]),
            st.sampled_from(["张伟", "赵敏", "", "Zhou Jie"]),
        ),
        min_size=0,
        max_size=12,
    ),
    st.sets(st.integers(min_value=100, max_value=200), max_size=3),
)
def test_it_outputs_exactly_one_row_per_input_row(people, rejected_rows):
    roster = pa.table(
        {
            "row": pa.array(range(2, 2 + len(people)), pa.int64()),
            "name": [n for _, n in people],
            "id_number": [i for i, _ in people],
        }
    )
    rejected = pa.table({"row": pa.array(sorted(rejected_rows), pa.int64()), "message": ["bad"] * len(rejected_rows)})
    res = DuckDBEngine().screen(
        roster, listings=LISTINGS, movements=MOVES, watchlist=WATCHLIST, ruleset=RULESET, as_of=AS_OF, rejected=rejected
    )
    rows = res.persons.column("row").to_pylist()
    assert rows == sorted([*range(2, 2 + len(people)), *rejected_rows])
    levels = dict(zip(rows, res.persons.column("level").to_pylist(), strict=True))
    assert {levels[r] for r in range(2, 2 + len(people))} <= {"green", "yellow", "red"}
    assert {levels[r] for r in rejected_rows} <= {None}  # a row not screened has no level
    assert set(res.hits.column("row").to_pylist()) <= set(rows)


def test_it_matches_a_watchlist_document_silently_whatever_its_separators():
    roster = pa.table({"row": pa.array([2], pa.int64()), "name": ["Jane Roe"], "id_type": ["护照"],
                       "id_number": ["e1234 5678"]})
    res = DuckDBEngine().screen(roster, listings=LISTINGS, movements=MOVES, watchlist=WATCHLIST,
                                ruleset=RULESET, as_of=AS_OF)
    (h,) = res.hits.to_pylist()
    assert (h["record_ref"], h["match_kind"], h["silent"]) == ("W2", "document", True)
    assert res.persons.column("level").to_pylist() == ["green"]


def test_it_reads_movements_from_csv(tmp_path):
    path = tmp_path / "moves.csv"
    _write_csv(MOVES, path)
    res = DuckDBEngine().screen(ROSTER, listings=LISTINGS, movements=[path], ruleset=RULESET, as_of=AS_OF)
    assert by_row(res, 2)["level"] == "red" and by_row(res, 3)["level"] == "yellow"


def _write_csv(table: pa.Table, path) -> None:
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, path)


def test_it_opens_duckdb_with_bounded_memory_threads_and_a_spill_directory(tmp_path):
    from pingan.lib.duck import DuckConfigError, connect

    con = connect(memory_limit="500MB", threads=1, temp_directory=tmp_path / "spill")
    limit, threads, temp = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
    ).fetchall()[0]
    # each connection spills into a directory of its own under the one given, which DuckDB creates when it
    # first spills and removes on close (issue 12: empty directories were left behind)
    assert threads == 1 and Path(temp).parent == tmp_path / "spill" and limit.endswith("MiB")
    assert (tmp_path / "spill").is_dir() and not Path(temp).exists()
    con.close()
    with pytest.raises(DuckConfigError, match="not a size"):
        connect(memory_limit="lots")


def test_it_treats_a_city_without_counties_as_a_county_when_the_listing_says_so():
    # 东莞市 (441900) has no counties: its code has the prefecture shape but the listing is county-level.
    number = rid("441900", "19800101", "111")
    listings = pa.table({
        "area_key": ["DG"], "community": ["雅园社区"], "adcode": ["441900"], "adcode_level": ["county"],
        "level": ["high"],
        "listed_from": pa.array([t(15, 0)], pa.timestamp("us", tz="Asia/Shanghai")),
        "listed_until": pa.array([None], pa.timestamp("us", tz="Asia/Shanghai")),
    })
    moves = pa.table({"id_number": [number], "name": ["何平"], "adcode": ["441900"], "place": ["东城大道1号"],
                      "start": pa.array([t(18)], pa.timestamp("us", tz="Asia/Shanghai")),
                      "end": pa.array([t(19)], pa.timestamp("us", tz="Asia/Shanghai"))})
    roster = pa.table({"row": pa.array([2], pa.int64()), "name": ["何平"], "id_number": [number]})
    res = DuckDBEngine().screen(roster, listings=listings, movements=moves, ruleset=RULESET, as_of=AS_OF)
    assert res.persons.column("rule_ids").to_pylist() == [["county-with-high"]]


def test_it_keeps_what_a_rejected_row_gave_and_derives_nothing_for_it():
    # found in use: rejected rows came out without the person's name, so the submitter could not tell who
    rejected = pa.table({"row": [13, 14], "code": ["missing_id_number", "missing_name"], "column": [None, "姓名"],
                         "message": ["无证件号码", "姓名为空"], "name": ["孙七", ""],
                         "id_number": ["", "1.10105E+17"], "phone": ["", "13800138000"]})
    res = DuckDBEngine().screen(
        ROSTER, listings=LISTINGS, movements=MOVES, ruleset=RULESET, as_of=AS_OF, rejected=rejected
    )
    by = {r["row"]: r for r in res.submitter_view().to_pylist()}
    assert (by[13]["name"], by[13]["given_id_number"], by[13]["given_phone"]) == ("孙七", None, None)
    assert (by[14]["name"], by[14]["given_id_number"], by[14]["given_phone"]) == (None, "1.10105E+17", "13800138000")
    assert "无证件号码" in by[13]["reason"] and by[13]["status"] == "rejected"
    p14 = by_row(res, 14)
    assert p14["id_number"] is None and p14["doc_type"] is None and p14["birth_date"] is None
    assert all(r["given_id_number"] is None and r["given_phone"] is None for r in by.values() if r["row"] < 13)
