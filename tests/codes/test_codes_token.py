"""Safety-code tokens: round trip, every failure reason, tampering with each region, fuzzing."""

from __future__ import annotations

import zlib
from datetime import timedelta

import base45
import cbor2
import pytest
from codes_support import ISSUER, NOW, make_code
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.codes.keys import Alg, KeySigner, KeyStore, generate_private_key
from pingan.codes.levels import Level
from pingan.codes.token import (
    PREFIX,
    Layer,
    SafetyCode,
    Status,
    b45decode,
    b45encode,
    decode,
    encode,
    issue,
    malformed,
    sig_structure,
    verify,
)


def _parts(token: str) -> list[object]:
    return list(cbor2.loads(decode(token)).value)


def _rebuild(parts: list[object]) -> str:
    return encode(cbor2.dumps(cbor2.CBORTag(18, parts)))


def _resign(signer: KeySigner, claims: dict[object, object]) -> str:
    """A code with arbitrary claims, correctly signed: to reach the checks behind the signature."""
    protected = cbor2.dumps({1: int(signer.alg), 4: signer.kid})
    payload = cbor2.dumps(claims)
    return _rebuild([protected, {}, payload, signer.sign(sig_structure(protected, payload))])


def test_it_verifies_a_fresh_code_and_returns_its_contents(signer: KeySigner, trust: KeyStore) -> None:
    code = make_code(level=Level.YELLOW, people=37)
    result = verify(issue(code, signer), trust, now=NOW)
    assert result.ok, result.reason
    assert result.code == code
    assert result.level is Level.YELLOW
    assert result.kid == signer.kid


def test_malformed_judges_a_text_without_keys_as_verify_does(signer: KeySigner, trust: KeyStore) -> None:
    """``pingan code verify PA1:xx`` says "not a complete safety code" before reading any key (on a first run it
    prepared the database first): the same verdict as :func:`verify`, and ``None`` for a text that decodes."""
    for text in ("PA1:xx", "hello", PREFIX, PREFIX + "%%%"):
        bad = malformed(text)
        assert bad is not None and bad == verify(text, trust, now=NOW) and bad.status is Status.MALFORMED
    assert malformed(issue(make_code(level=Level.RED, people=3), signer)) is None


def test_it_encodes_with_the_prefix_in_the_qr_alphanumeric_alphabet(signer: KeySigner) -> None:
    token = issue(make_code(), signer)
    assert token.startswith(PREFIX)
    assert set(token) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_it_carries_no_personal_data_only_the_documented_claims(signer: KeySigner) -> None:
    claims = cbor2.loads(_parts(issue(make_code(), signer))[2])
    assert set(claims) == {4, 6, 7, -65537}
    premises_id, name, level, ruleset, people = claims[-65537]
    assert (premises_id, name.decode("gb18030"), level, ruleset, people) == (101, "莲前出租屋", 1, 1, 12)


def test_it_puts_alg_and_kid_in_the_protected_header(signer: KeySigner) -> None:
    protected, unprotected, _, signature = _parts(issue(make_code(), signer))
    assert cbor2.loads(protected) == {1: int(signer.alg), 4: signer.kid}
    assert dict(unprotected) == {}
    assert len(signature) == 64


def test_it_rejects_a_tampered_payload(signer: KeySigner, trust: KeyStore) -> None:
    protected, unprotected, payload, signature = _parts(issue(make_code(level=Level.RED), signer))
    claims = cbor2.loads(payload)
    claims[-65537][2] = Level.GREEN.wire
    result = verify(_rebuild([protected, unprotected, cbor2.dumps(claims), signature]), trust, now=NOW)
    assert result.status is Status.BAD_SIGNATURE
    assert result.code is None


def test_it_rejects_a_tampered_signature(signer: KeySigner, trust: KeyStore) -> None:
    protected, unprotected, payload, signature = _parts(issue(make_code(), signer))
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert verify(_rebuild([protected, unprotected, payload, flipped]), trust, now=NOW).status is Status.BAD_SIGNATURE


def test_it_rejects_a_truncated_signature(signer: KeySigner, trust: KeyStore) -> None:
    protected, unprotected, payload, signature = _parts(issue(make_code(), signer))
    truncated = _rebuild([protected, unprotected, payload, signature[:-1]])
    assert verify(truncated, trust, now=NOW).status is Status.BAD_SIGNATURE


def test_it_rejects_a_header_whose_alg_was_swapped(es256: KeySigner, trust: KeyStore) -> None:
    _, unprotected, payload, signature = _parts(issue(make_code(), es256))
    swapped = cbor2.dumps({1: int(Alg.EDDSA), 4: es256.kid})
    result = verify(_rebuild([swapped, unprotected, payload, signature]), trust, now=NOW)
    assert result.status is Status.BAD_SIGNATURE
    assert "does not match" in result.reason


def test_it_rejects_a_header_with_extra_protected_parameters(signer: KeySigner, trust: KeyStore) -> None:
    _, unprotected, payload, signature = _parts(issue(make_code(), signer))
    extended = cbor2.dumps({1: int(signer.alg), 4: signer.kid, 3: "application/cwt"})
    assert verify(_rebuild([extended, unprotected, payload, signature]), trust, now=NOW).status is Status.BAD_SIGNATURE


def test_it_rejects_a_header_pointing_at_another_trusted_key(es256: KeySigner, eddsa: KeySigner,
                                                             trust: KeyStore) -> None:
    _, unprotected, payload, signature = _parts(issue(make_code(), eddsa))
    other = cbor2.dumps({1: int(Alg.EDDSA), 4: es256.kid})
    assert verify(_rebuild([other, unprotected, payload, signature]), trust, now=NOW).status is Status.BAD_SIGNATURE


def test_it_reports_an_unknown_key(signer: KeySigner) -> None:
    stranger = KeySigner(generate_private_key(signer.alg), issuer=ISSUER)
    result = verify(issue(make_code(), stranger), KeyStore([signer.trusted_key()]), now=NOW)
    assert result.status is Status.UNKNOWN_KEY
    assert result.kid == stranger.kid


def test_it_keeps_verifying_codes_of_a_rotated_out_key_that_is_still_published(es256: KeySigner) -> None:
    old_code = issue(make_code(), es256)
    successor = KeySigner(generate_private_key(Alg.ES256), issuer=ISSUER)
    store = KeyStore([es256.trusted_key(), successor.trusted_key()])  # old key kept until its codes expire
    new_code = issue(make_code(), successor)
    assert verify(old_code, store, now=NOW).ok
    assert verify(new_code, store, now=NOW).ok
    store.remove(es256.kid)  # after the last old code expired, the key is dropped
    assert verify(old_code, store, now=NOW).status is Status.UNKNOWN_KEY
    assert verify(new_code, store, now=NOW).ok


def test_the_issuer_is_always_the_owner_of_the_signing_key(signer: KeySigner) -> None:
    other_issuer = KeySigner(generate_private_key(signer.alg), issuer="350206-JT")
    signed_by_jt = _resign(other_issuer, make_code().to_claims())  # no iss claim: nothing to forge
    result = verify(signed_by_jt, KeyStore([other_issuer.trusted_key()]), now=NOW)
    assert result.ok
    assert result.code is not None and result.code.issuer == "350206-JT"


def test_it_reports_expiry_at_exactly_exp(signer: KeySigner, trust: KeyStore) -> None:
    code = make_code(validity=timedelta(days=7))
    token = issue(code, signer)
    assert verify(token, trust, now=code.expires_at - timedelta(seconds=1)).ok
    result = verify(token, trust, now=code.expires_at)
    assert result.status is Status.EXPIRED
    assert result.code == code


def test_it_reports_a_code_that_is_not_yet_valid(signer: KeySigner, trust: KeyStore) -> None:
    code = make_code(issued_at=NOW + timedelta(minutes=10))
    assert verify(issue(code, signer), trust, now=NOW).status is Status.NOT_YET_VALID
    assert verify(issue(code, signer), trust, now=NOW, leeway=timedelta(minutes=10)).ok


def test_it_defaults_to_seven_days_validity() -> None:
    code = make_code()
    assert code.expires_at - code.issued_at == timedelta(days=7)


def test_it_refuses_to_sign_for_another_issuer(signer: KeySigner) -> None:
    with pytest.raises(ValueError, match="differs"):
        issue(make_code(issuer="350206-JT"), signer)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("premises_name", "", "premises_name"), ("premises_name", "名" * 41, "premises_name"),
     ("people", -1, "people"), ("issued_at", NOW.replace(tzinfo=None), "timezone-aware")],
)
def test_it_rejects_bad_code_fields(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_code(**{field: value})


def _malformed(token: str | bytes, trust: KeyStore) -> Layer | None:
    result = verify(token, trust, now=NOW)
    assert result.status is Status.MALFORMED, result
    return result.layer


def test_it_names_the_prefix_layer(signer: KeySigner, trust: KeyStore) -> None:
    token = issue(make_code(), signer)
    assert _malformed("HC1:" + token[4:], trust) is Layer.PREFIX
    assert _malformed("", trust) is Layer.PREFIX
    assert _malformed("平安".encode(), trust) is Layer.PREFIX


def test_it_names_the_base45_layer(signer: KeySigner, trust: KeyStore) -> None:
    token = issue(make_code(), signer)
    assert _malformed(token[:-1] if len(token[4:]) % 3 == 2 else token[:-2], trust) is Layer.BASE45
    assert _malformed(token[:10] + "a" + token[11:], trust) is Layer.BASE45  # lower case is not base45
    assert _malformed(PREFIX + ":::", trust) is Layer.BASE45  # 3 × 44 + … > 65535


def test_it_names_the_zlib_layer_for_truncated_and_corrupt_streams(signer: KeySigner, trust: KeyStore) -> None:
    compressed = zlib.compress(decode(issue(make_code(), signer)), 9)
    assert _malformed(PREFIX + base45.b45encode(compressed[:-8]).decode(), trust) is Layer.ZLIB
    bad_header = compressed[:1] + b"\x00" + compressed[2:]  # still starts 0x78, so it is read as zlib
    assert _malformed(PREFIX + base45.b45encode(bad_header).decode(), trust) is Layer.ZLIB
    assert _malformed(PREFIX + base45.b45encode(compressed + b"junk").decode(), trust) is Layer.ZLIB


def test_it_refuses_a_zlib_bomb(trust: KeyStore) -> None:
    assert _malformed(PREFIX + base45.b45encode(zlib.compress(b"\x00" * 100_000)).decode(), trust) is Layer.ZLIB


def test_it_names_the_cbor_layer(signer: KeySigner, trust: KeyStore) -> None:
    cose = decode(issue(make_code(), signer))
    assert _malformed(encode(cose[:-5]), trust) is Layer.CBOR  # truncated item
    assert _malformed(encode(cose + b"\x00"), trust) is Layer.CBOR  # trailing byte
    assert _malformed(encode(b"\xff\xff"), trust) is Layer.CBOR


def test_it_names_the_cose_layer(signer: KeySigner, trust: KeyStore) -> None:
    protected, unprotected, payload, signature = _parts(issue(make_code(), signer))
    assert _malformed(encode(cbor2.dumps(cbor2.CBORTag(98, [protected, {}, payload, signature]))), trust) is Layer.COSE
    assert _malformed(encode(cbor2.dumps([protected, {}, payload])), trust) is Layer.COSE
    assert _malformed(_rebuild([cbor2.dumps({1: -7}), {}, payload, signature]), trust) is Layer.COSE  # no kid
    assert _malformed(_rebuild([protected, [], payload, signature]), trust) is Layer.COSE
    assert _malformed(_rebuild([b"\xa1", unprotected, payload, signature]), trust) is Layer.COSE


def test_it_names_the_cwt_layer_for_well_signed_but_bad_claims(signer: KeySigner, trust: KeyStore) -> None:
    claims = make_code().to_claims()
    del claims[4]
    result = verify(_resign(signer, claims), trust, now=NOW)
    assert (result.status, result.layer) == (Status.MALFORMED, Layer.CWT)
    assert "exp (4)" in result.reason
    claims = make_code().to_claims()
    claims[-65537][2] = 9
    assert "unknown level code 9" in verify(_resign(signer, claims), trust, now=NOW).reason
    claims = make_code().to_claims()
    claims[-65537][1] = "莲前出租屋"  # text instead of GB 18030 bytes
    assert "item 1 (premises name) has the wrong type" in verify(_resign(signer, claims), trust, now=NOW).reason
    claims = make_code().to_claims()
    claims[-65537][1] = b"\x81"  # a GB 18030 lead byte with no trail byte
    assert verify(_resign(signer, claims), trust, now=NOW).layer is Layer.CWT
    claims = make_code().to_claims()
    claims[-65537] = claims[-65537][:4]
    assert "array of 5, got 4" in verify(_resign(signer, claims), trust, now=NOW).reason


def test_it_accepts_an_untagged_cose_sign1_and_the_cwt_tag(signer: KeySigner, trust: KeyStore) -> None:
    parts = _parts(issue(make_code(), signer))
    assert verify(encode(cbor2.dumps(parts)), trust, now=NOW).ok
    assert verify(encode(cbor2.dumps(cbor2.CBORTag(61, cbor2.CBORTag(18, parts)))), trust, now=NOW).ok


def cut_after_a_space(token: str) -> str:
    """The token cut just after a base45 space, at a length (3k+1) that base45 cannot have."""
    for i, char in enumerate(token):
        if char == " " and (i + 1 - len(PREFIX)) % 3 == 1:
            return token[: i + 1]
    raise LookupError("no suitable space")


def test_it_keeps_trailing_spaces_which_are_base45_digits(eddsa: KeySigner, trust: KeyStore) -> None:
    cuts = []
    for _ in range(50):
        try:
            cuts.append(cut_after_a_space(issue(make_code(), eddsa)))
        except LookupError:
            continue
    assert cuts
    for cut in cuts[:5]:
        assert _malformed(cut, trust) is Layer.BASE45  # not "zlib", as it would be if the space were stripped


def test_it_accepts_bytes_and_surrounding_whitespace(signer: KeySigner, trust: KeyStore) -> None:
    token = issue(make_code(), signer)
    assert verify(("  " + token + "\n").encode(), trust, now=NOW).ok


def test_it_round_trips_claims() -> None:
    code = make_code(premises_name="厦门市思明区莲前东路1号出租屋", people=0, level=Level.RED)
    assert SafetyCode.from_claims(code.to_claims(), ISSUER) == code


def test_it_compresses_only_when_that_makes_the_code_shorter(signer: KeySigner, trust: KeyStore) -> None:
    typical = issue(make_code(), signer)
    assert base45.b45decode(typical[len(PREFIX):])[0] == 0xD2  # the COSE_Sign1 itself: zlib would be longer
    cose = decode(typical)
    assert len(zlib.compress(cose, 9)) >= len(cose)
    repetitive = issue(make_code(premises_name="出租屋" * 13), signer)
    assert base45.b45decode(repetitive[len(PREFIX):])[0] == 0x78  # a zlib stream: it is shorter here
    assert verify(typical, trust, now=NOW).ok and verify(repetitive, trust, now=NOW).ok
    assert verify(encode(cose, compress=True), trust, now=NOW).ok


def test_a_typical_code_fits_qr_version_10_at_level_q(signer: KeySigner) -> None:
    import segno

    for name in ("莲前出租屋", "鸿睿思博网络有限公司"):
        qr = segno.make_qr(issue(make_code(premises_name=name, people=1234), signer), error="q", boost_error=False)
        assert qr.version <= 10, (name, qr.version)
        assert qr.mode == "alphanumeric"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_it_never_raises_on_arbitrary_bytes_behind_a_good_prefix(junk: bytes) -> None:
    trust = KeyStore()
    for text in (PREFIX + base45.b45encode(junk).decode(), encode(junk)):
        assert verify(text, trust, now=NOW).status is Status.MALFORMED


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0), replacement=st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"))
def test_it_rejects_any_single_character_change(es256: KeySigner, position: int, replacement: str) -> None:
    trust = KeyStore([es256.trusted_key()])
    token = issue(make_code(), es256)
    index = len(PREFIX) + position % (len(token) - len(PREFIX))
    if token[index] == replacement:
        return
    changed = token[:index] + replacement + token[index + 1:]
    assert verify(changed, trust, now=NOW).status is not Status.VALID


@settings(max_examples=80, deadline=None)
@given(
    name=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip),
    people=st.integers(0, 10**9),
    level=st.sampled_from(list(Level)),
    hours=st.integers(2, 24 * 90),  # make_code issues an hour before NOW
)
def test_it_round_trips_any_valid_content_through_sign_and_verify(
    eddsa: KeySigner, name: str, people: int, level: Level, hours: int
) -> None:
    code = make_code(premises_name=name, people=people, level=level, validity=timedelta(hours=hours))
    result = verify(issue(code, eddsa), KeyStore([eddsa.trusted_key()]), now=NOW)
    assert result.ok
    assert result.code == code


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_the_fast_base45_decoder_inverts_the_reference_encoder(data: bytes) -> None:
    assert b45decode(base45.b45encode(data).decode()) == data


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=400))
def test_the_fast_base45_encoder_is_the_reference_encoder(data: bytes) -> None:
    assert b45encode(data) == base45.b45encode(data).decode()


def _reference(text: str) -> bytes | None:
    try:
        return base45.b45decode(text)
    except ValueError:
        return None


def _ours(text: str) -> bytes | None:
    try:
        return b45decode(text)
    except ValueError:
        return None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:a:é平", max_size=40))
def test_the_fast_base45_decoder_accepts_and_rejects_exactly_what_the_reference_does(text: str) -> None:
    assert _ours(text) == _reference(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [("A0", None), ("A", "length 1"), ("ABa", "'a' at position 2"), ("AB平", "'平' at position 2"),
     ("000:::", "triplet at position 3 encodes 91124"), ("000::", "final pair at position 3 encodes 2024")],
)
def test_the_fast_base45_decoder_says_what_is_wrong(text: str, message: str | None) -> None:
    if message is None:
        assert b45decode(text) == base45.b45decode(text)
        return
    with pytest.raises(ValueError, match=message):
        b45decode(text)


@settings(max_examples=40, deadline=None)
@given(picks=st.lists(st.tuples(st.integers(0, 7), st.integers(min_value=0)), min_size=0, max_size=25))
def test_a_batch_gets_exactly_the_verdicts_of_one_call_per_code(es256: KeySigner, eddsa: KeySigner,
                                                                picks: list[tuple[int, int]]) -> None:
    from pingan.codes.revocation import Reason, Revocation
    from pingan.codes.token import verify_batch

    trust = KeyStore([es256.trusted_key(), eddsa.trusted_key()])
    revoked = make_code()
    entry = Revocation(revoked.code_id, Reason.FRAUD, revoked.expires_at)

    class Revocations:
        def lookup(self, issuer: str, code_id: bytes) -> Revocation | None:
            return entry if (issuer, code_id) == (ISSUER, revoked.code_id) else None

    revocations = Revocations()
    stranger = KeySigner(generate_private_key(Alg.EDDSA), issuer=ISSUER)
    pool = [
        issue(make_code(), es256), issue(make_code(level=Level.RED), eddsa), issue(revoked, es256),
        issue(make_code(issued_at=NOW + timedelta(days=1)), eddsa), issue(make_code(), stranger),
        issue(make_code(validity=timedelta(minutes=30)), es256), "PA1:not base45 at all", "",
    ]
    texts = []
    for kind, where in picks:
        text = pool[kind]
        if where % 3 == 0 and len(text) > 10:  # some codes get one character changed
            index = 4 + where % (len(text) - 4)
            text = text[:index] + ("0" if text[index] != "0" else "1") + text[index + 1:]
        texts.append(text)
    assert verify_batch(texts, trust, revocations, now=NOW) == [verify(t, trust, revocations, now=NOW) for t in texts]
    everything = verify_batch(pool, trust, revocations, now=NOW)
    assert [v.status for v in everything] == [
        Status.VALID, Status.VALID, Status.REVOKED, Status.NOT_YET_VALID, Status.UNKNOWN_KEY, Status.EXPIRED,
        Status.MALFORMED, Status.MALFORMED]


def test_a_revocation_entry_past_its_own_expiry_no_longer_marks_a_code_revoked(es256: KeySigner) -> None:
    """Issue 12 item 21: an entry whose expiry has passed still marked a code revoked (in every verifier)."""
    from pingan.codes.revocation import Reason, Revocation, RevocationList, RevocationSet
    from pingan.codes.token import verify_batch

    trust = KeyStore([es256.trusted_key()])
    code = make_code(validity=timedelta(hours=2))  # issued NOW-1h, expires NOW+1h
    rl = RevocationList.build(issuer=ISSUER, serial=1, issued_at=NOW, next_update=NOW + timedelta(hours=1),
                              revocations=[Revocation(code.code_id, Reason.FRAUD, code.expires_at)])
    revocations = RevocationSet([rl])
    text = issue(code, es256)
    assert verify(text, trust, revocations, now=NOW).status is Status.REVOKED
    later = code.expires_at + timedelta(seconds=1)  # the list is cached offline; the entry has lapsed
    assert verify(text, trust, revocations, now=later).status is Status.EXPIRED
    assert verify_batch([text], trust, revocations, now=later)[0].status is Status.EXPIRED
    # with leeway the entry lapses exactly when the code itself reads expired
    lenient = verify(text, trust, revocations, now=later, leeway=timedelta(minutes=5))
    assert lenient.status is Status.REVOKED
