"""The audit chain's canonical JSON made in C (audit._CANONICAL_C, for plain bodies) is byte for byte what the
json encoder with sort_keys writes (audit._CANONICAL, which every record was hashed with before): a record
hashed one way verifies the other way. Pure: no database."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.core import audit

EVERY_CODE_POINT = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def _json(body) -> bytes:
    return audit._CANONICAL.encode(body).encode()


def test_every_code_point_is_written_alike_in_values_and_keys():
    assert audit._CANONICAL_C.encode(EVERY_CODE_POINT) == _json(EVERY_CODE_POINT)
    keys = {EVERY_CODE_POINT[i:i + 3]: i for i in range(0, len(EVERY_CODE_POINT), 997)}
    assert audit._plain(keys)
    assert audit._CANONICAL_C.encode(keys) == _json(keys)


plain = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # the machine may be loaded
@given(detail=plain, action=st.text(), object_id=st.text(max_size=64), seq=st.integers(1, 2**62),
       actor_id=st.none() | st.integers(1, 2**40), client_addr=st.none() | st.text(max_size=40))
def test_a_plain_record_hashes_the_same_either_way(detail, action, object_id, seq, actor_id, client_addr):
    values = {"seq": seq, "at": dt.datetime(2026, 12, 7, 18, 0, 0, 123, tzinfo=dt.UTC), "actor_id": actor_id,
              "actor": "system", "role": "", "unit": "", "action": action, "object_type": "SafetyCode",
              "object_id": object_id, "purpose": "", "request_id": "", "client_addr": client_addr,
              "detail": {"d": detail}}
    body = {k: values[k] for k in audit._FIELDS} | {"at": "2026-12-07T18:00:00.000123+00:00"}
    assert audit._plain(body)
    assert audit._canonical(values) == _json(body)
    assert audit.chain_hash("0" * 64, values) == audit.chain_hash("0" * 64, values | {"detail": dict(values["detail"])})


def test_what_is_not_plain_goes_through_the_json_encoder_as_before():
    values = {"seq": 1, "at": dt.datetime(2026, 12, 7, tzinfo=dt.UTC), "actor_id": None, "actor": "system",
              "role": "", "unit": "", "action": "issue", "object_type": "SafetyCode", "object_id": "x", "purpose": "",
              "request_id": "", "client_addr": None, "detail": {}}
    for detail in ({"f": 1e16}, {"t": (1, 2)}, {"when": dt.date(2026, 12, 7)}, {1: "int key"}, {"x": 0.1}):
        body = {k: values[k] for k in audit._FIELDS} | {"at": "2026-12-07T00:00:00.000000+00:00", "detail": detail}
        assert not audit._plain(body)
        assert audit._canonical(values | {"detail": detail}) == _json(body)
