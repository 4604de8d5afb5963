"""Safety codes (平安码) as signed CBOR Web Tokens: build, sign, encode, and verify offline.

The format (docs/codes.md gives it byte by byte, with the claim map):

``"PA1:" + base45( zlib( COSE_Sign1( protected={1: alg, 4: kid}, payload=CWT claims ) ) or the COSE itself )``

* CWT claims, RFC 8392: ``exp`` (4), ``iat`` (6, also the start of validity), ``cti`` (7), and one
  private-use claim ``-65537`` (RFC 8392 §9.1: keys below -65536 are private use) holding the premises
  array ``[premises id (uint), display name (GB 18030 bytes), level (1 green / 2 yellow / 3 red),
  rule-set version, people covered]``. No names or ID numbers of people, ever. The issuer is not a
  claim: it is the owner of the signing key named by ``kid`` in the published key set.
* COSE_Sign1, RFC 9052 §4.2, CBOR tag 18; signature over ``Sig_structure = ["Signature1", protected,
  h'', payload]`` (RFC 9052 §4.4) with ES256 or EdDSA/Ed25519 (RFC 9053); ``kid`` in the protected header.
* zlib (RFC 1950), base45 (RFC 9285), a version prefix — the layering of the EU Digital COVID
  Certificate (eHealth Network, "Electronic Health Certificate Container Format" v1.3), so that the
  text fits a QR code in alphanumeric mode. Unlike the DCC, the zlib layer is used only when it makes the
  code shorter (a verifier tells the two apart by the first byte, 0x78); for a typical code it does not,
  and skipping it keeps the code within QR version 10 at error-correction level Q.

:func:`verify` never raises for a bad code: it returns a :class:`Verification` whose ``status`` and
``layer`` say exactly why a code fails. This module imports no Django.
"""

from __future__ import annotations

import functools
import io
import secrets
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import base45
import cbor2
import numpy as np

from pingan.codes import urlform
from pingan.codes.keys import KeyStore, Signer, TrustedKey
from pingan.codes.levels import RULESET_VERSION, Level

if TYPE_CHECKING:
    from pingan.codes.revocation import Revocation

#: The version prefix in front of the base45 text ("PA" = pingan, format version 1).
PREFIX = "PA1:"
#: Default validity of a code.
DEFAULT_VALIDITY = timedelta(days=7)
#: Length of a code id (CWT ``cti``) in bytes.
CTI_LENGTH = 8
#: Private-use CWT claim key holding the premises array.
PREMISES_CLAIM = -65537
#: Longest accepted premises display name, in characters (keeps the QR small), and issuer id.
MAX_NAME_LENGTH = 40
MAX_ID_LENGTH = 40
#: The encoding of the premises display name inside a code: GB 18030 (GB 18030-2022, the mandatory
#: Chinese coded character set) takes 2 bytes per common CJK character where UTF-8 takes 3, and covers
#: all of Unicode. Web browsers decode it (WHATWG Encoding Standard, "gb18030").
NAME_ENCODING = "gb18030"
#: Decompressed tokens larger than this are refused (defends against zlib bombs).
MAX_TOKEN_BYTES = 4096
#: The first byte of every zlib stream pingan writes (RFC 1950 CMF: deflate, 32 KiB window). A COSE_Sign1
#: starts with 0xD2 (tag 18), 0x84 (untagged array) or 0xD8 (tag 61), so the two forms cannot be confused.
ZLIB_FIRST_BYTE = 0x78

_COSE_SIGN1_TAG = 18
_CWT_TAG = 61
# CWT claim keys (RFC 8392 §3.1 / IANA "CBOR Web Token Claims").
_EXP, _IAT, _CTI = 4, 6, 7
# Positions inside the premises array.
_PREMISES_FIELDS = ("premises id", "premises name", "level", "rule-set version", "people")


class Status(StrEnum):
    """The outcome of verifying a code."""

    VALID = "valid"
    MALFORMED = "malformed"          # not decodable: see Verification.layer
    UNKNOWN_KEY = "unknown_key"      # kid not in the trust store
    BAD_SIGNATURE = "bad_signature"  # signature does not verify (or alg does not match the key)
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


class Layer(StrEnum):
    """The encoding layer at which a malformed code failed, outermost first."""

    PREFIX = "prefix"
    BASE45 = "base45"
    DIGITS = "digits"  # the URL form's fragment (pingan.codes.urlform)
    ZLIB = "zlib"
    CBOR = "cbor"
    COSE = "cose"
    CWT = "cwt"


class RevocationSource(Protocol):
    """Anything that can tell whether a code is revoked (see :mod:`pingan.codes.revocation`)."""

    def lookup(self, issuer: str, code_id: bytes) -> Revocation | None:
        """The revocation of code ``code_id`` of ``issuer``, or ``None``."""
        ...


class MalformedError(ValueError):
    """A code could not be decoded; ``layer`` names the layer, the message says what was wrong."""

    def __init__(self, layer: Layer, message: str) -> None:
        super().__init__(f"{layer.value}: {message}")
        self.layer = layer
        self.message = message


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is UTC and not value.microsecond:
        return value  # already normal: the common case when verifying
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class SafetyCode:
    """The signed content of a safety code: premises, level, validity — no personal data.

    Datetimes are timezone-aware UTC, whole seconds (CWT NumericDate); a code is valid from ``issued_at``
    until just before ``expires_at``. ``code_id`` is the CWT ``cti`` (8 random bytes), the handle for
    revocation. ``issuer`` is the issuing unit (the owner of the signing key; it is not written into the
    token). ``premises_id`` is the issuer's integer id of the premises. ``ruleset_version`` is the version
    of ``pingan.codes.level`` that produced ``level``; ``people`` the number of people covered.
    Raises ``ValueError`` on construction for an empty/too long name or issuer, a name GB 18030 cannot
    encode, naive datetimes, ``expires_at`` not after ``issued_at``, or a negative id or people count.
    """

    code_id: bytes
    issuer: str
    premises_id: int
    premises_name: str
    level: Level
    issued_at: datetime
    expires_at: datetime
    ruleset_version: int
    people: int

    def __post_init__(self) -> None:
        # Written for speed as well as clarity: every verification builds one (docs/codes.md §11).
        issued_at, expires_at = _utc(self.issued_at, "issued_at"), _utc(self.expires_at, "expires_at")
        if issued_at is not self.issued_at:
            object.__setattr__(self, "issued_at", issued_at)
        if expires_at is not self.expires_at:
            object.__setattr__(self, "expires_at", expires_at)
        if type(self.level) is not Level:
            object.__setattr__(self, "level", Level(self.level))
        if type(self.code_id) is not bytes or not 1 <= len(self.code_id) <= 32:
            raise ValueError("code_id must be 1 to 32 bytes")
        for name, value, limit in (("issuer", self.issuer, MAX_ID_LENGTH),
                                   ("premises_name", self.premises_name, MAX_NAME_LENGTH)):
            if type(value) is not str or not value.strip() or len(value) > limit:
                raise ValueError(f"{name} must be a non-empty string of at most {limit} characters, got {value!r}")
        if not self.premises_name.isascii():
            try:
                self.premises_name.encode(NAME_ENCODING)
            except UnicodeEncodeError:
                raise ValueError(f"premises_name {self.premises_name!r} cannot be encoded in GB 18030") from None
        if expires_at <= issued_at:
            raise ValueError(f"expires_at {expires_at} must be after issued_at {issued_at}")
        for name, value in (("premises_id", self.premises_id), ("ruleset_version", self.ruleset_version),
                            ("people", self.people)):
            if type(value) is not int or value < 0:  # bool is not accepted as int
                raise ValueError(f"{name} must be an integer ≥ 0, got {value!r}")

    @classmethod
    def new(
        cls, *, issuer: str, premises_id: int, premises_name: str, level: Level, people: int,
        issued_at: datetime, validity: timedelta = DEFAULT_VALIDITY, ruleset_version: int = RULESET_VERSION,
        code_id: bytes | None = None,
    ) -> SafetyCode:
        """A code valid from ``issued_at`` for ``validity`` (default 7 days), with a fresh random code id."""
        if validity <= timedelta(0):
            raise ValueError(f"validity must be positive, got {validity}")
        issued_at = _utc(issued_at, "issued_at")
        return cls(
            code_id=code_id if code_id is not None else secrets.token_bytes(CTI_LENGTH),
            issuer=issuer, premises_id=premises_id, premises_name=premises_name, level=level,
            issued_at=issued_at, expires_at=issued_at + validity,
            ruleset_version=ruleset_version, people=people,
        )

    def to_claims(self) -> dict[int, Any]:
        """The CWT claims map (integer keys, see the module docstring)."""
        return {
            _IAT: int(self.issued_at.timestamp()),
            _EXP: int(self.expires_at.timestamp()),
            _CTI: self.code_id,
            PREMISES_CLAIM: [
                self.premises_id,
                self.premises_name.encode(NAME_ENCODING),
                self.level.wire,
                self.ruleset_version,
                self.people,
            ],
        }

    @classmethod
    def from_claims(cls, claims: Any, issuer: str) -> SafetyCode:
        """Parse a CWT claims map of a code signed by ``issuer``'s key.

        Raises :class:`MalformedError` (layer ``cwt``) naming the missing or bad claim.
        """
        if not isinstance(claims, dict | Mapping):
            raise MalformedError(Layer.CWT, "the COSE payload is not a CBOR map of CWT claims")
        premises = _claim(claims, PREMISES_CLAIM, list, "premises claim -65537")
        if len(premises) != len(_PREMISES_FIELDS):
            raise MalformedError(Layer.CWT, f"premises claim -65537 must be an array of {len(_PREMISES_FIELDS)}, "
                                            f"got {len(premises)} items")
        premises_id, raw_name, wire_level, ruleset_version, people = premises
        if not (type(premises_id) is int and type(raw_name) is bytes and type(wire_level) is int
                and type(ruleset_version) is int and type(people) is int):
            for index, (value, kind) in enumerate(zip(premises, (int, bytes, int, int, int), strict=True)):
                if type(value) is not kind:  # bool is not int here, nor a bytes subclass bytes
                    raise MalformedError(Layer.CWT, f"premises claim item {index} ({_PREMISES_FIELDS[index]}) has "
                                                    f"the wrong type {type(value).__name__}")
        try:
            level = Level.from_wire(wire_level)
            name = raw_name.decode(NAME_ENCODING)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedError(Layer.CWT, str(exc)) from None
        try:
            return cls(
                code_id=_claim(claims, _CTI, bytes, "cti (7)"),
                issuer=issuer,
                premises_id=premises_id,
                premises_name=name,
                level=level,
                issued_at=_date(_claim(claims, _IAT, int, "iat (6)")),
                expires_at=_date(_claim(claims, _EXP, int, "exp (4)")),
                ruleset_version=ruleset_version,
                people=people,
            )
        except MalformedError:
            raise
        except (ValueError, OverflowError, OSError) as exc:
            # SafetyCode's own checks (ValueError) and out-of-range NumericDates (OverflowError/OSError
            # from datetime.fromtimestamp) both mean a well-signed but unusable claims set.
            raise MalformedError(Layer.CWT, str(exc)) from None


_MISSING = object()


def _claim(claims: Mapping[Any, Any], key: int, kind: type, name: str) -> Any:
    value = claims.get(key, _MISSING)
    if value is _MISSING:
        raise MalformedError(Layer.CWT, f"claim {name} is missing")
    if type(value) is not kind and (not isinstance(value, kind) or isinstance(value, bool)):
        raise MalformedError(Layer.CWT, f"claim {name} has the wrong type {type(value).__name__}")
    return value


def _date(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def sig_structure(protected: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """The COSE ``Sig_structure`` for COSE_Sign1 (RFC 9052 §4.4), CBOR-encoded: the bytes that are signed."""
    return cbor2.dumps(["Signature1", protected, external_aad, payload])


@functools.lru_cache(maxsize=64)
def _protected(alg: int, kid: bytes) -> bytes:
    """The protected header ``{1: alg, 4: kid}`` as CBOR: the same for every code a key signs, encoded once."""
    return cbor2.dumps({1: alg, 4: kid})


def sign1(payload: bytes, signer: Signer, *, external_aad: bytes = b"") -> bytes:
    """A tagged COSE_Sign1 (RFC 9052 §4.2) over ``payload`` with ``{1: alg, 4: kid}`` protected."""
    protected = _protected(int(signer.alg), signer.kid)
    signature = signer.sign(sig_structure(protected, payload, external_aad))
    return cbor2.dumps(cbor2.CBORTag(_COSE_SIGN1_TAG, [protected, {}, payload, signature]))


@dataclass(frozen=True, slots=True)
class Sign1:
    """A decoded (not yet verified) COSE_Sign1: raw protected bytes, its alg and kid, payload, signature."""

    protected: bytes
    alg: int
    kid: bytes
    payload: bytes
    signature: bytes


def loads_cbor(data: bytes, layer: Layer = Layer.CBOR) -> Any:
    """Decode exactly one CBOR item (RFC 8949); trailing bytes or any decode error raise :class:`MalformedError`."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception as exc:
        raise MalformedError(layer, f"not valid CBOR ({type(exc).__name__}: {exc})") from None
    if stream.tell() != len(data):
        raise MalformedError(layer, f"{len(data) - stream.tell()} trailing byte(s) after the CBOR item")
    return item


def parse_sign1(data: bytes) -> Sign1:
    """Decode a COSE_Sign1 (tag 18 optional, CWT tag 61 around it allowed; RFC 8392 §6).

    Raises :class:`MalformedError` with layer ``cbor`` (not CBOR) or ``cose`` (not a COSE_Sign1, no
    kid/alg in the protected header, ...).
    """
    item = loads_cbor(data)
    if isinstance(item, cbor2.CBORTag) and item.tag == _CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag):
        if item.tag != _COSE_SIGN1_TAG:
            raise MalformedError(Layer.COSE, f"CBOR tag {item.tag} is not COSE_Sign1 (18)")
        item = item.value
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise MalformedError(Layer.COSE, "COSE_Sign1 must be an array of 4: protected, unprotected, payload, signature")
    protected, unprotected, payload, signature = item
    if not isinstance(protected, bytes) or not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise MalformedError(Layer.COSE, "protected header, payload and signature must be byte strings")
    if not isinstance(unprotected, dict | Mapping):
        raise MalformedError(Layer.COSE, "the unprotected header must be a map")
    header = loads_cbor(protected, Layer.COSE) if protected else {}
    if not isinstance(header, dict | Mapping):
        raise MalformedError(Layer.COSE, "the protected header must encode a map")
    alg, kid = header.get(1), header.get(4)
    if not isinstance(alg, int) or isinstance(alg, bool):
        raise MalformedError(Layer.COSE, "the protected header has no integer alg (1)")
    if not isinstance(kid, bytes):
        raise MalformedError(Layer.COSE, "the protected header has no byte-string kid (4)")
    return Sign1(protected=protected, alg=alg, kid=kid, payload=payload, signature=signature)


_B45_ALPHABET = base45.BASE45_CHARSET.encode("ascii")  # RFC 9285 §4, from the reference package
# Character → digit value; a character outside the alphabet maps to 2**20, which pushes any triplet or pair
# holding it above 65535 / 255, so one comparison catches both kinds of error (diagnosed afterwards).
_B45_INVALID = 1 << 20
_B45_VALUE = np.full(256, _B45_INVALID, dtype=np.uint32)
_B45_VALUE[np.frombuffer(_B45_ALPHABET, np.uint8)] = np.arange(45, dtype=np.uint32)
_B45_WEIGHTS = np.array([1, 45, 45 * 45], dtype=np.uint32)


_B45_CHARS = np.frombuffer(_B45_ALPHABET, np.uint8)


#: Every big-endian byte pair's three base45 characters (65,536 × 3 bytes, built once): encoding is then one
#: table look-up per pair.
_PAIRS = np.arange(65536, dtype=np.uint32)
_B45_TRIPLETS = np.stack([_B45_CHARS[_PAIRS % 45], _B45_CHARS[_PAIRS // 45 % 45], _B45_CHARS[_PAIRS // 2025]], axis=1)
del _PAIRS


def b45encode(data: bytes) -> str:
    """Encode bytes as base45 text (RFC 9285 §4): exactly ``base45.b45encode`` (a property test holds the two
    together), each byte pair's three characters looked up in :data:`_B45_TRIPLETS` — ~4 µs a code's token
    instead of ~30 µs computing the digits with numpy, ~60 µs with the reference's per-pair ``divmod`` (a
    re-evaluation encodes tens of thousands of codes at once)."""
    whole = len(data) - len(data) % 2
    out = _B45_TRIPLETS[np.frombuffer(data, ">u2", count=whole // 2)].tobytes()
    if whole < len(data):
        last = data[-1]
        out += bytes((_B45_ALPHABET[last % 45], _B45_ALPHABET[last // 45]))
    return out.decode("ascii")


def b45decode(text: str) -> bytes:
    """Decode base45 text (RFC 9285 §4.2) to bytes, vectorised with numpy.

    Gives exactly what ``base45.b45decode`` (the reference, and the encoder pingan uses) gives for valid
    text and rejects exactly the texts it rejects — a property test holds the two together — but is about
    4× faster on a code, which matters when one core verifies thousands of codes a second.
    Raises ``ValueError`` naming the problem: a character outside the alphabet (with its position), a
    length ≡ 1 (mod 3), or a triplet above 65535 / final pair above 255 (with its position).
    """
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as exc:
        position = exc.start
        raise ValueError(f"character {text[position]!r} at position {position} is not in the base45 alphabet") from None
    size = len(raw)
    whole = size - size % 3
    if size - whole == 1:
        raise ValueError(f"length {size} is impossible for base45 (≡ 1 mod 3)")
    values = _B45_VALUE[np.frombuffer(raw, np.uint8)]
    triplets = values[:whole].reshape(-1, 3) @ _B45_WEIGHTS
    if whole and triplets.max() > 0xFFFF:
        _b45_diagnose(text, values, triplets)
    out = triplets.astype(">u2").tobytes()
    if whole < size:
        last = int(values[-2]) + 45 * int(values[-1])
        if last > 0xFF:
            _b45_diagnose(text, values, triplets)
        out += bytes((last,))
    return out


def _b45_diagnose(text: str, values: np.ndarray, triplets: np.ndarray) -> None:
    """Raise the ``ValueError`` that says what is wrong with base45 text that failed a range check."""
    invalid = values >= _B45_INVALID
    if invalid.any():
        position = int(np.argmax(invalid))
        raise ValueError(f"character {text[position]!r} at position {position} is not in the base45 alphabet")
    if triplets.size and triplets.max() > 0xFFFF:
        index = int(np.argmax(triplets > 0xFFFF))
        raise ValueError(f"the triplet at position {3 * index} encodes {int(triplets[index])}, more than 65535")
    whole = 3 * triplets.size
    last = int(values[-2]) + 45 * int(values[-1])
    raise ValueError(f"the final pair at position {whole} encodes {last}, more than 255")


def encode(cose: bytes, *, compress: bool | None = None) -> str:
    """The QR text for a COSE_Sign1: ``PREFIX + base45(zlib(cose))`` or ``PREFIX + base45(cose)``.

    ``compress=None`` (the default) uses zlib (level 9) only when that makes the bytes shorter; ``True``
    and ``False`` force either form. Both forms decode with :func:`decode`.
    """
    body = cose
    if compress is not False:
        # level 9 with the 32 KiB window (the stream's first byte stays 0x78, which decoders test for) and the
        # smallest hash table (memLevel 1): a token is ~150 bytes, and setting up the default tables cost
        # 3 times the compression itself (tens of thousands of codes in a re-evaluation)
        packer = zlib.compressobj(9, zlib.DEFLATED, 15, 1)
        packed = packer.compress(cose) + packer.flush()
        if compress or len(packed) < len(cose):
            body = packed
    return PREFIX + b45encode(body)


def decode(text: str | bytes) -> bytes:
    """Undo :func:`encode`: strip the prefix, base45-decode, and inflate when the bytes are a zlib stream
    (first byte 0x78). Returns the COSE bytes. The URL form (``https://…/verify/#1…``, :func:`url_form`)
    decodes to the same bytes from its fragment's digits.

    Raises :class:`MalformedError` with layer ``prefix``, ``base45``, ``digits`` or ``zlib``.
    """
    if isinstance(text, bytes | bytearray | memoryview):
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError(Layer.PREFIX, "the code is not ASCII text") from None
    # Never strip trailing spaces: " " is a base45 digit (value 36); stripping it from a cut-off code
    # would change its length and blame the wrong layer.
    text = text.lstrip().rstrip("\r\n\t")
    if urlform.is_url_form(text):
        # the URL form (a link to the verification page, the code's digits in the fragment)
        try:
            compressed = urlform.fragment_bytes(text)
        except urlform.UrlFormError as exc:
            raise MalformedError(Layer.DIGITS if exc.in_digits else Layer.PREFIX, str(exc)) from None
    elif not text.startswith(PREFIX):
        raise MalformedError(Layer.PREFIX, f"the code does not start with {PREFIX!r} and is not a verification link")
    else:
        try:
            compressed = b45decode(text[len(PREFIX):])
        except ValueError as exc:
            raise MalformedError(Layer.BASE45, f"invalid base45 text ({exc})") from None
    if not compressed or compressed[0] != ZLIB_FIRST_BYTE:
        if len(compressed) > MAX_TOKEN_BYTES:
            raise MalformedError(Layer.CBOR, f"the code is longer than {MAX_TOKEN_BYTES} bytes")
        return compressed
    inflater = zlib.decompressobj()
    try:
        cose = inflater.decompress(compressed, MAX_TOKEN_BYTES + 1)
    except zlib.error as exc:
        raise MalformedError(Layer.ZLIB, f"not a valid zlib stream ({exc})") from None
    if len(cose) > MAX_TOKEN_BYTES:
        raise MalformedError(Layer.ZLIB, f"inflates to more than {MAX_TOKEN_BYTES} bytes")
    if not inflater.eof:
        raise MalformedError(Layer.ZLIB, "the zlib stream is truncated")
    if inflater.unused_data:
        raise MalformedError(Layer.ZLIB, f"{len(inflater.unused_data)} trailing byte(s) after the zlib stream")
    return cose


def url_form(text: str, verify_url: str) -> str:
    """The URL form of a ``PA1:`` text (:mod:`pingan.codes.urlform`): ``verify_url`` + ``#1`` + the digits of
    the same bytes. :func:`decode` (and so :func:`verify`) reads both forms."""
    if urlform.is_url_form(text):
        return text
    if not text.startswith(PREFIX):
        raise ValueError(f"not a {PREFIX} code")
    return urlform.to_url(b45decode(text[len(PREFIX):]), verify_url)


def issue(code: SafetyCode, signer: Signer) -> str:
    """Sign ``code`` with ``signer`` and return the QR text (``PA1:...``), compressed only if that is shorter.

    Raises ``ValueError`` when ``code.issuer`` is not the signer's issuer (a key signs for one issuer).
    """
    if code.issuer != signer.issuer:
        raise ValueError(f"code issuer {code.issuer!r} differs from the signing key's issuer {signer.issuer!r}")
    return encode(sign1(cbor2.dumps(code.to_claims()), signer))


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of :func:`verify`.

    ``status`` is the outcome; ``reason`` a one-line English explanation; ``layer`` the failing layer
    when ``status`` is ``malformed``; ``code`` the claims whenever the signature verified (so an expired
    or revoked code still shows what it was); ``kid`` the key id when the COSE layer decoded;
    ``revocation`` the matching revocation entry when ``status`` is ``revoked``.
    """

    status: Status
    reason: str
    layer: Layer | None = None
    code: SafetyCode | None = None
    kid: bytes | None = None
    revocation: Revocation | None = None

    @property
    def ok(self) -> bool:
        """True only for a valid, current, unrevoked code signed by a trusted key."""
        return self.status is Status.VALID

    @property
    def level(self) -> Level | None:
        """The code's level when the signature verified, else ``None``."""
        return self.code.level if self.code else None


def verify(
    text: str | bytes, trust: KeyStore, revocations: RevocationSource | None = None,
    now: datetime | None = None, *, leeway: timedelta = timedelta(0),
) -> Verification:
    """Verify a safety code offline.

    Checks, in this order, each failure giving its own status: prefix → base45 → zlib → CBOR → COSE
    (``malformed`` with ``layer``); key id in ``trust`` (``unknown_key``); algorithm matches the key and
    the signature verifies (``bad_signature``); CWT claims well-formed (``malformed``, layer ``cwt``);
    not in ``revocations`` of the key's issuer (``revoked``); ``now + leeway ≥ iat`` (``not_yet_valid``);
    ``now - leeway < exp`` (``expired``).
    ``now`` defaults to the current UTC time and must be timezone-aware. Never raises for a bad code.
    """
    return verify_batch([text], trust, revocations, now, leeway=leeway)[0]


def verify_batch(
    texts: Sequence[str | bytes], trust: KeyStore, revocations: RevocationSource | None = None,
    now: datetime | None = None, *, leeway: timedelta = timedelta(0),
) -> list[Verification]:
    """Verify many codes: ``[verify(t, ...) for t in texts]``, the same verdicts in the same order.

    Each stage (decode, signature, claims) runs over the whole batch before the next, which keeps each
    stage's code and tables in the CPU caches: for a few hundred codes or more this is ~30 % faster per
    code than one call per code (docs/codes.md §11). Memory grows with ``len(texts)`` (a few hundred bytes
    per code); pass chunks of a few thousand. ``now`` as for :func:`verify`; never raises for a bad code.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware (UTC), got naive {now.isoformat()}")
    results: list[Verification | Sign1] = [_decode_stage(text) for text in texts]
    keys = [_signature_stage(item, trust) if type(item) is Sign1 else None for item in results]
    for index, key in enumerate(keys):
        if type(key) is Verification:
            results[index] = key
        elif key is not None:
            results[index] = _claims_stage(results[index], key, revocations, now, leeway)  # type: ignore[arg-type]
    return results  # type: ignore[return-value]


def malformed(text: str | bytes) -> Verification | None:
    """The ``malformed`` verdict of a text that is not a safety code at all (prefix → base45 → zlib → CBOR → COSE,
    as :func:`verify` checks them), or ``None`` when it decodes: a caller can say so without reading any key or
    revocation."""
    decoded = _decode_stage(text)
    return decoded if type(decoded) is Verification else None


def _decode_stage(text: str | bytes) -> Sign1 | Verification:
    try:
        return parse_sign1(decode(text))
    except MalformedError as exc:
        return Verification(Status.MALFORMED, exc.message, layer=exc.layer)


def _signature_stage(sign1_: Sign1, trust: KeyStore) -> TrustedKey | Verification:
    return signing_key(sign1_, trust)


def signing_key(message: Sign1, trust: KeyStore, external_aad: bytes = b"") -> TrustedKey | Verification:
    """The trusted key whose signature over ``message`` verifies, or the failing :class:`Verification`.

    Every key of ``trust`` with the message's ``kid`` is tried (a key id is a truncated hash, so several
    keys may share one: the EU DCC rule "try all keys with that kid"); only keys of the header's ``alg``
    count. ``unknown_key`` when no key has that id; ``bad_signature`` when none of the algorithm exists or
    none verifies. Used for codes (no external AAD) and revocation lists (``external_aad``).
    """
    kid = message.kid
    keys = trust.candidates(kid)
    if not keys:
        return Verification(Status.UNKNOWN_KEY, f"key id {kid.hex()} is not a trusted key", kid=kid)
    usable = [k for k in keys if int(k.alg) == message.alg]
    if not usable:
        algs = ", ".join(sorted({k.alg.jose_name for k in keys}))
        return Verification(Status.BAD_SIGNATURE, f"header alg {message.alg} does not match key {kid.hex()} ({algs})",
                            kid=kid)
    data = sig_structure(message.protected, message.payload, external_aad)
    for key in usable:
        if key.verify(message.signature, data):
            return key
    tried = f" (tried the {len(usable)} keys with that id)" if len(usable) > 1 else ""
    return Verification(Status.BAD_SIGNATURE, f"the signature does not verify with key {kid.hex()}{tried}", kid=kid)


def _claims_stage(sign1_: Sign1, key: TrustedKey, revocations: RevocationSource | None, now: datetime,
                  leeway: timedelta) -> Verification:
    kid = sign1_.kid
    try:
        code = SafetyCode.from_claims(loads_cbor(sign1_.payload, Layer.CWT), key.issuer)
    except MalformedError as exc:
        return Verification(Status.MALFORMED, exc.message, layer=exc.layer, kid=kid)
    if revocations is not None:
        revocation = revocations.lookup(code.issuer, code.code_id)
        # An entry is in force until its own expiry (the revoked code's exp it names): a list cached for days
        # still holds entries that have lapsed since, and those no longer mark a code revoked (the code then
        # reads as expired on its own, or — should an issuer have signed an earlier expiry — by its claims).
        if revocation is not None and now - leeway < revocation.code_expires_at:
            return Verification(
                Status.REVOKED, f"code {code.code_id.hex()} was revoked ({revocation.reason.name.lower()})",
                code=code, kid=kid, revocation=revocation,
            )
    if now + leeway < code.issued_at:
        return Verification(Status.NOT_YET_VALID, f"valid from {code.issued_at.isoformat()}", code=code, kid=kid)
    if now - leeway >= code.expires_at:
        return Verification(Status.EXPIRED, f"expired at {code.expires_at.isoformat()}", code=code, kid=kid)
    return Verification(Status.VALID, f"valid until {code.expires_at.isoformat()}", code=code, kid=kid)
