"""The audit trail's hash chain: `pingan audit verify` detects deletion, insertion and edits."""

import itertools

import pytest
from django.core.management import CommandError, call_command

from pingan.core import audit
from pingan.core.errors import PermissionDenied
from pingan.core.models import AuditRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commands_in_english")]


@pytest.fixture
def trail(cast):
    for i in range(5):
        audit.record(cast.officer_a, "read", "Person", i, purpose="test")
    return AuditRecord.objects.order_by("seq")


def verify_message():
    try:
        call_command("audit", "verify")
    except CommandError as exc:
        return str(exc)
    return "ok"


@pytest.mark.smoke
def test_it_passes_an_intact_trail(trail, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    assert audit.verify().ok


def test_it_names_a_deleted_record(trail):
    victim = trail[3]
    AuditRecord.objects.filter(pk=victim.pk).delete()
    result = audit.verify()
    assert not result.ok and result.bad_seq == victim.seq
    assert f"record {victim.seq} is missing" in verify_message()


def test_it_names_an_edited_record(trail):
    victim = trail[2]
    AuditRecord.objects.filter(pk=victim.pk).update(purpose="something else")
    result = audit.verify()
    assert not result.ok and result.bad_seq == victim.seq
    assert "was edited" in verify_message()


def test_it_names_an_inserted_record(trail):
    # shift the later records up by one and insert a forged record in the gap
    last = trail.last().seq
    for rec in AuditRecord.objects.filter(seq__gte=3).order_by("-seq"):
        AuditRecord.objects.filter(pk=rec.pk).update(seq=rec.seq + 1)
    forged = AuditRecord.objects.get(seq=2)
    forged.pk, forged.seq, forged.object_id = None, 3, "forged"
    forged.save()
    result = audit.verify()
    assert not result.ok and result.bad_seq == 3
    assert last + 1 == AuditRecord.objects.count()


def test_it_detects_records_removed_from_the_end(trail):
    AuditRecord.objects.filter(seq=trail.last().seq).delete()
    result = audit.verify()
    assert not result.ok
    assert "removed from the end" in result.problem


def test_it_chains_records_in_order(trail):
    recs = list(trail)
    assert recs[0].prev_hash == audit.GENESIS
    for prev, cur in itertools.pairwise(recs):
        assert cur.prev_hash == prev.hash and cur.seq == prev.seq + 1


def test_many_records_written_without_instances_chain_like_the_others(cast, trail):
    # returning=False (a re-evaluation's issue records): from tuples, by COPY on PostgreSQL — the same chain
    n, before = audit.COPY_FROM + 20, AuditRecord.objects.count()
    got = audit.record_many(cast.officer_a, [audit.Entry("issue", "SafetyCode", f"c{i}", {"premises": i, "名": "楼"})
                                             for i in range(n)], returning=False)
    assert got == []
    audit.record(cast.officer_a, "read", "Person", "after")
    recs = list(AuditRecord.objects.order_by("seq"))
    first = recs[before]
    assert len(recs) == before + n + 1 and first.detail == {"premises": 0, "名": "楼"} and first.actor == "officer_a"
    assert audit.verify().ok


def test_it_lets_only_auditors_search(cast, trail, client):
    from pingan.core import selectors

    query = selectors.AuditQuery(actor="officer_a")
    assert selectors.audit_search(actor=cast.auditor, query=query).filter(action="read").count() == 5
    with pytest.raises(PermissionDenied):
        selectors.audit_search(actor=cast.officer_a, query=query)
    client.force_login(cast.auditor)
    assert "officer_a" in client.get("/audit/?actor=officer_a").content.decode()
    client.force_login(cast.officer_b)
    assert client.get("/audit/").status_code == 403


def test_it_macs_records_as_hmac_does(monkeypatch):
    import hashlib
    import hmac
    import os

    from pingan.core import auditkeys

    for key in (os.urandom(32), os.urandom(64), os.urandom(65), b"", os.urandom(200)):  # short, a block, longer
        monkeypatch.setattr(auditkeys, "chain_key", lambda key=key: key)
        for text in ("0" * 64, hashlib.sha256(key).hexdigest(), "记录"):
            assert audit.chain_mac(text) == hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
