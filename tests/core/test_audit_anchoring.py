"""Tampering by someone who can write the database: caught by the keyed MACs, the signed checkpoints kept
off the database, and (PostgreSQL) refused outright for the application's role by the append-only triggers."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from pingan.core import audit, checkpoints
from pingan.core.models import AuditHead, AuditRecord, AuditSubject

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commands_in_english")]


@pytest.fixture
def trail(cast):
    """The cast's own records (premises created) and six reads naming a person each."""
    for i in range(6):
        audit.record(cast.officer_a, "read", "Person", i, purpose="case_investigation",
                     subjects=[audit.Subject(name=f"人{i}", id_number=f"35020319900101{i:03d}X")])
    return AuditRecord.objects.order_by("seq")


@pytest.fixture
def cp_file(tmp_path):
    return tmp_path / "checkpoints.jsonl"


def verify_cli(*files, **kw) -> str:
    args = ["audit", "verify"] + [a for f in files for a in ("--checkpoints", str(f))]
    args += [f"--{k.replace('_', '-')}" if v is True else f"--{k.replace('_', '-')}={v}" for k, v in kw.items()]
    try:
        call_command(*args)
    except CommandError as exc:
        return f"BROKEN {exc}"
    return "ok"


def rewrite_from(seq: int, *, with_mac: bool) -> None:
    """What an attacker with write access does: edit record ``seq`` and recompute every later hash (and the
    head), so that the chain alone is consistent again. Without the audit key the MACs cannot follow."""
    prev = AuditRecord.objects.get(seq=seq - 1).hash if seq > 1 else audit.GENESIS
    for rec in AuditRecord.objects.filter(seq__gte=seq).order_by("seq"):
        if rec.seq == seq:
            rec.purpose = "epidemic_screening"
        values = {k: getattr(rec, k) for k in audit._FIELDS}
        rec.prev_hash, rec.hash = prev, audit.chain_hash(prev, values)
        rec.mac = audit.chain_mac(rec.hash) if with_mac else "0" * 64
        AuditRecord.objects.filter(pk=rec.pk).update(prev_hash=rec.prev_hash, hash=rec.hash, mac=rec.mac,
                                                     purpose=rec.purpose)
        prev = rec.hash
    AuditHead.objects.filter(id=1).update(hash=prev)


def test_a_rewritten_chain_without_the_key_fails_on_the_mac(trail):
    rewrite_from(3, with_mac=False)
    result = audit.verify()
    assert not result.ok and result.bad_seq == 3 and "without the audit key" in result.problem
    assert audit.verify(with_key=False).ok  # the chain alone no longer shows it: that is what the key is for


def test_a_rewritten_chain_with_the_key_fails_on_an_earlier_checkpoint(trail, cp_file):
    checkpoints.checkpoint_create(cp_file)
    rewrite_from(3, with_mac=True)  # even someone holding the key cannot re-sign the checkpoint kept elsewhere
    assert audit.verify().ok
    out = verify_cli(cp_file)
    last = AuditRecord.objects.count()
    assert out.startswith("BROKEN") and "checkpoint of" in out and f"rewritten up to record {last}" in out


def test_an_emptied_or_truncated_trail_fails_with_a_known_checkpoint(trail, cp_file):
    checkpoints.checkpoint_create(cp_file)
    last = AuditRecord.objects.count()
    AuditRecord.objects.filter(seq__gt=4).delete()
    AuditSubject.objects.filter(seq__gt=4).delete()
    AuditHead.objects.filter(id=1).update(seq=4, hash=AuditRecord.objects.get(seq=4).hash)
    out = verify_cli(cp_file)
    assert "the trail ends at record 4 but the checkpoint" in out and f"names record {last}" in out
    AuditRecord.objects.all().delete()
    AuditSubject.objects.all().delete()
    AuditHead.objects.all().delete()
    out = verify_cli(cp_file)
    assert out.startswith("BROKEN") and "the trail ends at record 0" in out


def test_a_checkpoints_file_named_but_missing_is_an_error_not_a_pass(trail, cp_file):
    # a mistyped --checkpoints path verified the chain against no checkpoint at all, silently (f41f39b)
    out = verify_cli(cp_file)
    assert out.startswith("BROKEN --checkpoints") and "no such file" in out


def test_an_empty_trail_is_never_reported_intact(db, cp_file):
    cp_file.touch()  # no checkpoint written yet
    assert "the trail is empty" in verify_cli(cp_file)
    cp_file.unlink()
    with pytest.raises(CommandError, match="nothing to checkpoint"):
        call_command("audit", "checkpoint", "--out", str(cp_file))
    assert not cp_file.exists()


def test_an_intact_trail_reports_its_checkpoints(trail, cp_file, capsys):
    checkpoints.checkpoint_create(cp_file)
    audit.record(None, "read", "Person", 99)
    n = AuditRecord.objects.count()
    call_command("audit", "checkpoint", "--out", str(cp_file))
    printed = json.loads(capsys.readouterr().out)
    assert printed["seq"] == n and len(printed["sig"]) > 40
    call_command("audit", "verify", "--checkpoints", str(cp_file))
    out = capsys.readouterr().out
    assert f"{n} records verified with their MACs; 2 checkpoints match, the last of record {n}" in out


def test_an_edited_or_foreign_checkpoint_is_itself_a_finding(trail, cp_file, tmp_path):
    checkpoints.checkpoint_create(cp_file)
    cp = json.loads(cp_file.read_text())
    cp_file.write_text(json.dumps({**cp, "seq": 2}) + "\n")
    assert "the signature does not verify" in verify_cli(cp_file)
    # an outside auditor checks with the public key only: a checkpoint under another key is refused
    other = tmp_path / "other.pub"
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other.write_bytes(checkpoints.public_pem(Ed25519PrivateKey.generate().public_key()))
    cp_file.write_text(json.dumps(cp) + "\n")
    assert "signed by key" in verify_cli(cp_file, public_key=other)
    pub = tmp_path / "ours.pub"
    pub.write_bytes(checkpoints.public_pem(checkpoints.public_key()))
    assert verify_cli(cp_file, public_key=pub, without_key=True) == "ok"


def test_checkpoints_are_written_when_due_and_not_more_often(trail, settings, tmp_path):
    settings.PINGAN = {**settings.PINGAN, "AUDIT_CHECKPOINT_MINUTES": 10,
                       "AUDIT_CHECKPOINT_FILE": tmp_path / "auto.jsonl"}
    checkpoints._last_checked["at"] = 0.0
    checkpoints.checkpoint_if_due()
    checkpoints._last_checked["at"] = 0.0
    checkpoints.checkpoint_if_due()  # the file is fresh: not due
    lines = (tmp_path / "auto.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["seq"] == AuditRecord.objects.count()
    assert oct((tmp_path / "auto.jsonl").stat().st_mode & 0o777) == "0o600"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers are PostgreSQL's")
@pytest.mark.parametrize("statement", [
    "UPDATE core_auditrecord SET purpose = 'x' WHERE seq = 2",
    "DELETE FROM core_auditrecord WHERE seq = 6",
    "TRUNCATE core_auditrecord",
    "DELETE FROM core_auditsubject",
    "TRUNCATE core_auditsubject",
])
def test_the_application_role_cannot_change_or_remove_records(trail, statement):
    role = f"pingan_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cur:
        cur.execute(f"CREATE ROLE {role} NOLOGIN")  # rolled back with the test's transaction
        cur.execute(f"GRANT ALL ON core_auditrecord, core_auditsubject, core_audithead TO {role}")
        cur.execute(f"SET ROLE {role}")
        try:
            cur.execute("INSERT INTO core_auditsubject (seq, key) VALUES (1, 42)")  # appending is allowed
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cur.execute(statement)
        finally:
            cur.execute("RESET ROLE")
    assert AuditRecord.objects.count() == trail.count() and not AuditRecord.objects.filter(purpose="x").exists()


def test_grants_print_append_only_rights_for_the_app_role(capsys):
    call_command("audit", "grants", "--app-role", "pingan_app")
    sql = capsys.readouterr().out
    assert 'REVOKE ALL ON core_auditrecord, core_auditsubject FROM "pingan_app";' in sql
    assert 'GRANT SELECT, INSERT ON core_auditrecord, core_auditsubject TO "pingan_app";' in sql
