"""Fixed-window counters that stay exact under concurrency (issue 12, item 14).

Django's cache API has no atomic "add one and tell me the count" for every backend: ``FileBasedCache.incr``
is a ``get`` then a ``set``, so 20 clients at once all read the same count and the verification endpoint's
limit let 4x through. :func:`hit` counts one event atomically:

* Redis (``PINGAN_CACHE_URL=redis://…``): one ``INCR`` (atomic on the server, shared by every machine),
  then ``EXPIRE`` on the first hit of a window;
* the file cache (the default): ``add`` + ``incr`` under an exclusive ``flock`` on a lock file in the cache
  directory, which serialises every process and thread of the machine (each call opens its own file
  description, so threads of one process exclude each other too);
* any other backend (local memory): ``add`` + ``incr`` under a process-wide lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache

_local_lock = threading.Lock()


def window_key(prefix: str, who: str, window_seconds: int, *, now: float | None = None) -> str:
    """The counter's key for ``who`` in the current fixed window of ``window_seconds``."""
    window = int((time.time() if now is None else now) // window_seconds)
    return f"{prefix}.{who}.{window_seconds}.{window}"


def hit(key: str, *, ttl: int, alias: str = "default") -> int:
    """Count one event under ``key`` (expiring ``ttl`` seconds after its first event); return the count so far,
    this one included. Exact under any number of concurrent callers of one installation."""
    backend = caches[alias] if alias != "default" else cache
    redis_client = _redis_client(backend, key)
    if redis_client is not None:
        full = backend.make_and_validate_key(key)
        count = int(redis_client.incr(full))
        if count == 1:
            redis_client.expire(full, ttl)
        return count
    with _exclusive(backend):
        backend.add(key, 0, ttl)
        try:
            return int(backend.incr(key))
        except ValueError:  # culled or expired between add and incr: this is the window's first event
            backend.set(key, 1, ttl)
            return 1


def _redis_client(backend, key: str):
    try:
        from django.core.cache.backends.redis import RedisCache
    except ImportError:  # pragma: no cover - Django always ships it; the redis package may be missing
        return None
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(key, write=True)


@contextmanager
def _exclusive(backend):
    if isinstance(backend, FileBasedCache):
        directory = Path(backend._dir)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(directory / "ratelimit.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock
    else:
        with _local_lock:
            yield
