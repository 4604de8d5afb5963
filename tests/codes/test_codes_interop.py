"""Interoperability: an independent verifier written from docs/codes.md (cbor2 + base45 + cryptography only).

Nothing below imports pingan's decoding code; pingan is only used to *issue* codes and publish keys.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from base64 import urlsafe_b64decode
from datetime import UTC, datetime, timedelta
from pathlib import Path

import base45
import cbor2
import pytest
from codes_support import ISSUER, NOW, make_code
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from pingan.codes.keys import KeySigner, KeyStore
from pingan.codes.levels import Level
from pingan.codes.revocation import Reason, Revocation, RevocationList
from pingan.codes.token import Status, issue, verify

DOCS = Path(__file__).resolve().parents[2] / "docs" / "codes.md"


def _b64u(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


def independent_keys(jwks: dict) -> dict[bytes, tuple[int, str, object]]:
    """§5: kid → (alg, issuer, public key) from the JWKS."""
    keys = {}
    for k in jwks["keys"]:
        if k["kty"] == "EC":
            x, y = int.from_bytes(_b64u(k["x"]), "big"), int.from_bytes(_b64u(k["y"]), "big")
            keys[_b64u(k["kid"])] = (-7, k["iss"], ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key())
        else:
            keys[_b64u(k["kid"])] = (-8, k["iss"], ed25519.Ed25519PublicKey.from_public_bytes(_b64u(k["x"])))
    return keys


def independent_verify(text: str, keys: dict, revoked: set[bytes], now: int) -> tuple[str, dict | None]:
    """§2, §3, §4 and §7 of docs/codes.md, step by step."""
    if not text.startswith("PA1:"):
        return "malformed", None
    body = base45.b45decode(text[4:])
    cose = zlib.decompress(body) if body[0] == 0x78 else body  # §2 step 3: zlib only when it starts 0x78
    item = cbor2.loads(cose)
    if isinstance(item, cbor2.CBORTag):
        assert item.tag == 18
        item = item.value
    protected, _unprotected, payload, signature = item
    header = cbor2.loads(protected)
    alg, kid = header[1], header[4]
    if kid not in keys:
        return "unknown_key", None
    key_alg, issuer, key = keys[kid]
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    try:
        if alg != key_alg:
            raise InvalidSignature
        if alg == -7:
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, to_be_signed, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(signature, to_be_signed)
    except InvalidSignature:
        return "bad_signature", None
    claims = cbor2.loads(payload)
    premises_id, name, level, ruleset, people = claims[-65537]
    content = {
        "iss": issuer, "iat": claims[6], "exp": claims[4], "cti": claims[7],
        "premises_id": premises_id, "name": name.decode("gb18030"),
        "level": {1: "green", 2: "yellow", 3: "red"}[level], "ruleset": ruleset, "people": people,
    }
    if content["cti"] in revoked:
        return "revoked", content
    if now < content["iat"]:
        return "not_yet_valid", content
    if now >= content["exp"]:
        return "expired", content
    return "valid", content


def test_an_independent_verifier_accepts_pingan_codes_and_reads_the_same_content(signer: KeySigner,
                                                                                trust: KeyStore) -> None:
    code = make_code(level=Level.RED, people=44)
    keys = independent_keys(json.loads(json.dumps(trust.to_jwks())))
    status, content = independent_verify(issue(code, signer), keys, set(), int(NOW.timestamp()))
    assert status == "valid"
    assert content == {
        "iss": ISSUER, "iat": int(code.issued_at.timestamp()),
        "exp": int(code.expires_at.timestamp()), "cti": code.code_id, "premises_id": code.premises_id,
        "name": code.premises_name, "level": "red", "ruleset": 1, "people": 44,
    }


def test_the_independent_kid_derivation_matches_section_5(signer: KeySigner) -> None:
    spki = signer.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    assert hashlib.sha256(spki).digest()[:8] == signer.kid


@pytest.mark.parametrize(
    ("case", "expected"),
    [("expired", Status.EXPIRED), ("future", Status.NOT_YET_VALID), ("revoked", Status.REVOKED),
     ("stranger", Status.UNKNOWN_KEY)],
)
def test_both_verifiers_agree_on_each_failure(case: str, expected: Status, es256: KeySigner,
                                              trust: KeyStore) -> None:
    from pingan.codes.keys import generate_private_key

    code = make_code(issued_at=NOW + timedelta(hours=1) if case == "future" else NOW - timedelta(hours=1))
    signer = KeySigner(generate_private_key(), issuer=ISSUER) if case == "stranger" else es256
    when = NOW + timedelta(days=8) if case == "expired" else NOW
    revoked = {code.code_id} if case == "revoked" else set()
    signed_list = RevocationList.build(
        issuer=ISSUER, serial=1, issued_at=NOW, next_update=NOW + timedelta(hours=1),
        revocations=[Revocation(c, Reason.FRAUD, code.expires_at) for c in revoked],
    ).sign(es256)
    token = issue(code, signer)
    ours = verify(token, trust, RevocationList.verify(signed_list, trust), now=when)
    theirs, _ = independent_verify(token, independent_keys(trust.to_jwks()), revoked, int(when.timestamp()))
    assert ours.status is expected
    assert theirs == expected.value


def test_the_documented_test_vector_verifies_with_both_verifiers() -> None:
    text = DOCS.read_text(encoding="utf-8")
    vector = re.search(r"^(PA1:[0-9A-Z $%*+\-./:]+)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    jwks = json.loads(re.search(r'^(\{"keys": .*\})$', text, re.MULTILINE).group(1))  # type: ignore[union-attr]
    cose_hex = re.search(r"^(d284[0-9a-f\n]+)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert base45.b45decode(vector[4:]).hex() == cose_hex.replace("\n", "")  # stored uncompressed
    when = int(datetime(2026, 11, 30, tzinfo=UTC).timestamp())
    status, content = independent_verify(vector, independent_keys(jwks), set(), when)
    assert (status, content["name"], content["level"]) == ("valid", "莲前出租屋", "green")  # type: ignore[index]
    # The vector is reproducible: Ed25519 is deterministic and the documented seed is 00 01 .. 1f.
    signer = KeySigner(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))), issuer="350203-LQ")
    from pingan.codes.token import SafetyCode

    code = SafetyCode.new(issuer="350203-LQ", premises_id=101, premises_name="莲前出租屋",
                          level=Level.GREEN, people=12, issued_at=datetime(2026, 11, 29, 8, tzinfo=UTC),
                          code_id=bytes.fromhex("0123456789abcdef"))
    assert issue(code, signer) == vector
    assert verify(vector, KeyStore.from_jwks(jwks), now=datetime(2026, 11, 30, tzinfo=UTC)).ok


@pytest.mark.parametrize("name", ["莲前出租屋", "出租屋" * 13, "𠀀 Café €5"], ids=["plain", "compressible", "rare"])
def test_the_independent_verifier_reads_both_the_plain_and_the_compressed_form(name: str, signer: KeySigner,
                                                                             trust: KeyStore) -> None:
    code = make_code(premises_name=name)
    status, content = independent_verify(issue(code, signer), independent_keys(trust.to_jwks()), set(),
                                         int(NOW.timestamp()))
    assert (status, content["name"]) == ("valid", name)  # type: ignore[index]
