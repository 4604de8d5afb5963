"""GA/T 1400 golden payloads, code tables and HTTP Digest."""

import datetime as dt
import json

import pytest

from pingan.alerts import gat1400
from pingan.alerts.events import EventError
from pingan.lib.identity.ric import check_character

# The wzbwzt/study-go sample record (PlateNo 浙BY6H39, PassTime 20210411171337), trimmed to its fields
GOLDEN = {
    "MotorVehicleListObject": {
        "MotorVehicleObject": [
            {
                "MotorVehicleID": "330100000012100000010220210411171337000010200001",
                "InfoKind": 1,
                "SourceID": "33010000001210000001022021041117133700001",
                "TollgateID": "33010000001210000001",
                "DeviceID": "33010000001190000001",
                "HasPlate": "1",
                "PlateClass": "02",
                "PlateColor": "5",
                "PlateNo": "浙BY6H39",
                "PlateReliability": "92",
                "PassTime": "20210411171337",
                "Direction": "3",
                "VehicleClass": "K33",
                "VehicleColor": "2",
                "Speed": 42,
                "LaneNo": 2,
                "NameOfPassedRoad": "文三路",
            },
            {
                "MotorVehicleID": "no-plate-1",
                "DeviceID": "33010000001190000001",
                "HasPlate": "0",
                "PlateNo": "",
                "PassTime": "20210411171340",
            },
            {
                "MotorVehicleID": "low-rel-1",
                "DeviceID": "33010000001190000001",
                "HasPlate": "1",
                "PlateNo": "浙BY6H3g",
                "PlateReliability": 41,
                "PassTime": "20210411171341",
            },
            {
                "MotorVehicleID": "bad-time-1",
                "DeviceID": "33010000001190000001",
                "PlateNo": "浙A1",
                "PassTime": "2021-04-11",
            },
        ]
    }
}


def test_the_golden_record_becomes_an_anpr_event_with_labels():
    res = gat1400.motor_vehicles(GOLDEN)
    ev = res[0].event
    assert ev.type == "anpr" and ev.device_id == "33010000001190000001" and ev.source == "viid"
    assert ev.time == dt.datetime(2021, 4, 11, 9, 13, 37, tzinfo=dt.UTC)  # 17:13:37 Beijing
    a = ev.attributes
    assert (a["plate"], a["reliability"], a["plate_class_label"], a["plate_color_label"]) == (
        "浙BY6H39",
        92,
        "小型汽车号牌",
        "蓝色",
    )
    assert (a["direction_label"], a["vehicle_class_label"], a["road"]) == ("北向南", "小型轿车", "文三路")


def test_a_record_without_a_plate_and_a_low_reliability_read_are_accepted_as_such():
    res = gat1400.motor_vehicles(GOLDEN)
    assert res[1].event.attributes["plate"] == "" and res[1].event.attributes["has_plate"] is False
    assert res[2].event.attributes["reliability"] == 41


def test_a_bad_record_is_refused_alone():
    res = gat1400.motor_vehicles(GOLDEN)
    assert res[3].event is None and res[3].error.code == "bad_time" and res[3].record_id == "bad-time-1"


def test_a_body_without_the_envelope_is_refused():
    with pytest.raises(EventError, match="MotorVehicleListObject"):
        gat1400.motor_vehicles({"MotorVehicleObject": []})


def test_code_tables_carry_chinese_labels():
    assert gat1400.label("PlateClass", "23") == "警用汽车号牌"
    assert gat1400.label("EventType", "11") == "聚集"
    assert gat1400.label("PlateColor", "42") == ""


def test_response_objects_have_the_viid_shape():
    now = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
    one = gat1400.response_status(request_url="/VIID/MotorVehicles", object_id="x", status="0", message="OK", now=now)
    assert one == {
        "Id": "x",
        "RequestURL": "/VIID/MotorVehicles",
        "StatusCode": "0",
        "StatusString": "OK",
        "LocalTime": "20261201080000",
    }
    assert gat1400.response_list([one])["ResponseStatusListObject"]["ResponseStatusObject"] == [one]


def test_digest_round_trip_and_refusals():
    secret = b"k" * 32
    challenge = gat1400.digest_challenge(secret, now=1000)
    header = gat1400.digest_authorization(
        challenge, username="33010000001190000001", password="pw", method="POST", uri="/VIID/System/Register"
    )
    params = gat1400.parse_authorization(header)
    assert gat1400.digest_verify(params, method="POST", password="pw", secret=secret, now=1010)
    assert not gat1400.digest_verify(params, method="POST", password="wrong", secret=secret, now=1010)
    assert not gat1400.digest_verify(params, method="POST", password="pw", secret=secret, now=5000)  # stale nonce
    assert not gat1400.digest_verify(params, method="POST", password="pw", secret=b"other" * 8, now=1010)  # forged


# ------------------------------------------------------------------------------- faces and persons

# Synthetic resident ID numbers (valid GB 11643 check characters; no real person's): one ending in X.
ID_X = "35020319900307009" + check_character("35020319900307009")
FACES = {
    "FaceListObject": {
        "FaceObject": [
            {  # the field layout of the GA/T 1400 FaceObject (trimmed): identified by the platform
                "FaceID": "350203010013200000010220261206083000000010600001",
                "InfoKind": 1,
                "SourceID": "35020301001320000001022026120608300000001",
                "DeviceID": "35020301001320000001",
                "LeftTopX": 10, "LeftTopY": 20, "RightBtmX": 110, "RightBtmY": 140,
                "LocationMarkTime": "20261206083000",
                "FaceAppearTime": "20261206082958",
                "FaceDisAppearTime": "20261206083003",
                "IDType": "111",
                "IDNumber": ID_X.lower(),  # the check character in lower case, as some platforms send it
                "Name": "张三",
                "GenderCode": "1",
                "AgeUpLimit": 40,
                "AgeLowerLimit": 30,
            },
            {"FaceID": "face-anon", "DeviceID": "35020301001320000001", "LocationMarkTime": "20261206083001",
             "GenderCode": "2"},
            {"FaceID": "face-bad-id", "DeviceID": "35020301001320000001", "FaceAppearTime": "20261206083002",
             "IDType": "111", "IDNumber": ID_X[:-1] + ("1" if ID_X[-1] != "1" else "2")},
            {"FaceID": "face-no-time", "DeviceID": "35020301001320000001"},
            {"FaceID": "face-passport", "DeviceID": "35020301001320000001", "FaceAppearTime": "20261206083004",
             "IDType": "414", "IDNumber": " e1234567 "},
        ]
    }
}


def test_golden_face_records_become_person_matches_or_sightings():
    res = gat1400.faces(FACES)
    ok, anon, bad_id, no_time, passport = res
    e = ok.event
    assert (e.type, e.device_id, e.source) == ("person_match", "35020301001320000001", "viid")
    assert e.time == dt.datetime(2026, 12, 6, 0, 29, 58, tzinfo=dt.UTC)  # FaceAppearTime, Beijing → UTC
    assert e.attributes == {"object": "face", "person_ref": ID_X, "id_type": "111", "gender": "1", "age_low": "30",
                            "age_up": "40", "source_id": "35020301001320000001022026120608300000001"}
    assert "Name" not in json.dumps(e.attributes) and "张三" not in e.to_json()  # names are not kept
    assert (anon.event.type, anon.event.attributes) == ("sighting", {"object": "face", "gender": "2"})
    assert anon.event.time == dt.datetime(2026, 12, 6, 0, 30, 1, tzinfo=dt.UTC)  # LocationMarkTime
    assert (bad_id.record_id, bad_id.error.code) == ("face-bad-id", "bad_id_number")
    assert no_time.error.code == "bad_time"
    assert passport.event.attributes["person_ref"] == "E1234567"  # other document types: folded, not checked


def test_golden_person_records_and_envelopes():
    body = {"PersonListObject": {"PersonObject": {  # a single object where a list is due: taken as a list
        "PersonID": "p-1", "DeviceID": "35020301001320000001", "PersonAppearTime": "20261206083000",
        "IDType": "111", "IDNumber": ID_X}}}
    (r,) = gat1400.persons(body)
    assert (r.event.type, r.event.attributes["object"], r.event.attributes["person_ref"]) == (
        "person_match", "person", ID_X)
    for bad in ({"FaceListObject": {"FaceObject": []}}, {"PersonListObject": {"PersonObject": "x"}}, []):
        with pytest.raises(EventError) as exc:
            gat1400.persons(bad)
        assert exc.value.code == "bad_envelope"


def test_person_references_are_compared_folded():
    assert gat1400.person_key(" ３５０２０３ｘ ") == "350203X"
    assert gat1400.person_key(None) == ""
