"""Vectorised helpers for batch screening: one Arrow table row per input row.

The common clean cases are decided without Python per row: clean 18-character (and valid 15-digit)
resident ID numbers from their bytes in the Arrow data buffer (numpy; GB 11643-1999, ISO 7064 MOD 11-2,
GB/T 2260 lookup tables), plain mainland mobiles from a per-prefix table built from phonenumbers' pattern, prefixed ones
with Arrow's RE2 kernels. Everything else is dictionary-encoded with Arrow and sent once per *distinct*
value through the reference functions (:func:`~pingan.lib.identity.documents.normalize_document`,
:func:`~pingan.lib.identity.phones.normalize_phone`, :func:`~pingan.lib.identity.names.name_keys`), then
expanded back to rows with ``Table.take``. The tests assert that both routes give the same rows.

The returned tables are ready for DuckDB (``duckdb.from_arrow``) or Spark (``createDataFrame`` via
Arrow). This module imports no Django.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from pingan.lib import adcodes
from pingan.lib.identity import ric
from pingan.lib.identity.documents import (
    ERRORS,
    Document,
    doc_type_from_label,
    normalize_document,
    params_json,
)
from pingan.lib.identity.names import name_keys
from pingan.lib.identity.phones import normalize_phone

DOCUMENT_SCHEMA = pa.schema([
    ("doc_type", pa.string()),
    ("number", pa.string()),
    ("valid", pa.bool_()),
    ("error_code", pa.string()),
    ("error", pa.string()),
    ("birth_date", pa.date32()),
    ("sex", pa.string()),
    ("area_code", pa.string()),
    ("converted_from_15", pa.bool_()),
    ("issuing_country", pa.string()),
    ("error_params", pa.string()),
    ("notes", pa.list_(pa.struct([("code", pa.string()), ("params", pa.string())]))),
])
NOTE_TYPE = DOCUMENT_SCHEMA.field("notes").type
NAME_SCHEMA = pa.schema([
    ("normalized", pa.string()),
    ("simplified", pa.string()),
    ("pinyin", pa.string()),
    ("script", pa.string()),
    ("latin_key", pa.string()),
])
PHONE_SCHEMA = pa.schema([("phone", pa.string())])

# The same shapes in RE2 syntax for Arrow's regex kernels.
_RE2_PHONE_CHARS = r"^[0-9+ \-]+$"
_RE2_MOBILE = r"^(?:\+86|0086|86)?(?P<n>1\d{10})$"
_RE2_CN_MOBILE = "^(?:" + phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern + ")$"


def _encode(values: Sequence[Any] | pa.Array | pa.ChunkedArray) -> tuple[pa.Array, list[Any]]:
    """Dictionary-encode ``values`` as strings: (row → distinct index, distinct values as Python)."""
    arr = _as_string_array(values)
    enc = pc.dictionary_encode(arr, null_encoding="encode")
    return enc.indices, enc.dictionary.to_pylist()


def _as_string_array(values: Sequence[Any] | pa.Array | pa.ChunkedArray) -> pa.Array:
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    return arr


def _expand(columns: list[list[Any]], schema: pa.Schema, indices: pa.Array) -> pa.Table:
    distinct = pa.Table.from_arrays(
        [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)], schema=schema
    )
    return distinct.take(indices)


def _merge(mask: pa.Array, fast: pa.Table, residual: pa.Table) -> pa.Table:
    """Interleave ``fast`` (rows where ``mask``) and ``residual`` (the others) back into input order."""
    as_int = mask.cast(pa.int64())
    fast_pos = pc.subtract(pc.cumulative_sum(as_int), 1)
    res_pos = pc.add(pc.subtract(pc.cumulative_sum(pc.subtract(1, as_int)), 1), fast.num_rows)
    order = pc.if_else(mask, fast_pos, res_pos)
    return pa.concat_tables([fast, residual]).take(order)


def document_as_row(doc: Document) -> dict[str, Any]:
    """One :data:`DOCUMENT_SCHEMA` row (a dict) for ``doc``: params as canonical JSON text
    (:func:`~pingan.lib.identity.documents.params_json`), notes as ``{"code", "params"}`` structs."""
    return {"doc_type": doc.doc_type, "number": doc.number, "valid": doc.valid, "error_code": doc.error_code,
            "error": doc.error, "birth_date": doc.birth_date, "sex": doc.sex, "area_code": doc.area_code,
            "converted_from_15": doc.converted_from_15, "issuing_country": doc.issuing_country,
            "error_params": params_json(dict(doc.error_params)),
            "notes": [{"code": n.code, "params": params_json(dict(n.params))} for n in doc.notes]}


def _document_row(raw: str | None, declared: str | None, today: dt.date) -> tuple[Any, ...]:
    return tuple(document_as_row(normalize_document(raw, declared, today=today)).values())


_YEAR_SPAN = ric.MAX_AGE_YEARS + 2
_NO_DATE = np.iinfo(np.int32).min


@lru_cache(maxsize=4)
def _birth_day_table(today: dt.date) -> tuple[np.ndarray, int]:
    """A lookup table for GB 11643 birth dates valid on ``today`` (same rule as :func:`ric.parse_birth_date`).

    Key ``(year - base) * 372 + (month - 1) * 31 + (day - 1)`` for ``base = today.year - 131``; value the
    date32 (days since 1970-01-01, negative before 1970) of a real date in range, or :data:`_NO_DATE`.
    Returns (table, base year).
    """
    base = today.year - ric.MAX_AGE_YEARS - 1
    table = np.full(_YEAR_SPAN * 372, _NO_DATE, dtype=np.int32)
    # parse_birth_date accepts exactly the real dates from 1 January of (today.year - 130) to today.
    first = dt.date(today.year - ric.MAX_AGE_YEARS, 1, 1)
    epoch_offset = (first - dt.date(1970, 1, 1)).days
    for n in range((today - first).days + 1):
        day = first + dt.timedelta(days=n)
        table[(day.year - base) * 372 + (day.month - 1) * 31 + day.day - 1] = epoch_offset + n
    return table, base


@lru_cache(maxsize=1)
def _area_table() -> np.ndarray:
    """A table indexed by the six-digit address code: 1 when :func:`ric.area_code_exists`, 2 when
    :func:`ric.area_code_unlisted` (a county code no table lists, in a prefecture that exists), else 0."""
    table = np.zeros(1_000_000, dtype=np.int8)
    prefectures = np.zeros(10_000, dtype=bool)
    for div in adcodes.divisions(include_historical=True):
        if div.code.endswith("00"):
            prefectures[int(div.code) // 100] = True
    codes = np.arange(1_000_000)
    unlisted = prefectures[codes // 100] & (codes % 100 != 0) & ((codes // 100) % 100 != 0)
    table[unlisted] = 2
    for div in adcodes.divisions(include_historical=True):
        table[int(div.code)] = 1
    table[[810000, 820000, 830000]] = 1
    return table


def _notes_column(area_unlisted: np.ndarray, areas: pa.Array, lowercase_x: np.ndarray | None = None) -> pa.Array:
    """The ``notes`` column of fast-path rows: ``lowercase_x`` where ``lowercase_x``, then
    ``area_code_unlisted`` (params: the code and its prefecture) where ``area_unlisted``; the same notes, in
    the same order, as :func:`~pingan.lib.identity.documents.normalize_document`."""
    lower = lowercase_x if lowercase_x is not None else np.zeros(len(area_unlisted), dtype=bool)
    flagged = np.nonzero(area_unlisted | lower)[0]
    if not len(flagged):
        return pa.array([[]] * len(area_unlisted), NOTE_TYPE)
    out: list[list[dict[str, Any]]] = [[] for _ in range(len(area_unlisted))]
    area_list = areas.take(pa.array(flagged)).to_pylist()
    for i, area in zip(flagged.tolist(), area_list, strict=True):
        if lower[i]:
            out[i].append({"code": "lowercase_x", "params": None})
        if area_unlisted[i]:
            out[i].append({"code": "area_code_unlisted",
                           "params": params_json({"area_code": area, "prefecture": area[:4] + "00"})})
    return pa.array(out, NOTE_TYPE)


_ERROR_CODES = pa.array([None, "bad_check_digit", "bad_birth_date", "unknown_area_code"], type=pa.string())
_ERROR_TEXTS = pa.array([None, *(ERRORS[c] for c in _ERROR_CODES.to_pylist()[1:])], type=pa.string())
_POWERS6 = np.array([10**k for k in range(5, -1, -1)], dtype=np.int32)
_CHECK_CHARACTERS = pa.array([*"0123456789", "X"], type=pa.string())  # value 10 is written X
_SEXES = pa.array(["F", "M"], type=pa.string())  # by parity of the 17th digit (GB 11643-1999)



def _byte_matrix(sub: pa.Array, width: int) -> np.ndarray:
    """The values of a string array whose values are all ``width`` bytes long, as an ``n × width`` uint8
    matrix over the Arrow data buffer (no copy, no per-value Python objects)."""
    n = len(sub)
    if not n:
        return np.zeros((0, width), dtype=np.uint8)
    _, offsets_buf, data = sub.buffers()
    start = pa.Array.from_buffers(pa.int32(), n + 1, [None, offsets_buf], offset=sub.offset)[0].as_py()
    return np.frombuffer(data, dtype=np.uint8, count=n * width, offset=start).reshape(n, width)

def _fast_ric(
    arr: pa.Array, today: dt.date, allowed: pa.Array | None = None, *, valid_only: bool = False,
    lowercase_x: pa.Array | None = None,
) -> tuple[pa.Array, pa.Table]:
    """Vectorised GB 11643-1999 validation of already-clean 18-character numbers starting 1–7.

    The rules and their order are those of :func:`ric.validate18` (check character, birth date, address
    code); the error codes and messages those of :func:`normalize_document`, which the tests compare
    against. Each number's 18 bytes are read straight from the Arrow data buffer as an n×18 matrix.
    Returns (mask of the rows handled here, their rows as a :data:`DOCUMENT_SCHEMA` table); every other
    row — other shapes, 15-digit numbers, full-width digits, residence permits — goes to the reference
    function. ``allowed`` restricts the fast path to some rows (those whose declared type is a 身份证);
    ``valid_only`` leaves invalid numbers to the reference too. ``lowercase_x`` (booleans as long as
    ``arr``): the row was typed with a lower-case check character, noted on valid rows.
    """
    cand = pc.fill_null(pc.equal(pc.binary_length(arr), 18), False)
    if allowed is not None:
        cand = pc.and_(cand, allowed)
    sub = arr.filter(cand)
    m = _byte_matrix(sub, 18)
    # uint8 arithmetic wraps, so "byte - 48 <= 9" tests "is an ASCII digit" in one pass.
    is_digit = (m - np.uint8(48)) <= 9
    col = [m[:, i].astype(np.int32) - 48 for i in range(18)]  # per-position digit values (n each)
    shape_ok = is_digit[:, :17].all(axis=1) & (is_digit[:, 17] | (m[:, 17] == ord("X"))) & (col[0] >= 1) & (
        col[0] <= 7)
    check_value = np.where(m[:, 17] == ord("X"), 10, col[17])
    weighted = sum(col[i] * w for i, w in enumerate(ric.WEIGHTS))
    check_ok = (weighted + check_value) % 11 == 1  # ISO 7064 MOD 11-2
    days, base = _birth_day_table(today)
    year = col[6] * 1000 + col[7] * 100 + col[8] * 10 + col[9]
    month, day = col[10] * 10 + col[11], col[12] * 10 + col[13]
    in_range = (year >= base) & (year < base + _YEAR_SPAN) & (month >= 1) & (month <= 12) & (day >= 1) & (
        day <= 31)
    key = np.where(in_range & shape_ok, (year - base) * 372 + (month - 1) * 31 + day - 1, 0)
    birth = np.where(in_range, days[key], _NO_DATE)
    area = np.where(shape_ok, sum(col[i] * p for i, p in enumerate(_POWERS6.tolist())), 0)
    area_state = _area_table()[area]
    error = np.where(~check_ok, 1, np.where(birth == _NO_DATE, 2, np.where(area_state == 0, 3, 0))).astype(np.int8)
    if valid_only:
        shape_ok &= error == 0
    unlisted = (area_state == 2)[shape_ok]
    lower = None
    if lowercase_x is not None:
        lower = pc.fill_null(lowercase_x.filter(cand), False).to_numpy(zero_copy_only=False)[shape_ok]

    keep = pa.array(shape_ok)
    mask = pc.replace_with_mask(cand, cand, keep)
    rows = sub.filter(keep)
    error = error[shape_ok]
    valid = error == 0
    k = len(rows)
    err_idx = pa.array(error)
    table = pa.Table.from_arrays(
        [
            pa.repeat(pa.scalar("ric", pa.string()), k),
            rows,
            pa.array(valid),
            _ERROR_CODES.take(err_idx),
            _ERROR_TEXTS.take(err_idx),
            pa.array(np.where(valid, birth[shape_ok], 0), mask=~valid).cast(pa.date32()),
            pc.if_else(pa.array(valid), _SEXES.take(pa.array(m[shape_ok, 16] % 2)), None),
            pc.if_else(pa.array(valid), pc.utf8_slice_codeunits(rows, 0, 6), None),
            pa.repeat(pa.scalar(False), k),
            pc.if_else(pa.array(valid), "CHN", None),
            pa.nulls(k, pa.string()),
            _notes_column(unlisted & valid, pc.utf8_slice_codeunits(rows, 0, 6),
                          lower & valid if lower is not None else None),
        ],
        schema=DOCUMENT_SCHEMA,
    )
    return mask, table


def normalize_documents(
    numbers: Sequence[str | None] | pa.Array | pa.ChunkedArray,
    types: Sequence[str | None] | pa.Array | pa.ChunkedArray | None = None,
    *,
    today: dt.date | None = None,
) -> pa.Table:
    """Normalise a column of document numbers (and optional declared-type labels) → one row per input.

    Columns: ``doc_type, number, valid, error_code, error, birth_date, sex, area_code, converted_from_15,
    issuing_country`` with the meaning of :class:`~pingan.lib.identity.documents.Document`. ``types``
    must be as long as ``numbers`` (``ValueError`` otherwise). Clean 18-character resident ID numbers (the
    bulk of a roster) are validated from their bytes (see :func:`_fast_ric`); every other row goes
    through :func:`~pingan.lib.identity.documents.normalize_document` once per distinct (number, type).
    """
    today = today or dt.date.today()
    arr = _as_string_array(numbers)
    tarr = None
    fast_allowed = None
    if types is not None:
        tarr = _as_string_array(types)
        if len(tarr) != len(arr):
            raise ValueError(f"numbers has {len(arr)} rows but types has {len(tarr)}")
        tenc = pc.dictionary_encode(tarr, null_encoding="encode")
        labels = tenc.dictionary.to_pylist()
        # the fast path is a resident ID number read as such: no label, or a label naming the 身份证.
        ric_like = pa.array([doc_type_from_label(lab) in (None, "ric") for lab in labels], type=pa.bool_())
        fast_allowed = pc.take(ric_like, tenc.indices)
    mask, fast = _fast_ric(arr, today, fast_allowed)
    keep = pc.invert(mask)
    rest = arr.filter(keep)
    trest = tarr.filter(keep) if tarr is not None else None
    # ASCII spaces/dashes and a lower-case x are the commonest mess: strip them and try the fast path
    # again. A value that still is not 18 clean characters goes to the reference with its original text.
    precleaned = pc.utf8_upper(pc.replace_substring_regex(rest, r"[ \t\-]", ""))
    mask2, fast2 = _fast_ric(precleaned, today, fast_allowed.filter(keep) if fast_allowed is not None else None,
                             lowercase_x=pc.match_substring(rest, "x"))
    keep2 = pc.invert(mask2)
    rest2, trest2 = rest.filter(keep2), trest.filter(keep2) if trest is not None else None
    allowed2 = fast_allowed.filter(keep).filter(keep2) if fast_allowed is not None else None
    mask3, fast3 = _fast_ric15(rest2, today, allowed2)
    keep3 = pc.invert(mask3)
    residual = _documents_by_reference(rest2.filter(keep3), trest2.filter(keep3) if trest2 is not None else None,
                                       today)
    return _merge(mask, fast, _merge(mask2, fast2, _merge(mask3, fast3, residual)))


def restrict_to_resident_id_column(
    docs: pa.Table, mask: Sequence[bool] | pa.Array | pa.ChunkedArray | bool = True
) -> pa.Table:
    """:func:`~pingan.lib.identity.documents.in_resident_id_column`, vectorised, on the rows of ``docs``
    (a :func:`normalize_documents` table) where ``mask`` holds (booleans as long as ``docs``, null = false,
    or one boolean for all rows); ``ValueError`` when the lengths differ.

    Use it only on rows whose roster gave no document type and whose number stands in a column headed as
    a resident ID number: a number of no recognisable type, or a shape-only passport that is not 7–9
    characters, becomes ``doc_type`` ``unknown``, invalid, ``not_an_id_number``. Other rows are kept.
    """
    if docs.num_rows == 0:
        return docs
    doc_type, valid = docs.column("doc_type"), docs.column("valid")
    unknown = pc.fill_null(pc.equal(docs.column("error_code"), "unknown_type"), False)
    short_passport = pc.and_kleene(
        pc.and_(pc.equal(doc_type, "passport"), valid),
        pc.and_(pc.is_null(docs.column("issuing_country")),
                pc.invert(pc.match_substring_regex(docs.column("number"), r"^[A-Z0-9]{7,9}$"))),
    )
    bad = pc.fill_null(pc.or_kleene(unknown, short_passport), False)
    if not isinstance(mask, bool):
        arr = mask if isinstance(mask, pa.Array | pa.ChunkedArray) else pa.array(mask, pa.bool_())
        if len(arr) != docs.num_rows:
            raise ValueError(f"docs has {docs.num_rows} rows but mask has {len(arr)}")
        bad = pc.and_(bad, pc.fill_null(arr, False))
    elif not mask:
        return docs
    if not pc.any(bad).as_py():
        return docs
    replaced = {
        "doc_type": pc.if_else(bad, "unknown", doc_type),
        "valid": pc.if_else(bad, False, valid),
        "error_code": pc.if_else(bad, "not_an_id_number", docs.column("error_code")),
        "error": pc.if_else(bad, ERRORS["not_an_id_number"], docs.column("error")),
        "error_params": pc.if_else(bad, pa.scalar(None, pa.string()), docs.column("error_params")),
        "notes": pc.if_else(bad, pa.scalar([], NOTE_TYPE), docs.column("notes")),
    }
    for name, col in replaced.items():
        i = docs.schema.get_field_index(name)
        docs = docs.set_column(i, docs.schema.field(i), col)
    return docs


def _fast_ric15(arr: pa.Array, today: dt.date, allowed: pa.Array | None) -> tuple[pa.Array, pa.Table]:
    """Valid 15-digit first-generation numbers, converted to 18 digits (``19`` + check character) in bulk.

    Only rows whose converted number is valid are taken (mask, rows); an invalid one keeps its 15-digit
    text, which the reference function reports.
    """
    cand = pc.fill_null(pc.match_substring_regex(arr, r"^[1-7]\d{14}$"), False)
    if allowed is not None:
        cand = pc.and_(cand, allowed)
    sub = arr.filter(cand)
    first17 = pc.binary_join_element_wise(pc.utf8_slice_codeunits(sub, 0, 6), "19",
                                          pc.utf8_slice_codeunits(sub, 6, 15), "")
    n = len(first17)
    if n:
        _, offsets_buf, data = first17.buffers()
        start = pa.Array.from_buffers(pa.int32(), n + 1, [None, offsets_buf], offset=first17.offset)[0].as_py()
        m = np.frombuffer(data, dtype=np.uint8, count=n * 17, offset=start).reshape(n, 17)
    else:
        m = np.zeros((0, 17), dtype=np.uint8)
    weighted = sum((m[:, i].astype(np.int32) - 48) * w for i, w in enumerate(ric.WEIGHTS))
    checks = _CHECK_CHARACTERS.take(pa.array((12 - weighted % 11) % 11))  # GB 11643-1999 check character
    converted = pc.binary_join_element_wise(first17, checks, "")
    handled, table = _fast_ric(converted, today, valid_only=True)
    table = table.set_column(8, "converted_from_15", pa.repeat(pa.scalar(True), table.num_rows))
    return pc.replace_with_mask(cand, cand, handled), table


def _documents_by_reference(numbers: pa.Array, types: pa.Array | None, today: dt.date) -> pa.Table:
    """:func:`normalize_document` once per distinct (number, type) pair, expanded back to rows."""
    if types is None:
        idx, distinct = _encode(numbers)
        rows = [_document_row(v, None, today) for v in distinct]
    else:
        nidx, ndistinct = _encode(numbers)
        tidx, tdistinct = _encode(types)
        # one key per (number, type) pair: combine the two dictionary indices into one integer.
        pair = pc.add(pc.multiply(nidx.cast(pa.int64()), len(tdistinct)), tidx.cast(pa.int64()))
        penc = pc.dictionary_encode(pair)
        idx = penc.indices
        rows = []
        for key in penc.dictionary.to_pylist():
            num_i, type_i = divmod(key, len(tdistinct))
            rows.append(_document_row(ndistinct[num_i], tdistinct[type_i], today))
    return _expand([list(c) for c in zip(*rows, strict=True)] or [[]] * len(DOCUMENT_SCHEMA), DOCUMENT_SCHEMA, idx)


def name_keys_table(names: Sequence[str | None] | pa.Array | pa.ChunkedArray) -> pa.Table:
    """:func:`~pingan.lib.identity.names.name_keys` for a column of names, computed once per distinct name.

    Columns: ``normalized, simplified, pinyin, script, latin_key``; one row per input row.
    """
    idx, distinct = _encode(names)
    rows = [tuple(_name_row(v)) for v in distinct]
    return _expand([list(c) for c in zip(*rows, strict=True)] or [[]] * 5, NAME_SCHEMA, idx)


def _name_row(name: str | None) -> tuple[str, str, str, str, str]:
    k = name_keys(name)
    return (k.normalized, k.simplified, k.pinyin, k.script, k.latin_key)


@lru_cache(maxsize=1)
def _mobile_prefix_table() -> np.ndarray:
    """For every 5-digit prefix ``1xxxx`` of an 11-digit number: 1 if the CN mobile pattern accepts every
    number with that prefix, 0 if it accepts none, 2 if it depends on later digits (left to the regex).

    Built from phonenumbers' own pattern, probing each prefix with several suffixes, so a metadata update
    that makes validity depend on digit 6 or later marks that prefix undecided instead of misjudging it.
    """
    pattern = re.compile("^(?:" + phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern
                         + ")$")
    table = np.full(100_000, 2, dtype=np.int8)
    suffixes = ("000000", "999999", "012345", "543210", "500000", "050505", "909090")
    for prefix in range(10_000, 20_000):
        results = {bool(pattern.match(f"{prefix}{suffix}")) for suffix in suffixes}
        if len(results) == 1:
            table[prefix] = int(results.pop())
    return table


def _fast_mobile(arr: pa.Array) -> tuple[pa.Array, pa.Table]:
    """Plain 11-digit ``1xxxxxxxxxx`` values decided by the prefix table; (mask of rows decided, rows)."""
    cand = pc.fill_null(pc.equal(pc.binary_length(arr), 11), False)
    sub = arr.filter(cand)
    m = _byte_matrix(sub, 11)
    digits_ok = ((m - np.uint8(48)) <= 9).all(axis=1) & (m[:, 0] == ord("1"))
    prefix = sum((m[:, i].astype(np.int32) - 48) * 10 ** (4 - i) for i in range(5))
    state = _mobile_prefix_table()[np.where(digits_ok, prefix, 0)]
    decided = digits_ok & (state != 2)
    rows = sub.filter(pa.array(decided))
    e164 = pc.if_else(pa.array(state[decided] == 1), pc.binary_join_element_wise("+86", rows, ""), None)
    return pc.replace_with_mask(cand, cand, pa.array(decided)), pa.table({"phone": e164}).cast(PHONE_SCHEMA)


def _phones_by_regex(arr: pa.Array, default_region: str) -> pa.Table:
    """Prefixed / separated mainland mobiles by Arrow regex kernels, the rest by the reference function."""
    if default_region == "CN":
        plain = pc.fill_null(pc.match_substring_regex(arr, _RE2_PHONE_CHARS), False)
        squeezed = pc.replace_substring_regex(arr.filter(plain), r"[ \-]", "")
        national = pc.struct_field(pc.extract_regex(squeezed, _RE2_MOBILE), [0])
        shaped = pc.is_valid(national)
        # a mobile-shaped number is decided by the CN mobile pattern alone (see phones._fast_cn_mobile).
        mask = pc.replace_with_mask(plain, plain, shaped)
        candidates = national.filter(shaped)
        mobile_ok = pc.match_substring_regex(candidates, _RE2_CN_MOBILE)
        e164 = pc.if_else(mobile_ok, pc.binary_join_element_wise("+86", candidates, ""), None)
        fast = pa.table({"phone": e164})
    else:
        mask = pa.repeat(pa.scalar(False), len(arr))
        fast = PHONE_SCHEMA.empty_table()
    idx, distinct = _encode(arr.filter(pc.invert(mask)))
    residual = _expand([[normalize_phone(v, default_region) for v in distinct]], PHONE_SCHEMA, idx)
    return _merge(mask, fast.cast(PHONE_SCHEMA), residual)


def normalize_phones(
    phones: Sequence[str | None] | pa.Array | pa.ChunkedArray, default_region: str = "CN"
) -> pa.Table:
    """E.164 phone numbers (or null) for a column of raw phones; one column ``phone``, one row per input.

    With ``default_region="CN"``: plain 11-digit mainland mobile numbers are decided from the byte matrix
    with a per-prefix table built from phonenumbers' own CN mobile pattern; prefixed or separated ones
    (``+86``/``0086``/``86``, spaces, dashes) with Arrow regex kernels and the same pattern; everything
    else goes through :func:`~pingan.lib.identity.phones.normalize_phone` once per distinct value.
    """
    arr = _as_string_array(phones)
    if default_region != "CN":
        return _phones_by_regex(arr, default_region)
    mask, fast = _fast_mobile(arr)
    return _merge(mask, fast, _phones_by_regex(arr.filter(pc.invert(mask)), default_region))
