"""Column helpers: one row per input row, the same answers as the per-value functions, DuckDB-ready."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import pyarrow as pa
import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.strategies import TODAY, valid_rics
from pingan.lib.identity import (
    name_keys,
    name_keys_table,
    normalize_document,
    normalize_documents,
    normalize_phone,
    normalize_phones,
)
from pingan.lib.identity.batch import document_as_row, restrict_to_resident_id_column

MIXED_NUMBERS = [
    "11010519491231002X", "11010519491231002x", "110105194912310021", "110105491231002", None, "",
    "E12345678", "H1234567801", "12345678", "abc", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X",
    "110105-1949-1231-002x", "110105 19491231 002X", "110105.19491231.002X", "810000199001011234",
]
MIXED_TYPES = ["身份证", None, "身份证", None, None, "护照", "护照", None, "台胞证", None, None, "护照",
               "身份证", None, "居民身份证", "身份证"]


def _as_rows(numbers: list[str | None], types: list[str | None] | None) -> list[dict[str, object]]:
    out = []
    for i, raw in enumerate(numbers):
        doc = normalize_document(raw, types[i] if types else None, today=TODAY)
        out.append(document_as_row(doc))
    return out


@pytest.mark.parametrize("types", [None, MIXED_TYPES])
def test_documents_table_agrees_with_the_per_value_function(types: list[str | None] | None) -> None:
    table = normalize_documents(MIXED_NUMBERS, types, today=TODAY)
    assert table.num_rows == len(MIXED_NUMBERS)
    assert table.to_pylist() == _as_rows(MIXED_NUMBERS, types)


_messy = st.sampled_from([lambda n: n, str.lower, lambda n: f"{n[:6]} {n[6:14]} {n[14:]}",
                          lambda n: f"{n[:6]}-{n[6:14]}-{n[14:]}", lambda n: n[:10] + n[11] + n[10] + n[12:],
                          lambda n: n[:6] + n[8:17]])


@settings(max_examples=15, deadline=None)
@given(st.lists(st.one_of(valid_rics(), valid_rics().map(lambda n: n[:17] + "0"),
                          st.tuples(valid_rics(), _messy).map(lambda t: t[1](t[0])), st.none()), max_size=20))
def test_documents_fast_path_agrees_with_the_reference(numbers: list[str | None]) -> None:
    assert normalize_documents(numbers, today=TODAY).to_pylist() == _as_rows(numbers, None)


def test_it_rejects_types_of_another_length() -> None:
    with pytest.raises(ValueError, match="numbers has 2 rows but types has 1"):
        normalize_documents(["1", "2"], ["身份证"])


def test_it_accepts_arrow_arrays_and_empty_input() -> None:
    table = normalize_documents(pa.chunked_array([["11010519491231002X"], [None]]), today=TODAY)
    assert table.column("valid").to_pylist() == [True, False]
    assert normalize_documents([], today=TODAY).num_rows == 0
    assert name_keys_table([]).num_rows == 0
    assert normalize_phones([]).num_rows == 0


def test_name_and_phone_tables_agree_with_the_per_value_functions() -> None:
    fake = Faker("zh_CN")
    Faker.seed(7)
    names = [fake.name() for _ in range(50)] + ["陳大文", None, "阿不都•热合曼", "John SMITH", "陳大文"]
    table = name_keys_table(names)
    assert table.to_pylist() == [dataclasses.asdict(name_keys(n)) for n in names]
    phones = [fake.phone_number() for _ in range(50)] + ["+852 9123 4567", None, "010-12345678", "abc", "1"]
    assert normalize_phones(phones).column("phone").to_pylist() == [normalize_phone(p) for p in phones]


def test_tables_feed_duckdb() -> None:
    con = duckdb.connect()
    con.register("docs", normalize_documents(MIXED_NUMBERS, today=TODAY))
    counts = dict(con.execute("select doc_type, count(*) from docs group by doc_type").fetchall())
    assert counts["ric"] == 9


def test_documents_without_any_clean_number_and_sliced_arrays_work() -> None:
    assert normalize_documents(["abc", None], today=TODAY).column("error_code").to_pylist() == [
        "unknown_type", "empty"]
    arr = pa.array(["x", "11010519491231002X", "110105194912310021", "E12345678"]).slice(1)
    assert normalize_documents(arr, today=TODAY).to_pylist() == _as_rows(arr.to_pylist(), None)


_phone = st.one_of(
    st.tuples(st.sampled_from(["", "+86", "0086", "86", "+86 ", "+852 ", "+1 "]),
              st.text(alphabet="0123456789 -", min_size=6, max_size=14)).map("".join),
    st.text(alphabet="0123456789１３８+-() 　", max_size=16),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_phone, max_size=25))
def test_phones_table_agrees_with_the_per_value_function(phones: list[str | None]) -> None:
    got = normalize_phones(phones).column("phone").to_pylist()
    assert got == [normalize_phone(p) for p in phones]


def test_plain_mobiles_decided_by_the_prefix_table_agree_with_the_per_value_function() -> None:
    phones = [f"{p}{p * 7919 % 1000000:06d}" for p in range(10000, 20000, 3)]
    phones += ["1381234567", "138123456789", "1381234567x", "２３８１２３４５６７８"]
    assert normalize_phones(phones).column("phone").to_pylist() == [normalize_phone(p) for p in phones]


def test_the_birth_date_table_accepts_exactly_what_parse_birth_date_accepts() -> None:
    from pingan.lib.identity import batch, ric

    table, base = batch._birth_day_table(TODAY)
    for year in (base, base + 1, TODAY.year - 130, 1900, 2000, TODAY.year):
        for month in range(1, 13):
            for day in range(1, 32):
                expected = ric.parse_birth_date(f"{year:04d}{month:02d}{day:02d}", TODAY)
                got = table[(year - base) * 372 + (month - 1) * 31 + day - 1]
                if expected is None:
                    assert got == batch._NO_DATE
                else:
                    assert got == (expected - dt.date(1970, 1, 1)).days


@pytest.mark.parametrize("mask", [True, [True, False] * 8 + [True] * 4])
def test_the_resident_id_column_rule_on_a_table_agrees_with_the_per_value_function(mask: object) -> None:
    numbers = [*MIXED_NUMBERS, "abc123", "12345", "usa 12345", "C01X00T47"]
    table = restrict_to_resident_id_column(normalize_documents(numbers, today=TODAY), mask)
    flags = [True] * len(numbers) if mask is True else mask
    expected = [document_as_row(normalize_document(n, resident_id_column=f, today=TODAY))
                for n, f in zip(numbers, flags, strict=True)]
    assert table.to_pylist() == expected
    assert table.column("error_code").to_pylist()[16:18] == ["not_an_id_number"] * 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="ABEGHMX0123456789 -", max_size=12) | st.none(), max_size=15))
def test_the_resident_id_column_rule_agrees_with_the_per_value_function_on_any_text(numbers: list) -> None:
    table = restrict_to_resident_id_column(normalize_documents(numbers, today=TODAY))
    assert table.to_pylist() == [document_as_row(normalize_document(n, resident_id_column=True, today=TODAY))
                                 for n in numbers]


def test_the_resident_id_column_rule_refuses_a_mask_of_another_length() -> None:
    with pytest.raises(ValueError, match="mask has 1"):
        restrict_to_resident_id_column(normalize_documents(["abc123", "x"], today=TODAY), [True])
