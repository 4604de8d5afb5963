"""The canonical device event and the JSON payload schema devices and integrations send (MQTT, HTTP).

Pure module (no Django). Every input, whatever its transport, becomes an :class:`Event` or an
:class:`EventError` (a stable ``code`` and a sentence): nothing is dropped without a reason.

Payload schema, version 1 (``docs/alerts.md`` documents it with examples; also ``EVENT_SCHEMA`` below)::

    {
      "event_id":  "cam7-000123",                 # 1-64 chars [A-Za-z0-9._:-], unique per device
      "device_id": "35020300001320000101",        # GB/T 28181 20-digit ID of a registered device
      "type":      "anpr",                        # one of EVENT_TYPES
      "time":      "2026-12-01T08:30:00+08:00",   # RFC 3339 with an offset (a time without one is refused)
      "position":  {"lon": 118.1, "lat": 24.48, "crs": "gcj02"},   # optional; default: the device's
      "attributes": {"plate": "闽D12345", "plate_color": "5", "reliability": 92}   # type-specific, optional
    }

Positions are converted to WGS-84 on input (:mod:`pingan.lib.coords`). Text in ``attributes`` (at any depth)
loses every control, bidirectional-formatting, line-separator and zero-width character
(:func:`clean_attributes`, :mod:`pingan.lib.textchars`): a plate or zone shown on the dispatcher's page must not
reverse or recolour what is around it, and an alarm is never refused for a character in a text field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec

from pingan.lib import coords, textchars

#: Event types and what their attributes carry.
EVENT_TYPES: dict[str, str] = {
    "anpr": "a vehicle passed a checkpoint or plate reader (plate, plate_color, plate_class, reliability, direction)",
    "person_match": "an upstream recogniser matched a person reference (person_ref, similarity; GA/T 1400 faces "
    "and persons with an IDNumber: object, id_type)",
    "sighting": "a camera captured a face or person no recogniser identified (GA/T 1400 FaceObject/PersonObject "
    "without IDNumber: object, gender, age_low, age_up)",
    "gunshot": "an acoustic sensor detected gunfire (confidence, rounds)",
    "explosion": "an acoustic sensor detected an explosion (confidence)",
    "loud_noise": "an acoustic sensor detected a loud noise that is not gunfire (db)",
    "sos": "a one-key SOS alarm post was pressed",
    "intrusion": "an intrusion alarm or a video tripwire/intrusion analytic fired (zone)",
    "smoke": "a smoke or fire alarm fired",
    "video_event": "a video analytic event with a GA/T 2000.254 event code (event_code, e.g. 11 gathering)",
    "incident": "an incident reported by an upstream system (category; e.g. a replayed crime record)",
    "position": "a tracked subject reported its position (subject)",
    "heartbeat": "the device is alive (no alert; keeps it online)",
}

MAX_PAYLOAD_BYTES = 64 * 1024
# \Z, not $: "$" also matches before a final newline, and an event id "x\n" accepted as "x" broke the log's
# COPY row (one tab/newline-separated line per event) and with it the whole batch, forever redelivered.
_EVENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}\Z")
_DEVICE_ID = re.compile(r"^[0-9]{20}\Z")
_FIELDS = {"event_id", "device_id", "type", "time", "position", "attributes", "schema"}


class EventError(ValueError):
    """An input is not a valid event: ``code`` (stable, snake_case) and a message saying what to fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Event:
    """One device event, validated. ``time`` is timezone-aware UTC; ``lon``/``lat`` WGS-84 or ``None`` (then
    the device's registered position applies); ``crs`` is what the position was reported in."""

    event_id: str
    device_id: str
    type: str
    time: dt.datetime
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    attributes: dict[str, Any] = field(default_factory=dict)
    source: str = "http"

    @property
    def key(self) -> str:
        """The idempotency key: device and event id (inputs are at-least-once)."""
        return f"{self.device_id}/{self.event_id}"

    def to_json(self) -> str:
        """The event as compact UTF-8 JSON (the log's format; :meth:`from_json` reads it back): the fields in
        declaration order, ``time`` RFC 3339 in UTC (``…Z``)."""
        return _ENCODER.encode(self).decode()

    def to_json_bytes(self) -> bytes:
        return _ENCODER.encode(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> Event:
        """An event from the log (msgspec decodes straight into the dataclass: ~0.8 µs, where ``json.loads``,
        ``fromisoformat`` and ``cls(**d)`` took ~4.6 µs). Log bodies written before with ``+00:00`` times
        read the same."""
        return _EVENT_DECODER.decode(text)


_ENCODER = msgspec.json.Encoder()
_EVENT_DECODER = msgspec.json.Decoder(Event)


def parse_time(value: Any) -> dt.datetime:
    """An RFC 3339 timestamp with an offset → aware UTC datetime. Raises :class:`EventError` (``bad_time``)."""
    if not isinstance(value, str):
        raise EventError("bad_time", f"time must be an RFC 3339 string with an offset, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        raise EventError("bad_time", f"time {value!r} is not RFC 3339 (e.g. 2026-12-01T08:30:00+08:00)") from None
    if t.tzinfo is None:
        raise EventError("bad_time", f"time {value!r} has no offset: add +08:00 (Beijing) or Z (UTC)")
    return t.astimezone(dt.UTC)


def _position(value: Any) -> tuple[float, float, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EventError("bad_position", "position must be an object {lon, lat, crs}")
    lon, lat, crs = value.get("lon"), value.get("lat"), value.get("crs", "wgs84")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        raise EventError("bad_position", f"position lon/lat must be numbers, got {lon!r}, {lat!r}")
    if math.isnan(lon) or math.isnan(lat):
        raise EventError("bad_position", "position lon/lat must be numbers, got NaN")
    try:
        wlon, wlat = coords.to_wgs84(float(lon), float(lat), str(crs))
    except ValueError as exc:
        raise EventError("bad_position", str(exc)) from None
    return wlon, wlat, coords.CRS(str(crs).lower().replace("-", "").replace("_", "")).value


class _Payload(msgspec.Struct, forbid_unknown_fields=True):
    """The payload's shape for the fast path of :func:`parse_payload`: msgspec checks in C what the checks
    below check in Python (field names, required fields, the id patterns, the type)."""

    event_id: Annotated[str, msgspec.Meta(pattern=_EVENT_ID.pattern)]
    device_id: Annotated[str, msgspec.Meta(pattern=_DEVICE_ID.pattern)]
    type: Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]
    time: str
    position: Any = None
    attributes: dict[str, Any] | None = None
    schema: Any = None


_PAYLOAD_DECODER = msgspec.json.Decoder(_Payload)
_ANY_DECODER = msgspec.json.Decoder()


def parse_payload(raw: bytes | str | dict, *, source: str, topic_device: str | None = None) -> Event:
    """A JSON payload (bytes, text or an already decoded object) → :class:`Event`.

    ``topic_device`` is the device ID taken from the MQTT topic; it must equal the payload's. Raises
    :class:`EventError` with codes ``too_large``, ``bad_json``, ``bad_field``, ``missing_field``,
    ``bad_event_id``, ``bad_device_id``, ``topic_mismatch``, ``unknown_type``, ``bad_time``, ``bad_position``,
    ``bad_attributes``.

    JSON is RFC 8259 JSON (msgspec): ``NaN``/``Infinity``, numbers beyond a double and lone UTF-16
    surrogates are ``bad_json`` (Python's ``json`` took them, and such an event could not be written to the
    log). A well-formed payload takes the fast path (one typed decode); anything it refuses is judged again
    field by field below, which names the first problem — so both paths give the same event or the same
    error (tests/alerts/test_alerts_events.py checks this on generated payloads).
    """
    if isinstance(raw, bytes | str):
        if len(raw) > MAX_PAYLOAD_BYTES:
            raise EventError("too_large", f"payload is {len(raw)} bytes; the limit is {MAX_PAYLOAD_BYTES}")
        try:
            p = _PAYLOAD_DECODER.decode(raw)
        except (msgspec.DecodeError, UnicodeDecodeError):
            pass
        else:
            if topic_device is not None and topic_device != p.device_id:
                raise EventError(
                    "topic_mismatch", f"device_id {p.device_id} differs from the topic's device {topic_device}"
                )
            when = parse_time(p.time)
            pos = _position(p.position)
            lon, lat, crs = pos if pos else (None, None, "wgs84")
            return Event(p.event_id, p.device_id, p.type, when, lon, lat, crs, clean_attributes(p.attributes or {}),
                         source)
        try:
            obj = _ANY_DECODER.decode(raw)
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise EventError("bad_json", f"payload is not JSON: {exc}") from None
    else:
        obj = raw
    if not isinstance(obj, dict):
        raise EventError("bad_json", "payload must be a JSON object")
    unknown = set(obj) - _FIELDS
    if unknown:
        raise EventError(
            "bad_field", f"unknown field(s) {', '.join(sorted(unknown))}; see the schema in docs/alerts.md"
        )
    for name in ("event_id", "device_id", "type", "time"):
        if name not in obj:
            raise EventError("missing_field", f"field {name!r} is required")
    event_id, device_id, etype = obj["event_id"], obj["device_id"], obj["type"]
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise EventError("bad_event_id", f"event_id {event_id!r} must be 1-64 characters of A-Z a-z 0-9 . _ : -")
    if not isinstance(device_id, str) or not _DEVICE_ID.match(device_id):
        raise EventError("bad_device_id", f"device_id {device_id!r} must be a GB/T 28181 20-digit ID")
    if topic_device is not None and topic_device != device_id:
        raise EventError("topic_mismatch", f"device_id {device_id} differs from the topic's device {topic_device}")
    if etype not in EVENT_TYPES:
        raise EventError("unknown_type", f"type {etype!r} is not one of {', '.join(EVENT_TYPES)}")
    when = parse_time(obj["time"])
    pos = _position(obj.get("position"))
    attrs = obj.get("attributes") or {}
    if not isinstance(attrs, dict):
        raise EventError("bad_attributes", "attributes must be a JSON object")
    lon, lat, crs = pos if pos else (None, None, "wgs84")
    ev = Event(event_id, device_id, etype, when, lon, lat, crs, clean_attributes(attrs), source)
    if not isinstance(raw, bytes | str):  # an object decoded elsewhere (HTTP): it must be writable to the log
        event_storable(ev)
    return ev


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return textchars.for_output(value) if textchars.has_any(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def clean_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    """``attrs`` with every string value (nested ones too) stripped of the characters of
    :func:`pingan.lib.textchars.for_output` (controls, bidi formatting, line separators, zero-width): a device's
    text is shown on pages and written to downloads. Removed rather than refused: an alarm must not be lost
    for a character in its plate or zone text. The same dict when nothing needs removing."""
    if not any(isinstance(v, dict | list) or (isinstance(v, str) and textchars.has_any(v)) for v in attrs.values()):
        return attrs
    return _clean(attrs)


def event_storable(ev: Event) -> None:
    """Refuse an event the log cannot store (a lone UTF-16 surrogate in a string that Python's ``json``
    decoded). Raises :class:`EventError` (``bad_attributes``)."""
    try:
        ev.to_json_bytes()
    except (msgspec.EncodeError, UnicodeEncodeError, OverflowError) as exc:
        raise EventError("bad_attributes", f"the event cannot be stored as JSON: {exc}") from None


def check_time(
    event_time: dt.datetime,
    *,
    now: dt.datetime,
    device_since: dt.datetime | None,
    max_future: dt.timedelta = dt.timedelta(minutes=5),
) -> None:
    """Refuse an impossible time: beyond ``max_future`` ahead of ``now`` (clock skew allowance) or before the
    device was registered to report (``device_since``; a replayed archive's devices date from the archive).
    Raises :class:`EventError` (``impossible_time``)."""
    if event_time > now + max_future:
        raise EventError(
            "impossible_time",
            f"time {event_time.isoformat()} is more than "
            f"{int(max_future.total_seconds())} s in the future; check the device clock",
        )
    if device_since is not None and event_time < device_since:
        raise EventError(
            "impossible_time",
            f"time {event_time.isoformat()} is before the device existed "
            f"(registered with events from {device_since.isoformat()})",
        )


#: JSON Schema (2020-12) of the payload, for integrators (also published in docs/alerts.md).
EVENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "pingan device event v1",
    "type": "object",
    "additionalProperties": False,
    "required": ["event_id", "device_id", "type", "time"],
    "properties": {
        "schema": {"const": 1},
        "event_id": {"type": "string", "pattern": _EVENT_ID.pattern},
        "device_id": {"type": "string", "pattern": _DEVICE_ID.pattern},
        "type": {"enum": list(EVENT_TYPES)},
        "time": {"type": "string", "format": "date-time"},
        "position": {
            "type": "object",
            "required": ["lon", "lat"],
            "properties": {
                "lon": {"type": "number"},
                "lat": {"type": "number"},
                "crs": {"enum": [c.value for c in coords.CRS]},
            },
        },
        "attributes": {"type": "object"},
    },
}


def check_position(
    lon: float | None, lat: float | None, *, device_lon: float | None, device_lat: float | None, max_distance_m: float
) -> None:
    """Refuse a position implausibly far from the reporting device (a sign dropped from a longitude puts a
    St. Louis shot in Xinjiang). Raises :class:`EventError` (``implausible_position``)."""
    if None in (lon, lat, device_lon, device_lat):
        return
    d = coords.distance_m(device_lon, device_lat, lon, lat)
    if d > max_distance_m:
        raise EventError(
            "implausible_position",
            f"position ({lon}, {lat}) is {d / 1000:.0f} km from the device; "
            f"the limit is {max_distance_m / 1000:.0f} km (a sign or datum error?)",
        )
