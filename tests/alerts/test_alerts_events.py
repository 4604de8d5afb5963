"""The payload parser (``alerts.events.parse_payload``): its fast path (one typed msgspec decode) and its
field-by-field path give the same event or the same error; inputs that used to poison the log are refused."""

import datetime as dt
import json

import pytest
from alerts_support import LQ_SOS, ingest, payload
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.alerts import gat1400
from pingan.alerts.events import EVENT_TYPES, Event, EventError, parse_payload

WHEN = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def outcome(raw, **kw):
    try:
        return parse_payload(raw, source="mqtt", **kw)
    except EventError as exc:
        return exc.code


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
ids = st.one_of(
    st.from_regex(r"\A[A-Za-z0-9._:-]{1,64}\Z"), st.text(max_size=70), st.just("x\n"), st.integers()
)
devices = st.one_of(st.just(LQ_SOS), st.from_regex(r"\A[0-9]{18,21}\Z"), st.just(LQ_SOS + "\n"))
times = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()),
    st.datetimes().map(lambda t: t.isoformat()),  # no offset: bad_time
    st.just("2026-12-01T08:30:00Z"),
    st.text(max_size=30),
)
positions = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"lon": st.floats(-180, 180), "lat": st.floats(-90, 90)},
        optional={"crs": st.sampled_from(["wgs84", "gcj02", "bd09", "cgcs2000", "GCJ-02", "mars"])},
    ),
    json_values,
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "event_id": ids,
        "device_id": devices,
        "type": st.sampled_from([*EVENT_TYPES, "SOS", "fire"]),
        "time": times,
        "position": positions,
        "attributes": st.one_of(st.dictionaries(st.text(max_size=8), json_values, max_size=4), json_values),
        "schema": json_values,
        "extra": json_values,
    },
)


@settings(max_examples=400, deadline=None)
@given(payloads, st.sampled_from([None, LQ_SOS, "35020301001340000099"]))
def test_the_fast_path_gives_what_the_field_by_field_path_gives(p, topic_device):
    fast = outcome(json.dumps(p, ensure_ascii=False).encode(), topic_device=topic_device)
    slow = outcome(p, topic_device=topic_device)  # an already decoded object takes the field-by-field path
    assert fast == slow
    if isinstance(fast, Event):
        assert Event.from_json(fast.to_json()) == fast


@pytest.mark.parametrize(
    "text, code",
    [
        # "$" in the id patterns matched before a final newline: "x\n" was accepted, and its log row (tab- and
        # newline-separated COPY text) broke the whole batch, redelivered and failing for ever
        ('{"event_id": "x\\n", "device_id": "%s", "type": "sos", "time": "2026-12-01T08:30:00Z"}', "bad_event_id"),
        ('{"event_id": "x", "device_id": "%s\\n", "type": "sos", "time": "2026-12-01T08:30:00Z"}', "bad_device_id"),
        # not RFC 8259 JSON (Python's json took them; an infinity or a lone surrogate could not be logged)
        ('{"event_id": "x", "device_id": "%s", "type": "sos", "time": "2026-12-01T08:30:00+08:00", '
         '"attributes": {"db": NaN}}', "bad_json"),
        ('{"event_id": "x", "device_id": "%s", "type": "sos", "time": "2026-12-01T08:30:00+08:00", '
         '"attributes": {"db": 1e400}}', "bad_json"),
        ('{"event_id": "x", "device_id": "%s", "type": "sos", "time": "2026-12-01T08:30:00+08:00", '
         '"attributes": {"note": "\\ud800"}}', "bad_json"),
        ('{"event_id": "x", "device_id": "%s", "type": "sos", "time": "2026-12-01T08:30:00+08:00"', "bad_json"),
    ],
)
def test_inputs_that_poisoned_the_log_are_dead_lettered(text, code):
    assert outcome((text % LQ_SOS).encode()) == code


def test_an_object_that_cannot_be_stored_is_refused_by_name():
    p = payload("x", LQ_SOS, "sos", WHEN, note="\ud800")  # what an HTTP client's JSON can decode to
    assert outcome(p) == "bad_attributes"


def test_log_bodies_written_before_msgspec_read_the_same():
    old = (
        '{"event_id":"a","device_id":"DEV","type":"sos","time":"2026-12-01T00:30:00+00:00","lon":null,'
        '"lat":null,"crs":"wgs84","attributes":{"n":"闽D\\\\1"},"source":"mqtt"}'
    ).replace("DEV", LQ_SOS)
    ev = Event.from_json(old)
    assert ev.time == WHEN and ev.attributes == {"n": "闽D\\1"}
    assert Event.from_json(ev.to_json()) == ev


@pytest.mark.django_db
def test_a_newline_id_is_dead_lettered_and_the_rest_of_its_batch_logged(xiamen, clock):
    now = clock()
    bad = payload("x", LQ_SOS, "sos", now)
    bad["event_id"] = "b1\n"
    res = ingest(payload("b0", LQ_SOS, "heartbeat", now), bad, payload("b2", LQ_SOS, "heartbeat", now))
    assert res.counts == {"accepted": 2, "duplicates": 0, "dead_lettered": 1}
    assert res.rejected[0][1].code == "bad_event_id"


@pytest.mark.parametrize(
    "record, code",
    [
        ({"MotorVehicleID": "v1\n"}, "bad_event_id"),
        ({"PassTime": "20261201083000\n"}, "bad_time"),
        ({"PassTime": "２０２６１２０１０８３０００"}, "bad_time"),  # full-width digits matched \d
        ({"DeviceID": "３５０２０３０１００１３２００００００１"}, "bad_device_id"),
    ],
)
def test_gat1400_fields_with_a_trailing_newline_or_wide_digits_are_refused(record, code):
    rec = {
        "MotorVehicleID": "v1",
        "DeviceID": "35020301001320000001",
        "PassTime": "20261201083000",
        "PlateNo": "闽D12345",
        **record,
    }
    with pytest.raises(EventError) as exc:
        gat1400.motor_vehicle_event(rec)
    assert exc.value.code == code
