"""Typed readers for pingan's environment variables (the only place settings come from).

Every reader raises :class:`django.core.exceptions.ImproperlyConfigured` on a malformed value, naming the
variable and what it accepts, so a bad deployment fails at start-up rather than at first use.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

#: Prefix of secrets that pingan generated itself for the embedded default; production refuses them.
DEV_SECRET_PREFIX = "pingan-dev-"  # noqa: S105 - a marker, not a secret


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or ``default`` when unset or empty."""
    return os.environ.get(name, "") or default


def env_bool(name: str, default: bool = False) -> bool:
    """``true/false``, ``1/0``, ``yes/no``, ``on/off`` (any case); anything else is an error."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected true or false")


def env_int(name: str, default: int) -> int:
    """An integer; an unparsable value is an error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected an integer") from None


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (matched case-insensitively, returned as spelled in ``choices``); else an error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    for choice in choices:
        if choice.lower() == raw.lower():
            return choice
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of {', '.join(choices)}")


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list (spaces around items ignored)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/Kubernetes secrets).

    Raises ``ImproperlyConfigured`` when ``NAME_FILE`` is set but unreadable or empty.
    """
    path = os.environ.get(f"{name}_FILE", "").strip()
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r}: cannot read it ({exc.strerror})") from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE={path!r}: the file is empty")
        return value
    return os.environ.get(name, "").strip() or None


def data_dir() -> Path:
    """Where the embedded default keeps its state: ``PINGAN_DATA_DIR``, else the user's data directory.

    Created on first use (mode 0700, since it holds the SQLite database and the generated secret).
    """
    raw = os.environ.get("PINGAN_DATA_DIR", "").strip()
    if raw:
        path = Path(raw).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("pingan", appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def generated_secret(directory: Path, name: str = "secret_key") -> str:
    """A development secret kept in ``directory/name``; created (0600) on first call.

    Only for the embedded default on a laptop: it starts with :data:`DEV_SECRET_PREFIX` so that production
    mode can recognise and refuse it.
    """
    path = directory / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = DEV_SECRET_PREFIX + secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value


#: URL schemes of ``PINGAN_CACHE_URL`` that name a Redis server (``unix`` is a Redis Unix socket).
REDIS_SCHEMES = ("redis", "rediss", "unix")


def cache_settings(name: str, url: str | None, data_dir: Path) -> dict:
    """Django's ``CACHES`` from ``url`` (the value of variable ``name``, e.g. ``PINGAN_CACHE_URL``).

    The cache holds state that every process of an installation must share — the safety-code trust store
    and signed revocation lists (a key rotated or a code revoked by ``pingan code`` must reach the running
    server) and the per-address rate-limit counters — so a per-process cache is never configured:

    * empty or ``None``: Django's ``FileBasedCache`` in ``<data_dir>/cache`` (shared by the processes of one
      machine, no server needed);
    * ``redis://[:password@]host:port/db``, ``rediss://…`` (TLS), ``unix:///path/redis.sock?db=N``:
      Django's ``RedisCache`` (the optional ``redis`` package, ``pip install 'pingan[redis]'``); needed when
      the web processes run on more than one machine;
    * ``file:///absolute/dir``: ``FileBasedCache`` in that directory.

    Raises ``ImproperlyConfigured`` for another scheme, a relative file path, or Redis without the package.
    """
    if not url:
        return {"default": _file_cache(data_dir / "cache")}
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ImproperlyConfigured(f"{name}: expected a URL such as redis://127.0.0.1:6379/1 or file:///var/cache/pingan")
    if scheme in REDIS_SCHEMES:
        import importlib.util

        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured(f"{name} names a Redis server: install the redis package "
                                       f"(pip install 'pingan[redis]')")
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    if scheme == "file":
        path = Path(rest)
        if not path.is_absolute():
            raise ImproperlyConfigured(f"{name}={url!r}: a file cache needs an absolute path, file:///dir")
        return {"default": _file_cache(path)}
    raise ImproperlyConfigured(f"{name}: unsupported scheme {scheme!r}; use redis, rediss, unix or file")


def _file_cache(path: Path) -> dict:
    # MAX_ENTRIES: each write lists the directory and culls a third of it beyond this many entries; a few
    # thousand keeps a burst of client addresses (one rate-limit counter each) from evicting the trust store.
    return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(path),
            "OPTIONS": {"MAX_ENTRIES": 5000}}
