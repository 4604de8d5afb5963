"""Signed checkpoints of the audit chain's head, kept off the database (docs/audit.md, "Anchoring").

A checkpoint states "the audit trail's record ``seq`` has hash ``hash``, as seen at ``at``", signed with an
Ed25519 key (RFC 8032) that lives in the audit key directory, never in the database. It is one line of JSON::

    {"v": 1, "seq": 1234, "hash": "<64 hex>", "at": "2026-01-01T08:00:00+08:00", "kid": "<16 hex>",
     "sig": "<base64 of the Ed25519 signature over the canonical JSON of the other members>"}

Checkpoints are appended to the checkpoint file (``PINGAN_AUDIT_CHECKPOINT_FILE``, default
``<data dir>/audit-checkpoints.jsonl``) automatically after an audit write when the last one is older than
``PINGAN_AUDIT_CHECKPOINT_MINUTES`` (default 10), and on demand by ``pingan audit checkpoint``, which also
prints the line so that cron can ship it elsewhere (remote syslog, a write-once bucket, e-mail). Because
records are chained, a checkpoint of record N vouches for records 1..N: ``pingan audit verify`` fails when the
record a checkpoint names is missing (the trail was emptied or cut short) or has another hash (rewritten).
The signature lets anyone holding only the public key (``checkpoint.pub``) check a copy of the checkpoints.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from pingan.core import auditkeys

PRIVATE_KEY_FILE = "checkpoint.key"
PUBLIC_KEY_FILE = "checkpoint.pub"
_lock = threading.Lock()
_last_checked = {"at": 0.0}


class CheckpointError(Exception):
    """A checkpoint file or key is unusable; the message says which and why."""


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint: record ``seq`` had ``hash`` at ``at`` (ISO 8601); ``line`` its place in the file."""

    seq: int
    hash: str
    at: str
    kid: str
    line: int = 0


def _canonical(statement: dict) -> bytes:
    return json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()


def _private_key() -> Ed25519PrivateKey:
    path = auditkeys.key_dir() / PRIVATE_KEY_FILE
    with _lock:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return serialization.load_pem_private_key(path.read_bytes(), password=None)  # type: ignore[return-value]
        key = Ed25519PrivateKey.generate()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        (auditkeys.key_dir() / PUBLIC_KEY_FILE).write_bytes(public_pem(key.public_key()))
        return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key() -> Ed25519PublicKey:
    """The checkpoints' public key (created with the private key on first use)."""
    return _private_key().public_key()


def key_id(key: Ed25519PublicKey) -> str:
    """The first 8 bytes (hex) of SHA-256 over the raw public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def checkpoint_file() -> Path:
    return Path(settings.PINGAN["AUDIT_CHECKPOINT_FILE"])


def sign(seq: int, record_hash: str, at: str | None = None) -> dict:
    """A signed checkpoint statement of record ``seq`` with hash ``record_hash`` (``at``: now)."""
    key = _private_key()
    statement = {"v": 1, "seq": seq, "hash": record_hash, "kid": key_id(key.public_key()),
                 "at": at or timezone.localtime().isoformat(timespec="seconds")}
    return {**statement, "sig": base64.b64encode(key.sign(_canonical(statement))).decode()}


def checkpoint_create(path: Path | None = None) -> dict:
    """Sign the chain head as it is now and append the checkpoint to ``path`` (the checkpoint file).

    Returns the checkpoint; nothing is written for an empty trail that no checkpoint has seen yet (its
    head is the genesis), so that an emptied trail cannot be vouched for as new.
    """
    from pingan.core.models import AuditHead

    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first() or (0, "0" * 64)
    cp = sign(head[0], head[1])
    if head[0] > 0:
        _append(path or checkpoint_file(), cp)
    return cp


def _append(path: Path, cp: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(json.dumps(cp, sort_keys=True) + "\n")


def checkpoint_if_due() -> None:
    """Write a checkpoint when the checkpoint file's last one is older than the configured interval.

    Called after each audit write commits (``core.audit``); the file's modification time is the clock,
    looked at no more than once a minute per process. Failing to write (a read-only disk) never fails the
    request: the next due write tries again and ``verify`` reports how old the last checkpoint is.
    """
    minutes = settings.PINGAN["AUDIT_CHECKPOINT_MINUTES"]
    now = time.time()
    if minutes <= 0 or now - _last_checked["at"] < 60:
        return
    _last_checked["at"] = now
    path = checkpoint_file()
    try:
        if path.exists() and now - path.stat().st_mtime < minutes * 60:
            return
        checkpoint_create(path)
    except OSError:
        return


def load(paths: list[Path], key: Ed25519PublicKey | None = None) -> list[Checkpoint]:
    """The checkpoints of ``paths`` (JSON lines), each signature checked against ``key`` (default: ours).

    Raises :class:`CheckpointError` naming the file and line of a malformed checkpoint or a bad signature
    — a forged or edited checkpoint is itself a sign of tampering.
    """
    key = key or public_key()
    kid = key_id(key)
    out = []
    for path in paths:
        try:
            lines = path.read_text(encoding="ascii").splitlines()
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise CheckpointError(f"{path}: cannot read the checkpoints ({exc})") from None
        for n, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                cp = json.loads(text)
                statement = {k: cp[k] for k in ("v", "seq", "hash", "kid", "at")}
                sig = base64.b64decode(cp["sig"], validate=True)
            except (ValueError, KeyError, TypeError):
                raise CheckpointError(f"{path}:{n}: not a checkpoint") from None
            if statement["kid"] != kid:
                raise CheckpointError(f"{path}:{n}: signed by key {statement['kid']}, not by {kid}")
            try:
                key.verify(sig, _canonical(statement))
            except InvalidSignature:
                raise CheckpointError(f"{path}:{n}: the signature does not verify (the checkpoint was edited "
                                      f"or forged)") from None
            out.append(Checkpoint(int(statement["seq"]), str(statement["hash"]), str(statement["at"]),
                                  statement["kid"], n))
    return out


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key from a PEM file (an outside auditor's copy of ``checkpoint.pub``)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: not an Ed25519 public key in PEM ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path}: not an Ed25519 public key")
    return key
