"""The result store's COPY path (PostgreSQL) stores exactly what the ORM's bulk_create stores: every
column, JSON fields, NULLs and texts with tabs, newlines, backslashes, quotes and non-BMP characters."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from test_jobs import risk, roster_bytes, run  # noqa: F401 - risk is a fixture

from pingan.core.copystore import copy_insert, copy_rows, copy_update, copy_update_rows
from pingan.screening.models import Hit, PersonResult

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("risk")]

ODD = ["", "tab\there", "new\nline\r\nand CR", "back\\slash \\N \\. \\t", "quote ' \" `", "\U0001f600 𠀀𪚥 徐乾學",
       "comma, semi; pipe|", " leading and trailing ", "\\", "null", "NULL", "\u2028\u00a0\ufeff"]


def _persons(job, base):
    out = []
    for i, text in enumerate(ODD):
        out.append(PersonResult(
            job=job, row=base + i, status="accepted" if i % 2 else "rejected",
            level=["", "green", "yellow", "red"][i % 4],
            reason=text, rule_ids=[text, "area-high", i] if i % 3 else [], name=text[:200], doc_type="id_card",
            id_number=f"11010519491231002{i % 10}", corrected_id_number=text[:40], identity_status="valid",
            identity_reason=text, police_priority=None if i % 2 else i, hit_count=i, silent_hit=bool(i % 2),
            given_id_number=text, given_phone=text, phone=text[:40], address=text[:300],
            reasons=[{"code": "screening.reason", "params": {"text": text, "n": i, "f": 1.5, "none": None,
                                                             "nested": [True, False, {"k": text}]}}],
            identity_detail={} if i % 2 else {"code": "identity.x", "params": {"value": text}},
            reevaluation={"by": text} if i % 5 == 0 else {}))
    return out


def _hits(job, persons):
    return [Hit(job=job, person_id=p.pk, rule_id=f"rule-{i}", source="watchlist" if i % 2 else "movement",
                record_ref=ODD[i], listing_ref=ODD[-1 - i], match_kind=ODD[i][:40],
                match_reasons=[ODD[i], {"why": ODD[i]}] if i % 2 else [], level_effect="red",
                police_priority=None if i % 3 else 2, silent=bool(i % 2),
                detail={"entry": {"names": [ODD[i], "SIMA Guangming"], "listed_on": None}})
            for i, p in enumerate(persons)]


def _stored(model, job, exclude):
    rows = model.objects.filter(job=job).order_by("id").values()
    return [{k: v for k, v in r.items() if k not in exclude} for r in rows]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_copy_stores_exactly_what_bulk_create_stores():
    orm_job, copy_job = run(roster_bytes()), run(roster_bytes())
    PersonResult.objects.filter(job__in=[orm_job, copy_job]).delete()

    orm_persons = PersonResult.objects.bulk_create(_persons(orm_job, 1000))
    Hit.objects.bulk_create(_hits(orm_job, orm_persons))
    copy_persons = copy_insert(PersonResult, _persons(copy_job, 1000))
    copied_hits = copy_insert(Hit, _hits(copy_job, copy_persons))

    # the objects carry their new primary keys, as bulk_create leaves them
    assert all(p.pk and not p._state.adding for p in copy_persons)
    assert sorted(p.pk for p in copy_persons) == sorted(
        PersonResult.objects.filter(job=copy_job).values_list("pk", flat=True))
    assert [h.pk for h in copied_hits] == list(
        Hit.objects.filter(job=copy_job).order_by("id").values_list("pk", flat=True))

    orm = _stored(PersonResult, orm_job, {"id", "job_id"})
    copied = _stored(PersonResult, copy_job, {"id", "job_id"})
    assert len(copied) == len(ODD)
    assert copied == orm
    assert copied[1]["reason"] == "tab\there" and copied[3]["name"] == "back\\slash \\N \\. \\t"
    assert copied[5]["reasons"][0]["params"]["nested"][2]["k"] == "\U0001f600 𠀀𪚥 徐乾學"
    assert copied[1]["police_priority"] is None and copied[0]["police_priority"] == 0

    orm_hits = _stored(Hit, orm_job, {"id", "job_id", "person_id"})
    copy_hits = _stored(Hit, copy_job, {"id", "job_id", "person_id"})
    assert copy_hits == orm_hits and len(copy_hits) == len(ODD)
    # each hit on the person it was written for
    assert [(h.person.row, h.rule_id) for h in Hit.objects.filter(job=copy_job).order_by("id")] == [
        (1000 + i, f"rule-{i}") for i in range(len(ODD))]
    # the database enforces the same lengths on both paths
    with pytest.raises(Exception, match="too long"), transaction.atomic():
        copy_insert(PersonResult, [PersonResult(job=copy_job, row=5000, status="accepted", id_number="9" * 41)])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_copy_is_rolled_back_with_the_transaction():
    job = run(roster_bytes())
    before = PersonResult.objects.filter(job=job).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        copy_insert(PersonResult, _persons(job, 3000))
        assert PersonResult.objects.filter(job=job).count() == before + len(ODD)
        raise RuntimeError
    assert PersonResult.objects.filter(job=job).count() == before


UPDATED = ["level", "rule_ids", "reason", "reasons", "police_priority", "hit_count", "silent_hit", "reevaluation"]


def _changed(persons):
    """New values for the fields a re-evaluation writes: the odd texts shifted by one, NULLs where there were
    numbers and numbers where there were NULLs."""
    for i, p in enumerate(persons):
        text = ODD[(i + 1) % len(ODD)]
        p.level, p.rule_ids, p.reason = ["red", "", "green", "yellow"][i % 4], [text, i], text
        p.reasons = [{"code": "reeval.listed", "params": {"place": text, "n": None}}]
        p.police_priority = i if p.police_priority is None else None
        p.hit_count, p.silent_hit = i * 2, not p.silent_hit
        p.reevaluation = {"from": "green", "to": p.level, "why": [{"code": "reeval.cleared", "params": {"t": text}}]}
    return persons


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_copy_update_writes_exactly_what_bulk_update_writes_and_nothing_else():
    orm_job, copy_job = run(roster_bytes()), run(roster_bytes())
    orm_persons = PersonResult.objects.bulk_create(_persons(orm_job, 1000))
    copy_persons = PersonResult.objects.bulk_create(_persons(copy_job, 1000))
    untouched = sorted(PersonResult.objects.exclude(pk__in=[p.pk for p in orm_persons + copy_persons])
                       .values_list("pk", "level", "reason", "reevaluation"))
    with transaction.atomic():
        PersonResult.objects.bulk_update(_changed(orm_persons[::2]), UPDATED)
        assert copy_update(PersonResult, _changed(copy_persons[::2]), UPDATED) == len(copy_persons[::2])
        # twice in one transaction: the temporary table is made afresh
        assert copy_update(PersonResult, copy_persons[:1], ["reason"]) == 1
    orm = _stored(PersonResult, orm_job, {"id", "job_id"})
    assert _stored(PersonResult, copy_job, {"id", "job_id"}) == orm
    by_row = {r["row"]: r for r in orm}
    # changed rows got the shifted text, the others kept theirs
    assert [by_row[1000 + i]["reason"] for i in range(4)] == [ODD[1], ODD[1], ODD[2], ODD[3]]
    assert sorted(PersonResult.objects.exclude(pk__in=[p.pk for p in orm_persons + copy_persons])
                  .values_list("pk", "level", "reason", "reevaluation")) == untouched


HIT_FIELDS = ["person_id", "job_id", "rule_id", "source", "record_ref", "listing_ref", "match_kind", "match_reasons",
              "level_effect", "police_priority", "silent", "detail"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_tuples_to_copy_store_exactly_what_instances_store():
    """copy_rows / copy_update_rows (tuples, no model instance per row: what a re-evaluation writes) end where
    copy_insert / bulk_update of instances end, odd texts, JSON and NULLs included."""
    orm_job, copy_job = run(roster_bytes()), run(roster_bytes())
    PersonResult.objects.filter(job__in=[orm_job, copy_job]).delete()  # and their hits
    orm_persons = PersonResult.objects.bulk_create(_persons(orm_job, 1000))
    copy_persons = PersonResult.objects.bulk_create(_persons(copy_job, 1000))
    Hit.objects.bulk_create(_hits(orm_job, orm_persons))
    hits = _hits(copy_job, copy_persons)
    ids = copy_rows(Hit, HIT_FIELDS, [tuple(getattr(h, f) for f in HIT_FIELDS) for h in hits])
    assert ids == list(Hit.objects.filter(job=copy_job).order_by("id").values_list("pk", flat=True))
    assert _stored(Hit, copy_job, {"id", "job_id", "person_id"}) == _stored(Hit, orm_job, {"id", "job_id", "person_id"})
    PersonResult.objects.bulk_update(_changed(orm_persons[::2]), UPDATED)
    changed = _changed(copy_persons[::2])
    assert copy_update_rows(PersonResult, UPDATED, [(p.pk, *(getattr(p, f) for f in UPDATED))
                                                    for p in changed]) == len(changed)
    assert _stored(PersonResult, copy_job, {"id", "job_id"}) == _stored(PersonResult, orm_job, {"id", "job_id"})
    assert copy_rows(Hit, HIT_FIELDS, []) == [] and copy_update_rows(PersonResult, UPDATED, []) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_json_the_copy_writes_in_c_reads_back_as_json_dumps_would():
    """The COPY paths write a JSON field's text with msgspec (copystore._plain_json); what is stored reads back as
    what json.dumps' text does — odd texts, numbers, nesting — and the keys msgspec refuses (True, None, as
    json.dumps writes "true" and "null") go through json.dumps."""
    import json

    from pingan.core.copystore import _plain_json

    job = run(roster_bytes())
    values = [{"text": t, "n": i, "f": [1.5, 1e16, -0.0, 1e-7], "big": 2**70, "none": None, "flags": [True, False],
               "nested": {"名": [t, {"k": t}]}} for i, t in enumerate(ODD)]
    values += [{True: 1, None: 2, 3: "x", 2.5: "y"}, [], {}, "just text", 0]
    persons = PersonResult.objects.bulk_create([PersonResult(job=job, row=5000 + i, status="accepted", level="green",
                                                             name="x") for i in range(len(values))])
    copy_update_rows(PersonResult, ["reasons"], [(p.pk, v) for p, v in zip(persons, values, strict=True)])
    stored = list(PersonResult.objects.filter(pk__in=[p.pk for p in persons]).order_by("pk")
                  .values_list("reasons", flat=True))
    assert stored == [json.loads(json.dumps(v)) for v in values]
    assert json.loads(_plain_json(values[-5])) == {"true": 1, "null": 2, "3": "x", "2.5": "y"}
