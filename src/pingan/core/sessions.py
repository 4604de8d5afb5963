"""The session engine (``SESSION_ENGINE``): Django's database sessions, whose "last seen" touch never fails a
request on a busy database.

:class:`pingan.core.security.SessionIdleMiddleware` writes when a session was last used (``_seen``, at most
once a minute) and when it began (``_since``). On the embedded SQLite default a large screening's write holds
the database's one write lock; Django's session save then waited the busy timeout and answered the request
with 400 (``SessionInterrupted``: a new user's trial saw "请求无法处理" on the job page it was watching).
A save that changes nothing but those two keys waits half a second at most and is skipped while the database
is busy: the next request (the job page polls every second) writes it. Any other change — a sign-in, a
purpose of use, a language — is saved as before.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

from pingan.core.dbbusy import brief_wait, is_busy

log = logging.getLogger(__name__)

#: The keys the idle sign-out writes on its own (``pingan.core.security``).
TOUCH_KEYS = frozenset({"_seen", "_since"})


def _without_touch(data: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in data.items() if k not in TOUCH_KEYS}, sort_keys=True, default=str)


class SessionStore(DbSessionStore):
    _loaded: str | None = None

    def load(self) -> dict[str, Any]:
        data = super().load()
        self._loaded = _without_touch(data)
        return data

    def _touch_only(self) -> bool:
        """Whether the session differs from the stored one only in :data:`TOUCH_KEYS`."""
        return self._loaded is not None and self.session_key is not None and \
            _without_touch(self._get_session()) == self._loaded

    def save(self, must_create: bool = False) -> None:
        if must_create or not self._touch_only():
            super().save(must_create=must_create)
            return
        with brief_wait():
            try:
                super().save(must_create=False)
            except UpdateError as exc:
                if not is_busy(exc.__context__):
                    raise
                log.info("session %s…: last use not recorded, the database is busy", self.session_key[:6])
