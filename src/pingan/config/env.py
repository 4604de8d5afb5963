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
