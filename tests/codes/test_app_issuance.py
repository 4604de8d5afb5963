"""Safety codes in Django: issuance from screening results, supersede, rotation, four-eyes, disputes, keys."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.keys import KeyStore
from pingan.codes.models import Dispute, LevelOverride, SafetyCode, SigningKey
from pingan.codes.revocation import Reason, RevocationList
from pingan.codes.token import Status, verify
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.usefixtures("isolated")


def test_it_issues_no_code_from_a_screening_of_nobody(cast):
    # an empty roster must not turn a yellow premises green (found by a first-time user)
    screened(cast.premises_a, ["yellow"])
    old = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    screened(cast.premises_a, [])
    with pytest.raises(DomainError) as err:
        services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert err.value.code == "empty_screening"
    old.refresh_from_db()
    assert old.revoked_at is None and old.level == "yellow"


@pytest.mark.parametrize(("levels", "rejected", "expected"), [
    (["green", "green", "green"], 0, "green"),
    (["green", "yellow"], 0, "yellow"),
    (["green", "yellow", "red", "green"], 0, "red"),
    (["green", "green"], 1, "yellow"),   # a rejected (unscreened) row is unresolved → yellow
    (["green", ""], 0, "yellow"),        # an accepted row without a level is unresolved → yellow
    (["red"], 3, "red"),
], ids=["all-green", "one-yellow", "any-red", "rejected-row", "unlevelled-row", "red-beats-rejected"])
def test_it_issues_the_level_the_published_rule_gives(cast, levels, rejected, expected):
    job = screened(cast.premises_a, levels, rejected=rejected)
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert code.level == expected
    assert code.job == job
    assert code.people == len(levels)
    assert code.ruleset_version == 1
    assert code.issuer == "350203-LQ"
    assert code.expires_at - code.issued_at == timedelta(days=7)
    result = services.safety_code_verify(code.token)
    assert result.status is Status.VALID, result.reason
    assert result.code.level.value == expected
    assert result.code.premises_id == cast.premises_a.pk
    assert result.code.premises_name == "莲前出租屋"
    assert result.code.people == len(levels)


def test_the_token_carries_no_personal_data(cast):
    job = screened(cast.premises_a, ["green", "red"])
    names = list(job.persons.values_list("name", flat=True))
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    claims = repr(services.safety_code_verify(code.token).code)
    assert all(n not in claims for n in names)


def test_it_refuses_a_premises_that_was_never_screened(cast):
    screened(cast.premises_a, ["green"], status="failed")
    with pytest.raises(DomainError) as err:
        services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert err.value.code == "not_screened"
    assert not SafetyCode.objects.exists()


def test_it_uses_the_latest_finished_screening(cast):
    screened(cast.premises_a, ["red"], finished_ago=timedelta(days=2))
    newest = screened(cast.premises_a, ["green", "green"], finished_ago=timedelta(hours=1))
    screened(cast.premises_a, ["red"], status="running")
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert (code.level, code.job, code.people) == ("green", newest, 2)


def test_validity_follows_the_setting(cast, settings):
    settings.PINGAN = {**settings.PINGAN, "CODE_VALIDITY_DAYS": 3}
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert code.expires_at - code.issued_at == timedelta(days=3)


def test_a_reissue_supersedes_and_the_old_code_reads_as_revoked(cast):
    screened(cast.premises_a, ["red"], finished_ago=timedelta(days=1))
    old = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    # (a roster without the red person would suspend the code instead: tests/codes/test_app_derived.py)
    screened(cast.premises_a, ["red", "green"])
    new = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    old.refresh_from_db()
    assert old.superseded_by == new and old.revoked_at is not None and old.revocation_reason == "rescreened"
    assert services.current_code(cast.premises_a) == new
    result = services.safety_code_verify(old.token)
    assert result.status is Status.REVOKED and result.revocation.reason is Reason.RESCREENED
    assert services.safety_code_verify(new.token).status is Status.VALID
    # A verifier that only has the published keys and the signed list reaches the same verdict offline.
    trust = services.trust_store()
    rl = RevocationList.verify(services.revocation_list_current(issuer=old.issuer).data, trust)
    assert verify(old.token, trust, rl).status is Status.REVOKED
    assert verify(new.token, trust, rl).status is Status.VALID
    assert AuditRecord.objects.filter(action="issue", object_id=new.code_id,
                                      detail__superseded=[old.code_id]).exists()


def test_the_revocation_list_is_rebuilt_when_a_code_is_revoked(cast):
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    before = services.revocation_list_current(issuer=code.issuer)
    assert services.revocation_list_current(issuer=code.issuer) == before  # cached
    services.safety_code_revoke(code=code, reason="fraud", actor=cast.officer_a)
    after = services.revocation_list_current(issuer=code.issuer)
    assert after.serial > before.serial
    rl = RevocationList.verify(after.data, services.trust_store())
    assert rl.entries[bytes.fromhex(code.code_id)].reason is Reason.FRAUD
    assert services.safety_code_verify(code.token).status is Status.REVOKED


def test_only_police_of_the_jurisdiction_revoke(cast):
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    for actor in (cast.officer_b, cast.landlord_a):
        with pytest.raises(PermissionDenied):
            services.safety_code_revoke(code=code, reason="error", actor=actor)
    with pytest.raises(DomainError) as err:
        services.safety_code_revoke(code=code, reason="lost", actor=cast.officer_a)
    assert err.value.code == "bad_reason"


def test_rotation_keeps_codes_of_the_old_key_valid(cast):
    from pingan.core.services import premises_create

    screened(cast.premises_a, ["green"])
    first = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    old_key = SigningKey.objects.get(kid=first.kid)
    new_key = services.signing_key_rotate(issuer="350203-LQ", actor=None)
    old_key.refresh_from_db()
    assert not old_key.active and old_key.retired_at is not None and new_key.active
    other = premises_create(actor=cast.landlord_a, name="莲前二号楼", kind="rental", address="思明区莲前东路3号",
                            adcode="350203010")
    screened(other, ["yellow"])
    second = services.safety_code_issue(premises=other, actor=cast.landlord_a)
    assert second.kid == new_key.kid != first.kid
    assert services.safety_code_verify(first.token).status is Status.VALID
    assert services.safety_code_verify(second.token).status is Status.VALID
    # The revocation list is signed by the new key and still verifies with the published keys.
    assert RevocationList.verify(services.revocation_list_current(issuer="350203-LQ").data, services.trust_store())
    with pytest.raises(PermissionDenied):
        services.signing_key_rotate(issuer="350203-LQ", actor=cast.chief_a)


def test_private_keys_are_0600_files_named_by_kid_and_never_in_the_database(cast, isolated):  # noqa: F811
    key = services.signing_key_ensure(issuer="350203-LQ")
    path = isolated / f"{key.kid}.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()
    assert "d" not in key.jwk and set(key.jwk) >= {"kty", "kid", "alg", "iss"}
    assert "PRIVATE" not in repr(services.signer_for(key))
    assert services.signing_key_ensure(issuer="350203-LQ") == key  # on demand, once


def test_a_missing_key_file_gives_a_clear_error(cast, isolated):  # noqa: F811
    key = services.signing_key_ensure(issuer="350203-LQ")
    (isolated / f"{key.kid}.pem").unlink()
    services._signers.clear()
    screened(cast.premises_a, ["green"])
    with pytest.raises(DomainError) as err:
        services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert err.value.code == "signing_key_missing" and key.kid in err.value.message


def test_the_same_user_cannot_approve_their_own_level_change(cast):
    screened(cast.premises_a, ["green"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    ov = services.level_override_request(premises=cast.premises_a, level="red", reason="现场核查发现未登记人员",
                                         actor=cast.chief_a)
    with pytest.raises(DomainError) as err:
        services.level_override_approve(override=ov, actor=cast.chief_a)
    assert err.value.code == "four_eyes"
    with pytest.raises(PermissionDenied):  # an officer is not an approver
        services.level_override_approve(override=ov, actor=cast.officer_a)
    ov.refresh_from_db()
    assert ov.status == LevelOverride.Status.REQUESTED and services.current_code(cast.premises_a).level == "green"


def test_an_approved_level_change_issues_a_new_code_and_is_audited(cast):
    screened(cast.premises_a, ["green", "green"])
    before = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    with pytest.raises(DomainError) as err:
        services.level_override_request(premises=cast.premises_a, level="red", reason="  ", actor=cast.officer_a)
    assert err.value.code == "reason_required"
    ov = services.level_override_request(premises=cast.premises_a, level="red", reason="现场核查发现未登记人员",
                                         actor=cast.officer_a)
    ov = services.level_override_approve(override=ov, actor=cast.chief_a, note="同意")
    assert ov.status == "approved" and ov.decided_by == cast.chief_a
    after = services.current_code(cast.premises_a)
    assert ov.issued_code == after != before
    assert after.level == "red" and after.people == 2
    assert services.safety_code_verify(after.token).code.level.value == "red"
    assert services.safety_code_verify(before.token).status is Status.REVOKED
    rec = AuditRecord.objects.get(action="override_approve", object_id=str(ov.pk))
    assert rec.actor == "chief_a" and rec.detail["level"] == "red" and rec.detail["code"] == after.code_id
    assert AuditRecord.objects.filter(action="issue", object_id=after.code_id, detail__override=ov.pk).exists()
    with pytest.raises(DomainError) as err:
        services.level_override_reject(override=ov, actor=cast.chief_a)
    assert err.value.code == "already_decided"


def test_police_of_another_station_cannot_request_or_decide_level_changes(cast):
    screened(cast.premises_a, ["green"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    with pytest.raises(PermissionDenied):
        services.level_override_request(premises=cast.premises_a, level="red", reason="x", actor=cast.officer_b)
    with pytest.raises(PermissionDenied):
        services.level_override_request(premises=cast.premises_a, level="red", reason="x", actor=cast.landlord_a)
    ov = services.level_override_request(premises=cast.premises_a, level="yellow", reason="复核", actor=cast.officer_a)
    from pingan.codes import selectors

    with pytest.raises(NotFound):
        selectors.override_get(actor=cast.officer_b, override_id=ov.pk)
    ov = services.level_override_reject(override=ov, actor=cast.chief_a, note="证据不足")
    assert ov.status == "rejected" and services.current_code(cast.premises_a).level == "green"


def test_a_dispute_reaches_the_responsible_unit_and_records_its_outcome(cast):
    from pingan.codes import selectors

    screened(cast.premises_a, ["yellow"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    with pytest.raises(PermissionDenied):
        services.dispute_open(premises=cast.premises_a, text="不对", actor=cast.landlord_b)
    d = services.dispute_open(premises=cast.premises_a, text="黄码人员已离职，名单已更新", actor=cast.landlord_a)
    assert d.unit == cast.unit_a and d.code == code and d.status == "open"
    assert list(selectors.disputes_list(actor=cast.officer_a, purpose="jurisdiction_management")) == [d]
    assert list(selectors.disputes_list(actor=cast.officer_b, purpose="jurisdiction_management")) == []
    assert list(selectors.disputes_list(actor=cast.landlord_b)) == []
    with pytest.raises(PermissionDenied):
        services.dispute_resolve(dispute=d, upheld=True, outcome="ok", actor=cast.officer_b)
    d = services.dispute_resolve(dispute=d, upheld=True, outcome="核实属实，请重新上传名单", actor=cast.officer_a)
    assert (d.status, d.resolved_by) == (Dispute.Status.UPHELD, cast.officer_a)
    assert selectors.dispute_get(actor=cast.landlord_a, dispute_id=d.pk).outcome == "核实属实，请重新上传名单"
    assert AuditRecord.objects.filter(action="dispute_resolve", object_id=str(d.pk)).exists()
    with pytest.raises(DomainError) as err:
        services.dispute_resolve(dispute=d, upheld=False, outcome="again", actor=cast.officer_a)
    assert err.value.code == "already_resolved"


def test_the_trust_store_holds_every_published_key(cast):
    a = services.signing_key_ensure(issuer="350203-LQ")
    b = services.signing_key_ensure(issuer="350206-JT")
    c = services.signing_key_rotate(issuer="350203-LQ")
    store = services.trust_store()
    assert isinstance(store, KeyStore)
    assert {k.kid.hex() for k in store} == {a.kid, b.kid, c.kid}
    assert {k.issuer for k in store} == {"350203-LQ", "350206-JT"}


def test_an_older_roster_finishing_late_does_not_decide_the_code(cast):
    older = screened(cast.premises_a, ["red"], finished_ago=timedelta(minutes=1))  # submitted first, finished last
    newer = screened(cast.premises_a, ["green", "green"], finished_ago=timedelta(minutes=10))
    assert older.pk < newer.pk
    code = services.safety_code_issue(premises=cast.premises_a, actor=None)
    assert code.job_id == newer.pk and code.level == "green"


def test_no_code_from_a_screening_whose_person_data_was_purged(cast):
    from django.utils import timezone

    from pingan.screening.retention import screening_job_purge

    job = screened(cast.premises_a, ["green"], finished_ago=timedelta(days=40))
    screening_job_purge(job_id=job.pk, now=timezone.now())
    with pytest.raises(DomainError) as err:
        services.safety_code_issue(premises=cast.premises_a, actor=None)
    assert err.value.code == "screening_purged" and "submit the roster again" in str(err.value)


def test_a_superseded_code_found_fraudulent_later_can_be_marked_fraud(cast):
    screened(cast.premises_a, ["green"], finished_ago=timedelta(days=1))
    old = services.safety_code_issue(premises=cast.premises_a, actor=None)
    screened(cast.premises_a, ["green"])
    services.safety_code_issue(premises=cast.premises_a, actor=None)  # supersedes: old is revoked "rescreened"
    old.refresh_from_db()
    revoked_at = old.revoked_at
    services.safety_code_revoke(code=old, reason="fraud", actor=cast.officer_a)  # the fresh user could not
    old.refresh_from_db()
    assert (old.revocation_reason, old.revoked_at) == ("fraud", revoked_at)
    assert services.safety_code_verify(old.token).revocation.reason is Reason.FRAUD
    rl = RevocationList.verify(services.revocation_list_current(issuer=old.issuer).data, services.trust_store())
    assert rl.entries[bytes.fromhex(old.code_id)].reason is Reason.FRAUD
    assert AuditRecord.objects.filter(action="revoke_reason", object_id=old.code_id, detail__was="rescreened").exists()
    with pytest.raises(DomainError) as err:  # fraud is final
        services.safety_code_revoke(code=old, reason="error", actor=cast.officer_a)
    assert err.value.code == "already_revoked"


def test_a_stale_approval_cannot_turn_a_newer_red_code_green(cast):
    # issue 12 item 12: a change to green was requested against a yellow code; a later screening issued a red
    # one. Approving the old request now would make the red premises green: it is refused and stays open.
    screened(cast.premises_a, ["yellow"])
    old = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    ov = services.level_override_request(premises=cast.premises_a, level="green", reason="已核实为误报",
                                         actor=cast.officer_a)
    assert ov.code == old
    screened(cast.premises_a, ["red"])
    newer = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    assert newer.level == "red"
    with pytest.raises(DomainError) as err:
        services.level_override_approve(override=ov, actor=cast.chief_a)
    assert err.value.code == "override_stale" and err.value.params["override"] == ov.pk
    ov.refresh_from_db()
    assert ov.status == LevelOverride.Status.REQUESTED and ov.issued_code is None
    assert services.current_code(cast.premises_a) == newer and newer.level == "red"
    assert services.safety_code_verify(newer.token).code.level.value == "red"
    assert not AuditRecord.objects.filter(action="override_approve", object_id=str(ov.pk)).exists()
    # rejecting it is still possible, and a request against the current code is approved as before
    services.level_override_reject(override=ov, actor=cast.chief_a, note="码已更新")
    fresh = services.level_override_request(premises=cast.premises_a, level="yellow", reason="复核后降级",
                                            actor=cast.officer_a)
    assert services.level_override_approve(override=fresh, actor=cast.chief_a).issued_code.level == "yellow"
