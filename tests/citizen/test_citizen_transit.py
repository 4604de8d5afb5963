"""The 240-hour visa-free transit check (pure: no database): each condition fails on its own and the answer
names it; the stay counted from midnight after entry, at the boundary; Indonesia from 2025-06-12; ports and
areas the data does not know are "cannot tell", not "fails"; the data's codes are real GB/T 2260 areas."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.citizen import transit

RULES = transit.transit_rules()
GOOD = transit.Trip(nationality="FR", entry_port="XMN", entry_at=dt.datetime(2025, 3, 3, 22, 30),
                    exit_at=dt.datetime(2025, 3, 13, 23, 0), coming_from="KR", going_to="FR",
                    onward_confirmed=True, document_valid=True, areas=["350203", "3501"], purpose="tourism")


def answer(**change):
    return transit.check(RULES, dataclasses.replace(GOOD, **change))


def test_the_data_has_55_countries_and_names_its_sources():
    assert len(RULES.countries) == 55 and RULES.version == "nia-2025-06-12" and RULES.hours == 240
    assert {"policy", "countries", "conditions", "new_ports"} <= set(RULES.sources)
    assert sum(1 for p in RULES.ports.values() if p.since == dt.date(2024, 12, 17)) == 21  # the 21 new ports


def test_seoul_xiamen_europe_qualifies_seoul_xiamen_seoul_does_not():
    ok = answer()
    assert ok.verdict == "eligible" and not ok.failing
    back = answer(going_to="KR")
    assert back.verdict == "not_eligible" and [c.code for c in back.failing] == ["onward_back_to_origin"]


def test_each_condition_fails_alone_and_is_named():
    cases = {
        "country_not_listed": {"nationality": "IN"},
        "document_required": {"document_valid": False},
        "onward_not_confirmed": {"onward_confirmed": False},
        "onward_to_china": {"going_to": "CN"},
        "stay_too_long": {"exit_at": dt.datetime(2025, 3, 14, 0, 1)},
        "exit_before_entry": {"exit_at": dt.datetime(2025, 3, 1)},
        "area_outside": {"areas": ["140300"]},  # Yangquan, Shanxi: only Taiyuan and Datong are permitted
        "area_required": {"areas": []},
        "purpose_needs_visa": {"purpose": "work"},
    }
    for code, change in cases.items():
        got = answer(**change)
        assert got.verdict == "not_eligible" and [c.code for c in got.failing] == [code], code


def test_the_stay_counts_from_midnight_after_entry():
    # entered 2025-03-03 22:30: the 240 hours run from 2025-03-04 00:00 to 2025-03-14 00:00
    assert answer(exit_at=dt.datetime(2025, 3, 14, 0, 0)).verdict == "eligible"
    assert answer(exit_at=dt.datetime(2025, 3, 14, 0, 0, 1)).verdict == "not_eligible"


@settings(suppress_health_check=[HealthCheck.too_slow])  # the machine is shared: generation can be slow
@given(st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2030, 12, 31)))
def test_the_deadline_is_always_ten_days_after_the_next_midnight(entry):
    latest = transit.deadline(RULES, entry)
    assert latest.time() == dt.time() and latest.date() == entry.date() + dt.timedelta(days=11)
    assert dt.timedelta(hours=240) < latest - entry <= dt.timedelta(hours=264)


def test_indonesia_from_the_day_it_was_added():
    before = answer(nationality="ID", entry_at=dt.datetime(2025, 6, 11, 12), exit_at=dt.datetime(2025, 6, 15))
    assert [c.code for c in before.failing] == ["country_not_yet"]
    assert answer(nationality="id", entry_at=dt.datetime(2025, 6, 12, 0, 0), exit_at=dt.datetime(2025, 6, 15)
                  ).verdict == "eligible"


def test_new_ports_only_from_2024_12_17_and_unknown_ports_cannot_be_told():
    early = answer(entry_port="FOC", entry_at=dt.datetime(2024, 12, 16, 9), exit_at=dt.datetime(2024, 12, 20))
    # the day before the 240-hour rule began: no country, new port or area had it yet
    assert {c.code for c in early.failing} == {"country_not_yet", "port_not_yet", "area_not_yet"}
    assert answer(entry_port="foc").verdict == "eligible"
    unknown = answer(entry_port="PEK")  # a port of the 60 this data does not list: not a failure
    assert unknown.verdict == "cannot_tell" and not unknown.failing
    assert answer(areas=["110101"]).verdict == "cannot_tell"  # Beijing: its permitted area is not in the data


def test_every_area_code_is_a_real_division():
    from pingan.lib import adcodes

    for code in RULES.areas:
        assert adcodes.exists(code.ljust(6, "0")), code
    names = {code: adcodes.get(code.ljust(6, "0")).name for code in RULES.areas if code.startswith("45")}
    assert names["4501"] == "南宁市" and names["4513"] == "来宾市" and "4510" not in names  # Baise is not listed


# ------------------------------------------------------------------------------------------------ page and API

QUERY = {"nationality": "FR", "port": "XMN", "entry_at": "2025-03-03T22:30", "exit_at": "2025-03-14T00:00",
         "coming_from": "KR", "going_to": "FR", "areas": "350203", "purpose": "tourism", "onward": "1",
         "document": "1"}
ROLES = ("admin", "auditor", "analyst", "chief_a", "officer_a", "officer_b", "landlord_a", "citizen")


@pytest.mark.django_db
def test_the_page_and_the_api_answer_everyone_the_same(client, cast):
    body = {**{k: v for k, v in QUERY.items() if k not in ("port", "onward", "document", "areas")},
            "entry_port": "XMN", "onward_confirmed": True, "document_valid": True, "areas": ["350203"],
            "going_to": "KR"}
    for role in (None, *ROLES):
        client.logout()
        if role:
            client.force_login(getattr(cast, role), backend="django.contrib.auth.backends.ModelBackend")
        page = client.get("/citizen/transit/", QUERY)
        assert page.status_code == 200, role
        assert 'class="card transit-answer eligible"' in page.content.decode()
        r = client.post("/api/v1/citizen/transit-check", body, content_type="application/json")
        assert r.status_code == 200, role
        got = r.json()
        assert got["verdict"] == "not_eligible" and got["version"] == "nia-2025-06-12"
        assert [c["code"] for c in got["conditions"] if c["outcome"] == "fail"] == ["onward_back_to_origin"]


@pytest.mark.django_db
def test_the_answer_names_the_failing_condition_in_the_readers_language(client):
    page = client.get("/citizen/transit/", {**QUERY, "nationality": "ID", "entry_at": "2025-06-01T10:00",
                                            "exit_at": "2025-06-05T10:00"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "印度尼西亚" in text and "2025-06-12" in text and "不符合" in text
    page = client.get("/citizen/transit/", {**QUERY, "exit_at": "not a time"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "give a date and a time" in page.content.decode() and "transit-answer" not in page.content.decode()
    r = client.post("/api/v1/citizen/transit-check", {"nationality": "FRA"}, content_type="application/json")
    assert r.status_code == 422


@pytest.mark.django_db
def test_a_zoned_time_is_taken_in_china_standard_time(client):
    # 2025-03-03 15:00 UTC is 23:00 in Xiamen: the 240 hours run from 2025-03-04 00:00 local
    r = client.post("/api/v1/citizen/transit-check", {
        "nationality": "FR", "entry_port": "XMN", "entry_at": "2025-03-03T15:00:00Z",
        "exit_at": "2025-03-13T16:00:00Z", "coming_from": "KR", "going_to": "FR", "onward_confirmed": True,
        "document_valid": True, "areas": ["350200"], "purpose": "business"}, content_type="application/json")
    assert r.json()["verdict"] == "eligible" and r.json()["deadline"] == "2025-03-14T00:00:00+08:00"
