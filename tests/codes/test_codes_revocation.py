"""Signed revocation lists: revoke, sign, fetch, cache, and refuse forgeries and replays."""

from __future__ import annotations

from datetime import timedelta

import cbor2
import pytest
from codes_support import ISSUER, NOW, make_code

from pingan.codes.keys import Alg, KeySigner, KeyStore, generate_private_key
from pingan.codes.revocation import (
    Reason,
    Revocation,
    RevocationList,
    RevocationListError,
    RevocationSet,
)
from pingan.codes.token import Status, decode, encode, issue, verify


def _list(*revocations: Revocation, serial: int = 1) -> RevocationList:
    return RevocationList.build(issuer=ISSUER, serial=serial, issued_at=NOW, next_update=NOW + timedelta(hours=6),
                                revocations=revocations)


def test_it_reports_a_revoked_code_with_its_reason(signer: KeySigner, trust: KeyStore) -> None:
    code, other = make_code(), make_code()
    signed = _list(Revocation(code.code_id, Reason.FRAUD, code.expires_at)).sign(signer)
    revocations = RevocationSet([RevocationList.verify(signed, trust)])
    result = verify(issue(code, signer), trust, revocations, now=NOW)
    assert result.status is Status.REVOKED
    assert result.revocation is not None and result.revocation.reason is Reason.FRAUD
    assert verify(issue(other, signer), trust, revocations, now=NOW).ok


def test_it_round_trips_a_signed_list(es256: KeySigner, trust: KeyStore) -> None:
    codes = [make_code() for _ in range(3)]
    original = _list(*(Revocation(c.code_id, Reason.RESCREENED, c.expires_at) for c in codes), serial=7)
    parsed = RevocationList.verify(original.sign(es256), trust)
    assert parsed == original
    assert not parsed.is_stale(NOW)
    assert parsed.is_stale(NOW + timedelta(hours=6))


def test_it_drops_entries_whose_codes_have_expired() -> None:
    old = make_code(issued_at=NOW - timedelta(days=30))
    live = make_code()
    built = _list(Revocation(old.code_id, Reason.ERROR, old.expires_at),
                  Revocation(live.code_id, Reason.ERROR, live.expires_at))
    assert list(built.entries) == [live.code_id]


def test_it_is_compact(es256: KeySigner) -> None:
    entries = [Revocation(make_code().code_id, Reason.RESCREENED, NOW + timedelta(days=7)) for _ in range(1000)]
    assert len(_list(*entries).sign(es256)) < 20 * 1000 + 200


def test_it_rejects_a_list_with_a_tampered_payload(es256: KeySigner, trust: KeyStore) -> None:
    code = make_code()
    parts = list(cbor2.loads(_list(Revocation(code.code_id, Reason.FRAUD, code.expires_at)).sign(es256)).value)
    body = cbor2.loads(parts[2])
    body[-65539] = []  # an attacker un-revokes the code
    parts[2] = cbor2.dumps(body)
    with pytest.raises(RevocationListError, match="signature"):
        RevocationList.verify(cbor2.dumps(cbor2.CBORTag(18, parts)), trust)


def test_it_rejects_a_list_signed_by_an_unknown_key(trust: KeyStore) -> None:
    stranger = KeySigner(generate_private_key(Alg.EDDSA), issuer=ISSUER)
    with pytest.raises(RevocationListError, match="unknown key"):
        RevocationList.verify(_list().sign(stranger), trust)


def test_it_never_takes_a_safety_code_for_a_list_or_a_list_for_a_code(es256: KeySigner, trust: KeyStore) -> None:
    cose = decode(issue(make_code(), es256))
    with pytest.raises(RevocationListError, match="signature"):
        RevocationList.verify(cose, trust)  # different external AAD → the signature cannot match
    assert verify(encode(_list().sign(es256)), trust, now=NOW).status is Status.BAD_SIGNATURE


def test_it_keeps_the_newest_list_and_ignores_a_replayed_older_one() -> None:
    code = make_code()
    newer = _list(Revocation(code.code_id, Reason.FRAUD, code.expires_at), serial=5)
    older = _list(serial=4)
    cache = RevocationSet([newer])
    assert cache.add(older) is False
    assert cache.lookup(ISSUER, code.code_id) is not None
    assert cache.lookup("350206-JT", code.code_id) is None


def test_it_refuses_to_sign_another_issuers_list(es256: KeySigner) -> None:
    other = RevocationList.build(issuer="350206-JT", serial=1, issued_at=NOW, next_update=NOW + timedelta(hours=1),
                                 revocations=[])
    with pytest.raises(ValueError, match="differs"):
        other.sign(es256)
