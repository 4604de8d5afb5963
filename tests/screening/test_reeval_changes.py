"""A re-evaluation works out what to store in DuckDB SQL over Arrow (``reevaluate._changes``): each new hit's
detail for officers, each changed person's reasons and explanation. They must be what the per-row Python
that the screening store uses (``services._hit_detail``, ``reasons.row_reasons``) and the explanation rules
(each listing a movement hit falls in, once, in hit order; "no rule applies any more") give — for awkward
values too: microseconds, missing places, hits without a listing, watchlist entries, identity details. And
the people read back through ``COPY … TO STDOUT`` are exactly the stored ones, whatever their names hold."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pyarrow as pa
import pytest

from pingan.screening import batch, reasons, reevaluate, rules
from pingan.screening import services as sv

pytestmark = pytest.mark.django_db

UTC = dt.UTC
T = dt.datetime(2022, 8, 16, 1, 2, 3, tzinfo=UTC)
ENTRY = {"list": "UN", "program": "x", "names": ["某甲", "Jia"], "birth_dates": ["1970"], "nationalities": ["CN"],
         "listed_on": "2020-01-01", "remarks": "引号 \" 和 \\ 反斜杠"}


def hit(row, rule_id, source="movements", *, place="某地", place_adcode="350203", start=T, listing_level="high",
        listing_adcode="350203", listed_from=dt.datetime(2022, 8, 10, 12, tzinfo=UTC), community="莲前街道", **kw):
    return {"row": row, "rule_id": rule_id, "source": source, "record_ref": kw.get("record_ref", f"r{row}"),
            "listing_ref": kw.get("listing_ref", "k"), "match_kind": "id_number", "match_reasons": ["id"],
            "level_effect": "yellow", "police_priority": 2, "silent": source == "watchlist", "place": place,
            "place_adcode": place_adcode, "place_from": start, "place_until": start and start + dt.timedelta(hours=4),
            "listing_community": community, "listing_adcode": listing_adcode, "listing_level": listing_level,
            "listed_from": listed_from, "listed_until": listed_from and listed_from + dt.timedelta(days=10)}


def why_reference(hits: list[dict], old_level: str, new_level: str) -> list[dict]:
    """The explanation as the per-person Python wrote it before it moved into SQL."""
    out, seen = [], set()
    for h in hits:
        d = sv._hit_detail(h, {})
        listing = d.get("listing")
        if listing and (listing.get("adcode"), listing.get("from")) not in seen:
            seen.add((listing.get("adcode"), listing.get("from")))
            out.append({"code": "reeval.listed", "params": {
                "date": (listing.get("from") or "")[:10], "community": listing.get("community", ""),
                "adcode": listing.get("adcode", ""), "level": listing.get("level", ""),
                "place": d.get("place", ""), "at": (d.get("from") or "")[:16].replace("T", " ")}})
    if not hits and old_level != new_level:
        out.append({"code": "reeval.cleared", "params": {}})
    return out


def test_details_reasons_and_explanations_from_sql_match_the_python_rules(monkeypatch):
    ruleset = rules.load_ruleset()
    hits = [
        hit(1, "area-high", start=T.replace(microsecond=5)),                      # microseconds kept
        hit(1, "area-high", place="另一地", record_ref="r1b"),                      # same listing: explained once
        hit(1, "county-with-high", listing_adcode="350206", community="江头 \"引号\"", listed_from=T),
        hit(1, "area-medium", listing_level=None, listing_adcode=None, community=None, listed_from=None),
        hit(1, "watchlist", "watchlist", place=None, place_adcode=None, start=None, listing_level=None,
            record_ref="E1", listing_ref=""),
        hit(1, "watchlist", "watchlist", place=None, place_adcode=None, start=None, listing_level=None,
            record_ref="E-unknown", listing_ref=""),
        hit(2, "area-high", place=None, start=None),                              # a place code only
        hit(3, "identity-unverified", "identity", place=None, place_adcode=None, start=None, listing_level=None),
    ]
    monkeypatch.setattr(sv, "_watchlist_entries", lambda ids: {"E1": ENTRY} if "E1" in ids else {})
    levels = {1: "red", 2: "yellow", 3: "yellow", 4: "green", 5: "green"}
    rule_ids = {1: ["county-with-high", "area-high", "area-medium"], 2: ["area-high"], 3: ["identity-unverified"],
                4: [], 5: []}
    notes = pa.array([None, None, [{"code": "lowercase_x", "params": "{}"}], None, None],
                     batch.PERSONS_SCHEMA.field("identity_notes").type)
    persons = pa.Table.from_pylist([{
        "row": r, "status": "accepted", "level": levels[r], "reason": "r", "rule_ids": rule_ids[r],
        "identity_error": "check_digit" if r == 3 else None, "identity_error_params": "{}" if r == 3 else None,
        "doc_type": "ric"} for r in levels], batch.PERSONS_SCHEMA.remove(batch.PERSONS_SCHEMA.get_field_index(
            "identity_notes"))).append_column("identity_notes", notes)
    result = batch.ScreenResult(persons=persons, hits=pa.Table.from_pylist(hits, batch.HITS_SCHEMA))
    people = pa.Table.from_pylist([
        {"pk": r, "job_id": 10 + r, "as_of": 0, "premises_id": 20 + r if r != 2 else None, "name": "x",
         "id_number": "", "corrected_id_number": "", "doc_type": "", "phone": "",
         "level": "yellow" if r == 5 else "green", "rule_ids": "[]"} for r in levels], reevaluate.PEOPLE_SCHEMA)
    out = reevaluate._changes(people, result, ruleset, run=SimpleNamespace(pk=7), at="2022-08-21T00:00:00+00:00",
                              dataset=SimpleNamespace(name="名单 \"8·21\""))

    # person 4 stayed green with no hits: unchanged; 5 went from yellow to green: cleared
    assert out.results.column("id").to_pylist() == [1, 2, 3, 5]
    assert (out.changed, out.hits_added, out.hits_removed) == (4, 8, 0)
    stored = {r["id"]: r for r in out.results.to_pylist()}
    expected_reasons = dict(zip(persons.column("row").to_pylist(), reasons.row_reasons(
        persons, roster=None, rejections=[], rule_texts={r.id: r.reason_text for r in ruleset.rules},
        rule_order=[r.id for r in ruleset.rules], identity_rules=[r.id for r in ruleset.of_kind("identity")]),
        strict=True))
    for pk, row in stored.items():
        assert json.loads(row["reasons"]) == expected_reasons[pk], pk
        assert json.loads(row["rule_ids"]) == rule_ids[pk]
        person_hits = [h for h in hits if h["row"] == pk]
        assert json.loads(row["reevaluation"]) == {
            "run": 7, "at": "2022-08-21T00:00:00+00:00", "from": "yellow" if pk == 5 else "green", "to": levels[pk],
            "dataset": "名单 \"8·21\"", "why": why_reference(person_hits, "yellow" if pk == 5 else "green", levels[pk])}
    assert [m["code"] for m in json.loads(stored[1]["reevaluation"])["why"]] == ["reeval.listed"] * 2
    assert json.loads(stored[5]["reevaluation"])["why"] == [{"code": "reeval.cleared", "params": {}}]
    assert json.loads(stored[3]["reasons"])[0]["code"] == "rule_detail"  # the identity detail, from Python

    got = out.hits.to_pylist()
    assert [(h["person_id"], h["rule_id"], h["record_ref"]) for h in got] == [
        (h["row"], h["rule_id"], h["record_ref"]) for h in hits]
    for h, g in zip(hits, got, strict=True):
        assert json.loads(g["detail"]) == sv._hit_detail(h, {"E1": ENTRY}), h
        assert g["job_id"] == 10 + h["row"]
        assert json.loads(g["match_reasons"]) == [{"code": "text", "params": {"text": "id"}}]  # stored as codes
        assert g["silent"] is (h["source"] == "watchlist")
    assert out.premises == [(21, 1, 11), (23, 1, 13), (25, 1, 15)]
    assert [(r["person"], r["hits"]) for r in out.raised] == [(1, 6), (2, 1), (3, 1)]


ODD = ["", "tab\there", "new\nline\r\nand CR", "back\\slash \\N \\.", "quote ' \" `", "\U0001f600 𠀀𪚥 徐乾學",
       "comma, semi; pipe|", " lead and trail ", "\\", "null", "NULL", "NaN", "N/A", "\u2028\u00a0\ufeff"]


def test_people_read_back_through_copy_are_the_stored_ones(cast_free_job):
    from pingan.screening.models import PersonResult

    job = cast_free_job
    PersonResult.objects.bulk_create([
        PersonResult(job=job, row=i + 2, status="accepted", level=["green", "yellow", ""][i % 3], name=text[:200],
                     id_number=f"ID{i}" if i % 2 else text[:40], corrected_id_number=text[:40] if i % 2 else "",
                     doc_type=text[:20], phone=text[:40], rule_ids=[text] if i % 2 else [])
        for i, text in enumerate(ODD)])
    table = reevaluate.people_table()
    want = list(PersonResult.objects.filter(job=job).order_by("pk").values_list(
        "pk", "job_id", "name", "id_number", "corrected_id_number", "doc_type", "phone", "level", "rule_ids"))
    got = [(r["pk"], r["job_id"], r["name"], r["id_number"], r["corrected_id_number"], r["doc_type"], r["phone"],
            r["level"], json.loads(r["rule_ids"])) for r in table.to_pylist()]
    assert got == want
    assert set(table.column("as_of").to_pylist()) == {round(job.as_of.timestamp() * 1_000_000)}
    # and found by number, as given or corrected, through the temporary table on PostgreSQL
    wanted = reevaluate._Wanted(pa.array(["ID1", ODD[3][:40], "nobody"]))
    assert reevaluate._people_table(wanted).column("pk").to_pylist() == [want[1][0], want[3][0]]


@pytest.fixture
def cast_free_job(django_user_model):
    from django.utils import timezone

    from pingan.core.models import OrgUnit, Premises
    from pingan.screening.models import ScreeningJob

    owner = django_user_model.objects.create(username="reeval_owner", role="landlord", password="!")
    unit = OrgUnit.objects.create(code="350203-T", name="某派出所", kind="station", adcodes=["350203"])
    premises = Premises.objects.create(name="某楼", kind="rental", address="某路1号", adcode="350203", owner=owner,
                                       unit=unit)
    return ScreeningJob.objects.create(premises=premises, submitted_by=owner, roster_name="r.csv",
                                       roster_sha256="0" * 64, status="done", progress=100,
                                       as_of=dt.datetime(2022, 8, 20, 15, tzinfo=UTC), finished_at=timezone.now(),
                                       is_latest=True, counts={})


def test_the_hits_match_reasons_are_stored_as_each_would_be_alone():
    """Each distinct array of the engine's lines is converted once and the column taken from those: every hit
    gets what ``match_reasons.stored_json`` gives it alone — repeats, empty arrays and missing ones too."""
    from pingan.screening.match_reasons import stored_json

    lines = ['["document number equal"]', None, '["name exact", "birth date equal"]', "[]",
             '["document number equal"]', None, '["an old line no pattern knows"]']
    hits = pa.table({"person_id": pa.array(range(len(lines)), pa.int64()),
                     "match_reasons": pa.array(lines, pa.string())})
    stored = reevaluate._reasons_stored(hits)
    assert stored.column("match_reasons").to_pylist() == [stored_json(t) for t in lines]
    assert stored.column("person_id").equals(hits.column("person_id"))
    assert reevaluate._reasons_stored(hits.slice(0, 0)).num_rows == 0
