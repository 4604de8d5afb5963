"""One line in the server log for an ordinary client error; a traceback only for a real failure.

Django's ``django.request`` logger records every 4xx response, and for a ``PermissionDenied`` it passes
the exception as ``exc_info`` (``django.core.handlers.exception.response_for_exception``), so each
ordinary 403 — an officer opening another station's premises, a role that may not use a page — printed a
full traceback into the server log. A refused request is the client's mistake, not the server's: its
traceback points into Django's internals and hides the real failures.

:class:`ClientErrorFilter` (installed on ``django.request`` in ``settings.LOGGING``) rewrites every 4xx
record of that logger into one line without traceback::

    403 GET /police/overview/ user=7 reason=your role may not use this page

(status, method, path, user id or ``-`` for anonymous, reason). 403 and other 4xx stay at WARNING; 404 goes
down to INFO (a wrong link is routine) and is dropped when INFO is not enabled for ``django.request``.
5xx records are left untouched, with their traceback.

The reason is the exception's message where Django passes it (403), else what :func:`note_reason` stored
on the request — the API's problem handlers and :class:`pingan.core.middleware.ClientErrorMiddleware`
(for ``Http404``/``PermissionDenied`` raised by page views) store it — else the HTTP reason phrase.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.http import HttpRequest

_REASON_ATTR = "_pingan_client_error_reason"


def note_reason(request: HttpRequest, reason: str) -> None:
    """Keep ``reason`` (why the request is refused, for people) on the request for the log line."""
    setattr(request, _REASON_ATTR, reason)


def _printable(text: str) -> str:
    """``text`` with control characters (newlines, escapes) written as ``\\x..``: one record, one line.

    Paths and reasons can carry client input; a raw newline in them would forge a second log line.
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def client_error_line(status: int, request: HttpRequest, reason: str) -> str:
    """The log line for a refused request: ``"403 GET /path user=7 reason=…"`` (``user=-`` if anonymous)."""
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else "-"
    return (f"{status} {_printable(request.method or '-')} {_printable(request.path)} user={user_id} "
            f"reason={_printable(reason)}")


class ClientErrorFilter(logging.Filter):
    """Turns ``django.request``'s 4xx records into :func:`client_error_line`, without ``exc_info``."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500 or not isinstance(request, HttpRequest):
            return True  # 5xx (and anything that is not a response record) keeps its traceback
        reason = getattr(request, _REASON_ATTR, "")
        if not reason and record.exc_info and record.exc_info[1] is not None:
            reason = str(record.exc_info[1])
        if not reason:
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:  # a status code that HTTP does not define
                reason = "client error"
        record.msg, record.args = client_error_line(status, request, reason), ()
        record.exc_info = record.exc_text = None
        if status == HTTPStatus.NOT_FOUND:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
            return logging.getLogger(record.name).isEnabledFor(logging.INFO)
        return True
