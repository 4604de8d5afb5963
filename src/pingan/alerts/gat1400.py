"""GA/T 1400 (公安视频图像信息应用系统, "视图库"/VIID) as far as a checkpoint platform needs to cascade to pingan.

Pure module (no Django). What is implemented, and from where (shared/reference/standards.md §1.1; the
standard's part 4 is not public, so the shapes are those real platforms emit):

* ``MotorVehicleListObject → MotorVehicleObject[]`` pass records (wvp-GB28181-pro
  ``gat1400/framework/domain/dto/MotorVehicleObject.java``; the sample in wzbwzt/study-go ``test/police.md``):
  ``PassTime`` and the other times are ``yyyyMMddHHmmss`` Beijing time (UTC+8, no offset in the text).
* ``ResponseStatusObject`` {Id, RequestURL, StatusCode ("0" = OK), StatusString, LocalTime} and
  ``ResponseStatusListObject`` for batches (xiezhihui98/GAT1400 ``ResponseStatusObject.java``).
* Code tables (plate class, colour, direction, vehicle class, image type, checkpoint use/type, event type)
  as data with their Chinese labels: ``alerts/data/gat1400_codes.json`` (:func:`label`).
* HTTP Digest (RFC 7616 with MD5 and ``qop=auth``, what VIID platforms send to ``/VIID/System/Register``):
  :func:`digest_challenge`, :func:`digest_verify`.
* Subscriptions (订阅) and their notifications (通知), the way an upper 视图库 has a lower platform push to it
  (xiezhihui98/GAT1400 ``SubscribeObject.java``, ``SubscribeNotificationObject.java``, ``VIIDServerApi.java``
  and its client, which sends ``POST /VIID/Subscribes`` to subscribe and ``PUT /VIID/Subscribes`` with
  ``OperateType`` 1 to cancel, identifying itself with ``User-Identify``): :func:`subscribe_object`,
  :func:`subscribes_body`, :func:`notifications`. ``SubscribeDetail`` 13 = motor vehicles; the notification's
  ``MotorVehicleObjectList`` holds the same ``MotorVehicleObject`` records as ``/VIID/MotorVehicles``.

A motor-vehicle record becomes an ``anpr`` :class:`~pingan.alerts.events.Event` whose ``event_id`` is the
``MotorVehicleID`` (48 characters in wvp; any 1-64 ID-safe characters are accepted). Records are judged one
by one: a bad record is rejected with its reason and the rest of the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pingan.alerts.events import Event, EventError, clean_attributes

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
_TIME = re.compile(r"^[0-9]{14}\Z")
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}\Z")


@cache
def code_tables() -> dict[str, dict]:
    """The code tables: ``{table: {"label": 中文, "en": English, "codes": {code: 中文 label}}}`` (and ``codes_en``
    where a page shows the codes)."""
    text = resources.files("pingan.alerts").joinpath("data/gat1400_codes.json").read_text(encoding="utf-8")
    return json.loads(text)["tables"]


def labels(table: str, language: str) -> dict[str, str]:
    """The codes of ``table`` with their names in ``language``: the standard's Chinese names, or for the tables
    a page offers to choose from (``SubscribeDetail``, ``ResourceClass``) their English names (``codes_en``)."""
    entry = code_tables()[table]
    return entry["codes"] if language.lower().startswith("zh") else entry.get("codes_en", entry["codes"])


def label(table: str, code: Any) -> str:
    """The Chinese label of ``code`` in ``table`` ('' when the code is not in it)."""
    return code_tables()[table]["codes"].get(str(code), "")


def parse_time(value: Any, field: str = "PassTime") -> dt.datetime:
    """``yyyyMMddHHmmss`` Beijing time → aware UTC datetime. Raises :class:`EventError` (``bad_time``)."""
    text = str(value or "")
    if not _TIME.match(text):
        raise EventError("bad_time", f"{field} {value!r} must be yyyyMMddHHmmss (Beijing time), e.g. 20210411171337")
    try:
        local = dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)
    except ValueError:
        raise EventError("bad_time", f"{field} {value!r} is not a calendar date and time") from None
    return local.astimezone(dt.UTC)


def format_time(when: dt.datetime) -> str:
    """An aware datetime as ``yyyyMMddHHmmss`` Beijing time (``LocalTime``, ``/VIID/System/Time``)."""
    return when.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True, slots=True)
class RecordResult:
    """One record of a batch: its id (as given, or '' when missing), and an event or an error."""

    record_id: str
    event: Event | None = None
    error: EventError | None = None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def motor_vehicle_event(obj: Any) -> Event:
    """One ``MotorVehicleObject`` → an ``anpr`` event. Raises :class:`EventError`.

    Kept attributes: plate (``PlateNo``; '' when ``HasPlate`` is 0/false or the plate is missing), plate_color,
    plate_class, reliability (``PlateReliability`` 0-100), tollgate_id, lane, speed, direction, vehicle_class,
    vehicle_color, road (``NameOfPassedRoad``), and the labels of the coded values.
    """
    if not isinstance(obj, dict):
        raise EventError("bad_record", "a MotorVehicleObject must be a JSON object")
    rid = obj.get("MotorVehicleID")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise EventError("bad_event_id", f"MotorVehicleID {rid!r} must be 1-64 characters of A-Z a-z 0-9 . _ : -")
    device = str(obj.get("DeviceID") or "")
    if not re.fullmatch(r"[0-9]{20}", device):
        raise EventError("bad_device_id", f"DeviceID {device!r} must be a GB/T 28181 20-digit ID")
    when = parse_time(obj.get("PassTime") or obj.get("MarkTime"), "PassTime")
    has_plate = str(obj.get("HasPlate", "1")).lower() not in ("0", "false", "")
    plate = str(obj.get("PlateNo") or "").strip() if has_plate else ""
    reliability = _int(obj.get("PlateReliability"))
    if reliability is not None and not 0 <= reliability <= 100:
        raise EventError("bad_record", f"PlateReliability {reliability} must be 0-100")
    attrs: dict[str, Any] = {"plate": plate, "has_plate": bool(plate)}
    mapping = {
        "PlateColor": ("plate_color", "PlateColor"),
        "PlateClass": ("plate_class", "PlateClass"),
        "Direction": ("direction", "Direction"),
        "VehicleClass": ("vehicle_class", "VehicleClass"),
        "VehicleColor": ("vehicle_color", "PlateColor"),
    }
    for src, (dst, table) in mapping.items():
        if obj.get(src) not in (None, ""):
            attrs[dst] = str(obj[src])
            attrs[dst + "_label"] = label(table, obj[src])
    for src, dst in (
        ("TollgateID", "tollgate_id"),
        ("LaneNo", "lane"),
        ("Speed", "speed"),
        ("NameOfPassedRoad", "road"),
        ("IsDecked", "is_decked"),
    ):
        if obj.get(src) not in (None, ""):
            attrs[dst] = obj[src]
    if reliability is not None:
        attrs["reliability"] = reliability
    return Event(rid, device, "anpr", when, None, None, "wgs84", clean_attributes(attrs), "viid")


#: GA/T 1400 IDType (证件种类) of the resident identity card (居民身份证): its numbers carry the GB 11643 check
#: character, which is checked.
ID_TYPE_RESIDENT_CARD = "111"


def person_key(ref: Any) -> str:
    """A person reference as the watch list and the rules compare it: NFKC-folded (full-width digits and
    letters to ASCII), trimmed, upper case (an ID card's check character ``x`` is ``X``)."""
    return unicodedata.normalize("NFKC", str(ref or "")).strip().upper()


def _person_event(obj: Any, *, kind: str) -> Event:
    """One ``FaceObject`` (``kind`` face) or ``PersonObject`` (person) → an event: ``person_match`` when the
    platform identified the person (``IDNumber``, with ``IDType``), the reference being the number
    (:func:`person_key`) — what the watch list's person entries are matched against; ``sighting`` when it did
    not. Kept attributes: object (face/person), person_ref and id_type, gender (``GenderCode``), age_low /
    age_up (``AgeLowerLimit``/``AgeUpLimit``), source_id (``SourceID``: the image). The record's names and
    other personal fields are not kept."""
    id_field, appear = ("FaceID", "FaceAppearTime") if kind == "face" else ("PersonID", "PersonAppearTime")
    if not isinstance(obj, dict):
        raise EventError("bad_record", f"a {kind.capitalize()}Object must be a JSON object")
    rid = obj.get(id_field)
    if not isinstance(rid, str) or not _ID.match(rid):
        raise EventError("bad_event_id", f"{id_field} {rid!r} must be 1-64 characters of A-Z a-z 0-9 . _ : -")
    device = str(obj.get("DeviceID") or "")
    if not re.fullmatch(r"[0-9]{20}", device):
        raise EventError("bad_device_id", f"DeviceID {device!r} must be a GB/T 28181 20-digit ID")
    when_field = appear if obj.get(appear) else "LocationMarkTime"
    when = parse_time(obj.get(when_field), when_field)
    attrs: dict[str, Any] = {"object": kind}
    ref = person_key(obj.get("IDNumber"))
    if ref:
        id_type = str(obj.get("IDType") or "")
        if id_type == ID_TYPE_RESIDENT_CARD:
            from pingan.lib.identity.ric import check_passes

            if not re.fullmatch(r"[0-9]{17}[0-9X]", ref) or not check_passes(ref):
                raise EventError(
                    "bad_id_number",
                    f"IDNumber of {id_field} {rid} is not an 18-character resident ID number with a valid GB 11643 "
                    "check character (IDType 111)",
                )
        attrs.update(person_ref=ref, id_type=id_type)
    for src, dst in (("GenderCode", "gender"), ("AgeLowerLimit", "age_low"), ("AgeUpLimit", "age_up"),
                     ("SourceID", "source_id")):
        if obj.get(src) not in (None, ""):
            attrs[dst] = str(obj[src])
    return Event(rid, device, "person_match" if ref else "sighting", when, None, None, "wgs84",
                 clean_attributes(attrs), "viid")


def face_event(obj: Any) -> Event:
    """One ``FaceObject`` (``FaceID``, ``DeviceID``, ``FaceAppearTime`` or ``LocationMarkTime``, optionally
    ``IDType``/``IDNumber``) → an event (:func:`_person_event`). Raises :class:`EventError`."""
    return _person_event(obj, kind="face")


def person_event(obj: Any) -> Event:
    """One ``PersonObject`` (``PersonID``, ``DeviceID``, ``PersonAppearTime`` or ``LocationMarkTime``,
    optionally ``IDType``/``IDNumber``) → an event (:func:`_person_event`). Raises :class:`EventError`."""
    return _person_event(obj, kind="person")


#: The record kinds pingan turns into events: envelope (``POST /VIID/<path>``), its list, the record's ID
#: field, and the parser of one record.
RECORD_KINDS: dict[str, tuple[str, str, str, Any]] = {
    "MotorVehicles": ("MotorVehicleListObject", "MotorVehicleObject", "MotorVehicleID", motor_vehicle_event),
    "Faces": ("FaceListObject", "FaceObject", "FaceID", face_event),
    "Persons": ("PersonListObject", "PersonObject", "PersonID", person_event),
}


def records_of(body: Any, kind: str) -> list:
    """The records of a ``POST /VIID/<kind>`` body (a single object is a list of one). Raises
    :class:`EventError` (``bad_envelope``) when the body is not that envelope."""
    envelope, item, _id, _parse = RECORD_KINDS[kind]
    if not isinstance(body, dict) or not isinstance(body.get(envelope), dict):
        raise EventError("bad_envelope", f'body must be {{"{envelope}": {{"{item}": [...]}}}}')
    records = body[envelope].get(item)
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise EventError("bad_envelope", f"{envelope}.{item} must be a list")
    return records


def parse_records(records: list, kind: str) -> list[RecordResult]:
    """One result per record of ``kind`` (``MotorVehicles``, ``Faces``, ``Persons``)."""
    _env, _item, id_field, parse = RECORD_KINDS[kind]
    out = []
    for rec in records:
        rid = str(rec.get(id_field, "")) if isinstance(rec, dict) else ""
        try:
            out.append(RecordResult(rid, event=parse(rec)))
        except EventError as exc:
            out.append(RecordResult(rid, error=exc))
    return out


def motor_vehicles(body: Any) -> list[RecordResult]:
    """A ``POST /VIID/MotorVehicles`` body → one result per record. Raises :class:`EventError`
    (``bad_envelope``) when the body is not a ``MotorVehicleListObject`` envelope at all."""
    return parse_records(records_of(body, "MotorVehicles"), "MotorVehicles")


def faces(body: Any) -> list[RecordResult]:
    """A ``POST /VIID/Faces`` body (``FaceListObject``) → one result per record."""
    return parse_records(records_of(body, "Faces"), "Faces")


def persons(body: Any) -> list[RecordResult]:
    """A ``POST /VIID/Persons`` body (``PersonListObject``) → one result per record."""
    return parse_records(records_of(body, "Persons"), "Persons")


#: StatusCode values (as real VIID servers use them): 0 OK, 1 other error, 2 device busy, 3 device error,
#: 4 invalid operation, 5 invalid XML/JSON format, 6 invalid XML/JSON content, 7 invalid ID.
STATUS = {
    "ok": "0",
    "error": "1",
    "invalid_operation": "4",
    "invalid_format": "5",
    "invalid_content": "6",
    "invalid_id": "7",
}


def response_status(*, request_url: str, object_id: str, status: str, message: str, now: dt.datetime) -> dict[str, str]:
    """One ``ResponseStatusObject``."""
    return {
        "Id": object_id,
        "RequestURL": request_url,
        "StatusCode": status,
        "StatusString": message,
        "LocalTime": format_time(now),
    }


def response_list(statuses: list[dict[str, str]]) -> dict:
    """``{"ResponseStatusListObject": {"ResponseStatusObject": [...]}}``."""
    return {"ResponseStatusListObject": {"ResponseStatusObject": statuses}}


# ------------------------------------------------------------------------ subscriptions and notifications

#: What a notification may carry, per kind (``SubscribeNotificationObject``); motor vehicles, faces and persons
#: become events, the others are dead-lettered as ``unsupported_object``.
NOTIFICATION_LISTS = {
    "MotorVehicleObjectList": "MotorVehicleObject",
    "NonMotorVehicleObjectList": "NonMotorVehicleObject",
    "FaceObjectList": "FaceObject",
    "PersonObjectList": "PersonObject",
    "TollgateObjectList": "TollgateObject",
    "DeviceList": "APEObject",
}
#: The notification lists whose records become events besides the motor vehicles, and their record kind.
NOTIFICATION_KINDS = {"FaceObjectList": "Faces", "PersonObjectList": "Persons"}
OPERATE_SUBSCRIBE, OPERATE_CANCEL = "0", "1"


def subscribe_object(
    *,
    subscribe_id: str,
    title: str,
    detail: str,
    resource_uri: str,
    applicant: str,
    org: str,
    begin: dt.datetime,
    end: dt.datetime,
    receive_addr: str,
    reason: str,
    resource_class: str = "0",
    report_interval: int = 0,
    operate_type: str = OPERATE_SUBSCRIBE,
) -> dict[str, str]:
    """One ``SubscribeObject`` (times as ``yyyyMMddHHmmss`` Beijing time; every value a string, as the Java
    DTOs serialise them). ``resource_class`` 0 = checkpoints (``resource_uri``: their TollgateIDs), 4 = a
    whole 视图库 (``resource_uri``: its ID)."""
    return {
        "SubscribeID": subscribe_id,
        "Title": title,
        "SubscribeDetail": detail,
        "ResourceURI": resource_uri,
        "ApplicantName": applicant,
        "ApplicantOrg": org,
        "BeginTime": format_time(begin),
        "EndTime": format_time(end),
        "ReceiveAddr": receive_addr,
        "ReportInterval": str(report_interval),
        "Reason": reason,
        "OperateType": operate_type,
        "SubscribeStatus": "0" if operate_type == OPERATE_SUBSCRIBE else "1",
        "ResourceClass": resource_class,
    }


def subscribes_body(objects: list[dict[str, str]]) -> dict:
    """``{"SubscribeListObject": {"SubscribeObject": [...]}}`` (the body of ``POST``/``PUT /VIID/Subscribes``)."""
    return {"SubscribeListObject": {"SubscribeObject": objects}}


def response_statuses(body: Any) -> list[dict[str, str]]:
    """The ``ResponseStatusObject`` s of a reply, whether a list envelope or a single object ([] otherwise)."""
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("ResponseStatusListObject"), dict):
        items = body["ResponseStatusListObject"].get("ResponseStatusObject")
    else:
        items = body.get("ResponseStatusObject")
    items = [items] if isinstance(items, dict) else items
    return [i for i in items or [] if isinstance(i, dict)]


@dataclass(frozen=True, slots=True)
class Notification:
    """One ``SubscribeNotificationObject``: its IDs, its motor-vehicle records (still to be judged one by one,
    :func:`motor_vehicle_event`), and how many records of kinds pingan does not turn into events."""

    notification_id: str
    subscribe_id: str
    vehicles: list
    other: dict[str, int]
    raw: dict


def notifications(body: Any) -> list[Notification]:
    """A ``POST /VIID/SubscribeNotifications`` body → its notifications. Raises :class:`EventError`
    (``bad_envelope``) when the body is not a ``SubscribeNotificationListObject`` envelope."""
    outer = body.get("SubscribeNotificationListObject") if isinstance(body, dict) else None
    items = outer.get("SubscribeNotificationObject") if isinstance(outer, dict) else None
    items = [items] if isinstance(items, dict) else items
    if not isinstance(items, list):
        raise EventError(
            "bad_envelope",
            'body must be {"SubscribeNotificationListObject": {"SubscribeNotificationObject": [...]}}',
        )
    out = []
    for n in items:
        n = n if isinstance(n, dict) else {}
        vehicles, other = [], {}
        for list_name, item_name in NOTIFICATION_LISTS.items():
            block = n.get(list_name)
            records = block.get(item_name) if isinstance(block, dict) else None
            records = [records] if isinstance(records, dict) else records if isinstance(records, list) else []
            if list_name == "MotorVehicleObjectList":
                vehicles = records
            elif records:
                other[list_name] = len(records)
        out.append(Notification(str(n.get("NotificationID") or ""), str(n.get("SubscribeID") or ""), vehicles,
                                other, n))
    return out


# ---------------------------------------------------------------------------------- HTTP Digest (RFC 7616)

DIGEST_REALM = "pingan-viid"


def _nonce_mac(secret: bytes, stamp: str) -> str:
    return hmac.new(secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]


def digest_challenge(secret: bytes, *, realm: str = DIGEST_REALM, now: float | None = None) -> str:
    """A ``WWW-Authenticate`` value. The nonce is stateless: a timestamp and its HMAC under ``secret``."""
    stamp = str(int(now if now is not None else time.time()))
    nonce = f"{stamp}.{_nonce_mac(secret, stamp)}"
    return f'Digest realm="{realm}", qop="auth", nonce="{nonce}", opaque="{secrets.token_hex(8)}", algorithm=MD5'


def parse_authorization(header: str) -> dict[str, str]:
    """The parameters of a ``Digest`` ``Authorization`` header ({} when it is not one)."""
    if not header or header[:7].lower() != "digest ":
        return {}
    params = {}
    for m in re.finditer(r'(\w+)=(?:"([^"]*)"|([^\s,]+))', header[7:]):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return params


def digest_verify(
    params: dict[str, str],
    *,
    method: str,
    password: str,
    secret: bytes,
    realm: str = DIGEST_REALM,
    max_age_s: int = 300,
    now: float | None = None,
    ha1: str | None = None,
) -> bool:
    """True when ``params`` (from :func:`parse_authorization`) answer a fresh challenge of ours correctly for
    ``password``. MD5 as RFC 7616 §3.4.1 (the algorithm VIID platforms use); ``qop=auth`` or none."""
    nonce = params.get("nonce", "")
    stamp, _, mac = nonce.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(mac, _nonce_mac(secret, stamp)):
        return False
    if (now if now is not None else time.time()) - int(stamp) > max_age_s:
        return False
    if params.get("realm") != realm or params.get("algorithm", "MD5").upper() not in ("MD5",):
        return False
    if ha1 is None:
        ha1 = hashlib.md5(f"{params.get('username', '')}:{realm}:{password}".encode()).hexdigest()  # noqa: S324 - RFC 7616
    ha2 = hashlib.md5(f"{method}:{params.get('uri', '')}".encode()).hexdigest()  # noqa: S324
    if params.get("qop") == "auth":
        expected = hashlib.md5(  # noqa: S324 - RFC 7616 MD5
            f"{ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}".encode()
        ).hexdigest()
    else:
        expected = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()  # noqa: S324
    return hmac.compare_digest(expected, params.get("response", ""))


def digest_verify_ha1(
    params: dict[str, str],
    *,
    method: str,
    ha1: str,
    secret: bytes,
    realm: str = DIGEST_REALM,
    max_age_s: int = 300,
    now: float | None = None,
) -> bool:
    """:func:`digest_verify` with the stored ``HA1`` = MD5(username:realm:password) instead of the password."""
    return digest_verify(
        params, method=method, password="", secret=secret, realm=realm, max_age_s=max_age_s, now=now, ha1=ha1
    )


def digest_authorization(
    challenge: str,
    *,
    username: str,
    password: str,
    method: str,
    uri: str,
    cnonce: str = "0a4f113b",
    nc: str = "00000001",
) -> str:
    """The ``Authorization`` header a client sends in answer to ``challenge`` (used by tests, the replay
    tool and the benchmark; a real platform has its own)."""
    p = parse_authorization("Digest " + challenge.split(" ", 1)[1])
    ha1 = hashlib.md5(f"{username}:{p['realm']}:{password}".encode()).hexdigest()  # noqa: S324
    ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()  # noqa: S324
    resp = hashlib.md5(f"{ha1}:{p['nonce']}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()  # noqa: S324
    return (
        f'Digest username="{username}", realm="{p["realm"]}", nonce="{p["nonce"]}", uri="{uri}", '
        f'algorithm=MD5, response="{resp}", qop=auth, nc={nc}, cnonce="{cnonce}", opaque="{p.get("opaque", "")}"'
    )
