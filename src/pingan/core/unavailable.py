"""A service the site depends on that is down or busy — the request could not be carried out now, but can be
sent again: HTTP 503 with ``Retry-After``, never 500 (issue 11).

Which service, by the exception that came out of the request (its ``__cause__``/``__context__`` chain too):

* ``busy`` — SQLite's write lock held by another process's long write (``core.dbbusy.is_busy``);
* ``database_unavailable`` — the database cannot be reached: Django's ``OperationalError`` from a connection
  that failed (refused, timed out, closed under us) or its ``InterfaceError`` (``connection already closed``);
* ``event_log_unavailable`` — the NATS JetStream event log (:class:`ServiceUnavailable` raised by
  ``alerts.eventlog``);
* ``cache_unavailable`` — the Redis cache or rate limiter (``PINGAN_CACHE_URL``): redis-py's connection and
  timeout errors.

``core.errorpages.server_error`` answers the 503 page (in the site's frame) or, for ``/api/…``, the problem
document (``core.problems``) with the code above.
"""

from __future__ import annotations

#: How long a client is asked to wait (``Retry-After``, seconds).
RETRY_AFTER_S = 30


class ServiceUnavailable(Exception):
    """A broker or server pingan talks to cannot be reached (``code``: which, see the module's list). Raised with
    the original error as ``__cause__``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


#: psycopg's / libpq's words for a connection that could not be made or was lost (``OperationalError``).
_CONNECTION_LOST = (
    "connection failed", "could not connect", "connection refused", "connection timeout", "timeout expired",
    "server closed the connection", "terminating connection", "connection is lost", "connection is closed",
    "connection already closed", "no route to host", "could not translate host name", "the database system is",
    "unable to open database file",
)


def _one(exc: BaseException) -> str | None:
    from django.db import InterfaceError, OperationalError

    from pingan.core.dbbusy import is_busy

    if isinstance(exc, ServiceUnavailable):
        return exc.code
    if is_busy(exc):
        return "busy"
    if isinstance(exc, InterfaceError):
        return "database_unavailable"
    if isinstance(exc, OperationalError) and any(w in str(exc).lower() for w in _CONNECTION_LOST):
        return "database_unavailable"
    kind = type(exc)
    if kind.__module__.startswith("redis") and kind.__name__ in ("ConnectionError", "TimeoutError",
                                                                  "BusyLoadingError"):
        return "cache_unavailable"
    return None


def unavailable(exc: BaseException | None) -> str | None:
    """The 503 code for ``exc`` (see the module's list), or None when it is an error of pingan's own (a 500)."""
    seen = 0
    while exc is not None and seen < 10:
        code = _one(exc)
        if code:
            return code
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None
