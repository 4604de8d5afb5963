"""Re-deriving many premises' codes at once (``safety_codes_derive_bulk``, what a re-evaluation calls) ends in
exactly the state that deriving them one by one (``safety_code_derive``) does: the same live codes (level,
people, screening, counts, cause), the same superseded codes revoked and linked to their successor, the same
reviews, the same ``issue`` audit records — with far fewer queries."""

from __future__ import annotations

import pytest
from derived_support import RED_ID, TENANTS, import_risk, run
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from test_app_support import isolated  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import CodeReview, SafetyCode
from pingan.codes.revocation import RevocationList
from pingan.codes.token import Status
from pingan.core.models import AuditRecord, Premises
from pingan.core.services import premises_create
from pingan.screening.models import PersonResult

pytestmark = pytest.mark.usefixtures("isolated")

CAUSE = {"code": "code_cause.reevaluation", "params": {"dataset": "test", "changed": 1, "job": 0}}


class _Rollback(Exception):
    pass


def state(premises_ids: list[int]) -> dict:
    """Everything deriving can change, without ids that differ between two runs."""
    out = {}
    for pk in premises_ids:
        codes = list(SafetyCode.objects.filter(premises_id=pk).order_by("issued_at", "id"))
        out[pk] = {
            "codes": [(c.level, c.people, c.job_id, c.counts, c.cause, c.revocation_reason,
                       c.superseded_by is not None and c.superseded_by.premises_id == pk and c.superseded_by.revoked_at
                       is None, c.revoked_at is None) for c in codes],
            "reviews": sorted(CodeReview.objects.filter(premises_id=pk).values_list("status", "level", "dropped")),
            "issue_audits": sorted(
                (r.detail["premises"], r.detail["level"], r.detail["people"], len(r.detail["superseded"]),
                 r.detail["cause"]["code"])
                for r in AuditRecord.objects.filter(action="issue", object_type="SafetyCode", detail__premises=pk)),
        }
    return out


@pytest.fixture
def city(cast, tmp_path):
    """Four premises in the four cases: a tenant turned red under the code (A), nothing changed (B), a roster
    that left out the red tenant (C: suspended into the queue), never screened (D)."""
    import_risk(tmp_path)
    red = ("张伟", RED_ID)
    a = run(cast.premises_a, TENANTS[:5])
    run(cast.premises_b, TENANTS[5:8])
    c = premises_create(actor=cast.landlord_a, name="莲前二号楼", kind="rental", address="思明区莲前东路3号",
                        adcode="350203010")
    run(c, [*TENANTS[8:10], red])
    run(c, TENANTS[8:10])  # the red tenant left out: suspended
    assert CodeReview.objects.get(premises=c).status == "open"
    d = premises_create(actor=cast.landlord_b, name="江头三号楼", kind="rental", address="湖里区江头北路4号",
                        adcode="350206004")
    # what a re-evaluation does to A's results: a tenant turned red
    PersonResult.objects.filter(job=a, id_number=TENANTS[1][1]).update(level="red")
    return [cast.premises_a.pk, cast.premises_b.pk, c.pk, d.pk]


def test_bulk_derivation_ends_where_one_by_one_derivation_ends(city):
    causes = {pk: CAUSE for pk in city}
    before = state(city)
    try:
        with transaction.atomic():
            one = {pk: services.safety_code_derive(premises=Premises.objects.get(pk=pk),
                                                   cause=CAUSE).outcome for pk in city}
            expected = state(city)
            raise _Rollback
    except _Rollback:
        pass
    assert state(city) == before
    done = services.safety_codes_derive_bulk(causes=causes)
    assert done == {"issued": 1, "suspended": 0, "unchanged": 2, "kept": 0, "none": 1}
    assert [one[pk] for pk in city] == ["issued", "unchanged", "unchanged", "none"]
    assert state(city) == expected
    new = SafetyCode.objects.get(premises_id=city[0], revoked_at__isnull=True)
    assert (new.level, new.people, new.cause) == ("red", 5, CAUSE)
    verdict = services.safety_code_verify(new.token)  # signed as any code: verifies offline and on the server
    assert verdict.status is Status.VALID and verdict.code.level.value == "red" and verdict.code.people == 5
    old = SafetyCode.objects.get(premises_id=city[0], superseded_by=new)
    assert services.safety_code_verify(old.token).status is Status.REVOKED
    assert bytes.fromhex(old.code_id) in RevocationList.verify(
        services.revocation_list_current(issuer=old.issuer).data, services.trust_store()).entries


def test_bulk_derivation_costs_a_few_queries_per_batch_not_a_dozen_per_premises(cast, city):
    for pk in city[:2]:  # both A and B change under the bulk run
        job = services.latest_done_job(Premises.objects.get(pk=pk))
        PersonResult.objects.filter(job=job, status="accepted").update(level="yellow")
    more = [premises_create(actor=cast.landlord_b, name=f"江头{i}号楼", kind="rental", address=f"湖里区江头北路{i}号",
                            adcode="350206004").pk for i in range(10, 16)]
    for i, pk in enumerate(more):
        run(Premises.objects.get(pk=pk), TENANTS[2 * i:2 * i + 2])
        job = services.latest_done_job(Premises.objects.get(pk=pk))
        PersonResult.objects.filter(job=job).update(level="yellow")
    causes = {pk: CAUSE for pk in [*city[:2], *more]}
    with CaptureQueriesContext(connection) as queries:
        done = services.safety_codes_derive_bulk(causes=causes)
    assert done["issued"] == 8
    assert len(queries) <= 25, [q["sql"][:120] for q in queries.captured_queries]
    assert SafetyCode.objects.filter(premises_id__in=causes, revoked_at__isnull=True, level="yellow").count() == 8


@pytest.mark.parametrize("signed_in", ["this process", "the signing process", "this process, the other failing"])
def test_bulk_derivation_in_several_batches_ends_where_one_by_one_ends(cast, city, monkeypatch, settings, caplog,
                                                                       signed_in):
    # batches of 3, some jobs' level counts given by the caller (as a re-evaluation gives those it just moved),
    # the others counted here; the codes signed here, or in the signing process (pingan.codes.signing: what a
    # large re-evaluation does with a core to spare), or here after the signing process failed
    from pingan.codes import signing

    monkeypatch.setattr(services, "DERIVE_BATCH", 3)
    settings.PINGAN = {**settings.PINGAN, "CODE_SIGNING_PROCESS": "off" if signed_in == "this process" else "on"}
    handed = []
    real_sign = signing.sign

    def sign(keys, items):
        handed.append(len(items))
        if signed_in.endswith("failing"):
            raise OSError("no process")
        return real_sign(keys, items)

    monkeypatch.setattr(signing, "sign", sign)
    more = [premises_create(actor=cast.landlord_b, name=f"江头{i}号楼", kind="rental", address=f"湖里区江头北路{i}号",
                            adcode="350206004").pk for i in range(10, 17)]
    for i, pk in enumerate(more):
        run(Premises.objects.get(pk=pk), TENANTS[2 * i:2 * i + 2])
        job = services.latest_done_job(Premises.objects.get(pk=pk))
        PersonResult.objects.filter(job=job).update(level="yellow" if i % 2 else "red")
    ids = [*city, *more]
    try:
        with transaction.atomic():
            for pk in ids:
                services.safety_code_derive(premises=Premises.objects.get(pk=pk), cause=CAUSE)
            expected = state(ids)
            raise _Rollback
    except _Rollback:
        pass
    given = {}
    for pk in ids[::2]:
        job = services.latest_done_job(Premises.objects.get(pk=pk))
        if job is not None:
            counts, accepted = services.screening_counts(job)
            given[job.pk] = {"green": counts.green, "yellow": counts.yellow, "red": counts.red, "accepted": accepted,
                             "total": counts.total}
    assert len(given) >= 4
    done = services.safety_codes_derive_bulk(causes={pk: CAUSE for pk in ids}, job_counts=given)
    assert done == {"issued": 8, "suspended": 0, "unchanged": 2, "kept": 0, "none": 1}
    assert state(ids) == expected
    for pk in more:
        code = SafetyCode.objects.get(premises_id=pk, revoked_at__isnull=True)
        verdict = services.safety_code_verify(code.token)
        assert verdict.status is Status.VALID and verdict.code.premises_id == pk and verdict.code.people == 2
        assert verdict.code.level.value == code.level == ("yellow" if more.index(pk) % 2 else "red")
    assert sum(handed) == (0 if signed_in == "this process" else 8), handed
    fallbacks = [r.getMessage() for r in caplog.records if "signing process" in r.getMessage()]
    assert len(fallbacks) == (len(handed) if signed_in.endswith("failing") else 0), fallbacks  # one per batch
    assert signed_in == "this process" or len(handed) >= 2


@pytest.mark.django_db
def test_the_code_table_keeps_only_the_indexes_a_read_needs():
    """A re-evaluation inserts tens of thousands of codes and revokes as many: no index on the premises alone
    ((premises, -issued_at) leads with it), no LIKE index on the code id (never searched by prefix), who issued
    a code indexed only where one did, and no index holding a column a revocation writes (revoked_at,
    superseded_by: the revocation lists are read through (issuer, expires_at)) — so that a revocation is a HOT
    update, in pages kept half free (migration ``codes`` 0006)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL indexes")
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'codes_safetycode'")
        defs = {name: d.split(" USING ", 1)[1] for name, d in cur.fetchall()}
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'codes_safetycode'")
        options = cur.fetchone()[0]
    assert sorted(defs.values()) == sorted([
        "btree (id)", "btree (code_id)", "btree (premises_id, issued_at DESC)", "btree (issuer, expires_at)",
        "btree (job_id)", "btree (issued_by_id) WHERE (issued_by_id IS NOT NULL)"]), defs
    assert options == ["fillfactor=50"], options


def _code_updates() -> tuple[int, int]:
    """This transaction's row updates of the codes table, and how many of them were HOT."""
    with connection.cursor() as cur:
        cur.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'codes_safetycode'")
        return cur.fetchone()


def test_superseded_codes_are_revoked_in_place(cast, city):
    """Revoking the codes a bulk derivation supersedes (a day's re-evaluation: 43,165 of 50,000 codes in issue
    10's benchmark) rewrites each row in place — a HOT update, no index entry — and so does revoking one code
    by hand; the revocation lists still list them (read through (issuer, expires_at))."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's HOT updates")
    more = [premises_create(actor=cast.landlord_b, name=f"江头{i}号楼", kind="rental", address=f"湖里区江头北路{i}号",
                            adcode="350206004").pk for i in range(10, 16)]
    for i, pk in enumerate(more):
        run(Premises.objects.get(pk=pk), TENANTS[2 * i:2 * i + 2])
        PersonResult.objects.filter(job=services.latest_done_job(Premises.objects.get(pk=pk))).update(level="yellow")
    before = _code_updates()
    assert services.safety_codes_derive_bulk(causes={pk: CAUSE for pk in [city[0], *more]})["issued"] == 7
    after = _code_updates()
    updated, hot = after[0] - before[0], after[1] - before[1]
    assert updated == 7 and hot == updated, (updated, hot)
    code = SafetyCode.objects.get(premises_id=more[0], revoked_at__isnull=True)
    services.safety_code_revoke(code=code, reason="fraud", actor=None)  # the system
    done = _code_updates()
    assert (done[0] - after[0], done[1] - after[1]) == (1, 1)
    revoked = SafetyCode.objects.filter(premises_id__in=[city[0], *more], revoked_at__isnull=False)
    assert revoked.count() == 8
    listed = RevocationList.verify(services.revocation_list_current(issuer=code.issuer).data,
                                   services.trust_store()).entries
    assert {bytes.fromhex(c.code_id) for c in revoked if c.issuer == code.issuer} <= set(listed)
