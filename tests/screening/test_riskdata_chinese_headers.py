"""Risk data as a Chinese bureau exports it: Chinese headers (证件号码, 开始时间 …), sources and categories
named in Chinese (铁路购票, 在逃). The importers read them as they read the English form, and store the same
codes (issue 11: ``pingan demo`` wrote the police's files with English headers and codes only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pingan.screening.riskdata import read_movements, read_watchlist_csv

ID_A = "11010519491231002X"
ENGLISH = "id_type,id_number,name,adcode,place,start,end,source"
CHINESE = "证件类型,证件号码,姓名,行政区划代码,地点,开始时间,结束时间,数据来源"


def _rows(source_a: str, source_b: str) -> list[str]:
    return [f"居民身份证,{ID_A},张三,350203,厦门站,2022-08-10T08:30:00+08:00,2022-08-10T12:00:00+08:00,{source_a}",
            f"居民身份证,{ID_A},张三,350206,某酒店,2022-08-11T20:00:00+08:00,2022-08-12T08:00:00+08:00,{source_b}"]


def _csv(path: Path, header: str, rows: list[str], bom: bool = True) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("header", [ENGLISH, CHINESE, ENGLISH.upper(),
                                    "证件类型,证件号码,name,adcode,地点,start,end,来源"])
def test_movement_records_read_the_same_under_chinese_english_or_mixed_headers(tmp_path, header):
    english, _ = read_movements(_csv(tmp_path / "en.csv", ENGLISH, _rows("rail_ticket", "hotel_checkin")))
    valid, rejections = read_movements(_csv(tmp_path / "x.csv", header, _rows("铁路购票", "旅馆入住")))
    assert rejections.num_rows == 0
    assert valid.to_pylist() == english.to_pylist()
    assert valid.column("source").to_pylist() == ["rail_ticket", "hotel_checkin"]  # the codes, not the words


def test_a_parquet_file_with_chinese_column_names_reads_as_the_english_one(tmp_path):
    t = dt.datetime(2022, 8, 10, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    cols = {"id_type": ["居民身份证"], "id_number": [ID_A], "name": ["张三"], "adcode": ["350203"],
            "place": ["厦门站"], "start": pa.array([t], pa.timestamp("us", "Asia/Shanghai")),
            "end": pa.array([t + dt.timedelta(hours=3)], pa.timestamp("us", "Asia/Shanghai")),
            "source": ["通信漫游"]}
    pq.write_table(pa.table(cols), tmp_path / "en.parquet")
    pq.write_table(pa.table(dict(zip(CHINESE.split(","), cols.values(), strict=True))), tmp_path / "zh.parquet")
    en, _ = read_movements(tmp_path / "en.parquet")
    zh, rejections = read_movements(tmp_path / "zh.parquet")
    assert rejections.num_rows == 0 and zh.to_pylist() == en.to_pylist()
    assert zh.column("source").to_pylist() == ["telecom_roaming"]


def test_an_unknown_chinese_source_is_kept_as_written_and_a_missing_column_is_named(tmp_path):
    valid, _ = read_movements(_csv(tmp_path / "a.csv", CHINESE, _rows("卡口过车", "自主申报")))
    assert valid.column("source").to_pylist() == ["卡口过车", "self_declaration"]
    from pingan.screening.riskdata import MovementFormatError

    with pytest.raises(MovementFormatError, match=r"missing required column.*source"):
        read_movements(_csv(tmp_path / "b.csv", CHINESE.rsplit(",", 1)[0], [r.rsplit(",", 1)[0] for r in _rows(
            "x", "y")]))


def test_a_bureau_watchlist_reads_the_same_under_chinese_headers_and_categories(tmp_path):
    english = tmp_path / "en.csv"
    english.write_text("entry_id,category,name,aliases,id_type,id_number,birth_date,nationality,note\n"
                       f"W1,wanted,张三,张叁;张山,居民身份证,{ID_A},1949-12,中国,\n"
                       "M2,missing,李四,,,,1990年3月7日,中国,\n", encoding="utf-8")
    chinese = tmp_path / "zh.csv"
    chinese.write_text("\ufeff编号,类别,姓名,别名,证件类型,证件号码,出生日期,国籍,备注\n"
                       f"W1,在逃人员,张三,张叁;张山,居民身份证,{ID_A},1949-12,中国,\n"
                       "M2,失踪,李四,,,,1990年3月7日,中国,\n", encoding="utf-8")
    en, en_rej = read_watchlist_csv(english, list_name="bureau")
    zh, zh_rej = read_watchlist_csv(chinese, list_name="bureau")
    assert en_rej.num_rows == zh_rej.num_rows == 0
    assert zh.to_pylist() == en.to_pylist()
    assert zh.column("category").to_pylist() == ["wanted", "missing"]


def test_the_demo_writes_its_travel_records_as_a_chinese_bureau_would_and_imports_them(tmp_path):
    from pingan.screening.demo import BUREAU_MOVEMENT_HEADINGS, bureau_movements_csv

    english = _csv(tmp_path / "en.csv", ENGLISH, _rows("rail_ticket", "flight"), bom=False)
    original, _ = read_movements(english)
    pq.write_table(original.drop(["record_id"]), tmp_path / "m.parquet")
    out = bureau_movements_csv(tmp_path / "m.parquet", tmp_path / "行程记录.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == ",".join(BUREAU_MOVEMENT_HEADINGS)
    assert "铁路购票" in text and "民航" in text and "rail_ticket" not in text and "+08:00" in text
    back, rejections = read_movements(out)
    assert rejections.num_rows == 0 and back.to_pylist() == original.to_pylist()
