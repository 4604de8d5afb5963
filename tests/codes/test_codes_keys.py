"""Signing keys: files, environment secrets, no leaks, published key sets."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import timedelta
from pathlib import Path

import cbor2
import pytest
from codes_support import ISSUER, NOW, make_code
from cryptography.exceptions import InvalidSignature
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.codes.keys import (
    Alg,
    KeyMaterialError,
    KeySigner,
    KeyStore,
    Signer,
    TrustedKey,
    generate_private_key,
    kid_for,
    write_private_key,
)
from pingan.codes.revocation import Reason, Revocation, RevocationList, RevocationSet
from pingan.codes.token import issue, verify


@pytest.mark.parametrize("alg", [Alg.ES256, Alg.EDDSA])
def test_it_loads_a_written_key_file_and_signs_verifiable_codes(tmp_path: Path, alg: Alg) -> None:
    key = generate_private_key(alg)
    path = write_private_key(tmp_path / "issuer.pem", key)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    signer = KeySigner.from_file(path, issuer=ISSUER)
    assert isinstance(signer, Signer)
    assert signer.alg is alg
    assert signer.kid == kid_for(key.public_key())
    assert len(signer.kid) == 8
    assert verify(issue(make_code(), signer), KeyStore([signer.trusted_key()]), now=NOW).ok


def test_it_loads_an_encrypted_key_file_only_with_its_passphrase(tmp_path: Path) -> None:
    path = write_private_key(tmp_path / "k.pem", generate_private_key(), passphrase=b"s3cret-pass")
    assert KeySigner.from_file(path, issuer=ISSUER, passphrase=b"s3cret-pass").alg is Alg.ES256
    with pytest.raises(KeyMaterialError, match=r"k\.pem"):
        KeySigner.from_file(path, issuer=ISSUER, passphrase=b"wrong")


def test_it_refuses_to_overwrite_a_key_file(tmp_path: Path) -> None:
    write_private_key(tmp_path / "k.pem", generate_private_key())
    with pytest.raises(FileExistsError):
        write_private_key(tmp_path / "k.pem", generate_private_key())


def test_it_names_a_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError, match="cannot read"):
        KeySigner.from_file(tmp_path / "absent.pem", issuer=ISSUER)


def test_it_rejects_a_key_on_an_unsupported_curve(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    path = write_private_key(tmp_path / "p384.pem", ec.generate_private_key(ec.SECP384R1()))  # type: ignore[arg-type]
    with pytest.raises(KeyMaterialError, match="P-256"):
        KeySigner.from_file(path, issuer=ISSUER)


def test_it_loads_a_key_from_an_environment_secret_or_its_file(tmp_path: Path) -> None:
    path = write_private_key(tmp_path / "k.pem", generate_private_key(Alg.EDDSA))
    pem = path.read_text()
    from_value = KeySigner.from_env("PINGAN_CODES_KEY", issuer=ISSUER, environ={"PINGAN_CODES_KEY": pem})
    from_file = KeySigner.from_env("PINGAN_CODES_KEY", issuer=ISSUER, environ={"PINGAN_CODES_KEY_FILE": str(path)})
    assert from_value.kid == from_file.kid
    with pytest.raises(KeyMaterialError, match="PINGAN_CODES_KEY"):
        KeySigner.from_env("PINGAN_CODES_KEY", issuer=ISSUER, environ={})


def test_it_keeps_private_key_material_out_of_reprs_errors_and_logs(tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    path = write_private_key(tmp_path / "k.pem", generate_private_key())
    pem = path.read_text()
    body = "".join(pem.splitlines()[1:-1])
    caplog.set_level(logging.DEBUG)
    signer = KeySigner.from_file(path, issuer=ISSUER)
    logging.getLogger("test").info("loaded %r", signer)
    with pytest.raises(KeyMaterialError) as excinfo:
        KeySigner.from_env("K", issuer=ISSUER, environ={"K": pem.replace("A", "B", 5)[:-40]})
    for text in (repr(signer), str(excinfo.value), caplog.text, repr(signer.trusted_key())):
        assert body[:24] not in text
        assert "PRIVATE" not in text
    assert signer.kid.hex() in repr(signer)


def test_it_publishes_a_cose_key_set_and_jwks_that_parse_back(es256: KeySigner, eddsa: KeySigner) -> None:
    store = KeyStore([es256.trusted_key(), eddsa.trusted_key()])
    cose_set = cbor2.loads(store.to_cose_key_set())
    assert [k[1] for k in cose_set] == [2, 1]  # EC2, OKP (RFC 9053 §7)
    assert [k[3] for k in cose_set] == [-7, -8]
    assert all(k["iss"] == ISSUER for k in cose_set)
    jwks = json.loads(json.dumps(store.to_jwks()))
    assert [(k["kty"], k["crv"], k["alg"]) for k in jwks["keys"]] == [("EC", "P-256", "ES256"),
                                                                      ("OKP", "Ed25519", "EdDSA")]
    assert not any("d" in k for k in jwks["keys"])  # never the private scalar
    token = issue(make_code(), eddsa)
    for parsed in (KeyStore.from_cose_key_set(store.to_cose_key_set()), KeyStore.from_jwks(jwks)):
        assert [k.kid for k in parsed] == [es256.kid, eddsa.kid]
        assert verify(token, parsed, now=NOW).ok


def test_it_names_the_bad_entry_of_a_key_set() -> None:
    with pytest.raises(KeyMaterialError, match="JWK #0"):
        KeyStore.from_jwks({"keys": [{"kty": "RSA", "kid": "AA", "iss": ISSUER}]})
    with pytest.raises(KeyMaterialError, match="not valid CBOR"):
        KeyStore.from_cose_key_set(b"\xff")


class SameKidSigner:
    """A real key that signs under another key's id (a kid is a truncated hash: two keys may share one)."""

    def __init__(self, kid: bytes, alg: Alg = Alg.ES256) -> None:
        self._inner = KeySigner(generate_private_key(alg), issuer=ISSUER)
        self.kid, self.alg, self.issuer = kid, alg, ISSUER

    def sign(self, data: bytes) -> bytes:
        return self._inner.sign(data)

    def public_key(self):
        return self._inner.public_key()

    def trusted_key(self) -> TrustedKey:
        return TrustedKey(kid=self.kid, alg=self.alg, issuer=ISSUER, public_key=self.public_key())


def test_two_keys_under_one_kid_both_verify_their_codes(es256: KeySigner) -> None:
    """Issue 12 item 21: with two keys under one kid a valid code read bad_signature (DCC: try every key)."""
    twin = SameKidSigner(es256.kid)
    store = KeyStore([es256.trusted_key(), twin.trusted_key()])
    assert len(store) == 2 and len(store.candidates(es256.kid)) == 2
    for signer in (es256, twin):
        assert verify(issue(make_code(), signer), store, now=NOW).ok
    # the key sets keep both, and a store read back from them verifies both
    for parsed in (KeyStore.from_jwks(store.to_jwks()), KeyStore.from_cose_key_set(store.to_cose_key_set())):
        assert len(parsed) == 2
        assert verify(issue(make_code(), twin), parsed, now=NOW).ok
    # a third key under that kid is still a bad signature, naming how many keys were tried
    stranger = issue(make_code(), SameKidSigner(es256.kid))
    result = verify(stranger, store, now=NOW)
    assert result.status.value == "bad_signature" and "tried the 2 keys" in result.reason
    # adding the very same key again keeps one copy
    store.add(es256.trusted_key())
    assert len(store) == 2


def test_a_revocation_list_signed_by_the_second_key_of_a_kid_verifies(es256: KeySigner) -> None:
    twin = SameKidSigner(es256.kid)
    store = KeyStore([es256.trusted_key(), twin.trusted_key()])
    revoked = make_code()
    rl = RevocationList.build(issuer=ISSUER, serial=1, issued_at=NOW, next_update=NOW + timedelta(hours=1),
                              revocations=[Revocation(revoked.code_id, Reason.FRAUD, revoked.expires_at)])
    parsed = RevocationList.verify(rl.sign(twin), store)
    assert parsed.lookup(ISSUER, revoked.code_id) is not None
    result = verify(issue(revoked, es256), store, RevocationSet([parsed]), now=NOW)
    assert result.status.value == "revoked"


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), flip=st.integers(min_value=0),
       target=st.sampled_from(["signature", "data", "none"]))
def test_libsodium_and_openssl_agree_on_every_ed25519_signature(eddsa: KeySigner, data: bytes, flip: int,
                                                                 target: str) -> None:
    signature = eddsa.sign(data)
    if target == "signature":
        bit = flip % (8 * len(signature))
        signature = bytes(b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(signature))
    elif target == "data" and data:
        bit = flip % (8 * len(data))
        data = bytes(b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(data))
    try:
        eddsa.public_key().verify(signature, data)  # OpenSSL through cryptography
        openssl = True
    except InvalidSignature:
        openssl = False
    assert eddsa.trusted_key().verify(signature, data) is openssl  # libsodium through PyNaCl
    assert openssl is (target == "none" or (target == "data" and not data))


def test_an_ed25519_signature_of_the_wrong_length_is_simply_invalid(eddsa: KeySigner) -> None:
    key = eddsa.trusted_key()
    assert key.verify(eddsa.sign(b"x")[:63], b"x") is False
    assert key.verify(eddsa.sign(b"x") + b"\x00", b"x") is False
