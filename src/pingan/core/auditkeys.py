"""The audit trail's secret key, kept off the database (docs/audit.md, "Keys").

One 256-bit master key, from ``PINGAN_AUDIT_KEY`` / ``PINGAN_AUDIT_KEY_FILE`` (a secret store), else the file
``audit.key`` (hex, mode 0600) in ``settings.PINGAN["AUDIT_KEY_DIR"]`` (``<data dir>/audit-keys``), created on
first use. Two keys are derived from it (HMAC-SHA-256 of a label, the HKDF-Expand construction of RFC 5869
with one block):

* :func:`subject_key` — the keyed digests of the persons a record shows (``core.audit.subject_keys``), so
  the trail holds no name or ID number in clear and nobody without the key can test guesses against it;
* :func:`chain_key` — the MAC of every record's hash (``AuditRecord.mac``), so that someone who can write
  the database but does not hold the key cannot rewrite the chain unseen.

The database role never reads this file; keep it (and its backup) where the database administrators are not.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from pingan.config.env import env_secret

KEY_FILE = "audit.key"
_lock = threading.Lock()
_cache: dict[str, bytes] = {}


def key_dir() -> Path:
    """The directory of the audit keys (created 0700 when missing)."""
    path = Path(settings.PINGAN["AUDIT_KEY_DIR"])
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{where}: the audit key must be 64 hexadecimal digits") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{where}: the audit key must be 64 hexadecimal digits (256 bits)")
    return key


def master_key() -> bytes:
    """The 32-byte master key (see the module docstring); created in the key directory on first use."""
    with _lock:
        if "master" in _cache:
            return _cache["master"]
        secret = env_secret("PINGAN_AUDIT_KEY")
        if secret:
            key = _parse(secret, "PINGAN_AUDIT_KEY")
        else:
            path = key_dir() / KEY_FILE
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                key = _parse(path.read_text(encoding="ascii"), str(path))
            else:
                key = os.urandom(32)
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write(key.hex() + "\n")
        _cache["master"] = key
        return key


def _derived(label: bytes) -> bytes:
    key = _cache.get(label.decode())
    if key is None:
        key = _cache[label.decode()] = hmac.new(master_key(), label + b"\x01", hashlib.sha256).digest()
    return key


def subject_key() -> bytes:
    """The key of the persons' digests."""
    return _derived(b"pingan audit subjects v1")


def chain_key() -> bytes:
    """The key of the records' MACs."""
    return _derived(b"pingan audit chain v1")


def forget() -> None:
    """Drop the cached keys (tests that change the key directory)."""
    with _lock:
        _cache.clear()
