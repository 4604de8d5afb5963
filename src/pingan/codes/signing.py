"""Signing many safety codes in a second process while this one goes on (framework-free: the worker imports
only the token code and the keys, never Django).

A re-evaluation after a day's movement records issues tens of thousands of codes at once
(``services.safety_codes_derive_bulk``): each costs ~40 µs of CPU to sign (ES256) and encode, and the
derivation that issues them is otherwise Python too (audit records, ``COPY`` rows) or waits on the database.
Threads took turns at the interpreter's lock (docs/screening.md, Benchmark); a process signs on the second
core while this one chains and writes the batch's audit records. Worth it only with a core to spare and many
codes: :func:`wanted` decides (``PINGAN["CODE_SIGNING_PROCESS"]``: ``auto`` — at least
:data:`AUTO_MIN_CODES` codes, more than one core, and a load average below the number of cores; ``on``;
``off``).

The worker loads each signing key from its file (the same ``KEY_DIR`` file the caller has just loaded and
checked, ``services.signer_for``) and keeps it; no key material crosses the pipe. One worker, started on the
first use (or ahead, :func:`warm`) and kept for the process's life; if it fails, the caller signs the batch
itself.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime

#: Under ``auto``, the fewest codes in one derivation worth a second process (its start costs ~0.3 s of CPU
#: once, each code ~5 µs of pickling).
AUTO_MIN_CODES = 4000

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_signers: dict[str, object] = {}  # in the worker: kid → KeySigner

#: One code to sign: ``(kid, code_id, issuer, premises_id, premises_name, level, issued_at, expires_at,
#: ruleset_version, people)``.
Item = tuple[str, bytes, str, int, str, str, datetime, datetime, int, int]


def wanted(n_codes: int, mode: str) -> bool:
    """Whether to sign ``n_codes`` in the worker under ``mode`` (``auto``, ``on``, ``off``)."""
    if mode == "on":
        return n_codes > 0
    if mode != "auto" or n_codes < AUTO_MIN_CODES:
        return False
    cores = os.cpu_count() or 1
    return cores > 1 and os.getloadavg()[0] < cores


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: the caller has database connections and DuckDB threads
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def warm() -> None:
    """Start the worker now (it imports the token code: ~0.3 s), so that the first batch does not wait."""
    _executor().submit(_ready)


def _ready() -> bool:
    from pingan.codes import token  # noqa: F401 - imported ahead of the first batch

    return True


def sign(keys: dict[str, tuple[str, str]], items: list[Item]) -> Future:
    """Sign ``items`` in the worker; ``keys`` maps each kid to ``(key file path, issuer)``. The future's result
    is the QR texts (``token.issue``), in order."""
    return _executor().submit(_sign_many, keys, items)


def discard() -> None:
    """Forget a worker that failed (the next use starts another)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _sign_many(keys: dict[str, tuple[str, str]], items: list[Item]) -> list[str]:
    from pingan.codes import token
    from pingan.codes.keys import KeySigner
    from pingan.codes.levels import Level

    out = []
    for kid, code_id, issuer, premises_id, name, level, issued_at, expires_at, ruleset_version, people in items:
        signer = _signers.get(kid)
        if signer is None:
            path, key_issuer = keys[kid]
            signer = _signers[kid] = KeySigner.from_file(path, issuer=key_issuer)
        out.append(token.issue(token.SafetyCode(
            code_id=code_id, issuer=issuer, premises_id=premises_id, premises_name=name, level=Level(level),
            issued_at=issued_at, expires_at=expires_at, ruleset_version=ruleset_version, people=people), signer))
    return out


def worker_cpu() -> float:
    """User + system CPU seconds the signing process has used so far (0 without one, or where ``/proc`` cannot
    be read): what a benchmark adds to this process's own CPU time."""
    from pingan.screening.reevaluate import _proc_cpu  # the /proc/<pid>/stat reader of the re-evaluation's clock

    return sum((_proc_cpu(f"/proc/{pid}/stat") or 0.0 for pid in list(getattr(_pool, "_processes", None) or {})),
               0.0)
