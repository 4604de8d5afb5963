"""Engine contract: the DuckDB and the Spark screening engines give identical answers on the same inputs.

Every case is screened by both engines; the ``persons`` and ``hits`` tables must be equal row by row, every
column (levels, reasons, rule ids, identity fields, match kinds, match reasons, places, listings). The
semantic tests then run against each engine's own result (parametrised), so an engine that is wrong in the
same way as the other still fails. Inputs: the synthetic generator's data set (every corruption type, the
window and listing-interval traps, namesakes), and a hand-built roster of the traps a held-out set holds
(typos, transpositions, 15-digit numbers, traditional characters, namesakes, passports, one number under two
names), with movements as an Arrow table, a Parquet file and a partitioned directory.

Spark runs in local mode, one session for the whole test session (2 threads, 2 shuffle partitions).
Runtime is dominated by Spark's start (~15 s on an idle machine) and per-query planning, not by the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pingan.lib.identity.ric import check_character
from pingan.screening import synth
from pingan.screening.batch import (
    DuckDBEngine,
    ScreeningEngine,
    ScreeningInputError,
    ScreenResult,
    get_engine,
    partition_movements,
)
from pingan.screening.roster import read_roster_arrow
from pingan.screening.rules import load_ruleset

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = dt.datetime(2022, 11, 21, tzinfo=TZ)
RULESET = load_ruleset()
ENGINES = ("duckdb", "spark")


@pytest.fixture(scope="session")
def engines(spark) -> dict[str, ScreeningEngine]:
    from pingan.screening.spark import SparkEngine

    return {"duckdb": DuckDBEngine(threads=2), "spark": SparkEngine(session=spark)}


def rid(first17: str) -> str:
    return first17 + check_character(first17)


def at(day: int, hour: int = 10, month: int = 11) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, tzinfo=TZ)


def ts_array(values: list, tz: str | None = "Asia/Shanghai") -> pa.Array:
    return pa.array(values, pa.timestamp("us", tz=tz))


def listings(rows: list[tuple]) -> pa.Table:
    """rows: (area_key, community, adcode, level, listed_from, listed_until)."""
    cols = list(zip(*rows, strict=True))
    return pa.table({
        "area_key": list(cols[0]), "province": ["福建省"] * len(rows), "city": ["厦门市"] * len(rows),
        "county": ["?"] * len(rows), "community": list(cols[1]), "adcode": list(cols[2]),
        "adcode_level": ["county"] * len(rows), "level": list(cols[3]),
        "listed_from": ts_array(list(cols[4])), "listed_until": ts_array(list(cols[5])),
        "source": ["test"] * len(rows),
    })


def assert_identical(a: ScreenResult, b: ScreenResult) -> None:
    """Row by row, every column; hits in a total order (the engines may return ties in another order)."""
    pa_rows, pb_rows = a.persons.to_pylist(), b.persons.to_pylist()
    assert a.persons.schema == b.persons.schema and a.hits.schema == b.hits.schema
    assert len(pa_rows) == len(pb_rows)
    for x, y in zip(pa_rows, pb_rows, strict=True):
        assert x == y, f"persons row {x['row']} differs"
    ha = sorted(a.hits.to_pylist(), key=repr)
    hb = sorted(b.hits.to_pylist(), key=repr)
    assert len(ha) == len(hb)
    for x, y in zip(ha, hb, strict=True):
        assert x == y, f"hit of row {x['row']} differs"
    for key in ("risk_data_warnings", "risk_data_notes"):
        assert a.stats[key] == b.stats[key]
    assert a.stats["engine"] == "duckdb" and b.stats["engine"] == "spark"


# ------------------------------------------------------------------------------------ the trap roster

XM_HIGH, XM_MEDIUM = "350203", "350205"
TRAP_LISTINGS = listings([
    ("A-high", "幸福小区", XM_HIGH, "high", at(15, 0), None),
    ("B-medium", "阳光 花园", XM_MEDIUM, "medium", at(10, 0), at(25, 0)),
    ("C-expired", "老街", "350206", "high", at(1, 0, 10), at(20, 0, 10)),
    ("E-medium-outside", "幸福小区以外区域", XM_HIGH, "medium", at(15, 0), None),
])

N = {
    "red": rid("35020319900101123"), "medium": rid("35020319850505234"), "county": rid("11010119700707345"),
    "trap_window": rid("11010119800808456"), "trap_interval": rid("11010119750101567"),
    "typo": rid("35020319920202678"), "transposed": rid("35020319870911352"),
    "trad": rid("35020319910412358"), "noid": rid("35020319930303789"), "namesake": rid("35020319600606890"),
    "old15": rid("35020319550505012"), "lower_x": "11010519491231002X", "shared": rid("13092519500712181"),
    "noid_phone": rid("35020319940404147"), "noid_twin_a": rid("35020319950505258"),
    "noid_twin_b": rid("35020319950505369"),
}
_t = N["typo"]
TYPO = _t[:10] + str((int(_t[10]) + 3) % 10) + _t[11:]
_s = N["transposed"]
_i = next(i for i in range(6, 16) if _s[i] != _s[i + 1])
TRANSPOSED = _s[:_i] + _s[_i + 1] + _s[_i] + _s[_i + 2:]
OLD15 = N["old15"][:6] + N["old15"][8:17]

# (row, name, id_type, id_number, phone, birth_date)
TRAP_ROWS = [
    (2, "张伟", "身份证", N["red"], "13800138000", ""),
    (3, "李娜", "身份证", N["medium"], "13800138001", ""),
    (4, "王芳", "身份证", N["county"], "", ""),
    (5, "刘洋", "身份证", N["trap_window"], "", ""),
    (6, "陈静", "身份证", N["trap_interval"], "", ""),
    (7, "杨磊", "身份证", TYPO, "", ""),                   # one digit mistyped: recovered, name corroborates
    (8, "郑国强", "身份证", TRANSPOSED, "", ""),          # two adjacent digits swapped
    (9, "黄丽华", "身份证", N["trad"], "", ""),            # the movement writes the name in traditional characters
    (10, "赵敏", "身份证", "", "", "1993-03-03"),          # no number: name + birth date; a namesake is another person
    (11, "吴刚", "身份证", OLD15, "", ""),                 # the 15-digit first-generation number
    (12, "周杰", "身份证", N["lower_x"].lower(), "", ""),   # check character as a lower-case x
    (13, "马超", "护照", "E12345678", "", ""),              # a passport: the same number on a permit is another person
    (14, "孙丽", "身份证", N["shared"], "", ""),            # one number under two names: both conflicting
    (15, "钱进", "身份证", N["shared"], "", ""),
    (16, "冯雪", "身份证", "", "13900139000", "1994-04-04"),  # no number, phone in the movement data
    (17, "林峰", "身份证", "", "", "1995-05-05"),          # no number, two people of that name and birth date
    (18, "何静", "身份证", "350203199001011235", "", ""),   # invalid beyond recovery (no record corroborates)
    (19, "高明", "身份证", "ＡＢＣ", "", ""),               # no recognisable document
]
TRAP_MOVES = [
    # (number, name, adcode, place, start, end, id_type, phone)
    (N["red"], "张伟", XM_HIGH, "幸福小区3栋", at(18), at(19), "居民身份证", None),
    (N["medium"], "李娜", XM_MEDIUM, "阳光花园", at(17), at(18), "居民身份证", None),
    (N["county"], "王芳", XM_HIGH, "鼓浪屿路1号", at(18), at(19), "居民身份证", None),
    (N["trap_window"], "刘洋", XM_HIGH, "幸福小区", at(10), at(11), "居民身份证", None),
    (N["trap_interval"], "陈静", "350206", "老街", at(18), at(19), "居民身份证", None),
    (N["typo"], "杨磊", XM_HIGH, "思明区幸福小区", at(19), at(20), "居民身份证", None),
    (N["transposed"], "郑国强", XM_MEDIUM, "阳光 花园", at(19), at(20), "居民身份证", None),
    (N["trad"], "黃麗華", XM_HIGH, "幸福小区", at(19), at(20), "居民身份证", None),
    (N["noid"], "赵敏", XM_HIGH, "幸福小区", at(19), at(20), "居民身份证", None),
    (N["namesake"], "赵敏", XM_HIGH, "幸福小区", at(19), at(20), "居民身份证", None),
    (N["old15"], "吴刚", XM_MEDIUM, "阳光花园", at(16), at(17), "居民身份证", None),
    (N["lower_x"], "周杰", XM_HIGH, "幸福小区", at(18), at(19), "居民身份证", None),
    ("E12345678", "马超", XM_HIGH, "幸福小区", at(18), at(19), "港澳居民来往内地通行证", None),
    (N["shared"], "孙丽", XM_HIGH, "幸福小区", at(18), at(19), "居民身份证", None),
    (N["noid_phone"], "冯雪", XM_HIGH, "幸福小区", at(18), at(19), "居民身份证", "+86 139 0013 9000"),
    (N["noid_twin_a"], "林峰", XM_HIGH, "幸福小区", at(18), at(19), "居民身份证", None),
    (N["noid_twin_b"], "林峰", XM_HIGH, "幸福小区", at(18), at(19), "居民身份证", None),
    (N["red"], "张伟", "350211", "海凤苑", at(19), None, "居民身份证", None),   # an instant record (no end)
    (N["typo"], "杨磊", "440305", "深南大道", at(1, 10, 6), at(2, 10, 6), "居民身份证", None),  # months ago
]
WATCHLIST = pa.table({
    "entry_id": ["W1", "W2"], "list_name": ["test", "test"], "category": ["person", "person"],
    "primary_name": ["ZHOU Jie", "Nobody Known"], "aliases": [["周杰伦"], []],
    "birth_dates": [["1949-12-31"], ["1950"]], "nationalities": [["CHN"], []],
    "documents": pa.array(
        [[], [{"doc_type": "passport", "number": "E-1234 5678", "country": "CHN"}]],
        pa.list_(pa.struct([("doc_type", pa.string()), ("number", pa.string()), ("country", pa.string())]))),
})


def trap_roster() -> tuple[pa.Table, pa.Table]:
    cols = list(zip(*TRAP_ROWS, strict=True))
    roster = pa.table({"row": pa.array(cols[0], pa.int64()), "name": list(cols[1]), "id_type": list(cols[2]),
                       "id_number": list(cols[3]), "phone": list(cols[4]), "birth_date": list(cols[5])})
    rejected = pa.table({"row": pa.array([20], pa.int64()), "message": ["姓名为空 / the name is empty"],
                         "name": [""], "id_number": ["123"], "phone": [""]})
    return roster, rejected


def trap_moves(naive: bool) -> pa.Table:
    cols = list(zip(*TRAP_MOVES, strict=True))

    def times(values: tuple) -> pa.Array:
        if naive:  # wall-clock Beijing time without a zone: both engines read it in their time zone
            return ts_array([v.replace(tzinfo=None) if v else None for v in values], None)
        return ts_array(list(values))

    return pa.table({
        "id_type": list(cols[6]), "id_number": list(cols[0]), "name": list(cols[1]), "adcode": list(cols[2]),
        "place": list(cols[3]), "start": times(cols[4]), "end": times(cols[5]), "phone": list(cols[7]),
        "source": ["hotel_checkin"] * len(TRAP_MOVES),
    })


_RESULTS: dict[str, dict[str, ScreenResult]] = {}


def screen_both(engines, key: str, **inputs) -> dict[str, ScreenResult]:
    if key not in _RESULTS:
        _RESULTS[key] = {name: engines[name].screen(**inputs) for name in ENGINES}
    return _RESULTS[key]


@pytest.fixture(scope="session")
def traps(engines) -> dict[str, ScreenResult]:
    roster, rejected = trap_roster()
    return screen_both(engines, "traps", roster=roster, listings=TRAP_LISTINGS, movements=trap_moves(naive=True),
                       watchlist=WATCHLIST, ruleset=RULESET, as_of=AS_OF, rejected=rejected,
                       resident_id_column=True)


def test_the_trap_roster_gives_identical_persons_and_hits(traps) -> None:
    assert_identical(traps["duckdb"], traps["spark"])


def test_movement_times_as_aware_and_as_naive_beijing_times_give_the_same_result(engines, traps) -> None:
    roster, rejected = trap_roster()
    aware = engines["spark"].screen(roster, listings=TRAP_LISTINGS, movements=trap_moves(naive=False),
                                    watchlist=WATCHLIST, ruleset=RULESET, as_of=AS_OF, rejected=rejected,
                                    resident_id_column=True)
    assert aware.persons.equals(traps["spark"].persons)
    assert sorted(aware.hits.to_pylist(), key=repr) == sorted(traps["spark"].hits.to_pylist(), key=repr)


def _person(result: ScreenResult, row: int) -> dict:
    return next(p for p in result.persons.to_pylist() if p["row"] == row)


def _hits(result: ScreenResult, row: int) -> list[dict]:
    return [h for h in result.hits.to_pylist() if h["row"] == row]


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_reads_the_traps_as_the_contract_says(traps, engine: str) -> None:
    r = traps[engine]
    levels = {p["row"]: p["level"] for p in r.persons.to_pylist()}
    assert levels == {2: "red", 3: "yellow", 4: "yellow", 5: "green", 6: "green", 7: "red", 8: "yellow", 9: "red",
                      10: "red", 11: "yellow", 12: "red", 13: "green", 14: "red", 15: "red", 16: "red",
                      17: "yellow", 18: "yellow", 19: "yellow", 20: None}  # row 20 was not screened: no level
    kinds = {h["row"]: h["match_kind"] for h in r.hits.to_pylist() if h["source"] == "movements"}
    assert kinds == {2: "id_exact", 3: "id_exact", 4: "id_exact", 7: "id_corrected", 8: "id_corrected",
                     9: "id_exact", 10: "name_dob", 11: "id_15to18", 12: "id_exact", 14: "id_exact",
                     15: "id_exact", 16: "name_dob_phone"}
    typo = _person(r, 7)
    assert (typo["identity_status"], typo["corrected_id_number"]) == ("corrected", N["typo"])
    assert _person(r, 8)["corrected_id_number"] == N["transposed"]
    assert any("transposition at positions" in m for h in _hits(r, 8) for m in h["match_reasons"])
    # 赵敏 born 1993 (record mv:8), not the 1960 namesake
    assert {h["record_ref"] for h in _hits(r, 10) if h["source"] == "movements"} == {"mv:8"}
    # one number under two names: both rows conflicting (yellow for verification), both matched by the number
    assert [_person(r, n)["identity_status"] for n in (14, 15)] == ["conflicting", "conflicting"]
    assert _hits(r, 13) == [h for h in _hits(r, 13) if h["source"] == "watchlist"]  # the permit is another person
    assert {h["record_ref"] for h in _hits(r, 13)} == {"W2"} and all(h["silent"] for h in _hits(r, 13))
    assert {h["record_ref"] for h in _hits(r, 12) if h["source"] == "watchlist"} == {"W1"}
    assert _person(r, 20)["status"] == "rejected" and _person(r, 20)["given_id_number"] == "123"
    red = [h for h in _hits(r, 2) if h["rule_id"] == "area-high"]
    assert [(h["place"], h["listing_community"], h["place_from"]) for h in red] == [
        ("幸福小区3栋", "幸福小区", at(18).astimezone(dt.UTC))]


# --------------------------------------------------------------------------- the synthetic generator

SYNTH_LISTINGS = listings([
    ("xm-siming-1", "禾祥西路234-246（万禾花园）", "350203", "medium", at(12, 0), at(25, 0)),
    ("xm-siming-2", "后江埭路104、106、108、110、112、114、116号", "350203", "high", at(17, 10), None),
    ("xm-huli-1", "湖里区江头街道吕厝社区", "350206", "high", at(10, 0), None),
    ("xm-haicang-1", "海沧区新阳街道", "350205", "high", at(1, 0), at(10, 0)),
    ("xm-siming-3", "碧山路1号", "350203", "low", at(1, 0), None),
])


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("contract-synth")
    synth.generate(out, people=400, movements_per_person=2, listings=SYNTH_LISTINGS, as_of=AS_OF.date(), seed=11,
                   exposed_share=0.2, corruption_share=0.5, outsiders_per_person=2)
    roster, rejected, meta = read_roster_arrow((out / "roster.csv").read_bytes(), filename="roster.csv")
    with (out / "truth.csv").open(encoding="utf-8", newline="") as fh:
        truth = list(csv.DictReader(fh))
    return {"dir": out, "roster": roster, "rejected": rejected, "meta": meta, "truth": truth}


def _synth_inputs(synthetic: dict, movements) -> dict:
    from pingan.screening.services import _rejections_table

    return {"roster": synthetic["roster"], "listings": SYNTH_LISTINGS, "movements": movements, "ruleset": RULESET,
            "as_of": AS_OF, "rejected": _rejections_table(synthetic["rejected"]),
            "resident_id_column": synthetic["meta"].resident_id_column}


@pytest.fixture(scope="session")
def synth_results(engines, synthetic) -> dict[str, ScreenResult]:
    # the generator's Parquet file has no record_id: both engines name records <file stem>:<row>
    return screen_both(engines, "synth", **_synth_inputs(synthetic, str(synthetic["dir"] / "movements.parquet")))


def test_the_synthetic_data_set_gives_identical_persons_and_hits(synth_results) -> None:
    assert_identical(synth_results["duckdb"], synth_results["spark"])


@pytest.mark.parametrize("engine", ENGINES)
def test_every_corruption_type_is_screened_to_the_truth_by_each_engine(synthetic, synth_results, engine) -> None:
    level = {p["row"]: p["level"] for p in synth_results[engine].persons.to_pylist()}
    movement_rows = {h["row"] for h in synth_results[engine].hits.to_pylist() if h["source"] == "movements"}
    seen: dict[str, int] = {}
    for t in synthetic["truth"]:
        row = int(t["row"]) + 1  # the truth numbers data rows from 1; the roster's rows are Excel's (header: 1)
        if t["expected_level"] != "green":  # flagged people: flagged at least as high, through a movement
            assert row in movement_rows, (t["corruption"], t["scenario"], row)
            assert level[row] in ({"red"} if t["expected_level"] == "red" else {"yellow", "red"})
            seen[t["corruption"] or "clean"] = seen.get(t["corruption"] or "clean", 0) + 1
        elif t["scenario"].startswith("trap"):  # window and interval traps: no movement hit
            assert row not in movement_rows, (t["corruption"], t["scenario"], row)
    assert set(seen) >= set(synth.CORRUPTION_SHARES), set(synth.CORRUPTION_SHARES) - set(seen)


# ---------------------------------------------------------------------- partitioned movement directory


@pytest.fixture(scope="session")
def partitioned(synthetic, tmp_path_factory) -> Path:
    return partition_movements(synthetic["dir"] / "movements.parquet",
                               tmp_path_factory.mktemp("parts") / "movements")


def test_a_partitioned_directory_gives_what_the_flat_file_gives_on_both_engines(
        engines, synthetic, synth_results, partitioned) -> None:
    assert {p.name.split("=")[0] for p in partitioned.iterdir()} == {"province_code"}
    results = screen_both(engines, "partitioned", **_synth_inputs(synthetic, str(partitioned)))
    assert_identical(results["duckdb"], results["spark"])
    # the records keep the names they had in the flat file, so the hits are the same hits
    assert_identical(synth_results["duckdb"], results["spark"])


def _mislabelled(tmp_path: Path, partitioned: Path) -> tuple[Path, str]:
    """A copy of the directory plus records filed under partitions that pruning must skip: in the listed
    high-risk area during the window, but under another province, a date after as_of, and a month before."""
    root = tmp_path / "mislabelled"
    shutil.copytree(partitioned, root)
    number = rid("35020319660606147")
    for i, (prov, day) in enumerate((("99", "2022-11-19"), ("35", "2022-12-30"), ("35", "2022-10-01"))):
        part = root / f"province_code={prov}" / f"start_date={day}"
        part.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({
            "id_type": ["居民身份证"], "id_number": [number], "name": ["贾平"], "adcode": ["350206"],
            "place": ["湖里区江头街道吕厝社区"], "start": ts_array([at(19)]), "end": ts_array([at(20)]),
            "source": ["hotel_checkin"], "record_id": [f"planted:{i}"]}), part / "planted.parquet")
    return root, number


@pytest.mark.parametrize("engine", ENGINES)
def test_partitions_outside_the_provinces_and_dates_are_never_read(engines, partitioned, tmp_path, engine) -> None:
    root, number = _mislabelled(tmp_path, partitioned)
    roster = pa.table({"row": pa.array([2], pa.int64()), "name": ["贾平"], "id_number": [number]})
    inputs = {"roster": roster, "listings": SYNTH_LISTINGS, "ruleset": RULESET, "as_of": AS_OF}
    # read flat, every planted record is in the window and in the listed area: three hits
    flat = sorted(str(p) for p in root.rglob("planted.parquet"))
    refs = {h["record_ref"] for h in engines[engine].screen(movements=flat, **inputs).hits.to_pylist()}
    assert refs == {"planted:0", "planted:1", "planted:2"}
    # read as partitions: province 99 and the day after as_of are pruned; the month-old day only with a
    # maximum stay
    refs = {h["record_ref"] for h in engines[engine].screen(movements=str(root), **inputs).hits.to_pylist()}
    assert refs == {"planted:2"}
    if engine == "spark":  # a URI (hdfs://, s3a://, file://) is read by the executors, pruned the same way
        uri = root.resolve().as_uri()
        assert {h["record_ref"] for h in engines[engine].screen(movements=uri, **inputs).hits.to_pylist()} \
            == {"planted:2"}
    else:
        with pytest.raises(ScreeningInputError, match="only the Spark engine"):
            engines[engine].screen(movements=root.resolve().as_uri(), **inputs)
    options = {"session": engines["spark"].session} if engine == "spark" else {}
    bounded = get_engine(engine, max_stay_days=7, **options)
    assert bounded.screen(movements=str(root), **inputs).hits.num_rows == 0


# ------------------------------------------------------------------------------------------ odd inputs


def test_risk_data_outside_the_window_warns_the_same_on_both_engines(engines) -> None:
    roster, rejected = trap_roster()
    old = listings([("Z", "幸福小区", XM_HIGH, "high", at(1, 0, 3), at(5, 0, 3))])
    results = screen_both(engines, "stale", roster=roster, listings=old, movements=trap_moves(naive=False),
                          ruleset=RULESET, as_of=AS_OF, rejected=rejected)
    assert_identical(results["duckdb"], results["spark"])
    assert len(results["spark"].stats["risk_data_warnings"]) == 1


def test_no_movement_in_the_window_warns_the_same_on_both_engines(engines, tmp_path) -> None:
    roster, _ = trap_roster()
    moves = trap_moves(naive=False).slice(18, 1)  # only the record of June
    pq.write_table(moves, tmp_path / "june.parquet")
    results = screen_both(engines, "no-moves", roster=roster, listings=TRAP_LISTINGS,
                          movements=[str(tmp_path / "june.parquet")], ruleset=RULESET, as_of=AS_OF)
    assert_identical(results["duckdb"], results["spark"])
    assert [n["code"] for n in results["spark"].stats["risk_data_notes"]] == ["risk.no_movements"]


def test_csv_movements_without_record_ids_are_named_by_file_and_row_alike(engines, spark, tmp_path) -> None:
    """Two CSV files without a record_id column, the Spark side split into many small partitions: both
    engines name each record ``<file stem>:<row>`` (rows counted on across the files), so the hits agree."""
    assert isinstance(engines["spark"], ScreeningEngine) and engines["spark"].name == "spark"
    moves = trap_moves(naive=True).to_pylist()
    paths = []
    for name, part in (("week1", moves[: len(moves) // 2]), ("week2", moves[len(moves) // 2:])):
        path = tmp_path / f"{name}.csv"
        with path.open("w", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=list(moves[0]))
            out.writeheader()
            for m in part:
                out.writerow({k: ("" if v is None else v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime)
                                  else v) for k, v in m.items()})
        paths.append(str(path))
    roster, rejected = trap_roster()
    before = {k: spark.conf.get(k) for k in ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")}
    spark.conf.set("spark.sql.files.maxPartitionBytes", "200")  # splits of ~200 bytes: several per file
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    try:
        results = screen_both(engines, "csv-unnamed", roster=roster, listings=TRAP_LISTINGS, movements=paths,
                              ruleset=RULESET, as_of=AS_OF, rejected=rejected, resident_id_column=True)
    finally:
        for key, value in before.items():
            spark.conf.set(key, value)
    assert_identical(results["duckdb"], results["spark"])
    refs = {h["record_ref"] for h in results["spark"].hits.to_pylist() if h["source"] == "movements"}
    assert refs and all(r.split(":")[0] in ("week1", "week2") for r in refs)
    assert any(r.startswith("week2:") and int(r.split(":")[1]) >= len(moves) // 2 for r in refs)


def test_csv_movements_with_record_ids_give_identical_results(engines, tmp_path) -> None:
    path = tmp_path / "moves.csv"
    roster, _ = trap_roster()
    path.write_text("record_id,id_number,name,adcode,place,start,end\n"
                    f"r1,{N['red']},张伟,350203,幸福小区,2022-11-18 10:00:00,2022-11-19 10:00:00\n")
    results = screen_both(engines, "csv", roster=roster, listings=TRAP_LISTINGS, movements=str(path),
                          ruleset=RULESET, as_of=AS_OF)
    assert_identical(results["duckdb"], results["spark"])
    assert _person(results["spark"], 2)["level"] == "red"
