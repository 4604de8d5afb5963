"""Signing keys for safety codes: generation, a file-backed signer, the trust store, published key sets.

* Algorithms: ES256 (ECDSA on P-256 with SHA-256, COSE alg -7) and EdDSA with Ed25519 (COSE alg -8),
  RFC 9053 §2.1 and §2.2. An ES256 signature is the raw 64-byte ``r || s`` (RFC 9053 §2.1), not DER.
* Key id (``kid``, COSE header 4): the first 8 bytes of SHA-256 over the key's DER
  SubjectPublicKeyInfo (RFC 5280), as the EU Digital COVID Certificate does over its certificate.
* Published forms: a COSE_KeySet (RFC 9052 §7: a CBOR array of COSE_Key maps) and a JWKS (RFC 7517,
  with RFC 7518 EC keys and RFC 8037 OKP keys). Each key also names its issuer (COSE_Key label ``"iss"``,
  JWK member ``"iss"``): the issuer of a code is the issuer its key is published for.
* Verification: ES256 through OpenSSL (``cryptography``); Ed25519 through libsodium (PyNaCl, also a
  PyCA project), whose verify is about 1.9× faster than OpenSSL's here (docs/codes.md §11). libsodium
  is the stricter of the two (it also refuses small-order public keys and non-canonical encodings),
  so nothing OpenSSL rejects is accepted.

Private keys live in a PEM file (PKCS #8, optionally encrypted with a passphrase) or in an environment
secret, never in the database; the :class:`Signer` protocol is the seam for an HSM or a cloud KMS. No
object here puts private key material in its ``repr`` or in a log line. This module imports no Django.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cbor2
import nacl.exceptions
import nacl.signing
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

#: Length of a key id in bytes.
KID_LENGTH = 8


class Alg(IntEnum):
    """COSE algorithm identifiers (IANA COSE Algorithms registry, RFC 9053)."""

    ES256 = -7
    EDDSA = -8

    @property
    def jose_name(self) -> str:
        """The JOSE ``alg`` name (RFC 7518 / RFC 8037): ``ES256`` or ``EdDSA``."""
        return "ES256" if self is Alg.ES256 else "EdDSA"

    @classmethod
    def from_jose_name(cls, name: str) -> Alg:
        """The algorithm for a JOSE name, ``ES256`` or ``EdDSA`` (case-insensitive); ``ValueError`` otherwise."""
        for alg in cls:
            if alg.jose_name.lower() == name.strip().lower():
                return alg
        raise ValueError(f"unknown signature algorithm {name!r}: expected ES256 or EdDSA")


class KeyMaterialError(Exception):
    """A key file, secret or published key document is unusable; the message says what and where."""


PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


def alg_for_key(key: PrivateKey | PublicKey) -> Alg:
    """The COSE algorithm a key signs with; raises :class:`KeyMaterialError` for a curve other than P-256/Ed25519."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return Alg.EDDSA
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise KeyMaterialError(f"EC key on curve {key.curve.name}: ES256 needs P-256 (secp256r1)")
        return Alg.ES256
    raise KeyMaterialError(f"unsupported key type {type(key).__name__}: use P-256 (ES256) or Ed25519 (EdDSA)")


def generate_private_key(alg: Alg = Alg.ES256) -> PrivateKey:
    """A new private key for ``alg`` (ES256 → P-256, EdDSA → Ed25519) from the OS CSPRNG."""
    if Alg(alg) is Alg.EDDSA:
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


#: The ES256 signature algorithm object (stateless, shared: building one per verification costs ~1 µs).
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())

def kid_for(public_key: PublicKey) -> bytes:
    """The 8-byte key id: SHA-256 over the DER SubjectPublicKeyInfo, first 8 bytes."""
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()[:KID_LENGTH]


def write_private_key(path: str | os.PathLike[str], key: PrivateKey, *, passphrase: bytes | None = None) -> Path:
    """Write ``key`` as PKCS #8 PEM to ``path`` with mode 0600 (encrypted when ``passphrase`` is given).

    Refuses to overwrite an existing file (``FileExistsError``): a rotated key gets a new file.
    """
    path = Path(path)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return path


def _load_private_pem(pem: bytes, passphrase: bytes | None, where: str) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except (ValueError, TypeError) as exc:
        # The library's message never contains key material; it says "bad decrypt", "could not
        # deserialize" and the like, which is what an operator needs.
        raise KeyMaterialError(f"{where}: not a usable PEM private key ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise KeyMaterialError(f"{where}: {type(key).__name__} keys are not supported; use P-256 or Ed25519")
    alg_for_key(key)
    return key


@runtime_checkable
class Signer(Protocol):
    """Something that signs for one issuer with one key: a key file, an HSM, a cloud KMS.

    ``sign`` receives the COSE ``Sig_structure`` bytes (RFC 9052 §4.4) and returns the signature in COSE
    form: 64 bytes ``r || s`` for ES256, 64 bytes for Ed25519.
    """

    @property
    def issuer(self) -> str:
        """The issuer id the key belongs to (the CWT ``iss`` claim of every code it signs)."""
        ...

    @property
    def kid(self) -> bytes:
        """The key id (see :func:`kid_for`)."""
        ...

    @property
    def alg(self) -> Alg:
        """The COSE algorithm."""
        ...

    def sign(self, data: bytes) -> bytes:
        """The COSE signature over ``data``."""
        ...

    def public_key(self) -> PublicKey:
        """The public half, for publishing."""
        ...


class KeySigner:
    """A :class:`Signer` holding a private key in memory, loaded from a PEM file or an environment secret.

    The ``repr`` shows issuer, algorithm and key id only.
    """

    __slots__ = ("_alg", "_ecdsa", "_ed25519", "_issuer", "_key", "_kid")

    def __init__(self, key: PrivateKey, *, issuer: str) -> None:
        if not issuer:
            raise ValueError("issuer must be a non-empty string")
        self._key = key
        self._issuer = issuer
        self._alg = alg_for_key(key)
        self._kid = kid_for(key.public_key())
        # decided once, not per signature (an abstract-class check and a new ECDSA object cost ~3 µs a code;
        # a re-evaluation signs tens of thousands)
        self._ed25519 = isinstance(key, ed25519.Ed25519PrivateKey)
        self._ecdsa = ec.ECDSA(hashes.SHA256())

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, issuer: str, passphrase: bytes | None = None
    ) -> KeySigner:
        """Load a PKCS #8 PEM key file. Raises :class:`KeyMaterialError` naming the file when unusable."""
        path = Path(path)
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise KeyMaterialError(f"signing key file {path}: cannot read it ({exc.strerror})") from None
        return cls(_load_private_pem(pem, passphrase, f"signing key file {path}"), issuer=issuer)

    @classmethod
    def from_env(
        cls, variable: str, *, issuer: str, environ: Mapping[str, str] | None = None,
        passphrase: bytes | None = None,
    ) -> KeySigner:
        """Load a key from an environment secret.

        ``variable`` holds the PEM text itself; or, when ``<variable>_FILE`` is set instead, the path of
        a PEM file (the Docker/Kubernetes secrets convention). Raises :class:`KeyMaterialError` when neither is
        set or the key is unusable; the message names the variable, never its value.
        """
        env = os.environ if environ is None else environ
        if env.get(f"{variable}_FILE"):
            return cls.from_file(env[f"{variable}_FILE"], issuer=issuer, passphrase=passphrase)
        pem = env.get(variable)
        if not pem:
            raise KeyMaterialError(f"environment variable {variable} (or {variable}_FILE) is not set")
        return cls(_load_private_pem(pem.encode(), passphrase, f"environment variable {variable}"), issuer=issuer)

    @property
    def issuer(self) -> str:
        """The issuer id."""
        return self._issuer

    @property
    def kid(self) -> bytes:
        """The 8-byte key id."""
        return self._kid

    @property
    def alg(self) -> Alg:
        """ES256 or EdDSA."""
        return self._alg

    def public_key(self) -> PublicKey:
        """The public key."""
        return self._key.public_key()

    def trusted_key(self) -> TrustedKey:
        """The public half as a :class:`TrustedKey` for a :class:`KeyStore`."""
        return TrustedKey(kid=self._kid, alg=self._alg, issuer=self._issuer, public_key=self.public_key())

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``; ES256 signatures are converted from DER to the raw ``r || s`` COSE wants."""
        if self._ed25519:
            return self._key.sign(data)
        r, s = decode_dss_signature(self._key.sign(data, self._ecdsa))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def __repr__(self) -> str:
        return f"KeySigner(issuer={self._issuer!r}, alg={self._alg.jose_name}, kid={self._kid.hex()})"


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A public key a verifier trusts: id, algorithm, the issuer it speaks for, the key itself."""

    kid: bytes
    alg: Alg
    issuer: str
    public_key: PublicKey = field(repr=False, compare=False)
    _libsodium: nacl.signing.VerifyKey | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if alg_for_key(self.public_key) is not Alg(self.alg):
            raise KeyMaterialError(f"key {self.kid.hex()}: declared alg {Alg(self.alg).jose_name} does not fit the key")
        if isinstance(self.public_key, ed25519.Ed25519PublicKey):
            raw = self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            try:
                object.__setattr__(self, "_libsodium", nacl.signing.VerifyKey(raw))
            except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
                raise KeyMaterialError(f"key {self.kid.hex()}: not a usable Ed25519 public key ({exc})") from None

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True when ``signature`` (COSE form) is valid over ``data``; never raises for a bad signature."""
        if self._libsodium is not None:
            try:
                self._libsodium.verify(data, signature)
            except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
                return False
            return True
        try:
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            self.public_key.verify(der, data, _ECDSA_SHA256)
        except InvalidSignature:
            return False
        return True

    def to_cose_key(self) -> dict[int | str, Any]:
        """The COSE_Key map (RFC 9052 §7, RFC 9053 §7.1/§7.2) plus the text label ``"iss"``."""
        if isinstance(self.public_key, ed25519.Ed25519PublicKey):
            raw = self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return {1: 1, 2: self.kid, 3: int(Alg.EDDSA), -1: 6, -2: raw, "iss": self.issuer}
        nums = self.public_key.public_numbers()
        return {
            1: 2, 2: self.kid, 3: int(Alg.ES256), -1: 1,
            -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big"), "iss": self.issuer,
        }

    def to_jwk(self) -> dict[str, str]:
        """The JWK (RFC 7517; EC per RFC 7518 §6.2, OKP per RFC 8037) with ``kid`` base64url and ``iss``."""
        cose = self.to_cose_key()
        jwk = {"kid": _b64u(self.kid), "alg": Alg(self.alg).jose_name, "use": "sig", "iss": self.issuer}
        if cose[1] == 1:
            jwk.update(kty="OKP", crv="Ed25519", x=_b64u(cose[-2]))
        else:
            jwk.update(kty="EC", crv="P-256", x=_b64u(cose[-2]), y=_b64u(cose[-3]))
        return jwk

    @classmethod
    def from_cose_key(cls, key: Mapping[Any, Any]) -> TrustedKey:
        """Parse one COSE_Key map as written by :meth:`to_cose_key`; raises :class:`KeyMaterialError` if unusable."""
        try:
            kid, alg, issuer = bytes(key[2]), Alg(key[3]), str(key["iss"])
            if key[1] == 1 and key[-1] == 6:
                public: PublicKey = ed25519.Ed25519PublicKey.from_public_bytes(bytes(key[-2]))
            elif key[1] == 2 and key[-1] == 1:
                x, y = (int.from_bytes(bytes(key[label]), "big") for label in (-2, -3))
                public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
            else:
                raise KeyMaterialError(
                    f"COSE_Key kty={key.get(1)!r} crv={key.get(-1)!r}: only EC2/P-256 and OKP/Ed25519"
                )
        except KeyMaterialError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyMaterialError(f"COSE_Key is missing or has a bad field ({exc!r})") from None
        return cls(kid=kid, alg=alg, issuer=issuer, public_key=public)

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> TrustedKey:
        """Parse one JWK as written by :meth:`to_jwk`; raises :class:`KeyMaterialError` if unusable."""
        try:
            if jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519":
                cose: dict[Any, Any] = {1: 1, -1: 6, -2: _unb64u(jwk["x"]), 3: int(Alg.EDDSA)}
            elif jwk["kty"] == "EC" and jwk["crv"] == "P-256":
                cose = {1: 2, -1: 1, -2: _unb64u(jwk["x"]), -3: _unb64u(jwk["y"]), 3: int(Alg.ES256)}
            else:
                raise KeyMaterialError(
                    f"JWK kty={jwk.get('kty')!r} crv={jwk.get('crv')!r}: only EC P-256 and OKP Ed25519"
                )
            cose.update({2: _unb64u(jwk["kid"]), "iss": jwk["iss"]})
        except KeyMaterialError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyMaterialError(f"JWK is missing or has a bad member ({exc!r})") from None
        return cls.from_cose_key(cose)


class KeyStore:
    """The keys a verifier trusts, by key id. Iterating yields :class:`TrustedKey` in insertion order.

    A key id is a truncated hash (8 bytes, docs/codes.md §5), so two different keys may share one — by
    collision, or because a key set was assembled from several sources. As the EU DCC specifies for its
    ``kid`` (eHealth Network, *Electronic Health Certificate Container Format* v1.3, §3.3.1: "verifiers
    should try all keys with that kid"), the store keeps every key under its id and a verifier tries each
    (:meth:`candidates`). Rotation: a new key is added; the old one stays in the store (and in the
    published sets) until the last code it signed has expired, so live codes keep verifying. Removing a
    key id makes its codes read as "unknown key".
    """

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        self._keys: dict[bytes, list[TrustedKey]] = {}
        for key in keys:
            self.add(key)

    def add(self, key: TrustedKey) -> None:
        """Trust ``key``, beside any other key with the same id; adding the same key twice keeps one."""
        same_kid = self._keys.setdefault(key.kid, [])
        if not any(k.to_cose_key() == key.to_cose_key() for k in same_kid):
            same_kid.append(key)

    def remove(self, kid: bytes) -> None:
        """Stop trusting every key with id ``kid`` (no error if absent)."""
        self._keys.pop(kid, None)

    def get(self, kid: bytes) -> TrustedKey | None:
        """The first trusted key with id ``kid``, or ``None`` (verifiers use :meth:`candidates`)."""
        keys = self._keys.get(kid)
        return keys[0] if keys else None

    def candidates(self, kid: bytes) -> list[TrustedKey]:
        """Every trusted key with id ``kid``, in insertion order (empty when none)."""
        return list(self._keys.get(kid, ()))

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter([k for keys in self._keys.values() for k in keys])

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._keys.values())

    def __repr__(self) -> str:
        return f"KeyStore({[k.kid.hex() for k in self]})"

    def to_cose_key_set(self) -> bytes:
        """The COSE_KeySet (RFC 9052 §7) as CBOR bytes: an array of COSE_Key maps."""
        return cbor2.dumps([k.to_cose_key() for k in self])

    def to_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JWK Set (RFC 7517 §5) as a JSON-ready dict ``{"keys": [...]}``."""
        return {"keys": [k.to_jwk() for k in self]}

    @classmethod
    def from_cose_key_set(cls, data: bytes) -> KeyStore:
        """Parse a COSE_KeySet; raises :class:`KeyMaterialError` for bad CBOR or a bad key (saying which)."""
        try:
            items = cbor2.loads(data)
        except (cbor2.CBORDecodeError, ValueError, EOFError) as exc:
            raise KeyMaterialError(f"COSE_KeySet is not valid CBOR ({exc})") from None
        if not isinstance(items, list):
            raise KeyMaterialError("COSE_KeySet must be a CBOR array of COSE_Key maps")
        return cls(_each(items, TrustedKey.from_cose_key, "COSE_Key"))

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any]) -> KeyStore:
        """Parse a JWK Set dict; raises :class:`KeyMaterialError` for a bad key (saying which)."""
        keys = jwks.get("keys")
        if not isinstance(keys, list):
            raise KeyMaterialError('JWKS must be an object with a "keys" array')
        return cls(_each(keys, TrustedKey.from_jwk, "JWK"))


def _each(items: list[Any], parse: Callable[[Any], TrustedKey], what: str) -> Iterator[TrustedKey]:
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise KeyMaterialError(f"{what} #{index} is not a map/object")
        try:
            yield parse(item)
        except KeyMaterialError as exc:
            raise KeyMaterialError(f"{what} #{index}: {exc}") from None


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
