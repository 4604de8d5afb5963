"""Rate-limit counters are exact under concurrency (issue 12, item 14: the verification endpoint let 4x its
limit through because the file cache's increment is a get and a set). Real threads, real caches."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches
from django.db import connections
from django.test import Client

from pingan.core import ratelimit

THREADS, HITS = 24, 10


def hammer(alias: str, key: str) -> list[int]:
    """``THREADS`` threads released at once, each counting ``HITS`` events; every count returned."""
    start = threading.Barrier(THREADS)

    def run(_):
        start.wait()
        return [ratelimit.hit(key, ttl=60, alias=alias) for _ in range(HITS)]

    with ThreadPoolExecutor(THREADS) as pool:
        return [c for counts in pool.map(run, range(THREADS)) for c in counts]


def exact(counts: list[int]) -> bool:
    """Atomic: each count from 1 to the number of events handed out exactly once (a lost update repeats one)."""
    return sorted(counts) == list(range(1, THREADS * HITS + 1))


def test_the_file_cache_counter_is_exact_under_threads(settings, tmp_path):
    settings.CACHES = {**settings.CACHES, "rl": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "c")}}
    assert exact(hammer("rl", "k"))
    assert (tmp_path / "c" / "ratelimit.lock").exists()
    caches["rl"].clear()
    assert (tmp_path / "c" / "ratelimit.lock").exists()  # never culled or cleared as a cache entry


def test_the_local_memory_counter_is_exact_under_threads(settings):
    settings.CACHES = {**settings.CACHES, "rl": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                  "LOCATION": "ratelimit-test"}}
    assert exact(hammer("rl", "k"))


def _redis_up() -> bool:
    try:
        import redis  # noqa: F401
    except ImportError:
        return False
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs the redis package and a Redis server on 127.0.0.1:6379")
def test_the_redis_counter_is_exact_under_threads_and_expires(settings):
    settings.CACHES = {**settings.CACHES, "rl": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                  "LOCATION": "redis://127.0.0.1:6379/15",
                                                  "KEY_PREFIX": f"pingan-test-{threading.get_ident()}"}}
    key = ratelimit.window_key("t", "10.0.0.1", 60)
    try:
        assert exact(hammer("rl", key))
        client = caches["rl"]._cache.get_client(key)
        assert 0 < client.ttl(caches["rl"].make_and_validate_key(key)) <= 60
    finally:
        caches["rl"].delete(key)


def test_the_window_key_changes_with_the_window():
    assert ratelimit.window_key("p", "a", 60, now=119.0) == ratelimit.window_key("p", "a", 60, now=60.0)
    assert ratelimit.window_key("p", "a", 60, now=120.0) != ratelimit.window_key("p", "a", 60, now=119.0)
    assert ratelimit.window_key("p", "a", 60, now=0) != ratelimit.window_key("p", "b", 60, now=0)


@pytest.mark.django_db(transaction=True)
def test_the_verify_endpoint_lets_exactly_its_limit_through_from_parallel_clients(settings):
    # the probe of the issue: parallel clients from one address against the default (file) cache
    settings.PINGAN = {**settings.PINGAN, "VERIFY_RATE_PER_MINUTE": 5}
    clients, start = 20, threading.Barrier(20)
    if time.time() % 60 > 50:  # all in one fixed window
        time.sleep(61 - time.time() % 60)

    def ask(_):
        start.wait()
        try:
            return Client().post("/api/v1/codes/verify", json.dumps({"text": "PA1:not-a-code"}),
                                 content_type="application/json", REMOTE_ADDR="10.9.9.9").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(ask, range(clients)))
    assert statuses.count(200) == 5 and statuses.count(429) == 15, statuses
