"""The synthetic screening data generator: identities, corruptions, exposures, traps, determinism."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opencc import OpenCC
from pypinyin import Style, lazy_pinyin
from stdnum.cn import ric

from pingan.screening import synth

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2022, 11, 20)


def at(day: str, hour: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


# Real names from the NHC lists (shared/data/china_covid_risk_areas_nhc_2022); intervals chosen by hand.
LISTINGS = [
    # area_key, province, city, county, community, adcode, level, from, until
    (
        "bj-hujialou-1",
        "北京市",
        "朝阳区",
        "呼家楼街道",
        "东大桥路10号院物业办公楼",
        "110105",
        "high",
        at("2022-11-10"),
        None,
    ),
    (
        "bj-shuangjing-1",
        "北京市",
        "朝阳区",
        "双井街道",
        "广渠路29号院九龙花园小区2号楼",
        "110105",
        "high",
        at("2022-10-20"),
        at("2022-11-05"),
    ),
    (
        "xm-siming-1",
        "福建省",
        "厦门市",
        "思明区",
        "禾祥西路234-246（万禾花园）",
        "350203",
        "medium",
        at("2022-11-12"),
        at("2022-11-25"),
    ),
    (
        "xm-siming-2",
        "福建省",
        "厦门市",
        "思明区",
        "后江埭路104、106、108、110、112、114、116号",
        "350203",
        "medium",
        at("2022-11-17", 10),
        None,
    ),
    ("xm-siming-3", "福建省", "厦门市", "思明区", "碧山路1号", "350203", "low", at("2022-11-01"), None),
    ("unknown-1", "某省", None, None, "某小区", None, "high", at("2022-11-10"), None),
]


def listings_table(rows=LISTINGS) -> pa.Table:  # type: ignore[no-untyped-def]
    ts = pa.timestamp("us", tz="Asia/Shanghai")
    cols = list(zip(*rows, strict=True))
    return pa.table(
        {
            "area_key": pa.array(cols[0], pa.string()),
            "province": pa.array(cols[1], pa.string()),
            "city": pa.array(cols[2], pa.string()),
            "county": pa.array(cols[3], pa.string()),
            "community": pa.array(cols[4], pa.string()),
            "adcode": pa.array(cols[5], pa.string()),
            "adcode_level": pa.array(["county" if c else None for c in cols[5]], pa.string()),
            "level": pa.array(cols[6], pa.string()),
            "listed_from": pa.array(cols[7], ts),
            "listed_until": pa.array(cols[8], ts),
            "source": pa.array(["nhc"] * len(rows), pa.string()),
        }
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("synth")
    result = synth.generate(
        out,
        people=1000,
        movements_per_person=2,
        listings=listings_table(),
        as_of=AS_OF,
        seed=7,
        formats=("csv", "xlsx"),
        outsiders_per_person=2,
        movements_csv=True,
    )
    with (out / "roster.csv").open(encoding="utf-8-sig", newline="") as fh:
        roster = list(csv.DictReader(fh))
    with (out / "truth.csv").open(encoding="utf-8", newline="") as fh:
        truth = list(csv.DictReader(fh))
    movements = pq.read_table(out / "movements.parquet").to_pylist()
    return result, roster, truth, movements


def test_the_roster_reads_back_with_the_csv_module_with_the_contract_headers(dataset) -> None:  # type: ignore[no-untyped-def]
    result, roster, _truth, _ = dataset
    raw = result.files["roster_csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    headers = ("姓名", "证件类型", "证件号码", "手机号码", "性别", "出生日期", "房号", "入住日期")
    assert tuple(roster[0].keys()) == headers
    assert len(roster) == 1000
    assert {r["性别"] for r in roster} == {"男", "女"}
    # the room at the premises, not a home-province household address that officers read as where the tenant
    # lives (a fresh-user trial: "湖北省宜昌市长阳土家族自治县陈街R座" beside a tenant of a Xiamen rental)
    assert all(re.fullmatch(r"\d+栋\d+室", r["房号"]) for r in roster)


def test_the_xlsx_roster_holds_the_same_cells_as_the_csv(dataset) -> None:  # type: ignore[no-untyped-def]
    from python_calamine import CalamineWorkbook

    result, roster, _, _ = dataset
    sheet = CalamineWorkbook.from_path(str(result.files["roster_xlsx"])).get_sheet_by_index(0).to_python()
    assert tuple(sheet[0]) == synth.ROSTER_HEADERS
    assert [[str(c) for c in row] for row in sheet[1:]] == [list(r.values()) for r in roster]


def test_truth_covers_every_roster_row_in_order(dataset) -> None:  # type: ignore[no-untyped-def]
    _, roster, truth, _ = dataset
    assert [int(t["row"]) for t in truth] == list(range(1, len(roster) + 1))
    for r, t in zip(roster, truth, strict=True):
        assert r["证件号码"] == t["id_as_written"]
        assert r["姓名"] == t["name_as_written"]
        assert t["expected_level"] in ("green", "yellow", "red")


def test_every_clean_and_movement_id_is_a_valid_gb11643_number(dataset) -> None:  # type: ignore[no-untyped-def]
    _, roster, truth, movements = dataset
    assert all(ric.is_valid(t["clean_id"]) for t in truth)
    assert len({t["clean_id"] for t in truth}) == len(truth)
    assert all(ric.is_valid(n) for n in {m["id_number"] for m in movements})
    for r, t in zip(roster, truth, strict=True):
        number = t["clean_id"]
        assert r["出生日期"] == t["birth_date"] == ric.get_birth_date(number).isoformat()
        assert (int(number[16]) % 2 == 1) == (r["性别"] == "男")


def test_corruption_counts_follow_the_documented_shares(dataset) -> None:  # type: ignore[no-untyped-def]
    result, _, truth, _ = dataset
    counts = {k: sum(t["corruption"] == k for t in truth) for k in synth.CORRUPTION_SHARES}
    assert sum(counts.values()) == 100  # corruption_share 0.10 of 1000, exact
    for kind, share in synth.CORRUPTION_SHARES.items():
        assert abs(counts[kind] - 100 * share) <= 1, kind
    assert result.by_corruption["clean"] == 900


def _pinyin(text: str) -> list[str]:
    return lazy_pinyin(text, style=Style.TONE)


def test_each_corruption_changes_exactly_what_it_says(dataset) -> None:  # type: ignore[no-untyped-def]
    _, roster, truth, _ = dataset
    s2t = OpenCC("s2t")
    full = str.maketrans("０１２３４５６７８９Ｘ", "0123456789X")
    for r, t in zip(roster, truth, strict=True):
        kind, clean, written, name = t["corruption"], t["clean_id"], r["证件号码"], r["姓名"]
        if kind not in ("traditional", "homophone"):
            assert name == t["clean_name"]
        if kind in ("traditional", "homophone", "missing_phone", "clean"):
            assert written == clean
        if kind == "typo":
            assert len(written) == 18 and sum(a != b for a, b in zip(written, clean, strict=True)) == 1
            assert not ric.is_valid(written)  # MOD 11-2 catches every single substitution
        elif kind == "transposition":
            diff = [i for i in range(18) if written[i] != clean[i]]
            assert len(diff) == 2 and diff[1] == diff[0] + 1
            assert written[diff[0]] == clean[diff[1]] and written[diff[1]] == clean[diff[0]]
        elif kind == "id15":
            assert len(written) == 15 and clean[6:8] == "19"
            assert written == clean[:6] + clean[8:17]
        elif kind == "traditional":
            assert name != t["clean_name"] and name == s2t.convert(t["clean_name"])
        elif kind == "fullwidth":
            assert written != clean and written.translate(full) == clean
        elif kind == "homophone":
            assert len(name) == len(t["clean_name"]) and name != t["clean_name"]
            assert _pinyin(name) == _pinyin(t["clean_name"])
        elif kind == "missing_phone":
            assert r["手机号码"] == ""
        elif kind == "missing_id":
            assert r["证件号码"] == r["证件类型"] == ""
            assert r["姓名"] and r["手机号码"] and r["出生日期"]
        elif kind == "lowercase_x":
            assert clean.endswith("X") and written == clean[:-1] + "x"
        elif kind == "spaces_dashes":
            assert written.replace(" ", "").replace("-", "") == clean and written != clean
        if kind != "missing_phone":
            assert len(r["手机号码"]) == 11 and r["手机号码"].startswith("1")


def _listing_hits(movement: dict) -> list[tuple]:
    place = movement["place"]
    return [row for row in LISTINGS if row[5] == movement["adcode"] and place in (row[4], row[3] + row[4])]


def _overlaps(a0, a1, b0, b1) -> bool:  # type: ignore[no-untyped-def]
    return a0 < (b1 or dt.datetime.max.replace(tzinfo=TZ)) and a1 > b0


def test_exposed_people_stayed_in_a_listed_area_while_listed_and_within_seven_days(dataset) -> None:  # type: ignore[no-untyped-def]
    _, _, truth, movements = dataset
    by_id: dict[str, list[dict]] = {}
    for m in movements:
        by_id.setdefault(m["id_number"], []).append(m)
    window = (at("2022-11-13"), at("2022-11-21"))
    seen = set()
    for t in truth:
        scen = t["scenario"]
        if scen not in ("area_high", "area_medium", "county_high"):
            continue
        seen.add(scen)
        mine = by_id[t["clean_id"]]
        if scen == "county_high":
            hits = [m for m in mine if m["adcode"] == "110105" and not _listing_hits(m)]
            assert t["expected_level"] == "yellow" and t["rule"] == "county-with-high"
        else:
            level = "high" if scen == "area_high" else "medium"
            hits = [
                m
                for m in mine
                for row in _listing_hits(m)
                if row[6] == level and _overlaps(m["start"], m["end"], row[7], row[8])
            ]
            assert t["expected_level"] == ("red" if level == "high" else "yellow")
        assert hits, t
        assert any(_overlaps(m["start"], m["end"], *window) for m in hits)
    assert seen == {"area_high", "area_medium", "county_high"}


def test_trap_visits_fall_outside_the_window_or_outside_the_listing(dataset) -> None:  # type: ignore[no-untyped-def]
    _, _, truth, movements = dataset
    by_id: dict[str, list[dict]] = {}
    for m in movements:
        by_id.setdefault(m["id_number"], []).append(m)
    window = (at("2022-11-13"), at("2022-11-21"))
    kinds = set()
    for t in truth:
        if not t["scenario"].startswith("trap_"):
            continue
        kinds.add(t["scenario"])
        assert t["expected_level"] == "green"
        visits = [m for m in by_id[t["clean_id"]] if _listing_hits(m)]
        assert visits, t  # the trap did visit a listed area's place
        for m in visits:
            for row in _listing_hits(m):
                if row[6] == "low":
                    continue
                assert not (
                    _overlaps(m["start"], m["end"], row[7], row[8]) and _overlaps(m["start"], m["end"], *window)
                ), (t, m)
    assert kinds == {"trap_window", "trap_interval"}


def test_every_corruption_type_has_exposed_people_and_traps(tmp_path: Path) -> None:
    result = synth.generate(
        tmp_path,
        people=1000,
        movements_per_person=1,
        listings=listings_table(),
        as_of=AS_OF,
        seed=3,
        exposed_share=0.2,
        outsiders_per_person=0,
    )
    with (tmp_path / "truth.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    for kind in synth.CORRUPTION_SHARES:
        group = [t for t in truth if t["corruption"] == kind]
        assert any(t["expected_level"] != "green" for t in group), kind
        assert any(t["scenario"].startswith("trap_") for t in group), kind
    flagged = sum(t["expected_level"] != "green" for t in truth)
    assert flagged == result.by_expected["red"] + result.by_expected["yellow"]
    assert abs(flagged - 0.2 * 1000) <= 12  # stratified rounding per corruption group


def test_background_movements_never_touch_a_county_listed_near_as_of(dataset) -> None:  # type: ignore[no-untyped-def]
    _, _, truth, movements = dataset
    plain = {t["clean_id"] for t in truth if t["scenario"] == "background"}
    for m in movements:
        if m["id_number"] in plain:
            assert m["adcode"] not in ("110105", "350203")
            assert synth.SOURCES.get(m["source"]) is not None
            assert m["end"] > m["start"]


def test_movements_include_many_people_off_the_roster_and_namesakes(dataset) -> None:  # type: ignore[no-untyped-def]
    result, _, truth, movements = dataset
    on_roster = {t["clean_id"] for t in truth}
    off = {m["id_number"] for m in movements} - on_roster
    assert len(off) >= 2 * len(on_roster)
    assert result.outsiders == len(off)
    names = {t["clean_name"]: t["clean_id"] for t in truth}
    namesakes = [m for m in movements if m["id_number"] in off and m["name"] in names]
    assert namesakes


def test_the_movements_csv_matches_the_parquet(dataset) -> None:  # type: ignore[no-untyped-def]
    result, _, _, movements = dataset
    with result.files["movements_csv"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == synth.MOVEMENT_COLUMNS
    assert len(rows) == len(movements) == result.movements
    for row, m in zip(rows[:200], movements[:200], strict=False):
        assert row["id_number"] == m["id_number"] and row["place"] == m["place"]
        assert dt.datetime.fromisoformat(row["start"]) == m["start"]
        assert row["start"].endswith("+08:00")


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_same_seed_writes_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    kwargs = {
        "people": 150,
        "movements_per_person": 2.5,
        "listings": listings_table(),
        "as_of": AS_OF,
        "movements_csv": True,
    }
    synth.generate(tmp_path / "a", seed=11, **kwargs)
    synth.generate(tmp_path / "b", seed=11, **kwargs)
    synth.generate(tmp_path / "c", seed=12, **kwargs)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a")["roster.csv"] != _digest(tmp_path / "c")["roster.csv"]


def test_it_rejects_listings_without_a_high_risk_area_active_before_as_of(tmp_path: Path) -> None:
    with pytest.raises(synth.SynthError, match="no high-risk listing is active"):
        synth.generate(
            tmp_path, people=10, movements_per_person=1, listings=listings_table(), as_of=dt.date(2022, 6, 1), seed=1
        )


def test_it_rejects_a_listings_table_without_the_riskdata_columns(tmp_path: Path) -> None:
    with pytest.raises(synth.SynthError, match="lacks column"):
        synth.generate(
            tmp_path, people=10, movements_per_person=1, listings=listings_table().drop(["level"]), as_of=AS_OF, seed=1
        )


def test_it_rejects_an_unknown_roster_format(tmp_path: Path) -> None:
    with pytest.raises(synth.SynthError, match="formats"):
        synth.generate(
            tmp_path,
            people=10,
            movements_per_person=1,
            listings=listings_table(),
            as_of=AS_OF,
            seed=1,
            formats=("ods",),
        )


def _m(adcode: str, place: str, start: dt.datetime, hours: float = 3) -> synth.Movement:
    return synth.Movement(
        "110105199001011234", "张三", adcode, place, start, start + dt.timedelta(hours=hours), "rail_ticket"
    )


@pytest.mark.parametrize(
    ("movement", "expected"),
    [
        (_m("110105", "东大桥路10号院物业办公楼", at("2022-11-15", 9)), ("red", "area-high", "bj-hujialou-1")),
        (
            _m("110105", "呼家楼街道东大桥路10号院物业办公楼", at("2022-11-15", 9)),
            ("red", "area-high", "bj-hujialou-1"),
        ),
        (_m("110105", "某某路8号", at("2022-11-15", 9)), ("yellow", "county-with-high", "bj-hujialou-1")),
        (_m("350203", "禾祥西路234-246（万禾花园）", at("2022-11-15", 9)), ("yellow", "area-medium", "xm-siming-1")),
        # listed 2022-11-17 10:00: a stay that ends before then is clean
        (_m("350203", "后江埭路104、106、108、110、112、114、116号", at("2022-11-16", 9)), ("green", "", "")),
        # inside the listing but 8 days before as_of
        (_m("110105", "东大桥路10号院物业办公楼", at("2022-11-11", 9)), ("green", "", "")),
        # delisted 2022-11-05
        (_m("110105", "广渠路29号院九龙花园小区2号楼", at("2022-11-10", 9)), ("green", "", "")),
        # low-risk listings carry no level
        (_m("350203", "碧山路1号", at("2022-11-15", 9)), ("green", "", "")),
    ],
)
def test_the_reference_rule_gives_the_protocol_levels(movement: synth.Movement, expected: tuple) -> None:
    assert synth.expected_level([movement], listings_table(), AS_OF) == expected


@given(st.sampled_from(sorted(synth.homophones())))
@settings(max_examples=200, deadline=None)
def test_every_homophone_reads_the_same_toned_pinyin(ch: str) -> None:
    for other in synth.homophones()[ch]:
        assert _pinyin(other) == _pinyin(ch) and other != ch


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), st.integers(min_value=0, max_value=999)
)
def test_the_15_digit_form_converts_back_to_the_18_digit_number(birth: dt.date, seq: int) -> None:
    body = f"110101{birth:%Y%m%d}{seq:03d}"
    number = body + ric.calc_check_digit(body + "0")
    short = synth.to_id15(number)
    assert len(short) == 15
    back = short[:6] + "19" + short[6:]
    assert back + ric.calc_check_digit(back + "0") == number


def test_the_15_digit_form_is_refused_for_someone_born_in_2000() -> None:
    with pytest.raises(synth.SynthError, match="1900–1999"):
        synth.to_id15("110101200001011238")


def test_the_command_line_writes_the_set_and_reports_it(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    pq.write_table(listings_table(), tmp_path / "listings.parquet")
    code = synth.main([str(tmp_path / "out"), "--people", "60", "--movements-per-person", "1", "--seed", "2",
                       "--listings", str(tmp_path / "listings.parquet"), "--format", "xlsx"])
    assert code == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"roster.xlsx", "movements.parquet", "truth.csv"}
    assert "60 roster rows" in capsys.readouterr().out


def test_the_command_line_explains_an_as_of_without_listings(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    pq.write_table(listings_table(), tmp_path / "listings.parquet")
    code = synth.main([str(tmp_path / "out"), "--people", "5", "--as-of", "2022-05-01",
                       "--listings", str(tmp_path / "listings.parquet")])
    assert code == 2
    assert "no high-risk listing is active" in capsys.readouterr().err


def _years_as_synth_parsed_them() -> dict[str, tuple[tuple[int, int], ...]]:
    """The parse of python-stdnum's cn/loc.dat that synth did itself before it used pingan.lib.adcodes."""
    from importlib import resources

    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    out: dict[str, tuple[tuple[int, int], ...]] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line[:2]
            continue
        suffix, _, rest = line.strip().partition(" ")
        if not rest.startswith("county="):
            continue
        spans: list[tuple[int, int]] = []
        for name in rest[len("county=") :].strip('"').split(","):
            if not name.startswith("["):
                spans = [(0, 9999)]
                break
            start, end = name[1:].split("]")[0].split("-")
            spans.append((int(start) if start else 0, int(end) if end else 9999))
        out[province + suffix] = out.get(province + suffix, ()) + tuple(spans)
    return out


def test_synth_takes_the_years_of_use_from_adcodes_and_writes_the_same_files(tmp_path: Path, monkeypatch) -> None:
    from pingan.lib import adcodes

    assert dict(adcodes.years_of_use()) == _years_as_synth_parsed_them()
    kwargs = {"people": 150, "movements_per_person": 2.5, "listings": listings_table(), "as_of": AS_OF,
              "seed": 11, "movements_csv": True}
    synth._county_validity.cache_clear()
    synth.generate(tmp_path / "now", **kwargs)
    monkeypatch.setattr(adcodes, "years_of_use", _years_as_synth_parsed_them)
    synth._county_validity.cache_clear()
    try:
        synth.generate(tmp_path / "before", **kwargs)
    finally:
        synth._county_validity.cache_clear()
    now, before = _digest(tmp_path / "now"), _digest(tmp_path / "before")
    for name in ("roster.csv", "truth.csv", "movements.csv"):
        assert now[name] == before[name], name
